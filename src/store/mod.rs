//! The SQLite store: one file, migrated at open, written in transactions.

pub mod audit;
pub mod backup;
mod cases;
mod columns;
mod drafts;
mod hours;
pub mod key;
mod overdue;
mod plan;
mod policy;
mod records;
mod retention;
pub mod seal;
mod staff;
mod stations;
mod supervision;
pub(crate) mod sync;
mod training;
mod workload;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction};
use rusqlite_migration::{Migrations, M};

pub use audit::{default_actor, AuditAction, AuditEntry, AuditFilter};
pub use cases::{
    case_codes_in, CaseFilter, CaseSummary, CaseView, ConsentView, ContactView, DiscussedIn,
    GroupView,
};
pub use drafts::Draft;
pub use hours::HoursEntry;
pub use key::{file_kind, FileKind, Passphrase};
pub use overdue::Scope;
pub use plan::{PlanChange, PlanLine};
pub use records::{
    ActionItemView, AmendmentView, RecordFilter, RecordSummary, RecordView, SignatureView,
};
pub use retention::{PurgeReport, RetentionDue};
pub use seal::{ChainView, SealProblem, SealProblemKind, SealReport};
pub use staff::StaffView;
pub use stations::StationSummary;
pub use supervision::LinkView;
pub use sync::{ConflictView, ImportReport, Keep, PeerView, SyncStatus};
pub use training::{
    AssessmentRow, AttendanceRow, Attendee, RosterEntry, TrainingKey, TrainingSummary, TrainingView,
};

use crate::model::Invalid;

/// How long a connection waits for another one's lock before it fails.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder {path} for the database: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the database {path} is encrypted: its passphrase is needed to open it")]
    NeedsPassphrase { path: PathBuf },
    #[error("the passphrase does not open {path} (or the file is not a StationDesk database)")]
    WrongPassphrase { path: PathBuf },
    #[error("the database {path} is not encrypted")]
    NotEncrypted { path: PathBuf },
    /// Opened with the right passphrase in SQLCipher's default layout: a
    /// file of the first encrypting build, converted when opened as a
    /// store (never seen outside the store).
    #[error("{path} is encrypted in an older layout; open it with StationDesk to convert it")]
    OldLayout { path: PathBuf },
    #[error("the database {path} is already encrypted")]
    NotPlain { path: PathBuf },
    #[error("{path} is not a StationDesk database: it is {what}")]
    NotADatabase { path: PathBuf, what: &'static str },
    #[error("the backup {path} cannot be restored: {detail}")]
    BadBackup { path: PathBuf, detail: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot bring the database schema up to date: {0}")]
    Migrate(#[from] rusqlite_migration::Error),
    #[error(
        "the database {path} was written by a newer StationDesk (schema version {found}, \
         this program knows up to {known}); use the newer program"
    )]
    TooNew {
        path: String,
        found: i64,
        known: usize,
    },
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("supervision record {id} is signed and locked; change it with an amendment")]
    Locked { id: i64 },
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: i64 },
    #[error(
        "the database already holds {stations} station(s); demo data goes only into an empty one"
    )]
    NotEmpty { stations: i64 },
    /// The file's pages do not hold together (SQLite's quick check failed,
    /// or SQLite found a malformed page). The message says what to do.
    #[error(
        "the database file {path} is damaged ({detail}). Do not keep working in it. \
         Close StationDesk, then restore the latest backup: take the newest file from \
         the backups folder next to the database and put it in place of the damaged \
         file (keep the damaged file aside, renamed). Work done since that backup \
         has to be entered again."
    )]
    Damaged { path: String, detail: String },
    #[error(transparent)]
    Sync(#[from] crate::sync::SyncError),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The numbered migrations, oldest first. A landed migration is never
/// edited: a change is a new file.
const SOURCES: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_supervision_records.sql"),
    include_str!("migrations/0003_cases.sql"),
    include_str!("migrations/0004_policy_history.sql"),
    include_str!("migrations/0005_training.sql"),
    include_str!("migrations/0006_sync.sql"),
    include_str!("migrations/0007_seal.sql"),
    include_str!("migrations/0008_audit.sql"),
    include_str!("migrations/0009_retention.sql"),
    include_str!("migrations/0010_check_lists.sql"),
    include_str!("migrations/0011_sync_home.sql"),
];

