//! displayName, givenName, mailNickname and sAMAccountName.

use super::{list_chars, show_chars, truncate, Out};
use crate::finding::{Rule, Severity};
use crate::fold::{diacritics_in, fold, is_diacritic};
use crate::object::DirObject;

const DISPLAY_NAME_MAX: usize = 256;
const GIVEN_NAME_MAX: usize = 64;
const MAIL_NICKNAME_MAX: usize = 64;
const SAM_USER_MAX: usize = 20;
const SAM_OTHER_MAX: usize = 256;
/// Invalid in sAMAccountName per Microsoft's spec.
const SAM_INVALID: &str = "[]\\\"|,/:<>+=;?*'";

pub(super) fn check(obj: &DirObject, out: &mut Out) {
    for v in obj.values("displayName") {
        display_name(obj, v, out);
    }
    for v in obj.values("givenName") {
        if v.chars().count() > GIVEN_NAME_MAX {
            out.push(
                "givenName",
                v,
                Rule::Length,
                Severity::Error,
                format!(
                    "givenName is {} characters; the limit is {GIVEN_NAME_MAX}",
                    v.chars().count()
                ),
                Some(truncate(v, GIVEN_NAME_MAX)),
            );
        }
    }
    for v in obj.values("mailNickname") {
        mail_nickname(v, out);
    }
    let has_upn = obj
        .first("userPrincipalName")
        .is_some_and(|u| !u.trim().is_empty());
    for v in obj.values("sAMAccountName") {
        sam_account_name(obj, v, has_upn, out);
    }
}

fn display_name(obj: &DirObject, v: &str, out: &mut Out) {
    if v.trim().is_empty() {
        let cn = obj.cn();
        out.push(
            "displayName",
            v,
            Rule::Blank,
            Severity::Error,
            "displayName is present but blank; it must have a value".into(),
            (!cn.trim().is_empty()).then_some(cn),
        );
        return;
    }
    let n = v.chars().count();
    if n > DISPLAY_NAME_MAX {
        out.push(
            "displayName",
            v,
            Rule::Length,
            Severity::Error,
            format!("displayName is {n} characters; the limit is {DISPLAY_NAME_MAX}"),
            Some(truncate(v, DISPLAY_NAME_MAX)),
        );
    }
}

/// Characters Exchange accepts in an alias besides letters and digits.
fn alias_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

fn clean_nickname(v: &str) -> String {
    let folded = fold(v);
    let kept: String = folded.chars().filter(|&c| alias_char_ok(c)).collect();
    kept.trim_start_matches('.').to_string()
}

fn mail_nickname(v: &str, out: &mut Out) {
    if v.trim().is_empty() {
        out.push(
            "mailNickname",
            v,
            Rule::Blank,
            Severity::Error,
            "mailNickname (the Exchange alias) is present but blank".into(),
            None,
        );
        return;
    }
    let suggestion = || {
        let clean = clean_nickname(v);
        (!clean.is_empty()).then(|| truncate(&clean, MAIL_NICKNAME_MAX))
    };
    if v.starts_with('.') {
        out.push(
            "mailNickname",
            v,
            Rule::LeadingPeriod,
            Severity::Error,
            "mailNickname must not start with a period".into(),
            suggestion(),
        );
    }
    let n = v.chars().count();
    if n > MAIL_NICKNAME_MAX {
        out.push(
            "mailNickname",
            v,
            Rule::Length,
            Severity::Error,
            format!("mailNickname is {n} characters; the limit is {MAIL_NICKNAME_MAX}"),
            suggestion(),
        );
    }
    let marks = diacritics_in(v);
    if !marks.is_empty() {
        out.push(
            "mailNickname",
            v,
            Rule::Diacritic,
            Severity::Warning,
            format!(
                "mailNickname contains letters with diacritics ({}); synchronization replaces them with '_'",
                show_chars(&marks)
            ),
            suggestion(),
        );
    }
    let bad = list_chars(v, |c| !alias_char_ok(c) && !is_diacritic(c));
    if !bad.is_empty() {
        out.push(
            "mailNickname",
            v,
            Rule::Character,
            Severity::Warning,
            format!(
                "mailNickname contains characters an Exchange alias cannot have ({}); synchronization replaces them with '_'",
                show_chars(&bad)
            ),
            suggestion(),
        );
    }
}

fn sam_account_name(obj: &DirObject, v: &str, has_upn: bool, out: &mut Out) {
    // A bad sAMAccountName only blocks the object when the UPN cannot stand
    // in for it.
    let severity = if has_upn {
        Severity::Warning
    } else {
        Severity::Error
    };
    let consequence = if has_upn {
        "the user still synchronizes because it has a userPrincipalName"
    } else {
        "with no userPrincipalName to fall back on, the object will not synchronize cleanly"
    };
    if v.trim().is_empty() {
        out.push(
            "sAMAccountName",
            v,
            Rule::Blank,
            severity,
            format!("sAMAccountName is present but blank; {consequence}"),
            None,
        );
        return;
    }
    let max = if obj.is_user() || obj.object_class.is_empty() {
        SAM_USER_MAX
    } else {
        SAM_OTHER_MAX
    };
    let clean = || -> String { v.chars().filter(|&c| !SAM_INVALID.contains(c)).collect() };
    let n = v.chars().count();
    if n > max {
        out.push(
            "sAMAccountName",
            v,
            Rule::Length,
            severity,
            format!("sAMAccountName is {n} characters; the limit is {max}; {consequence}"),
            Some(truncate(&clean(), max)),
        );
    }
    let bad = list_chars(v, |c| SAM_INVALID.contains(c));
    if !bad.is_empty() {
        out.push(
            "sAMAccountName",
            v,
            Rule::Character,
            severity,
            format!(
                "sAMAccountName contains invalid characters ({}); {consequence}",
                show_chars(&bad)
            ),
            Some(truncate(&clean(), max)).filter(|c| !c.is_empty()),
        );
    }
}
