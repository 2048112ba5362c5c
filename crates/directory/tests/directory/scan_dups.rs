//! Whole scans: duplicates across objects and attributes, the skip list,
//! the UPN suffix table.

use hybridsync_directory::skip::skip_reason;
use hybridsync_directory::suffix::{classify, suffix_table};
use hybridsync_directory::{
    scan_csv, scan_ldif, scan_objects, DirObject, Finding, Rule, RuleOptions, Severity,
    SuffixState, TenantDomain,
};

fn user(cn: &str) -> DirObject {
    DirObject::new(format!("CN={cn},OU=Staff,DC=contoso,DC=com"))
        .with_class("top")
        .with_class("user")
}

fn scan(objs: Vec<DirObject>) -> Vec<Finding> {
    scan_objects(objs.into_iter().map(Ok), RuleOptions::default())
        .unwrap()
        .findings
}

fn dups(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.rule == Rule::Duplicate)
        .collect()
}

#[test]
fn every_member_of_a_duplicate_set_gets_a_finding_naming_the_others() {
    let objs = vec![
        user("A")
            .with("userPrincipalName", "a@contoso.com")
            .with("mail", "Shared@Contoso.com"),
        user("B")
            .with("userPrincipalName", "b@contoso.com")
            .with("mail", "shared@contoso.com"),
        user("C")
            .with("userPrincipalName", "c@contoso.com")
            .with("proxyAddresses", "smtp:SHARED@contoso.com"),
    ];
    let f = scan(objs);
    let d = dups(&f);
    assert_eq!(d.len(), 3, "{f:#?}");
    for (finding, me) in d.iter().zip(["A", "B", "C"]) {
        assert!(finding.dn.starts_with(&format!("CN={me},")));
        assert_eq!(finding.severity, Severity::Error);
        for other in ["A", "B", "C"].iter().filter(|o| **o != me) {
            assert!(
                finding.message.contains(&format!("CN={other},")),
                "{}",
                finding.message
            );
        }
        assert!(!finding.message.contains(&format!("CN={me},")));
    }
    assert_eq!(d[2].attribute, "proxyAddresses");
    assert_eq!(d[2].value, "smtp:SHARED@contoso.com");
    assert!(d[0].message.contains("(proxyAddresses)"));
}

#[test]
fn upn_colliding_with_another_objects_proxy_address_is_a_duplicate() {
    let objs = vec![
        user("A").with("userPrincipalName", "jane@contoso.com"),
        DirObject::new("CN=Jane Contact,OU=Contacts,DC=contoso,DC=com")
            .with_class("contact")
            .with("targetAddress", "SMTP:jane@contoso.com"),
    ];
    let f = scan(objs);
    let d = dups(&f);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0].attribute, "userPrincipalName");
    assert_eq!(d[1].attribute, "targetAddress");
}

