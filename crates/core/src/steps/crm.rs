//! The connection to the CRM organization's Web API (ms-api.md §6): the saved sign-in's refresh
//! token redeemed for the CRM server's resource (AD FS OAuth for IFD addresses), then WhoAmI and
//! RetrieveVersion before anything else. Windows authentication is not offered yet (see
//! `hybridsync_microsoft::DynamicsAuth`).
use std::path::PathBuf;
use std::time::Duration;

use hybridsync_microsoft::dynamics::ServerInfo;
use hybridsync_microsoft::{
    Authority, ClientConfig, Dynamics, DynamicsAuth, HttpOptions, Identity, Transport,
};
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
/// The address is checked first ([`check_url`]), so a wrong one fails here, before any request.
pub fn resource_of(url: &str) -> Result<String, ErrorPayload> {
    Ok(check_url(url)?.origin().ascii_serialization())
}

fn bad_url(shown: &str, why: &str) -> ErrorPayload {
    ErrorPayload::new(
        "invalid_input",
        format!("\"{shown}\" {why}. Give the organization's address: https://server/org (internal) or https://org.domain (IFD)."),
        Some("input.fix-value"),
    )
}

/// A CRM organization's address, checked before any network call: https, no user name or
/// password in it, no query or fragment, and an organization it names: in the path on an internal
/// address (an IP address needs it there), or as the first label of the host on an IFD address;
/// nothing after the organization (the wizard adds `/api/data/v9.x` itself).
pub fn check_url(url: &str) -> Result<url::Url, ErrorPayload> {
    let raw = url.trim();
    let u = url::Url::parse(raw).map_err(|e| {
        let shown = crate::redact::text(raw).into_owned();
        bad_url(&shown, &format!("is not a URL ({e})"))
    })?;
    if !u.username().is_empty() || u.password().is_some() {
        // Never echo the password: show the address without its user part.
        let mut shown = u.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        return Err(bad_url(shown.as_str(), "holds a user name or password; credentials never go in the address (the wizard signs in through Microsoft Entra ID or AD FS)"));
    }
    let shown = u.as_str().to_string();
    if u.scheme() != "https" {
        return Err(bad_url(&shown, "is not an https address; the Dynamics Web API is reached over HTTPS with a valid certificate"));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(bad_url(
            &shown,
            "has a query or fragment (? or #) after the organization",
        ));
    }
    let segments: Vec<&str> = u.path().split('/').filter(|p| !p.is_empty()).collect();
    if segments
        .iter()
        .any(|p| p.eq_ignore_ascii_case("api") || p.eq_ignore_ascii_case("XRMServices"))
    {
        return Err(bad_url(&shown, "names the Web API itself; give the organization's address only (the wizard adds /api/data/v9.x)"));
    }
    if segments.len() > 1 {
        return Err(bad_url(
            &shown,
            "has more than the organization in its path",
        ));
    }
    let host = u.host().ok_or_else(|| bad_url(&shown, "has no host"))?;
    let is_ip = matches!(host, url::Host::Ipv4(_) | url::Host::Ipv6(_));
    let organization = match segments.first() {
        Some(org) => *org,
        None if is_ip => return Err(bad_url(&shown, "is an IP address with no organization; add it to the path, as in https://10.0.0.5/contoso")),
        None => match u.host_str().unwrap_or("").split('.').collect::<Vec<_>>().as_slice() {
            [org, _, _, ..] => org,
            _ => return Err(bad_url(&shown, "names no organization: an internal address has it in the path, an IFD address as the first part of the host name")),
        },
    };
    if organization.is_empty()
        || !organization
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(bad_url(
            &shown,
            "names no valid organization (its unique name: letters, digits, underscores)",
        ));
    }
    Ok(u)
}

/// A client for `target`, signed in with the saved sign-in, and what WhoAmI/RetrieveVersion said.
pub async fn connect(
    keychain: &Keychain,
    target: &CrmTarget,
) -> Result<(Dynamics, ServerInfo), ErrorPayload> {
    let resource = resource_of(&target.url)?;
    let not_signed_in = |d: String| {
        ErrorPayload::new(
            "not_signed_in",
            format!("{d}. Sign in first: hybridsync signin (or signin --device-code)."),
            Some("signin.sign-in-again"),
        )
    };
    let saved = load_saved()?.ok_or_else(|| not_signed_in("nobody is signed in".into()))?;
    let rt = keychain
        .refresh_token(&saved.authority, &saved.tenant_id, &saved.account)?
        .ok_or_else(|| {
            not_signed_in(format!(
                "the OS keychain holds no sign-in for {}",
                saved.account
            ))
        })?;
    let ca = target
        .ca_file
        .clone()
        .or(saved.ca_file.clone())
        .filter(|s| !s.trim().is_empty())
        .map(PathBuf::from);
    let transport = Transport::new(&HttpOptions {
        ca_file: ca,
        timeout: Duration::from_secs(60),
    })?;
    let identity = Identity::new(
        transport.clone(),
        ClientConfig {
            authority: Authority::parse(&saved.authority)?,
            tenant: saved.tenant_id.clone(),
            client_id: saved.client_id.clone(),
        },
    );
    let scope = format!("{resource}/user_impersonation");
    let tokens = identity
        .refresh(&rt, &[scope.as_str(), "offline_access"])
        .await?;
    if let Some(new_rt) = &tokens.refresh_token {
        if *new_rt != rt {
            keychain.store_refresh_token(
                &saved.authority,
                &saved.tenant_id,
                &saved.account,
                new_rt,
            )?;
        }
    }
    let client = Dynamics::new(
        transport,
        &target.url,
        &target.api_version,
        DynamicsAuth::Bearer(tokens.access_token),
    )?;
    let info = client.server_info().await?;
    Ok((client, info))
}

#[cfg(test)]
mod url_tests {
    use super::check_url;

    /// Issue 18 item 7: addresses that cannot name an organization are refused before any call.
    #[test]
    fn crm_addresses_must_name_an_organization_and_nothing_more() {
        for ok in [
            "https://crm.contoso.com/contoso",
            "https://contoso.crm.contoso.com",
            "https://127.0.0.1:8443/contoso",
            "https://crm.contoso.com/contoso/",
        ] {
            assert!(check_url(ok).is_ok(), "{ok} was refused");
        }
        for (bad, why) in [
            ("https://127.0.0.1:9", "no organization"),
            ("https://crm.contoso.com/contoso?x=1", "query"),
            ("https://crm.contoso.com/contoso#top", "query or fragment"),
            (
                "https://crm.contoso.com/contoso/api/data/v9.0",
                "Web API itself",
            ),
            (
                "https://crm.contoso.com/contoso/more",
                "more than the organization",
            ),
            ("https://crm/", "names no organization"),
            ("http://crm.contoso.com/contoso", "not an https"),
            ("https://[::1]/", "no organization"),
        ] {
            let e = check_url(bad).unwrap_err();
            assert_eq!(e.code, "invalid_input");
            assert!(e.message.contains(why), "{bad}: {}", e.message);
        }
        let e = check_url("https://svc:S3cret-Url@crm.contoso.com/contoso").unwrap_err();
        assert!(
            e.message.contains("user name or password") && !e.message.contains("S3cret-Url"),
            "{}",
            e.message
        );
    }
}
