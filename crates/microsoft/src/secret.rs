//! A secret string (access token, refresh token, later PFX passwords): its `Debug` never shows it,
//! it has no `Display` and no `Serialize`, so it cannot reach a log line, a journal or a plan by accident.
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<redacted, {} chars>)", self.0.chars().count())
    }
}

impl Drop for Secret {
    /// Overwrite the bytes before the allocation is freed (best effort; copies made by HTTP
    /// clients are out of reach).
    fn drop(&mut self) {
        // SAFETY: zero bytes are valid UTF-8.
        unsafe {
            self.0
                .as_bytes_mut()
                .iter_mut()
                .for_each(|b| std::ptr::write_volatile(b, 0))
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("0.AAAA-refresh-token-value");
        let shown = format!("{s:?} {:?}", Some(&s));
        assert!(!shown.contains("refresh-token-value"), "{shown}");
        assert!(shown.contains("redacted"));
        assert_eq!(s.expose(), "0.AAAA-refresh-token-value");
    }
}
