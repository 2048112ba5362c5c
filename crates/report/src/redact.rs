//! Masks anything that looks like a secret in free text: JWTs, bearer tokens, refresh tokens and
//! other long base64 blobs, password/secret fields (key = value, JSON, PowerShell `-password x`) and
//! private key PEM blocks. Over-masking is preferred to leaking.
use std::borrow::Cow;
use std::sync::OnceLock;

use regex::{Captures, Regex};
use serde_json::Value;

pub const MASK_PRIVATE_KEY: &str = "[REDACTED private key]";
pub const MASK_JWT: &str = "[REDACTED jwt]";
pub const MASK_TOKEN: &str = "[REDACTED token]";
pub const MASK_VALUE: &str = "[REDACTED]";

struct Rules {
    pem: Regex,
    jwt: Regex,
    bearer: Regex,
    key_value: Regex,
    ps_param: Regex,
    blob: Regex,
    secret_key: Regex,
    userinfo: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        // A PEM private key block; an unterminated one is masked to the end of the text.
        pem: Regex::new(r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)").unwrap(),
        // header.payload[.signature] where the header is base64url JSON ("eyJ").
        jwt: Regex::new(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?").unwrap(),
        bearer: Regex::new(r"(?i)\b(Bearer\s+)[A-Za-z0-9._~+/=-]{16,}").unwrap(),
        // password = x, "refresh_token": "x", client_secret=x&…, Password = "x" (PowerShell hashtable).
        key_value: Regex::new(
            r#"(?i)(["']?\b(?:[a-z0-9_]*(?:password|passwd|passphrase|secret)|pwd|refresh_token|access_token|id_token|code_verifier|client_assertion)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}\]]+)"#,
        )
        .unwrap(),
        // PowerShell: -password 12345678, -privateKeyPassword 'x', -CertificatePassword $x
        ps_param: Regex::new(r#"(?i)(\s-[a-z]*(?:password|passphrase|secret)\s+)("[^"]*"|'[^']*'|\S+)"#).unwrap(),
        // Candidate blobs (base64, base64url, Microsoft refresh tokens "0.AXEA…").
        blob: Regex::new(r"[A-Za-z0-9+/_.~=-]{64,}").unwrap(),
        secret_key: Regex::new(
            r"(?i)^(?:[a-z0-9_]*(?:password|passwd|passphrase|secret)|pwd|refresh_?token|access_?token|id_?token|private_?key|pfx|code_verifier|client_assertion)$",
        )
        .unwrap(),
        // https://user:pass@host/…: the user and password of a URL.
        userinfo: Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]+@").unwrap(),
    })
}

/// A blob is masked when it mixes upper case, lower case and digits and has a long unbroken run
/// (so paths of GUIDs, hex digests and dotted names stay readable).
fn looks_like_secret_blob(s: &str) -> bool {
    let has = |f: fn(char) -> bool| s.chars().any(f);
    if !(has(|c| c.is_ascii_uppercase())
        && has(|c| c.is_ascii_lowercase())
        && has(|c| c.is_ascii_digit()))
    {
        return false;
    }
    s.split(['/', '.', '-', ':']).any(|seg| seg.len() >= 24)
}

/// `text` with every secret-looking part masked.
pub fn redact(text: &str) -> Cow<'_, str> {
    let r = rules();
    let mut out = Cow::Borrowed(text);
    let mut apply = |re: &Regex, f: &dyn Fn(&Captures) -> String| {
        if re.is_match(&out) {
            out = Cow::Owned(re.replace_all(&out, |c: &Captures| f(c)).into_owned());
        }
    };
    apply(&r.pem, &|_| MASK_PRIVATE_KEY.to_string());
    apply(&r.userinfo, &|c| format!("{}{MASK_VALUE}@", &c[1]));
    apply(&r.jwt, &|_| MASK_JWT.to_string());
    apply(&r.bearer, &|c| format!("{}{MASK_TOKEN}", &c[1]));
    apply(&r.key_value, &|c| format!("{}{MASK_VALUE}", &c[1]));
    apply(&r.ps_param, &|c| format!("{}{MASK_VALUE}", &c[1]));
    apply(&r.blob, &|c| {
        if looks_like_secret_blob(&c[0]) {
            MASK_TOKEN.to_string()
        } else {
            c[0].to_string()
        }
    });
    out
}

/// Redact every string (and key) in a JSON value; a value under a secret-looking key is masked whole.
pub fn redact_value(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let Cow::Owned(o) = redact(s) {
                *s = o;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut val) in old {
                if rules().secret_key.is_match(&k) && !val.is_null() {
                    val = Value::String(MASK_VALUE.to_string());
                } else {
                    redact_value(&mut val);
                }
                map.insert(redact(&k).into_owned(), val);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_each_kind_and_keeps_ordinary_text() {
        let cases: &[(&str, &str)] = &[
            ("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl end", "token [REDACTED jwt] end"),
            ("Authorization: Bearer abcdefghijklmnop0123456789", "Authorization: Bearer [REDACTED token]"),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nafter", "[REDACTED private key]\nafter"),
            ("x -----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE (cut)", "x [REDACTED private key]"),
            (r#"{"password":"hunter2","user":"a"}"#, r#"{"password":[REDACTED],"user":"a"}"#),
            ("client_secret=abc&grant_type=x", "client_secret=[REDACTED]&grant_type=x"),
            (".\\CertificateReconfiguration.ps1 -certificateFile e:\\a.pfx -password 12345678 -updateCrm", ".\\CertificateReconfiguration.ps1 -certificateFile e:\\a.pfx -password [REDACTED] -updateCrm"),
            ("    Password = \"personal_certfile_password\"", "    Password = [REDACTED]"),
            ("privateKeyPassword: Pa55word!", "privateKeyPassword: [REDACTED]"),
            ("GET https://admin:Pa55@crm.contoso.com/org failed", "GET https://[REDACTED]@crm.contoso.com/org failed"),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), *want, "input {input:?}");
        }
        for keep in [
            "graph:servicePrincipals/00000007-0000-0000-c000-000000000000/keyCredentials",
            "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "thumbprint 3B7E0F2A9C1D4E5F60718293A4B5C6D7E8F90123",
            "S2SDefaultAuthorizationServerMetadataUrl = https://accounts.accesscontrol.windows.net/metadata/json/1",
            r#"WWW-Authenticate: Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", error="invalid_token""#,
            "Enter the password you used for the PFX export.",
        ] {
            assert_eq!(redact(keep), keep, "ordinary text was changed");
        }
    }

    #[test]
    fn masks_values_under_secret_keys_in_json() {
        let mut v = serde_json::json!({"pfxPassword": "x", "nested": [{"refresh_token": "0.AXEA"}], "keyId": "1", "displayName": "CN=crm"});
        redact_value(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"pfxPassword": MASK_VALUE, "nested": [{"refresh_token": MASK_VALUE}], "keyId": "1", "displayName": "CN=crm"})
        );
    }
}
