//! mail, proxyAddresses and targetAddress: SMTP addresses, and X400/X500
//! addresses judged by their own syntax.

use super::{list_chars, show_chars, Out};
use crate::domain;
use crate::finding::{Rule, Severity};
use crate::fold::{diacritics_in, fold, is_diacritic};
use crate::object::DirObject;

const ADDRESS_MAX: usize = 256;
/// Invalid in proxyAddresses (after the prefix) per Microsoft's spec.
const PROXY_INVALID: &str = "<>();,[]\"";
/// Invalid in targetAddress per Microsoft's spec.
const TARGET_INVALID: &str = "\\<>();,[]\"";

/// The kind of address after a `type:` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// `SMTP:` (primary) or `smtp:` (secondary).
    Smtp,
    /// `X400:` originator/recipient address, `c=US;a= ;p=…;`.
    X400,
    /// `X500:` legacy Exchange DN, `/o=…/ou=…/cn=…`.
    X500,
    /// Any other type (SIP, EUM, …).
    Other,
}

/// Split `type:address`. None when there is no valid prefix (1–16 letters,
/// digits or hyphens before the first colon).
pub fn split_proxy(value: &str) -> Option<(&str, &str, ProxyKind)> {
    let colon = value.find(':')?;
    let prefix = &value[..colon];
    let ok = (1..=16).contains(&prefix.len())
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !ok {
        return None;
    }
    let kind = match prefix.to_ascii_lowercase().as_str() {
        "smtp" => ProxyKind::Smtp,
        "x400" => ProxyKind::X400,
        "x500" => ProxyKind::X500,
        _ => ProxyKind::Other,
    };
    Some((prefix, &value[colon + 1..], kind))
}

pub(super) fn check(obj: &DirObject, out: &mut Out) {
    for v in obj.values("mail") {
        smtp(out, "mail", v, "", v, PROXY_INVALID, false);
    }
    for v in obj.values("proxyAddresses") {
        typed(out, "proxyAddresses", v, PROXY_INVALID);
    }
    for v in obj.values("targetAddress") {
        typed(out, "targetAddress", v, TARGET_INVALID);
    }
}

fn typed(out: &mut Out, attr: &str, value: &str, invalid: &str) {
    let Some((prefix, addr, kind)) = split_proxy(value) else {
        if value.trim().is_empty() {
            out.push(
                attr,
                value,
                Rule::Blank,
                Severity::Error,
                format!("{attr} has a blank value"),
                None,
            );
        } else {
            out.push(
                attr,
                value,
                Rule::Format,
                Severity::Error,
                format!("{attr} value has no address type prefix such as \"smtp:\""),
                value.contains('@').then(|| {
                    // targetAddress is conventionally upper-case; a new proxy
                    // address is added as a secondary one.
                    let prefix = if attr == "targetAddress" {
                        "SMTP"
                    } else {
                        "smtp"
                    };
                    format!("{prefix}:{}", value.trim())
                }),
            );
        }
        return;
    };
    let full_prefix = &value[..prefix.len() + 1];
    match kind {
        ProxyKind::Smtp => smtp(out, attr, value, full_prefix, addr, invalid, true),
        ProxyKind::X500 => x500(out, attr, value, addr),
        ProxyKind::X400 => x400(out, attr, value, addr),
        ProxyKind::Other => other(out, attr, value, addr),
    }
}

fn blank_or_long(out: &mut Out, attr: &str, value: &str, addr: &str) -> bool {
    if addr.trim().is_empty() {
        let what = if addr.len() == value.len() {
            format!("{attr} is present but blank")
        } else {
            format!("{attr} has a type prefix but no address")
        };
        out.push(attr, value, Rule::Blank, Severity::Error, what, None);
        return true;
    }
    let n = addr.chars().count();
    if n > ADDRESS_MAX {
        out.push(
            attr,
            value,
            Rule::Length,
            Severity::Error,
            format!("the address is {n} characters after the prefix; the limit is {ADDRESS_MAX}"),
            None,
        );
    }
    false
}

