//! Graph custom domains (ms-api.md §3, G-DOM): the tenant's domains with their state, adding one,
//! its verification records, `verify` against the practice DNS zone, and the service
//! configuration records. Plus one practice-only action, outside Microsoft's paths, that
//! publishes a domain's verification record in the practice DNS (the demo's "publish it for me").
// Handlers answer refusals as ready HTTP responses, as axum does; their size is no concern here.
#![allow(clippy::result_large_err)]
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use super::auth::{caller, graph_error, Caller};
use crate::dns::{PracticeDns, Servers};
use crate::identity::users::{DOMAIN_NAME_ADMINISTRATOR, GLOBAL_ADMINISTRATOR};
use crate::server::AppState;
use crate::state::lock;
use crate::Tenant;

/// ms-api.md §2.4: reading domains and their records.
const READ: &[&str] = &[
    "Domain.Read.All",
    "Domain.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Directory.AccessAsUser.All",
];
/// ms-api.md §2.4: POST /domains (newer doc `Domain.ReadWrite.All`, older `Directory.AccessAsUser.All`) and verify.
const WRITE: &[&str] = &["Domain.ReadWrite.All", "Directory.AccessAsUser.All"];

/// The answer to POST /domains for a name already in a tenant. ASSUMPTION: ms-api.md does not
/// give Graph's body for a duplicate; this is the directory's usual duplicate-value error.
pub const DUPLICATE_ERROR: (&str, &str) = (
    "Request_BadRequest",
    "Another object with the same value for property id already exists.",
);
/// The answer to POST /domains for a malformed name. ASSUMPTION: not in ms-api.md.
pub const INVALID_NAME_ERROR: (&str, &str) = ("Request_BadRequest", "Domain name is invalid.");
/// The answer to POST /domains with a body other than `{"id": …}` (ms-api.md §3.1: id is the only
/// property allowed). ASSUMPTION: the exact body is not in ms-api.md.
pub const ONLY_ID_ERROR: (&str, &str) = (
    "Request_BadRequest",
    "Invalid request body: 'id' is the only property allowed and it is required.",
);
/// The verify failure (ms-api.md §3.4: UNCONFIRMED, "probably 400 with error.code/error.message").
/// ASSUMPTION: this code and message; clients must show `error.message` whatever it says.
pub const VERIFY_FAILED_ERROR: (&str, &str) = (
    "Request_BadRequest",
    "Domain verification failed. The DNS record was not found. Make sure the TXT record has been added to the domain's DNS zone, then try again.",
);
/// verify on a domain that is already verified (ms-api.md §3.1: "only for unverified domains").
/// ASSUMPTION: the body.
pub const ALREADY_VERIFIED_ERROR: (&str, &str) =
    ("Request_BadRequest", "The domain is already verified.");
/// The Autodiscover CNAME of the service configuration records. ASSUMPTION (ms-api.md §3.5: UNCONFIRMED).
pub const AUTODISCOVER_TARGET: &str = "autodiscover.outlook.com";
/// The CNAME record's target field name. ASSUMPTION (ms-api.md §3.3: `canonicalName` UNCONFIRMED).
pub const CNAME_FIELD: &str = "canonicalName";
/// The TTL of every record Graph lists (ms-api.md §3.3: e.g. 3600).
pub const RECORD_TTL: u32 = 3600;

/// One domain of one tenant.
#[derive(Debug, Clone, Serialize)]
pub struct DomainEntry {
    pub tenant_id: String,
    /// Lower-case FQDN.
    pub id: String,
    pub is_verified: bool,
    pub is_default: bool,
    pub is_initial: bool,
    pub supported_services: Vec<String>,
    /// `Managed` or `Federated` (ms-api.md §3.2).
    pub authentication_type: String,
    /// The verification TXT value, `MS=ms` and eight digits (ms-api.md §3.3).
    pub verification_text: String,
}

/// The simulator's domains and its DNS.
#[derive(Debug, Default)]
pub struct Domains {
    entries: Mutex<Vec<DomainEntry>>,
    dns: OnceLock<Arc<PracticeDns>>,
}

fn verification_text() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 100_000_000;
    format!("MS=ms{n:08}")
}

