//! Step "Trust": the S2S certificate's public key on the Dynamics CRM service principal, over
//! Graph instead of the retired New-MsolServicePrincipalCredential / Set-MsolServicePrincipal
//! (ms-api.md §5.5). check reads the principal and its keys, plan shows the keyCredentials and
//! servicePrincipalNames diff, apply PATCHes and reads back with a single-object `$select` to
//! confirm. A re-run with the key in place changes nothing.
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine;
use hybridsync_microsoft::graph::RoleRequirement;
use hybridsync_microsoft::identity::scopes;
use hybridsync_microsoft::service_principal::{self as sp, KeyCredential, KeySummary, NewKey};
use hybridsync_microsoft::{require_role, Graph};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use ts_rs::TS;

use super::cert_health::{expiry_finding, Holder};
use crate::{Change, CheckReport, ErrorPayload, Finding, Severity, Step, StepContext};

pub const STEP_ID: &str = "trust";
pub const FIELD_KEYS: &str = "keyCredentials";
pub const FIELD_NAMES: &str = "servicePrincipalNames";
/// What the step signs in for: the user, their roles, and writing the service principal (ms-api.md §2.4).
/// Organization.Read.All reads the tenant's subscriptions (the Hybrid Connector; ms-api.md §4);
/// User.Read.All the mailbox users' addresses and licences for the troubleshooting checks.
pub const SCOPES: &[&str] = &[
    "offline_access",
    scopes::USER_READ,
    scopes::ROLES_READ,
    scopes::SERVICE_PRINCIPAL,
    scopes::ORGANIZATION_READ,
    scopes::USER_READ_ALL,
];

/// The certificate whose public key is uploaded (never the private key).
#[derive(Debug, Clone, PartialEq)]
pub struct TrustCertificate {
    pub der: Vec<u8>,
    pub subject: String,
    pub thumbprint: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl TrustCertificate {
    /// Reads a .cer/.crt/.pem or .pfx file (the password only for a PFX).
    pub fn from_file_bytes(
        bytes: &[u8],
        password: Option<&str>,
    ) -> Result<TrustCertificate, ErrorPayload> {
        let bad = |e: hybridsync_certs::CertError| {
            ErrorPayload::new("file_unreadable", e.to_string(), Some("certificate.choose"))
        };
        let found = hybridsync_certs::inspect_now(bytes, None, password).map_err(bad)?;
        let der = hybridsync_certs::certificate_der(bytes, password).map_err(bad)?;
        let parse = |s: &str| {
            OffsetDateTime::parse(s, &Rfc3339)
                .map_err(|e| ErrorPayload::internal(format!("certificate date {s}: {e}")))
        };
        Ok(TrustCertificate {
            der,
            subject: found.subject.clone(),
            thumbprint: found.thumbprint_sha1.clone(),
            not_before: parse(&found.not_before)?,
            not_after: parse(&found.not_after)?,
        })
    }

    fn new_key(&self) -> NewKey {
        NewKey {
            key: base64::engine::general_purpose::STANDARD.encode(&self.der),
            subject: self.subject.clone(),
            thumbprint: self.thumbprint.clone(),
            not_before: self.not_before,
            not_after: self.not_after,
        }
    }
}

/// What check saw and what apply would do: the step's facts and the UI's view of the diff.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct TrustFacts {
    pub service_principal_id: String,
    pub app_id: String,
    pub certificate_thumbprint: String,
    pub already_present: bool,
    pub keys_before: Vec<KeySummary>,
    pub keys_after: Vec<KeySummary>,
    pub keys_dropped: Vec<KeySummary>,
    pub names_before: Vec<String>,
    /// `None` when the names are as wanted.
    pub names_after: Option<Vec<String>>,
}

