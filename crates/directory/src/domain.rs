//! Domain-part checks: host-name syntax, routability and the top-level
//! domain, which comes from the public suffix list (the `psl` crate), never
//! from a hand-kept list. Punycode (`xn--…`) labels are accepted.

use crate::finding::Rule;

/// Top-level names that are never routable on the Internet: special-use and
/// private-use names (RFC 6761 `test`/`example`/`invalid`/`localhost`,
/// RFC 6762 `local`, the `internal` private-use reservation) and names that
/// ICANN will not delegate because of name collision (`corp`, `home`,
/// `mail`), plus the common home-made `lan`, `localdomain`, `intranet`,
/// `private`.
pub const NON_ROUTABLE_TLDS: &[&str] = &[
    "local",
    "localdomain",
    "localhost",
    "lan",
    "internal",
    "intranet",
    "private",
    "corp",
    "home",
    "mail",
    "test",
    "example",
    "invalid",
];

/// A problem with a domain name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainIssue {
    /// `format`, `non_routable_suffix` or `top_level_domain`.
    pub rule: Rule,
    /// Plain-words explanation.
    pub message: String,
}

fn issue(rule: Rule, message: String) -> Option<DomainIssue> {
    Some(DomainIssue { rule, message })
}

/// True for single-label names and names under a non-routable TLD or
/// `home.arpa` (RFC 8375).
pub fn is_non_routable(domain: &str) -> bool {
    let d = domain.trim_end_matches('.');
    let Some((_, tld)) = d.rsplit_once('.') else {
        return true;
    };
    let ends_home_arpa = d.len() >= 9 && d.is_char_boundary(d.len() - 9) && {
        let tail = &d[d.len() - 9..];
        tail.eq_ignore_ascii_case("home.arpa")
            && (d.len() == 9 || d.as_bytes()[d.len() - 10] == b'.')
    };
    NON_ROUTABLE_TLDS
        .iter()
        .any(|t| t.eq_ignore_ascii_case(tld))
        || ends_home_arpa
}

/// Host-name syntax only: labels of letters, digits and hyphens, 1–63
/// characters, not starting or ending with a hyphen, no empty label.
pub fn syntax_issue(domain: &str) -> Option<String> {
    if domain.is_empty() {
        return Some("the domain part is empty".into());
    }
    if domain.len() > 253 {
        return Some("the domain is longer than 253 characters".into());
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Some(format!(
                "\"{domain}\" has an empty label (a leading, trailing or doubled period)"
            ));
        }
        if label.len() > 63 {
            return Some(format!(
                "the label \"{label}\" is longer than 63 characters"
            ));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Some(format!(
                "the label \"{label}\" may contain only letters, digits and hyphens"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!(
                "the label \"{label}\" starts or ends with a hyphen"
            ));
        }
    }
    None
}

/// The first problem with `domain` as an Internet mail or sign-in domain:
/// syntax, then routability, then the public suffix list.
pub fn check(domain: &str) -> Option<DomainIssue> {
    if let Some(m) = syntax_issue(domain) {
        return issue(Rule::Format, m);
    }
    if is_ip_literal(domain) {
        return issue(
            Rule::Format,
            format!("\"{domain}\" is an IP address, not a domain name"),
        );
    }
    let lower: std::borrow::Cow<str> = if domain.bytes().any(|b| b.is_ascii_uppercase()) {
        domain.to_ascii_lowercase().into()
    } else {
        domain.into()
    };
    if is_non_routable(&lower) {
        let why = if lower.contains('.') {
            format!(
                "\"{domain}\" ends in .{}, which is not routable on the Internet; use a domain registered in the tenant",
                lower.rsplit('.').next().unwrap_or("")
            )
        } else {
            format!("\"{domain}\" is a single-label name, which is not routable on the Internet")
        };
        return issue(Rule::NonRoutableSuffix, why);
    }
    match psl::suffix(lower.as_bytes()) {
        Some(s) if s.is_known() => {}
        _ => {
            let tld = lower.rsplit('.').next().unwrap_or("");
            return issue(
                Rule::TopLevelDomain,
                format!(".{tld} is not a top-level domain in the public suffix list"),
            );
        }
    }
    if psl::domain(lower.as_bytes()).is_none() {
        return issue(
            Rule::TopLevelDomain,
            format!("\"{domain}\" is itself a public suffix, not a registrable domain"),
        );
    }
    None
}

/// An IPv4 or IPv6 address, or a name whose last label is all digits (no top-level domain is).
pub fn is_ip_literal(domain: &str) -> bool {
    let d = domain.trim_end_matches('.');
    d.parse::<std::net::IpAddr>().is_ok()
        || d.rsplit('.')
            .next()
            .is_some_and(|tld| !tld.is_empty() && tld.bytes().all(|b| b.is_ascii_digit()))
}

/// The UPN suffix an admin gives as the replacement for a non-routable one (`--upn-suffix`),
/// checked before the scan: a routable, registrable domain with no trailing or doubled period.
pub fn replacement_suffix(suffix: &str) -> Result<String, String> {
    let s = suffix.trim();
    let s = s.strip_prefix('@').unwrap_or(s);
    match check(s) {
        None => Ok(s.to_ascii_lowercase()),
        Some(i) => Err(format!(
            "the UPN suffix \"{}\" cannot replace a non-routable one: {}. Give a domain verified in the tenant, as in contoso.com",
            suffix.trim(),
            i.message
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18 item 7: what the admin types as a replacement suffix is a real domain.
    #[test]
    fn replacement_suffixes_must_be_registrable_domains() {
        for bad in [
            "not a domain!",
            "192.168.1.1",
            "contoso.com..",
            "contoso..com",
            ".contoso.com",
            "co.uk",
            "com",
            "contoso.local",
            "[::1]",
            "::1",
        ] {
            assert!(replacement_suffix(bad).is_err(), "{bad} was accepted");
        }
        assert_eq!(replacement_suffix(" Contoso.com ").unwrap(), "contoso.com");
        assert_eq!(
            replacement_suffix("@sales.contoso.co.uk").unwrap(),
            "sales.contoso.co.uk"
        );
    }
}
