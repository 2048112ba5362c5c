//! Writing files atomically: a temporary file in the same folder, fsync, rename.
//! Private-key files (PFX) are created readable by their owner only (0600 on Unix).

pub mod powershell;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rand::RngExt;

/// Who may read the written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileAccess {
    /// A public certificate: the usual permissions.
    Public,
    /// Holds a private key: owner only (0600 on Unix).
    Private,
}

/// Writes `bytes` to `path` so that readers see the old file or the whole new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8], access: FileAccess) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    fs::create_dir_all(&dir)?;
    let suffix: u64 = rand::rng().random();
    let temp = dir.join(format!(".{}.{suffix:016x}.tmp", name.to_string_lossy()));
    let result = write_then_rename(&temp, path, bytes, access);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    mode::sync_dir(&dir);
    Ok(())
}

fn write_then_rename(temp: &Path, path: &Path, bytes: &[u8], access: FileAccess) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    if access == FileAccess::Private {
        mode::owner_only(&mut options);
    }
    let mut file: File = options.open(temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, path)
}

#[cfg(unix)]
mod mode {
    use std::fs::{File, OpenOptions};
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    pub(super) fn owner_only(options: &mut OpenOptions) {
        options.mode(0o600);
    }

    /// Makes the rename durable; best effort.
    pub(super) fn sync_dir(dir: &Path) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(not(unix))]
mod mode {
    use std::fs::OpenOptions;
    use std::path::Path;

    /// On Windows the file inherits the folder's ACL (the user's profile is private by default).
    pub(super) fn owner_only(_options: &mut OpenOptions) {}

    pub(super) fn sync_dir(_dir: &Path) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_leaves_no_temp_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.toml");
        write_atomic(&p, b"one", FileAccess::Public).unwrap();
        write_atomic(&p, b"two", FileAccess::Public).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn creates_the_folder_it_writes_into() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config").join("settings.toml");
        write_atomic(&p, b"mode = 1", FileAccess::Public).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"mode = 1");
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("key.pfx");
        write_atomic(&p, b"k", FileAccess::Private).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
