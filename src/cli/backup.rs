//! `stationdesk backup|backups|restore`: copies of the database in the
//! backups folder beside it, and putting one back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{json as print_json, CliError, Format};
use serde_json::json;

use crate::store::backup::{backup_dir, list_backups, restore_file, BackupInfo, Reason};
use crate::store::{AuditAction, Passphrase, Store, StoreError};

/// One backup in `backups --format json`. Keys are stable.
#[derive(Debug, Serialize)]
struct BackupJson {
    path: String,
    made_at: String,
    reason: &'static str,
    bytes: u64,
}

impl From<&BackupInfo> for BackupJson {
    fn from(b: &BackupInfo) -> Self {
        BackupJson {
            path: b.path.display().to_string(),
            made_at: b.made_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            reason: b.reason.code(),
            bytes: b.bytes,
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `backup [--out FILE]`: into the backups folder (rotated) or to a file.
pub fn backup(
    store: &Store,
    path: Option<&Path>,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let started = Instant::now();
    let written: PathBuf = match path {
        Some(path) => {
            store.backup_to(path, &mut |_, _| {})?;
            path.to_owned()
        }
        None => match store.backup(Reason::Manual, now, &mut |_, _| {})? {
            Some(info) => info.path,
            None => {
                return Err(CliError::Usage(
                    "an in-memory database has no backups".into(),
                ))
            }
        },
    };
    let bytes = std::fs::metadata(&written).map(|m| m.len()).unwrap_or(0);
    writeln!(
        out,
        "backup written: {} ({}, {:.1} s){}",
        written.display(),
        mib(bytes),
        started.elapsed().as_secs_f64(),
        if store.is_encrypted() {
            ", encrypted with the database's passphrase"
        } else {
            ""
        }
    )?;
    Ok(())
}

/// `backups`: what is in the backups folder, newest first.
pub fn list(db: &Path, format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    let found = list_backups(db)?;
    match format {
        Format::Json => print_json(&found.iter().map(BackupJson::from).collect::<Vec<_>>(), out)?,
        Format::Table => {
            if found.is_empty() {
                writeln!(out, "no backups in {}", backup_dir(db).display())?;
            }
            for b in &found {
                writeln!(
                    out,
                    "{}  {:<9}  {:>10}  {}",
                    b.made_at.format("%Y-%m-%d %H:%M:%S"),
                    b.reason.code(),
                    mib(b.bytes),
                    b.path.display()
                )?;
            }
        }
    }
    Ok(())
}

/// `restore FILE`: checked first, the current state saved, then replaced.
/// A database too damaged to open is set aside instead of saved; where
/// there is none, the backup is put in place.
pub fn restore(
    db: &Path,
    key: Option<&Passphrase>,
    file: &Path,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    if db.exists() {
        // A damaged file is set aside rather than backed up and written into.
        let opened = super::open_store(db, key)
            .and_then(|store| store.quick_check().map(|()| store).map_err(CliError::from));
        match opened {
            Ok(mut store) => {
                let report = store.restore_from(file, now, &mut |_, _| {})?;
                writeln!(out, "restored {} into {}", file.display(), store.path())?;
                if let Some(saved) = report.saved_as {
                    writeln!(
                        out,
                        "the database as it was before is kept as {}",
                        saved.path.display()
                    )?;
                }
                return Ok(());
            }
            Err(CliError::Store(StoreError::Damaged { .. })) => {}
            Err(e) => return Err(e),
        }
    } else if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Where there is no database, the backup is put in place: there is
        // nothing to keep (opening would make an empty file to back up).
        std::fs::create_dir_all(dir).map_err(|source| CliError::WriteFile {
            path: dir.to_owned(),
            source,
        })?;
    }
    let kept = restore_file(db, file, key, now)?;
    let store = super::open_store(db, key)?;
    store.audit(
        AuditAction::Restore,
        None,
        None,
        json!({ "file": file.display().to_string(), "damaged_kept_as": kept.as_ref().map(|p| p.display().to_string()) }),
    )?;
    writeln!(out, "restored {} into {}", file.display(), db.display())?;
    if let Some(kept) = kept {
        writeln!(out, "the damaged database is kept as {}", kept.display())?;
    }
    Ok(())
}
