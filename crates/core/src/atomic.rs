//! Files are never half-written: temp file in the same folder, fsync, rename.
use std::io::Write;
use std::path::Path;

/// Whether the file holds a private key (created readable by the owner only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Normal,
    OwnerOnly,
}

pub fn write(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = platform::create(&tmp, access)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
mod platform {
    use super::Access;
    use std::os::unix::fs::OpenOptionsExt;

    pub fn create(path: &std::path::Path, access: Access) -> std::io::Result<std::fs::File> {
        let mode = if access == Access::OwnerOnly { 0o600 } else { 0o644 };
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(path)
    }
}

#[cfg(not(unix))]
mod platform {
    use super::Access;

    /// On Windows a new file in the user's profile inherits the profile's owner-only ACL.
    pub fn create(path: &std::path::Path, _access: Access) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new().write(true).create_new(true).open(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_no_temp_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.toml");
        write(&p, b"one", Access::Normal).unwrap();
        write(&p, b"two", Access::Normal).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("key.pfx");
        write(&p, b"k", Access::OwnerOnly).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
