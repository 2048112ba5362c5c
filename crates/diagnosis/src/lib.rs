//! The troubleshooting knowledge base of hybridsync, kept as data (`knowledge.toml`).
//!
//! A [`Symptom`] (a finding code, alert text, script output or error body, an HTTP status and a
//! `WWW-Authenticate` header) is matched against the entries; each matching entry becomes a
//! [`Diagnosis`] with its causes ranked, and the ranking follows the automatic checks the wizard ran
//! ([`CheckResults`]): a cause whose check failed rises to first, one whose checks all passed drops
//! to the end.
//!
//! ```
//! use hybridsync_diagnosis::{KnowledgeBase, Symptom};
//! let kb = KnowledgeBase::load();
//! let found = kb.diagnose(&Symptom::text("Error: Failed Authentication."));
//! assert_eq!(found[0].entry.id, "s2s.failed-authentication");
//! ```
//!
//! This crate does not depend on `hybridsync-core`; the core maps its `Finding`s to a [`Symptom`].
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use time::Date;

/// The knowledge base as shipped, embedded at build time.
pub const KNOWLEDGE_TOML: &str = include_str!("../knowledge.toml");

/// Why a knowledge base file was refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the knowledge base is not valid TOML: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("entry {entry}: the regex {pattern:?} does not compile: {source}")]
    Regex {
        entry: String,
        pattern: String,
        #[source]
        source: regex::Error,
    },
    #[error("the knowledge base is inconsistent: {0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong, as the wizard saw it. Every field is optional; give what you have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Symptom {
    /// A finding or error code (`tenant_not_found`, `mailbox_not_approved`, …).
    pub code: Option<String>,
    /// Alert text, trace text, script output or an error body.
    pub text: Option<String>,
    pub http_status: Option<u16>,
    /// The `WWW-Authenticate` header of a 401 answer.
    pub www_authenticate: Option<String>,
}

impl Symptom {
    pub fn code(code: impl Into<String>) -> Symptom {
        Symptom {
            code: Some(code.into()),
            ..Symptom::default()
        }
    }

    pub fn text(text: impl Into<String>) -> Symptom {
        Symptom {
            text: Some(text.into()),
            ..Symptom::default()
        }
    }

    pub fn http(status: u16, www_authenticate: Option<&str>) -> Symptom {
        Symptom {
            http_status: Some(status),
            www_authenticate: www_authenticate.map(str::to_string),
            ..Symptom::default()
        }
    }

    pub fn with_text(mut self, text: impl Into<String>) -> Symptom {
        self.text = Some(text.into());
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Symptom {
        self.code = Some(code.into());
        self
    }
}

/// An automatic check the wizard can run (each reuses a step's read-only `check()`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckDef {
    pub id: String,
    pub description: String,
}

/// A wizard action a fix button can trigger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDef {
    pub id: String,
    pub label: String,
}

/// A raw-error pattern. Every field set must match.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// Regex over [`Symptom::text`].
    pub text: Option<String>,
    /// Regex over [`Symptom::www_authenticate`].
    pub www_authenticate: Option<String>,
    /// Exact [`Symptom::http_status`].
    pub http_status: Option<u16>,
    #[serde(skip)]
    text_re: Option<Regex>,
    #[serde(skip)]
    www_re: Option<Regex>,
}

/// One possible cause of an entry's symptom.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cause {
    /// 1 is the most likely when nothing else is known.
    pub rank: u32,
    pub text: String,
    /// The checks that confirm (a check failed) or rule out (all passed) this cause.
    #[serde(default)]
    pub checks: Vec<String>,
    /// A regex over the symptom text that points at this cause (it then ranks first among the unchecked).
    pub when_text: Option<String>,
    pub source: Option<String>,
    #[serde(skip)]
    when_re: Option<Regex>,
}

/// The fix: a wizard action, exact instructions, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    pub action: Option<String>,
    #[serde(default)]
    pub instructions: Vec<String>,
}

