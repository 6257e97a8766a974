//! Backups: copies of the database made with SQLite's online backup API
//! while it stays in use, encrypted with the same passphrase, kept in the
//! `backups` folder beside the database and rotated; and restoring one,
//! which is checked (`integrity_check`) before it replaces anything.
//!
//! A backup is made daily (the first time the window is unlocked on a day),
//! before every migration, before every sync import and before a restore,
//! and on request. Its file name says when and why:
//! `station-20261123-081502-daily.sqlite3`.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use serde_json::json;

use super::audit::AuditAction;
use super::key::{apply_key, apply_key_as, relayout_copy, Layout, Passphrase};
use super::{Result, Store, StoreError, MIGRATIONS};

/// Why a backup was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// The first of the day.
    Daily,
    /// Before the schema is migrated.
    Migration,
    /// Before a sync bundle is merged.
    Import,
    /// Before a backup is restored over the database.
    Restore,
    /// Asked for by the user.
    Manual,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::Daily,
        Reason::Migration,
        Reason::Import,
        Reason::Restore,
        Reason::Manual,
    ];

    /// The word in the file name, stable.
    pub fn code(self) -> &'static str {
        match self {
            Reason::Daily => "daily",
            Reason::Migration => "migration",
            Reason::Import => "import",
            Reason::Restore => "restore",
            Reason::Manual => "manual",
        }
    }

    fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// How many backups of this kind are kept: a week of days, the rest a
    /// handful each.
    pub fn kept(self) -> usize {
        match self {
            Reason::Daily => 7,
            Reason::Migration | Reason::Restore => 3,
            Reason::Import | Reason::Manual => 5,
        }
    }
}

/// One backup file in the backups folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub made_at: NaiveDateTime,
    pub reason: Reason,
    pub bytes: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    /// The copy of the database as it was before the restore.
    pub saved_as: Option<BackupInfo>,
    /// The backup's schema version (migrated to the current one).
    pub schema_version: i64,
}

/// Pages copied per step: small enough that a writer elsewhere waits only
/// briefly, large enough to keep a county-scale copy quick.
const PAGES_PER_STEP: i32 = 4096;

/// The folder backups of `db` go to: `backups` beside it.
pub fn backup_dir(db: &Path) -> PathBuf {
    match db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("backups"),
        _ => PathBuf::from("backups"),
    }
}

/// The stem backups of `db` are named by (`station` for `station.sqlite3`).
fn stem(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "stationdesk".into())
}

fn file_name(db: &Path, at: NaiveDateTime, reason: Reason) -> String {
    format!(
        "{}-{}-{}.sqlite3",
        stem(db),
        at.format("%Y%m%d-%H%M%S"),
        reason.code()
    )
}

/// Reads `station-20261123-081502-daily.sqlite3` back.
fn parse_name(db: &Path, name: &str) -> Option<(NaiveDateTime, Reason)> {
    let rest = name
        .strip_prefix(&stem(db))?
        .strip_prefix('-')?
        .strip_suffix(".sqlite3")?;
    let (stamp, reason) = rest.rsplit_once('-')?;
    let at = NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()?;
    Some((at, Reason::from_code(reason)?))
}

/// The backups of `db`, newest first.
pub fn list_backups(db: &Path) -> Result<Vec<BackupInfo>> {
    let dir = backup_dir(db);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(source) => return Err(StoreError::Io { path: dir, source }),
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some((made_at, reason)) = name.to_str().and_then(|n| parse_name(db, n)) else {
            continue;
        };
        let bytes = entry.metadata().map(|m| m.len()).unwrap_or(0);
        found.push(BackupInfo {
            path: entry.path(),
            made_at,
            reason,
            bytes,
        });
    }
    found.sort_by(|a, b| b.made_at.cmp(&a.made_at).then(b.path.cmp(&a.path)));
    Ok(found)
}

