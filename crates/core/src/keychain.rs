//! Refresh tokens (and, later, PFX passwords) live only in the OS keychain, through the keyring
//! crate: the Secret Service on Linux (gnome-keyring, KWallet), Credential Manager on Windows, the
//! Keychain on macOS. Entries are keyed by home, authority, tenant and account. There is no fallback: no keychain,
//! a locked one or no D-Bus session is an error that names what is missing, never a file.
use hybridsync_microsoft::Secret;

use crate::ErrorPayload;

/// The keychain service name of every hybridsync entry.
pub const SERVICE: &str = "hybridsync";

#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error("no Secret Service (gnome-keyring / KWallet) is running on the session bus, so the sign-in cannot be kept ({detail}). Sign in from a desktop session, or on a server start one: dbus-run-session, then gnome-keyring-daemon --unlock --components=secrets. hybridsync never writes tokens to a file.")]
    Unavailable { detail: String },

    #[error("the keychain is locked, so the sign-in cannot be kept ({detail}). Unlock it (log in to the desktop session, or start gnome-keyring-daemon with --unlock) and sign in again.")]
    Locked { detail: String },

    #[error("the OS keychain refused the request: {detail}")]
    Failed { detail: String },
}

impl KeychainError {
    pub fn code(&self) -> &'static str {
        match self {
            KeychainError::Unavailable { .. } => "keychain_unavailable",
            KeychainError::Locked { .. } => "keychain_locked",
            KeychainError::Failed { .. } => "keychain_failed",
        }
    }

    pub fn remediation(&self) -> &'static str {
        match self {
            KeychainError::Unavailable { .. } => "keychain.start-secret-service",
            KeychainError::Locked { .. } => "keychain.unlock",
            KeychainError::Failed { .. } => "keychain.check",
        }
    }
}

impl From<KeychainError> for ErrorPayload {
    fn from(e: KeychainError) -> Self {
        ErrorPayload::new(e.code(), e.to_string(), Some(e.remediation()))
    }
}

pub type Result<T> = std::result::Result<T, KeychainError>;

use hybridsync_microsoft::http::chain;

/// keyring's errors, in the admin's words. The detail never holds a secret (keyring's errors
/// carry none).
fn explain(err: keyring::Error) -> KeychainError {
    let detail = chain(&err);
    match err {
        keyring::Error::NoStorageAccess(_) => KeychainError::Locked { detail },
        keyring::Error::PlatformFailure(_) => {
            let lower = detail.to_ascii_lowercase();
            let no_service = [
                "dbus",
                "d-bus",
                "autolaunch",
                "org.freedesktop.secrets",
                "serviceunknown",
                "no such file",
                "connection refused",
                "was not provided by any",
            ];
            if no_service.iter().any(|k| lower.contains(k)) {
                KeychainError::Unavailable { detail }
            } else if lower.contains("locked") || lower.contains("dismissed") {
                KeychainError::Locked { detail }
            } else {
                KeychainError::Failed { detail }
            }
        }
        _ => KeychainError::Failed { detail },
    }
}

/// The keychain entries of one service, for one home: every entry name carries the home's
/// scope, so two homes (`HYBRIDSYNC_HOME`) never see, replace or delete each other's entries.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    home: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain::with_service(SERVICE)
    }
}

