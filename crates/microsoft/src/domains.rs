//! Graph custom domains (ms-api.md §3, G-DOM): list, get, add, the verification and service
//! configuration records, and verify, for the signed-in user.
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::identity::scopes;
use crate::{Error, Graph, Result};

/// What a Graph client for the Domains step asks for: who is signed in and the roles (the role
/// check), and `Domain.ReadWrite.All` (ms-api.md §2.4).
pub const DOMAIN_SCOPES: &[&str] = &[
    "offline_access",
    scopes::USER_READ,
    scopes::ROLES_READ,
    scopes::DOMAINS,
];

/// The permission named when Graph answers 403 (ms-api.md §2.4).
const NEEDS: &str = "Domain.ReadWrite.All";

/// A domain of the tenant (ms-api.md §3.2).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct Domain {
    pub id: String,
    pub is_verified: bool,
    pub is_default: bool,
    pub is_initial: bool,
    pub is_root: bool,
    /// `Managed` or `Federated`.
    pub authentication_type: String,
    pub supported_services: Vec<String>,
    /// Only in the verify answer (`AvailableImmediately`, …).
    pub availability_status: Option<String>,
}

/// A domainDnsRecord (ms-api.md §3.3), whatever its subtype.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct DnsRecord {
    /// `Txt`, `Mx`, `CName` or `Srv` (Graph's casing).
    pub record_type: String,
    /// The DNS name (the domain itself is the apex `@`).
    pub label: String,
    pub ttl: u32,
    pub is_optional: bool,
    pub supported_service: Option<String>,
    /// TXT: the value (`MS=ms12345678`).
    pub text: Option<String>,
    /// MX: the mail host and its preference.
    pub mail_exchange: Option<String>,
    pub preference: Option<u32>,
    /// CNAME: the target (field name UNCONFIRMED in ms-api.md §3.3).
    pub canonical_name: Option<String>,
}

/// The domain name an admin typed, as Graph's key: trimmed, lower case, no trailing dot. Refuses
/// URLs, e-mail addresses and anything that is not a DNS name, saying what to type instead.
pub fn normalize_domain(input: &str) -> Result<String> {
    let trimmed = input.trim();
    // One trailing period is the DNS root; more is a typing mistake, refused below as an empty label.
    let d = trimmed
        .strip_suffix('.')
        .unwrap_or(trimmed)
        .to_ascii_lowercase();
    let bad = |why: &str| {
        Error::InvalidInput(format!(
            "{input:?} is not a domain name ({why}). Type the domain alone, as in contoso.com."
        ))
    };
    if d.is_empty() {
        return Err(bad("it is empty"));
    }
    if d.contains("://") || d.contains('/') {
        return Err(bad("it looks like a web address"));
    }
    if d.contains('@') {
        return Err(bad(
            "it looks like an e-mail address; use the part after the @",
        ));
    }
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 {
        return Err(bad("a domain has at least two labels, like contoso.com"));
    }
    if d.len() > 253 || labels.iter().any(|l| l.is_empty() || l.len() > 63) {
        return Err(bad("a label is empty or longer than 63 characters"));
    }
    if labels.iter().any(|l| {
        l.starts_with('-')
            || l.ends_with('-')
            || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    }) {
        return Err(bad("only letters, digits and inner hyphens are allowed"));
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad("it is an IP address; a domain name ends in letters"));
    }
    if psl::suffix(d.as_bytes()).is_some_and(|s| s.is_known())
        && psl::domain(d.as_bytes()).is_none()
    {
        return Err(bad(
            "it is a public suffix, under which organizations register their domains",
        ));
    }
    Ok(d)
}

fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

