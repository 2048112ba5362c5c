//! Comparing TXT values with the expected `MS=ms########` value.

/// The value as the admin meant it: surrounding whitespace and quotes removed
/// (repeatedly), and inner whitespace removed.
pub fn normalize(value: &str) -> String {
    let mut v = value.trim();
    loop {
        let stripped = v
            .strip_prefix(['"', '\'', '\u{201c}', '\u{201d}'])
            .map(|s| {
                s.strip_suffix(['"', '\'', '\u{201c}', '\u{201d}'])
                    .unwrap_or(s)
            })
            .or_else(|| v.strip_suffix(['"', '\'', '\u{201c}', '\u{201d}']))
            .map(str::trim);
        match stripped {
            Some(s) if s != v => v = s,
            _ => break,
        }
    }
    v.chars().filter(|c| !c.is_whitespace()).collect()
}

/// True for a Microsoft 365 verification value (`MS=…`, any case).
pub fn is_ms_value(value: &str) -> bool {
    normalize(value).to_ascii_lowercase().starts_with("ms=")
}

/// True when `seen` looks like a mistyped `expected`: same value in another
/// letter case, the token without its `MS=` prefix, or a few characters off.
pub fn similar(seen: &str, expected: &str) -> bool {
    let s = seen.to_ascii_lowercase();
    let e = expected.to_ascii_lowercase();
    if s == e {
        return true;
    }
    if let Some(token) = e.strip_prefix("ms=") {
        if s == token || s.ends_with(token) {
            return true;
        }
    }
    let allowed = (e.chars().count() / 4).max(2);
    levenshtein(&s, &e) <= allowed
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_strips_quotes_and_spaces() {
        assert_eq!(normalize("\"MS=ms12345678\""), "MS=ms12345678");
        assert_eq!(normalize("  MS=ms12345678 "), "MS=ms12345678");
        assert_eq!(normalize("' \"MS=ms12345678\" '"), "MS=ms12345678");
        assert_eq!(normalize("MS= ms12345678"), "MS=ms12345678");
        assert_eq!(normalize("\"MS=ms12345678"), "MS=ms12345678");
        assert_eq!(normalize("MS=ms12345678"), "MS=ms12345678");
    }

    #[test]
    fn ms_values_are_recognised() {
        assert!(is_ms_value("MS=ms1"));
        assert!(is_ms_value("ms=MS1"));
        assert!(is_ms_value(" \"MS=ms1\""));
        assert!(!is_ms_value("v=spf1 -all"));
    }

    #[test]
    fn near_misses_are_similar_and_unrelated_values_are_not() {
        assert!(similar("MS=ms1234567", "MS=ms12345678"));
        assert!(similar("ms12345678", "MS=ms12345678"));
        assert!(similar("ms=MS12345678", "MS=ms12345678"));
        assert!(!similar(
            "v=spf1 include:spf.protection.outlook.com -all",
            "MS=ms12345678"
        ));
        assert!(!similar("google-site-verification=abc", "MS=ms12345678"));
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
