//! The facts the product relies on that no public source confirms (UNCONFIRMED in
//! ../shared/reference/ms-api.md). Each is a named constant where it is used; this list is what the
//! run report's "Assumptions" section shows, so an auditor sees every one.
pub struct AssumptionDef {
    pub statement: &'static str,
    pub source: &'static str,
    /// The constant (or code) that carries it.
    pub used_by: &'static str,
}

pub const ALL: &[AssumptionDef] = &[
    AssumptionDef {
        statement: "The Dynamics 365 Hybrid Connector shows in Graph /subscribedSkus with skuPartNumber CRM_HYBRIDCONNECTOR; the wizard warns (it does not stop) when no enabled one is found.",
        source: "ms-api.md §4 (third-party SKU lists only)",
        used_by: "hybridsync_microsoft::skus::HYBRID_CONNECTOR_SKU",
    },
    AssumptionDef {
        statement: "Organization.Read.All is enough to read /subscribedSkus with a delegated token.",
        source: "ms-api.md §2.4 (permission table not readable)",
        used_by: "hybridsync_core::steps::trust::SCOPES",
    },
    AssumptionDef {
        statement: "RoleManagement.Read.Directory is the least-privileged delegated permission that lists the signed-in user's directory roles.",
        source: "ms-api.md §2.4 (not listed there)",
        used_by: "hybridsync_microsoft::identity::scopes::ROLES_READ",
    },
    AssumptionDef {
        statement: "Uploading a certificate to the Dynamics CRM service principal still needs Global Administrator; no smaller role is documented for it.",
        source: "ms-api.md §2.4 (D-EXO)",
        used_by: "hybridsync_microsoft::graph::RoleRequirement::SERVICE_PRINCIPAL",
    },
    AssumptionDef {
        statement: "The OpenID document of an unknown tenant is recognised by AADSTS90002 in error_description; the error value itself is not relied on.",
        source: "ms-api.md §1.1",
        used_by: "hybridsync_microsoft::discovery (error_answer)",
    },
    AssumptionDef {
        statement: "Entra ID's device-code endpoint uses RFC 8628's slow_down answer and declines with authorization_declined.",
        source: "ms-api.md §2.3",
        used_by: "hybridsync_microsoft::identity (device-code polling)",
    },
    AssumptionDef {
        statement: "Graph answers a failed domain verify with 400 and error.code/error.message; the wizard shows Graph's message whatever it says.",
        source: "ms-api.md §3.4",
        used_by: "hybridsync_practice_tenant::graph_domains::VERIFY_FAILED_ERROR",
    },
    AssumptionDef {
        statement: "The service configuration records include an Autodiscover CNAME to autodiscover.outlook.com, carried in a canonicalName field.",
        source: "ms-api.md §3.3, §3.5",
        used_by: "hybridsync_practice_tenant::graph_domains::{AUTODISCOVER_TARGET, CNAME_FIELD}",
    },
    AssumptionDef {
        statement: "A profile that does not use Autodiscover points at https://outlook.office365.com/EWS/Exchange.asmx (the field report's recommendation).",
        source: "ms-api.md §6.1",
        used_by: "hybridsync_core::steps::profile::EXCHANGE_ONLINE_EWS_URL",
    },
    AssumptionDef {
        statement: "Approving a mailbox and scheduling Test & Enable through the Web API (emailrouteraccessapproval 1, testemailconfigurationscheduled true) is supported on premises.",
        source: "ms-api.md §6.2 (community practice, no Microsoft document)",
        used_by: "hybridsync_core::steps::mailboxes",
    },
    AssumptionDef {
        statement: "The CRM server's install folder is in HKLM:\\SOFTWARE\\Microsoft\\MSCRM (CRM_Server_InstallDir); the script falls back to the default Tools folder.",
        source: "not in ms-api.md",
        used_by: "hybridsync_core::steps::crm_script::INSTALL_DIR_REGISTRY_KEY",
    },
    AssumptionDef {
        statement: "A user has an Exchange Online mailbox licence when one of its SKUs carries an enabled EXCHANGE_S_STANDARD, EXCHANGE_S_ENTERPRISE, EXCHANGE_S_DESKLESS or EXCHANGE_S_ESSENTIALS service plan; a disabled account without a licence is a shared mailbox, which needs none.",
        source: "not in ms-api.md (Graph assignedLicense and subscribedSku reference; service-plan names from Microsoft's licensing reference)",
        used_by: "hybridsync_microsoft::users::EXCHANGE_MAILBOX_PLANS",
    },
    AssumptionDef {
        statement: "Graph accepts at most 15 values in one `mail in (…)` filter; the checks split larger sets.",
        source: "not in ms-api.md (Graph known issues: limits of the in operator)",
        used_by: "hybridsync_microsoft::users::IN_CLAUSE_LIMIT",
    },
];
