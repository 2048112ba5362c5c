//! The Domains step in the engine: check → plan → apply, idempotent, journalled by the engine.
use std::sync::Arc;

use async_trait::async_trait;
use hybridsync_microsoft::{require_role, Graph, RoleRequirement, SignedInUser};
use serde_json::json;

use super::{add, status, verify, DomainRequest, DomainStatus, STEP_ID};
use crate::{Change, CheckReport, ErrorPayload, Step, StepContext};

/// The Domains step in the engine: check = [`status`]; plan = add the domain when absent, verify
/// when every authoritative server has the record; apply each, idempotently.
pub struct DomainStep {
    pub graph: Arc<Graph>,
    pub user: SignedInUser,
    pub request: DomainRequest,
}

fn target(domain: &str) -> String {
    format!("graph:domains/{domain}")
}

#[async_trait]
impl Step for DomainStep {
    fn id(&self) -> &'static str {
        STEP_ID
    }

    async fn check(&self, _ctx: &StepContext) -> Result<CheckReport, ErrorPayload> {
        let s = status(&self.graph, &self.request).await?;
        Ok(CheckReport {
            findings: s.findings.clone(),
            facts: serde_json::to_value(&s).map_err(|e| ErrorPayload::internal(e.to_string()))?,
        })
    }

    async fn plan(
        &self,
        _ctx: &StepContext,
        seen: &CheckReport,
    ) -> Result<Vec<Change>, ErrorPayload> {
        let s: DomainStatus = serde_json::from_value(seen.facts.clone())
            .map_err(|e| ErrorPayload::internal(e.to_string()))?;
        let mut changes = Vec::new();
        if s.tenant.is_none() {
            changes.push(Change {
                target: target(&s.domain),
                field: "id".into(),
                before: None,
                after: Some(json!(s.domain)),
            });
        }
        let ready = s.dns.as_ref().is_some_and(|d| d.ready);
        if s.tenant.as_ref().is_some_and(|d| !d.is_verified) && ready {
            changes.push(Change {
                target: target(&s.domain),
                field: "isVerified".into(),
                before: Some(json!(false)),
                after: Some(json!(true)),
            });
        }
        if !changes.is_empty() {
            require_role(&self.user, &RoleRequirement::DOMAINS)?;
        }
        Ok(changes)
    }

    async fn apply(&self, _ctx: &StepContext, change: &Change) -> Result<(), ErrorPayload> {
        match change.field.as_str() {
            "id" => add(&self.graph, &self.user, &self.request)
                .await
                .map(|_| ()),
            "isVerified" => verify(&self.graph, &self.user, &self.request)
                .await
                .map(|_| ()),
            other => Err(ErrorPayload::internal(format!(
                "the Domains step cannot apply a change to {other}"
            ))),
        }
    }
}
