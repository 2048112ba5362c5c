//! Domains commands (issue 4): a few lines each over `hybridsync_core::steps::domain`, with the
//! saved sign-in from the OS keychain. In practice mode DNS questions go to the practice tenant's
//! own name servers, and one more command publishes a domain's TXT record there (the demo action).
use hybridsync_core::keychain::Keychain;
use hybridsync_core::steps::domain::{self, DomainRequest, DomainStatus};
use hybridsync_core::steps::signin;
use hybridsync_core::{Change, ErrorPayload};
use hybridsync_microsoft::domains::{Domain, DOMAIN_SCOPES};
use hybridsync_microsoft::Graph;
use hybridsync_practice_tenant::Servers;
use tauri::State;

use crate::session::Session;
use crate::settings::Mode;
use crate::state::AppState;

async fn graph() -> Result<Graph, ErrorPayload> {
    Ok(signin::resume(&Keychain::default(), DOMAIN_SCOPES).await?.1)
}

/// The practice tenant's resolver in practice mode; the system's otherwise.
async fn request(state: &AppState, domain: String) -> DomainRequest {
    let nameserver = match state.settings().mode {
        Some(Mode::Practice) => state
            .practice
            .lock()
            .await
            .as_ref()
            .map(|r| r.dns.resolver().to_string()),
        _ => None,
    };
    DomainRequest { domain, nameserver }
}

#[tauri::command]
pub async fn domains_list() -> Result<Vec<Domain>, ErrorPayload> {
    domain::list(&graph().await?).await
}

#[tauri::command]
pub async fn domain_status(
    state: State<'_, AppState>,
    domain: String,
) -> Result<DomainStatus, ErrorPayload> {
    domain::status(&graph().await?, &request(&state, domain).await).await
}

#[tauri::command]
pub async fn domain_add(
    state: State<'_, AppState>,
    session: State<'_, Session>,
    domain: String,
) -> Result<DomainStatus, ErrorPayload> {
    let g = graph().await?;
    let me = g.signed_in_user().await?;
    let before = known(&g, &domain).await?;
    let after = domain::add(&g, &me, &request(&state, domain).await).await?;
    record(&session, &after, before, "added")?;
    Ok(after)
}

/// Verifies only when every authoritative name server returns the value (else `dns_not_ready`).
#[tauri::command]
pub async fn domain_verify(
    state: State<'_, AppState>,
    session: State<'_, Session>,
    domain: String,
) -> Result<DomainStatus, ErrorPayload> {
    let g = graph().await?;
    let me = g.signed_in_user().await?;
    let before = known(&g, &domain).await?;
    let after = domain::verify(&g, &me, &request(&state, domain).await).await?;
    record(&session, &after, before, "isVerified")?;
    Ok(after)
}

/// The domain as the tenant had it before a change (`None`: not added).
async fn known(g: &Graph, domain: &str) -> Result<Option<Domain>, ErrorPayload> {
    let want = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    Ok(domain::list(g)
        .await?
        .into_iter()
        .find(|d| d.id.eq_ignore_ascii_case(&want)))
}

/// Records what changed in the session journal; an add or verify that changed nothing records nothing.
fn record(
    session: &Session,
    after: &DomainStatus,
    before: Option<Domain>,
    field: &str,
) -> Result<(), ErrorPayload> {
    let was = |d: &Option<Domain>| {
        d.as_ref()
            .map(|d| serde_json::json!({"isVerified": d.is_verified}))
    };
    let (b, a) = (was(&before), was(&after.tenant));
    if b == a {
        return Ok(());
    }
    session.record_change(
        "domains",
        Change {
            target: format!("graph:domains/{}", after.domain),
            field: field.into(),
            before: b,
            after: a,
        },
    )
}

/// Practice mode only: publishes the domain's TXT record on the practice name servers.
#[tauri::command]
pub async fn domain_publish_practice(
    state: State<'_, AppState>,
    domain: String,
) -> Result<(), ErrorPayload> {
    let slot = state.practice.lock().await;
    let running = match (state.settings().mode, slot.as_ref()) {
        (Some(Mode::Practice), Some(r)) => r,
        _ => return Err(ErrorPayload::new("invalid_input", "publishing the record for you works only with the practice tenant; add the TXT record at your DNS host", Some("domains.publish-yourself"))),
    };
    let domain = hybridsync_microsoft::domains::normalize_domain(&domain)?;
    running
        .sim
        .domains
        .publish(&domain, Servers::All)
        .await
        .map(|_| ())
        .ok_or_else(|| {
            ErrorPayload::new(
                "not_found",
                format!("the practice tenant has no domain {domain}: add it first"),
                Some("domains.add-first"),
            )
        })
}
