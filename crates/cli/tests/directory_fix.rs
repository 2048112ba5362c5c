//! `directory fix-script` and the UPN suffix table, end to end with the real binary.
use std::path::Path;
use std::process::{Command, Output};

fn hybridsync(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(args)
        .env("HYBRIDSYNC_HOME", home)
        .output()
        .unwrap()
}

const EXPORT: &str = "\
dn: CN=Jos\u{e9} Garc\u{ed}a,OU=Staff,DC=contoso,DC=local
objectClass: top
objectClass: person
objectClass: organizationalPerson
objectClass: user
userPrincipalName: jos\u{e9}.garcia@contoso.local
mail: jose.garcia@contoso.com

dn: CN=Sales,OU=Groups,DC=contoso,DC=local
objectClass: top
objectClass: group
mailNickname: .sales
mail: sales@contoso.com
proxyAddresses: SMTP:sales@contoso.com
proxyAddresses: smtp:sales @contoso.mail.onmicrosoft.com

dn: CN=Ann,OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName: ann@fabrikam.com

dn: CN=Bo,OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName: bo@new.contoso.com

dn: CN=Cy,OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName: cy@litware.com
";

/// Graph's GET /v1.0/domains answer (ms-api.md §3.2 fields).
const DOMAINS: &str = r#"{"value":[
  {"id":"contoso.com","isVerified":true,"isDefault":true,"supportedServices":["Email"]},
  {"id":"fabrikam.com","isVerified":false},
  {"id":"contoso.onmicrosoft.com","isVerified":true,"isInitial":true}
]}"#;

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    assert_eq!(actual, expected, "{name} differs from its golden file");
}

#[test]
fn fix_and_undo_scripts_match_their_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, EXPORT).unwrap();
    let out_dir = dir.path().join("scripts");
    let out = hybridsync(
        &[
            "directory",
            "fix-script",
            "--ldif",
            export.to_str().unwrap(),
            "--upn-suffix",
            "contoso.com",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fix = std::fs::read_to_string(out_dir.join("hybridsync-directory-fix.ps1")).unwrap();
    let undo = std::fs::read_to_string(out_dir.join("hybridsync-directory-undo.ps1")).unwrap();
    // Users by Set-ADUser, the group by Set-ADObject; the undo restores the old values.
    assert!(
        fix.contains(
            "Set-ADUser -Identity 'CN=Jos\u{e9} Garc\u{ed}a,OU=Staff,DC=contoso,DC=local'"
        ),
        "{fix}"
    );
    assert!(
        fix.contains("Set-ADObject -Identity 'CN=Sales,OU=Groups,DC=contoso,DC=local'"),
        "{fix}"
    );
    assert!(undo.contains("jos\u{e9}.garcia@contoso.local"), "{undo}");
    golden("directory-fix.ps1", &fix);
    golden("directory-undo.ps1", &undo);

    // Only the accepted rule.
    let only = dir.path().join("only");
    let out = hybridsync(
        &[
            "directory",
            "fix-script",
            "--ldif",
            export.to_str().unwrap(),
            "--rule",
            "leading_period",
            "--out",
            only.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let fix = std::fs::read_to_string(only.join("hybridsync-directory-fix.ps1")).unwrap();
    assert!(fix.contains("CN=Sales") && !fix.contains("Garc"), "{fix}");

    // An unknown rule: exit 2, naming the rules.
    let out = hybridsync(
        &[
            "directory",
            "fix-script",
            "--ldif",
            export.to_str().unwrap(),
            "--rule",
            "accents",
            "--out",
            only.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("non_routable_suffix"));
}

#[test]
fn the_suffix_table_uses_the_tenant_domains() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, EXPORT).unwrap();
    let domains = dir.path().join("domains.json");
    std::fs::write(&domains, DOMAINS).unwrap();
    let out = hybridsync(
        &[
            "directory",
            "scan",
            "--ldif",
            export.to_str().unwrap(),
            "--tenant-domains",
            domains.to_str().unwrap(),
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(String, u64, String)> = v["suffix_table"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["suffix"].as_str().unwrap().to_string(),
                r["count"].as_u64().unwrap(),
                r["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |s: &str| {
        rows.iter()
            .find(|r| r.0 == s)
            .cloned()
            .unwrap_or_else(|| panic!("{s} in {rows:?}"))
    };
    assert_eq!(row("contoso.local").2, "non_routable");
    assert_eq!(row("fabrikam.com").2, "unverified");
    assert_eq!(row("new.contoso.com").2, "verified");
    assert_eq!(row("litware.com").2, "not_added");
    assert_eq!(rows.iter().map(|r| r.1).sum::<u64>(), 4);

    let out = hybridsync(
        &[
            "directory",
            "scan",
            "--ldif",
            export.to_str().unwrap(),
            "--tenant-domains",
            domains.to_str().unwrap(),
        ],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("not added: add this domain in the Domains step"),
        "{text}"
    );

    // A file that is not Graph's answer: exit 2 with the line.
    std::fs::write(&domains, "{\"value\": [\n  {\"isVerified\": true}\n]}").unwrap();
    let out = hybridsync(
        &[
            "directory",
            "scan",
            "--ldif",
            export.to_str().unwrap(),
            "--tenant-domains",
            domains.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 18 item 5: the fix script is never written without its undo script.
#[test]
fn the_fix_script_and_its_undo_are_written_both_or_neither() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.ldf");
    std::fs::write(&export, EXPORT).unwrap();
    let out_dir = dir.path().join("scripts");
    // The undo script's name is taken by a folder with a file in it: it cannot be written.
    std::fs::create_dir_all(out_dir.join("hybridsync-directory-undo.ps1")).unwrap();
    std::fs::write(
        out_dir.join("hybridsync-directory-undo.ps1").join("keep"),
        "x",
    )
    .unwrap();
    let out = hybridsync(
        &[
            "directory",
            "fix-script",
            "--ldif",
            export.to_str().unwrap(),
            "--upn-suffix",
            "contoso.com",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out_dir.join("hybridsync-directory-fix.ps1").exists(),
        "the fix script was left without its undo script"
    );
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["hybridsync-directory-undo.ps1"],
        "temporary files were left"
    );
}
