//! The run report's model. It has no field for a secret: tokens, passwords and private keys have no
//! place to go, and [`crate::redact`] masks anything secret-looking that slips into free text.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// The report format version; bump it when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything one run of the wizard did, for change boards and auditors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub schema_version: u32,
    pub run_id: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub generated_at: OffsetDateTime,
    /// A dry run plans and checks but changes nothing.
    pub dry_run: bool,
    /// Who ran it (the signed-in account's UPN), when known.
    pub operator: Option<String>,
    pub environment: Environment,
    pub steps: Vec<StepRecord>,
    pub mailboxes: Vec<MailboxRow>,
    pub findings: Vec<FindingRecord>,
    pub certificates: Vec<CertificateRecord>,
    /// The UNCONFIRMED facts the run relied on.
    pub assumptions: Vec<Assumption>,
    /// Each step of the seeds' (Microsoft's and the admins') procedure → what the wizard did.
    pub procedure: Vec<ProcedureRow>,
}

/// Versions, cloud, tenant and CRM organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    pub hybridsync_version: String,
    pub os: String,
    /// `Global`, `USGovernment`, … (the authority used).
    pub cloud: String,
    pub tenant_id: Option<String>,
    pub tenant_domain: Option<String>,
    pub crm_url: Option<String>,
    pub crm_organization: Option<String>,
    pub crm_version: Option<String>,
    /// Anything else worth recording (resolver, proxy, Exchange endpoint…).
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Checked; nothing needed changing.
    Passed,
    /// Changes were applied.
    Changed,
    /// Would change (dry run) or waits for the admin's commit.
    Planned,
    /// A script or instruction was handed to the admin.
    Manual,
    Skipped,
    Failed,
}

impl StepStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Changed => "changed",
            StepStatus::Planned => "planned",
            StepStatus::Manual => "manual",
            StepStatus::Skipped => "skipped",
            StepStatus::Failed => "failed",
        }
    }
}

/// One wizard step as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step id (`tenant`, `signin`, `certificate`, `trust`, `crm_script`, `profile`, `mailboxes`…).
    pub id: String,
    pub title: String,
    pub status: StepStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// What the step's check saw (calls made, values read).
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub changes: Vec<ChangeRecord>,
}

/// One change: the before and after of a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// e.g. `graph:servicePrincipals/00000007-0000-0000-c000-000000000000`.
    pub target: String,
    /// e.g. `keyCredentials`.
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// False in a dry run, or when the apply failed.
    pub applied: bool,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub at: Option<OffsetDateTime>,
}

/// The outcome of one Test & Enable test (`incomingemailstatus` etc.: 0 not run, 1 success, 2 failure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    NotRun,
    Success,
    Failure,
}

impl TestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::NotRun => "not run",
            TestStatus::Success => "success",
            TestStatus::Failure => "failure",
        }
    }
}

/// Where a mailbox ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailboxStatus {
    /// Tested and enabled: green.
    Enabled,
    Failed,
    /// Disabled by Dynamics (permanent error, or 10 transient failures).
    Disabled,
    /// The test job had not finished when the run ended.
    Pending,
    /// Not selected for this run.
    Skipped,
}

impl MailboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailboxStatus::Enabled => "enabled",
            MailboxStatus::Failed => "failed",
            MailboxStatus::Disabled => "disabled",
            MailboxStatus::Pending => "pending",
            MailboxStatus::Skipped => "skipped",
        }
    }
}

/// One row of the mailbox table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailboxRow {
    pub address: String,
    pub name: Option<String>,
    pub approved: Option<bool>,
    pub incoming: TestStatus,
    pub outgoing: TestStatus,
    /// Appointments, contacts and tasks.
    pub act: TestStatus,
    pub status: MailboxStatus,
    /// The remediation id of the entry that explains a failure.
    pub remediation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The troubleshooting entry behind a finding, as the knowledge base gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remediation {
    pub id: String,
    pub title: Option<String>,
    #[serde(default)]
    pub instructions: Vec<String>,
}

/// A finding (hybridsync-core's `Finding`), with its remediation spelt out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingRecord {
    /// The step that raised it.
    pub step: Option<String>,
    pub code: String,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub evidence: Vec<String>,
    pub remediation: Option<Remediation>,
}

/// A certificate the run saw (in Dynamics, on the service principal, on a server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateRecord {
    /// e.g. `Dynamics S2STokenIssuer`, `keyCredential on SP 00000007-…`.
    pub role: String,
    pub subject: String,
    /// SHA-1 thumbprint, hex.
    pub thumbprint: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
}

/// A fact the run relied on that no source confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assumption {
    pub statement: String,
    /// Where it comes from (`ms-api.md §6.2`, …).
    pub source: String,
    /// What in this run depended on it.
    pub used_by: Option<String>,
}

/// One step of the seeds' procedure and what the wizard did for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcedureRow {
    /// The step as the seed tells it.
    pub seed_step: String,
    /// The seed file (and part).
    pub source: String,
    /// What the wizard does instead or how it does it.
    pub wizard: String,
    /// The wizard step that covers it; `None` when the wizard leaves it to the admin.
    pub step_id: Option<String>,
    /// That step's status in this run (`None`: not part of this run).
    pub status: Option<StepStatus>,
}
