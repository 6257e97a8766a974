//! Writing a file whole or not at all, and never over a database in use.

use std::io::{Error, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The files SQLite keeps beside a database while it is in use.
pub const JOURNALS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// `path` with `suffix` added to its name: `station.sqlite3-wal`.
pub fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The database files opened by this process (`guard_database`).
static DATABASES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Marks `path` as a database in use: no output file (a PDF, a workbook,
/// a bundle, a backup) may then be written over it or its journals. A
/// mistyped `--out` would otherwise replace the user's data with a PDF.
pub fn guard_database(path: &Path) {
    let Ok(path) = path.canonicalize() else {
        return;
    };
    let mut guarded = DATABASES.lock().unwrap_or_else(|e| e.into_inner());
    if !guarded.contains(&path) {
        guarded.push(path);
    }
}

/// `path` as it would resolve: symlinks and `..` followed, so another
/// spelling of the database's name is still recognised.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    match (dir.canonicalize(), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => path.to_owned(),
    }
}

/// Refuses `path` when it is a database in use (`guard_database`) or one
/// of its journal files.
pub fn refuse_database(path: &Path) -> std::io::Result<()> {
    let target = resolved(path);
    let guarded = DATABASES.lock().unwrap_or_else(|e| e.into_inner());
    for db in guarded.iter() {
        let same = target == *db || JOURNALS.iter().any(|j| target == beside(db, j));
        if same {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "it is the StationDesk database in use ({}); choose another file name",
                    db.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, synced, then renames
/// it into place: an interrupted or failed write never leaves a half file
/// under the real name. When the folder cannot take a file, the error names
/// the folder (the temporary file's own name would mean nothing to anyone).
/// A database in use is never overwritten (`refuse_database`).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    refuse_database(path)?;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| {
        let why = match e.kind() {
            ErrorKind::NotFound => "it does not exist".to_string(),
            kind => kind.to_string(),
        };
        Error::new(
            e.kind(),
            format!("cannot create a file in {}: {why}", dir.display()),
        )
    })?;
    // The temporary file's name is left out of what the user reads.
    let plain = |e: Error| Error::new(e.kind(), e.kind().to_string());
    tmp.write_all(bytes).map_err(plain)?;
    tmp.as_file().sync_all().map_err(plain)?;
    tmp.persist(path).map_err(|e| plain(e.error))?;
    Ok(())
}
