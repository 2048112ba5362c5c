//! The asynchronous Test & Enable job and the profile's Test Connection: their outcome comes from
//! the deployment's facts, and failures write the alert texts of ms-api.md §7 to tracelogs.
use std::collections::HashSet;

use serde_json::Value;

use super::odata::Row;

/// ms-api.md §7 (SUP-401): the alert of a mailbox whose EWS call was refused.
pub const ALERT_401: &str =
    "Email Server Error Code: Http server returned 401 Unauthorized exception.";
/// ms-api.md §7 (SUP-401): the second sentence of that alert.
pub const ALERT_401_DETAIL: &str =
    "…credentials specified in the mailbox … are correct and have sufficient permissions…";
/// ms-api.md §7 (D-TSS): the alert of a mailbox that is not approved.
pub const ALERT_APPROVAL: &str = "Email address requires approval by Office 365 administrator";
/// ms-api.md §7 (D-EXO): the wizard's text when the S2S certificate is missing or invalid.
pub const ALERT_FAILED_AUTHENTICATION: &str = "Failed Authentication";
/// ms-api.md §5.1, §7 (3P thread): EWS's challenge when the tenant is not enabled for EWS.
pub const ALERT_EWS_INVALID_TOKEN: &str = "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"00000001-0000-0000-c000-000000000000@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"invalid_token\"";

/// The facts of the deployment a Test & Enable depends on, outside Dynamics' own tables. Knobs and
/// scenarios set them; [`crate::Sim::effective_deployment`] then joins what the wizard changed:
/// once the practice CRM deployment holds an S2S certificate (the generated script ran), whether it
/// is on the `00000007-…` service principal, and valid, is read from the service principal's
/// keyCredentials; an S2STenantId the script set wins over `s2s_tenant_id`.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// `S2STenantId` set on the CRM organization (ms-api.md §5.4); `None` when not set.
    pub s2s_tenant_id: Option<String>,
    /// The tenant that holds the Exchange Online mailboxes.
    pub exchange_tenant_id: String,
    /// The CRM S2S certificate is among the Dynamics service principal's keyCredentials (§5.5).
    pub crm_certificate_on_service_principal: bool,
    /// The matching keyCredential's validity has ended (or not begun): set by the join, or by a
    /// scenario. ms-api.md §7 (D-EXO): the same "Failed Authentication" as a missing key.
    pub crm_certificate_expired: bool,
    /// The Exchange tenant holds the Dynamics 365 Hybrid Connector (joined from its subscribedSkus).
    pub hybrid_connector: bool,
    /// Exchange Support enabled EWS for the tenant (ms-api.md §5.1).
    pub ews_allowed: bool,
    /// Email addresses (lower case) that are no Exchange Online mailbox's primary SMTP address (the
    /// practice Graph shows them as a secondary address of their user).
    pub not_in_exchange: HashSet<String>,
    /// Email addresses (lower case) whose user has no Exchange Online license.
    pub unlicensed: HashSet<String>,
}

/// The practice tenant Contoso, whose mailboxes the seeded Dynamics users own.
pub const PRACTICE_TENANT_ID: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";

impl Default for Deployment {
    fn default() -> Self {
        Deployment {
            s2s_tenant_id: Some(PRACTICE_TENANT_ID.into()),
            exchange_tenant_id: PRACTICE_TENANT_ID.into(),
            crm_certificate_on_service_principal: true,
            crm_certificate_expired: false,
            hybrid_connector: true,
            ews_allowed: true,
            not_in_exchange: HashSet::new(),
            unlicensed: HashSet::new(),
        }
    }
}

/// A failed test: the tracelog's `text`, its `errordetails` (the cause) and `tracecode`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub text: String,
    pub cause: String,
}

fn alert_401(cause: &str) -> Alert {
    Alert {
        text: format!("{ALERT_401} {ALERT_401_DETAIL}"),
        cause: cause.to_string(),
    }
}

