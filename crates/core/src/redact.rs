//! Redaction before anything is logged, printed or copied: the report's masks
//! ([`hybridsync_report::redact`]) plus the parse errors of files the admin wrote.
use std::sync::OnceLock;

use regex::{Captures, Regex};

pub use hybridsync_report::{redact as text, MASK_VALUE};

/// A parser's message (TOML, JSON) without the values it quotes: field and key names stay
/// (`unknown field `password``), anything else in quotes or backticks becomes `…`.
pub fn parse_error(message: &str) -> String {
    static QUOTED: OnceLock<Regex> = OnceLock::new();
    let quoted = QUOTED.get_or_init(|| {
        Regex::new(
            r#"(?s)(field |key |expected |, |one of |or )?(`[^`]*`|"(?:[^"\\]|\\.)*"|'[^']*')"#,
        )
        .unwrap()
    });
    let first_line = message.trim();
    let out = quoted.replace_all(first_line, |c: &Captures| match c.get(1) {
        // A name the parser expected or did not know: a key, never a value.
        Some(lead) if is_name(&c[2]) => format!("{}{}", lead.as_str(), &c[2]),
        Some(lead) => format!("{}`…`", lead.as_str()),
        None => "`…`".to_string(),
    });
    text(&out).into_owned()
}

/// A bare key name in backticks (`ca_file`), as TOML and serde print field names.
fn is_name(quoted: &str) -> bool {
    let inner = quoted.trim_matches('`');
    quoted.starts_with('`')
        && !inner.is_empty()
        && inner.len() <= 64
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_keep_key_names_and_drop_values() {
        assert_eq!(
            parse_error("unknown field `password`, expected `domain` or `authority`"),
            "unknown field `password`, expected `domain` or `authority`"
        );
        let m = parse_error("invalid type: string \"hunter2\", expected a boolean");
        assert!(!m.contains("hunter2"), "{m}");
        let m = parse_error("unknown variant `S3cr3t!`, expected one of `a`, `b`");
        assert!(!m.contains("S3cr3t"), "{m}");
    }
}
