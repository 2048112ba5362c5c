use hybridsync_report::{
    html_escape, md_escape, redact, render_html, render_json, render_markdown, sample::demo_report,
    sha256_hex, write_all, write_atomic, write_report, Format, RunReport, SEED_PROCEDURE,
};
use proptest::prelude::*;
use serde_json::json;

// ---- planted secrets -------------------------------------------------------------------------------

const JWT: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiIwMDAwMDAwMi0wMDAwLTBmZjEtY2UwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiIwMDAwMDAwMS0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDBAOGQyYjBhNmMiLCJuYmYiOjE3OTM2NzIwMDB9.Qm9ndXNTaWduYXR1cmVCeXRlc0ZvclRoZVRlc3RPbmx5X0RvTm90VXNlMTIzNDU2Nzg5MA";
const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\nNMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ\n-----END PRIVATE KEY-----";
const REFRESH: &str = "0.AXEAbGqLz8kN2v4Tq9sWcJ1hZrX3yPm7eUoBdF5aKt0iGnQlHjR6wVxYcS2uE8oMpAzI4gD9fNbL1kTqWsYxRvCmJeUhZnPo3iAa7dGt5bKf2Ly9cQw0EsMrXuVzTpNjOlHgIk6BqDcW4mYaRe8FhSvJtLnUxPzKo1bGiAwQyC3dEfZrVuMs7NtJkHl2OxTgYp5cWaIbRqLnDe9SvUzFh0mKjXoPtGw";
const PFX_PASSWORD: &str = "Sup3rSecr3tPfxPassw0rd";

/// Fragments that must not survive in any output (alphanumeric, so no escaping can hide them).
fn fragments() -> Vec<String> {
    let mut f = vec![
        PFX_PASSWORD.to_string(),
        "12345678".to_string(),
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj".to_string(),
        "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s".to_string(),
        "BEGIN PRIVATE KEY".to_string(),
        "hunter2hunter2".to_string(),
        "bearerTokenValue0123456789abcdef".to_string(),
    ];
    for part in JWT.split('.') {
        f.push(part[..20].to_string());
        f.push(part[part.len() - 20..].to_string());
    }
    for i in (0..REFRESH.len() - 24).step_by(24) {
        f.push(REFRESH[i..i + 24].to_string());
    }
    f
}

fn planted() -> RunReport {
    let mut r = demo_report(20);
    r.title.push_str(&format!(" {JWT}"));
    r.operator = Some(format!("admin@contoso.com refresh_token={REFRESH}"));
    r.environment
        .extra
        .insert("token cache".into(), format!("cached: {REFRESH}"));
    r.environment
        .extra
        .insert("pfxPassword".into(), PFX_PASSWORD.into());
    let st = &mut r.steps[2];
    st.evidence.push(format!(
        "token endpoint answered {{\"access_token\":\"{JWT}\",\"refresh_token\":\"{REFRESH}\"}}"
    ));
    st.evidence.push(format!("loaded key:\n{PEM}\n"));
    st.evidence.push(".\\CertificateReconfiguration.ps1 -certificateFile e:\\YourPFXExport.pfx -password 12345678 -updateCrm -certificateType S2STokenIssuer".into());
    st.evidence.push(format!(
        "$certificateParameters = @{{ Password = \"{PFX_PASSWORD}\" }}"
    ));
    st.evidence
        .push("Authorization: Bearer bearerTokenValue0123456789abcdef".into());
    st.changes.push(hybridsync_report::ChangeRecord {
        target: "local:pfx".into(),
        field: "protection".into(),
        before: Some(json!({"password": "hunter2hunter2", "keyPem": PEM})),
        after: Some(json!([JWT, {"nested": {"client_secret": "hunter2hunter2"}}, REFRESH])),
        applied: false,
        at: None,
    });
    r.mailboxes[3].name = Some(format!("Pat {JWT}"));
    r.findings[0]
        .message
        .push_str(&format!(" privateKeyPassword: {PFX_PASSWORD}"));
    r.findings[0].evidence.push(PEM.replace('\n', "\\n"));
    r.assumptions[0].statement.push_str(&format!(" {REFRESH}"));
    r.certificates[0].subject = format!("CN=crm.contoso.com {PEM}");
    r
}

