//! The troubleshooting card for any failed item (knowledge base in crates/diagnosis), with the
//! automatic checks run first on what this window knows: the saved sign-in (the tenant, the
//! service principal's keys), the connected Dynamics organization (the failed mailboxes and their
//! profile) and what the CRM server holds (the imported script result, or the practice deployment).
use std::sync::Arc;

use hybridsync_core::checks::{card_with_checks, wanted, CheckContext, CrmFacts};
use hybridsync_core::keychain::Keychain;
use hybridsync_core::run_report::card_finding;
use hybridsync_core::steps::mailboxes::CHECKED_PER_GROUP;
use hybridsync_core::steps::signin;
use hybridsync_core::steps::trust::SCOPES;
use hybridsync_core::troubleshoot::{card, Card, TroubleshootRequest};
use hybridsync_core::ErrorPayload;
use tauri::State;

use crate::session::Session;
use crate::settings::Mode;
use crate::state::AppState;
use crate::trust::TrustState;

/// The card for a failure, or `null` when the knowledge base does not know it. Every card shown
/// is kept for the session's report (what failed, what the checks saw, the fix).
#[tauri::command]
pub async fn troubleshoot(
    state: State<'_, AppState>,
    trust: State<'_, TrustState>,
    session: State<'_, Session>,
    request: TroubleshootRequest,
) -> Result<Option<Card>, ErrorPayload> {
    let Some(first) = card(&request) else {
        return Ok(None);
    };
    let shown = if wanted(&first, &request).is_empty() {
        // Nothing to check automatically: no sign-in or connection is touched.
        Some(first)
    } else {
        let ctx = context(&state, &trust, &request).await;
        card_with_checks(&request, &ctx).await
    };
    if let Some(c) = &shown {
        let (key, subject) = report_subject(&request);
        let confirmed = c.causes.first().is_some_and(|x| x.status == "confirmed");
        session.note_card(key, confirmed, card_finding(STEP, &subject, c));
    }
    Ok(shown)
}

/// The report's step name for the cards.
const STEP: &str = "troubleshooting";

/// Which failure a card is about (the same failure shown again replaces its earlier card) and how
/// the report names it.
fn report_subject(r: &TroubleshootRequest) -> (String, String) {
    let what = r
        .text
        .as_deref()
        .or(r.code.as_deref())
        .unwrap_or("a failed check");
    let first_line = what.lines().next().unwrap_or(what);
    let key = format!(
        "{}|{}|{}",
        r.code.as_deref().unwrap_or(""),
        first_line,
        r.mailbox_ids.first().map(String::as_str).unwrap_or("")
    );
    let subject = match r.mailbox_ids.len() {
        0 => format!("Failure \"{first_line}\""),
        1 => format!("1 mailbox failed with \"{first_line}\""),
        n => format!("{n} mailboxes failed with \"{first_line}\""),
    };
    (key, subject)
}

async fn context(
    state: &AppState,
    trust: &TrustState,
    request: &TroubleshootRequest,
) -> CheckContext {
    // Not signed in (or no consent for the trust scopes): the checks that need Graph are not run.
    let signed_in = signin::resume(&Keychain::default(), SCOPES).await.ok();
    let crm = match trust.crm_facts() {
        Some(f) => Some(f),
        None => practice_crm(state).await,
    };
    CheckContext {
        tenant_id: signed_in.as_ref().map(|(saved, _)| saved.tenant_id.clone()),
        graph: signed_in.map(|(_, g)| Arc::new(g)),
        dynamics: crate::dynamics::connected().await,
        // At most CHECKED_PER_GROUP failed mailboxes are read for one card (they share the alert).
        mailbox_ids: request
            .mailbox_ids
            .iter()
            .take(CHECKED_PER_GROUP)
            .cloned()
            .collect(),
        crm,
        ..CheckContext::default()
    }
}

/// In practice mode, the practice CRM deployment as Get-CrmSetting would show it.
async fn practice_crm(state: &AppState) -> Option<CrmFacts> {
    if state.settings().mode != Some(Mode::Practice) {
        return None;
    }
    let slot = state.practice.lock().await;
    let v = slot.as_ref()?.sim.crm_view();
    let org = hybridsync_practice_tenant::dynamics::PRACTICE_ORG;
    Some(CrmFacts {
        certificate_thumbprint: v.certificate_thumbprint,
        s2s_tenant_id: v.s2s_tenant_ids.get(org).cloned(),
    })
}
