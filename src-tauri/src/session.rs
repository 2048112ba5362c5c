//! This window's run journal: every change the wizard makes from the app is recorded here (one
//! journal file per apply, in one folder per session), and the run report is built from it.
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

use hybridsync_core::journal::{Entry, Journal, Record};
use hybridsync_core::{Change, ErrorPayload};
use hybridsync_report::FindingRecord;

pub struct Session {
    dir: PathBuf,
    next: AtomicU32,
    /// The troubleshooting cards shown in this window, as report findings, one per failure (keyed),
    /// in the order first seen; the flag: a check confirmed the card's cause.
    cards: Mutex<Vec<(String, bool, FindingRecord)>>,
}

impl Session {
    /// A new session folder under the data folder's `journals/` (named by the start time, UTC).
    pub fn start() -> Session {
        let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
        let stamp = time::OffsetDateTime::now_utc()
            .format(&fmt)
            .unwrap_or_else(|_| "session".into());
        Session::in_dir(
            hybridsync_core::paths::data_dir()
                .join("journals")
                .join(format!("wizard-{stamp}")),
        )
    }

    pub fn in_dir(dir: PathBuf) -> Session {
        Session {
            dir,
            next: AtomicU32::new(1),
            cards: Mutex::new(Vec::new()),
        }
    }

    /// Keeps the card shown for failure `key`. The same failure shown again replaces it, except that
    /// a card whose cause a check confirmed is kept: shown again after the fix, its checks pass, and
    /// the report must still say what was wrong.
    pub fn note_card(&self, key: String, confirmed: bool, finding: FindingRecord) {
        let mut cards = self.cards.lock().unwrap_or_else(|e| e.into_inner());
        match cards.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, was_confirmed, f)) if confirmed || !*was_confirmed => {
                *was_confirmed = confirmed;
                *f = finding;
            }
            Some(_) => {}
            None => cards.push((key, confirmed, finding)),
        }
    }

    /// The cards shown in this window, as findings.
    pub fn cards(&self) -> Vec<FindingRecord> {
        self.cards
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(_, _, f)| f.clone())
            .collect()
    }

    /// A fresh journal file for one apply of `step`: a re-apply later in the session is a new run,
    /// while a run restarted with its own journal still skips what it did.
    pub fn next_journal(&self, step: &str) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        self.dir.join(format!("{n:03}-{step}.jsonl"))
    }

    /// Records a change made outside the engine (e.g. a domain added) as a run of its own.
    pub fn record_change(&self, step: &str, change: Change) -> Result<(), ErrorPayload> {
        let mut j = Journal::open(&self.next_journal(step))?;
        j.record(step, Entry::StepStarted)?;
        j.record(step, Entry::ChangeApplied { change })?;
        j.record(
            step,
            Entry::StepDone {
                facts: serde_json::Value::Null,
            },
        )
    }

    /// Every record of this session, oldest first.
    pub fn records(&self) -> Result<Vec<Record>, ErrorPayload> {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&self.dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(ErrorPayload::new(
                    "file_unreadable",
                    format!(
                        "cannot read the session journals in {}: {e}",
                        self.dir.display()
                    ),
                    Some("files.check-permissions"),
                ))
            }
        };
        files.sort();
        let mut out = Vec::new();
        for f in files {
            out.extend(Journal::open(&f)?.records().iter().cloned());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_recorded_one_run_each_and_read_back_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let s = Session::in_dir(dir.path().join("s"));
        assert!(s.records().expect("empty").is_empty());
        for (i, d) in ["a.example", "b.example"].iter().enumerate() {
            s.record_change(
                "domains",
                Change {
                    target: format!("graph:domains/{d}"),
                    field: "isVerified".into(),
                    before: Some(json!(false)),
                    after: Some(json!(i == 0)),
                },
            )
            .expect("recorded");
        }
        let r = s.records().expect("records");
        assert_eq!(r.len(), 6);
        let targets: Vec<String> = r
            .iter()
            .filter_map(|x| match &x.entry {
                Entry::ChangeApplied { change } => Some(change.target.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            targets,
            ["graph:domains/a.example", "graph:domains/b.example"]
        );
    }

    #[test]
    fn a_confirmed_card_stays_in_the_report_when_the_same_failure_is_shown_again_after_the_fix() {
        let s = Session::in_dir(std::path::PathBuf::from("unused"));
        let finding = |message: &str| FindingRecord {
            step: Some("troubleshooting".into()),
            code: "s2s.failed-authentication".into(),
            severity: hybridsync_report::Severity::Error,
            message: message.into(),
            evidence: vec![],
            remediation: None,
        };
        s.note_card("a".into(), false, finding("not checked yet"));
        s.note_card("a".into(), true, finding("key missing, confirmed"));
        s.note_card(
            "a".into(),
            false,
            finding("after the fix: every check passes"),
        );
        s.note_card("b".into(), false, finding("another failure"));
        let messages: Vec<String> = s.cards().into_iter().map(|f| f.message).collect();
        assert_eq!(messages, ["key missing, confirmed", "another failure"]);
    }
}
