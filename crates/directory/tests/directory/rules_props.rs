//! Property tests of the rules: no panic on any value, findings always
//! name a contract rule, and suggestions are themselves clean.

use hybridsync_directory::rules::ATTRIBUTES;
use hybridsync_directory::{check_object, scan_objects, DirObject, Rule, RuleOptions};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 .@'_:;<>()\\[\\]\"\\\\éñü-]{0,40}",
        "(SMTP|smtp|X500|X400|sip|eum|):[a-zA-Z0-9 .@'/=;()é-]{0,40}",
        "[a-z.éå' ]{0,12}@[a-z0-9.é-]{0,20}\\.(com|local|edu\\.au|cloud|xn--p1ai|zz|)",
    ]
}

/// Rules whose suggestion is meant to remove the problem entirely.
const CLEANING: &[Rule] = &[Rule::Character, Rule::Diacritic, Rule::LeadingPeriod];

proptest! {
    #[test]
    fn rules_never_panic_and_findings_are_well_formed(
        attrs in prop::collection::vec((0..ATTRIBUTES.len(), value()), 0..8),
        class in prop_oneof![Just("user"), Just("contact"), Just("group")],
    ) {
        let mut o = DirObject::new("CN=Test,DC=contoso,DC=com").with_class(class);
        for (i, v) in &attrs {
            o.push(ATTRIBUTES[*i], v.clone());
        }
        for f in check_object(&o, &RuleOptions { upn_suffix_replacement: Some("contoso.com".into()) }) {
            prop_assert_eq!(&f.dn, &o.dn);
            prop_assert!(ATTRIBUTES.contains(&f.attribute.as_str()));
            prop_assert!(!f.message.is_empty());
            prop_assert!(f.suggestion.as_deref() != Some(f.value.as_str()));
        }
        // Two copies of the object: every address-like value duplicates.
        let mut twin = o.clone();
        twin.dn = "CN=Twin,DC=contoso,DC=com".into();
        scan_objects(vec![Ok(o), Ok(twin)], RuleOptions::default()).unwrap();
    }

    #[test]
    fn suggestions_fix_what_they_claim_to_fix(attr in 0..ATTRIBUTES.len(), v in value()) {
        let name = ATTRIBUTES[attr];
        let o = DirObject::new("CN=Test,DC=contoso,DC=com").with_class("user").with(name, v.clone());
        for f in check_object(&o, &RuleOptions::default()) {
            let Some(s) = f.suggestion.as_deref() else { continue };
            if f.attribute != name || !CLEANING.contains(&f.rule) {
                continue;
            }
            let again = DirObject::new("CN=Test,DC=contoso,DC=com").with_class("user").with(name, s);
            let left: Vec<_> = check_object(&again, &RuleOptions::default())
                .into_iter()
                .filter(|g| g.attribute == name && CLEANING.contains(&g.rule))
                .map(|g| (g.rule, g.message))
                .collect();
            prop_assert!(left.is_empty(), "{name} {v:?} -> {s:?} still has {left:?}");
        }
    }
}