/// RFC 5322 `atext` plus the period.
fn local_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

fn domain_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.'
}

/// Remove what cannot be in an SMTP address: fold diacritics, drop other
/// invalid characters, strip periods at the ends of the local part.
fn clean_smtp(addr: &str) -> Option<String> {
    let folded = fold(addr);
    let at = folded.rfind('@')?;
    let local: String = folded[..at].chars().filter(|&c| local_char_ok(c)).collect();
    let dom: String = folded[at + 1..]
        .chars()
        .filter(|&c| domain_char_ok(c))
        .collect();
    let mut local = local.trim_matches('.').to_string();
    while local.contains("..") {
        local = local.replace("..", ".");
    }
    let dom = dom.trim_matches('.').to_ascii_lowercase();
    (!local.is_empty() && !dom.is_empty()).then(|| format!("{local}@{dom}"))
}

#[allow(clippy::too_many_arguments)]
fn smtp(
    out: &mut Out,
    attr: &str,
    value: &str,
    prefix: &str,
    addr: &str,
    invalid: &str,
    colon: bool,
) {
    if blank_or_long(out, attr, value, addr) {
        return;
    }
    // Computed only when a finding needs it: most values are clean.
    let suggestion = || clean_smtp(addr).map(|c| format!("{prefix}{c}"));
    let at_count = addr.matches('@').count();
    let at = addr.rfind('@');
    let (local, dom) = match at {
        Some(i) => (&addr[..i], &addr[i + 1..]),
        None => (addr, ""),
    };
    // Characters: whitespace, the spec's list, then anything RFC 5322 does
    // not allow (non-ASCII letters with diacritics have their own rule).
    let mut bad = list_chars(addr, |c| {
        c.is_whitespace() || invalid.contains(c) || (colon && c == ':')
    });
    for c in list_chars(local, |c| c != '@' && !local_char_ok(c) && !is_diacritic(c)) {
        if !bad.contains(&c) {
            bad.push(c);
        }
    }
    for c in list_chars(dom, |c| !domain_char_ok(c) && !is_diacritic(c)) {
        if !bad.contains(&c) {
            bad.push(c);
        }
    }
    if !bad.is_empty() {
        let non_ascii = bad.iter().any(|c| !c.is_ascii());
        out.push(
            attr,
            value,
            Rule::Character,
            Severity::Error,
            format!(
                "the address contains characters that are not allowed ({}){}",
                show_chars(&bad),
                if non_ascii {
                    "; non-ASCII characters do not synchronize"
                } else {
                    ""
                }
            ),
            suggestion(),
        );
    }
    let marks = diacritics_in(addr);
    if !marks.is_empty() {
        out.push(
            attr,
            value,
            Rule::Diacritic,
            Severity::Error,
            format!(
                "the address contains letters with diacritics ({})",
                show_chars(&marks)
            ),
            suggestion(),
        );
    }
    match at_count {
        0 => {
            out.push(
                attr,
                value,
                Rule::Format,
                Severity::Error,
                "the address has no '@'".into(),
                None,
            );
            return;
        }
        1 => {}
        n => out.push(
            attr,
            value,
            Rule::Format,
            Severity::Error,
            format!("the address has {n} '@' characters; it must have exactly one"),
            None,
        ),
    }
    if local.is_empty() {
        out.push(
            attr,
            value,
            Rule::Format,
            Severity::Error,
            "nothing before the '@'".into(),
            None,
        );
    } else if local.starts_with('.') {
        out.push(
            attr,
            value,
            Rule::LeadingPeriod,
            Severity::Error,
            "the part before the '@' starts with a period".into(),
            suggestion(),
        );
    } else if local.ends_with('.') || local.contains("..") {
        out.push(
            attr,
            value,
            Rule::Format,
            Severity::Error,
            "the part before the '@' ends with a period or has two periods in a row".into(),
            suggestion(),
        );
    }
    // Judge the domain as it would be once the characters are fixed, so one
    // bad character is not reported twice.
    let clean_dom: std::borrow::Cow<str> = if dom.chars().all(domain_char_ok) {
        dom.into()
    } else {
        fold(dom)
            .chars()
            .filter(|&c| domain_char_ok(c))
            .collect::<String>()
            .into()
    };
    if let Some(issue) = domain::check(&clean_dom) {
        let severity = match issue.rule {
            // Exchange Online drops addresses in domains it cannot accept;
            // the object still synchronizes.
            Rule::NonRoutableSuffix => Severity::Warning,
            _ => Severity::Error,
        };
        out.push(attr, value, issue.rule, severity, issue.message, None);
    }
}

