//! userPrincipalName.

use super::{list_chars, show_chars, Out, RuleOptions};
use crate::domain;
use crate::finding::{Rule, Severity};
use crate::fold::{diacritics_in, fold, is_diacritic};
use crate::object::DirObject;

const UPN_MAX: usize = 113;
const LOCAL_MAX: usize = 64;
const DOMAIN_MAX: usize = 48;
const ATTR: &str = "userPrincipalName";

/// Allowed before the `@`: `A–Z a–z 0–9 ' . - _ ! # ^ ~`.
fn local_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || "'.-_!#^~".contains(c)
}

fn domain_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.'
}

pub(super) fn check(obj: &DirObject, opts: &RuleOptions, out: &mut Out) {
    let values = obj.values(ATTR);
    if values.is_empty() && obj.is_user() {
        out.push(
            ATTR,
            "",
            Rule::Blank,
            Severity::Warning,
            "the user has no userPrincipalName; its cloud sign-in name will be built from sAMAccountName and the tenant's initial onmicrosoft.com domain".into(),
            None,
        );
    }
    for v in values {
        upn(v, opts, out);
    }
}

/// The cleaned UPN: diacritics folded, disallowed characters removed,
/// periods trimmed, and the suffix replaced when it is unusable and a
/// replacement is configured.
fn clean(v: &str, opts: &RuleOptions) -> Option<String> {
    let folded = fold(v);
    let at = folded.rfind('@')?;
    let mut local: String = folded[..at].chars().filter(|&c| local_ok(c)).collect();
    while local.contains("..") {
        local = local.replace("..", ".");
    }
    let local = local.trim_matches('.').to_string();
    let mut dom: String = folded[at + 1..]
        .chars()
        .filter(|&c| domain_ok(c))
        .collect::<String>()
        .trim_matches('.')
        .to_ascii_lowercase();
    if let Some(rep) = &opts.upn_suffix_replacement {
        if matches!(
            domain::check(&dom).map(|i| i.rule),
            Some(Rule::NonRoutableSuffix | Rule::TopLevelDomain)
        ) {
            dom = rep.to_ascii_lowercase();
        }
    }
    (!local.is_empty() && !dom.is_empty()).then(|| format!("{local}@{dom}"))
}

fn upn(v: &str, opts: &RuleOptions, out: &mut Out) {
    if v.trim().is_empty() {
        out.push(
            ATTR,
            v,
            Rule::Blank,
            Severity::Error,
            "userPrincipalName is present but blank".into(),
            None,
        );
        return;
    }
    // Computed only when a finding needs it: most values are clean.
    let suggestion = || clean(v, opts);
    let at_count = v.matches('@').count();
    let (local, dom) = match v.rfind('@') {
        Some(i) => (&v[..i], &v[i + 1..]),
        None => (v, ""),
    };

    // Length: 113 in all, 64 before the '@', 48 after (IdFix checked only
    // the total).
    let (n, nl, nd) = (
        v.chars().count(),
        local.chars().count(),
        dom.chars().count(),
    );
    let mut over = Vec::new();
    if n > UPN_MAX {
        over.push(format!("{n} characters in all (limit {UPN_MAX})"));
    }
    if nl > LOCAL_MAX {
        over.push(format!("{nl} before the '@' (limit {LOCAL_MAX})"));
    }
    if nd > DOMAIN_MAX {
        over.push(format!("{nd} after the '@' (limit {DOMAIN_MAX})"));
    }
    if !over.is_empty() {
        out.push(
            ATTR,
            v,
            Rule::Length,
            Severity::Error,
            format!("userPrincipalName is too long: {}", over.join(", ")),
            None,
        );
    }

    let mut bad = list_chars(local, |c| c != '@' && !local_ok(c) && !is_diacritic(c));
    for c in list_chars(dom, |c| !domain_ok(c) && !is_diacritic(c)) {
        if !bad.contains(&c) {
            bad.push(c);
        }
    }
    if !bad.is_empty() {
        out.push(
            ATTR,
            v,
            Rule::Character,
            Severity::Error,
            format!(
                "userPrincipalName contains characters that are not allowed ({}); allowed are A–Z a–z 0–9 ' . - _ ! # ^ ~",
                show_chars(&bad)
            ),
            suggestion(),
        );
    }
    let marks = diacritics_in(v);
    if !marks.is_empty() {
        out.push(
            ATTR,
            v,
            Rule::Diacritic,
            Severity::Error,
            format!(
                "userPrincipalName contains letters with diacritics ({})",
                show_chars(&marks)
            ),
            suggestion(),
        );
    }

    match at_count {
        0 => {
            out.push(
                ATTR,
                v,
                Rule::Format,
                Severity::Error,
                "userPrincipalName has no '@'".into(),
                None,
            );
            return;
        }
        1 => {}
        k => out.push(
            ATTR,
            v,
            Rule::Format,
            Severity::Error,
            format!("userPrincipalName has {k} '@' characters; it must have exactly one"),
            None,
        ),
    }
    if v.starts_with('@') {
        out.push(
            ATTR,
            v,
            Rule::Format,
            Severity::Error,
            "userPrincipalName cannot start with '@'".into(),
            None,
        );
    } else if local.starts_with('.') {
        out.push(
            ATTR,
            v,
            Rule::LeadingPeriod,
            Severity::Error,
            "the name part of the userPrincipalName starts with a period".into(),
            suggestion(),
        );
    }
    if local.ends_with(['.', '&', ' ', '@']) || local.contains("..") {
        out.push(
            ATTR,
            v,
            Rule::Format,
            Severity::Error,
            "the name part of the userPrincipalName cannot end with '.', '&', a space or '@', nor contain '..'".into(),
            suggestion(),
        );
    }
    let clean_dom: std::borrow::Cow<str> = if dom.chars().all(domain_ok) {
        dom.into()
    } else {
        fold(dom)
            .chars()
            .filter(|&c| domain_ok(c))
            .collect::<String>()
            .into()
    };
    if let Some(issue) = domain::check(&clean_dom) {
        let sugg = match issue.rule {
            Rule::NonRoutableSuffix | Rule::TopLevelDomain
                if opts.upn_suffix_replacement.is_some() =>
            {
                suggestion()
            }
            _ => None,
        };
        out.push(ATTR, v, issue.rule, Severity::Error, issue.message, sugg);
    }
}
