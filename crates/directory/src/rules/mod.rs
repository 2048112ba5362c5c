//! Microsoft's directory-synchronization attribute rules ("Prepare for
//! directory synchronization to Microsoft 365"), applied to one object at a
//! time. Duplicates need every object and live in [`crate::duplicates`].
//!
//! | attribute | rules |
//! |---|---|
//! | displayName | not blank if present; ≤256 |
//! | givenName | ≤64 |
//! | mail | SMTP address syntax, characters, diacritics, domain |
//! | mailNickname | no leading period; ≤64; characters (replaced by `_` on sync) |
//! | proxyAddresses | per value, after the `type:` prefix: ≤256; no space; no `< > ( ) ; , [ ] "`; no diacritics; no `:`; SMTP syntax; X400/X500 by their own syntax |
//! | sAMAccountName | ≤20 (users); no `[ ] \ " \| , / : < > + = ; ? * '` |
//! | targetAddress | ≤256; no space; no `\ < > ( ) ; , [ ] "` |
//! | userPrincipalName | ≤113, ≤64 before the `@`, ≤48 after; only `A–Z a–z 0–9 ' . - _ ! # ^ ~`; no diacritics; exactly one `@`, not first; name part not ending in `.`; routable domain with a real TLD |

mod address;
mod names;
mod upn;

pub use address::{split_proxy, ProxyKind};

use crate::finding::{Finding, Rule, Severity};
use crate::object::DirObject;

/// Options that change suggestions (never which findings are raised).
#[derive(Debug, Clone, Default)]
pub struct RuleOptions {
    /// Replace non-routable or unknown UPN suffixes with this domain in
    /// suggestions (e.g. `contoso.com` for `contoso.local`).
    pub upn_suffix_replacement: Option<String>,
}

/// Canonical LDAP spellings of the attributes checked.
pub const ATTRIBUTES: &[&str] = &[
    "displayName",
    "givenName",
    "mail",
    "mailNickname",
    "proxyAddresses",
    "sAMAccountName",
    "targetAddress",
    "userPrincipalName",
];

/// Collects findings for one object.
pub(crate) struct Out<'a> {
    pub dn: &'a str,
    pub findings: &'a mut Vec<Finding>,
}

impl Out<'_> {
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        attribute: &str,
        value: &str,
        rule: Rule,
        severity: Severity,
        message: String,
        suggestion: Option<String>,
    ) {
        let suggestion = suggestion.filter(|s| s != value);
        self.findings.push(Finding {
            dn: self.dn.to_string(),
            attribute: attribute.to_string(),
            value: value.to_string(),
            rule,
            severity,
            message,
            suggestion,
        });
    }
}

/// All single-object findings for `obj` (everything except duplicates),
/// appended to `findings`. Objects are not filtered here: see
/// [`crate::skip::skip_reason`].
pub fn check_object_into(obj: &DirObject, opts: &RuleOptions, findings: &mut Vec<Finding>) {
    let mut out = Out {
        dn: &obj.dn,
        findings,
    };
    names::check(obj, &mut out);
    address::check(obj, &mut out);
    upn::check(obj, opts, &mut out);
}

/// All single-object findings for `obj`.
pub fn check_object(obj: &DirObject, opts: &RuleOptions) -> Vec<Finding> {
    let mut v = Vec::new();
    check_object_into(obj, opts, &mut v);
    v
}

/// Characters of `s` (deduplicated, in order) matching `pred`, quoted for a
/// message: `' ', '<'`.
pub(crate) fn list_chars(s: &str, pred: impl Fn(char) -> bool) -> Vec<char> {
    let mut v: Vec<char> = Vec::new();
    for c in s.chars().filter(|&c| pred(c)) {
        if !v.contains(&c) {
            v.push(c);
        }
    }
    v
}

pub(crate) fn show_chars(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| match c {
            ' ' => "space".to_string(),
            '\t' => "tab".to_string(),
            c if c.is_control() => format!("U+{:04X}", *c as u32),
            c => format!("'{c}'"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Truncate to `n` characters.
pub(crate) fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}
