//! One self-contained HTML file: inline CSS, no script, no external asset, printable.
use std::fmt::Write;

use time::OffsetDateTime;

use crate::model::*;
use crate::render::{rfc3339, summary, value_text, Summary};

const CSS: &str = r#"
:root{--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;border-bottom:1px solid var(--line);padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:16px 0 4px}
.meta{color:var(--muted);margin:0}
nav ol{display:flex;flex-wrap:wrap;gap:4px 16px;padding:0;list-style:none}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--bg)}
th[scope=row]{width:22%}
code,.v{font-family:ui-monospace,SFMono-Regular,Consolas,monospace;font-size:12px;word-break:break-all;white-space:pre-wrap}
.s{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;border:1px solid currentColor}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}.muted{color:var(--muted)}
tr.f td{background:#ffebe9}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:150px}
.card b{display:block;font-size:20px}
ul{margin:4px 0;padding-left:20px}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{
 body{max-width:none;padding:0;font-size:10pt}
 nav{display:none}
 h2{break-after:avoid}
 tr,.card,article{break-inside:avoid}
 thead{display:table-header-group}
 tr.f td{background:none}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 @page{margin:14mm}
}
"#;

/// Append `s` to `out`, HTML-escaped (text and attribute safe).
pub fn escape_into(out: &mut String, s: &str) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// `s`, HTML-escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

struct H {
    out: String,
}

impl H {
    fn raw(&mut self, s: &str) -> &mut Self {
        self.out.push_str(s);
        self
    }
    fn text(&mut self, s: &str) -> &mut Self {
        escape_into(&mut self.out, s);
        self
    }
    fn td(&mut self, s: &str) -> &mut Self {
        self.raw("<td>").text(s).raw("</td>")
    }
    fn td_opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.td(s),
            None => self.raw("<td class=muted>—</td>"),
        }
    }
    fn pill(&mut self, class: &str, label: &str) -> &mut Self {
        self.raw("<span class=\"s ")
            .raw(class)
            .raw("\">")
            .text(label)
            .raw("</span>")
    }
    fn row(&mut self, head: &str, value: Option<&str>) -> &mut Self {
        self.raw("<tr><th scope=row>")
            .text(head)
            .raw("</th>")
            .td_opt(value)
            .raw("</tr>")
    }
    fn list(&mut self, items: &[String]) -> &mut Self {
        if items.is_empty() {
            return self;
        }
        self.raw("<ul>");
        for i in items {
            self.raw("<li>").text(i).raw("</li>");
        }
        self.raw("</ul>")
    }
    fn section(&mut self, id: &str, title: &str) -> &mut Self {
        self.raw("<section id=\"")
            .raw(id)
            .raw("\"><h2>")
            .text(title)
            .raw("</h2>")
    }
}

fn step_class(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Passed | StepStatus::Changed => "ok",
        StepStatus::Planned | StepStatus::Manual | StepStatus::Skipped => "warn",
        StepStatus::Failed => "bad",
    }
}

fn test_class(s: TestStatus) -> &'static str {
    match s {
        TestStatus::Success => "ok",
        TestStatus::NotRun => "muted",
        TestStatus::Failure => "bad",
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Info => "muted",
        Severity::Warning => "warn",
        Severity::Error => "bad",
    }
}

/// Days from `now` to `not_after`, and how to show it.
pub(crate) fn expiry(now: OffsetDateTime, not_after: OffsetDateTime) -> (&'static str, String) {
    let days = (not_after - now).whole_days();
    if not_after <= now {
        ("bad", format!("expired {} days ago", -days))
    } else if days <= 30 {
        ("warn", format!("expires in {days} days"))
    } else {
        ("ok", format!("expires in {days} days"))
    }
}