/// A short, stable name for a home folder: FNV-1a of its absolute path, in hex.
fn home_scope(config_dir: &std::path::Path) -> String {
    let absolute = std::path::absolute(config_dir).unwrap_or_else(|_| config_dir.to_path_buf());
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in absolute.to_string_lossy().bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The authority as entry names hold it: lower case, no trailing slash.
fn authority_key(authority: &str) -> String {
    authority.trim().trim_end_matches('/').to_ascii_lowercase()
}

impl Keychain {
    /// A keychain under another service name (tests, so they never touch a real sign-in), for
    /// this process's home.
    pub fn with_service(service: impl Into<String>) -> Keychain {
        Keychain::for_home(service, &crate::paths::config_dir())
    }

    /// A keychain for the home whose settings folder is `config_dir`.
    pub fn for_home(service: impl Into<String>, config_dir: &std::path::Path) -> Keychain {
        Keychain {
            service: service.into(),
            home: home_scope(config_dir),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, user: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, user).map_err(explain)
    }

    /// The entry name of a sign-in's refresh token: home, authority, tenant and account.
    pub fn refresh_entry_name(&self, authority: &str, tenant: &str, account: &str) -> String {
        format!(
            "refresh-token:{}:{}:{}:{}",
            self.home,
            authority_key(authority),
            tenant.to_ascii_lowercase(),
            account.to_ascii_lowercase()
        )
    }

    /// The entry name of a PFX password.
    pub fn pfx_entry_name(&self, thumbprint: &str) -> String {
        format!(
            "pfx-password:{}:{}",
            self.home,
            thumbprint.to_ascii_uppercase()
        )
    }

    /// Writes and deletes a throw-away entry: run before a sign-in, so a missing or locked
    /// keychain is reported before the admin signs in rather than after. The entry's name is this
    /// process's own: with one shared name, two sign-ins at once (the app and the CLI) could see
    /// the other's entry vanish between the search and the read, and report a missing keychain.
    pub fn probe(&self) -> Result<()> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let e = self.entry(&format!("probe:{}:{nanos}", std::process::id()))?;
        e.set_password("probe").map_err(explain)?;
        match e.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(explain(err)),
        }
    }

    pub fn store_refresh_token(
        &self,
        authority: &str,
        tenant: &str,
        account: &str,
        token: &Secret,
    ) -> Result<()> {
        self.entry(&self.refresh_entry_name(authority, tenant, account))?
            .set_password(token.expose())
            .map_err(explain)?;
        tracing::info!(authority, tenant, account, service = %self.service, "refresh token kept in the OS keychain");
        Ok(())
    }

    /// The saved refresh token, or `None` when there is none.
    pub fn refresh_token(
        &self,
        authority: &str,
        tenant: &str,
        account: &str,
    ) -> Result<Option<Secret>> {
        match self
            .entry(&self.refresh_entry_name(authority, tenant, account))?
            .get_password()
        {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(e)),
        }
    }

    /// Keeps a PFX's password, keyed by the certificate's thumbprint (issue 6).
    pub fn store_pfx_password(&self, thumbprint: &str, password: &Secret) -> Result<()> {
        self.entry(&self.pfx_entry_name(thumbprint))?
            .set_password(password.expose())
            .map_err(explain)?;
        tracing::info!(thumbprint, service = %self.service, "PFX password kept in the OS keychain");
        Ok(())
    }

    /// A PFX's saved password, or `None`.
    pub fn pfx_password(&self, thumbprint: &str) -> Result<Option<Secret>> {
        match self.entry(&self.pfx_entry_name(thumbprint))?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(e)),
        }
    }

    /// Deletes the saved refresh token; `false` when there was none.
    pub fn delete_refresh_token(
        &self,
        authority: &str,
        tenant: &str,
        account: &str,
    ) -> Result<bool> {
        match self
            .entry(&self.refresh_entry_name(authority, tenant, account))?
            .delete_credential()
        {
            Ok(()) => {
                tracing::info!(
                    authority,
                    tenant,
                    account,
                    "refresh token deleted from the OS keychain"
                );
                Ok(true)
            }
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(explain(e)),
        }
    }

    fn directory_user(&self, bind_dn: &str) -> String {
        format!(
            "directory-bind:{}:{}",
            self.home,
            bind_dn.trim().to_ascii_lowercase()
        )
    }

    /// Keeps the password of a directory (LDAP) bind account.
    pub fn store_directory_password(&self, bind_dn: &str, password: &Secret) -> Result<()> {
        self.entry(&self.directory_user(bind_dn))?
            .set_password(password.expose())
            .map_err(explain)?;
        tracing::info!(bind_dn, service = %self.service, "directory bind password kept in the OS keychain");
        Ok(())
    }

    /// The kept password of a directory bind account, or `None`.
    pub fn directory_password(&self, bind_dn: &str) -> Result<Option<Secret>> {
        match self.entry(&self.directory_user(bind_dn))?.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 18 item 3: two homes, two authorities, two accounts: never one entry.
    #[test]
    fn entry_names_are_scoped_by_home_authority_tenant_and_account() {
        let a = Keychain::for_home(SERVICE, std::path::Path::new("/homes/a/config"));
        let b = Keychain::for_home(SERVICE, std::path::Path::new("/homes/b/config"));
        let t = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";
        let ww = "https://login.microsoftonline.com";
        let name = a.refresh_entry_name(ww, t, "Admin@Contoso.com");
        assert_eq!(
            name,
            a.refresh_entry_name("https://LOGIN.microsoftonline.com/", t, "admin@contoso.com")
        );
        assert_ne!(
            name,
            b.refresh_entry_name(ww, t, "admin@contoso.com"),
            "two homes share an entry"
        );
        assert_ne!(
            name,
            a.refresh_entry_name("https://login.microsoftonline.us", t, "admin@contoso.com"),
            "two authorities share an entry"
        );
        assert_ne!(name, a.refresh_entry_name(ww, t, "other@contoso.com"));
        assert_ne!(a.pfx_entry_name("AB"), b.pfx_entry_name("AB"));
        assert_ne!(a.directory_user("CN=x"), b.directory_user("CN=x"));
    }

    #[test]
    fn keychain_errors_name_what_is_missing() {
        let e = explain(keyring::Error::PlatformFailure(
            "D-Bus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11".into(),
        ));
        assert_eq!(e.code(), "keychain_unavailable");
        assert!(e
            .to_string()
            .contains("no Secret Service (gnome-keyring / KWallet) is running on the session bus"));
        assert!(e.to_string().contains("never writes tokens to a file"));
        let e = explain(keyring::Error::NoStorageAccess(
            "collection is locked".into(),
        ));
        assert_eq!(e.code(), "keychain_locked");
        let p: ErrorPayload = e.into();
        assert_eq!(p.remediation.as_deref(), Some("keychain.unlock"));
    }
}
