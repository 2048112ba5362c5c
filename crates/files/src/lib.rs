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

/// The largest small input file read whole (a certificate, a plan, a CA bundle, a result file).
pub const MAX_SMALL_FILE: u64 = 16 * 1024 * 1024;

/// Reads a whole file of at most `max` bytes. A larger file, or an endless one (`/dev/zero`), is
/// an `InvalidData` error that says so, read no further than `max` + 1 bytes.
pub fn read_limited(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let file = File::open(path)?;
    let too_large = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the file is larger than {} MiB, which is more than this file can be",
                max >> 20
            ),
        )
    };
    if file.metadata().is_ok_and(|m| m.is_file() && m.len() > max) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` so that readers see the old file or the whole new one, never a part.
pub fn write_atomic(path: &Path, bytes: &[u8], access: FileAccess) -> io::Result<()> {
    let (dir, temp) = temp_path(path)?;
    fs::create_dir_all(&dir)?;
    let result = write_then_rename(&temp, path, bytes, access);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    mode::sync_dir(&dir);
    Ok(())
}

/// One file of a set written together by [`write_all_or_nothing`].
pub struct Member<'a> {
    pub path: &'a Path,
    pub bytes: &'a [u8],
    pub access: FileAccess,
}

/// A member that could not be written, and why.
#[derive(Debug)]
pub struct SetError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for SetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for SetError {}

/// Writes files that belong together (a .pfx and its .cer, a fix script and its undo script) all
/// or nothing: every temporary file is written and fsynced first, then each is renamed into place.
/// On any failure the temporary files and every member already renamed are removed, so a reader
/// never finds one without the other.
pub fn write_all_or_nothing(members: &[Member<'_>]) -> Result<(), SetError> {
    let fail = |path: &Path, error: io::Error| SetError {
        path: path.to_path_buf(),
        error,
    };
    let mut temps: Vec<PathBuf> = Vec::new();
    let cleanup = |temps: &[PathBuf], renamed: &[&Path]| {
        for t in temps {
            let _ = fs::remove_file(t);
        }
        for r in renamed {
            let _ = fs::remove_file(r);
        }
    };
    for m in members {
        let prepared = temp_path(m.path).and_then(|(dir, temp)| {
            fs::create_dir_all(&dir)?;
            write_temp(&temp, m.bytes, m.access)
                .map(|()| temp.clone())
                .inspect_err(|_| {
                    let _ = fs::remove_file(&temp);
                })
        });
        match prepared {
            Ok(temp) => temps.push(temp),
            Err(e) => {
                cleanup(&temps, &[]);
                return Err(fail(m.path, e));
            }
        }
    }
    let mut renamed: Vec<&Path> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        if let Err(e) = fs::rename(&temps[i], m.path) {
            cleanup(&temps[i..], &renamed);
            return Err(fail(m.path, e));
        }
        renamed.push(m.path);
    }
    for m in members {
        if let Some(dir) = m.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            mode::sync_dir(dir);
        }
    }
    Ok(())
}

/// The folder `path` lives in and a fresh temporary name beside it.
fn temp_path(path: &Path) -> io::Result<(PathBuf, PathBuf)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let suffix: u64 = rand::rng().random();
    let temp = dir.join(format!(".{}.{suffix:016x}.tmp", name.to_string_lossy()));
    Ok((dir, temp))
}

fn write_temp(temp: &Path, bytes: &[u8], access: FileAccess) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    if access == FileAccess::Private {
        mode::owner_only(&mut options);
    }
    let mut file: File = options.open(temp)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn write_then_rename(temp: &Path, path: &Path, bytes: &[u8], access: FileAccess) -> io::Result<()> {
    write_temp(temp, bytes, access)?;
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

    /// Issue 18 item 5: when the second member cannot be written, the first is not left behind.
    #[test]
    fn a_pair_is_written_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("s2s.pfx");
        let cer = dir.path().join("s2s.cer");
        // The .cer's name is taken by a folder: its rename fails after the .pfx's succeeded.
        std::fs::create_dir(&cer).unwrap();
        std::fs::write(cer.join("inside"), b"x").unwrap();
        let e = write_all_or_nothing(&[
            Member {
                path: &key,
                bytes: b"key",
                access: FileAccess::Private,
            },
            Member {
                path: &cer,
                bytes: b"cer",
                access: FileAccess::Public,
            },
        ])
        .unwrap_err();
        assert_eq!(e.path, cer);
        assert!(!key.exists(), "the .pfx was left without its .cer");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("s2s.cer")],
            "temporary files were left behind"
        );

        std::fs::remove_dir_all(&cer).unwrap();
        write_all_or_nothing(&[
            Member {
                path: &key,
                bytes: b"key",
                access: FileAccess::Private,
            },
            Member {
                path: &cer,
                bytes: b"cer",
                access: FileAccess::Public,
            },
        ])
        .unwrap();
        assert_eq!(
            (std::fs::read(&key).unwrap(), std::fs::read(&cer).unwrap()),
            (b"key".to_vec(), b"cer".to_vec())
        );
    }

    /// Issue 18 item 6: an endless file is refused after the limit, not read until memory runs out.
    #[cfg(unix)]
    #[test]
    fn endless_and_oversized_files_are_refused_at_the_limit() {
        let e = read_limited(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("larger than 1 MiB"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'x'; (1 << 20) + 1]).unwrap();
        assert!(read_limited(&p, 1 << 20).is_err());
        std::fs::write(&p, b"small").unwrap();
        assert_eq!(read_limited(&p, 1 << 20).unwrap(), b"small");
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("key.pfx");
        write_atomic(&p, b"k", FileAccess::Private).unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
