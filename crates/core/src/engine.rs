//! Runs steps in order through check → plan → apply, recording each applied change in the journal
//! before moving on, so a killed run resumes where it stopped.
use crate::journal::{Entry, Journal};
use crate::{ErrorPayload, Outcome, Step, StepContext};

pub async fn run(
    steps: &[&dyn Step],
    ctx: &StepContext,
    journal: &mut Journal,
) -> Result<Vec<Outcome>, ErrorPayload> {
    let mut outcomes = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let id = step.id();
        ctx.events.progress(
            id,
            i as u32,
            steps.len() as u32,
            format!("step {} of {}", i + 1, steps.len()),
        );
        if journal.step_done(id) {
            ctx.events.log(
                "info",
                format!("{id}: already done in an earlier run, skipped"),
            );
            outcomes.push(Outcome {
                step: id.into(),
                skipped_as_done: true,
                findings: Vec::new(),
                applied: Vec::new(),
                facts: journal.facts(id).cloned().unwrap_or_default(),
            });
            continue;
        }
        ctx.check_cancelled()?;
        journal.record(id, Entry::StepStarted)?;
        let seen = step.check(ctx).await.map_err(|e| failed(journal, id, e))?;
        if seen.blocked() {
            let first = seen
                .findings
                .iter()
                .find(|f| f.severity == crate::Severity::Error);
            let e = ErrorPayload {
                code: first.map(|f| f.code.clone()).unwrap_or_default(),
                message: first.map(|f| f.message.clone()).unwrap_or_default(),
                remediation: first.and_then(|f| f.remediation.clone()),
            };
            return Err(failed(journal, id, e));
        }
        let changes = step
            .plan(ctx, &seen)
            .await
            .map_err(|e| failed(journal, id, e))?;
        let mut applied = Vec::new();
        for change in &changes {
            if journal.change_done(id, change) {
                ctx.events.log(
                    "info",
                    format!("{id}: {} already applied, skipped", change.key()),
                );
                continue;
            }
            ctx.check_cancelled()?;
            step.apply(ctx, change)
                .await
                .map_err(|e| failed(journal, id, e))?;
            journal.record(
                id,
                Entry::ChangeApplied {
                    change: change.clone(),
                },
            )?;
            applied.push(change.clone());
        }
        journal.record(
            id,
            Entry::StepDone {
                facts: seen.facts.clone(),
            },
        )?;
        outcomes.push(Outcome {
            step: id.into(),
            skipped_as_done: false,
            findings: seen.findings,
            applied,
            facts: seen.facts,
        });
    }
    ctx.events
        .progress("run", steps.len() as u32, steps.len() as u32, "done");
    Ok(outcomes)
}

fn failed(journal: &mut Journal, step: &str, e: ErrorPayload) -> ErrorPayload {
    let _ = journal.record(
        step,
        Entry::StepFailed {
            code: e.code.clone(),
            message: e.message.clone(),
        },
    );
    e
}