/// Whether the tenant holds the Dynamics 365 Hybrid Connector (seed 002: without it the CRM
/// script's S2STenantId part fails). A warning, not a stop: the SKU name it looks for is
/// UNCONFIRMED (ms-api.md §4), and the upload itself does not need it.
async fn connector_finding(graph: &Graph) -> Finding {
    match hybridsync_microsoft::skus::subscribed_skus(graph).await {
        Ok(list) => {
            let c = crate::checks::connector_check(&list);
            let saw = c.saw.unwrap_or_default();
            if c.passed {
                Finding::new("hybrid_connector_present", Severity::Info, format!("Hybrid Connector: {saw}"))
            } else {
                Finding::new(
                    "hybrid_connector_missing",
                    Severity::Warning,
                    format!("the tenant has no Dynamics 365 Hybrid Connector: {saw}. Without it the CRM script cannot set S2STenantId and the mailbox tests fail."),
                )
                .remediation("hybrid-connector.missing")
            }
        }
        Err(e) => Finding::new(
            "hybrid_connector_unknown",
            Severity::Info,
            format!("the tenant's subscriptions could not be read ({e}); the Hybrid Connector was not checked"),
        ),
    }
}

pub struct TrustStep {
    pub graph: Arc<Graph>,
    pub certificate: TrustCertificate,
    /// Also add `<appId>/*.<crm domain>` (the seeds' procedure; ms-api.md open question 2).
    pub crm_domain: Option<String>,
}

fn summaries(list: &[KeyCredential], new: &NewKey) -> Vec<KeySummary> {
    list.iter()
        .map(|k| {
            let mut s = k.summary();
            if k.key.as_deref() == Some(new.key.as_str()) && s.thumbprint.is_none() {
                s.thumbprint = Some(new.thumbprint.clone());
            }
            s
        })
        .collect()
}

impl TrustStep {
    /// Reads the principal and its keys, and plans. Refuses up front without the role.
    pub async fn look(&self) -> Result<(TrustFacts, Vec<Finding>), ErrorPayload> {
        let user = self.graph.signed_in_user().await?;
        require_role(&user, &RoleRequirement::SERVICE_PRINCIPAL)?;
        let found = sp::find_crm(&self.graph).await?;
        let keys = sp::read_keys(&self.graph, &found.id).await?;
        let now = OffsetDateTime::now_utc();
        let new = self.certificate.new_key();
        let plan = sp::plan_keys(&keys, &new, now);
        let names_after =
            sp::plan_names(&found.service_principal_names, self.crm_domain.as_deref());
        let mut findings = Vec::new();
        if let Some(f) = expiry_finding(
            Holder::Local,
            &format!("The certificate {}", self.certificate.subject),
            self.certificate.not_after,
            now,
        ) {
            findings.push(f);
        }
        for k in &keys {
            if let Some(end) = k.end() {
                let what = format!(
                    "The key {} ({}) on the Dynamics CRM service principal",
                    k.custom_key_identifier.as_deref().unwrap_or("?"),
                    k.display_name.as_deref().unwrap_or("no name")
                );
                findings.extend(expiry_finding(Holder::ServicePrincipal, &what, end, now));
            }
        }
        findings.push(connector_finding(&self.graph).await);
        if plan.already_present {
            findings.push(Finding::new(
                "trust_key_present",
                Severity::Info,
                format!(
                    "the certificate {} is already on the Dynamics CRM service principal",
                    new.thumbprint
                ),
            ));
        }
        let facts = TrustFacts {
            service_principal_id: found.id.clone(),
            app_id: found.app_id.clone(),
            certificate_thumbprint: new.thumbprint.clone(),
            already_present: plan.already_present,
            keys_before: summaries(&keys, &new),
            keys_after: summaries(&plan.list, &new),
            keys_dropped: summaries(&plan.dropped, &new),
            names_before: found.service_principal_names.clone(),
            names_after,
        };
        Ok((facts, findings))
    }

    fn target(id: &str) -> String {
        format!("graph:servicePrincipals/{id}")
    }

