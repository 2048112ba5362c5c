//! The connection to the CRM organization's Web API (ms-api.md §6): the saved sign-in's refresh
//! token redeemed for the CRM server's resource (AD FS OAuth for IFD addresses), then WhoAmI and
//! RetrieveVersion before anything else. Windows authentication is not offered yet (see
//! `hybridsync_microsoft::DynamicsAuth`).
use std::path::PathBuf;
use std::time::Duration;

use hybridsync_microsoft::dynamics::ServerInfo;
use hybridsync_microsoft::{Authority, ClientConfig, Dynamics, DynamicsAuth, HttpOptions, Identity, Transport};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::signin::load_saved;
use crate::keychain::Keychain;
use crate::ErrorPayload;

/// Which organization.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct CrmTarget {
    /// `https://crm.contoso.com/contoso` (IFD or internal address, with the organization name).
    pub url: String,
    /// `v9.0` or `v9.1`.
    pub api_version: String,
    pub ca_file: Option<String>,
}

/// The OAuth resource of a CRM address: its scheme and host (AD FS issues tokens per server).
pub fn resource_of(url: &str) -> Result<String, ErrorPayload> {
    let u = url::Url::parse(url.trim()).map_err(|e| {
        ErrorPayload::new("invalid_input", format!("\"{url}\" is not a URL ({e}). Give the organization's address, e.g. https://crm.contoso.com/contoso."), Some("input.fix-value"))
    })?;
    if u.scheme() != "https" {
        return Err(ErrorPayload::new(
            "invalid_input",
            format!("\"{url}\" is not an https address. The Dynamics Web API is reached over HTTPS with a valid certificate (use the IFD or internal https address)."),
            Some("input.fix-value"),
        ));
    }
    Ok(u.origin().ascii_serialization())
}

/// A client for `target`, signed in with the saved sign-in, and what WhoAmI/RetrieveVersion said.
pub async fn connect(keychain: &Keychain, target: &CrmTarget) -> Result<(Dynamics, ServerInfo), ErrorPayload> {
    let resource = resource_of(&target.url)?;
    let not_signed_in = |d: String| ErrorPayload::new("not_signed_in", format!("{d}. Sign in first: hybridsync signin (or signin --device-code)."), Some("signin.sign-in-again"));
    let saved = load_saved()?.ok_or_else(|| not_signed_in("nobody is signed in".into()))?;
    let rt = keychain
        .refresh_token(&saved.authority, &saved.tenant_id, &saved.account)?
        .ok_or_else(|| not_signed_in(format!("the OS keychain holds no sign-in for {}", saved.account)))?;
    let ca = target.ca_file.clone().or(saved.ca_file.clone()).filter(|s| !s.trim().is_empty()).map(PathBuf::from);
    let transport = Transport::new(&HttpOptions { ca_file: ca, timeout: Duration::from_secs(60) })?;
    let identity = Identity::new(
        transport.clone(),
        ClientConfig { authority: Authority::parse(&saved.authority)?, tenant: saved.tenant_id.clone(), client_id: saved.client_id.clone() },
    );
    let scope = format!("{resource}/user_impersonation");
    let tokens = identity.refresh(&rt, &[scope.as_str(), "offline_access"]).await?;
    if let Some(new_rt) = &tokens.refresh_token {
        if *new_rt != rt {
            keychain.store_refresh_token(&saved.authority, &saved.tenant_id, &saved.account, new_rt)?;
        }
    }
    let client = Dynamics::new(transport, &target.url, &target.api_version, DynamicsAuth::Bearer(tokens.access_token))?;
    let info = client.server_info().await?;
    Ok((client, info))
}