const MIGRATIONS: &[M<'static>] = &[
    M::up(SOURCES[0]),
    M::up(SOURCES[1]),
    M::up(SOURCES[2]),
    M::up(SOURCES[3]),
    M::up(SOURCES[4]),
    M::up(SOURCES[5]),
    M::up(SOURCES[6]),
    M::up(SOURCES[7]),
    M::up(SOURCES[8]),
    M::up(SOURCES[9]),
    M::up(SOURCES[10]),
];

/// The SQL of every migration, oldest first.
pub fn migration_sources() -> &'static [&'static str] {
    SOURCES
}

/// The schema version this program writes: the number of migrations.
pub const SCHEMA_VERSION: usize = SOURCES.len();

pub fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// How much of the database file each connection maps into memory.
pub const MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// An open, migrated database.
pub struct Store {
    conn: Connection,
    path: String,
    /// The passphrase, while open (backups are keyed with it).
    key: Option<Passphrase>,
    /// Who the audit log records as doing what this store writes.
    actor: String,
}

impl Store {
    /// Opens (creating if needed) a plain database file and migrates it. An
    /// encrypted file is refused ([`StoreError::NeedsPassphrase`]): open it
    /// with [`Store::open_encrypted`].
    pub fn open(path: &Path) -> Result<Store> {
        if key::file_kind(path)? == FileKind::Encrypted {
            return Err(
                key::not_a_database(path).unwrap_or(StoreError::NeedsPassphrase {
                    path: path.to_owned(),
                }),
            );
        }
        Store::open_with(path, None)
    }