#[test]
fn the_same_address_on_one_object_is_not_a_duplicate() {
    let f = scan(vec![user("A")
        .with("userPrincipalName", "a@contoso.com")
        .with("mail", "a@contoso.com")
        .with("proxyAddresses", "SMTP:a@contoso.com")
        .with("proxyAddresses", "smtp:A@contoso.com")]);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn nickname_and_sam_duplicates_are_separate_key_spaces() {
    let f = scan(vec![
        user("A")
            .with("userPrincipalName", "a@contoso.com")
            .with("mailNickname", "jdoe")
            .with("sAMAccountName", "x"),
        user("B")
            .with("userPrincipalName", "b@contoso.com")
            .with("mailNickname", "JDoe")
            .with("sAMAccountName", "jdoe"),
        user("C")
            .with("userPrincipalName", "c@contoso.com")
            .with("sAMAccountName", "X"),
    ]);
    let d = dups(&f);
    let summary: Vec<(&str, &str, Severity)> = d
        .iter()
        .map(|f| (f.attribute.as_str(), &f.dn[3..4], f.severity))
        .collect();
    assert_eq!(
        summary,
        [
            ("mailNickname", "A", Severity::Error),
            ("mailNickname", "B", Severity::Error),
            ("sAMAccountName", "A", Severity::Warning),
            ("sAMAccountName", "C", Severity::Warning),
        ]
    );
}

#[test]
fn x500_duplicates_are_found_but_never_collide_with_smtp() {
    let x = "X500:/o=Contoso/ou=Exchange/cn=Recipients/cn=jdoe";
    let f = scan(vec![
        user("A")
            .with("userPrincipalName", "a@contoso.com")
            .with("proxyAddresses", x),
        user("B")
            .with("userPrincipalName", "b@contoso.com")
            .with("proxyAddresses", x.to_lowercase()),
        user("C").with("userPrincipalName", "c@contoso.com").with(
            "proxyAddresses",
            "smtp:/o=contoso/ou=exchange/cn=recipients/cn=jdoe@x.com",
        ),
    ]);
    let d = dups(&f);
    assert_eq!(d.len(), 2);
    assert!(d
        .iter()
        .all(|f| f.value.to_lowercase().starts_with("x500:")));
}

#[test]
fn a_huge_duplicate_set_lists_a_bounded_number_of_others() {
    let objs: Vec<DirObject> = (0..100)
        .map(|i| {
            user(&format!("U{i}"))
                .with("userPrincipalName", format!("u{i}@contoso.com"))
                .with("mail", "all@contoso.com")
        })
        .collect();
    let f = scan(objs);
    let d = dups(&f);
    assert_eq!(d.len(), 100);
    assert!(d[0].message.ends_with("and 79 more"), "{}", d[0].message);
}

#[test]
fn skip_list() {
    let skipped = [
        user("krbtgt"),
        user("HealthMailbox0a1b2c3d"),
        user("SystemMailbox{1f05a927-7709-4e35-9dbe-d0f608fb781a}"),
        user("DiscoverySearchMailbox {D919BA05-46A6-415f-80AD-7E09334BB852}"),
        user("FederatedEmail.4c1f4d8b-8179-4148-93bf-00a95fa1e042"),
        user("Exchange Online-ApplicationAccount"),
        user("Administrator"),
        user("Guest"),
        user("MSOL_0123456789ab"),
        user("SERVER01$"),
        DirObject::new(
            "CN=Jane Doe\\0ACNF:6f3a2c1e-0b1d-4b5a-9f00-112233445566,OU=Staff,DC=contoso,DC=com",
        )
        .with_class("user"),
        {
            let mut o = user("Jane");
            o.is_critical_system_object = true;
            o
        },
        user("Svc").with("sAMAccountName", "SUPPORT_388945a0"),
        user("Arb").with("msExchRecipientTypeDetails", "8388608"),
        user("Msol sync")
            .with("msExchHideFromAddressLists", "TRUE")
            .with("displayName", "MSOL_abc"),
        DirObject::new("CN=PC1,CN=Computers,DC=contoso,DC=com")
            .with_class("user")
            .with_class("computer"),
        DirObject::new("OU=Staff,DC=contoso,DC=com").with_class("organizationalUnit"),
        DirObject::new("CN=Admins2,DC=contoso,DC=com")
            .with_class("group")
            .with("groupType", "-2147483646"),
        DirObject::new("CN=List,DC=contoso,DC=com")
            .with_class("group")
            .with("groupType", "2"),
    ];
    for o in &skipped {
        assert!(skip_reason(o).is_some(), "should skip {}", o.dn);
    }
    let kept = [
        user("Jane Doe"),
        user("Krista"),
        user("Jane").with("msExchRecipientTypeDetails", "1"),
        DirObject::new("CN=Sales,DC=contoso,DC=com")
            .with_class("group")
            .with("groupType", "-2147483646")
            .with("mail", "sales@contoso.com"),
        DirObject::new("CN=List,DC=contoso,DC=com")
            .with_class("group")
            .with("groupType", "2")
            .with("proxyAddresses", "SMTP:list@contoso.com"),
        DirObject::new("CN=Ext,DC=contoso,DC=com").with_class("contact"),
    ];
    for o in &kept {
        assert_eq!(skip_reason(o), None, "should keep {}", o.dn);
    }
    // A skipped object is neither checked nor counted for duplicates.
    let report = scan_objects(
        vec![
            Ok(user("krbtgt").with("userPrincipalName", "bad upn@x")),
            Ok(user("Jane").with("userPrincipalName", "jane@contoso.com")),
        ],
        RuleOptions::default(),
    )
    .unwrap();
    assert!(report.findings.is_empty());
    assert_eq!((report.objects, report.skipped), (2, 1));
}

#[test]
fn suffix_table_counts_and_classifies() {
    let objs: Vec<DirObject> = [
        "a@contoso.com",
        "b@Contoso.com",
        "c@contoso.local",
        "d@eu.contoso.com",
        "e@fabrikam.com",
        "f@fabrikam.com",
        "g@fabrikam.com",
        "h@tailspin.com",
        "i@CORP",
    ]
    .iter()
    .enumerate()
    .map(|(i, u)| user(&format!("U{i}")).with("userPrincipalName", *u))
    .collect();
    let report = scan_objects(objs.into_iter().map(Ok), RuleOptions::default()).unwrap();
    let tenant = [
        TenantDomain {
            name: "contoso.com".into(),
            verified: true,
        },
        TenantDomain {
            name: "Fabrikam.com".into(),
            verified: false,
        },
    ];
    let rows: Vec<(String, u64, SuffixState)> = suffix_table(&report.upn_suffixes, &tenant)
        .into_iter()
        .map(|r| (r.suffix, r.count, r.state))
        .collect();
    assert_eq!(
        rows,
        [
            ("fabrikam.com".into(), 3, SuffixState::Unverified),
            ("contoso.com".into(), 2, SuffixState::Verified),
            ("contoso.local".into(), 1, SuffixState::NonRoutable),
            ("corp".into(), 1, SuffixState::NonRoutable),
            ("eu.contoso.com".into(), 1, SuffixState::Verified),
            ("tailspin.com".into(), 1, SuffixState::NotAdded),
        ]
    );
    assert_eq!(classify("contoso.lan", &[]), SuffixState::NonRoutable);
    assert_eq!(classify("contoso.internal", &[]), SuffixState::NonRoutable);
    assert_eq!(classify("Contoso.LOCAL.", &[]), SuffixState::NonRoutable);
    assert_eq!(classify("lab.home.arpa", &[]), SuffixState::NonRoutable);
    assert_eq!(classify("home.arpa", &[]), SuffixState::NonRoutable);
    assert_eq!(classify("myhome.arpa", &[]), SuffixState::NotAdded);
    assert_eq!(classify("notcontoso.com", &tenant), SuffixState::NotAdded);
    assert_eq!(
        serde_json::to_string(&SuffixState::NotAdded).unwrap(),
        "\"not_added\""
    );
}

const SAMPLE_LDIF: &str = "\
dn: CN=Jane Doe,OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName: jane@contoso.local
mail: jane@contoso.com
proxyAddresses: SMTP:jane@contoso.com

dn: CN=José,OU=Staff,DC=contoso,DC=local
objectClass: user
userPrincipalName:: am9zw6lAY29udG9zby5jb20=
proxyAddresses: smtp:jane@contoso.com

dn: CN=krbtgt,CN=Users,DC=contoso,DC=local
objectClass: user
isCriticalSystemObject: TRUE
";

#[test]
fn scan_ldif_end_to_end() {
    let r = scan_ldif(SAMPLE_LDIF.as_bytes(), RuleOptions::default()).unwrap();
    let got: Vec<(&str, &str, Rule)> = r
        .findings
        .iter()
        .map(|f| {
            (
                &f.dn.split(',').next().unwrap()[3..],
                f.attribute.as_str(),
                f.rule,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Jane Doe", "userPrincipalName", Rule::NonRoutableSuffix),
            ("José", "userPrincipalName", Rule::Diacritic),
            ("Jane Doe", "mail", Rule::Duplicate),
            ("Jane Doe", "proxyAddresses", Rule::Duplicate),
            ("José", "proxyAddresses", Rule::Duplicate),
        ]
    );
    assert_eq!((r.objects, r.skipped), (3, 1));
    assert_eq!(r.errors(), 5);
}

#[test]
fn scan_csv_end_to_end_and_read_errors_propagate() {
    let csv = "\"DistinguishedName\",\"UserPrincipalName\"\n\"CN=A,DC=x\",\"a b@contoso.com\"\n";
    let r = scan_csv(csv.as_bytes(), RuleOptions::default()).unwrap();
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].rule, Rule::Character);
    let e = scan_csv(
        "\"DistinguishedName\"\n\"CN=A\",\"x\"\n".as_bytes(),
        RuleOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.line, 2);
    let e = scan_ldif(
        "dn: CN=A\nnot an attribute\n".as_bytes(),
        RuleOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.line, 2);
}
