//! The automatic checks behind a troubleshooting card (issue 8): read-only looks at the profile, the
//! mailboxes, the Dynamics service principal and what the CRM server holds, each answering one
//! check id of the knowledge base (crates/diagnosis/knowledge.toml) with passed or failed and what
//! the wizard saw. A check whose inputs the wizard does not have is not run (it stays "not run" on
//! the card); a check that cannot read its inputs is not run either, and says why in the log.
use std::sync::Arc;

use base64::Engine;
use hybridsync_microsoft::service_principal::{self as sp, KeyCredential};
use hybridsync_microsoft::skus;
use hybridsync_microsoft::{Dynamics, Graph};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use ts_rs::TS;

use crate::troubleshoot::{card, Card, CheckResult, TroubleshootRequest};

mod exchange;

/// Check ids (knowledge.toml `[[check]]`).
pub const TENANT_IDS_MATCH: &str = "tenant_ids_match";
pub const CRM_CERTIFICATE_INSTALLED: &str = "crm_certificate_installed";
pub const SP_HAS_CRM_CERTIFICATE: &str = "sp_has_crm_certificate";
pub const CERTIFICATE_NOT_EXPIRED: &str = "certificate_not_expired";
pub const MAILBOX_APPROVED: &str = "mailbox_approved";
pub const PROFILE_IS_EXCHANGE_ONLINE_HYBRID: &str = "profile_is_exchange_online_hybrid";
pub const PROFILE_AUTODISCOVER_OFF: &str = "profile_autodiscover_off";
pub const HYBRID_CONNECTOR_LICENSED: &str = "hybrid_connector_licensed";
pub const MAILBOX_ADDRESS_MATCHES_EXCHANGE: &str = "mailbox_address_matches_exchange";
pub const EXCHANGE_ONLINE_LICENSED: &str = "exchange_online_licensed";

/// The checks this module can run.
pub const AUTOMATIC: [&str; 10] = [
    HYBRID_CONNECTOR_LICENSED,
    MAILBOX_ADDRESS_MATCHES_EXCHANGE,
    EXCHANGE_ONLINE_LICENSED,
    TENANT_IDS_MATCH,
    CRM_CERTIFICATE_INSTALLED,
    SP_HAS_CRM_CERTIFICATE,
    CERTIFICATE_NOT_EXPIRED,
    MAILBOX_APPROVED,
    PROFILE_IS_EXCHANGE_ONLINE_HYBRID,
    PROFILE_AUTODISCOVER_OFF,
];

/// ms-api.md §6.1: emailserverprofile.servertype 3 = Exchange Online (Hybrid).
const SERVERTYPE_EXCHANGE_ONLINE_HYBRID: i64 = 3;
/// ms-api.md §6.2: mailbox.emailrouteraccessapproval 1 = Approved.
const APPROVED: i64 = 1;

/// What the CRM server holds, as far as the wizard knows: from the result file of the generated
/// script (imported), or on the practice tenant from its CRM deployment (Get-CrmSetting's view).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct CrmFacts {
    /// Thumbprint (hex SHA-1) of the S2STokenIssuer certificate; `None` when unknown.
    pub certificate_thumbprint: Option<String>,
    /// The organization's S2STenantId; `None` when it is not set.
    pub s2s_tenant_id: Option<String>,
}

impl CrmFacts {
    /// From the result file of the generated script: the certificate when its part succeeded, the
    /// S2STenantId when its part did (else the organization has none from this run).
    pub fn from_result(r: &crate::steps::crm_script::ScriptResult) -> CrmFacts {
        let ok = |name: &str| r.parts.iter().any(|p| p.name == name && p.ok);
        CrmFacts {
            certificate_thumbprint: r.thumbprint.clone().filter(|_| ok("certificate")),
            s2s_tenant_id: r.tenant_id.clone().filter(|_| ok("tenant_id")),
        }
    }
}

/// What the checks may read. Leave out what the wizard does not have: those checks are not run.
#[derive(Default, Clone)]
pub struct CheckContext {
    pub now: Option<OffsetDateTime>,
    /// The tenant the admin signed in to (the token's `tid`, Graph `/organization`).
    pub tenant_id: Option<String>,
    /// Signed in with the trust step's scopes (reads the service principal's keys).
    pub graph: Option<Arc<Graph>>,
    pub dynamics: Option<Arc<Dynamics>>,
    /// The failed mailboxes (their rows and their profile are read).
    pub mailbox_ids: Vec<String>,
    pub crm: Option<CrmFacts>,
}

