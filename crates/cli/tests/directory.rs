//! The `directory scan` contract, end to end with the real binary.
use std::path::Path;
use std::process::{Command, Output};

fn hybridsync(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(args)
        .env("HYBRIDSYNC_HOME", home)
        .output()
        .unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

const CLEAN: &str = "\
dn: CN=Jane Doe,OU=Staff,DC=contoso,DC=com
objectClass: user
userPrincipalName: jane.doe@contoso.com
mail: jane.doe@contoso.com
proxyAddresses: SMTP:jane.doe@contoso.com
proxyAddresses: X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=jane
";

const DIRTY: &str = "\
dn: CN=Jos\u{e9},OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName: jos\u{e9}@contoso.local
mail: shared@contoso.com

dn: CN=Bob,OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName: bob@contoso.com
proxyAddresses: smtp:shared@contoso.com
";

#[test]
fn a_clean_export_exits_0_with_an_empty_findings_list() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "clean.ldf", CLEAN);
    let out = hybridsync(&["directory", "scan", "--ldif", &f, "--json"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]));
}

#[test]
fn findings_exit_1_and_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "dirty.ldf", DIRTY);
    let out = hybridsync(&["directory", "scan", "--ldif", &f, "--json"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["diacritic", "non_routable_suffix", "duplicate", "duplicate"]
    );
    for f in findings {
        let mut keys: Vec<&String> = f.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "attribute",
                "dn",
                "message",
                "rule",
                "severity",
                "suggestion",
                "value"
            ]
        );
    }
    assert_eq!(
        findings[0]["dn"],
        "CN=Jos\u{e9},OU=Staff,DC=contoso,DC=local"
    );
    assert_eq!(findings[0]["attribute"], "userPrincipalName");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["suggestion"], "jose@contoso.local");
    // Both members of the duplicate set are reported, each naming the other.
    assert!(findings[2]["message"].as_str().unwrap().contains("CN=Bob"));
    assert!(findings[3]["message"]
        .as_str()
        .unwrap()
        .contains("CN=Jos\u{e9}"));
}

#[test]
fn csv_exports_are_scanned_too_and_human_output_lists_findings() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "users.csv",
        "#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\n\"DistinguishedName\",\"ObjectClass\",\"UserPrincipalName\"\n\"CN=A,DC=contoso,DC=com\",\"user\",\"a b@contoso.com\"\n",
    );
    let out = hybridsync(&["directory", "scan", "--csv", &f, "--json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "character");
    let out = hybridsync(&["directory", "scan", "--csv", &f], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("character") && text.contains("CN=A,DC=contoso,DC=com"),
        "{text}"
    );
}

#[test]
fn an_unreadable_file_exits_2_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bad.ldf",
        "dn: CN=A,DC=contoso,DC=com\ncn: A\nthis line has no colon\n",
    );
    let out = hybridsync(&["directory", "scan", "--ldif", &f, "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");

    let f = write(
        dir.path(),
        "bad.csv",
        "DistinguishedName,mail\nCN=A,a@contoso.com\nCN=B\n",
    );
    let out = hybridsync(&["directory", "scan", "--csv", &f, "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3"), "{err}");

    let missing = dir.path().join("missing.ldf").display().to_string();
    let out = hybridsync(&["directory", "scan", "--ldif", &missing], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_source_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let out = hybridsync(&["directory", "scan", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}
