//! The CRM-server script: golden files for worldwide and GCC High, no secret in it, bad input
//! refused, and importing its result file (the seeds' errors mapped to findings).
use std::path::PathBuf;

use hybridsync_core::steps::crm_script::{
    import_result, parse_result, render, Cloud, ScriptRequest, METADATA_URL_GCC_HIGH,
    METADATA_URL_WORLDWIDE,
};
use hybridsync_core::Severity;

fn request(cloud: Cloud) -> ScriptRequest {
    ScriptRequest {
        cloud,
        certificate_file: r"C:\s2s\Dynamics365-S2S.pfx".into(),
        service_account: r"CONTOSO\svc-crm-async".into(),
        organization: "contoso".into(),
        tenant_id: "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91".into(),
        thumbprint: "0123456789ABCDEF0123456789ABCDEF01234567".into(),
        subject: "CN=Dynamics365-S2S-contoso".into(),
    }
}

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/testdata")
        .join(name)
}

/// Compares with the golden file; `HYBRIDSYNC_UPDATE_GOLDEN=1` rewrites it (review the diff).
fn check_golden(name: &str, text: &str) {
    let path = golden(name);
    if std::env::var("HYBRIDSYNC_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, text).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(want == text, "{name} differs from the golden file; run with HYBRIDSYNC_UPDATE_GOLDEN=1 and review the diff");
}

#[test]
fn the_worldwide_script_matches_its_golden_file() {
    let s = render(&request(Cloud::Worldwide)).unwrap();
    check_golden("crm-script-worldwide.ps1", &s);
    assert!(s.contains(METADATA_URL_WORLDWIDE) && !s.contains(METADATA_URL_GCC_HIGH));
}

#[test]
fn the_gcc_high_script_matches_its_golden_file() {
    let s = render(&request(Cloud::GccHigh)).unwrap();
    check_golden("crm-script-gcc-high.ps1", &s);
    assert!(s.contains(METADATA_URL_GCC_HIGH) && !s.contains(METADATA_URL_WORLDWIDE));
}

#[test]
fn the_script_runs_every_part_with_the_documented_parameters() {
    let s = render(&request(Cloud::Worldwide)).unwrap();
    assert!(
        s.starts_with('\u{feff}') && s.contains("\r\n") && !s.replace("\r\n", "").contains('\n'),
        "BOM and CRLF"
    );
    for needle in [
        "IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)",
        "Add-PSSnapin Microsoft.Crm.PowerShell",
        "CertificateReconfiguration.ps1",
        "Read-Host -AsSecureString",
        "-certificateFile $CertificateFile -password $plain -updateCrm -certificateType S2STokenIssuer -serviceAccount $ServiceAccount -storeFindType FindBySubjectDistinguishedName",
        "S2SDefaultAuthorizationServerPrincipalId', $PrincipalId",
        "'00000001-0000-0000-c000-000000000000'",
        "S2SDefaultAuthorizationServerMetadataUrl', $MetadataUrl",
        "-ConfigurationEntityName 'Organization' -Setting 'S2STenantId' -Value $TenantId",
        "hybridsync-crm-result.json",
        "interactive administrator",
        "$CertificateFile    = 'C:\\s2s\\Dynamics365-S2S.pfx'",
        "$ServiceAccount     = 'CONTOSO\\svc-crm-async'",
    ] {
        assert!(s.contains(needle), "missing: {needle}");
    }
}

#[test]
fn no_secret_appears_in_the_script() {
    // The request type has no password field at all; plant secrets where a careless template
    // could pick them up (environment, the PFX beside it) and check none comes out.
    let pfx_password = "Planted-Pfx-Passw0rd-9f3c";
    let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.planted-access-token";
    std::env::set_var("HYBRIDSYNC_PFX_PASSWORD", pfx_password);
    std::env::set_var("HYBRIDSYNC_ACCESS_TOKEN", token);
    for cloud in [Cloud::Worldwide, Cloud::GccHigh] {
        let s = render(&request(cloud)).unwrap();
        assert!(!s.contains(pfx_password) && !s.contains(token) && !s.contains("eyJ"));
        // The only password handling is the secure prompt, decoded in memory for the call.
        assert!(
            !s.to_ascii_lowercase().contains("-password '"),
            "no literal password argument"
        );
        assert!(
            !s.contains("ConvertTo-SecureString"),
            "no plain-text password converted from the file"
        );
    }
}

#[test]
fn bad_input_is_refused_with_a_reason() {
    type Edit = Box<dyn Fn(&mut ScriptRequest)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|r| r.service_account = r"CONTOSO\Administrator".into()),
            "interactive administrator",
        ),
        (
            Box::new(|r| r.service_account = "svc".into()),
            "DOMAIN\\user",
        ),
        (
            Box::new(|r| r.certificate_file = r"C:\s2s\cert.cer".into()),
            "not a .pfx",
        ),
        (
            Box::new(|r| r.tenant_id = "contoso.com".into()),
            "not a GUID",
        ),
        (
            Box::new(|r| r.organization = "con'toso; rm".into()),
            "unique name",
        ),
        (
            Box::new(|r| r.certificate_file = "C:\\a\r\nb.pfx".into()),
            "line break",
        ),
        (Box::new(|r| r.thumbprint = "xyz".into()), "40 hex"),
    ];
    for (change, needle) in cases {
        let mut r = request(Cloud::Worldwide);
        change(&mut r);
        let e = render(&r).unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert!(e.message.contains(needle), "{needle}: {}", e.message);
    }
    // Quotes in a path are escaped as PowerShell doubles them, never breaking out of the string.
    let mut r = request(Cloud::Worldwide);
    r.certificate_file = r"C:\it's\s2s.pfx".into();
    assert!(render(&r).unwrap().contains(r"'C:\it''s\s2s.pfx'"));
}

