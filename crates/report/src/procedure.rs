//! The seeds' procedure, step by step, and what the wizard does for each step.
//!
//! Seeds: `000_5e0830acdb90674a.txt` (part one of an Exchange-to-Office 365 hybrid migration guide,
//! then Microsoft's "Connect Dynamics 365 (on-premises) to Exchange Online" topic) and
//! `002_016bd37713a20598.txt` (a partner's real-life walk-through of the same setup).
use crate::model::{ProcedureRow, StepRecord};

/// One step of the seeds' procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedStep {
    pub seed_step: &'static str,
    pub source: &'static str,
    pub wizard: &'static str,
    pub step_id: Option<&'static str>,
}

const S000_EXO: &str = "seed 000 (Exchange hybrid migration, part one)";
const S000_CRM: &str = "seed 000 (Connect Dynamics 365 (on-premises) to Exchange Online)";
const S002: &str = "seed 002 (partner walk-through)";

/// Every step of the seeds' procedure, in the seeds' order.
pub const SEED_PROCEDURE: &[SeedStep] = &[
    SeedStep { seed_step: "Add every custom domain to the Office 365 tenant and verify it with a TXT record", source: S000_EXO, wizard: "Adds the domain through Graph, shows the TXT record, checks every authoritative name server, then calls verify", step_id: Some("domain") },
    SeedStep { seed_step: "Skip the Autodiscover and MX records while mail is still on-premises", source: S000_EXO, wizard: "Never applies serviceConfigurationRecords during the hybrid setup", step_id: Some("domain") },
    SeedStep { seed_step: "Add a routable UPN suffix and align each user's UserPrincipalName with the email address", source: S000_EXO, wizard: "Lists UPN suffixes and users whose UPN differs from the primary SMTP address", step_id: Some("directory") },
    SeedStep { seed_step: "Run IdFix against the domain and correct its findings", source: S000_EXO, wizard: "Checks the directory against Microsoft's attribute rules (IdFix is deprecated)", step_id: Some("directory") },
    SeedStep { seed_step: "Install Azure AD Connect with Exchange Hybrid Deployment and password hash sync", source: S000_EXO, wizard: "Left to the admin (Entra Connect installer); the wizard only checks that synced users appear", step_id: None },
    SeedStep { seed_step: "Publish Autodiscover, allow TCP/25 with Exchange Online Protection and outbound HTTPS", source: S000_EXO, wizard: "Probes DNS, HTTPS and TLS to the Microsoft endpoints", step_id: Some("connectivity") },
    SeedStep { seed_step: "Verify prerequisites: IFD configured, Dynamics reachable from the Internet", source: S002, wizard: "Probes the CRM URL over HTTPS (IFD: UNCONFIRMED whether still required)", step_id: Some("connectivity") },
    SeedStep { seed_step: "Purchase the free Dynamics 365 Hybrid Connector (needs a billing method)", source: S002, wizard: "Checks /subscribedSkus for the connector; purchasing is left to the admin", step_id: Some("trust") },
    SeedStep { seed_step: "Get an X.509 certificate; export it as Base-64 .cer and as .pfx with the private key", source: S002, wizard: "Loads the PFX, checks KeySpec, key, chain and expiry, and derives the public certificate itself", step_id: Some("certificate") },
    SeedStep { seed_step: "Install the Sign-In Assistant and the Azure AD (MSOnline) PowerShell module", source: S002, wizard: "Not needed: the wizard signs in with OAuth and calls Microsoft Graph (MSOnline is retired)", step_id: Some("signin") },
    SeedStep { seed_step: "Run CertificateReconfiguration.ps1 -certificateType S2STokenIssuer -updateCrm -serviceAccount <async service account>", source: S000_CRM, wizard: "Generates the exact command for the CRM server, with the async service account", step_id: Some("crm_script") },
    SeedStep { seed_step: "Connect-MsolService as a Global Administrator", source: S000_CRM, wizard: "OAuth sign-in; checks the account's directory roles", step_id: Some("signin") },
    SeedStep { seed_step: "New-MsolServicePrincipalCredential: add the certificate to service principal 00000007-0000-0000-c000-000000000000", source: S000_CRM, wizard: "Graph PATCH keyCredentials: keeps valid keys, drops expired ones, skips an existing key, sends the certificate's own dates", step_id: Some("trust") },
    SeedStep { seed_step: "Set-MsolServicePrincipal: add the service principal name", source: S000_CRM, wizard: "Graph PATCH servicePrincipalNames when 00000007-0000-0000-c000-000000000000 is missing", step_id: Some("trust") },
    SeedStep { seed_step: "Set-CrmAdvancedSetting ServerSettings: S2SDefaultAuthorizationServerPrincipalId and S2SDefaultAuthorizationServerMetadataUrl", source: S000_CRM, wizard: "Generated in the CRM server script with the exact values (GCC High URL when needed)", step_id: Some("crm_script") },
    SeedStep { seed_step: "Get-MsolCompanyInformation: read the tenant ID", source: S000_CRM, wizard: "Reads the tenant ID from the OpenID document and Graph /organization and compares them", step_id: Some("tenant") },
    SeedStep { seed_step: "Set S2STenantId for the organization", source: S000_CRM, wizard: "Generated in the CRM server script for the organization's unique name", step_id: Some("crm_script") },
    SeedStep { seed_step: "Run ConfigureCrmServerSideSync.ps1 (rootDomainName, privateKeyPassword, cerFilePath, pfxFilePath, organizationName, o365AdminEmail)", source: S002, wizard: "Replaced by the trust step (Graph) and the generated CRM server script; no password is typed into a script", step_id: Some("trust") },
    SeedStep { seed_step: "Create the Exchange Online (Hybrid) email server profile; Use Default Tenant ID; Autodiscover off with https://outlook.office365.com/EWS/Exchange.asmx", source: S000_CRM, wizard: "Creates or updates the profile through the Dynamics Web API", step_id: Some("profile") },
    SeedStep { seed_step: "Test Connection on the profile", source: S000_CRM, wizard: "Runs the profile test and reads the alerts", step_id: Some("profile") },
    SeedStep { seed_step: "Email Configuration Settings: make server-side synchronization the default", source: S000_CRM, wizard: "Sets the organization's default profile and delivery methods", step_id: Some("profile") },
    SeedStep { seed_step: "Configure mailboxes: server profile and delivery methods", source: S000_CRM, wizard: "Bulk update of the selected mailboxes ($batch)", step_id: Some("mailboxes") },
    SeedStep { seed_step: "Approve Email for each mailbox", source: S000_CRM, wizard: "Bulk approval of the selected mailboxes", step_id: Some("mailboxes") },
    SeedStep { seed_step: "Test & Enable Mailboxes and review the alerts", source: S000_CRM, wizard: "Schedules the test, polls the statuses and maps each alert to a troubleshooting entry", step_id: Some("mailboxes") },
];

/// The procedure map for a run: each seed step with the status of the wizard step that covers it.
pub fn procedure_map(steps: &[StepRecord]) -> Vec<ProcedureRow> {
    SEED_PROCEDURE
        .iter()
        .map(|s| ProcedureRow {
            seed_step: s.seed_step.to_string(),
            source: s.source.to_string(),
            wizard: s.wizard.to_string(),
            step_id: s.step_id.map(str::to_string),
            status: s
                .step_id
                .and_then(|id| steps.iter().find(|r| r.id == id))
                .map(|r| r.status),
        })
        .collect()
}