/// Why the connection from this profile to Exchange Online fails, or `None`. The profile-level part
/// of the outcome (Test Connection, and the first checks of every mailbox test).
pub fn profile_failure(d: &Deployment, profile: &Row) -> Option<Alert> {
    let servertype = profile
        .get("servertype")
        .and_then(Value::as_i64)
        .unwrap_or(-1);
    if servertype != super::entities::SERVERTYPE_EXCHANGE_ONLINE_HYBRID {
        return Some(alert_401(&format!(
            "the email server profile's type is {servertype}, not 3 Exchange Online (Hybrid) (SUP-401 cause 2)"
        )));
    }
    let use_default = profile
        .get("usedefaulttenantid")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let tenant = if use_default {
        d.s2s_tenant_id.clone()
    } else {
        profile
            .get("exchangeonlinetenantid")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match tenant.filter(|t| !t.trim().is_empty()) {
        None => {
            return Some(alert_401(if use_default {
                "no S2STenantId is set on the CRM organization (ms-api.md §5.4) and the profile uses the default tenant ID"
            } else {
                "the profile's exchangeonlinetenantid is empty"
            }))
        }
        Some(t) if !t.eq_ignore_ascii_case(&d.exchange_tenant_id) => {
            return Some(alert_401(&format!(
                "the tenant ID {t} is not the tenant {} that holds the mailboxes (SUP-401 cause 4)",
                d.exchange_tenant_id
            )))
        }
        Some(_) => {}
    }
    if !d.hybrid_connector {
        // Seed 002: without the Hybrid Connector "the second two tests will fail", also with the
        // tenant ID entered by hand. The alert's exact text is not documented: the 401 alert is used.
        return Some(alert_401(
            "the tenant has no Dynamics 365 Hybrid Connector subscription (seed 002)",
        ));
    }
    if !d.crm_certificate_on_service_principal {
        return Some(Alert {
            text: ALERT_FAILED_AUTHENTICATION.to_string(),
            cause: "the CRM S2S certificate is not among the keyCredentials of the Dynamics service principal 00000007-0000-0000-c000-000000000000".into(),
        });
    }
    if d.crm_certificate_expired {
        return Some(Alert {
            text: ALERT_FAILED_AUTHENTICATION.to_string(),
            cause: "the CRM S2S certificate's keyCredential on the Dynamics service principal 00000007-0000-0000-c000-000000000000 is outside its validity (endDateTime passed)".into(),
        });
    }
    if !d.ews_allowed {
        return Some(Alert {
            text: format!("{ALERT_401} WWW-Authenticate: {ALERT_EWS_INVALID_TOKEN}"),
            cause: "Exchange Online refused the S2S token: EWS is not enabled for this tenant (engage Exchange Support, ms-api.md §5.1)".into(),
        });
    }
    None
}

/// The outcome of a mailbox's Test & Enable: `None` on success, or the alert it writes. The ONE
/// function that decides, from the deployment's facts, the mailbox row and its profile.
pub fn mailbox_failure(d: &Deployment, profile: Option<&Row>, mailbox: &Row) -> Option<Alert> {
    if mailbox
        .get("emailrouteraccessapproval")
        .and_then(Value::as_i64)
        != Some(1)
    {
        return Some(Alert {
            text: ALERT_APPROVAL.to_string(),
            cause:
                "the mailbox's email address is not approved (emailrouteraccessapproval is not 1)"
                    .into(),
        });
    }
    let Some(profile) = profile else {
        return Some(alert_401("the mailbox has no email server profile"));
    };
    if let Some(a) = profile_failure(d, profile) {
        return Some(a);
    }
    let address = mailbox
        .get("emailaddress")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    if d.not_in_exchange.contains(&address) {
        return Some(alert_401(&format!(
            "{address} has no mailbox in Exchange Online: the mailbox's email address does not match an Exchange address (SUP-401 cause 1)"
        )));
    }
    if d.unlicensed.contains(&address) {
        return Some(alert_401(&format!(
            "{address} has no Exchange Online license (SUP-401 cause 3)"
        )));
    }
    None
}