/// One troubleshooting entry; its `id` is the remediation id findings and errors carry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub symptom: String,
    /// ms-api.md section / seed file / support article code.
    pub source: Vec<String>,
    #[serde(default)]
    pub codes: Vec<String>,
    #[serde(default)]
    pub supersedes: Vec<String>,
    #[serde(default, rename = "pattern")]
    pub patterns: Vec<Pattern>,
    #[serde(rename = "cause")]
    pub causes: Vec<Cause>,
    pub fix: Fix,
}

/// The EWS retirement dates (D-EXO, ms-api.md §5.1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EwsRetirementDates {
    pub block_from: String,
    pub ends_on: String,
    pub source: String,
}

/// Where today falls in the EWS retirement, for the pre-flight banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum EwsPhase {
    /// EWS still works for everyone; blocking starts in `days_to_block` days.
    Open {
        days_to_block: i64,
        days_to_end: i64,
    },
    /// Only allow-listed apps/tenants keep EWS; it ends in `days_to_end` days.
    AllowListOnly {
        days_since_block: i64,
        days_to_end: i64,
    },
    /// EWS is off in Exchange Online.
    Ended { days_since_end: i64 },
}

impl EwsRetirementDates {
    fn dates(&self) -> Result<(Date, Date)> {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let parse = |s: &str| {
            Date::parse(s, &fmt)
                .map_err(|e| Error::Invalid(format!("ews_retirement date {s:?}: {e}")))
        };
        Ok((parse(&self.block_from)?, parse(&self.ends_on)?))
    }

    /// The phase on `today`.
    pub fn phase(&self, today: Date) -> EwsPhase {
        let (block, end) = self.dates().expect("validated at load");
        if today < block {
            EwsPhase::Open {
                days_to_block: (block - today).whole_days(),
                days_to_end: (end - today).whole_days(),
            }
        } else if today < end {
            EwsPhase::AllowListOnly {
                days_since_block: (today - block).whole_days(),
                days_to_end: (end - today).whole_days(),
            }
        } else {
            EwsPhase::Ended {
                days_since_end: (today - end).whole_days(),
            }
        }
    }
}

/// The whole knowledge base.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeBase {
    pub ews_retirement: EwsRetirementDates,
    #[serde(rename = "check")]
    pub checks: Vec<CheckDef>,
    #[serde(rename = "action")]
    pub actions: Vec<ActionDef>,
    #[serde(rename = "entry")]
    pub entries: Vec<Entry>,
}

/// The result of one automatic check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckOutcome {
    Passed,
    Failed,
    Unknown,
}

/// What the wizard's automatic checks saw: check id → outcome. Missing means unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CheckResults(pub BTreeMap<String, CheckOutcome>);

impl CheckResults {
    pub fn new() -> CheckResults {
        CheckResults::default()
    }

    pub fn set(&mut self, check: &str, outcome: CheckOutcome) -> &mut Self {
        self.0.insert(check.to_string(), outcome);
        self
    }

    pub fn with(mut self, check: &str, outcome: CheckOutcome) -> Self {
        self.set(check, outcome);
        self
    }

    pub fn get(&self, check: &str) -> CheckOutcome {
        self.0.get(check).copied().unwrap_or(CheckOutcome::Unknown)
    }
}

/// How a symptom matched an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// Free text (alert, script output, error body).
    Text,
    /// HTTP status and/or `WWW-Authenticate`.
    Http,
    /// An exact finding or error code.
    Code,
}

/// The pattern that matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matched {
    pub kind: MatchKind,
    /// The code, or the regex(es) that matched.
    pub pattern: String,
    /// The part of the symptom that matched (at most 200 characters).
    pub excerpt: String,
}

/// What the checks say about a cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseStatus {
    /// One of its checks failed: this is (one of) the cause(s).
    Confirmed,
    /// Not checked, or no check could tell.
    Possible,
    /// All its checks passed.
    RuledOut,
}

