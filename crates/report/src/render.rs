//! Shared rendering helpers and the Markdown renderer.
use std::fmt::Write;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::model::*;

pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// A change value as one line of compact JSON (`—` when absent).
pub(crate) fn value_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

pub(crate) struct Summary {
    pub steps: usize,
    pub steps_failed: usize,
    pub changes: usize,
    pub changes_applied: usize,
    pub mailboxes: usize,
    pub mailboxes_enabled: usize,
    pub mailboxes_failed: usize,
    /// enabled, failed, disabled, pending, skipped
    pub by_status: [usize; 5],
    pub errors: usize,
    pub certificates_expiring: usize,
}

pub(crate) fn summary(r: &RunReport) -> Summary {
    let mut by_status = [0usize; 5];
    for m in &r.mailboxes {
        by_status[match m.status {
            MailboxStatus::Enabled => 0,
            MailboxStatus::Failed => 1,
            MailboxStatus::Disabled => 2,
            MailboxStatus::Pending => 3,
            MailboxStatus::Skipped => 4,
        }] += 1;
    }
    let changes = r.steps.iter().map(|s| s.changes.len()).sum();
    let changes_applied = r
        .steps
        .iter()
        .flat_map(|s| &s.changes)
        .filter(|c| c.applied)
        .count();
    Summary {
        steps: r.steps.len(),
        steps_failed: r
            .steps
            .iter()
            .filter(|s| s.status == StepStatus::Failed)
            .count(),
        changes,
        changes_applied,
        mailboxes: r.mailboxes.len(),
        mailboxes_enabled: by_status[0],
        mailboxes_failed: by_status[1] + by_status[2],
        by_status,
        errors: r
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count(),
        certificates_expiring: r
            .certificates
            .iter()
            .filter(|c| (c.not_after - r.generated_at).whole_days() <= 30)
            .count(),
    }
}

/// Escape text for a Markdown table cell or paragraph: no markup, no raw HTML, one line.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn cell(s: &str) -> String {
    md_escape(s)
}

fn opt(s: Option<&str>) -> String {
    s.map(cell).unwrap_or_else(|| "—".into())
}