/// Issue 18 item 1: PowerShell also ends a single-quoted string at ‘ ’ ‚ ‛; a service account or
/// a path holding one must never run as code.
#[test]
fn unicode_single_quotes_cannot_break_out_of_the_script_strings() {
    let mut r = request(Cloud::Worldwide);
    r.service_account = "CONTOSO\\svc\u{2019}; Start-Process calc; \u{2019}".into();
    let e = render(&r).unwrap_err();
    assert_eq!(e.code, "invalid_input");
    assert!(
        e.message.contains("DOMAIN\\user or user@domain"),
        "{}",
        e.message
    );

    let mut r = request(Cloud::Worldwide);
    r.service_account = "svc-crm@contoso.com".into();
    assert!(render(&r)
        .unwrap()
        .contains("$ServiceAccount     = 'svc-crm@contoso.com'"));

    for q in ['\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'] {
        let mut r = request(Cloud::Worldwide);
        r.certificate_file = format!("C:\\s2s\\{q}+(Invoke-Expression 'whoami')+{q}.pfx");
        let s = render(&r).unwrap();
        let line = s
            .lines()
            .find(|l| l.starts_with("$CertificateFile"))
            .unwrap();
        assert_eq!(
            line,
            format!(
                "$CertificateFile    = 'C:\\s2s\\{q}{q}+(Invoke-Expression ''whoami'')+{q}{q}.pfx'"
            ),
            "the quote {q:?} is doubled so the path stays one string"
        );
    }
}

fn result_json(failed: Option<(&str, &str)>, thumbprint: &str) -> String {
    let mut parts = Vec::new();
    let mut stop = false;
    for name in [
        "prerequisites",
        "certificate",
        "server_settings",
        "tenant_id",
    ] {
        if stop {
            parts.push(
                serde_json::json!({"name": name, "ok": false, "skipped": true, "error": null}),
            );
        } else if failed.is_some_and(|(p, _)| p == name) {
            stop = true;
            parts.push(serde_json::json!({"name": name, "ok": false, "skipped": false, "error": failed.unwrap().1}));
        } else {
            parts.push(
                serde_json::json!({"name": name, "ok": true, "skipped": false, "error": null}),
            );
        }
    }
    serde_json::json!({"schema": "hybridsync-crm-script-result/1", "computer": "CRM01", "thumbprint": thumbprint, "organization": "contoso", "parts": parts}).to_string()
}

const THUMB: &str = "0123456789ABCDEF0123456789ABCDEF01234567";

#[test]
fn a_clean_result_marks_the_step_done() {
    let r = import_result(
        parse_result(format!("\u{feff}{}", result_json(None, THUMB)).as_bytes()).unwrap(),
        Some(THUMB),
    );
    assert!(r.done, "{:?}", r.findings);
    assert!(r.findings.iter().all(|f| f.severity == Severity::Info));
}

#[test]
fn the_seeds_errors_become_findings() {
    let cases = [
        ("certificate", "The specified value of the certificate parameter isn't valid. Please enter the path of the .cer file.", "crm_script_certificate_invalid", "script.cer-path-invalid"),
        ("certificate", "Office 365 Credentials are not valid. Process Failed.", "crm_script_credentials_invalid", "script.o365-credentials-invalid"),
        ("tenant_id", "You cannot call a method on a null-valued expression. Process Failed.", "hybrid_connector_missing", "hybrid-connector.missing"),
        ("prerequisites", "something nobody has seen", "crm_script_failed", ""),
    ];
    for (part, text, code, remediation) in cases {
        let r = import_result(
            parse_result(result_json(Some((part, text)), THUMB).as_bytes()).unwrap(),
            Some(THUMB),
        );
        assert!(!r.done);
        let f = r
            .findings
            .iter()
            .find(|f| f.severity == Severity::Error)
            .unwrap();
        assert_eq!(f.code, code, "{text}");
        assert_eq!(
            f.remediation.as_deref().unwrap_or(""),
            remediation,
            "{text}"
        );
        assert!(
            f.message.contains(part) && f.evidence.iter().any(|e| e.contains(text)),
            "{}",
            f.message
        );
    }
}

#[test]
fn another_certificate_in_crm_is_not_done() {
    let r = import_result(
        parse_result(result_json(None, &"F".repeat(40)).as_bytes()).unwrap(),
        Some(THUMB),
    );
    assert!(!r.done);
    assert!(r
        .findings
        .iter()
        .any(|f| f.code == "crm_certificate_mismatch"));
}

#[test]
fn a_file_that_is_not_a_result_is_a_clear_error() {
    for bytes in [
        &b""[..],
        b"{}",
        b"not json",
        br#"{"schema":"other/1","parts":[]}"#,
        br#"{"schema":"hybridsync-crm-script-result/1","parts":[]}"#,
        &[0xff, 0xfe, 0x00][..],
    ] {
        let e = parse_result(bytes).unwrap_err();
        assert_eq!(e.code, "script_result_invalid");
        assert!(
            e.message.contains("hybridsync-crm-result.json"),
            "{}",
            e.message
        );
    }
}