fn domain_from(v: &Value) -> Result<Domain> {
    let id = str_of(v, "id").ok_or_else(|| Error::Http {
        url: "/domains".into(),
        status: 200,
        detail: "Graph's domain has no id".into(),
    })?;
    Ok(Domain {
        id: id.to_ascii_lowercase(),
        is_verified: v["isVerified"].as_bool().unwrap_or(false),
        is_default: v["isDefault"].as_bool().unwrap_or(false),
        is_initial: v["isInitial"].as_bool().unwrap_or(false),
        is_root: v["isRoot"].as_bool().unwrap_or(false),
        authentication_type: str_of(v, "authenticationType").unwrap_or_default(),
        supported_services: v["supportedServices"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        availability_status: str_of(v, "availabilityStatus"),
    })
}

// ms-api.md §3.3: polymorphic on @odata.type; recordType as a fallback.
fn record_from(v: &Value) -> DnsRecord {
    let odata = v["@odata.type"].as_str().unwrap_or("");
    let record_type = match odata.rsplit('.').next().unwrap_or("") {
        "domainDnsTxtRecord" => "Txt".to_string(),
        "domainDnsMxRecord" => "Mx".to_string(),
        "domainDnsCnameRecord" => "CName".to_string(),
        "domainDnsSrvRecord" => "Srv".to_string(),
        _ => str_of(v, "recordType").unwrap_or_default(),
    };
    DnsRecord {
        record_type,
        label: str_of(v, "label").unwrap_or_default(),
        ttl: v["ttl"].as_u64().unwrap_or(3600) as u32,
        is_optional: v["isOptional"].as_bool().unwrap_or(false),
        supported_service: str_of(v, "supportedService"),
        text: str_of(v, "text"),
        mail_exchange: str_of(v, "mailExchange"),
        preference: v["preference"].as_u64().map(|p| p as u32),
        canonical_name: str_of(v, "canonicalName"),
    }
}

fn path(id: &str) -> Result<String> {
    Ok(format!("/domains/{}", normalize_domain(id)?))
}

/// ms-api.md §3.1: GET /domains, every page.
pub async fn list(graph: &Graph) -> Result<Vec<Domain>> {
    graph
        .get_all("/domains", NEEDS)
        .await?
        .iter()
        .map(domain_from)
        .collect()
}

/// ms-api.md §3.1: GET /domains/{fqdn}; `None` when the tenant has no such domain (404).
pub async fn get(graph: &Graph, id: &str) -> Result<Option<Domain>> {
    match graph.get_json::<Value>(&path(id)?, NEEDS).await {
        Ok(v) => domain_from(&v).map(Some),
        Err(Error::Http { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// ms-api.md §3.1: POST /domains `{"id": …}` (the only property allowed); 201 + the domain.
pub async fn add(graph: &Graph, id: &str) -> Result<Domain> {
    let id = normalize_domain(id)?;
    let v = graph
        .post_json("/domains", &json!({ "id": id }), NEEDS)
        .await?;
    domain_from(&v)
}

/// ms-api.md §3.1, §3.3: GET /domains/{fqdn}/verificationDnsRecords.
pub async fn verification_records(graph: &Graph, id: &str) -> Result<Vec<DnsRecord>> {
    let p = format!("{}/verificationDnsRecords", path(id)?);
    Ok(graph
        .get_all(&p, NEEDS)
        .await?
        .iter()
        .map(record_from)
        .collect())
}

/// ms-api.md §3.1, §3.5: GET /domains/{fqdn}/serviceConfigurationRecords.
pub async fn service_records(graph: &Graph, id: &str) -> Result<Vec<DnsRecord>> {
    let p = format!("{}/serviceConfigurationRecords", path(id)?);
    Ok(graph
        .get_all(&p, NEEDS)
        .await?
        .iter()
        .map(record_from)
        .collect())
}

/// ms-api.md §3.1: POST /domains/{fqdn}/verify (no body in v1.0). A refusal (§3.4: any non-2xx
/// means "not verified yet") is [`Error::DomainNotVerified`] carrying Graph's own message.
pub async fn verify(graph: &Graph, id: &str) -> Result<Domain> {
    let p = format!("{}/verify", path(id)?);
    match graph.send(reqwest::Method::POST, &p, None, NEEDS).await {
        Ok((url, status, bytes)) => {
            let v: Value = serde_json::from_slice(&bytes).map_err(|e| Error::Http {
                url,
                status,
                detail: format!("Graph's answer is not the documented JSON ({e})"),
            })?;
            domain_from(&v)
        }
        Err(Error::Http { status, detail, .. }) if (400..500).contains(&status) => {
            Err(Error::DomainNotVerified {
                domain: normalize_domain(id)?,
                status,
                message: detail
                    .split_once(": ")
                    .map(|(_, m)| m.to_string())
                    .unwrap_or(detail),
            })
        }
        Err(e) => Err(e),
    }
}

/// The verification TXT record among Graph's records.
pub fn txt_of(records: &[DnsRecord]) -> Option<&DnsRecord> {
    records
        .iter()
        .find(|r| r.record_type == "Txt" && r.text.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names_are_normalised_and_mistakes_are_explained() {
        assert_eq!(normalize_domain(" Contoso.COM. ").unwrap(), "contoso.com");
        assert_eq!(
            normalize_domain("sales.contoso-eu.com").unwrap(),
            "sales.contoso-eu.com"
        );
        for (input, why) in [
            ("", "empty"),
            ("https://contoso.com/", "web address"),
            ("admin@contoso.com", "e-mail address"),
            ("contoso", "two labels"),
            ("con toso.com", "letters, digits"),
            ("-contoso.com", "inner hyphens"),
            ("contoso..com", "empty"),
            // Issue 18 item 7: extra trailing periods, IP literals and public suffixes.
            ("contoso.com..", "empty"),
            ("192.168.1.1", "IP address"),
            ("not a domain!.com", "letters, digits"),
            ("co.uk", "public suffix"),
        ] {
            let e = normalize_domain(input).unwrap_err();
            assert_eq!(e.code(), "invalid_input");
            assert!(e.to_string().contains(why), "{input}: {e}");
        }
    }

    #[test]
    fn records_are_read_by_their_odata_type() {
        let txt = record_from(
            &json!({"@odata.type":"#microsoft.graph.domainDnsTxtRecord","label":"contoso.com","ttl":3600,"text":"MS=ms12345678","isOptional":false}),
        );
        assert_eq!(
            (txt.record_type.as_str(), txt.text.as_deref(), txt.ttl),
            ("Txt", Some("MS=ms12345678"), 3600)
        );
        let mx = record_from(
            &json!({"@odata.type":"#microsoft.graph.domainDnsMxRecord","label":"contoso.com","mailExchange":"x.invalid","preference":32767}),
        );
        assert_eq!(
            (mx.record_type.as_str(), mx.preference),
            ("Mx", Some(32767))
        );
        assert_eq!(txt_of(&[mx, txt.clone()]), Some(&txt));
    }
}
