//! Step "Sign-in": the admin signs in (system browser + PKCE, or a device code), the app shows who
//! is signed in, the tenant and the directory roles, and keeps the refresh token in the OS
//! keychain only (issue 3). A small non-secret record (`signin.json` in the config folder) says
//! which tenant and account the keychain entry belongs to.
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hybridsync_microsoft::identity::{scopes, DeviceCode, DevicePolling, LoopbackOptions, Tokens};
use hybridsync_microsoft::{
    Authority, ClientConfig, Graph, HttpOptions, Identity, SignedInUser, Transport,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::atomic::{self, FileAccess};
use crate::keychain::Keychain;
use crate::{ErrorPayload, StepContext};

pub const STEP_ID: &str = "signin";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct SignInRequest {
    /// `worldwide`, `usgov`, `china` or an https URL.
    pub authority: String,
    /// `organizations`, a tenant ID or a domain (ms-api.md §2.1).
    pub tenant: String,
    /// The admin's own public-client app registration.
    pub client_id: String,
    pub ca_file: Option<String>,
}

/// Which tenant and account the keychain entry belongs to. Holds no secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct SavedSignIn {
    pub authority: String,
    pub tenant_id: String,
    pub account: String,
    pub client_id: String,
    pub ca_file: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct SignInReport {
    pub user: SignedInUser,
    pub authority: String,
    pub client_id: String,
}

pub fn saved_path() -> PathBuf {
    crate::paths::config_dir().join("signin.json")
}

fn not_signed_in(detail: &str) -> ErrorPayload {
    ErrorPayload::new(
        "not_signed_in",
        format!("{detail}. Sign in first: hybridsync signin (or signin --device-code on a server without a browser)."),
        Some("signin.sign-in-again"),
    )
}

fn identity_for(req: &SignInRequest, timeout: Duration) -> Result<Identity, ErrorPayload> {
    if req.client_id.trim().is_empty() {
        return Err(ErrorPayload::new(
            "invalid_input",
            "no client ID: register a public-client app in your tenant (Entra admin center > App registrations; platform \"Mobile and desktop applications\" with redirect URI http://localhost; delegated Graph permissions User.Read, RoleManagement.Read.Directory, Domain.ReadWrite.All, Application.ReadWrite.All, Organization.Read.All) and pass its Application (client) ID",
            Some("signin.register-app"),
        ));
    }
    let transport = Transport::new(&HttpOptions {
        ca_file: req
            .ca_file
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(PathBuf::from),
        timeout,
    })?;
    let tenant = if req.tenant.trim().is_empty() {
        "organizations".into()
    } else {
        req.tenant.trim().to_string()
    };
    Ok(Identity::new(
        transport,
        ClientConfig {
            authority: Authority::parse(&req.authority)?,
            tenant,
            client_id: req.client_id.trim().to_string(),
        },
    ))
}

/// Sign-in through a browser. `open` shows the authorize URL ([`hybridsync_microsoft::identity::open_system_browser`]
/// in the product). The keychain is checked first, so a missing one is reported before the admin signs in.
pub async fn sign_in_browser<F, Fut>(
    req: &SignInRequest,
    keychain: &Keychain,
    ctx: &StepContext,
    open: F,
    opts: &LoopbackOptions,
) -> Result<SignInReport, ErrorPayload>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let identity = identity_for(req, Duration::from_secs(30))?;
    keychain.probe()?;
    ctx.events
        .progress(STEP_ID, 0, 2, "Waiting for the sign-in in the browser");
    let tokens = identity
        .sign_in_with_browser(scopes::SIGN_IN, open, opts, &ctx.cancel)
        .await?;
    finish(req, identity, tokens, keychain, ctx).await
}

/// Sign-in with a device code: `on_code` shows the code and the address (ms-api.md §2.3).
pub async fn sign_in_device_code(
    req: &SignInRequest,
    keychain: &Keychain,
    ctx: &StepContext,
    on_code: impl FnOnce(&DeviceCode),
    polling: &DevicePolling,
) -> Result<SignInReport, ErrorPayload> {
    let identity = identity_for(req, Duration::from_secs(30))?;
    keychain.probe()?;
    let code = identity.start_device_code(scopes::SIGN_IN).await?;
    on_code(&code);
    ctx.events.progress(
        STEP_ID,
        0,
        2,
        format!("Waiting for the code {} to be entered", code.user_code),
    );
    let tokens = identity
        .wait_for_device_code(&code, polling, &ctx.cancel)
        .await?;
    finish(req, identity, tokens, keychain, ctx).await
}