/// Render an already redacted report.
pub(crate) fn render(r: &RunReport) -> String {
    let s: Summary = summary(r);
    let mut h = H {
        out: String::with_capacity(4096 + r.mailboxes.len() * 200),
    };
    h.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"generator\" content=\"hybridsync\"><title>")
        .text(&r.title)
        .raw("</title><style>")
        .raw(CSS)
        .raw("</style></head><body><header><h1>")
        .text(&r.title)
        .raw("</h1><p class=meta>Run ")
        .text(&r.run_id)
        .raw(" · generated ")
        .text(&rfc3339(r.generated_at))
        .raw(" · ")
        .raw(if r.dry_run { "dry run (nothing was changed)" } else { "changes applied" });
    if let Some(op) = &r.operator {
        h.raw(" · operator ").text(op);
    }
    h.raw("</p></header>");

    h.raw("<nav aria-label=\"Sections\"><ol>");
    for (id, label) in SECTIONS {
        h.raw("<li><a href=\"#")
            .raw(id)
            .raw("\">")
            .raw(label)
            .raw("</a></li>");
    }
    h.raw("</ol></nav><main>");

    // Summary
    h.section("summary", "Summary").raw("<div class=cards>");
    let card = |h: &mut H, class: &str, n: usize, label: &str| {
        let _ = write!(h.out, "<div class=\"card {class}\"><b>{n}</b>");
        h.text(label).raw("</div>");
    };
    card(
        &mut h,
        if s.steps_failed > 0 { "bad" } else { "ok" },
        s.steps,
        &format!("steps ({} failed)", s.steps_failed),
    );
    card(&mut h, "ok", s.changes_applied, "changes applied");
    card(
        &mut h,
        "ok",
        s.mailboxes_enabled,
        &format!("of {} mailboxes enabled", s.mailboxes),
    );
    card(
        &mut h,
        if s.mailboxes_failed > 0 { "bad" } else { "ok" },
        s.mailboxes_failed,
        "mailboxes failed or disabled",
    );
    card(
        &mut h,
        if s.errors > 0 { "bad" } else { "ok" },
        s.errors,
        "error findings",
    );
    card(
        &mut h,
        if s.certificates_expiring > 0 {
            "warn"
        } else {
            "ok"
        },
        s.certificates_expiring,
        "certificates expired or expiring within 30 days",
    );
    h.raw("</div></section>");

    // Environment
    let e = &r.environment;
    h.section("environment", "Environment").raw("<table>");
    h.row("hybridsync", Some(&e.hybridsync_version))
        .row("Operating system", Some(&e.os))
        .row("Cloud", Some(&e.cloud))
        .row("Tenant ID", e.tenant_id.as_deref())
        .row("Tenant domain", e.tenant_domain.as_deref())
        .row("CRM URL", e.crm_url.as_deref())
        .row("CRM organization", e.crm_organization.as_deref())
        .row("CRM version", e.crm_version.as_deref());
    for (k, v) in &e.extra {
        h.row(k, Some(v));
    }
    h.raw("</table></section>");

    // Steps
    h.section("steps", "Steps");
    for st in &r.steps {
        h.raw("<article id=\"step-")
            .text(&st.id)
            .raw("\"><h3>")
            .text(&st.title)
            .raw(" ");
        h.pill(step_class(st.status), st.status.as_str())
            .raw("</h3><p class=meta><code>")
            .text(&st.id)
            .raw("</code> · started ")
            .text(&rfc3339(st.started_at));
        match st.finished_at {
            Some(f) => {
                h.raw(" · finished ").text(&rfc3339(f));
                let _ = write!(h.out, " ({:.1} s)", (f - st.started_at).as_seconds_f64());
            }
            None => {
                h.raw(" · not finished");
            }
        }
        let _ = write!(h.out, " · {} change(s)</p>", st.changes.len());
        h.list(&st.evidence).raw("</article>");
    }
    h.raw("</section>");

    // Changes
    h.section("changes", "Changes (before and after)");
    if s.changes == 0 {
        h.raw("<p class=muted>No change was planned or made.</p>");
    } else {
        h.raw("<table><thead><tr><th>Step</th><th>Target</th><th>Field</th><th>Before</th><th>After</th><th>Applied</th><th>At</th></tr></thead><tbody>");
        for st in &r.steps {
            for c in &st.changes {
                h.raw("<tr>").td(&st.id).td(&c.target).td(&c.field);
                h.raw("<td class=v>")
                    .text(&value_text(c.before.as_ref()))
                    .raw("</td><td class=v>")
                    .text(&value_text(c.after.as_ref()))
                    .raw("</td><td>");
                if c.applied {
                    h.pill("ok", "applied")
                } else {
                    h.pill("warn", "not applied")
                };
                h.raw("</td>")
                    .td_opt(c.at.map(rfc3339).as_deref())
                    .raw("</tr>");
            }
        }
        h.raw("</tbody></table>");
    }
    h.raw("</section>");

    // Mailboxes
    h.section("mailboxes", "Mailboxes");
    let _ = write!(
        h.out,
        "<p>{} mailboxes: {} enabled, {} failed, {} disabled, {} pending, {} skipped.</p>",
        s.mailboxes,
        s.mailboxes_enabled,
        s.by_status[1],
        s.by_status[2],
        s.by_status[3],
        s.by_status[4]
    );
    if !r.mailboxes.is_empty() {
        h.raw("<table><thead><tr><th>Mailbox</th><th>Name</th><th>Approved</th><th>Incoming</th><th>Outgoing</th><th>Appointments, contacts, tasks</th><th>Final status</th><th>Remediation</th></tr></thead><tbody>");
        for m in &r.mailboxes {
            let bad = matches!(m.status, MailboxStatus::Failed | MailboxStatus::Disabled);
            h.raw(if bad { "<tr class=f>" } else { "<tr>" })
                .td(&m.address)
                .td_opt(m.name.as_deref());
            h.raw(match m.approved {
                Some(true) => "<td>yes</td>",
                Some(false) => "<td class=bad>no</td>",
                None => "<td class=muted>—</td>",
            });
            for t in [m.incoming, m.outgoing, m.act] {
                h.raw("<td class=")
                    .raw(test_class(t))
                    .raw(">")
                    .raw(t.as_str())
                    .raw("</td>");
            }
            let class = match m.status {
                MailboxStatus::Enabled => "ok",
                MailboxStatus::Pending | MailboxStatus::Skipped => "warn",
                MailboxStatus::Failed | MailboxStatus::Disabled => "bad",
            };
            h.raw("<td class=")
                .raw(class)
                .raw("><b>")
                .raw(m.status.as_str())
                .raw("</b></td>")
                .td_opt(m.remediation.as_deref())
                .raw("</tr>");
        }
        h.raw("</tbody></table>");
    }
    h.raw("</section>");

    // Findings
    h.section("findings", "Findings and remediation");
    if r.findings.is_empty() {
        h.raw("<p class=muted>No findings.</p>");
    }
    for f in &r.findings {
        h.raw("<article><h3>");
        h.pill(severity_class(f.severity), f.severity.as_str())
            .raw(" <code>")
            .text(&f.code)
            .raw("</code>");
        if let Some(step) = &f.step {
            h.raw(" <span class=muted>(step ")
                .text(step)
                .raw(")</span>");
        }
        h.raw("</h3><p>")
            .text(&f.message)
            .raw("</p>")
            .list(&f.evidence);
        if let Some(rem) = &f.remediation {
            h.raw("<p><b>Remediation</b> <code>")
                .text(&rem.id)
                .raw("</code>");
            if let Some(t) = &rem.title {
                h.raw(": ").text(t);
            }
            h.raw("</p>");
            if !rem.instructions.is_empty() {
                h.raw("<ol>");
                for i in &rem.instructions {
                    h.raw("<li>").text(i).raw("</li>");
                }
                h.raw("</ol>");
            }
        }
        h.raw("</article>");
    }
    h.raw("</section>");

    // Certificates
    h.section("certificates", "Certificates");
    if r.certificates.is_empty() {
        h.raw("<p class=muted>No certificate was read.</p>");
    } else {
        h.raw("<table><thead><tr><th>Role</th><th>Subject</th><th>Thumbprint</th><th>Not before</th><th>Not after</th><th>Expiry</th></tr></thead><tbody>");
        for c in &r.certificates {
            let (class, text) = expiry(r.generated_at, c.not_after);
            h.raw("<tr>")
                .td(&c.role)
                .td(&c.subject)
                .raw("<td class=v>")
                .text(c.thumbprint.as_deref().unwrap_or("—"))
                .raw("</td>");
            h.td(&rfc3339(c.not_before))
                .td(&rfc3339(c.not_after))
                .raw("<td class=")
                .raw(class)
                .raw(">")
                .text(&text)
                .raw("</td></tr>");
        }
        h.raw("</tbody></table>");
    }
    h.raw("</section>");

    // Assumptions
    h.section("assumptions", "Assumptions (UNCONFIRMED facts used)");
    if r.assumptions.is_empty() {
        h.raw("<p class=muted>None.</p>");
    } else {
        h.raw("<table><thead><tr><th>Status</th><th>Statement</th><th>Source</th><th>Used by</th></tr></thead><tbody>");
        for a in &r.assumptions {
            h.raw("<tr><td class=warn>UNCONFIRMED</td>")
                .td(&a.statement)
                .td(&a.source)
                .td_opt(a.used_by.as_deref())
                .raw("</tr>");
        }
        h.raw("</tbody></table>");
    }
    h.raw("</section>");

    // Procedure map
    h.section(
        "procedure",
        "The documented procedure and what the wizard did",
    );
    h.raw("<table><thead><tr><th>#</th><th>Step of the procedure</th><th>Source</th><th>What the wizard did</th><th>Wizard step</th><th>Status in this run</th></tr></thead><tbody>");
    for (i, p) in r.procedure.iter().enumerate() {
        let _ = write!(h.out, "<tr><td>{}</td>", i + 1);
        h.td(&p.seed_step).td(&p.source).td(&p.wizard);
        match &p.step_id {
            Some(id) => h
                .raw("<td><a href=\"#step-")
                .text(id)
                .raw("\">")
                .text(id)
                .raw("</a></td>"),
            None => h.raw("<td class=muted>left to the admin</td>"),
        };
        match p.status {
            Some(st) => {
                h.raw("<td>");
                h.pill(step_class(st), st.as_str()).raw("</td>")
            }
            None => h.raw("<td class=muted>not in this run</td>"),
        };
        h.raw("</tr>");
    }
    h.raw("</tbody></table></section>");

    h.raw("</main><footer>Generated by hybridsync ")
        .text(&r.environment.hybridsync_version)
        .raw(". Secrets are never recorded; anything that looked like a token, password or private key was masked. Report schema ");
    let _ = writeln!(h.out, "{}.</footer></body></html>", r.schema_version);
    h.out
}

pub(crate) const SECTIONS: [(&str, &str); 9] = [
    ("summary", "Summary"),
    ("environment", "Environment"),
    ("steps", "Steps"),
    ("changes", "Changes"),
    ("mailboxes", "Mailboxes"),
    ("findings", "Findings"),
    ("certificates", "Certificates"),
    ("assumptions", "Assumptions"),
    ("procedure", "Procedure map"),
];