/// The online backup API from `from` into `to`, a step of pages at a time,
/// reporting (pages done, pages in all).
fn copy_pages(
    from: &Connection,
    to: &mut Connection,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    let backup = Backup::new(from, to)?;
    loop {
        let step = backup.step(PAGES_PER_STEP)?;
        let p = backup.progress();
        let total = p.pagecount.max(0) as u64;
        progress(total - (p.remaining.max(0) as u64).min(total), total);
        match step {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            // Someone else is writing: let them finish, then go on.
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Copies the database `from` into `dest` page by page with the online
/// backup API, reporting (pages done, pages in all). `dest` is keyed
/// first when the source is encrypted, so the copy is encrypted too.
fn copy_database(
    from: &Connection,
    dest: &Path,
    key: Option<&Passphrase>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    let partial = {
        let mut name = dest.as_os_str().to_owned();
        name.push(".partial");
        PathBuf::from(name)
    };
    crate::files::refuse_database(dest).map_err(io(dest))?;
    if dest.is_dir() {
        return Err(io(dest)(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a folder; give the backup a file name",
        )));
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    match std::fs::remove_file(&partial) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&partial)(e)),
        _ => {}
    }
    // A copy that fails (a full disk) takes its `.partial` file with it.
    let copied = copy_into(from, &partial, dest, key, progress);
    if copied.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    copied
}

/// `copy_database`'s work: the pages into `partial`, synced, then renamed
/// to `dest`.
fn copy_into(
    from: &Connection,
    partial: &Path,
    dest: &Path,
    key: Option<&Passphrase>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<()> {
    {
        let mut to = Connection::open(partial).map_err(|source| StoreError::Open {
            path: partial.to_owned(),
            source,
        })?;
        if let Some(key) = key {
            apply_key(&to, partial, key)?;
        }
        // No journal and no syncing while the pages go in: a copy cut
        // short is only a `.partial` file, and the whole file is synced
        // once before it is renamed into place.
        to.pragma_update(None, "journal_mode", "OFF")?;
        to.pragma_update(None, "synchronous", "OFF")?;
        copy_pages(from, &mut to, progress)?;
        // A backup file stands alone: no WAL beside it.
        to.pragma_update(None, "journal_mode", "DELETE")?;
    }
    File::open(partial)
        .and_then(|f| f.sync_all())
        .map_err(io(partial))?;
    std::fs::rename(partial, dest).map_err(io(dest))?;
    Ok(())
}

/// An IO error at `path`, as the store says it ("cannot write PATH: …").
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_owned();
    move |source| StoreError::Io { path, source }
}

/// Opens a backup read-only with `key` and checks that it is a whole,
/// undamaged StationDesk database this program can read. A backup in
/// SQLCipher's default layout (made by the first encrypting build) is
/// opened that way, and said so.
fn check_backup(file: &Path, key: Option<&Passphrase>) -> Result<(Connection, i64, Layout)> {
    let bad = |detail: String| StoreError::BadBackup {
        path: file.to_owned(),
        detail,
    };
    if !file.exists() {
        return Err(bad("there is no such file".into()));
    }
    if !file.is_file() {
        return Err(bad("it is not a file (a folder or a device)".into()));
    }
    if std::fs::metadata(file).is_ok_and(|m| m.len() == 0) {
        return Err(bad("the file is empty".into()));
    }
    let open = || {
        Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| bad(e.to_string()))
    };
    let mut conn = open()?;
    let mut layout = Layout::Stationdesk;
    match key {
        Some(key) => {
            if let Err(e) = apply_key(&conn, file, key) {
                let StoreError::OldLayout { .. } = e else {
                    return Err(e);
                };
                conn = open()?;
                apply_key_as(&conn, file, key, Layout::Sqlcipher4)?;
                layout = Layout::Sqlcipher4;
            }
        }
        None => {
            if super::key::file_kind(file)? != super::key::FileKind::Plain {
                return Err(super::key::not_a_database(file).unwrap_or(
                    StoreError::NeedsPassphrase {
                        path: file.to_owned(),
                    },
                ));
            }
        }
    }
    let verdict: String = conn
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(|e| bad(e.to_string()))?;
    if verdict != "ok" {
        return Err(bad(format!("integrity_check: {verdict}")));
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let has_stations: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'station'",
        [],
        |r| r.get(0),
    )?;
    if version < 1 || !has_stations {
        return Err(bad("it is not a StationDesk database".into()));
    }
    if version > MIGRATIONS.len() as i64 {
        return Err(StoreError::TooNew {
            path: file.display().to_string(),
            found: version,
            known: MIGRATIONS.len(),
        });
    }
    Ok((conn, version, layout))
}