/// A cause in a diagnosis, with what the wizard checked and saw.
#[derive(Debug, Clone, Serialize)]
pub struct RankedCause<'kb> {
    pub cause: &'kb Cause,
    pub status: CauseStatus,
    /// The symptom text points at this cause (`when_text`).
    pub hinted: bool,
    pub checks: Vec<(String, CheckOutcome)>,
}

/// One entry that explains the symptom, with its causes ranked best first.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis<'kb> {
    pub entry: &'kb Entry,
    pub matched: Matched,
    pub causes: Vec<RankedCause<'kb>>,
}

impl<'kb> Diagnosis<'kb> {
    /// The most likely cause (never `None`: every entry has causes).
    pub fn top_cause(&self) -> Option<&RankedCause<'kb>> {
        self.causes.first()
    }

    /// Re-rank the causes after new check results (the Re-test button).
    pub fn rerank(&mut self, results: &CheckResults) {
        for c in &mut self.causes {
            c.checks = c
                .cause
                .checks
                .iter()
                .map(|id| (id.clone(), results.get(id)))
                .collect();
            c.status = cause_status(&c.checks);
        }
        // Stable: status first, then a text hint, then the base rank.
        self.causes
            .sort_by_key(|c| (c.status, !c.hinted, c.cause.rank));
    }

    fn confirmed(&self) -> bool {
        self.causes
            .iter()
            .any(|c| c.status == CauseStatus::Confirmed)
    }

    fn all_ruled_out(&self) -> bool {
        self.causes
            .iter()
            .all(|c| c.status == CauseStatus::RuledOut)
    }
}

fn cause_status(checks: &[(String, CheckOutcome)]) -> CauseStatus {
    if checks.iter().any(|(_, o)| *o == CheckOutcome::Failed) {
        CauseStatus::Confirmed
    } else if !checks.is_empty() && checks.iter().all(|(_, o)| *o == CheckOutcome::Passed) {
        CauseStatus::RuledOut
    } else {
        CauseStatus::Possible
    }
}

fn excerpt(s: &str) -> String {
    s.chars().take(200).collect()
}

impl Pattern {
    fn matches(&self, s: &Symptom) -> Option<Matched> {
        let mut pieces = Vec::new();
        let mut shown = Vec::new();
        if let Some(status) = self.http_status {
            if s.http_status != Some(status) {
                return None;
            }
            pieces.push(format!("HTTP {status}"));
            shown.push(format!("HTTP {status}"));
        }
        if let Some(re) = &self.www_re {
            let m = re.find(s.www_authenticate.as_deref()?)?;
            pieces.push(format!("WWW-Authenticate ~ {}", re.as_str()));
            shown.push(m.as_str().to_string());
        }
        if let Some(re) = &self.text_re {
            let m = re.find(s.text.as_deref()?)?;
            pieces.push(re.as_str().to_string());
            shown.push(m.as_str().to_string());
        }
        if pieces.is_empty() {
            return None;
        }
        let kind = if self.text_re.is_some() && self.www_re.is_none() && self.http_status.is_none()
        {
            MatchKind::Text
        } else {
            MatchKind::Http
        };
        Some(Matched {
            kind,
            pattern: pieces.join(" + "),
            excerpt: excerpt(&shown.join(" ")),
        })
    }
}

impl Entry {
    /// The best way this entry matches the symptom, if it does.
    pub fn matches(&self, s: &Symptom) -> Option<Matched> {
        if let Some(code) = &s.code {
            if self.codes.iter().any(|c| c == code) {
                return Some(Matched {
                    kind: MatchKind::Code,
                    pattern: code.clone(),
                    excerpt: code.clone(),
                });
            }
        }
        self.patterns
            .iter()
            .filter_map(|p| p.matches(s))
            .max_by_key(|m| m.kind)
    }
}

