//! Tenant ID discovery without sign-in, from the OpenID configuration document (ms-api.md §1.1).
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Authority, Error, Result, Transport};

/// Which form of the document answered: v2 issuer `https://login.microsoftonline.com/{tid}/v2.0`
/// or v1 issuer `https://sts.windows.net/{tid}/` (ms-api.md §1.1).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum IssuerForm {
    V2,
    V1,
}

/// What the admin typed, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryTarget {
    Domain(String),
    TenantId(String),
}

impl DiscoveryTarget {
    /// A domain (case-insensitive, trailing dot allowed) or a tenant GUID.
    pub fn parse(input: &str) -> Result<DiscoveryTarget> {
        let t = input.trim().trim_end_matches('.').to_ascii_lowercase();
        if t.is_empty() {
            return Err(Error::InvalidInput(
                "enter a domain (for example contoso.com) or a tenant ID (a GUID)".into(),
            ));
        }
        if guid_re().is_match(&t) && t.len() == 36 {
            return Ok(DiscoveryTarget::TenantId(t));
        }
        let t = t.strip_prefix('@').unwrap_or(&t).to_string();
        if let Some((_, domain)) = t.rsplit_once('@') {
            return Self::parse(domain);
        }
        let labels: Vec<&str> = t.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if labels.len() < 2 || !labels.iter().all(label_ok) || t.len() > 253 {
            return Err(Error::InvalidInput(format!(
                "\"{}\" is not a domain name or a tenant ID: use a name like contoso.com (letters, digits and hyphens; internationalised names in their xn-- form) or a GUID",
                input.trim()
            )));
        }
        Ok(DiscoveryTarget::Domain(t))
    }

    pub fn as_str(&self) -> &str {
        match self {
            DiscoveryTarget::Domain(d) | DiscoveryTarget::TenantId(d) => d,
        }
    }
}

/// The facts the wizard takes from the document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OpenIdTenant {
    pub tenant_id: String,
    pub issuer: String,
    pub issuer_form: IssuerForm,
    pub token_endpoint: String,
    pub tenant_region_scope: Option<String>,
    pub cloud_instance_name: Option<String>,
    pub msgraph_host: Option<String>,
    pub document_url: String,
}

#[derive(Deserialize)]
struct Document {
    issuer: String,
    token_endpoint: Option<String>,
    tenant_region_scope: Option<String>,
    cloud_instance_name: Option<String>,
    msgraph_host: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

fn guid_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap()
    })
}

/// Fetches `{authority}/{target}/v2.0/.well-known/openid-configuration` (E-OIDC); when that path is
/// absent (404) falls back to the v1 document `{authority}/{target}/.well-known/openid-configuration` (3P, ms-api.md §1.1).
pub async fn discover(
    transport: &Transport,
    authority: &Authority,
    target: &DiscoveryTarget,
) -> Result<OpenIdTenant> {
    let base = authority.base();
    let v2 = format!(
        "{base}/{}/v2.0/.well-known/openid-configuration",
        target.as_str()
    );
    match fetch(transport, &base, target, &v2).await? {
        Some(t) => Ok(t),
        None => {
            let v1 = format!(
                "{base}/{}/.well-known/openid-configuration",
                target.as_str()
            );
            tracing::info!(url = %v1, "v2 document absent, trying the v1 document");
            fetch(transport, &base, target, &v1).await?.ok_or(Error::Http {
                url: v1,
                status: 404,
                detail: "neither the v2 nor the v1 OpenID configuration exists at this authority; check the authority URL".into(),
            })
        }
    }
}

/// `Ok(None)` means 404: try the other form.
async fn fetch(
    transport: &Transport,
    authority: &str,
    target: &DiscoveryTarget,
    url: &str,
) -> Result<Option<OpenIdTenant>> {
    tracing::info!(%url, "fetching the OpenID configuration");
    let resp = transport
        .client
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| transport.explain(url, e))?;
    let status = resp.status().as_u16();
    let body = resp.text().await.map_err(|e| transport.explain(url, e))?;
    match status {
        200 => parse_document(url, target, &body).map(Some),
        404 => Ok(None),
        _ => Err(error_answer(url, authority, target, status, &body)),
    }
}