async fn finish(
    req: &SignInRequest,
    identity: Identity,
    tokens: Tokens,
    keychain: &Keychain,
    ctx: &StepContext,
) -> Result<SignInReport, ErrorPayload> {
    ctx.events.progress(
        STEP_ID,
        1,
        2,
        "Reading who is signed in and the directory roles",
    );
    let graph = Graph::new(identity.clone(), tokens, scopes::SIGN_IN);
    let user = graph.signed_in_user().await?;
    let rt = graph.refresh_token().await.ok_or_else(|| {
        ErrorPayload::new(
            "signin_rejected",
            "the sign-in returned no refresh token (offline_access was not granted), so it cannot be kept; check the app registration's permissions",
            Some("signin.grant-permission"),
        )
    })?;
    let saved = SavedSignIn {
        authority: identity.config.authority.base(),
        tenant_id: user.tenant_id.clone(),
        account: user.user_principal_name.clone(),
        client_id: identity.config.client_id.clone(),
        ca_file: req.ca_file.clone(),
    };
    // This home keeps one sign-in: another account's (or authority's) token is deleted, not
    // orphaned where no sign-out would find it.
    let previous = load_saved().ok().flatten();
    keychain.store_refresh_token(&saved.authority, &saved.tenant_id, &saved.account, &rt)?;
    write_saved(&saved_path(), &saved)?;
    if let Some(p) = previous {
        let key =
            |s: &SavedSignIn| keychain.refresh_entry_name(&s.authority, &s.tenant_id, &s.account);
        if key(&p) != key(&saved) {
            keychain.delete_refresh_token(&p.authority, &p.tenant_id, &p.account)?;
            ctx.events.log(
                "info",
                format!(
                    "the earlier sign-in of {} was replaced and its refresh token deleted",
                    p.account
                ),
            );
        }
    }
    ctx.events.progress(
        STEP_ID,
        2,
        2,
        format!("Signed in as {}", user.user_principal_name),
    );
    ctx.events.log(
        "info",
        format!(
            "signed in as {} in tenant {} with roles [{}]",
            user.user_principal_name,
            user.tenant_id,
            user.role_names().join(", ")
        ),
    );
    Ok(SignInReport {
        user,
        authority: saved.authority,
        client_id: saved.client_id,
    })
}

fn write_saved(path: &Path, saved: &SavedSignIn) -> Result<(), ErrorPayload> {
    let text =
        serde_json::to_vec_pretty(saved).map_err(|e| ErrorPayload::internal(e.to_string()))?;
    atomic::write(path, &text, FileAccess::Public).map_err(|e| {
        ErrorPayload::new(
            "file_unwritable",
            format!("cannot write {}: {e}", path.display()),
            Some("files.check-permissions"),
        )
    })
}

pub fn load_saved() -> Result<Option<SavedSignIn>, ErrorPayload> {
    let path = saved_path();
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            ErrorPayload::new(
                "file_unreadable",
                format!(
                    "{} is damaged ({e}); sign out and sign in again",
                    path.display()
                ),
                None,
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ErrorPayload::new(
            "file_unreadable",
            format!("cannot read {}: {e}", path.display()),
            None,
        )),
    }
}

/// A Graph client for the saved sign-in: the refresh token from the keychain, redeemed for `scopes`.
pub async fn resume(
    keychain: &Keychain,
    scopes: &[&str],
) -> Result<(SavedSignIn, Graph), ErrorPayload> {
    let saved = load_saved()?.ok_or_else(|| not_signed_in("nobody is signed in"))?;
    let rt = keychain
        .refresh_token(&saved.authority, &saved.tenant_id, &saved.account)?
        .ok_or_else(|| {
            not_signed_in(&format!(
                "the OS keychain holds no sign-in for {}",
                saved.account
            ))
        })?;
    let identity = identity_for(
        &SignInRequest {
            authority: saved.authority.clone(),
            tenant: saved.tenant_id.clone(),
            client_id: saved.client_id.clone(),
            ca_file: saved.ca_file.clone(),
        },
        Duration::from_secs(30),
    )?;
    let graph = Graph::from_refresh_token(identity, &rt, scopes).await?;
    if let Some(new_rt) = graph.refresh_token().await {
        if new_rt != rt {
            keychain.store_refresh_token(
                &saved.authority,
                &saved.tenant_id,
                &saved.account,
                &new_rt,
            )?;
        }
    }
    Ok((saved, graph))
}

/// Who is signed in, with the roles as they are now.
pub async fn whoami(keychain: &Keychain) -> Result<SignInReport, ErrorPayload> {
    let (saved, graph) = resume(keychain, scopes::SIGN_IN).await?;
    let user = graph.signed_in_user().await?;
    Ok(SignInReport {
        user,
        authority: saved.authority,
        client_id: saved.client_id,
    })
}

/// What a sign-out removed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SignedOut {
    pub saved: SavedSignIn,
    /// The keychain entry of this sign-in's refresh token.
    pub keychain_entry: String,
    /// Whether the entry was there to delete.
    pub token_deleted: bool,
}

/// Deletes this sign-in's keychain entry (and only it) and the record. Returns who was signed
/// out and what was deleted.
pub fn sign_out(keychain: &Keychain) -> Result<Option<SignedOut>, ErrorPayload> {
    let Some(saved) = load_saved()? else {
        return Ok(None);
    };
    let keychain_entry =
        keychain.refresh_entry_name(&saved.authority, &saved.tenant_id, &saved.account);
    let token_deleted =
        keychain.delete_refresh_token(&saved.authority, &saved.tenant_id, &saved.account)?;
    let path = saved_path();
    if let Err(e) = std::fs::remove_file(&path) {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(ErrorPayload::new(
                "file_unwritable",
                format!("cannot remove {}: {e}", path.display()),
                None,
            ));
        }
    }
    Ok(Some(SignedOut {
        saved,
        keychain_entry,
        token_deleted,
    }))
}