#[test]
fn planted_secrets_are_found_zero_times_in_every_output() {
    let r = planted();
    // Control: the secrets really are in the model.
    let raw = serde_json::to_string(&r).unwrap();
    for f in fragments() {
        assert!(raw.contains(&f), "the plant failed for {f}");
    }
    let outputs = [
        ("html", render_html(&r).unwrap()),
        ("json", render_json(&r).unwrap()),
        ("md", render_markdown(&r).unwrap()),
    ];
    for (name, out) in &outputs {
        for f in fragments() {
            assert_eq!(out.matches(f.as_str()).count(), 0, "{name} leaks {f}");
        }
        // …and the masks are where the secrets were.
        for mask in [
            "[REDACTED jwt]",
            "[REDACTED private key]",
            "[REDACTED token]",
            "[REDACTED]",
        ] {
            assert!(
                out.contains(mask)
                    || out.contains(&html_escape(mask))
                    || out.contains(&md_escape(mask)),
                "{name} lacks {mask}"
            );
        }
        // Ordinary content survives.
        assert!(
            out.contains("user00003@contoso.com")
                && out.contains("3B7E0F2A9C1D4E5F60718293A4B5C6D7E8F90123"),
            "{name}"
        );
    }
}

#[test]
fn redaction_does_not_touch_an_ordinary_report() {
    let r = demo_report(300);
    assert_eq!(r.redacted().unwrap(), r);
    let back: RunReport = serde_json::from_str(&render_json(&r).unwrap()).unwrap();
    assert_eq!(back, r);
}

// ---- HTML ---------------------------------------------------------------------------------------