/// An unknown tenant is HTTP 400 with `AADSTS90002` in `error_description`; the `error` value
/// itself is UNCONFIRMED, so it is not relied on (ms-api.md §1.1).
fn error_answer(
    url: &str,
    authority: &str,
    target: &DiscoveryTarget,
    status: u16,
    body: &str,
) -> Error {
    let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
    let description = parsed
        .as_ref()
        .and_then(|b| b.error_description.clone())
        .unwrap_or_default();
    if description.contains("AADSTS90002") {
        let first_sentence = description
            .split_once(". ")
            .map(|(a, _)| format!("{a}."))
            .unwrap_or(description.clone());
        return Error::TenantNotFound {
            input: target.as_str().to_string(),
            authority: authority.to_string(),
            detail: first_sentence,
        };
    }
    let detail = match parsed {
        Some(b) => format!(
            "{} {}",
            b.error.unwrap_or_default(),
            b.error_description.unwrap_or_default()
        )
        .trim()
        .to_string(),
        None => body.chars().take(200).collect(),
    };
    Error::Http {
        url: url.to_string(),
        status,
        detail,
    }
}

fn parse_document(url: &str, target: &DiscoveryTarget, body: &str) -> Result<OpenIdTenant> {
    let doc: Document = serde_json::from_str(body).map_err(|e| Error::Malformed {
        url: url.to_string(),
        detail: format!("not the expected JSON ({e})"),
    })?;
    let issuer_form = if doc.issuer.trim_end_matches('/').ends_with("/v2.0") {
        IssuerForm::V2
    } else {
        IssuerForm::V1
    };
    // The GUID in `issuer`, else the first GUID path segment of `token_endpoint` (ms-api.md §1.1, "Recommended parse").
    let from_issuer = guid_re()
        .find(&doc.issuer)
        .map(|m| m.as_str().to_ascii_lowercase());
    let from_token = doc.token_endpoint.as_deref().and_then(|t| {
        t.split('/')
            .find(|seg| seg.len() == 36 && guid_re().is_match(seg))
            .map(str::to_ascii_lowercase)
    });
    let tenant_id = match (from_issuer, from_token) {
        (Some(id), _) | (None, Some(id)) => id,
        (None, None) if doc.issuer.contains("{tenantid}") => {
            return Err(Error::NotATenant {
                input: target.as_str().to_string(),
                issuer: doc.issuer,
            })
        }
        (None, None) => {
            return Err(Error::Malformed {
                url: url.to_string(),
                detail: format!(
                    "no tenant GUID in issuer \"{}\" or token_endpoint",
                    doc.issuer
                ),
            })
        }
    };
    Ok(OpenIdTenant {
        tenant_id,
        issuer: doc.issuer,
        issuer_form,
        token_endpoint: doc.token_endpoint.unwrap_or_default(),
        tenant_region_scope: doc.tenant_region_scope,
        cloud_instance_name: doc.cloud_instance_name,
        msgraph_host: doc.msgraph_host,
        document_url: url.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_normalised() {
        assert_eq!(
            DiscoveryTarget::parse(" Contoso.COM. ").unwrap(),
            DiscoveryTarget::Domain("contoso.com".into())
        );
        assert_eq!(
            DiscoveryTarget::parse("admin@Contoso.com").unwrap(),
            DiscoveryTarget::Domain("contoso.com".into())
        );
        assert_eq!(
            DiscoveryTarget::parse("72F988BF-86F1-41AF-91AB-2D7CD011DB47").unwrap(),
            DiscoveryTarget::TenantId("72f988bf-86f1-41af-91ab-2d7cd011db47".into())
        );
        for bad in ["", "contoso", "con toso.com", "-a.com", "a..com"] {
            assert!(DiscoveryTarget::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn guid_falls_back_to_the_token_endpoint() {
        let t = DiscoveryTarget::Domain("contoso.com".into());
        let body = r#"{"issuer":"https://sts.example/x/","token_endpoint":"https://login.example/0b1e3c5a-0000-4000-8000-00000000abcd/oauth2/token"}"#;
        let doc = parse_document("u", &t, body).unwrap();
        assert_eq!(doc.tenant_id, "0b1e3c5a-0000-4000-8000-00000000abcd");
        assert_eq!(doc.issuer_form, IssuerForm::V1);
    }

    #[test]
    fn the_common_placeholder_is_not_a_tenant() {
        let t = DiscoveryTarget::Domain("common.example".into());
        let body = r#"{"issuer":"https://login.microsoftonline.com/{tenantid}/v2.0","token_endpoint":"https://login.microsoftonline.com/common/oauth2/v2.0/token"}"#;
        assert_eq!(
            parse_document("u", &t, body).unwrap_err().code(),
            "not_a_tenant"
        );
    }
}