    fn open_with(path: &Path, passphrase: Option<&Passphrase>) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        let open = || {
            Connection::open(path).map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })
        };
        let mut conn = open()?;
        if let Some(passphrase) = passphrase {
            match key::apply_key(&conn, path, passphrase) {
                Err(StoreError::OldLayout { .. }) => {
                    // The first encrypting build's file: converted, then
                    // opened again.
                    drop(conn);
                    key::relayout_file(path, passphrase)?;
                    conn = open()?;
                    key::apply_key(&conn, path, passphrase)?;
                }
                keyed => keyed?,
            }
        }
        let shown = path.display().to_string();
        let store = Store::prepare(conn, shown.clone(), passphrase.cloned()).map_err(|e| {
            damage_in(&e).map_or(e, |detail| StoreError::Damaged {
                path: shown,
                detail,
            })
        })?;
        crate::files::guard_database(path);
        Ok(store)
    }

    /// Opens the file as `open` does, then runs `quick_check`: what a
    /// program does at start-up, before the user types anything into a
    /// file that may be damaged.
    pub fn open_checked(path: &Path) -> Result<Store> {
        let store = Store::open(path)?;
        store.quick_check()?;
        Ok(store)
    }

    /// SQLite's `PRAGMA quick_check`: every page of every table and index
    /// is read and its structure checked (not that each index matches its
    /// table, which `integrity_check` adds at several times the cost).
    /// `StoreError::Damaged` when it finds anything, with what it found
    /// and what to do.
    pub fn quick_check(&self) -> Result<()> {
        let damaged = |detail| StoreError::Damaged {
            path: self.path.clone(),
            detail,
        };
        let found = self.quick_check_rows().map_err(|e| {
            key::check_failed(&self.conn, Path::new(&self.path), self.key.is_some(), e)
        })?;
        if found.len() == 1 && found[0] == "ok" {
            Ok(())
        } else {
            let detail = format!("SQLite's quick check: {}", found.join("; "));
            Err(damaged(detail))
        }
    }

    /// What the quick check says: `ok` alone, or up to five problems.
    fn quick_check_rows(&self) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check(5)")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect()
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Store::prepare(Connection::open_in_memory()?, ":memory:".into(), None)
    }

    fn prepare(conn: Connection, path: String, key: Option<Passphrase>) -> Result<Store> {
        // Per connection, never in a migration: these do not persist.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // FULL: a commit reported to the user survives a power cut (drafts are
        // saved every second while typing; losing them defeats the point).
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Read pages straight from the mapped file instead of copying them
        // through a small page cache: the overdue queries read many pages.
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        // Statement journals (every write to a table with triggers) and
        // sorts stay in memory instead of a temporary file per statement:
        // a sync import of a million rows spent a third of its time there.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Deleted content is overwritten with zeros (cells in their pages,
        // freed pages whole): a purged identity (retention) or an edited-away
        // value leaves no readable copy behind in the file. WAL frames are
        // overwritten at the next checkpoint (`Store::purge_case` runs one).
        conn.pragma_update(None, "secure_delete", "ON")?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > MIGRATIONS.len() as i64 {
            return Err(StoreError::TooNew {
                path,
                found,
                known: MIGRATIONS.len(),
            });
        }
        let mut store = Store {
            conn,
            path,
            key,
            actor: audit::default_actor(),
        };
        store.set_cache_mib(store.resting_cache_mib())?;
        if found > 0 && found < MIGRATIONS.len() as i64 {
            // The data as it was, in case the migration goes wrong.
            let now = chrono::Local::now().naive_local();
            store.backup(backup::Reason::Migration, now, &mut |_, _| {})?;
        }
        // Each migration and its user_version bump commit together.
        migrations().to_latest(&mut store.conn)?;
        // Signatures and amendments made before the seals (migration 0007).
        seal::seal_backlog(&mut store.conn)?;
        sync::settle_identity(&store.conn, &store.path)?;
        Ok(store)
    }

    /// Where the data lives, for messages.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Runs `f` in an IMMEDIATE transaction: committed when it returns `Ok`,
    /// rolled back (nothing written) when it returns `Err`.
    pub fn with_tx<T>(&mut self, f: impl FnOnce(&Transaction) -> Result<T>) -> Result<T> {
        let tx = audit::begin(&mut self.conn, &self.actor)?;
        let value = f(&tx)?;
        audit::commit(tx)?;
        Ok(value)
    }

    /// Sets this connection's page cache size.
    pub(crate) fn set_cache_mib(&self, mib: i64) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -mib * 1024)?;
        Ok(())
    }

    /// The page cache a connection keeps between big jobs. A plain file is
    /// read through the memory map (the OS caches its pages), so SQLite's
    /// own cache stays small; SQLCipher cannot map an encrypted file, and
    /// every page read is decrypted and authenticated again unless it stays
    /// in the cache, so an encrypted store keeps as much as the map would
    /// have covered. The cache grows only as pages are read.
    pub(crate) fn resting_cache_mib(&self) -> i64 {
        if self.key.is_some() {
            MMAP_BYTES / (1024 * 1024)
        } else {
            2
        }
    }

    /// True when there is no station yet: the first run.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.station_count()? == 0)
    }

    /// SQLite's `integrity_check`: `["ok"]` when the file is sound, else
    /// each problem it found.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Rows inserted, changed or deleted through this connection since it
    /// opened, rolled back or not: when it has not moved, nothing was
    /// written (the sweep test's cheap check before [`Store::content_digest`]).
    pub fn total_changes(&self) -> u64 {
        self.conn.total_changes()
    }

    /// A SHA-256 over the schema and every row of every table, in hex:
    /// equal digests, equal content. Tests compare a database before and
    /// after a refused command with it (a refused input writes nothing).
    /// Where the file lives and the sync identity that follows from it
    /// (`sync_state.home`, `origin`: a copy takes its own when opened,
    /// `sync::settle_identity`) are not content.
    pub fn content_digest(&self) -> Result<String> {
        use rusqlite::types::ValueRef;
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        let mut tables = vec![];
        {
            let mut stmt = self.conn.prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let name: String = row.get(0)?;
                let sql: Option<String> = row.get(1)?;
                hash.update(format!("{name}\0{}\0", sql.unwrap_or_default()));
                tables.push(name);
            }
        }
        for table in tables {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))?;
            let n = stmt.column_count();
            let skipped: Vec<bool> = (0..n)
                .map(|i| {
                    table == "sync_state"
                        && matches!(stmt.column_name(i), Ok("home") | Ok("origin"))
                })
                .collect();
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                for i in (0..n).filter(|&i| !skipped[i]) {
                    match row.get_ref(i)? {
                        ValueRef::Null => hash.update(b"N"),
                        ValueRef::Integer(v) => hash.update(format!("I{v}")),
                        ValueRef::Real(v) => hash.update(format!("R{v}")),
                        ValueRef::Text(t) => {
                            hash.update(format!("T{}:", t.len()));
                            hash.update(t);
                        }
                        ValueRef::Blob(b) => {
                            hash.update(format!("B{}:", b.len()));
                            hash.update(b);
                        }
                    }
                }
                hash.update(b"\n");
            }
        }
        Ok(hex::encode(hash.finalize().as_slice()))
    }

    pub(crate) fn station_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM station", [], |r| r.get(0))?)
    }
}

