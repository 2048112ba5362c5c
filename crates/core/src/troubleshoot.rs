//! The troubleshooting card: what the UI and the CLI show for a failed item. It is built from the
//! knowledge base (crates/diagnosis): the symptom, the most likely cause first, what the wizard
//! checked and saw for each cause, and the fix (a wizard action or exact instructions).
use hybridsync_diagnosis::{
    CauseStatus, CheckOutcome, CheckResults, Diagnosis, Entry, KnowledgeBase, Symptom,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ErrorPayload, Finding};

/// What failed, as the wizard saw it. Give what you have; the more, the better the ranking.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct TroubleshootRequest {
    /// A finding or error code.
    pub code: Option<String>,
    /// Alert text, script output or an error body.
    pub text: Option<String>,
    pub http_status: Option<u16>,
    pub www_authenticate: Option<String>,
    /// The remediation id an error or finding carried: the entry to show when nothing else matches.
    pub remediation: Option<String>,
    /// Results of the automatic checks already run: check id → "passed" | "failed".
    #[serde(default)]
    pub checks: Vec<CheckResult>,
    /// The failed mailboxes (Dynamics ids) the automatic checks read.
    #[serde(default)]
    pub mailbox_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct CheckResult {
    pub id: String,
    pub passed: bool,
    /// What the wizard saw (shown on the card under the check).
    #[serde(default)]
    pub saw: Option<String>,
}

impl From<&ErrorPayload> for TroubleshootRequest {
    fn from(e: &ErrorPayload) -> Self {
        TroubleshootRequest {
            code: Some(e.code.clone()),
            text: Some(e.message.clone()),
            remediation: e.remediation.clone(),
            ..TroubleshootRequest::default()
        }
    }
}

impl From<&Finding> for TroubleshootRequest {
    fn from(f: &Finding) -> Self {
        let mut text = f.message.clone();
        for line in &f.evidence {
            text.push('\n');
            text.push_str(line);
        }
        TroubleshootRequest {
            code: Some(f.code.clone()),
            text: Some(text),
            remediation: f.remediation.clone(),
            ..TroubleshootRequest::default()
        }
    }
}

