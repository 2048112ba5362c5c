//! Table-driven tests of every rule, with IdFix's known false positives and
//! misses as regression cases.

use hybridsync_directory::{check_object, DirObject, Rule, RuleOptions, Severity};

use Rule::*;
use Severity::{Error as E, Warning as W};

const DN: &str = "CN=Jane Doe,OU=Staff,DC=contoso,DC=local";

struct Case {
    attr: &'static str,
    value: String,
    /// Expected (rule, severity) pairs for this attribute, in any order.
    expect: Vec<(Rule, Severity)>,
    /// Expected suggestion of the first finding (checked when Some).
    suggestion: Option<&'static str>,
}

fn c(attr: &'static str, value: impl Into<String>, expect: &[(Rule, Severity)]) -> Case {
    Case {
        attr,
        value: value.into(),
        expect: expect.to_vec(),
        suggestion: None,
    }
}

fn cs(
    attr: &'static str,
    value: impl Into<String>,
    expect: &[(Rule, Severity)],
    s: &'static str,
) -> Case {
    Case {
        suggestion: Some(s),
        ..c(attr, value, expect)
    }
}

fn a(n: usize) -> String {
    "a".repeat(n)
}

/// A user with a valid UPN (unless the case is about the UPN), so only the
/// attribute under test can produce findings.
fn object_for(case: &Case) -> DirObject {
    let mut o = DirObject::new(DN)
        .with_class("top")
        .with_class("person")
        .with_class("user");
    if case.attr != "userPrincipalName" {
        o.push("userPrincipalName", "jane.doe@contoso.com".into());
    }
    o.push(case.attr, case.value.clone());
    o
}