impl Domains {
    /// The seeded tenants' domains: all verified, the first initial, the last the default.
    pub fn seeded(tenants: &[Tenant]) -> Domains {
        let mut entries = Vec::new();
        for t in tenants {
            let last = t.domains.len().saturating_sub(1);
            for (i, d) in t.domains.iter().enumerate() {
                entries.push(DomainEntry {
                    tenant_id: t.id.clone(),
                    id: d.to_ascii_lowercase(),
                    is_verified: true,
                    is_default: i == last,
                    is_initial: i == 0,
                    supported_services: vec!["Email".into(), "OfficeCommunicationsOnline".into()],
                    authentication_type: "Managed".into(),
                    verification_text: verification_text(),
                });
            }
        }
        Domains {
            entries: Mutex::new(entries),
            dns: OnceLock::new(),
        }
    }

    pub(crate) fn attach_dns(&self, dns: Arc<PracticeDns>) {
        let _ = self.dns.set(dns);
    }

    pub fn dns(&self) -> Option<Arc<PracticeDns>> {
        self.dns.get().cloned()
    }

    /// A domain by name, in any tenant.
    pub fn get(&self, id: &str) -> Option<DomainEntry> {
        let id = id.trim_end_matches('.').to_ascii_lowercase();
        lock(&self.entries).iter().find(|d| d.id == id).cloned()
    }

    pub fn of_tenant(&self, tenant_id: &str) -> Vec<DomainEntry> {
        lock(&self.entries)
            .iter()
            .filter(|d| d.tenant_id == tenant_id)
            .cloned()
            .collect()
    }

    fn insert(&self, entry: DomainEntry) {
        lock(&self.entries).push(entry);
    }

    fn mark_verified(&self, id: &str) -> Option<DomainEntry> {
        let mut entries = lock(&self.entries);
        let d = entries.iter_mut().find(|d| d.id == id)?;
        d.is_verified = true;
        Some(d.clone())
    }

    /// Publishes the domain's verification TXT record on `servers` of the practice DNS (the demo
    /// action). The record's name, value and TTL, or `None` for an unknown domain.
    pub async fn publish(&self, id: &str, servers: Servers) -> Option<(String, String)> {
        let d = self.get(id)?;
        let dns = self.dns()?;
        dns.ensure_zone(&d.id).await.ok()?;
        dns.set_txt(&d.id, &[&d.verification_text], servers)
            .await
            .then_some((d.id, d.verification_text))
    }
}

/// A DNS name Graph would accept: at least two labels of letters, digits and inner hyphens.
fn valid_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()))
}

fn parent_of<'a>(all: &'a [DomainEntry], id: &str) -> Option<&'a DomainEntry> {
    all.iter()
        .filter(|d| id.ends_with(&format!(".{}", d.id)))
        .max_by_key(|d| d.id.len())
}

// ms-api.md §3.2 (G-DOM): the domain resource.
fn domain_json(d: &DomainEntry, all: &[DomainEntry], availability: Option<&str>) -> Value {
    json!({
        "authenticationType": d.authentication_type,
        "availabilityStatus": availability,
        "id": d.id,
        "isAdminManaged": true,
        "isDefault": d.is_default,
        "isInitial": d.is_initial,
        "isRoot": parent_of(all, &d.id).is_none(),
        "isVerified": d.is_verified,
        "passwordNotificationWindowInDays": 14,
        "passwordValidityPeriodInDays": 90,
        "supportedServices": d.supported_services,
        "state": null,
    })
}

fn not_found(id: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
    )
}

fn bad_request((code, message): (&str, &str)) -> Response {
    graph_error(StatusCode::BAD_REQUEST, code, message)
}

/// ms-api.md §2.4: adding and verifying a domain needs at least Domain Name Administrator.
fn require_domain_role(app: &AppState, c: &Caller) -> Result<(), Response> {
    let holds = app.sim.find_user_by_id(&c.oid).is_some_and(|u| {
        u.roles.iter().any(|r| {
            r.role_template_id == DOMAIN_NAME_ADMINISTRATOR.1
                || r.role_template_id == GLOBAL_ADMINISTRATOR.1
        })
    });
    if holds {
        Ok(())
    } else {
        Err(graph_error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ))
    }
}

fn domain_of_caller(app: &AppState, c: &Caller, id: &str) -> Result<DomainEntry, Response> {
    app.sim
        .domains
        .get(id)
        .filter(|d| d.tenant_id == c.tid)
        .ok_or_else(|| not_found(id))
}

