//! One bulk run per Dynamics organization at a time. Two runs against one organization would each
//! send every update (and double the load on a production server); the second one is refused,
//! naming the process that holds the organization. The lock is an OS file lock (released when the
//! process ends, even when killed), in the data folder, one file per organization address.
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use crate::ErrorPayload;

/// Held while a bulk run writes to an organization; dropping it releases the organization.
#[derive(Debug)]
pub struct OrgLock {
    file: File,
    path: PathBuf,
}

/// The lock file of an organization: its address, lower-cased, as a file-name-safe hash.
pub fn lock_path(organization_url: &str) -> PathBuf {
    let key = organization_url
        .trim()
        .trim_end_matches('/')
        .to_ascii_lowercase();
    // FNV-1a: stable across runs and platforms, no dependency.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    crate::paths::data_dir()
        .join("locks")
        .join(format!("organization-{hash:016x}.lock"))
}

impl OrgLock {
    /// Takes the organization for `what` (e.g. "mailboxes configure"), or refuses with
    /// `already_running` when another process holds it.
    pub fn acquire(organization_url: &str, what: &str) -> Result<OrgLock, ErrorPayload> {
        OrgLock::acquire_at(lock_path(organization_url), organization_url, what)
    }

    /// [`OrgLock::acquire`] with the lock file named.
    pub fn acquire_at(
        path: PathBuf,
        organization_url: &str,
        what: &str,
    ) -> Result<OrgLock, ErrorPayload> {
        let unusable = |e: std::io::Error| {
            ErrorPayload::new(
                "file_unwritable",
                format!("cannot create the run lock {}: {e}. Check that the data folder is writable (hybridsync paths shows it).", path.display()),
                Some("files.check-permissions"),
            )
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(unusable)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(unusable)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder
                    .lines()
                    .next()
                    .unwrap_or("another process")
                    .trim()
                    .to_string();
                return Err(ErrorPayload::new(
                    "already_running",
                    format!(
                        "Another bulk run is already writing to {organization_url} ({holder}). Two runs at once would send every update twice; wait for it to finish, or stop it, then run again."
                    ),
                    Some("run.already-running"),
                ));
            }
            Err(TryLockError::Error(e)) => return Err(unusable(e)),
        }
        let holder = format!("{what}, process {}", std::process::id());
        let _ = file
            .set_len(0)
            .and_then(|_| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(holder.as_bytes()));
        let _ = file.flush();
        Ok(OrgLock { file, path })
    }

    pub fn path(&self) -> &PathBuf {
        &self.path
    }
}

impl Drop for OrgLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_on_the_same_organization_is_refused_naming_the_first() {
        let home = tempfile::tempdir().unwrap();
        let at = |url: &str| {
            home.path()
                .join("locks")
                .join(lock_path(url).file_name().unwrap())
        };
        assert_eq!(
            lock_path("https://CRM.contoso.com/contoso/"),
            lock_path("https://crm.contoso.com/contoso")
        );
        let url = "https://crm.contoso.com/contoso";
        let first = OrgLock::acquire_at(at(url), url, "mailboxes configure").unwrap();
        // A different handle behaves as another process: file locks are per open file.
        let e = OrgLock::acquire_at(at(url), url, "mailboxes test").unwrap_err();
        assert_eq!(e.code, "already_running");
        assert!(
            e.message.contains("mailboxes configure")
                && e.message.contains(&std::process::id().to_string()),
            "{}",
            e.message
        );
        // Another organization is free.
        let other = "https://crm.contoso.com/fabrikam";
        assert!(OrgLock::acquire_at(at(other), other, "mailboxes configure").is_ok());
        drop(first);
        assert!(
            OrgLock::acquire_at(at(url), url, "mailboxes test").is_ok(),
            "released when the run ends"
        );
    }
}