/// One troubleshooting card.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct Card {
    /// The knowledge-base entry (the remediation id).
    pub entry_id: String,
    pub title: String,
    /// The symptom as the knowledge base describes it.
    pub symptom: String,
    /// How the failure matched the entry: "code", "http", "text" or "remediation".
    pub matched_by: String,
    /// The part of the failure that matched.
    pub matched: String,
    /// Best first.
    pub causes: Vec<CardCause>,
    pub fix: CardFix,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct CardCause {
    pub rank: u32,
    pub text: String,
    /// "confirmed" (a check failed), "possible" or "ruled_out" (every check passed).
    pub status: String,
    /// What the wizard can check for this cause, and what it saw.
    pub checks: Vec<CardCheck>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct CardCheck {
    pub id: String,
    pub description: String,
    /// "passed", "failed" or "not_run".
    pub outcome: String,
    /// What the wizard saw when it ran the check.
    pub saw: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct CardFix {
    /// A wizard action the fix button triggers.
    pub action: Option<CardAction>,
    /// Exact instructions when the fix is outside the wizard's reach (or to explain the action).
    pub instructions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct CardAction {
    pub id: String,
    pub label: String,
}

/// The card for a failure, or `None` when the knowledge base does not know it.
pub fn card(req: &TroubleshootRequest) -> Option<Card> {
    card_in(KnowledgeBase::load(), req)
}

/// [`card`] against a given knowledge base.
pub fn card_in(kb: &KnowledgeBase, req: &TroubleshootRequest) -> Option<Card> {
    let symptom = Symptom {
        code: req.code.clone(),
        text: req.text.clone(),
        http_status: req.http_status,
        www_authenticate: req.www_authenticate.clone(),
    };
    let mut results = CheckResults::new();
    for c in &req.checks {
        results.set(
            &c.id,
            if c.passed {
                CheckOutcome::Passed
            } else {
                CheckOutcome::Failed
            },
        );
    }
    if let Some(d) = kb.diagnose_with(&symptom, &results).into_iter().next() {
        return Some(from_diagnosis(kb, &d, req));
    }
    let entry = kb.entry(req.remediation.as_deref()?)?;
    Some(from_entry(kb, entry, &results, req))
}

fn from_diagnosis(kb: &KnowledgeBase, d: &Diagnosis<'_>, req: &TroubleshootRequest) -> Card {
    let matched_by = serde_json::to_value(d.matched.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let causes = d
        .causes
        .iter()
        .map(|rc| CardCause {
            rank: rc.cause.rank,
            text: rc.cause.text.clone(),
            status: status_name(rc.status).into(),
            checks: rc
                .cause
                .checks
                .iter()
                .map(|id| {
                    check(
                        kb,
                        id,
                        rc.checks.iter().find(|(c, _)| c == id).map(|(_, o)| *o),
                        saw(req, id),
                    )
                })
                .collect(),
        })
        .collect();
    Card {
        matched_by,
        matched: d.matched.excerpt.clone(),
        causes,
        ..base(kb, d.entry)
    }
}

fn from_entry(
    kb: &KnowledgeBase,
    entry: &Entry,
    results: &CheckResults,
    req: &TroubleshootRequest,
) -> Card {
    let mut causes = entry.causes.clone();
    causes.sort_by_key(|c| c.rank);
    Card {
        matched_by: "remediation".into(),
        matched: entry.id.clone(),
        causes: causes
            .iter()
            .map(|c| CardCause {
                rank: c.rank,
                text: c.text.clone(),
                status: "possible".into(),
                checks: c
                    .checks
                    .iter()
                    .map(|id| check(kb, id, Some(results.get(id)), saw(req, id)))
                    .collect(),
            })
            .collect(),
        ..base(kb, entry)
    }
}

fn base(kb: &KnowledgeBase, entry: &Entry) -> Card {
    Card {
        entry_id: entry.id.clone(),
        title: entry.title.clone(),
        symptom: entry.symptom.clone(),
        matched_by: String::new(),
        matched: String::new(),
        causes: Vec::new(),
        fix: CardFix {
            action: entry
                .fix
                .action
                .as_deref()
                .and_then(|id| kb.action(id))
                .map(|a| CardAction {
                    id: a.id.clone(),
                    label: a.label.clone(),
                }),
            instructions: entry.fix.instructions.clone(),
        },
        sources: entry.source.clone(),
    }
}

fn saw(req: &TroubleshootRequest, id: &str) -> Option<String> {
    req.checks
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.saw.clone())
}

fn check(
    kb: &KnowledgeBase,
    id: &str,
    outcome: Option<CheckOutcome>,
    saw: Option<String>,
) -> CardCheck {
    CardCheck {
        saw,
        id: id.to_string(),
        description: kb
            .check(id)
            .map(|c| c.description.clone())
            .unwrap_or_default(),
        outcome: match outcome {
            Some(CheckOutcome::Passed) => "passed",
            Some(CheckOutcome::Failed) => "failed",
            Some(CheckOutcome::Unknown) | None => "not_run",
        }
        .into(),
    }
}

fn status_name(s: CauseStatus) -> &'static str {
    match s {
        CauseStatus::Confirmed => "confirmed",
        CauseStatus::Possible => "possible",
        CauseStatus::RuledOut => "ruled_out",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req_text(t: &str) -> TroubleshootRequest {
        TroubleshootRequest {
            text: Some(t.into()),
            ..TroubleshootRequest::default()
        }
    }

    #[test]
    fn a_seed_error_text_opens_its_entry_with_causes_and_a_fix() {
        // The Hybrid Connector error of the seeds' CertificateReconfiguration.ps1 run.
        let c = card(&req_text(
            "You cannot call a method on a null-valued expression. Process Failed.",
        ))
        .expect("a card");
        assert_eq!(c.entry_id, "hybrid-connector.missing");
        assert_eq!(c.matched_by, "text");
        assert!(!c.causes.is_empty());
        assert_eq!(c.causes[0].rank, 1, "{:?}", c.causes);
        assert!(c.fix.action.is_some() || !c.fix.instructions.is_empty());
        assert!(!c.sources.is_empty());
    }

    #[test]
    fn a_failed_check_confirms_its_cause_and_moves_it_first() {
        let mut req = TroubleshootRequest {
            code: None,
            text: Some("HTTP 401".into()),
            http_status: Some(401),
            www_authenticate: Some(
                r#"Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", error="invalid_token""#.into(),
            ),
            ..TroubleshootRequest::default()
        };
        let before = card(&req).expect("a card");
        assert_eq!(before.entry_id, "ews.token-rejected");
        let last = before.causes.last().expect("causes");
        let Some(check_id) = last.checks.first().map(|c| c.id.clone()) else {
            // Every cause of this entry names a check; a knowledge-base change that drops them
            // should fail here rather than pass vacuously.
            panic!("the last cause of ews.token-rejected has no check: {last:?}");
        };
        req.checks.push(CheckResult {
            id: check_id.clone(),
            passed: false,
            saw: Some("seen by the test".into()),
        });
        let after = card(&req).expect("a card");
        let first = &after.causes[0];
        assert_eq!(first.status, "confirmed");
        assert!(first.checks.iter().any(|c| c.id == check_id
            && c.outcome == "failed"
            && c.saw.as_deref() == Some("seen by the test")));
    }

    #[test]
    fn an_error_payload_with_a_known_remediation_gets_that_entry() {
        let e = ErrorPayload::new(
            "something_new",
            "an error the knowledge base has no pattern for",
            Some("tls.custom-ca"),
        );
        let c = card(&TroubleshootRequest::from(&e)).expect("a card");
        assert_eq!(c.entry_id, "tls.custom-ca");
        assert_eq!(c.matched_by, "remediation");
        assert!(c.causes.iter().all(|x| x.status == "possible"));
    }

    #[test]
    fn an_unknown_failure_has_no_card() {
        assert!(card(&req_text("zzz nothing like any known error zzz")).is_none());
    }
}