/// SQLite's own word that the file is damaged (`SQLITE_CORRUPT`, or not a
/// database at all), wherever in the store's error it sits.
fn damage_in(e: &StoreError) -> Option<String> {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase, OutOfMemory};
    let sqlite = match e {
        StoreError::Sqlite(e) | StoreError::Open { source: e, .. } => e,
        StoreError::Migrate(rusqlite_migration::Error::RusqliteError { err, .. }) => err,
        _ => return None,
    };
    match sqlite.sqlite_error_code() {
        Some(DatabaseCorrupt | NotADatabase) => Some(format!("SQLite: {sqlite}")),
        // SQLCipher answers a page that fails its authentication check with
        // a zeroed page the first time and "out of memory" on every read
        // after (its pager takes a failed decryption for a failed
        // allocation). SQLite itself does not run out of memory here: Rust
        // aborts the process before that.
        Some(OutOfMemory) => Some(
            "SQLCipher: a page failed its authentication check (it was altered or damaged)".into(),
        ),
        _ => None,
    }
}

impl StoreError {
    /// SQLite's "malformed" or "not a database" met while reading `path`
    /// becomes [`StoreError::Damaged`], with the plain advice; any other
    /// error stays as it is.
    pub fn as_damage(self, path: &Path) -> StoreError {
        match damage_in(&self) {
            Some(detail) => StoreError::Damaged {
                path: path.display().to_string(),
                detail,
            },
            None => self,
        }
    }
}