fn run(cases: Vec<Case>, opts: &RuleOptions) {
    let mut failures = Vec::new();
    for case in &cases {
        let findings: Vec<_> = check_object(&object_for(case), opts)
            .into_iter()
            .filter(|f| f.attribute == case.attr)
            .collect();
        let mut got: Vec<(Rule, Severity)> =
            findings.iter().map(|f| (f.rule, f.severity)).collect();
        let mut want = case.expect.clone();
        got.sort();
        want.sort();
        if got != want {
            failures.push(format!(
                "{} = {:?}: want {:?}, got {:?}\n   {:?}",
                case.attr,
                case.value,
                want,
                got,
                findings.iter().map(|f| &f.message).collect::<Vec<_>>()
            ));
            continue;
        }
        if let Some(s) = case.suggestion {
            let first = findings.first().and_then(|f| f.suggestion.as_deref());
            if first != Some(s) {
                failures.push(format!(
                    "{} = {:?}: want suggestion {s:?}, got {first:?}",
                    case.attr, case.value
                ));
            }
        }
        for f in &findings {
            assert_eq!(f.dn, DN);
            assert_eq!(f.value, case.value);
            assert!(!f.message.is_empty());
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn display_name_and_given_name() {
    run(
        vec![
            c("displayName", "Jane Doe", &[]),
            c("displayName", "José Müller-Ñúñez", &[]),
            cs("displayName", "", &[(Blank, E)], "Jane Doe"),
            c("displayName", "   ", &[(Blank, E)]),
            c("displayName", a(256), &[]),
            c("displayName", a(257), &[(Length, E)]),
            c("givenName", "Jane", &[]),
            // IdFix flags more than 63; the spec allows 64.
            c("givenName", a(64), &[]),
            c("givenName", a(65), &[(Length, E)]),
        ],
        &RuleOptions::default(),
    );
}

#[test]
fn display_name_length_suggestion_truncates() {
    let o = DirObject::new(DN)
        .with_class("contact")
        .with("displayName", a(300));
    let f = check_object(&o, &RuleOptions::default());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].suggestion.as_deref(), Some(a(256).as_str()));
}

#[test]
fn mail() {
    run(
        vec![
            c("mail", "jane.doe@contoso.com", &[]),
            c("mail", "Jane.Doe@CONTOSO.COM", &[]),
            c("mail", "o'brien@contoso.com", &[]),
            // IdFix false positives: .edu.au (#1), .cloud (#5), punycode and
            // TLDs longer than 17 characters.
            c("mail", "jane@school.edu.au", &[]),
            c("mail", "jane@contoso.cloud", &[]),
            c("mail", "jane@contoso.gmbh", &[]),
            c("mail", "jane@contoso.si", &[]),
            c("mail", "jane@contoso.swiss", &[]),
            c("mail", "jane@contoso.africa", &[]),
            c("mail", "jane@contoso.xn--p1ai", &[]),
            c("mail", "jane@contoso.xn--vermgensberatung-pwb", &[]),
            cs(
                "mail",
                "jane doe@contoso.com",
                &[(Character, E)],
                "janedoe@contoso.com",
            ),
            // IdFix miss: any accented letter, not only umlauts.
            cs(
                "mail",
                "josé@contoso.com",
                &[(Diacritic, E)],
                "jose@contoso.com",
            ),
            c("mail", "jane@contoso.local", &[(NonRoutableSuffix, W)]),
            c("mail", "jane@contoso", &[(NonRoutableSuffix, W)]),
            c("mail", "jane@contoso.notatld", &[(TopLevelDomain, E)]),
            c("mail", "jane@co.uk", &[(TopLevelDomain, E)]),
            c("mail", "jane.contoso.com", &[(Format, E)]),
            c("mail", "jane@@contoso.com", &[(Format, E)]),
            cs(
                "mail",
                ".jane@contoso.com",
                &[(LeadingPeriod, E)],
                "jane@contoso.com",
            ),
            c("mail", "jane.@contoso.com", &[(Format, E)]),
            c("mail", "jane..doe@contoso.com", &[(Format, E)]),
            c("mail", "jane@-contoso.com", &[(Format, E)]),
            c("mail", "", &[(Blank, E)]),
            c("mail", format!("{}@contoso.com", a(244)), &[]),
            c("mail", format!("{}@contoso.com", a(245)), &[(Length, E)]),
        ],
        &RuleOptions::default(),
    );
}

#[test]
fn mail_nickname() {
    run(
        vec![
            c("mailNickname", "jdoe", &[]),
            c("mailNickname", "o'brien", &[]),
            c("mailNickname", "jane.doe", &[]),
            cs("mailNickname", ".jdoe", &[(LeadingPeriod, E)], "jdoe"),
            c("mailNickname", a(64), &[]),
            c("mailNickname", a(65), &[(Length, E)]),
            cs("mailNickname", "j doe", &[(Character, W)], "jdoe"),
            cs("mailNickname", "josé", &[(Diacritic, W)], "jose"),
            c("mailNickname", "", &[(Blank, E)]),
        ],
        &RuleOptions::default(),
    );
}

#[test]
fn proxy_addresses() {
    let x500 = "X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=3f2a1b0c9d8e-John O'Brien";
    run(
        vec![
            c("proxyAddresses", "SMTP:jane@contoso.com", &[]),
            c(
                "proxyAddresses",
                "smtp:jane@contoso.mail.onmicrosoft.com",
                &[],
            ),
            c("proxyAddresses", "smtp:jane@school.edu.au", &[]),
            c("proxyAddresses", "smtp:jane@contoso.cloud", &[]),
            c("proxyAddresses", "smtp:jane@contoso.xn--p1ai", &[]),
            c("proxyAddresses", "smtp:o'brien@contoso.com", &[]),
            cs(
                "proxyAddresses",
                "smtp:jane doe@contoso.com",
                &[(Character, E)],
                "smtp:janedoe@contoso.com",
            ),
            c(
                "proxyAddresses",
                "smtp:jane(x)@contoso.com",
                &[(Character, E)],
            ),
            c(
                "proxyAddresses",
                "smtp:jane;x@contoso.com",
                &[(Character, E)],
            ),
            // A colon after the prefix is invalid (spec: SMTP:user:M@contoso.com).
            c(
                "proxyAddresses",
                "SMTP:user:M@contoso.com",
                &[(Character, E)],
            ),
            cs(
                "proxyAddresses",
                "smtp:jöse@contoso.com",
                &[(Diacritic, E)],
                "smtp:jose@contoso.com",
            ),
            c(
                "proxyAddresses",
                "smtp:jane@contoso.local",
                &[(NonRoutableSuffix, W)],
            ),
            c(
                "proxyAddresses",
                "smtp:jane@contoso.notatld",
                &[(TopLevelDomain, E)],
            ),
            cs(
                "proxyAddresses",
                "jane@contoso.com",
                &[(Format, E)],
                "smtp:jane@contoso.com",
            ),
            c("proxyAddresses", "smtp:", &[(Blank, E)]),
            c("proxyAddresses", "smtp:jane", &[(Format, E)]),
            // The 256 limit applies after the prefix.
            c(
                "proxyAddresses",
                format!("smtp:{}@contoso.com", a(244)),
                &[],
            ),
            c(
                "proxyAddresses",
                format!("smtp:{}@contoso.com", a(245)),
                &[(Length, E)],
            ),
            // IdFix false positives: X500 with parentheses (#16), apostrophe (#79).
            c("proxyAddresses", x500, &[]),
            c(
                "proxyAddresses",
                "x500:/o=Contoso/ou=First Administrative Group/cn=Recipients/cn=jdoe",
                &[],
            ),
            c("proxyAddresses", "X500:o=Contoso/cn=jdoe", &[(Format, E)]),
            c("proxyAddresses", "X500:/o=Contoso/cn", &[(Format, E)]),
            c(
                "proxyAddresses",
                "X400:C=US;A= ;P=Contoso;O=Exchange;S=Doe;G=Jane;",
                &[],
            ),
            c(
                "proxyAddresses",
                "X400:c=US;a= ;p=Contoso (Europe);o=Exchange;s=O'Brien;",
                &[],
            ),
            c("proxyAddresses", "X400:garbage", &[(Format, E)]),
            c("proxyAddresses", "sip:jane@contoso.com", &[]),
            c(
                "proxyAddresses",
                "EUM:1234;phone-context=dp.contoso.com",
                &[],
            ),
            c(
                "proxyAddresses",
                "sip:jane doe@contoso.com",
                &[(Character, E)],
            ),
        ],
        &RuleOptions::default(),
    );
}

#[test]
fn sam_account_name() {
    run(
        vec![
            c("sAMAccountName", "jdoe", &[]),
            c("sAMAccountName", a(20), &[]),
            // The user still syncs through its valid UPN: warning.
            c("sAMAccountName", a(21), &[(Length, W)]),
            cs("sAMAccountName", "jane[doe]", &[(Character, W)], "janedoe"),
            c("sAMAccountName", "o'brien", &[(Character, W)]),
            c("sAMAccountName", "a+b=c", &[(Character, W)]),
            c("sAMAccountName", "", &[(Blank, W)]),
        ],
        &RuleOptions::default(),
    );
}

#[test]
fn sam_account_name_without_upn_is_an_error_and_groups_allow_256() {
    let user = DirObject::new(DN)
        .with_class("user")
        .with("sAMAccountName", a(21));
    let f: Vec<_> = check_object(&user, &RuleOptions::default())
        .into_iter()
        .filter(|f| f.attribute == "sAMAccountName")
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].rule, f[0].severity), (Length, E));

    let group = DirObject::new("CN=Sales,DC=contoso,DC=com")
        .with_class("group")
        .with("sAMAccountName", a(64));
    assert!(check_object(&group, &RuleOptions::default()).is_empty());
    let group = group.with("sAMAccountName", a(257));
    assert_eq!(check_object(&group, &RuleOptions::default()).len(), 1);
}