macro_rules! try_resp {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

// ms-api.md §3.1 (G-DOM): GET /v1.0/domains.
pub(crate) async fn list(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let c = try_resp!(caller(&app, &headers, READ));
    let all = app.sim.domains.of_tenant(&c.tid);
    let value: Vec<Value> = all.iter().map(|d| domain_json(d, &all, None)).collect();
    Json(json!({"@odata.context": format!("{}/v1.0/$metadata#domains", app.base_url), "value": value})).into_response()
}

// ms-api.md §3.1 (G-DOM): GET /v1.0/domains/{fqdn}.
pub(crate) async fn get(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let c = try_resp!(caller(&app, &headers, READ));
    let d = try_resp!(domain_of_caller(&app, &c, &id));
    let all = app.sim.domains.of_tenant(&c.tid);
    let mut body = domain_json(&d, &all, None);
    body["@odata.context"] = json!(format!("{}/v1.0/$metadata#domains/$entity", app.base_url));
    Json(body).into_response()
}

// ms-api.md §3.1 (G-DOM): POST /v1.0/domains {"id": …}: 201 Created; id is the only property
// allowed; a subdomain of an already verified root is created verified.
pub(crate) async fn create(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let c = try_resp!(caller(&app, &headers, WRITE));
    try_resp!(require_domain_role(&app, &c));
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let id = match parsed.as_ref().and_then(Value::as_object) {
        Some(o) if o.len() == 1 => match o.get("id").and_then(Value::as_str) {
            Some(id) => id.trim().trim_end_matches('.').to_ascii_lowercase(),
            None => return bad_request(ONLY_ID_ERROR),
        },
        _ => return bad_request(ONLY_ID_ERROR),
    };
    if !valid_name(&id) {
        return bad_request(INVALID_NAME_ERROR);
    }
    if app.sim.domains.get(&id).is_some() {
        return bad_request(DUPLICATE_ERROR);
    }
    let all = app.sim.domains.of_tenant(&c.tid);
    let verified_root = parent_of(&all, &id).filter(|p| p.is_verified).is_some();
    let entry = DomainEntry {
        tenant_id: c.tid.clone(),
        id: id.clone(),
        is_verified: verified_root,
        is_default: false,
        is_initial: false,
        supported_services: Vec::new(),
        authentication_type: "Managed".into(),
        verification_text: verification_text(),
    };
    app.sim.domains.insert(entry.clone());
    if verified_root {
        app.sim.add_tenant_domain(&c.tid, &id);
    }
    // The domain's DNS host: a zone in the practice DNS, unless a served zone already holds it.
    if let Some(dns) = app.sim.domains.dns() {
        if let Err(e) = dns.ensure_zone(&id).await {
            tracing::warn!(domain = %id, error = %e, "practice DNS: could not add the zone");
        }
    }
    let all = app.sim.domains.of_tenant(&c.tid);
    let mut body = domain_json(&entry, &all, None);
    body["@odata.context"] = json!(format!("{}/v1.0/$metadata#domains/$entity", app.base_url));
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = format!("{}/v1.0/domains/{id}", app.base_url).parse() {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

fn txt_record(id: &str, label: &str, text: &str, optional: bool, service: Option<&str>) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.domainDnsTxtRecord",
        "id": id, "isOptional": optional, "label": label, "recordType": "Txt",
        "supportedService": service, "ttl": RECORD_TTL, "text": text,
    })
}

fn mx_record(
    id: &str,
    label: &str,
    exchange: &str,
    preference: u32,
    optional: bool,
    service: Option<&str>,
) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.domainDnsMxRecord",
        "id": id, "isOptional": optional, "label": label, "recordType": "Mx",
        "supportedService": service, "ttl": RECORD_TTL, "mailExchange": exchange, "preference": preference,
    })
}