/// Inserts a demo data set, mapping its indexes to the new row ids.
pub(crate) fn insert_demo(tx: &Transaction, demo: &crate::demo::Demo) -> Result<()> {
    // Not row by row in the audit log: `load_demo` writes one entry.
    audit::set_quiet(tx, true)?;
    let mut station_ids = Vec::with_capacity(demo.stations.len());
    for s in &demo.stations {
        station_ids.push(stations::insert_station(tx, s)?.id);
    }
    let mut staff_ids = Vec::with_capacity(demo.staff.len());
    for p in &demo.staff {
        let mut record = p.clone();
        record.station_id = station_ids[p.station_id as usize];
        staff_ids.push(staff::insert_staff(tx, &record)?.id);
    }
    for &(boss, worker, from, to) in &demo.links {
        supervision::insert_link(tx, staff_ids[boss], staff_ids[worker], from, to)?;
    }
    for c in &demo.cases {
        let mut case = c.case.clone();
        case.station_id = station_ids[case.station_id as usize];
        case.owner_id = staff_ids[case.owner_id as usize];
        let id = cases::insert_case(tx, &case, case.opened_on)?;
        cases::write_identity(tx, id, &c.identity)?;
        for consent in &c.consents {
            cases::insert_consent(tx, id, consent)?;
        }
        for contact in &c.contacts {
            let mut contact = contact.clone();
            contact.staff_id = staff_ids[contact.staff_id as usize];
            cases::insert_contact(tx, id, &contact)?;
        }
    }
    for g in &demo.groups {
        let mut group = g.group.clone();
        group.station_id = station_ids[group.station_id as usize];
        group.leader_id = staff_ids[group.leader_id as usize];
        let id = cases::insert_group(tx, &group)?;
        for s in &g.sessions {
            cases::insert_group_session(tx, id, s)?;
        }
    }
    let mut trainer_ids = Vec::with_capacity(demo.trainers.len());
    for (name, unit, expertise) in &demo.trainers {
        tx.execute(
            "INSERT INTO trainer (name, unit, expertise) VALUES (?1, ?2, ?3)",
            rusqlite::params![name, unit, expertise],
        )?;
        trainer_ids.push(tx.last_insert_rowid());
    }
    training::insert_demo_trainings(tx, demo, &station_ids, &staff_ids, &trainer_ids)?;
    for r in &demo.records {
        let mut content = r.content.clone();
        let id_of = |index: i64| staff_ids[index as usize];
        content.supervisor_id = id_of(content.supervisor_id);
        for s in &mut content.supervisees {
            s.0 = id_of(s.0);
        }
        for item in &mut content.action_items {
            item.owner_id = id_of(item.owner_id);
        }
        let written = content.date.and_hms_opt(18, 0, 0).unwrap_or_default();
        let id = records::insert_record(tx, &content, written)?;
        for &(who, at) in &r.signed {
            records::insert_signature(
                tx,
                id,
                staff_ids[who],
                staff_ids[who] == content.supervisor_id,
                at,
            )?;
        }
    }
    Ok(())
}

/// The default database file: the OS's per-user data directory.
/// A trigger as the schema keeps it.
pub(crate) struct Trigger {
    pub name: String,
    /// The table it is on.
    pub table: String,
    /// Its `CREATE TRIGGER` statement, word for word.
    pub sql: String,
}

impl Trigger {
    /// Its `WHEN` clause and everything before it (not the body).
    pub fn head(&self) -> &str {
        self.sql.find("BEGIN").map_or("", |end| &self.sql[..end])
    }
}

/// Runs `f` inside `tx` with the triggers `out` picks taken out, then puts
/// them back word for word, in the schema's order. DDL is transactional:
/// if `f` fails or the transaction is rolled back (a dry run, a crash), the
/// triggers are as they were. For bulk work where even a trigger whose
/// `WHEN` is false costs: SQLite runs that `WHEN` for every row written.
/// (SQLite does not define the order in which the triggers of one event
/// fire, and none of ours depends on it.)
pub(crate) fn without_triggers<T>(
    tx: &Transaction,
    out: impl Fn(&Trigger) -> bool,
    f: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let saved: Vec<Trigger> = {
        let mut stmt = tx.prepare(
            "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Trigger {
                name: r.get(0)?,
                table: r.get(1)?,
                sql: r.get(2)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .filter(|t| out(t))
            .collect()
    };
    for t in &saved {
        tx.execute_batch(&format!("DROP TRIGGER \"{}\";", t.name))?;
    }
    let value = f()?;
    for t in &saved {
        tx.execute_batch(&t.sql)?;
    }
    Ok(value)
}

pub fn default_db_path() -> PathBuf {
    directories::ProjectDirs::from("cn", "StationDesk", "StationDesk")
        .map(|d| d.data_dir().join("stationdesk.sqlite3"))
        .unwrap_or_else(|| PathBuf::from("stationdesk.sqlite3"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().expect("migrations validate");
    }
}