#[test]
fn target_address() {
    run(
        vec![
            c(
                "targetAddress",
                "SMTP:jane@contoso.mail.onmicrosoft.com",
                &[],
            ),
            c(
                "targetAddress",
                "SMTP:jane\\doe@contoso.com",
                &[(Character, E)],
            ),
            c(
                "targetAddress",
                "SMTP:jane doe@contoso.com",
                &[(Character, E)],
            ),
            c(
                "targetAddress",
                "X500:/o=Contoso/ou=Exchange/cn=Recipients/cn=jdoe",
                &[],
            ),
            cs(
                "targetAddress",
                "jane@contoso.com",
                &[(Format, E)],
                "SMTP:jane@contoso.com",
            ),
            c(
                "targetAddress",
                format!("SMTP:{}@contoso.com", a(245)),
                &[(Length, E)],
            ),
        ],
        &RuleOptions::default(),
    );
}

#[test]
fn user_principal_name() {
    let dom48 = format!("{}.com", a(44));
    let dom49 = format!("{}.com", a(45));
    run(
        vec![
            c("userPrincipalName", "jane.doe@contoso.com", &[]),
            // IdFix false positives: apostrophe (allowed by the spec), .edu.au,
            // .cloud, punycode TLDs, .app (#96).
            c("userPrincipalName", "o'brien@contoso.com", &[]),
            c("userPrincipalName", "jane@school.edu.au", &[]),
            c("userPrincipalName", "jane@contoso.cloud", &[]),
            c("userPrincipalName", "jane@contoso.app", &[]),
            c("userPrincipalName", "jane@contoso.xn--p1ai", &[]),
            c("userPrincipalName", "j!a#n^e~_x-y@contoso.com", &[]),
            // IdFix misses: accented letters beyond the umlauts.
            cs(
                "userPrincipalName",
                "josé@contoso.com",
                &[(Diacritic, E)],
                "jose@contoso.com",
            ),
            c("userPrincipalName", "jañe@contoso.com", &[(Diacritic, E)]),
            c("userPrincipalName", "zoë@contoso.com", &[(Diacritic, E)]),
            c("userPrincipalName", "ståle@contoso.com", &[(Diacritic, E)]),
            cs(
                "userPrincipalName",
                "jane doe@contoso.com",
                &[(Character, E)],
                "janedoe@contoso.com",
            ),
            c(
                "userPrincipalName",
                "jane%doe@contoso.com",
                &[(Character, E)],
            ),
            c(
                "userPrincipalName",
                "jane{doe}@contoso.com",
                &[(Character, E)],
            ),
            c(
                "userPrincipalName",
                "jane&@contoso.com",
                &[(Character, E), (Format, E)],
            ),
            c("userPrincipalName", "jane.doe.contoso.com", &[(Format, E)]),
            c("userPrincipalName", "@contoso.com", &[(Format, E)]),
            c("userPrincipalName", "jane@doe@contoso.com", &[(Format, E)]),
            c("userPrincipalName", "jane.@contoso.com", &[(Format, E)]),
            cs(
                "userPrincipalName",
                ".jane@contoso.com",
                &[(LeadingPeriod, E)],
                "jane@contoso.com",
            ),
            c(
                "userPrincipalName",
                "jane@contoso.local",
                &[(NonRoutableSuffix, E)],
            ),
            c(
                "userPrincipalName",
                "jane@contoso.lan",
                &[(NonRoutableSuffix, E)],
            ),
            c(
                "userPrincipalName",
                "jane@contoso.internal",
                &[(NonRoutableSuffix, E)],
            ),
            c(
                "userPrincipalName",
                "jane@contoso",
                &[(NonRoutableSuffix, E)],
            ),
            c(
                "userPrincipalName",
                "jane@contoso.notatld",
                &[(TopLevelDomain, E)],
            ),
            c("userPrincipalName", "", &[(Blank, E)]),
            // The 64/48 split (IdFix checked only the 113 total).
            c("userPrincipalName", format!("{}@contoso.com", a(64)), &[]),
            c(
                "userPrincipalName",
                format!("{}@contoso.com", a(65)),
                &[(Length, E)],
            ),
            c("userPrincipalName", format!("jane@{dom48}"), &[]),
            c("userPrincipalName", format!("jane@{dom49}"), &[(Length, E)]),
            c("userPrincipalName", format!("{}@{dom48}", a(64)), &[]),
            c(
                "userPrincipalName",
                format!("{}@{dom49}", a(64)),
                &[(Length, E)],
            ),
        ],
        &RuleOptions::default(),
    );
}

