//! Email server profile and mailboxes commands (issues 7 and 8): a few lines each over the
//! Dynamics steps of hybridsync-core, signed in with the saved sign-in. Every apply is one engine
//! run journalled in this window's session folder.
use std::sync::Arc;

use hybridsync_core::keychain::Keychain;
use hybridsync_core::steps::crm::{self, CrmTarget};
use hybridsync_core::steps::defaults::DefaultsStep;
use hybridsync_core::steps::mailboxes::{
    self, Actions, AlertGroup, MailboxFilter, MailboxesStep, StatusCounts,
};
use hybridsync_core::steps::profile::{ProfileSettings, ProfileStep};
use hybridsync_core::{engine, Change, ErrorPayload, Event, EventSink, Finding, Step, StepContext};
use hybridsync_microsoft::dynamics::{BulkOptions, ServerInfo};
use hybridsync_microsoft::Dynamics;
use hybridsync_practice_tenant::Running;
use serde::{Deserialize, Serialize};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

use crate::session::Session;
use crate::settings::Mode;
use crate::state::AppState;

/// Demo and test hook: in practice mode, the seeded mailbox address named here has no Exchange
/// Online license, so its Test & Enable fails (one red mailbox with its alert). Read only when set.
pub const PRACTICE_UNLICENSED: &str = "HYBRIDSYNC_PRACTICE_UNLICENSED";

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ProfileRequest {
    pub target: CrmTarget,
    pub settings: ProfileSettings,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProfilePlan {
    /// The profile exists already (the button says "Update profile"; else "Create profile").
    pub exists: bool,
    pub findings: Vec<Finding>,
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProfileApplied {
    pub changes: Vec<Change>,
    /// The profile's Test Connection result after the run.
    pub test: Finding,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct MailboxesRequest {
    pub target: CrmTarget,
    pub profile_name: String,
    pub filter: MailboxFilter,
    pub actions: Actions,
    /// "Use at most N requests at once"; the app's default ceiling when absent.
    #[ts(type = "number | null")]
    pub ceiling: Option<usize>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct MailboxesStatus {
    pub counts: StatusCounts,
    pub failed: Vec<String>,
}

/// The connected client of the last target: a status poll is then one request, not a new sign-in.
/// With what WhoAmI and RetrieveVersion said when it connected (the report names the version).
static CONNECTED: tokio::sync::Mutex<Option<(CrmTarget, Arc<Dynamics>, ServerInfo)>> =
    tokio::sync::Mutex::const_new(None);

async fn client(target: &CrmTarget) -> Result<Arc<Dynamics>, ErrorPayload> {
    crm::resource_of(&target.url)?;
    let mut slot = CONNECTED.lock().await;
    if let Some((t, c, _)) = slot.as_ref() {
        if t == target {
            return Ok(c.clone());
        }
    }
    let (c, info) = crm::connect(&Keychain::default(), target).await?;
    let c = Arc::new(c);
    *slot = Some((target.clone(), c.clone(), info));
    Ok(c)
}

/// The client of the organization connected last, if any (the troubleshooting checks read with it).
pub async fn connected() -> Option<Arc<Dynamics>> {
    CONNECTED.lock().await.as_ref().map(|(_, c, _)| c.clone())
}

/// The address of the organization connected last and what its server said (for the report).
pub async fn connected_server() -> Option<(String, ServerInfo)> {
    CONNECTED
        .lock()
        .await
        .as_ref()
        .map(|(t, _, info)| (t.url.clone(), info.clone()))
}

/// Connects again on the next command (after a failure, e.g. an expired token).
async fn forget<T>(r: Result<T, ErrorPayload>) -> Result<T, ErrorPayload> {
    if r.is_err() {
        *CONNECTED.lock().await = None;
    }
    r
}

async fn run(
    session: &Session,
    name: &str,
    steps: &[&dyn Step],
) -> Result<Vec<Change>, ErrorPayload> {
    run_with(session, name, steps, hybridsync_core::EventSink::none()).await
}

async fn run_with(
    session: &Session,
    name: &str,
    steps: &[&dyn Step],
    events: hybridsync_core::EventSink,
) -> Result<Vec<Change>, ErrorPayload> {
    let mut journal = hybridsync_core::journal::Journal::open(&session.next_journal(name))?;
    let out = engine::run(steps, &StepContext::new(events), &mut journal).await?;
    Ok(out.into_iter().flat_map(|o| o.applied).collect())
}

/// Practice mode: the practice organization `contoso` on the in-process practice tenant.
#[tauri::command]
pub async fn crm_target(state: State<'_, AppState>) -> Result<Option<CrmTarget>, ErrorPayload> {
    if state.settings().mode != Some(Mode::Practice) {
        return Ok(None);
    }
    let slot = state.practice.lock().await;
    Ok(slot
        .as_ref()
        .map(|r| practice_target(r, std::env::var(PRACTICE_UNLICENSED).ok().as_deref())))
}

/// The practice organization of `r`; `unlicensed` (the demo hook) is marked as having no
/// Exchange Online license in the practice deployment.
fn practice_target(r: &Running, unlicensed: Option<&str>) -> CrmTarget {
    if let Some(address) = unlicensed
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
    {
        let mut d = r.sim.dynamics.deployment();
        if d.unlicensed.insert(address) {
            r.sim.dynamics.set_deployment(d);
        }
    }
    CrmTarget {
        url: format!(
            "{}/{}",
            r.base_url,
            hybridsync_practice_tenant::dynamics::PRACTICE_ORG
        ),
        api_version: "v9.0".into(),
        ca_file: Some(r.ca_file.display().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsync_practice_tenant::Options;

    #[tokio::test]
    async fn the_practice_target_is_the_contoso_organization_and_the_hook_unlicenses_one_address() {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = Running::start(Options::in_dir(dir.path()))
            .await
            .expect("practice tenant");
        let t = practice_target(&r, None);
        assert_eq!(t.url, format!("{}/contoso", r.base_url));
        assert_eq!(
            t.ca_file.as_deref(),
            Some(r.ca_file.display().to_string().as_str())
        );
        crm::resource_of(&t.url).expect("an https address");
        assert!(r.sim.dynamics.deployment().unlicensed.is_empty());
        practice_target(&r, Some(" User00007@Contoso.com "));
        practice_target(&r, Some("user00007@contoso.com"));
        let d = r.sim.dynamics.deployment();
        assert_eq!(
            d.unlicensed.into_iter().collect::<Vec<_>>(),
            ["user00007@contoso.com"]
        );
        r.stop();
    }
}

#[tauri::command]
pub async fn profile_plan(request: ProfileRequest) -> Result<ProfilePlan, ErrorPayload> {
    request.settings.validate()?;
    let step = ProfileStep {
        client: client(&request.target).await?,
        settings: request.settings,
    };
    let ctx = StepContext::new(hybridsync_core::EventSink::none());
    let seen = step.check(&ctx).await?;
    let changes = step.plan(&ctx, &seen).await?;
    Ok(ProfilePlan {
        exists: seen.facts["profile_id"].is_string(),
        findings: seen.findings,
        changes,
    })
}

/// Creates or updates the profile and makes it the organization's default.
#[tauri::command]
pub async fn profile_apply(
    session: State<'_, Session>,
    request: ProfileRequest,
) -> Result<ProfileApplied, ErrorPayload> {
    request.settings.validate()?;
    let c = client(&request.target).await?;
    let name = request.settings.name.clone();
    let profile = ProfileStep {
        client: c.clone(),
        settings: request.settings,
    };
    let defaults = DefaultsStep {
        client: c.clone(),
        profile_name: name.clone(),
    };
    let changes = run(&session, "profile", &[&profile, &defaults]).await?;
    let found = hybridsync_core::steps::profile::find_profile(&c, &name).await?;
    let test = found
        .as_ref()
        .map(hybridsync_core::steps::profile::test_finding)
        .unwrap_or_else(|| {
            Finding::new(
                "profile_test_not_run",
                hybridsync_core::Severity::Info,
                "The profile has not been tested yet.",
            )
        });
    Ok(ProfileApplied { changes, test })
}

/// Configures, approves and tests the selected mailboxes (as `actions` say) in one engine run, at
/// the server's own pace under the admin's ceiling; progress (with the time left) as events.
#[tauri::command]
pub async fn mailboxes_run(
    session: State<'_, Session>,
    request: MailboxesRequest,
    on_event: Channel<Event>,
) -> Result<Vec<Change>, ErrorPayload> {
    request.filter.odata()?;
    let bulk = match request.ceiling {
        Some(c) => BulkOptions::with_ceiling(c).map_err(|e| {
            ErrorPayload::new(
                "invalid_input",
                format!("Requests at once: {e}."),
                Some("input.fix-value"),
            )
        })?,
        None => BulkOptions::default(),
    };
    let step = MailboxesStep {
        client: client(&request.target).await?,
        profile_name: request.profile_name,
        filter: request.filter,
        actions: request.actions,
        bulk,
    };
    run_with(
        &session,
        "mailboxes",
        &[&step],
        EventSink::new(move |e| drop(on_event.send(e))),
    )
    .await
}

/// One status read of the selection: N / 5000 requests, never one per mailbox.
#[tauri::command]
pub async fn mailboxes_status(
    target: CrmTarget,
    filter: MailboxFilter,
) -> Result<MailboxesStatus, ErrorPayload> {
    let (counts, failed) =
        forget(mailboxes::read_statuses(&*client(&target).await?, &filter).await).await?;
    Ok(MailboxesStatus { counts, failed })
}

/// The alerts of the failed mailboxes `ids`, grouped: one group (one troubleshooting card) per
/// alert text and details, the largest first, as the CLI's `mailboxes watch` prints them.
#[tauri::command]
pub async fn mailboxes_alerts(
    target: CrmTarget,
    ids: Vec<String>,
) -> Result<Vec<AlertGroup>, ErrorPayload> {
    let alerts = forget(mailboxes::alerts(&*client(&target).await?, &ids).await).await?;
    Ok(mailboxes::group_alerts(&alerts))
}