impl Store {
    /// The database file, or `None` for an in-memory store.
    fn file(&self) -> Option<PathBuf> {
        (self.path != ":memory:").then(|| PathBuf::from(&self.path))
    }

    /// Copies the database into `dest` (encrypted with the same passphrase
    /// when it is encrypted), written whole or not at all, and logs it.
    pub fn backup_to(&self, dest: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
        copy_database(&self.conn, dest, self.key.as_ref(), progress)?;
        self.audit_backup(dest, "file")
    }

    fn audit_backup(&self, file: &Path, reason: &str) -> Result<()> {
        self.audit(
            AuditAction::Backup,
            None,
            None,
            json!({ "file": file.display().to_string(), "reason": reason, "encrypted": self.key.is_some() }),
        )?;
        Ok(())
    }

    /// Makes a backup for `reason` in the backups folder and drops the
    /// oldest of that kind beyond [`Reason::kept`]. `None` for an
    /// in-memory store.
    pub fn backup(
        &self,
        reason: Reason,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Option<BackupInfo>> {
        let Some(db) = self.file() else {
            return Ok(None);
        };
        let dir = backup_dir(&db);
        // Two backups in one second (an import right after the daily one)
        // must not overwrite each other.
        let mut at = now;
        while dir.join(file_name(&db, at, reason)).exists() {
            at += chrono::Duration::seconds(1);
        }
        let path = dir.join(file_name(&db, at, reason));
        copy_database(&self.conn, &path, self.key.as_ref(), progress)?;
        if reason != Reason::Migration {
            // Before a migration the log's table may not exist yet.
            self.audit_backup(&path, reason.code())?;
        }
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        rotate(&db, reason)?;
        Ok(Some(BackupInfo {
            path,
            made_at: at,
            reason,
            bytes,
        }))
    }

    /// The day's backup, unless one was made today already.
    pub fn backup_daily(&self, now: NaiveDateTime) -> Result<Option<BackupInfo>> {
        let Some(db) = self.file() else {
            return Ok(None);
        };
        let today: NaiveDate = now.date();
        let done = list_backups(&db)?
            .iter()
            .any(|b| b.reason == Reason::Daily && b.made_at.date() == today);
        if done {
            return Ok(None);
        }
        self.backup(Reason::Daily, now, &mut |_, _| {})
    }

    /// Restores a backup over this database. The backup is opened with
    /// this database's passphrase (SQLCipher copies pages as they are
    /// stored, so both sides must share the key) and must pass
    /// `integrity_check` before anything is touched; then the database as
    /// it is now is itself backed up, and the backup's pages are copied in
    /// with the online backup API in one go. A backup from an older
    /// version is migrated. The database keeps its own passphrase.
    pub fn restore_from(
        &mut self,
        file: &Path,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<RestoreReport> {
        let (mut source, version, layout) = check_backup(file, self.key.as_ref())?;
        // The backup API copies pages as they are: a backup in another
        // layout is first written out in this database's, beside it.
        // The converted copy is removed whichever way this ends (a failed
        // conversion or check, a failed backup, or the copy done).
        let mut converted: Option<tempfile::TempPath> = None;
        if let (Layout::Sqlcipher4, Some(key), Some(db)) = (layout, &self.key, self.file()) {
            let mut name = db.into_os_string();
            name.push(".restoring");
            let tmp =
                tempfile::TempPath::try_from_path(&name).map_err(|source| StoreError::Io {
                    path: name.into(),
                    source,
                })?;
            let tmp = converted.insert(tmp);
            relayout_copy(file, tmp, key)?;
            source = check_backup(tmp, Some(key))?.0;
        }
        let saved_as = self.backup(Reason::Restore, now, &mut |_, _| {})?;
        let copied = copy_pages(&source, &mut self.conn, progress);
        drop(source);
        drop(converted);
        copied?;
        self.conn.pragma_update(None, "journal_mode", "WAL")?;
        super::migrations().to_latest(&mut self.conn)?;
        super::seal::seal_backlog(&mut self.conn)?;
        self.audit(
            AuditAction::Restore,
            None,
            None,
            json!({
                "file": file.display().to_string(),
                "schema_version": version,
                "saved_as": saved_as.as_ref().map(|b| b.path.display().to_string()),
            }),
        )?;
        Ok(RestoreReport {
            saved_as,
            schema_version: version,
        })
    }
}

/// The newest backup of `db` that opens with `key` and passes the check.
pub fn latest_good_backup(db: &Path, key: Option<&Passphrase>) -> Result<Option<BackupInfo>> {
    for b in list_backups(db)? {
        if check_backup(&b.path, key).is_ok() {
            return Ok(Some(b));
        }
    }
    Ok(None)
}

/// Puts a backup in place of a database file that can no longer be opened
/// (damaged), without opening it: the backup is checked first and copied
/// whole beside the database (`NAME.restoring`, synced); only then are the
/// damaged file and its WAL or rollback journal kept beside it as
/// `NAME.damaged-YYYYMMDD-HHMMSS` (for whoever wants to rescue something
/// from it), and the copy renamed into place. A copy that fails (a full
/// disk) is removed and leaves the damaged file where it was: a database
/// path left empty would open as a new, empty store. Answers where the
/// damaged file went.
pub fn restore_file(
    db: &Path,
    backup: &Path,
    key: Option<&Passphrase>,
    now: NaiveDateTime,
) -> Result<Option<PathBuf>> {
    drop(check_backup(backup, key)?);
    let stamp = now.format("%Y%m%d-%H%M%S").to_string();
    let sibling = |suffix: &str| crate::files::beside(db, suffix);
    let partial = sibling(".restoring");
    let copy = tempfile::TempPath::try_from_path(&partial).map_err(io(&partial))?;
    std::fs::copy(backup, &copy).map_err(io(&partial))?;
    File::open(&copy)
        .and_then(|f| f.sync_all())
        .map_err(io(&partial))?;
    let kept = sibling(&format!(".damaged-{stamp}"));
    let moved = if db.exists() {
        std::fs::rename(db, &kept).map_err(io(db))?;
        Some(kept.clone())
    } else {
        None
    };
    for side in crate::files::JOURNALS {
        let from = sibling(side);
        if from.exists() {
            let to = sibling(&format!(".damaged-{stamp}{side}"));
            std::fs::rename(&from, &to).map_err(io(&from))?;
        }
    }
    copy.persist(db).map_err(|e| io(db)(e.error))?;
    Ok(moved)
}

/// Drops the oldest backups of `reason` beyond the number kept.
fn rotate(db: &Path, reason: Reason) -> Result<()> {
    let of_kind: Vec<BackupInfo> = list_backups(db)?
        .into_iter()
        .filter(|b| b.reason == reason)
        .collect();
    for old in of_kind.iter().skip(reason.kept()) {
        std::fs::remove_file(&old.path).map_err(|source| StoreError::Io {
            path: old.path.clone(),
            source,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_names_read_back() {
        let db = Path::new("/data/station.sqlite3");
        let at = NaiveDateTime::parse_from_str("2026-11-23 08:15:02", "%Y-%m-%d %H:%M:%S")
            .expect("time");
        let name = file_name(db, at, Reason::Import);
        assert_eq!(name, "station-20261123-081502-import.sqlite3");
        assert_eq!(parse_name(db, &name), Some((at, Reason::Import)));
        assert_eq!(
            parse_name(db, "station-20261123-081502-weekly.sqlite3"),
            None
        );
        assert_eq!(parse_name(db, "other-20261123-081502-daily.sqlite3"), None);
        assert_eq!(backup_dir(db), Path::new("/data/backups"));
    }
}