    /// The diff shown before anything changes.
    pub fn changes(facts: &TrustFacts) -> Vec<Change> {
        let mut out = Vec::new();
        if !facts.already_present || !facts.keys_dropped.is_empty() {
            out.push(Change {
                target: Self::target(&facts.service_principal_id),
                field: FIELD_KEYS.into(),
                before: serde_json::to_value(&facts.keys_before).ok(),
                after: serde_json::to_value(&facts.keys_after).ok(),
            });
        }
        if let Some(after) = &facts.names_after {
            out.push(Change {
                target: Self::target(&facts.service_principal_id),
                field: FIELD_NAMES.into(),
                before: serde_json::to_value(&facts.names_before).ok(),
                after: serde_json::to_value(after).ok(),
            });
        }
        out
    }

    async fn apply_keys(&self, id: &str) -> Result<(), ErrorPayload> {
        let new = self.certificate.new_key();
        // Plan again from what is there now: a change already made is a no-op.
        let keys = sp::read_keys(&self.graph, id).await?;
        let plan = sp::plan_keys(&keys, &new, OffsetDateTime::now_utc());
        if !plan.changes_anything() {
            return Ok(());
        }
        sp::patch_keys(&self.graph, id, &plan.list).await?;
        // ms-api.md §5.6: only a single-object $select returns the key; confirm with it.
        let back = sp::read_keys(&self.graph, id).await?;
        let there = back.iter().any(|k| {
            k.key.as_deref() == Some(new.key.as_str())
                && k.start()
                    == Some(
                        new.not_before
                            .replace_nanosecond(0)
                            .unwrap_or(new.not_before),
                    )
                && k.end() == Some(new.not_after.replace_nanosecond(0).unwrap_or(new.not_after))
        });
        if !there {
            return Err(ErrorPayload::new(
                "trust_not_confirmed",
                format!(
                    "Graph accepted the keyCredentials update but reading the service principal back does not show the certificate {} with its own dates; run the step again, and if it persists check the tenant's app-management policies",
                    new.thumbprint
                ),
                Some("certificate.upload-to-sp"),
            ));
        }
        Ok(())
    }

    async fn apply_names(&self) -> Result<(), ErrorPayload> {
        let found = sp::find_crm(&self.graph).await?;
        if let Some(names) =
            sp::plan_names(&found.service_principal_names, self.crm_domain.as_deref())
        {
            sp::patch_names(&self.graph, &found.id, &names).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Step for TrustStep {
    fn id(&self) -> &'static str {
        STEP_ID
    }

    async fn check(&self, ctx: &StepContext) -> Result<CheckReport, ErrorPayload> {
        ctx.events
            .progress(STEP_ID, 0, 2, "Reading the Dynamics CRM service principal");
        let (facts, findings) = self.look().await?;
        ctx.events.log(
            "info",
            format!(
                "service principal {}: {} key(s), certificate {} {}",
                facts.service_principal_id,
                facts.keys_before.len(),
                facts.certificate_thumbprint,
                if facts.already_present {
                    "already present"
                } else {
                    "not present"
                }
            ),
        );
        Ok(CheckReport {
            findings,
            facts: serde_json::to_value(&facts)
                .map_err(|e| ErrorPayload::internal(e.to_string()))?,
        })
    }

    async fn plan(
        &self,
        _ctx: &StepContext,
        seen: &CheckReport,
    ) -> Result<Vec<Change>, ErrorPayload> {
        let facts: TrustFacts = serde_json::from_value(seen.facts.clone())
            .map_err(|e| ErrorPayload::internal(e.to_string()))?;
        Ok(Self::changes(&facts))
    }

    async fn apply(&self, ctx: &StepContext, change: &Change) -> Result<(), ErrorPayload> {
        let id = change
            .target
            .strip_prefix("graph:servicePrincipals/")
            .unwrap_or_default();
        ctx.events.progress(
            STEP_ID,
            1,
            2,
            format!("Updating {} on the service principal", change.field),
        );
        match change.field.as_str() {
            FIELD_KEYS => self.apply_keys(id).await,
            FIELD_NAMES => self.apply_names().await,
            other => Err(ErrorPayload::internal(format!(
                "the trust step cannot apply {other}"
            ))),
        }
    }
}