/// The card for `req` with the automatic checks of its entry's causes run first (checks already in
/// `req` are kept as given).
pub async fn card_with_checks(req: &TroubleshootRequest, ctx: &CheckContext) -> Option<Card> {
    let first = card(req)?;
    let wanted = wanted(&first, req);
    if wanted.is_empty() {
        return Some(first);
    }
    let mut with = req.clone();
    with.checks.extend(run(ctx, &wanted).await);
    card(&with)
}

/// The checks of a card's causes this module can run and `req` does not already answer: when
/// there are none, a caller need not gather a context (no sign-in, no connection).
pub fn wanted<'a>(c: &'a Card, req: &TroubleshootRequest) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for id in c
        .causes
        .iter()
        .flat_map(|x| x.checks.iter().map(|k| k.id.as_str()))
    {
        if AUTOMATIC.contains(&id) && !req.checks.iter().any(|r| r.id == id) && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// Runs the checks among `ids` this module knows and has the inputs for.
pub async fn run(ctx: &CheckContext, ids: &[&str]) -> Vec<CheckResult> {
    let wants = |id: &str| ids.contains(&id);
    let now = ctx.now.unwrap_or_else(OffsetDateTime::now_utc);
    let mut out = Vec::new();
    let rows = if [
        MAILBOX_APPROVED,
        TENANT_IDS_MATCH,
        PROFILE_IS_EXCHANGE_ONLINE_HYBRID,
        PROFILE_AUTODISCOVER_OFF,
        MAILBOX_ADDRESS_MATCHES_EXCHANGE,
        EXCHANGE_ONLINE_LICENSED,
    ]
    .iter()
    .any(|id| wants(id))
    {
        read_rows(ctx).await
    } else {
        Rows::default()
    };
    if wants(MAILBOX_APPROVED) {
        out.extend(mailbox_approved(&rows.mailboxes));
    }
    if let Some(p) = &rows.profile {
        if wants(PROFILE_IS_EXCHANGE_ONLINE_HYBRID) {
            out.push(profile_type(p));
        }
        if wants(PROFILE_AUTODISCOVER_OFF) {
            out.push(autodiscover_off(p));
        }
        if wants(TENANT_IDS_MATCH) {
            out.extend(tenant_ids_match(
                p,
                ctx.tenant_id.as_deref(),
                ctx.crm.as_ref(),
            ));
        }
    }
    let needs_skus = wants(HYBRID_CONNECTOR_LICENSED) || wants(EXCHANGE_ONLINE_LICENSED);
    let subscriptions = match (&ctx.graph, needs_skus) {
        (Some(graph), true) => match skus::subscribed_skus(graph).await {
            Ok(list) => Some(list),
            Err(e) => {
                tracing::warn!(error = %e, "the tenant's subscriptions could not be read for the checks");
                None
            }
        },
        _ => None,
    };
    if let (true, Some(list)) = (wants(HYBRID_CONNECTOR_LICENSED), &subscriptions) {
        out.push(connector_check(list));
    }
    if let (true, Some(graph)) = (
        wants(MAILBOX_ADDRESS_MATCHES_EXCHANGE) || wants(EXCHANGE_ONLINE_LICENSED),
        &ctx.graph,
    ) {
        let mut addresses: Vec<String> = Vec::new();
        for a in rows
            .mailboxes
            .iter()
            .filter_map(|m| text(m, "emailaddress"))
            .map(str::to_ascii_lowercase)
        {
            if !addresses.contains(&a) {
                addresses.push(a);
            }
        }
        if !addresses.is_empty() {
            match exchange::read(graph, addresses).await {
                Ok(seen) => {
                    if wants(MAILBOX_ADDRESS_MATCHES_EXCHANGE) {
                        out.extend(exchange::address_check(&seen));
                    }
                    if let (true, Some(list)) = (wants(EXCHANGE_ONLINE_LICENSED), &subscriptions) {
                        out.extend(exchange::licence_check(&seen, list));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the mailboxes' users could not be read from Graph for the checks")
                }
            }
        }
    }
    let thumbprint = ctx
        .crm
        .as_ref()
        .and_then(|c| c.certificate_thumbprint.as_deref());
    if let (true, Some(t)) = (wants(CRM_CERTIFICATE_INSTALLED), thumbprint) {
        // Only a known certificate passes; not knowing one is no evidence of its absence.
        out.push(result(
            CRM_CERTIFICATE_INSTALLED,
            true,
            format!("Dynamics holds the S2STokenIssuer certificate {t}"),
        ));
    }
    if wants(SP_HAS_CRM_CERTIFICATE) || wants(CERTIFICATE_NOT_EXPIRED) {
        if let (Some(graph), Some(thumbprint)) = (&ctx.graph, thumbprint) {
            match read_sp_keys(graph).await {
                Ok(keys) => {
                    let (on_sp, valid) = key_checks(&keys, thumbprint, now);
                    if wants(SP_HAS_CRM_CERTIFICATE) {
                        out.push(on_sp);
                    }
                    if wants(CERTIFICATE_NOT_EXPIRED) {
                        out.extend(valid);
                    }
                }
                Err(e) => {
                    tracing::warn!(code = %e.code, "the service principal's keys could not be read for the checks")
                }
            }
        }
    }
    out
}

#[derive(Default)]
struct Rows {
    mailboxes: Vec<Value>,
    profile: Option<Value>,
}

/// The failed mailboxes (one filtered query, never one request per mailbox) and the profile of
/// the first; a failure here leaves the checks unrun.
async fn read_rows(ctx: &CheckContext) -> Rows {
    let Some(d) = &ctx.dynamics else {
        return Rows::default();
    };
    let mut rows = Rows::default();
    let ids: Vec<&str> = ctx
        .mailbox_ids
        .iter()
        .map(String::as_str)
        .filter(|id| is_guid(id))
        .collect();
    if !ids.is_empty() {
        // ms-api.md §6.5: $filter with GUID literals joined by `or`.
        let filter = ids
            .iter()
            .map(|id| format!("mailboxid eq {id}"))
            .collect::<Vec<_>>()
            .join(" or ");
        let q = crate::steps::profile::url_query(&[
            (
                "$select",
                "mailboxid,emailaddress,emailrouteraccessapproval,_emailserverprofile_value",
            ),
            ("$filter", &filter),
        ]);
        match d
            .get_all(
                &format!("mailboxes?{q}"),
                hybridsync_microsoft::dynamics::MAX_PAGE_SIZE,
            )
            .await
        {
            Ok((found, _)) => rows.mailboxes = found,
            Err(e) => tracing::warn!(error = %e, "the mailboxes could not be read for the checks"),
        }
    }
    let profile_id = rows.mailboxes.iter().find_map(|m| {
        m.get("_emailserverprofile_value")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    if let Some(pid) = profile_id.filter(|p| is_guid(p)) {
        match d.get_json(&format!("emailserverprofiles({pid})?$select=name,servertype,usedefaulttenantid,exchangeonlinetenantid,useautodiscover,incomingserverlocation")).await {
            Ok(v) => rows.profile = Some(v),
            Err(e) => tracing::warn!(error = %e, "the email server profile could not be read for the checks"),
        }
    }
    rows
}

fn is_guid(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

fn result(id: &str, passed: bool, saw: String) -> CheckResult {
    CheckResult {
        id: id.into(),
        passed,
        saw: Some(saw),
    }
}

fn text<'a>(v: &'a Value, field: &str) -> Option<&'a str> {
    v.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn mailbox_approved(rows: &[Value]) -> Option<CheckResult> {
    if rows.is_empty() {
        return None;
    }
    let pending: Vec<&str> = rows
        .iter()
        .filter(|m| m.get("emailrouteraccessapproval").and_then(Value::as_i64) != Some(APPROVED))
        .map(|m| text(m, "emailaddress").unwrap_or("(no address)"))
        .collect();
    Some(if pending.is_empty() {
        result(
            MAILBOX_APPROVED,
            true,
            format!("{} mailbox(es) read, every address approved", rows.len()),
        )
    } else {
        result(
            MAILBOX_APPROVED,
            false,
            format!(
                "not approved (emailrouteraccessapproval is not 1): {}",
                pending.join(", ")
            ),
        )
    })
}

fn profile_name(p: &Value) -> &str {
    text(p, "name").unwrap_or("the email server profile")
}

fn profile_type(p: &Value) -> CheckResult {
    let t = p.get("servertype").and_then(Value::as_i64).unwrap_or(-1);
    let saw = format!(
        "{}: servertype {t} (3 is Exchange Online (Hybrid))",
        profile_name(p)
    );
    result(
        PROFILE_IS_EXCHANGE_ONLINE_HYBRID,
        t == SERVERTYPE_EXCHANGE_ONLINE_HYBRID,
        saw,
    )
}

fn autodiscover_off(p: &Value) -> CheckResult {
    let auto = p
        .get("useautodiscover")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let url = text(p, "incomingserverlocation").unwrap_or("(none)");
    let saw = format!("{}: useautodiscover {auto}, EWS URL {url}", profile_name(p));
    result(PROFILE_AUTODISCOVER_OFF, !auto && url != "(none)", saw)
}

/// The tenant the profile sends mailboxes to (its own ID, or the organization's S2STenantId when it
/// uses the default; ms-api.md §5.4, §6.1) against the tenant signed in to.
fn tenant_ids_match(
    p: &Value,
    tenant: Option<&str>,
    crm: Option<&CrmFacts>,
) -> Option<CheckResult> {
    let tenant = tenant?;
    let name = profile_name(p);
    let use_default = p
        .get("usedefaulttenantid")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let (from, value) = if use_default {
        // Without the CRM server's view the organization's S2STenantId is unknown: not run.
        (
            "the organization's S2STenantId (the profile uses the default tenant ID)",
            crm?.s2s_tenant_id.clone(),
        )
    } else {
        (
            "the profile's Exchange Online tenant ID",
            text(p, "exchangeonlinetenantid").map(str::to_string),
        )
    };
    Some(match value {
        None => result(
            TENANT_IDS_MATCH,
            false,
            format!("{name}: {from} is not set; the signed-in tenant is {tenant}"),
        ),
        Some(v) => {
            let same = v.trim().eq_ignore_ascii_case(tenant.trim());
            result(
                TENANT_IDS_MATCH,
                same,
                format!("{name}: {from} is {v}; the signed-in tenant is {tenant}"),
            )
        }
    })
}

/// `hybrid_connector_licensed` from the tenant's subscriptions (ms-api.md §4 detection rule).
pub fn connector_check(list: &[skus::SubscribedSku]) -> CheckResult {
    match skus::hybrid_connector(list) {
        Some(s) => result(
            HYBRID_CONNECTOR_LICENSED,
            true,
            format!(
                "the tenant holds {} ({})",
                s.sku_part_number, s.capability_status
            ),
        ),
        None => {
            let held: Vec<String> = list
                .iter()
                .map(|s| format!("{} ({})", s.sku_part_number, s.capability_status))
                .collect();
            let held = if held.is_empty() {
                "none".to_string()
            } else {
                held.join(", ")
            };
            result(
                HYBRID_CONNECTOR_LICENSED,
                false,
                format!(
                    "no enabled {} among the tenant's subscriptions: {held}",
                    skus::HYBRID_CONNECTOR_SKU
                ),
            )
        }
    }
}

async fn read_sp_keys(graph: &Graph) -> Result<Vec<KeyCredential>, crate::ErrorPayload> {
    let found = sp::find_crm(graph).await?;
    Ok(sp::read_keys(graph, &found.id).await?)
}

fn sha1_hex(der: &[u8]) -> String {
    hybridsync_certs::thumbprint_of(der)
}

/// Whether a key carries the certificate: its customKeyIdentifier is the thumbprint, as hex or as
/// base64 of the hash (ms-api.md §5.6), or the SHA-1 of its bytes is.
fn carries(k: &KeyCredential, thumbprint: &str) -> bool {
    let by_id = k.custom_key_identifier.as_deref().is_some_and(|c| {
        c.eq_ignore_ascii_case(thumbprint)
            || base64::engine::general_purpose::STANDARD
                .decode(c)
                .is_ok_and(|hash| {
                    hash.len() == 20
                        && hash
                            .iter()
                            .map(|b| format!("{b:02X}"))
                            .collect::<String>()
                            .eq_ignore_ascii_case(thumbprint)
                })
    });
    let by_bytes = k
        .key
        .as_deref()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .is_some_and(|der| sha1_hex(&der).eq_ignore_ascii_case(thumbprint));
    by_id || by_bytes
}

/// `sp_has_crm_certificate`, and `certificate_not_expired` when a key carries the certificate.
fn key_checks(
    keys: &[KeyCredential],
    thumbprint: &str,
    now: OffsetDateTime,
) -> (CheckResult, Option<CheckResult>) {
    let matching: Vec<&KeyCredential> = keys.iter().filter(|k| carries(k, thumbprint)).collect();
    let listed: Vec<String> = keys
        .iter()
        .map(|k| {
            format!(
                "{} (ends {})",
                k.custom_key_identifier.as_deref().unwrap_or("?"),
                k.end_date_time.as_deref().unwrap_or("?")
            )
        })
        .collect();
    let on_sp = if matching.is_empty() {
        result(
            SP_HAS_CRM_CERTIFICATE,
            false,
            format!(
                "the CRM certificate {thumbprint} is not among the service principal's {} key(s): {}",
                keys.len(),
                if listed.is_empty() { "none".to_string() } else { listed.join(", ") }
            ),
        )
    } else {
        result(
            SP_HAS_CRM_CERTIFICATE,
            true,
            format!("the CRM certificate {thumbprint} is on the service principal"),
        )
    };
    let valid = (!matching.is_empty()).then(|| {
        let current = matching
            .iter()
            .any(|k| k.start().is_none_or(|s| s <= now) && k.end().is_some_and(|e| now < e));
        let ends: Vec<&str> = matching
            .iter()
            .filter_map(|k| k.end_date_time.as_deref())
            .collect();
        let saw = format!(
            "the key of {thumbprint} on the service principal ends {}",
            ends.join(", ")
        );
        result(CERTIFICATE_NOT_EXPIRED, current, saw)
    });
    (on_sp, valid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    fn key(thumb: &str, end: &str) -> KeyCredential {
        KeyCredential {
            custom_key_identifier: Some(thumb.into()),
            start_date_time: Some("2025-01-01T00:00:00Z".into()),
            end_date_time: Some(end.into()),
            key_type: "AsymmetricX509Cert".into(),
            usage: "Verify".into(),
            ..KeyCredential::default()
        }
    }

    #[test]
    fn a_missing_key_fails_the_first_check_and_leaves_expiry_unrun() {
        let keys = [key("AAAA", "2027-01-01T00:00:00Z")];
        let (on, valid) = key_checks(&keys, "BBBB", datetime!(2026-11-22 0:00 UTC));
        assert!(!on.passed);
        assert!(on.saw.as_deref().unwrap_or("").contains("AAAA"), "{on:?}");
        assert!(valid.is_none());
    }

    #[test]
    fn a_present_but_ended_key_passes_presence_and_fails_expiry() {
        let keys = [key("bbbb", "2026-01-01T00:00:00Z")];
        let (on, valid) = key_checks(&keys, "BBBB", datetime!(2026-11-22 0:00 UTC));
        assert!(on.passed, "the thumbprint compares case-insensitively");
        let valid = valid.expect("the expiry check runs");
        assert!(!valid.passed);
        let (_, later) = key_checks(
            &[key("BBBB", "2027-06-01T00:00:00Z")],
            "BBBB",
            datetime!(2026-11-22 0:00 UTC),
        );
        assert!(later.expect("runs").passed);
    }

    #[test]
    fn a_key_matches_by_the_sha1_of_its_bytes_when_the_identifier_differs() {
        let der = b"not really DER, only bytes to hash";
        let mut k = key("something-else", "2027-01-01T00:00:00Z");
        k.key = Some(base64::engine::general_purpose::STANDARD.encode(der));
        let (on, _) = key_checks(&[k], &sha1_hex(der), datetime!(2026-11-22 0:00 UTC));
        assert!(on.passed);
    }

    #[test]
    fn only_automatic_checks_not_yet_answered_are_wanted() {
        let approval = TroubleshootRequest {
            text: Some("Email address requires approval by Office 365 administrator".into()),
            ..Default::default()
        };
        let c = card(&approval).expect("a card");
        // signed_in_global_admin is on the card too, but not automatic.
        assert_eq!(wanted(&c, &approval), [MAILBOX_APPROVED]);
        let answered = TroubleshootRequest {
            checks: vec![CheckResult {
                id: MAILBOX_APPROVED.into(),
                passed: false,
                saw: None,
            }],
            ..approval
        };
        assert!(wanted(&c, &answered).is_empty());
        let tenant = TroubleshootRequest {
            code: Some("tenant_not_found".into()),
            remediation: Some("tenant.check-domain".into()),
            ..Default::default()
        };
        let c = card(&tenant).expect("a card");
        assert!(
            wanted(&c, &tenant).is_empty(),
            "nothing to run: no context needed"
        );
    }

    #[test]
    fn the_connector_check_names_what_the_tenant_holds() {
        let sku = |p: &str, st: &str| skus::SubscribedSku {
            sku_id: "x".into(),
            sku_part_number: p.into(),
            capability_status: st.into(),
            service_plans: vec![],
        };
        let r = connector_check(&[
            sku("ENTERPRISEPACK", "Enabled"),
            sku("CRM_HYBRIDCONNECTOR", "Suspended"),
        ]);
        assert!(!r.passed);
        assert!(
            r.saw
                .as_deref()
                .unwrap_or("")
                .contains("CRM_HYBRIDCONNECTOR (Suspended)"),
            "{r:?}"
        );
        assert!(connector_check(&[sku("CRM_HYBRIDCONNECTOR", "Enabled")]).passed);
    }

    #[test]
    fn a_key_matches_by_a_base64_identifier_of_the_hash() {
        let hash = [0xABu8; 20];
        let k = key(
            &base64::engine::general_purpose::STANDARD.encode(hash),
            "2027-01-01T00:00:00Z",
        );
        let (on, _) = key_checks(&[k], &"AB".repeat(20), datetime!(2026-11-22 0:00 UTC));
        assert!(on.passed);
    }

    #[test]
    fn the_tenant_check_reads_the_profile_or_the_organization_and_is_not_run_without_inputs() {
        let own = json!({"name": "P", "usedefaulttenantid": false, "exchangeonlinetenantid": "T1"});
        assert!(
            tenant_ids_match(&own, Some("t1"), None)
                .expect("runs")
                .passed
        );
        assert!(
            !tenant_ids_match(&own, Some("T2"), None)
                .expect("runs")
                .passed
        );
        let default = json!({"name": "P", "usedefaulttenantid": true});
        assert!(
            tenant_ids_match(&default, Some("T1"), None).is_none(),
            "the organization's value is unknown"
        );
        let unset = CrmFacts {
            certificate_thumbprint: None,
            s2s_tenant_id: None,
        };
        let r = tenant_ids_match(&default, Some("T1"), Some(&unset)).expect("runs");
        assert!(!r.passed);
        assert!(r.saw.as_deref().unwrap_or("").contains("not set"), "{r:?}");
        assert!(
            tenant_ids_match(&own, None, None).is_none(),
            "no signed-in tenant: not run"
        );
    }

    #[test]
    fn approval_and_the_profile_checks_read_the_rows() {
        let rows = [
            json!({"emailaddress": "a@contoso.com", "emailrouteraccessapproval": 1}),
            json!({"emailaddress": "b@contoso.com", "emailrouteraccessapproval": 0}),
        ];
        let r = mailbox_approved(&rows).expect("runs");
        assert!(!r.passed);
        assert_eq!(
            r.saw.as_deref(),
            Some("not approved (emailrouteraccessapproval is not 1): b@contoso.com")
        );
        assert!(mailbox_approved(&rows[..1]).expect("runs").passed);
        assert!(mailbox_approved(&[]).is_none());
        let p = json!({"name": "P", "servertype": 2, "useautodiscover": true});
        assert!(!profile_type(&p).passed);
        assert!(!autodiscover_off(&p).passed);
        let p = json!({"name": "P", "servertype": 3, "useautodiscover": false, "incomingserverlocation": "https://outlook.office365.com/EWS/Exchange.asmx"});
        assert!(profile_type(&p).passed);
        assert!(autodiscover_off(&p).passed);
    }
}
