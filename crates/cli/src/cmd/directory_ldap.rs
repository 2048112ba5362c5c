//! `hybridsync directory scan --ldap URL --bind-dn DN (--password-env VAR |
//! --password-keychain) --base DN [--ca FILE] [--json]`: reads the directory
//! over LDAP (paged, TLS verified) and applies the same rules as to an export.
//! The bind password comes from an environment variable or the OS keychain,
//! never from the command line, and is never logged or printed.
use hybridsync_core::keychain::Keychain;
use hybridsync_core::ErrorPayload;
use hybridsync_directory::ldap::{scan_ldap, LdapError, LdapSource};
use hybridsync_microsoft::Secret;

use super::directory::{SavePasswordArgs, ScanArgs};
use crate::exit;

/// Per-operation timeout for the directory.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

fn ldap_error(e: LdapError) -> ErrorPayload {
    ErrorPayload::new(e.code(), e.to_string(), Some(e.remediation()))
}

fn invalid(message: String) -> ErrorPayload {
    ErrorPayload::new("invalid_input", message, None)
}

fn env_password(var: &str) -> Result<String, ErrorPayload> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) => Err(invalid(format!("the environment variable {var} is empty; set it to the bind password"))),
        Err(_) => Err(invalid(format!(
            "the environment variable {var} is not set (or not UTF-8); set it to the bind password, or use --password-keychain"
        ))),
    }
}

fn password(a: &ScanArgs, bind_dn: &str) -> Result<String, ErrorPayload> {
    if let Some(var) = &a.password_env {
        return env_password(var);
    }
    if a.password_keychain {
        return match Keychain::default().directory_password(bind_dn)? {
            Some(s) => Ok(s.expose().to_string()),
            None => Err(invalid(format!(
                "the OS keychain holds no password for {bind_dn}; keep one with `hybridsync directory save-password --bind-dn {bind_dn:?} --password-env VAR`"
            ))),
        };
    }
    Err(invalid(
        "--ldap needs the bind password: give --password-env VAR (the name of an environment variable holding it) or --password-keychain".into(),
    ))
}

pub fn scan(a: ScanArgs) -> Result<u8, ErrorPayload> {
    let url = a.ldap.clone().unwrap_or_default();
    let bind_dn = a
        .bind_dn
        .clone()
        .ok_or_else(|| invalid("--ldap needs --bind-dn DN".into()))?;
    let base = a
        .base
        .clone()
        .ok_or_else(|| invalid("--ldap needs --base DN (e.g. DC=contoso,DC=local)".into()))?;
    if a.page_size == 0 {
        return Err(invalid("--page-size must be at least 1".into()));
    }
    let src = LdapSource {
        password: password(&a, &bind_dn)?,
        url,
        bind_dn,
        base,
        filter: a.filter.clone().unwrap_or_default(),
        ca_file: a.ca.clone(),
        page_size: a.page_size,
        timeout: TIMEOUT,
    };
    let opts = super::directory::rule_options(a.upn_suffix.as_deref())?;
    tracing::info!(url = %src.url, bind_dn = %src.bind_dn, base = %src.base, "directory scan over LDAP");
    let handle = tokio::runtime::Handle::current();
    let (report, stats) = tokio::task::block_in_place(|| handle.block_on(scan_ldap(&src, opts)))
        .map_err(ldap_error)?;
    super::directory::emit(&report, &a, Some(&stats))?;
    Ok(if report.findings.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}

pub fn save_password(a: SavePasswordArgs) -> Result<u8, ErrorPayload> {
    let pw = env_password(&a.password_env)?;
    Keychain::default().store_directory_password(&a.bind_dn, &Secret::new(pw))?;
    eprintln!("kept the password of {} in the OS keychain", a.bind_dn);
    Ok(exit::OK)
}