// ms-api.md §3.1, §3.3 (G-DOM): the domainDnsTxtRecord (`MS=ms########`) and the alternative MX
// record (`ms########.msv1.invalid`, priority 32767; 3P).
pub(crate) async fn verification_records(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let c = try_resp!(caller(&app, &headers, READ));
    let d = try_resp!(domain_of_caller(&app, &c, &id));
    let code = d.verification_text.trim_start_matches("MS=");
    let value = vec![
        txt_record(
            &format!("aceff52c-06a5-447f-ac5f-256ad243{}", &code[2..6]),
            &d.id,
            &d.verification_text,
            false,
            None,
        ),
        mx_record(
            &format!("5fbde38c-0865-497f-82b1-126f596b{}", &code[2..6]),
            &d.id,
            &format!("{code}.msv1.invalid"),
            32767,
            false,
            None,
        ),
    ];
    Json(json!({"@odata.context": format!("{}/v1.0/$metadata#domains('{}')/verificationDnsRecords", app.base_url, d.id), "value": value})).into_response()
}

// ms-api.md §3.1 (G-DOM): POST /v1.0/domains/{fqdn}/verify, no body; 200 + the domain with
// availabilityStatus; the failure body is §3.4 (UNCONFIRMED, see VERIFY_FAILED_ERROR). The record
// is looked up in the practice DNS, as Microsoft looks it up in public DNS.
pub(crate) async fn verify(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let c = try_resp!(caller(&app, &headers, WRITE));
    try_resp!(require_domain_role(&app, &c));
    let d = try_resp!(domain_of_caller(&app, &c, &id));
    if d.is_verified {
        return bad_request(ALREADY_VERIFIED_ERROR);
    }
    let found = match app.sim.domains.dns() {
        Some(dns) => dns.txt_values(&d.id).await.contains(&d.verification_text),
        None => false,
    };
    if !found {
        return bad_request(VERIFY_FAILED_ERROR);
    }
    let Some(d) = app.sim.domains.mark_verified(&d.id) else {
        return not_found(&id);
    };
    app.sim.add_tenant_domain(&c.tid, &d.id);
    let all = app.sim.domains.of_tenant(&c.tid);
    let mut body = domain_json(&d, &all, Some("AvailableImmediately"));
    body["@odata.context"] = json!(format!("{}/v1.0/$metadata#domains/$entity", app.base_url));
    Json(body).into_response()
}

// ms-api.md §3.1, §3.5 (G-DOM): MX `contoso-com.mail.protection.outlook.com` (preference 0,
// supportedService Email), the SPF TXT, and the Autodiscover CNAME (UNCONFIRMED, see
// AUTODISCOVER_TARGET). The wizard lists them as information only.
pub(crate) async fn service_configuration_records(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let c = try_resp!(caller(&app, &headers, READ));
    let d = try_resp!(domain_of_caller(&app, &c, &id));
    let mx = format!("{}.mail.protection.outlook.com", d.id.replace('.', "-"));
    let value = vec![
        mx_record(
            "9ddf23d6-5e4f-45de-a3a5-1c0bcb6e7a01",
            &d.id,
            &mx,
            0,
            false,
            Some("Email"),
        ),
        // ms-api.md §3.5 quotes the SPF value with a stray space after `include:`; the record is written without it.
        txt_record(
            "b0c2d3e4-7f61-4e2a-9b1c-2d3e4f5a6b02",
            &d.id,
            "v=spf1 include:spf.protection.outlook.com ~all",
            false,
            Some("Email"),
        ),
        json!({
            "@odata.type": "#microsoft.graph.domainDnsCnameRecord",
            "id": "c1d2e3f4-8a72-4f3b-8c2d-3e4f5a6b7c03", "isOptional": false,
            "label": format!("autodiscover.{}", d.id), "recordType": "CName",
            "supportedService": "Email", "ttl": RECORD_TTL, CNAME_FIELD: AUTODISCOVER_TARGET,
        }),
    ];
    Json(json!({"@odata.context": format!("{}/v1.0/$metadata#domains('{}')/serviceConfigurationRecords", app.base_url, d.id), "value": value})).into_response()
}

/// Practice only (no Microsoft path): publishes the domain's verification TXT record in the
/// practice DNS, on every name server. The demo's "publish the record for me".
pub(crate) async fn practice_publish(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Response {
    match app.sim.domains.publish(&id, Servers::All).await {
        Some((name, text)) => Json(json!({
            "published": {"name": name, "text": text, "ttl": RECORD_TTL},
            "servers": app.sim.domains.dns().map(|d| d.addresses()).unwrap_or_default(),
        }))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("the practice tenant has no domain {id}")})),
        )
            .into_response(),
    }
}