fn control_chars(out: &mut Out, attr: &str, value: &str, addr: &str) {
    let bad = list_chars(addr, |c| c.is_control());
    if !bad.is_empty() {
        out.push(
            attr,
            value,
            Rule::Character,
            Severity::Error,
            format!(
                "the address contains control characters ({})",
                show_chars(&bad)
            ),
            Some(value.chars().filter(|c| !c.is_control()).collect()),
        );
    }
}

/// X500: `/name=value/name=value…`. Spaces, parentheses and apostrophes are
/// legitimate (Exchange Online generates them).
fn x500(out: &mut Out, attr: &str, value: &str, addr: &str) {
    if blank_or_long(out, attr, value, addr) {
        return;
    }
    control_chars(out, attr, value, addr);
    let well_formed = addr.starts_with('/')
        && addr[1..].split('/').all(|seg| {
            seg.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            })
        });
    if !well_formed {
        out.push(
            attr,
            value,
            Rule::Format,
            Severity::Error,
            "an X500 address must look like /o=Org/ou=Group/cn=Recipients/cn=name".into(),
            None,
        );
    }
}

/// X400: `c=US;a= ;p=Org;o=Exchange;s=Surname;g=Given;` (pairs separated by
/// `;`, a trailing `;` allowed).
fn x400(out: &mut Out, attr: &str, value: &str, addr: &str) {
    if blank_or_long(out, attr, value, addr) {
        return;
    }
    control_chars(out, attr, value, addr);
    let body = addr.strip_suffix(';').unwrap_or(addr);
    let well_formed = body.split(';').all(|pair| {
        pair.split_once('=').is_some_and(|(k, _)| {
            let k = k.trim();
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        })
    });
    if !well_formed {
        out.push(
            attr,
            value,
            Rule::Format,
            Severity::Error,
            "an X400 address must be key=value pairs separated by ';' (c=US;a= ;p=Org;o=Exchange;s=Surname;g=Given;)"
                .into(),
            None,
        );
    }
}

/// Other address types (SIP, EUM, …): the generic rules only.
fn other(out: &mut Out, attr: &str, value: &str, addr: &str) {
    if blank_or_long(out, attr, value, addr) {
        return;
    }
    let invalid = |c: char| c.is_whitespace() || "<>(),[]\"".contains(c) || c.is_control();
    let suggestion = || {
        let prefix = &value[..value.len() - addr.len()];
        let clean: String = fold(addr).chars().filter(|&c| !invalid(c)).collect();
        (!clean.is_empty()).then(|| format!("{prefix}{clean}"))
    };
    let bad = list_chars(addr, invalid);
    if !bad.is_empty() {
        out.push(
            attr,
            value,
            Rule::Character,
            Severity::Error,
            format!(
                "the address contains characters that are not allowed ({})",
                show_chars(&bad)
            ),
            suggestion(),
        );
    }
    let marks = diacritics_in(addr);
    if !marks.is_empty() {
        out.push(
            attr,
            value,
            Rule::Diacritic,
            Severity::Error,
            format!(
                "the address contains letters with diacritics ({})",
                show_chars(&marks)
            ),
            suggestion(),
        );
    }
}