/// Render an already redacted report as Markdown.
pub(crate) fn markdown(r: &RunReport) -> String {
    let s = summary(r);
    let mut o = String::with_capacity(4096 + r.mailboxes.len() * 120);
    let _ = writeln!(o, "# {}\n", md_escape(&r.title));
    let _ = writeln!(
        o,
        "Run {} · generated {} · {}{}\n",
        md_escape(&r.run_id),
        rfc3339(r.generated_at),
        if r.dry_run {
            "dry run (nothing was changed)"
        } else {
            "changes applied"
        },
        r.operator
            .as_deref()
            .map(|op| format!(" · operator {}", md_escape(op)))
            .unwrap_or_default()
    );

    o.push_str("## Summary\n\n");
    let _ = writeln!(o, "- Steps: {} ({} failed)", s.steps, s.steps_failed);
    let _ = writeln!(
        o,
        "- Changes applied: {} of {}",
        s.changes_applied, s.changes
    );
    let _ = writeln!(
        o,
        "- Mailboxes: {} of {} enabled, {} failed or disabled",
        s.mailboxes_enabled, s.mailboxes, s.mailboxes_failed
    );
    let _ = writeln!(o, "- Error findings: {}", s.errors);
    let _ = writeln!(
        o,
        "- Certificates expired or expiring within 30 days: {}\n",
        s.certificates_expiring
    );

    let e = &r.environment;
    o.push_str("## Environment\n\n| Item | Value |\n|---|---|\n");
    let rows: [(&str, Option<&str>); 8] = [
        ("hybridsync", Some(&e.hybridsync_version)),
        ("Operating system", Some(&e.os)),
        ("Cloud", Some(&e.cloud)),
        ("Tenant ID", e.tenant_id.as_deref()),
        ("Tenant domain", e.tenant_domain.as_deref()),
        ("CRM URL", e.crm_url.as_deref()),
        ("CRM organization", e.crm_organization.as_deref()),
        ("CRM version", e.crm_version.as_deref()),
    ];
    for (k, v) in rows {
        let _ = writeln!(o, "| {k} | {} |", opt(v));
    }
    for (k, v) in &e.extra {
        let _ = writeln!(o, "| {} | {} |", cell(k), cell(v));
    }

    o.push_str("\n## Steps\n\n");
    for st in &r.steps {
        let _ = writeln!(
            o,
            "### {} — {}\n\n`{}` · started {} · {} · {} change(s)\n",
            md_escape(&st.title),
            st.status.as_str(),
            md_escape(&st.id).replace('`', ""),
            rfc3339(st.started_at),
            st.finished_at
                .map(|f| format!("finished {}", rfc3339(f)))
                .unwrap_or_else(|| "not finished".into()),
            st.changes.len()
        );
        for ev in &st.evidence {
            let _ = writeln!(o, "- {}", md_escape(ev));
        }
        if !st.evidence.is_empty() {
            o.push('\n');
        }
    }

    o.push_str("## Changes (before and after)\n\n");
    if s.changes == 0 {
        o.push_str("No change was planned or made.\n\n");
    } else {
        o.push_str("| Step | Target | Field | Before | After | Applied | At |\n|---|---|---|---|---|---|---|\n");
        for st in &r.steps {
            for c in &st.changes {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    cell(&st.id),
                    cell(&c.target),
                    cell(&c.field),
                    cell(&value_text(c.before.as_ref())),
                    cell(&value_text(c.after.as_ref())),
                    if c.applied { "applied" } else { "not applied" },
                    c.at.map(rfc3339).unwrap_or_else(|| "—".into())
                );
            }
        }
        o.push('\n');
    }

    o.push_str("## Mailboxes\n\n");
    let _ = writeln!(
        o,
        "{} mailboxes: {} enabled, {} failed, {} disabled, {} pending, {} skipped.\n",
        s.mailboxes, s.by_status[0], s.by_status[1], s.by_status[2], s.by_status[3], s.by_status[4]
    );
    if !r.mailboxes.is_empty() {
        o.push_str("| Mailbox | Name | Approved | Incoming | Outgoing | ACT | Final status | Remediation |\n|---|---|---|---|---|---|---|---|\n");
        for m in &r.mailboxes {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} | **{}** | {} |",
                cell(&m.address),
                opt(m.name.as_deref()),
                match m.approved {
                    Some(true) => "yes",
                    Some(false) => "no",
                    None => "—",
                },
                m.incoming.as_str(),
                m.outgoing.as_str(),
                m.act.as_str(),
                m.status.as_str(),
                opt(m.remediation.as_deref())
            );
        }
        o.push('\n');
    }

    o.push_str("## Findings and remediation\n\n");
    if r.findings.is_empty() {
        o.push_str("No findings.\n\n");
    }
    for f in &r.findings {
        let _ = writeln!(
            o,
            "- **{}** `{}`{}: {}",
            f.severity.as_str(),
            md_escape(&f.code).replace('`', ""),
            f.step
                .as_deref()
                .map(|s| format!(" (step {})", md_escape(s)))
                .unwrap_or_default(),
            md_escape(&f.message)
        );
        for ev in &f.evidence {
            let _ = writeln!(o, "  - evidence: {}", md_escape(ev));
        }
        if let Some(rem) = &f.remediation {
            let _ = writeln!(
                o,
                "  - remediation `{}`{}",
                md_escape(&rem.id).replace('`', ""),
                rem.title
                    .as_deref()
                    .map(|t| format!(": {}", md_escape(t)))
                    .unwrap_or_default()
            );
            for (i, step) in rem.instructions.iter().enumerate() {
                let _ = writeln!(o, "    {}. {}", i + 1, md_escape(step));
            }
        }
    }
    o.push('\n');

    o.push_str("## Certificates\n\n");
    if r.certificates.is_empty() {
        o.push_str("No certificate was read.\n\n");
    } else {
        o.push_str("| Role | Subject | Thumbprint | Not before | Not after | Expiry |\n|---|---|---|---|---|---|\n");
        for c in &r.certificates {
            let (_, text) = crate::html::expiry(r.generated_at, c.not_after);
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&c.role),
                cell(&c.subject),
                opt(c.thumbprint.as_deref()),
                rfc3339(c.not_before),
                rfc3339(c.not_after),
                text
            );
        }
        o.push('\n');
    }

    o.push_str("## Assumptions (UNCONFIRMED facts used)\n\n");
    if r.assumptions.is_empty() {
        o.push_str("None.\n\n");
    } else {
        o.push_str("| Status | Statement | Source | Used by |\n|---|---|---|---|\n");
        for a in &r.assumptions {
            let _ = writeln!(
                o,
                "| UNCONFIRMED | {} | {} | {} |",
                cell(&a.statement),
                cell(&a.source),
                opt(a.used_by.as_deref())
            );
        }
        o.push('\n');
    }

    o.push_str("## The documented procedure and what the wizard did\n\n| # | Step of the procedure | Source | What the wizard did | Wizard step | Status in this run |\n|---|---|---|---|---|---|\n");
    for (i, p) in r.procedure.iter().enumerate() {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            i + 1,
            cell(&p.seed_step),
            cell(&p.source),
            cell(&p.wizard),
            p.step_id
                .as_deref()
                .map(cell)
                .unwrap_or_else(|| "left to the admin".into()),
            p.status
                .map(StepStatus::as_str)
                .unwrap_or("not in this run")
        );
    }
    let _ = writeln!(
        o,
        "\n---\nGenerated by hybridsync {}. Secrets are never recorded; anything that looked like a token, password or private key was masked. Report schema {}.",
        md_escape(&r.environment.hybridsync_version),
        r.schema_version
    );
    o
}
