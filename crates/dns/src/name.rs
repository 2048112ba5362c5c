//! Name handling: case-insensitive, trailing dot optional.

use hickory_proto::rr::Name;

use crate::error::DnsError;

/// Parses a user-typed DNS name into a lower-case, fully-qualified [`Name`].
///
/// `Contoso.COM`, `contoso.com.` and ` contoso.com ` all give `contoso.com.`.
/// Internationalised names are converted to their `xn--` form.
pub fn parse_name(input: &str) -> Result<Name, DnsError> {
    let trimmed = input.trim();
    let invalid = |reason: &str| DnsError::InvalidName {
        name: input.to_string(),
        reason: reason.to_string(),
    };
    if trimmed.is_empty() || trimmed == "." {
        return Err(invalid("empty name"));
    }
    if trimmed.contains(char::is_whitespace) {
        return Err(invalid("contains whitespace"));
    }
    if trimmed.contains("..") {
        return Err(invalid("empty label"));
    }
    let mut name = Name::from_utf8(trimmed).map_err(|e| invalid(&e.to_string()))?;
    name.set_fqdn(true);
    Ok(name.to_lowercase())
}

/// The display form used in reports: lower case, no trailing dot.
pub fn display_name(name: &Name) -> String {
    let s = name.to_lowercase().to_ascii();
    s.strip_suffix('.').map(str::to_string).unwrap_or(s)
}

/// `name` joined under `parent` (`www` + `contoso.com.` → `www.contoso.com.`).
pub(crate) fn join(label_or_relative: &str, parent: &Name) -> Result<Name, DnsError> {
    let relative = label_or_relative.trim().trim_end_matches('.');
    let text = format!("{relative}.{}", parent.to_ascii());
    parse_name(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_trailing_dot_are_normalised() {
        let a = parse_name("Contoso.COM").unwrap();
        let b = parse_name("contoso.com.").unwrap();
        assert_eq!(a, b);
        assert!(a.is_fqdn());
        assert_eq!(display_name(&a), "contoso.com");
    }

    #[test]
    fn rejects_empty_and_spaced_names() {
        assert!(parse_name("").is_err());
        assert!(parse_name(".").is_err());
        assert!(parse_name("conto so.com").is_err());
        assert!(parse_name("a..b").is_err());
    }

    #[test]
    fn join_builds_child_names() {
        let zone = parse_name("contoso.com").unwrap();
        assert_eq!(
            display_name(&join("www", &zone).unwrap()),
            "www.contoso.com"
        );
        assert_eq!(
            display_name(&join("contoso.com", &zone).unwrap()),
            "contoso.com.contoso.com"
        );
    }
}
