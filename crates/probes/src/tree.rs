//! The result: a pass/fail tree like Microsoft Remote Connectivity
//! Analyzer's, each node with a finding code and what to do about it.

use serde::Serialize;
use ts_rs::TS;

/// How one check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ProbeStatus")]
pub enum Status {
    /// Fine.
    Pass,
    /// Not checked (an earlier check failed, or nothing to check).
    Skip,
    /// Works, but needs attention (e.g. a certificate expiring soon).
    Warn,
    /// Broken.
    Fail,
}

/// One check and the checks under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProbeNode {
    /// What was checked, e.g. "Certificate covers autodiscover.contoso.com".
    pub title: String,
    pub status: Status,
    /// Stable finding code (`cert_name_mismatch`, `smtp_fixup_banner`, …).
    pub code: String,
    /// What was seen.
    pub detail: String,
    /// What to do when it is not a pass.
    pub remediation: Option<String>,
    pub children: Vec<ProbeNode>,
}

impl ProbeNode {
    pub fn leaf(
        title: impl Into<String>,
        status: Status,
        code: &str,
        detail: impl Into<String>,
    ) -> Self {
        ProbeNode {
            title: title.into(),
            status,
            code: code.to_string(),
            detail: detail.into(),
            remediation: None,
            children: Vec::new(),
        }
    }

    pub fn pass(title: impl Into<String>, code: &str, detail: impl Into<String>) -> Self {
        Self::leaf(title, Status::Pass, code, detail)
    }

    pub fn fail(
        title: impl Into<String>,
        code: &str,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::leaf(title, Status::Fail, code, detail).fix(fix)
    }

    pub fn warn(
        title: impl Into<String>,
        code: &str,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::leaf(title, Status::Warn, code, detail).fix(fix)
    }

    pub fn skip(title: impl Into<String>, code: &str, detail: impl Into<String>) -> Self {
        Self::leaf(title, Status::Skip, code, detail)
    }

    /// Set the remediation.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.remediation = Some(fix.into());
        self
    }

    /// A parent whose status is the worst of its children's (pass when it has
    /// none); its code is that of the first worst child, or `ok_code`.
    pub fn group(title: impl Into<String>, ok_code: &str, children: Vec<ProbeNode>) -> Self {
        let worst = children
            .iter()
            .map(|c| c.status)
            .filter(|s| *s != Status::Skip)
            .max()
            .unwrap_or(Status::Pass);
        let (code, detail, remediation) = match children
            .iter()
            .find(|c| c.status == worst && worst != Status::Pass)
        {
            Some(c) => (c.code.clone(), c.detail.clone(), c.remediation.clone()),
            None => (ok_code.to_string(), String::new(), None),
        };
        ProbeNode {
            title: title.into(),
            status: worst,
            code,
            detail,
            remediation,
            children,
        }
    }

    /// This node and every node under it, depth first.
    pub fn walk(&self) -> Vec<&ProbeNode> {
        let mut out = vec![self];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }

    /// The first node (depth first) with this code.
    pub fn find(&self, code: &str) -> Option<&ProbeNode> {
        self.walk().into_iter().find(|n| n.code == code)
    }
}
