//! A run killed mid-step resumes without repeating the finished step. The test re-runs its own
//! binary as the child process that gets killed.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use hybridsync_core::journal::{Entry, Journal};
use hybridsync_core::{engine, Change, CheckReport, ErrorPayload, EventSink, Step, StepContext};

/// A step with one remote change; applying it appends a line to `effects` (the "remote" side).
struct Append {
    id: &'static str,
    effects: PathBuf,
    /// Before applying, wait until this file exists (lets the parent kill us mid-step).
    gate: Option<PathBuf>,
}

#[async_trait]
impl Step for Append {
    fn id(&self) -> &'static str {
        self.id
    }

    async fn check(&self, _ctx: &StepContext) -> Result<CheckReport, ErrorPayload> {
        Ok(CheckReport::default())
    }

    async fn plan(
        &self,
        _ctx: &StepContext,
        _seen: &CheckReport,
    ) -> Result<Vec<Change>, ErrorPayload> {
        Ok(vec![Change {
            target: format!("practice:{}", self.id),
            field: "value".into(),
            before: None,
            after: Some(serde_json::json!(self.id)),
        }])
    }

    async fn apply(&self, _ctx: &StepContext, _change: &Change) -> Result<(), ErrorPayload> {
        if let Some(gate) = &self.gate {
            while !gate.exists() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.effects)
            .unwrap();
        writeln!(f, "{}", self.id).unwrap();
        f.sync_all().unwrap();
        Ok(())
    }
}

async fn run_all(dir: &Path) -> Result<Vec<hybridsync_core::Outcome>, ErrorPayload> {
    let first = Append {
        id: "first",
        effects: dir.join("effects"),
        gate: None,
    };
    let second = Append {
        id: "second",
        effects: dir.join("effects"),
        gate: Some(dir.join("gate")),
    };
    let mut journal = Journal::open(&dir.join("journal.jsonl"))?;
    engine::run(
        &[&first, &second],
        &StepContext::new(EventSink::none()),
        &mut journal,
    )
    .await
}

/// The child: runs until killed (the gate never opens while it lives).
#[tokio::test]
async fn child_run() {
    let Some(dir) = std::env::var_os("HYBRIDSYNC_JOURNAL_CHILD") else {
        return;
    };
    let _ = run_all(Path::new(&dir)).await;
}

#[tokio::test]
async fn a_killed_run_resumes_without_repeating_the_finished_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_run", "--nocapture"])
        .env("HYBRIDSYNC_JOURNAL_CHILD", dir.path())
        .spawn()
        .unwrap();

    // Wait until the child has finished "first" and started "second".
    let journal_path = dir.path().join("journal.jsonl");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(&journal_path).unwrap_or_default();
        if text.contains("\"step\":\"second\"") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the child never reached the second step"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("effects")).unwrap(),
        "first\n"
    );

    // Restart: the gate is open now.
    std::fs::write(dir.path().join("gate"), "").unwrap();
    let outcomes = run_all(dir.path()).await.unwrap();
    assert!(outcomes[0].skipped_as_done, "the finished step ran again");
    assert!(!outcomes[1].skipped_as_done);
    assert_eq!(outcomes[1].applied.len(), 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("effects")).unwrap(),
        "first\nsecond\n"
    );

    // A third run changes nothing.
    let again = run_all(dir.path()).await.unwrap();
    assert!(again.iter().all(|o| o.skipped_as_done));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("effects")).unwrap(),
        "first\nsecond\n"
    );
}

#[test]
fn a_torn_last_line_is_ignored_and_the_change_redone() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("j.jsonl");
    {
        let mut j = Journal::open(&p).unwrap();
        j.record(
            "first",
            Entry::StepDone {
                facts: serde_json::json!({"tenant_id": "x"}),
            },
        )
        .unwrap();
    }
    let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
    f.write_all(b"{\"at\":\"2026-11-22T00:00:00Z\",\"step\":\"sec")
        .unwrap();
    drop(f);
    let mut j = Journal::open(&p).unwrap();
    assert!(j.step_done("first"));
    assert!(!j.step_done("second"));
    assert_eq!(j.facts("first").unwrap()["tenant_id"], "x");
    // The next record is not glued to the torn fragment.
    j.record(
        "second",
        Entry::StepDone {
            facts: serde_json::Value::Null,
        },
    )
    .unwrap();
    drop(j);
    assert!(Journal::open(&p).unwrap().step_done("second"));
}
