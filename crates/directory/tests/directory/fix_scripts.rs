//! Golden tests of the generated fix and undo scripts.

use std::path::PathBuf;

use hybridsync_directory::fix::{fix_scripts, ps_quote, Fix, ObjectKind};
use hybridsync_directory::{check_object, DirObject, RuleOptions};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_eq!(actual, expected, "{name} differs from the golden file");
}

fn fixes() -> Vec<Fix> {
    vec![
        Fix {
            dn: "CN=O'Brien\\, Seán,OU=Staff,DC=contoso,DC=local".into(),
            attribute: "userPrincipalName".into(),
            old_value: "seán.o'brien@contoso.local".into(),
            new_value: Some("sean.o'brien@contoso.com".into()),
            kind: ObjectKind::User,
        },
        Fix {
            dn: "CN=O'Brien\\, Seán,OU=Staff,DC=contoso,DC=local".into(),
            attribute: "proxyAddresses".into(),
            old_value: "smtp:seán o'brien@contoso.com".into(),
            new_value: Some("smtp:sean.o'brien@contoso.com".into()),
            kind: ObjectKind::User,
        },
        Fix {
            dn: "CN=Partner’s Desk,OU=Contacts,DC=contoso,DC=local".into(),
            attribute: "displayName".into(),
            old_value: " ".into(),
            new_value: Some("Partner’s Desk".into()),
            kind: ObjectKind::Other,
        },
        Fix {
            dn: "CN=Sales,OU=Groups,DC=contoso,DC=local".into(),
            attribute: "mailNickname".into(),
            old_value: ".sales".into(),
            new_value: None,
            kind: ObjectKind::Other,
        },
        // A repeat of the first fix (a UPN with two findings) is applied once.
        Fix {
            dn: "cn=o'brien\\, seán,ou=staff,dc=contoso,dc=local".into(),
            attribute: "userprincipalname".into(),
            old_value: "seán.o'brien@contoso.local".into(),
            new_value: Some("other@contoso.com".into()),
            kind: ObjectKind::User,
        },
    ]
}

#[test]
fn fix_script_golden() {
    golden("fix.ps1", &fix_scripts(&fixes()).apply);
}

#[test]
fn undo_script_golden() {
    golden("undo.ps1", &fix_scripts(&fixes()).undo);
}

#[test]
fn scripts_are_bom_crlf_and_apply_each_change_once() {
    let s = fix_scripts(&fixes());
    for text in [&s.apply, &s.undo] {
        assert!(text.starts_with('\u{FEFF}'));
        assert!(!text.replace("\r\n", "").contains('\n'));
        assert_eq!(text.matches("@ad\r\n").count(), 4);
    }
    assert!(!s.apply.contains("other@contoso.com"));
}

#[test]
fn quoting_doubles_every_kind_of_single_quote() {
    assert_eq!(ps_quote("plain"), "'plain'");
    assert_eq!(ps_quote("O'Brien"), "'O''Brien'");
    assert_eq!(ps_quote("a‘b’c‚d‛e"), "'a‘‘b’’c‚‚d‛‛e'");
    assert_eq!(
        ps_quote("$(rm -r C:\\) \"x\" `n"),
        "'$(rm -r C:\\) \"x\" `n'"
    );
    assert_eq!(ps_quote(""), "''");
}

#[test]
fn fixes_from_findings() {
    let o = DirObject::new("CN=Zoë,DC=contoso,DC=com")
        .with_class("user")
        .with("userPrincipalName", "zoë@contoso.com")
        .with("proxyAddresses", "smtp:zoë@contoso.com");
    let findings = check_object(&o, &RuleOptions::default());
    let fixes: Vec<Fix> = findings
        .iter()
        .filter_map(|f| Fix::from_finding(f, ObjectKind::User))
        .collect();
    assert_eq!(fixes.len(), 2);
    let s = fix_scripts(&fixes);
    assert!(s.apply.contains(
        "Set-ADUser -Identity 'CN=Zoë,DC=contoso,DC=com' -Replace @{ 'userPrincipalName' = 'zoe@contoso.com' } @ad"
    ));
    assert!(s.undo.contains(
        "Set-ADUser -Identity 'CN=Zoë,DC=contoso,DC=com' -Remove @{ 'proxyAddresses' = 'smtp:zoe@contoso.com' } -Add @{ 'proxyAddresses' = 'smtp:zoë@contoso.com' } @ad"
    ));
}
