//! Writing a file whole or not at all.

use std::io::{Error, ErrorKind, Write};
use std::path::Path;

/// Writes `bytes` to a temporary file beside `path`, synced, then renames
/// it into place: an interrupted or failed write never leaves a half file
/// under the real name. When the folder cannot take a file, the error names
/// the folder (the temporary file's own name would mean nothing to anyone).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
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
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