#[test]
fn upn_suffix_replacement_suggestion() {
    let opts = RuleOptions {
        upn_suffix_replacement: Some("contoso.com".into()),
    };
    run(
        vec![
            cs(
                "userPrincipalName",
                "jane@contoso.local",
                &[(NonRoutableSuffix, E)],
                "jane@contoso.com",
            ),
            cs(
                "userPrincipalName",
                "josé@contoso.local",
                &[(Diacritic, E), (NonRoutableSuffix, E)],
                "jose@contoso.com",
            ),
            c("userPrincipalName", "jane@contoso.com", &[]),
        ],
        &opts,
    );
    // Without the option there is nothing safe to propose.
    let o = DirObject::new(DN)
        .with_class("user")
        .with("userPrincipalName", "jane@contoso.local");
    let f = check_object(&o, &RuleOptions::default());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].suggestion, None);
}

#[test]
fn missing_upn_on_a_user_is_a_blank_warning_but_not_on_a_contact() {
    let user = DirObject::new(DN)
        .with_class("user")
        .with("displayName", "Jane");
    let f = check_object(&user, &RuleOptions::default());
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].rule, f[0].severity, f[0].attribute.as_str()),
        (Blank, W, "userPrincipalName")
    );
    let contact = DirObject::new(DN)
        .with_class("contact")
        .with("displayName", "Jane");
    assert!(check_object(&contact, &RuleOptions::default()).is_empty());
}