/// Every opened element is closed in order (void elements excepted). Content is escaped, so every
/// `<` in the output is markup.
fn assert_balanced(html: &str) {
    const VOID: [&str; 4] = ["meta", "br", "hr", "img"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("unclosed tag");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{name}> without an opening tag"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name == "style" {
                let close = rest.find("</style>").unwrap();
                rest = &rest[close + "</style>".len()..];
            } else if !VOID.contains(&name.as_str()) {
                stack.push(name);
            }
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn the_html_is_self_contained_printable_and_has_every_section() {
    let html = render_html(&demo_report(500)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("@media print"));
    for banned in [
        "<script", "<link", "src=", "@import", "url(", "<iframe", "<object",
    ] {
        assert!(
            !html.contains(banned),
            "external or active content: {banned}"
        );
    }
    for (i, _) in html.match_indices("href=\"") {
        assert_eq!(
            &html[i + 6..i + 7],
            "#",
            "a link leaves the file: {}",
            &html[i..i + 40]
        );
    }
    for id in [
        "summary",
        "environment",
        "steps",
        "changes",
        "mailboxes",
        "findings",
        "certificates",
        "assumptions",
        "procedure",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    assert_balanced(&html);
}

#[test]
fn the_html_shows_changes_mailboxes_certificates_and_the_procedure_map() {
    let r = demo_report(500);
    let html = render_html(&r).unwrap();
    // Before and after of a change, escaped JSON.
    assert!(html.contains("&quot;endDateTime&quot;:&quot;2026-03-01T00:00:00Z&quot;"));
    assert!(
        html.contains("keyCredentials")
            && html.contains("servicePrincipalNames")
            && html.contains("not applied")
    );
    // Every mailbox, with its final status.
    assert_eq!(html.matches("@contoso.com</td>").count(), 500);
    assert!(html.contains("<td>user00049@contoso.com</td>"));
    assert_eq!(html.matches("<b>disabled</b>").count(), 2); // 100, 300
    assert_eq!(html.matches("<b>failed</b>").count(), 10);
    // Certificates, relative to the report's date.
    assert!(html.contains("expired 266 days ago"), "expired cert");
    assert!(html.contains("expires in 343 days"), "valid cert");
    // Every seed step appears, with the run's status of its wizard step.
    for s in SEED_PROCEDURE {
        assert!(html.contains(&html_escape(s.seed_step)), "{}", s.seed_step);
    }
    assert!(html.contains("left to the admin"));
    assert!(html.contains("UNCONFIRMED"));
}

#[test]
fn everything_is_escaped_in_html_and_markdown() {
    let mut r = demo_report(5);
    let evil = "<script>alert(1)</script> \"x\" onmouseover='y' & | *bold* [l](http://e.example)";
    r.mailboxes[0].name = Some(evil.into());
    r.findings[0].message = evil.into();
    r.environment.extra.insert(evil.into(), evil.into());
    r.steps[0].id = evil.into();
    let html = render_html(&r).unwrap();
    assert!(
        !html.contains("<script") && !html.contains("onmouseover='"),
        "unescaped HTML"
    );
    assert!(html.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;x&quot; onmouseover=&#39;y&#39; &amp;"
    ));
    assert_balanced(&html);

    let md = render_markdown(&r).unwrap();
    assert!(
        !md.contains("<script") && !md.contains("[l](http"),
        "unescaped Markdown"
    );
    // The mailbox row keeps its 8 columns: the name's `|` is escaped.
    let row = md
        .lines()
        .find(|l| l.starts_with("| user00000@contoso.com"))
        .unwrap();
    let unescaped_pipes = row
        .match_indices('|')
        .filter(|(i, _)| *i == 0 || &row[i - 1..*i] != "\\")
        .count();
    assert_eq!(unescaped_pipes, 9, "{row}");
}

#[test]
fn a_10000_mailbox_run_renders_into_at_most_5_mb_of_html() {
    let r = demo_report(10_000);
    let html = render_html(&r).unwrap();
    assert!(html.len() <= 5_000_000, "HTML is {} bytes", html.len());
    assert!(
        html.contains("<td>user09999@contoso.com</td>"),
        "the last mailbox is missing"
    );
    assert!(html.matches("<tr").count() >= 10_000);
}

#[test]
fn markdown_has_every_section_and_mailbox() {
    let md = render_markdown(&demo_report(100)).unwrap();
    for h in [
        "## Summary",
        "## Environment",
        "## Steps",
        "## Changes (before and after)",
        "## Mailboxes",
        "## Findings and remediation",
        "## Certificates",
        "## Assumptions (UNCONFIRMED facts used)",
        "## The documented procedure and what the wizard did",
    ] {
        assert!(md.contains(h), "{h}");
    }
    assert_eq!(md.lines().filter(|l| l.starts_with("| user")).count(), 100);
}

// ---- files ---------------------------------------------------------------------------------------

#[test]
fn files_are_written_atomically_with_their_sha256() {
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let dir = tempfile::tempdir().unwrap();
    let r = demo_report(50);
    let written = write_all(&r, dir.path(), "run").unwrap();
    assert_eq!(written.len(), 3);
    for w in &written {
        let bytes = std::fs::read(&w.path).unwrap();
        assert_eq!(bytes.len(), w.bytes);
        assert_eq!(sha256_hex(&bytes), w.sha256);
        assert_eq!(w.sha256.len(), 64);
    }
    // Overwriting replaces the file; no temp file is left behind.
    let path = dir.path().join("run.html");
    std::fs::write(&path, "old").unwrap();
    let w = write_report(&r, &path).unwrap();
    assert_eq!(w.format, Format::Html);
    assert_eq!(sha256_hex(&std::fs::read(&path).unwrap()), w.sha256);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    assert_eq!(names.len(), 3);
    // The bytes written are the bytes hashed.
    assert_eq!(
        write_atomic(&dir.path().join("x.bin"), b"abc").unwrap(),
        sha256_hex(b"abc")
    );
}

#[test]
fn write_errors_are_reported_not_panicked() {
    let dir = tempfile::tempdir().unwrap();
    let r = demo_report(1);
    // A folder that cannot exist: its parent is a file.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"a file").unwrap();
    let err = write_report(&r, &blocker.join("r.html")).unwrap_err();
    assert_eq!(err.code(), "report_write_failed");
    let err = write_report(&r, &dir.path().join("r.pdf")).unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert_eq!(
        Format::from_path(std::path::Path::new("R.MD")),
        Some(Format::Markdown)
    );
}

proptest! {
    #[test]
    fn html_escape_leaves_no_markup_and_is_reversible(s in ".{0,200}") {
        let e = html_escape(&s);
        prop_assert!(!e.contains('<') && !e.contains('>') && !e.contains('"') && !e.contains('\''));
        let back = e.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
        prop_assert_eq!(back, s);
    }

    #[test]
    fn long_tokens_in_free_text_are_masked(
        body in "[A-Za-z0-9_]{120,400}",
        before in "[a-z ]{0,40}",
        after in "[a-z ]{0,40}",
    ) {
        let token = format!("0.AXEAa1{body}");
        let text = format!("{before} {token} {after}");
        let out = redact(&text);
        prop_assert!(!out.contains(&token[..40]));
        prop_assert!(!out.contains(&body[body.len() - 40..]));
    }

    #[test]
    fn jwts_in_free_text_are_masked(h in "[A-Za-z0-9_-]{10,60}", p in "[A-Za-z0-9_-]{10,200}", sig in "[A-Za-z0-9_-]{10,200}") {
        let jwt = format!("eyJ{h}.{p}.{sig}");
        let text = format!("id_token is {jwt}, done");
        let out = redact(&text);
        prop_assert!(!out.contains(&jwt));
        prop_assert!(!out.contains(&p));
    }
}
