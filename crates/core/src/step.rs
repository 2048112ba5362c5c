//! A wizard step: `check` reads the current state, `plan` lists the changes it would make (the diff
//! the admin sees first), `apply` makes one change, idempotently.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::{Change, ErrorPayload, EventSink, Finding, Severity};

#[derive(Clone)]
pub struct StepContext {
    pub events: EventSink,
    pub cancel: CancellationToken,
}

impl StepContext {
    pub fn new(events: EventSink) -> Self {
        StepContext {
            events,
            cancel: CancellationToken::new(),
        }
    }

    pub fn check_cancelled(&self) -> Result<(), ErrorPayload> {
        if self.cancel.is_cancelled() {
            Err(ErrorPayload::cancelled())
        } else {
            Ok(())
        }
    }
}

/// What `check` saw: findings, and the facts later steps (and the report) use.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckReport {
    pub findings: Vec<Finding>,
    pub facts: Value,
}

impl CheckReport {
    pub fn blocked(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// What a step did in a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub step: String,
    pub skipped_as_done: bool,
    pub findings: Vec<Finding>,
    pub applied: Vec<Change>,
    pub facts: Value,
}

#[async_trait]
pub trait Step: Send + Sync {
    /// Stable id, used by the journal (`tenant`, `domains`, …).
    fn id(&self) -> &'static str;

    async fn check(&self, ctx: &StepContext) -> Result<CheckReport, ErrorPayload>;

    /// The changes this step would make given what `check` saw. Read-only steps make none.
    async fn plan(
        &self,
        _ctx: &StepContext,
        _seen: &CheckReport,
    ) -> Result<Vec<Change>, ErrorPayload> {
        Ok(Vec::new())
    }

    /// Makes one planned change. Must be idempotent: applying a change already in place is a no-op.
    async fn apply(&self, _ctx: &StepContext, change: &Change) -> Result<(), ErrorPayload> {
        Err(ErrorPayload::internal(format!(
            "step {} planned a change it cannot apply: {}",
            self.id(),
            change.key()
        )))
    }
}
