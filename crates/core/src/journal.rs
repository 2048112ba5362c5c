//! The run journal: append-only JSON lines, fsync per record. A restarted run reads it and skips
//! the steps and changes already done. It records facts and diffs, never a secret.
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Change, ErrorPayload};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    StepStarted,
    ChangeApplied { change: Change },
    StepDone { facts: Value },
    StepFailed { code: String, message: String },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    pub at: String,
    pub step: String,
    #[serde(flatten)]
    pub entry: Entry,
}

pub struct Journal {
    path: PathBuf,
    file: File,
    records: Vec<Record>,
    done_steps: HashSet<String>,
    done_changes: HashSet<(String, String)>,
}

/// The largest journal read back (a run records a few lines per change).
pub const MAX_JOURNAL_BYTES: u64 = 1024 * 1024 * 1024;

/// The records of a journal's text, one JSON object a line; an unreadable line (a torn write, a
/// line edited by hand) is skipped with a warning that names its number, not its content.
pub fn read_records(text: &str) -> Vec<Record> {
    let mut records = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(line) {
            Ok(r) => records.push(r),
            Err(e) => {
                tracing::warn!(line = n + 1, column = e.column(), kind = ?e.classify(), "ignoring an unreadable journal line")
            }
        }
    }
    records
}

impl Journal {
    /// Opens (or creates) a journal and reads what an earlier run recorded. A torn last line
    /// (the process died mid-write) is ignored: its change was not confirmed.
    pub fn open(path: &Path) -> Result<Journal, ErrorPayload> {
        let err = |e: std::io::Error| {
            ErrorPayload::new(
                "journal_unavailable",
                format!("cannot open the run journal {}: {e}", path.display()),
                Some("files.check-permissions"),
            )
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut records = Vec::new();
        let mut torn = false;
        if path.exists() {
            // Read once: the records, and whether the last write was cut off mid-line.
            let text = String::from_utf8_lossy(
                &hybridsync_files::read_limited(path, MAX_JOURNAL_BYTES).map_err(err)?,
            )
            .into_owned();
            torn = !text.is_empty() && !text.ends_with('\n');
            records = read_records(&text);
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(err)?;
        // After a torn write, start the next record on a line of its own.
        if torn {
            file.write_all(b"\n").map_err(err)?;
        }
        let mut j = Journal {
            path: path.to_path_buf(),
            file,
            records: Vec::new(),
            done_steps: HashSet::new(),
            done_changes: HashSet::new(),
        };
        for r in records {
            j.remember(r);
        }
        Ok(j)
    }

    fn remember(&mut self, r: Record) {
        match &r.entry {
            Entry::StepDone { .. } => {
                self.done_steps.insert(r.step.clone());
            }
            Entry::ChangeApplied { change } => {
                self.done_changes.insert((r.step.clone(), change.key()));
            }
            _ => {}
        }
        self.records.push(r);
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn step_done(&self, step: &str) -> bool {
        self.done_steps.contains(step)
    }

    pub fn change_done(&self, step: &str, change: &Change) -> bool {
        self.done_changes
            .contains(&(step.to_string(), change.key()))
    }

    /// The facts the step recorded when it finished.
    pub fn facts(&self, step: &str) -> Option<&Value> {
        self.records.iter().rev().find_map(|r| match &r.entry {
            Entry::StepDone { facts } if r.step == step => Some(facts),
            _ => None,
        })
    }

    /// Appends one record and forces it to disk before returning.
    pub fn record(&mut self, step: &str, entry: Entry) -> Result<(), ErrorPayload> {
        let rec = Record {
            at: crate::events::now_rfc3339(),
            step: step.to_string(),
            entry,
        };
        let mut line =
            serde_json::to_vec(&rec).map_err(|e| ErrorPayload::internal(e.to_string()))?;
        line.push(b'\n');
        let io = |e: std::io::Error| {
            ErrorPayload::new(
                "journal_write_failed",
                format!("cannot write the run journal {}: {e}", self.path.display()),
                Some("files.check-permissions"),
            )
        };
        self.file.write_all(&line).map_err(io)?;
        self.file.sync_data().map_err(io)?;
        self.remember(rec);
        Ok(())
    }
}