static KB: OnceLock<KnowledgeBase> = OnceLock::new();

impl KnowledgeBase {
    /// The embedded knowledge base, parsed and validated once.
    pub fn load() -> &'static KnowledgeBase {
        KB.get_or_init(|| {
            KnowledgeBase::from_toml(KNOWLEDGE_TOML).unwrap_or_else(|e| {
                panic!("the embedded knowledge.toml is invalid (a test guards this): {e}")
            })
        })
    }

    /// Parse, compile and validate a knowledge base.
    pub fn from_toml(text: &str) -> Result<KnowledgeBase> {
        let mut kb: KnowledgeBase = toml::from_str(text)?;
        let compile = |entry: &str, re: &str| {
            Regex::new(re).map_err(|source| Error::Regex {
                entry: entry.to_string(),
                pattern: re.to_string(),
                source,
            })
        };
        for e in &mut kb.entries {
            for p in &mut e.patterns {
                p.text_re = p.text.as_deref().map(|r| compile(&e.id, r)).transpose()?;
                p.www_re = p
                    .www_authenticate
                    .as_deref()
                    .map(|r| compile(&e.id, r))
                    .transpose()?;
            }
            for c in &mut e.causes {
                c.when_re = c
                    .when_text
                    .as_deref()
                    .map(|r| compile(&e.id, r))
                    .transpose()?;
            }
        }
        kb.validate()?;
        Ok(kb)
    }

    fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::Invalid(m));
        self.ews_retirement.dates()?;
        let checks: HashSet<&str> = self.checks.iter().map(|c| c.id.as_str()).collect();
        let actions: HashSet<&str> = self.actions.iter().map(|a| a.id.as_str()).collect();
        let ids: HashSet<&str> = self.entries.iter().map(|e| e.id.as_str()).collect();
        if ids.len() != self.entries.len() {
            return bad("two entries share an id".into());
        }
        let mut codes = HashSet::new();
        for e in &self.entries {
            if e.source.iter().all(|s| s.trim().is_empty()) {
                return bad(format!("entry {} has no source", e.id));
            }
            if e.title.trim().is_empty() || e.symptom.trim().is_empty() {
                return bad(format!("entry {} needs a title and a symptom", e.id));
            }
            if e.codes.is_empty() && e.patterns.is_empty() {
                return bad(format!(
                    "entry {} can never match: no codes and no patterns",
                    e.id
                ));
            }
            for c in &e.codes {
                if !codes.insert(c.as_str()) {
                    return bad(format!("code {c} is claimed by two entries"));
                }
            }
            for p in &e.patterns {
                if p.text.is_none() && p.www_authenticate.is_none() && p.http_status.is_none() {
                    return bad(format!("entry {} has an empty pattern", e.id));
                }
            }
            if e.causes.is_empty() {
                return bad(format!("entry {} has no causes", e.id));
            }
            let mut ranks: Vec<u32> = e.causes.iter().map(|c| c.rank).collect();
            ranks.sort_unstable();
            if ranks != (1..=e.causes.len() as u32).collect::<Vec<_>>() {
                return bad(format!(
                    "entry {}: cause ranks must be 1..={}",
                    e.id,
                    e.causes.len()
                ));
            }
            for c in &e.causes {
                if let Some(unknown) = c.checks.iter().find(|k| !checks.contains(k.as_str())) {
                    return bad(format!("entry {}: unknown check {unknown}", e.id));
                }
            }
            if e.fix.action.is_none() && e.fix.instructions.is_empty() {
                return bad(format!("entry {} has no fix", e.id));
            }
            if let Some(a) = &e.fix.action {
                if !actions.contains(a.as_str()) {
                    return bad(format!("entry {}: unknown action {a}", e.id));
                }
            }
            if let Some(s) = e
                .supersedes
                .iter()
                .find(|s| !ids.contains(s.as_str()) || *s == &e.id)
            {
                return bad(format!("entry {}: supersedes unknown entry {s}", e.id));
            }
        }
        Ok(())
    }

    /// The entry for a remediation id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    pub fn check(&self, id: &str) -> Option<&CheckDef> {
        self.checks.iter().find(|c| c.id == id)
    }

    pub fn action(&self, id: &str) -> Option<&ActionDef> {
        self.actions.iter().find(|a| a.id == id)
    }

    /// The entries that explain the symptom, best first, before any check ran.
    pub fn diagnose(&self, symptom: &Symptom) -> Vec<Diagnosis<'_>> {
        self.diagnose_with(symptom, &CheckResults::default())
    }

    /// The entries that explain the symptom, best first, with causes ranked by the check results.
    ///
    /// Order: how the entry matched (code, then HTTP, then text), then entries with a confirmed cause,
    /// then entries not entirely ruled out, then the knowledge base's order.
    pub fn diagnose_with(&self, symptom: &Symptom, results: &CheckResults) -> Vec<Diagnosis<'_>> {
        let text = symptom.text.as_deref().unwrap_or("");
        let mut found: Vec<Diagnosis<'_>> = self
            .entries
            .iter()
            .filter_map(|entry| {
                let matched = entry.matches(symptom)?;
                let causes = entry
                    .causes
                    .iter()
                    .map(|cause| RankedCause {
                        cause,
                        status: CauseStatus::Possible,
                        hinted: cause.when_re.as_ref().is_some_and(|re| re.is_match(text)),
                        checks: Vec::new(),
                    })
                    .collect();
                let mut d = Diagnosis {
                    entry,
                    matched,
                    causes,
                };
                d.rerank(results);
                Some(d)
            })
            .collect();
        let superseded: HashSet<&str> = found
            .iter()
            .flat_map(|d| d.entry.supersedes.iter().map(String::as_str))
            .collect();
        found.retain(|d| !superseded.contains(d.entry.id.as_str()));
        found.sort_by_key(|d| {
            std::cmp::Reverse((d.matched.kind, d.confirmed(), !d.all_ruled_out()))
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_knowledge_base_is_refused_with_the_reason() {
        let base = KNOWLEDGE_TOML;
        let cases = [
            (
                base.replacen(
                    "checks = [\"crm_certificate_installed\"]",
                    "checks = [\"no_such_check\"]",
                    1,
                ),
                "unknown check",
            ),
            (
                base.replacen(
                    "action = \"certificate.upload-to-sp\"",
                    "action = \"no.such-action\"",
                    1,
                ),
                "unknown action",
            ),
            (
                base.replacen(
                    "text = '(?i)\\bFailed Authentication\\b'",
                    "text = '(?i)(unclosed'",
                    1,
                ),
                "does not compile",
            ),
            (
                base.replacen(
                    "block_from = \"2026-10-01\"",
                    "block_from = \"2026-13-01\"",
                    1,
                ),
                "ews_retirement",
            ),
            (
                base.replacen(
                    "codes = [\"timeout\", \"network\"]",
                    "codes = [\"timeout\", \"tenant_not_found\"]",
                    1,
                ),
                "claimed by two",
            ),
        ];
        for (text, want) in cases {
            assert_ne!(
                text, base,
                "the test's replacement did not apply for {want}"
            );
            let err = KnowledgeBase::from_toml(&text).expect_err(want).to_string();
            assert!(err.contains(want), "{err:?} should mention {want:?}");
        }
    }

    #[test]
    fn an_entry_without_a_source_is_refused() {
        let text = KNOWLEDGE_TOML.replacen(
            "source = [\"crates/microsoft/src/error.rs (invalid_input)\"]",
            "source = []",
            1,
        );
        assert_ne!(text, KNOWLEDGE_TOML);
        let err = KnowledgeBase::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("input.fix-value has no source"), "{err}");
    }
}
