//! Step "Tenant": the tenant ID from a domain (or a tenant GUID), without sign-in (ms-api.md §1.1).
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use hybridsync_microsoft::discovery::{discover, DiscoveryTarget};
use hybridsync_microsoft::{Authority, HttpOptions, IssuerForm, Transport};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CheckReport, ErrorPayload, Finding, Severity, Step, StepContext};

pub const STEP_ID: &str = "tenant";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct DiscoverRequest {
    /// A domain of the organisation or its tenant ID.
    pub input: String,
    /// `worldwide`, `usgov`, `china` or an https URL.
    pub authority: String,
    pub ca_file: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct TenantReport {
    pub input: String,
    /// Lower-case GUID.
    pub tenant_id: String,
    pub authority: String,
    pub issuer: String,
    pub issuer_form: IssuerForm,
    pub tenant_region_scope: Option<String>,
    pub cloud_instance_name: Option<String>,
    pub msgraph_host: Option<String>,
    pub token_endpoint: String,
    pub findings: Vec<Finding>,
}

/// Regions `tenant_region_scope` gives for the US Government clouds (3P dumps; the set is not
/// documented, so anything else is treated as a commercial region).
const US_GOVERNMENT_SCOPES: &[&str] = &["USGov", "USG", "DOD", "DoD"];

pub async fn discover_tenant(
    req: &DiscoverRequest,
    ctx: &StepContext,
    timeout: Duration,
) -> Result<TenantReport, ErrorPayload> {
    let target = DiscoveryTarget::parse(&req.input)?;
    let authority = Authority::parse(&req.authority)?;
    let transport = Transport::new(&HttpOptions {
        ca_file: req
            .ca_file
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(PathBuf::from),
        timeout,
    })?;
    ctx.events.progress(
        STEP_ID,
        0,
        1,
        format!("Asking {} about {}", authority.base(), target.as_str()),
    );
    ctx.events.log(
        "info",
        format!("looking up {} at {}", target.as_str(), authority.base()),
    );
    let found = tokio::select! {
        r = discover(&transport, &authority, &target) => r,
        _ = ctx.cancel.cancelled() => return Err(ErrorPayload::cancelled()),
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => {
            ctx.events.log("error", e.to_string());
            return Err(e.into());
        }
    };
    ctx.events.progress(STEP_ID, 1, 1, "Tenant found");
    ctx.events.log(
        "info",
        format!("tenant ID {} ({})", found.tenant_id, found.document_url),
    );

    let mut findings = vec![Finding::new(
        "tenant_found",
        Severity::Info,
        format!(
            "{} belongs to the Microsoft 365 tenant {}",
            target.as_str(),
            found.tenant_id
        ),
    )
    .evidence(format!("issuer: {}", found.issuer))
    .evidence(format!("document: {}", found.document_url))];
    if let Some(scope) = &found.tenant_region_scope {
        if US_GOVERNMENT_SCOPES.contains(&scope.as_str()) && authority != Authority::UsGovernment {
            findings.push(
                Finding::new(
                    "tenant_in_other_cloud",
                    Severity::Warning,
                    format!("the tenant's region scope is {scope}: it lives in a US Government cloud. Sign in and run the later steps against the US Government authority (login.microsoftonline.us)."),
                )
                .evidence(format!("tenant_region_scope: {scope}"))
                .remediation("tenant.choose-cloud"),
            );
        }
    }
    if found.issuer_form == IssuerForm::V1 {
        findings.push(
            Finding::new(
                "tenant_v1_document",
                Severity::Info,
                "the authority served only the v1 OpenID document; the tenant ID was taken from its sts.windows.net issuer",
            )
            .evidence(format!("issuer: {}", found.issuer)),
        );
    }
    Ok(TenantReport {
        input: target.as_str().to_string(),
        tenant_id: found.tenant_id,
        authority: authority.base(),
        issuer: found.issuer,
        issuer_form: found.issuer_form,
        tenant_region_scope: found.tenant_region_scope,
        cloud_instance_name: found.cloud_instance_name,
        msgraph_host: found.msgraph_host,
        token_endpoint: found.token_endpoint,
        findings,
    })
}

/// The Tenant step in the engine: read-only, so it plans no change; its facts are the report.
pub struct TenantStep {
    pub request: DiscoverRequest,
    pub timeout: Duration,
}

#[async_trait]
impl Step for TenantStep {
    fn id(&self) -> &'static str {
        STEP_ID
    }

    async fn check(&self, ctx: &StepContext) -> Result<CheckReport, ErrorPayload> {
        match discover_tenant(&self.request, ctx, self.timeout).await {
            Ok(report) => Ok(CheckReport {
                findings: report.findings.clone(),
                facts: serde_json::to_value(&report)
                    .map_err(|e| ErrorPayload::internal(e.to_string()))?,
            }),
            Err(e) if e.code == "tenant_not_found" => Ok(CheckReport {
                findings: vec![Finding {
                    code: e.code,
                    severity: Severity::Error,
                    message: e.message,
                    evidence: vec![format!("input: {}", self.request.input)],
                    remediation: e.remediation,
                }],
                facts: serde_json::Value::Null,
            }),
            Err(e) => Err(e),
        }
    }
}