#[test]
fn rule_codes_and_finding_json_follow_the_contract() {
    let codes: Vec<String> = [
        Length,
        Character,
        Diacritic,
        LeadingPeriod,
        Duplicate,
        Format,
        TopLevelDomain,
        NonRoutableSuffix,
        Blank,
    ]
    .iter()
    .map(|r| {
        let json = serde_json::to_string(r).unwrap();
        assert_eq!(json, format!("\"{}\"", r.code()));
        r.code().to_string()
    })
    .collect();
    assert_eq!(
        codes,
        [
            "length",
            "character",
            "diacritic",
            "leading_period",
            "duplicate",
            "format",
            "top_level_domain",
            "non_routable_suffix",
            "blank"
        ]
    );
    let o = DirObject::new(DN)
        .with_class("user")
        .with("userPrincipalName", "josé@contoso.com");
    let f = &check_object(&o, &RuleOptions::default())[0];
    let v = serde_json::to_value(f).unwrap();
    let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
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
    assert_eq!(v["severity"], "error");
    assert_eq!(v["rule"], "diacritic");
    assert_eq!(v["suggestion"], "jose@contoso.com");
}

#[test]
fn folding() {
    use hybridsync_directory::fold::{fold, is_diacritic};
    assert_eq!(
        fold("Åsa Øster-Łukasz Straße Ærø Željko Nuñez"),
        "Asa Oster-Lukasz Strasse AEro Zeljko Nunez"
    );
    assert!(is_diacritic('é') && is_diacritic('ñ') && is_diacritic('å') && is_diacritic('ÿ'));
    assert!(!is_diacritic('a') && !is_diacritic('ж') && !is_diacritic('中'));
}
