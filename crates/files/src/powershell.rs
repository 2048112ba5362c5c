//! Values written into the PowerShell scripts the wizard generates (the CRM-server script, the
//! directory fix and undo scripts): one quoting function for all of them, and the checks of what
//! goes in.

/// The characters that end a PowerShell single-quoted string: the ASCII apostrophe and the four
/// Unicode single quotation marks PowerShell's tokenizer treats the same way.
const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// A PowerShell single-quoted string literal holding exactly `s`: every quote character is
/// doubled, so nothing in `s` can end the string and run as code.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Text safe on one `#` comment line: line breaks and other control characters become `?`.
pub fn comment(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                '?'
            } else {
                c
            }
        })
        .collect()
}

/// Why a value cannot go into a generated script, as a sentence; `None` when it can.
pub fn control_character(what: &str, value: &str) -> Option<String> {
    let bad = value
        .chars()
        .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))?;
    Some(format!(
        "{what} holds a line break or control character (U+{:04X}); type it again without it",
        bad as u32
    ))
}

/// Why `account` is not a Windows account name `DOMAIN\name` or `name@domain`; `None` when it is.
/// Quotes, `;`, `$`, backticks and the other characters Windows forbids in account names are refused.
pub fn account_issue(account: &str) -> Option<String> {
    if let Some(problem) = control_character("the service account", account) {
        return Some(problem);
    }
    let valid_part = |p: &str| {
        !p.is_empty()
            && p.len() <= 104
            && p.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
            && p.trim() == p
    };
    let ok = match (account.split_once('\\'), account.split_once('@')) {
        (Some((domain, name)), None) => valid_part(domain) && valid_part(name),
        (None, Some((name, domain))) => {
            valid_part(name)
                && valid_part(domain)
                && domain.contains('.')
                && !domain.contains(' ')
                && !domain.contains("..")
        }
        _ => false,
    };
    (!ok).then(|| {
        format!(
            "the service account \"{}\" is not DOMAIN\\user or user@domain (letters, digits, spaces, '-', '_' and '.' only); give the account the service runs as",
            comment(account)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_single_quote_pwsh_knows_is_doubled() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("O'Neil"), "'O''Neil'");
        assert_eq!(
            quote("CONTOSO\\svc\u{2019}; Start-Process calc; \u{2019}"),
            "'CONTOSO\\svc\u{2019}\u{2019}; Start-Process calc; \u{2019}\u{2019}'"
        );
        for q in SINGLE_QUOTES {
            assert_eq!(quote(&q.to_string()), format!("'{q}{q}'"));
        }
    }

    #[test]
    fn accounts_are_domain_name_or_user_principal_names() {
        for ok in [
            "CONTOSO\\svc-crm",
            "svc.crm@contoso.com",
            "NT AUTHORITY\\NETWORK SERVICE",
            "contoso\\crm async",
        ] {
            assert_eq!(account_issue(ok), None, "{ok}");
        }
        for bad in [
            "CONTOSO\\svc\u{2019}; Start-Process calc; \u{2019}",
            "svc",
            "a\\b\\c",
            "a@b@c.com",
            "x@localhost",
            "CONTOSO\\svc'",
            "CONTOSO\\$(calc)",
            "CONTOSO\\svc\n",
        ] {
            assert!(account_issue(bad).is_some(), "{bad}");
        }
    }
}
