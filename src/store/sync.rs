//! The store's side of sync: read the changed rows into a bundle, gather
//! the local copies of a bundle's rows, apply a merge plan in one
//! transaction, and keep the review queue.

use std::collections::{BTreeMap, BTreeSet};

use foldhash::HashSet;
use std::path::Path;

use chrono::NaiveDateTime;
use rusqlite::types::{ToSqlOutput, Value as Sql, ValueRef};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::Value;

use super::{Result, Store, StoreError};
use crate::sync::bundle::{
    Bundle, Dot, FieldVersions, Manifest, Packer, Row, Section, VersionVector, FORMAT,
};
use crate::sync::plan::{self, Conflict, LocalState, Op, Plan, Summary};
use crate::sync::spec::{self, Table, TABLES};
use crate::sync::SyncError;

/// Every synchronised row by uid: table, deleted, values.
pub type Snapshot = BTreeMap<String, (String, bool, Vec<Value>)>;

/// How many rows between two progress reports.
const PROGRESS_EVERY: u64 = 20_000;

/// From how many rows an export reads referenced uids whole, table by table.
const PRELOAD_FROM: u64 = 20_000;

/// This laptop's sync identity and counters.
#[derive(Debug, Clone, Serialize)]
pub struct SyncStatus {
    pub origin: String,
    pub seq: i64,
    pub open_conflicts: i64,
    pub peers: Vec<PeerView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerView {
    pub peer: String,
    pub exported_seq: i64,
    pub exported_at: String,
    /// Changes made here since the last bundle for this peer.
    pub pending: i64,
}

/// One entry of the review queue.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictView {
    pub id: i64,
    pub table: String,
    pub row_uid: String,
    pub field: String,
    pub kind: String,
    pub sensitive: bool,
    /// The value that stands now (JSON object of the field's columns;
    /// `null` when the row is deleted), and the laptop it came from.
    pub winner_value: String,
    pub loser_value: String,
    pub winner_origin: String,
    pub loser_origin: String,
    /// When the losing value was written (local time).
    pub detected_at: String,
    pub status: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    /// A line a person recognises the row by (a case code, a name, a date).
    pub label: String,
}

/// The result of an import: what the plan found, applied or not.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub origin: String,
    pub rows: u64,
    pub summary: Summary,
    pub applied: bool,
}

/// The side of a conflict a person keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Winner,
    Loser,
}

fn to_json(v: ValueRef) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(_) => return Err(inconsistent("a synchronised column holds binary data")),
    })
}

/// A bundle's value for SQL. Text is lent, not copied: a merge writes
/// millions of values, each once.
fn to_sql<'v>(v: &'v Value, table: &str, col: &str, uid: &str) -> Result<ToSqlOutput<'v>> {
    Ok(match v {
        Value::Null => ToSqlOutput::Owned(Sql::Null),
        Value::Bool(b) => ToSqlOutput::Owned(Sql::Integer(*b as i64)),
        Value::Number(n) => ToSqlOutput::Owned(match n.as_i64() {
            Some(i) => Sql::Integer(i),
            None => Sql::Real(n.as_f64().unwrap_or(0.0)),
        }),
        Value::String(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        _ => {
            return Err(SyncError::Refused {
                table: spec_name(table),
                uid: uid.to_string(),
                reason: format!("column {col} holds a list or object"),
            }
            .into())
        }
    })
}

fn parse_vv(text: &str) -> VersionVector {
    serde_json::from_str(text).unwrap_or_default()
}

fn vv_text(vv: &VersionVector) -> String {
    serde_json::to_string(vv).unwrap_or_else(|_| "{}".into())
}

/// Maps local ids to uids of referenced rows, filled on demand (or read
/// whole per table for a large export).
struct UidOf<'a> {
    tx: &'a rusqlite::Connection,
    cache: foldhash::HashMap<&'static str, foldhash::HashMap<i64, String>>,
}

impl<'a> UidOf<'a> {
    fn new(tx: &'a rusqlite::Connection) -> Self {
        UidOf {
            tx,
            cache: Default::default(),
        }
    }

    /// Reads every uid of `table` in one pass.
    fn preload(&mut self, table: &'static str) -> Result<()> {
        let map = self.cache.entry(table).or_default();
        let mut stmt = self
            .tx
            .prepare("SELECT rid, uid FROM sync_row WHERE tbl = ?1 AND rid IS NOT NULL")?;
        let mut rows = stmt.query([table])?;
        while let Some(r) = rows.next()? {
            map.insert(r.get(0)?, r.get(1)?);
        }
        Ok(())
    }

    fn get(&mut self, table: &'static str, rid: i64) -> Result<Value> {
        let map = self.cache.entry(table).or_default();
        if let Some(u) = map.get(&rid) {
            return Ok(Value::String(u.clone()));
        }
        let uid: Option<String> = self
            .tx
            .prepare_cached("SELECT uid FROM sync_row WHERE tbl = ?1 AND rid = ?2")?
            .query_row(params![table, rid], |r| r.get(0))
            .optional()?;
        let uid = uid.ok_or_else(|| inconsistent(format!("{table} {rid} has no sync identity")))?;
        map.insert(rid, uid.clone());
        Ok(Value::String(uid))
    }
}

fn select_cols(t: &Table) -> String {
    t.cols
        .iter()
        .map(|c| format!("t.{}", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads the values of a live row (foreign keys as uids).
fn values_of(
    conn: &rusqlite::Connection,
    t: &Table,
    rid: i64,
    uids: &mut UidOf,
) -> Result<Vec<Value>> {
    let sql = format!(
        "SELECT {} FROM {} t WHERE t.rowid = ?1",
        select_cols(t),
        t.name
    );
    let raw: Vec<Value> = conn.prepare_cached(&sql)?.query_row([rid], |r| {
        (0..t.cols.len())
            .map(|i| {
                to_json(r.get_ref(i)?)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            })
            .collect::<rusqlite::Result<Vec<Value>>>()
    })?;
    fk_to_uids(t, raw, uids)
}

fn fk_to_uids(t: &Table, mut values: Vec<Value>, uids: &mut UidOf) -> Result<Vec<Value>> {
    for (i, c) in t.cols.iter().enumerate() {
        if let (Some(refs), Some(id)) = (c.refs, values[i].as_i64()) {
            values[i] = uids.get(spec_name(refs), id)?;
        }
    }
    Ok(values)
}

/// A field's version as an export reads it, with its row's place.
struct FieldAt {
    seq: i64,
    uid: String,
    field: String,
    dot: Dot,
}

/// The next field version of an export, in (change number, uid) order.
fn next_field(rows: &mut rusqlite::Rows) -> Result<Option<FieldAt>> {
    Ok(match rows.next()? {
        Some(r) => Some(FieldAt {
            seq: r.get(0)?,
            uid: r.get(1)?,
            field: r.get(2)?,
            dot: Dot(r.get(3)?, r.get(4)?),
        }),
        None => None,
    })
}

fn spec_name(name: &str) -> &'static str {
    spec::table(name).map(|t| t.name).unwrap_or("")
}

/// Local record ids that carry a signature.
fn signed_records(conn: &rusqlite::Connection) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare("SELECT DISTINCT record_id FROM record_signature")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

fn dots_of(conn: &rusqlite::Connection, uid: &str) -> Result<FieldVersions> {
    let mut stmt =
        conn.prepare_cached("SELECT field, hlc, origin FROM sync_field WHERE uid = ?1")?;
    let dots = stmt
        .query_map([uid], |r| {
            Ok((r.get::<_, String>(0)?, Dot(r.get(1)?, r.get(2)?)))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(dots)
}

impl Store {
    /// This laptop's origin, change counter, queue size and peers.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let (origin, seq): (String, i64) =
            self.conn
                .query_row("SELECT origin, seq FROM sync_state", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        let open_conflicts = self.conn.query_row(
            "SELECT count(*) FROM sync_conflict WHERE status = 'open'",
            [],
            |r| r.get(0),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT p.peer, p.exported_seq, p.exported_at,
                    (SELECT count(*) FROM sync_row r WHERE r.seq > p.exported_seq)
             FROM sync_peer p ORDER BY p.peer",
        )?;
        let peers = stmt
            .query_map([], |r| {
                Ok(PeerView {
                    peer: r.get(0)?,
                    exported_seq: r.get(1)?,
                    exported_at: r.get(2)?,
                    pending: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(SyncStatus {
            origin,
            seq,
            open_conflicts,
            peers,
        })
    }

    /// The changed rows as a bundle: everything (`peer` None), or what
    /// changed here since the last bundle for `peer`. Nothing is marked as
    /// sent: call `mark_exported` once the file is safely written.
    /// `progress(done, total)` is called as tables are read.
    pub fn export_bundle(
        &self,
        peer: Option<&str>,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Bundle> {
        let mut sections: Vec<Section> = Vec::new();
        let manifest = self.read_changed(peer, now, progress, &mut |t, row| {
            match sections.last_mut() {
                Some(s) if s.table == t.name => s.rows.push(row),
                _ => sections.push(Section {
                    table: t.name.to_string(),
                    columns: t.cols.iter().map(|c| c.name.to_string()).collect(),
                    rows: vec![row],
                }),
            }
            Ok(())
        })?;
        Ok(Bundle { manifest, sections })
    }

    /// `export_bundle` as the file's bytes, written row by row as they are
    /// read (`Packer`): only the compressed bundle is ever held.
    pub fn export_bytes(
        &self,
        peer: Option<&str>,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(Manifest, Vec<u8>)> {
        let mut packer = Packer::new(3).map_err(SyncError::from)?;
        let manifest = self.read_changed(peer, now, progress, &mut |t, row| {
            Ok(packer.row(t, &row).map_err(SyncError::from)?)
        })?;
        let bytes = packer.finish(&manifest).map_err(SyncError::from)?;
        Ok((manifest, bytes))
    }

    /// Reads the changed rows (see `export_bundle`), table by table in
    /// `TABLES` order and by change number within a table, handing each
    /// to `each`; returns the bundle's manifest.
    fn read_changed(
        &self,
        peer: Option<&str>,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
        each: &mut dyn FnMut(&'static Table, Row) -> Result<()>,
    ) -> Result<Manifest> {
        let conn = &self.conn;
        let tx = conn.unchecked_transaction()?;
        let (origin, upto): (String, i64) =
            tx.query_row("SELECT origin, seq FROM sync_state", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let since: i64 = match peer {
            Some(p) => tx
                .query_row(
                    "SELECT exported_seq FROM sync_peer WHERE peer = ?1",
                    [p],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0),
            None => 0,
        };
        // Counted table by table, each a range of the (tbl, seq) index.
        let mut total = 0u64;
        for t in TABLES {
            let n: i64 = tx
                .prepare_cached("SELECT count(*) FROM sync_row WHERE tbl = ?1 AND seq > ?2")?
                .query_row(params![t.name, since], |r| r.get(0))?;
            total += n as u64;
        }
        let signed = signed_records(&tx)?;
        let mut uids = UidOf::new(&tx);
        // A large export reads the referenced tables' uids in one pass each;
        // a small one looks up the few it meets.
        if total > PRELOAD_FROM {
            for t in TABLES {
                if TABLES
                    .iter()
                    .any(|o| o.cols.iter().any(|c| c.refs == Some(t.name)))
                {
                    uids.preload(t.name)?;
                }
            }
        }
        let mut counts = BTreeMap::new();
        let mut tombstones = 0;
        let mut max_hlc = 0;
        let mut done = 0u64;
        progress(0, total);
        for t in TABLES {
            // The edited fields' versions, in the same order as the rows
            // (change number, then uid: the index's order), read side by
            // side with them.
            let mut dot_stmt = tx.prepare(
                "SELECT r.seq, r.uid, f.field, f.hlc, f.origin FROM sync_row r
                 JOIN sync_field f ON f.uid = r.uid
                 WHERE r.tbl = ?1 AND r.seq > ?2 ORDER BY r.seq, r.uid",
            )?;
            let mut dot_rows = dot_stmt.query(params![t.name, since])?;
            let mut next_dot = next_field(&mut dot_rows)?;
            let sql = format!(
                "SELECT r.uid, r.origin, r.created, r.hlc, r.deleted, r.vv, r.rid, r.seq, {}
                 FROM sync_row r LEFT JOIN {} t ON t.rowid = r.rid
                 WHERE r.tbl = ?1 AND r.seq > ?2 ORDER BY r.seq, r.uid",
                select_cols(t),
                t.name
            );
            let mut stmt = tx.prepare(&sql)?;
            let mut rows = stmt.query(params![t.name, since])?;
            let mut n = 0u64;
            while let Some(r) = rows.next()? {
                let uid: String = r.get(0)?;
                let deleted: bool = r.get(4)?;
                let rid: Option<i64> = r.get(6)?;
                let mut values = Vec::new();
                if !deleted {
                    for i in 0..t.cols.len() {
                        values.push(to_json(r.get_ref(8 + i)?)?);
                    }
                }
                let locked = !deleted
                    && match t.name {
                        "supervision_record" => rid.is_some_and(|id| signed.contains(&id)),
                        _ if !t.locked.is_empty() => t
                            .col_index("record_id")
                            .and_then(|i| values[i].as_i64())
                            .is_some_and(|id| signed.contains(&id)),
                        _ => false,
                    };
                if !deleted {
                    values = fk_to_uids(t, values, &mut uids)?;
                }
                let hlc: i64 = r.get(3)?;
                max_hlc = max_hlc.max(hlc);
                if deleted {
                    tombstones += 1;
                }
                let at = (r.get::<_, i64>(7)?, uid.as_str());
                let mut dots = FieldVersions::new();
                while let Some(d) = next_dot.take() {
                    match (d.seq, d.uid.as_str()).cmp(&at) {
                        std::cmp::Ordering::Greater => {
                            next_dot = Some(d);
                            break;
                        }
                        std::cmp::Ordering::Equal => {
                            dots.insert(d.field, d.dot);
                        }
                        std::cmp::Ordering::Less => {}
                    }
                    next_dot = next_field(&mut dot_rows)?;
                }
                n += 1;
                each(
                    t,
                    Row {
                        dots,
                        uid,
                        origin: r.get(1)?,
                        created: r.get(2)?,
                        hlc,
                        deleted,
                        locked,
                        vv: parse_vv(&r.get::<_, String>(5)?),
                        values,
                    },
                )?;
                done += 1;
                if done % 50_000 == 0 {
                    progress(done, total);
                }
            }
            if n > 0 {
                counts.insert(t.name.to_string(), n);
            }
        }
        progress(total, total);
        drop(uids);
        tx.finish()?;
        Ok(Manifest {
            format: FORMAT,
            schema: spec::ROWS_SCHEMA,
            origin,
            created_at: now.format("%Y-%m-%d %H:%M:%S").to_string(),
            peer: peer.map(str::to_string),
            since_seq: since,
            upto_seq: upto,
            max_hlc,
            counts,
            tombstones,
        })
    }

    /// Every synchronised row by uid: its table, whether it is deleted, and
    /// its values (foreign keys as uids). Two databases hold the same data
    /// exactly when their snapshots are equal.
    pub fn sync_snapshot(&self) -> Result<Snapshot> {
        let bundle = self.export_bundle(None, NaiveDateTime::default(), &mut |_, _| {})?;
        Ok(bundle
            .sections
            .into_iter()
            .flat_map(|s| {
                let table = s.table;
                s.rows
                    .into_iter()
                    .map(move |r| (r.uid, (table.clone(), r.deleted, r.values)))
            })
            .collect())
    }

    /// Records that `bundle` (written as `file`) reached its peer's hands:
    /// the next `--since-last` bundle for that peer starts after it.
    pub fn mark_exported(
        &mut self,
        bundle: &Manifest,
        file: &str,
        sha256: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        let at = now.format("%Y-%m-%d %H:%M:%S").to_string();
        let actor = self.actor.clone();
        self.with_tx(|tx| {
            super::audit::write_entry(
                tx,
                &actor,
                super::audit::AuditAction::Export,
                None,
                None,
                &[],
                &serde_json::json!({
                    "kind": "bundle",
                    "file": file,
                    "sha256": sha256,
                    "peer": bundle.peer,
                    "rows": bundle.rows(),
                    "tombstones": bundle.tombstones,
                    "since_seq": bundle.since_seq,
                    "upto_seq": bundle.upto_seq,
                }),
            )?;
            if let Some(peer) = &bundle.peer {
                tx.execute(
                    "INSERT INTO sync_peer (peer, exported_seq, exported_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (peer) DO UPDATE SET exported_seq = excluded.exported_seq,
                         exported_at = excluded.exported_at",
                    params![peer, bundle.upto_seq, at],
                )?;
            }
            tx.execute(
                "INSERT INTO sync_log (direction, peer, file, sha256, rows, summary, at)
                 VALUES ('export', ?1, ?2, ?3, ?4, '', ?5)",
                params![
                    bundle.peer.clone().unwrap_or_default(),
                    file,
                    sha256,
                    bundle.rows() as i64,
                    at
                ],
            )?;
            Ok(())
        })
    }

    /// Writes a bundle to `path` (a temporary file renamed into place, so
    /// a failed export leaves no half file) and marks it exported.
    pub fn export_to(
        &mut self,
        path: &Path,
        peer: Option<&str>,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Manifest> {
        let (manifest, bytes) = self.export_bytes(peer, now, progress)?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let io = |e: std::io::Error| SyncError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        crate::files::write_atomically(path, &bytes).map_err(io)?;
        self.mark_exported(&manifest, &path.display().to_string(), &sha, now)?;
        Ok(manifest)
    }

    /// Merges a bundle: gather the local copies, plan (pure), apply, all in
    /// one IMMEDIATE transaction. With `dry_run` it is rolled back and the
    /// report says what would happen.
    pub fn import_bundle(
        &mut self,
        bundle: &Bundle,
        file: &str,
        dry_run: bool,
        now: NaiveDateTime,
    ) -> Result<ImportReport> {
        self.import_with_progress(bundle, file, dry_run, now, &mut |_, _| {})
    }

    /// `import_bundle`, calling `progress(done, total)` as it reads this
    /// database's copies (the first half) and writes (the second).
    pub fn import_with_progress(
        &mut self,
        bundle: &Bundle,
        file: &str,
        dry_run: bool,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ImportReport> {
        self.import_file(bundle, file, "", dry_run, now, progress)
    }

    /// `import_with_progress` for a bundle read from a file whose SHA-256
    /// (hex) is known: the sync log and the audit log keep it.
    pub fn import_file(
        &mut self,
        bundle: &Bundle,
        file: &str,
        sha256: &str,
        dry_run: bool,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ImportReport> {
        if !dry_run {
            // The data as it was, should the merge turn out unwanted.
            self.backup(super::backup::Reason::Import, now, &mut |_, _| {})?;
        }
        // A big page cache while merging, as when loading demo data.
        self.set_cache_mib(256)?;
        let direct = !dry_run && self.journal_direct()?;
        let result = self.import_inner(bundle, file, sha256, dry_run, now, progress);
        if direct {
            // Should another connection hold the file just now, this one
            // stays on the rollback journal: slower to read beside others,
            // never wrong. The merge has its answer either way.
            let _ = self.conn.pragma_update(None, "journal_mode", "WAL");
        }
        self.set_cache_mib(self.resting_cache_mib())?;
        result
    }

    /// Switches this connection to a rollback journal for one merge, when
    /// no other connection has the file open: pages are then written once,
    /// into the file, instead of into the WAL and again at the checkpoint
    /// (a million-row merge wrote a 1.3 GB WAL). Atomicity is the same: a
    /// merge killed half way leaves a hot journal that the next opening
    /// rolls back. Answers whether it switched.
    fn journal_direct(&mut self) -> Result<bool> {
        // Without waiting: while another connection has the file open,
        // SQLite refuses the switch as "locked", and the merge keeps WAL.
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let switched: rusqlite::Result<String> =
            self.conn
                .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0));
        self.conn.busy_timeout(super::BUSY_TIMEOUT)?;
        match switched {
            Ok(mode) => Ok(mode.eq_ignore_ascii_case("delete")),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    fn import_inner(
        &mut self,
        bundle: &Bundle,
        file: &str,
        sha256: &str,
        dry_run: bool,
        now: NaiveDateTime,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ImportReport> {
        let rows = bundle.manifest.rows();
        let origin = bundle.manifest.origin.clone();
        let tx = super::audit::begin(&mut self.conn, &self.actor)?;
        let total = 2 * rows;
        progress(0, total);
        let local = gather(&tx, &bundle.sections, &mut |done| progress(done, total))?;
        let plan = plan::plan(&bundle.sections, &local);
        let summary = plan.summary.clone();
        // A dry run applies too, then rolls back: what the database itself
        // would refuse (a constraint, a missing parent) shows in the preview.
        let inserted = apply(&tx, &plan, bundle.max_version(), &mut |done| {
            progress(rows + done.min(rows), total)
        })?;
        // A purge met by this bundle (an identity's or consent's
        // tombstone): its values leave this laptop's review queue too.
        super::retention::purge_personal_queue(&tx)?;
        // Signatures and amendments made elsewhere join this laptop's
        // chains in the same transaction.
        super::seal::seal_imported(
            &tx,
            &inserted.signatures,
            &inserted.amendments,
            &super::seal::seal_time(now),
        )?;
        progress(total, total);
        if dry_run {
            tx.rollback()?;
        } else {
            tx.execute(
                "INSERT INTO sync_log (direction, peer, file, sha256, rows, summary, at)
                 VALUES ('import', ?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    origin,
                    file,
                    sha256,
                    rows as i64,
                    serde_json::to_string(&summary).unwrap_or_default(),
                    now.format("%Y-%m-%d %H:%M:%S").to_string()
                ],
            )?;
            // One entry for the whole merge: the row triggers stay silent
            // while `applying` is set.
            super::audit::write_entry(
                &tx,
                &self.actor,
                super::audit::AuditAction::Import,
                None,
                None,
                &[],
                &serde_json::json!({
                    "kind": "bundle",
                    "origin": origin,
                    "file": file,
                    "sha256": sha256,
                    "rows": rows,
                    "new": summary.new,
                    "updated": summary.updated,
                    "deleted": summary.deleted,
                    "unchanged": summary.unchanged,
                    "conflicts": summary.conflicts,
                    "needs_decision": summary.needs_decision,
                }),
            )?;
            super::audit::commit(tx)?;
        }
        Ok(ImportReport {
            origin,
            rows,
            summary,
            applied: !dry_run,
        })
    }

    /// The review queue, open entries first.
    pub fn conflicts(&self, open_only: bool) -> Result<Vec<ConflictView>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, tbl, row_uid, field, kind, sensitive, loser_value, loser_origin,
                    lost_version, status, resolved_by, resolved_at
             FROM sync_conflict WHERE (?1 = 0 OR status = 'open')
             ORDER BY status <> 'open', sensitive DESC, id",
        )?;
        let mut out: Vec<ConflictView> = stmt
            .query_map([open_only], |r| {
                let lost: i64 = r.get(8)?;
                Ok(ConflictView {
                    id: r.get(0)?,
                    table: r.get(1)?,
                    row_uid: r.get(2)?,
                    field: r.get(3)?,
                    kind: r.get(4)?,
                    sensitive: r.get(5)?,
                    winner_value: String::new(),
                    loser_value: r.get(6)?,
                    winner_origin: String::new(),
                    loser_origin: r.get(7)?,
                    detected_at: version_time(lost),
                    status: r.get(9)?,
                    resolved_by: r.get(10)?,
                    resolved_at: r.get(11)?,
                    label: String::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        for c in &mut out {
            c.label = self.row_label(&c.table, &c.row_uid)?;
            c.winner_value = self.standing_value(&c.table, &c.row_uid, &c.field)?;
            c.winner_origin = self.conn.query_row(
                "SELECT coalesce((SELECT origin FROM sync_field WHERE uid = ?1 AND field = ?2),
                                     (SELECT origin FROM sync_row WHERE uid = ?1), '')",
                [&c.row_uid, &c.field],
                |r| r.get(0),
            )?;
        }
        Ok(out)
    }

    /// The value that stands now: a JSON object of the field's columns (the
    /// whole row for `*`), or `null` when the row is deleted.
    fn standing_value(&self, table: &str, uid: &str, field: &str) -> Result<String> {
        let Some(t) = spec::table(table) else {
            return Ok("null".into());
        };
        let Some(rid) = local_rid(&self.conn, t.name, uid)? else {
            return Ok("null".into());
        };
        let mut uids = UidOf::new(&self.conn);
        let values = values_of(&self.conn, t, rid, &mut uids)?;
        let mut m = serde_json::Map::new();
        for (i, c) in t.cols.iter().enumerate() {
            if field == "*" || t.field_of(c.name) == field {
                m.insert(c.name.to_string(), values[i].clone());
            }
        }
        Ok(Value::Object(m).to_string())
    }

    fn row_label(&self, table: &str, uid: &str) -> Result<String> {
        let rid: Option<i64> = self
            .conn
            .query_row("SELECT rid FROM sync_row WHERE uid = ?1", [uid], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        let Some(rid) = rid else {
            return Ok(String::new());
        };
        let sql = match table {
            "station" => "SELECT name FROM station WHERE id = ?1",
            "staff" => "SELECT name FROM staff WHERE id = ?1",
            "client_case" => "SELECT code FROM client_case WHERE id = ?1",
            "case_identity" | "case_consent" | "case_contact" => {
                "SELECT code FROM client_case WHERE id = (SELECT case_id FROM case_identity WHERE rowid = ?1)"
            }
            "supervision_record" => {
                "SELECT date || ' ' || (SELECT name FROM staff WHERE id = supervisor_id) FROM supervision_record WHERE id = ?1"
            }
            "training" => "SELECT date || ' ' || title FROM training WHERE id = ?1",
            _ => return Ok(String::new()),
        };
        let sql = match table {
            "case_consent" => "SELECT code FROM client_case WHERE id = (SELECT case_id FROM case_consent WHERE id = ?1)",
            "case_contact" => "SELECT code FROM client_case WHERE id = (SELECT case_id FROM case_contact WHERE id = ?1)",
            _ => sql,
        };
        Ok(self
            .conn
            .query_row(sql, [rid], |r| r.get::<_, Option<String>>(0))
            .optional()?
            .flatten()
            .unwrap_or_default())
    }

    /// Settles a queue entry: keep the value that won (nothing changes but
    /// the entry), or the one that lost (written as a new local edit, which
    /// every laptop then takes as made knowing both). A signed record's or
    /// a deleted row's entry can only be acknowledged: the signed copy and
    /// the deletion stand.
    pub fn resolve_conflict(
        &mut self,
        id: i64,
        keep: Keep,
        by: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        let by = by.trim();
        if by.is_empty() {
            return Err(crate::model::Invalid::one("by", crate::model::Code::Required).into());
        }
        let at = now.format("%Y-%m-%d %H:%M:%S").to_string();
        self.with_tx(|tx| {
            let (tbl, row_uid, kind, loser, status): (String, String, String, String, String) = tx
                .query_row(
                    "SELECT tbl, row_uid, kind, loser_value, status FROM sync_conflict WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?
                .ok_or(StoreError::NotFound { what: "conflict", id })?;
            if status != "open" {
                return Err(SyncError::Settled { id }.into());
            }
            if keep == Keep::Loser {
                if kind != "field" {
                    return Err(SyncError::StandingOnly { id }.into());
                }
                let t = spec::table(&tbl)
                    .ok_or_else(|| inconsistent(format!("unknown table {tbl}")))?;
                let rid: Option<i64> = tx
                    .query_row("SELECT rid FROM sync_row WHERE uid = ?1", [&row_uid], |r| r.get(0))
                    .optional()?
                    .flatten();
                let rid = rid.ok_or(SyncError::RowGone { id })?;
                let values: serde_json::Map<String, Value> = serde_json::from_str(&loser)
                    .map_err(|e| inconsistent(format!("conflict {id}: {e}")))?;
                let mut sets = Vec::new();
                let mut args = Vec::new();
                for (col, v) in &values {
                    let c = t
                        .cols
                        .iter()
                        .find(|c| c.name == col)
                        .ok_or_else(|| inconsistent(format!("conflict {id}: unknown column {col}")))?;
                    let value = match (c.refs, v.as_str()) {
                        (Some(refs), Some(u)) => local_rid(tx, refs, u)?
                            .map(|r| ToSqlOutput::Owned(Sql::Integer(r)))
                            .ok_or(SyncError::RowGone { id })?,
                        _ => to_sql(v, t.name, col, &row_uid)?,
                    };
                    sets.push(format!("{col} = ?{}", args.len() + 1));
                    args.push(value);
                }
                args.push(ToSqlOutput::Owned(Sql::Integer(rid)));
                let sql = format!("UPDATE {} SET {} WHERE rowid = ?{}", t.name, sets.join(", "), args.len());
                tx.execute(&sql, rusqlite::params_from_iter(args))?;
            }
            tx.execute(
                "UPDATE sync_conflict SET status = ?2, resolved_by = ?3, resolved_at = ?4 WHERE id = ?1",
                params![
                    id,
                    if keep == Keep::Winner { "kept_winner" } else { "kept_loser" },
                    by,
                    at
                ],
            )?;
            Ok(())
        })
    }
}

/// Gives a database opened somewhere other than where it was last opened
/// (copied to another laptop or folder, or put in place from a backup) a
/// new sync identity (migration 0011). Two copies writing as one origin
/// would each take the other's edits for ones already seen: a same-field
/// edit would be lost with no entry in the review queue. A new identity
/// costs nothing: the rows keep the versions they had. The first open
/// after the migration records where the file is and keeps its identity.
pub(super) fn settle_identity(conn: &rusqlite::Connection, path: &str) -> Result<()> {
    let Some(home) = home_of(std::path::Path::new(path)) else {
        return Ok(());
    };
    let recorded: Option<String> =
        conn.query_row("SELECT home FROM sync_state", [], |r| r.get(0))?;
    match recorded {
        Some(h) if h == home => {}
        None => {
            conn.execute("UPDATE sync_state SET home = ?1", [&home])?;
        }
        Some(_) => {
            conn.execute(
                "UPDATE sync_state SET home = ?1, origin = lower(hex(randomblob(8)))",
                [&home],
            )?;
        }
    }
    Ok(())
}

/// A digest of where a database file lives: the machine, the file's full
/// path and (on Unix) its device and inode, which a copy never shares.
/// `None` for an in-memory store.
fn home_of(path: &std::path::Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let full = path.canonicalize().ok()?;
    let meta = std::fs::metadata(&full).ok()?;
    #[cfg(unix)]
    let on_disk = {
        use std::os::unix::fs::MetadataExt;
        format!("{}:{}", meta.dev(), meta.ino())
    };
    #[cfg(not(unix))]
    let on_disk = {
        let _ = meta;
        String::new()
    };
    let machine = std::fs::read_to_string("/etc/machine-id").unwrap_or_default();
    let text = format!("{}\n{}\n{on_disk}", machine.trim(), full.display());
    Some(hex::encode(Sha256::digest(text.as_bytes())))
}

/// The local rowid of a live row of `table` with this uid.
fn local_rid(tx: &rusqlite::Connection, table: &str, uid: &str) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT rid FROM sync_row WHERE uid = ?1 AND tbl = ?2")?
        .query_row([uid, table], |r| r.get::<_, Option<i64>>(0))
        .optional()?
        .flatten())
}

/// Reads this database's copies of the bundle's rows, in bundle shape.
fn gather(
    tx: &Transaction,
    sections: &[Section],
    progress: &mut dyn FnMut(u64),
) -> Result<LocalState> {
    let mut done = 0u64;
    let mut uids = UidOf::new(tx);
    let signed_ids = signed_records(tx)?;
    let mut state = LocalState::default();
    for &id in &signed_ids {
        if let Value::String(u) = uids.get("supervision_record", id)? {
            state.signed.insert(u);
        }
    }
    {
        let mut stmt = tx.prepare("SELECT uid FROM sync_row WHERE tbl = 'sync_conflict'")?;
        state.conflicts = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    // Sized once: growing a set of a million uids rehashes it twenty times.
    let total: usize = sections.iter().map(|s| s.rows.len()).sum();
    let mut in_bundle: HashSet<&str> = HashSet::with_capacity_and_hasher(total, Default::default());
    in_bundle.extend(
        sections
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| r.uid.as_str())),
    );
    let mut checked: HashSet<&str> = HashSet::default();
    for s in sections {
        let Some(t) = spec::table(&s.table) else {
            continue;
        };
        for inc in &s.rows {
            done += 1;
            if done % PROGRESS_EVERY == 0 {
                progress(done);
            }
            match read_local(tx, &mut uids, &state.signed, t, &inc.uid)? {
                Some(row) => {
                    if inc.deleted && !row.deleted {
                        descendants(tx, &mut uids, t, &row, &in_bundle, &mut state)?;
                    }
                    state.rows.insert(inc.uid.clone(), row);
                }
                None if !inc.deleted => {
                    // A new row whose parent is deleted here (and not in the
                    // bundle): the plan keeps it out and queues it.
                    for (c, v) in t.cols.iter().zip(&inc.values) {
                        let (Some(refs), Some(parent)) = (c.refs, v.as_str()) else {
                            continue;
                        };
                        if in_bundle.contains(parent) || !checked.insert(parent) {
                            continue;
                        }
                        let dead: Option<bool> = tx
                            .prepare_cached(
                                "SELECT deleted FROM sync_row WHERE uid = ?1 AND tbl = ?2",
                            )?
                            .query_row([parent, refs], |r| r.get(0))
                            .optional()?;
                        if dead == Some(true) {
                            state.dead.insert(parent.to_string());
                        }
                    }
                }
                None => {}
            }
        }
    }
    Ok(state)
}

/// This database's copy of a row, in bundle shape.
fn read_local(
    tx: &Transaction,
    uids: &mut UidOf,
    signed: &HashSet<String>,
    t: &'static Table,
    uid: &str,
) -> Result<Option<Row>> {
    let found = tx
        .prepare_cached(
            "SELECT origin, created, hlc, deleted, vv, rid, tbl FROM sync_row WHERE uid = ?1",
        )?
        .query_row([uid], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<i64>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })
        .optional()?;
    let Some((origin, created, hlc, deleted, vv, rid, tbl)) = found else {
        return Ok(None);
    };
    if tbl != t.name {
        return Err(SyncError::Refused {
            table: t.name,
            uid: uid.to_string(),
            reason: format!("this uid is a row of {tbl} here"),
        }
        .into());
    }
    let values = match rid {
        Some(rid) if !deleted => values_of(tx, t, rid, uids)?,
        _ => Vec::new(),
    };
    let record = match t.name {
        "supervision_record" => Some(uid),
        _ if !t.locked.is_empty() => t
            .col_index("record_id")
            .and_then(|i| values.get(i))
            .and_then(|v| v.as_str()),
        _ => None,
    };
    let locked = record.is_some_and(|r| signed.contains(r));
    Ok(Some(Row {
        uid: uid.to_string(),
        origin,
        created,
        hlc,
        deleted,
        locked,
        vv: parse_vv(&vv),
        dots: dots_of(tx, uid)?,
        values,
    }))
}

/// The live rows here that deleting `row` takes with it (its children, and
/// theirs), other than those the bundle itself carries.
fn descendants(
    tx: &Transaction,
    uids: &mut UidOf,
    t: &'static Table,
    row: &Row,
    in_bundle: &HashSet<&str>,
    state: &mut LocalState,
) -> Result<()> {
    let mut todo = vec![(t, row.uid.clone())];
    let mut found = Vec::new();
    while let Some((parent_table, parent_uid)) = todo.pop() {
        let Some(parent_rid) = local_rid(tx, parent_table.name, &parent_uid)? else {
            continue;
        };
        for child in TABLES {
            for c in child
                .cols
                .iter()
                .filter(|c| c.refs == Some(parent_table.name))
            {
                let sql = format!(
                    "SELECT r.uid FROM {} x JOIN sync_row r ON r.tbl = '{}' AND r.rid = x.rowid
                     WHERE x.{} = ?1",
                    child.name, child.name, c.name
                );
                let kids: Vec<String> = tx
                    .prepare_cached(&sql)?
                    .query_map([parent_rid], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                for kid in kids {
                    if in_bundle.contains(kid.as_str()) {
                        continue;
                    }
                    if let Some(k) = read_local(tx, uids, &state.signed, child, &kid)? {
                        todo.push((child, kid));
                        found.push((child.name, k));
                    }
                }
            }
        }
    }
    state.children.insert(row.uid.clone(), found);
    Ok(())
}

/// The rowids of the signatures and amendments an import inserted, to seal.
#[derive(Debug, Default)]
struct Inserted {
    signatures: Vec<i64>,
    amendments: Vec<i64>,
}

/// Writes a plan. Runs inside the import's transaction with `applying`
/// set, so the triggers leave the versions to this code.
fn apply(
    tx: &Transaction,
    plan: &Plan<'_>,
    max_hlc: i64,
    progress: &mut dyn FnMut(u64),
) -> Result<Inserted> {
    let (_origin, mut clock, mut seq): (String, i64, i64) =
        tx.query_row("SELECT origin, clock, seq FROM sync_state", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    clock = clock.max(max_hlc);
    tx.execute("UPDATE sync_state SET applying = 1", [])?;
    // The triggers that do nothing while `applying` is set, and those kept
    // in `DERIVED`, are out while the plan is written.
    let inserted = super::without_triggers(tx, silent_while_applying, || {
        write_plan(tx, plan, &mut seq, progress)
    })?;
    tx.execute(
        "UPDATE sync_state SET applying = 0, clock = max(clock, ?1), seq = max(seq, ?2)",
        params![clock, seq],
    )?;
    Ok(inserted)
}

/// Writes the plan's rows and versions, the review queue's new entries and
/// the derived values the inserts touch (`DERIVED`). `seq` is the local
/// change counter, advanced once per row written.
fn write_plan(
    tx: &Transaction,
    plan: &Plan<'_>,
    seq: &mut i64,
    progress: &mut dyn FnMut(u64),
) -> Result<Inserted> {
    let mut inserted = Inserted::default();
    let mut done = 0u64;
    // The rows whose derived values the inserts touch (`DERIVED`).
    let mut to_settle: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); DERIVED.len()];
    let ops: usize = plan.tables.iter().map(|tp| tp.ops.len()).sum();
    let mut rids: foldhash::HashMap<&str, (&'static str, i64)> =
        foldhash::HashMap::with_capacity_and_hasher(ops, Default::default());
    let mut next_seq = || {
        *seq += 1;
        *seq
    };
    for tp in &plan.tables {
        let Some(t) = tp.table else { continue };
        let cols: Vec<&str> = t.cols.iter().map(|c| c.name).collect();
        let insert_sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            t.name,
            cols.join(", "),
            (1..=cols.len())
                .map(|i| format!("?{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut insert = tx.prepare(&insert_sql)?;
        for op in &tp.ops {
            done += 1;
            if done % PROGRESS_EVERY == 0 {
                progress(done);
            }
            let made = match op {
                Op::Insert(row) => Some((*row, true)),
                Op::Revive(row) => Some((row, false)),
                _ => None,
            };
            if let Some((row, fresh)) = made {
                let args = sql_values(tx, t, row, &mut rids)?;
                for (d, settle) in DERIVED.iter().zip(&mut to_settle) {
                    if d.1 == t.name {
                        if let Some(ToSqlOutput::Owned(Sql::Integer(id))) =
                            t.col_index(d.2).map(|i| &args[i])
                        {
                            settle.insert(*id);
                        }
                    }
                }
                insert
                    .execute(rusqlite::params_from_iter(args))
                    .map_err(|e| refused(t, row, e))?;
                let rid = tx.last_insert_rowid();
                match t.name {
                    "record_signature" => inserted.signatures.push(rid),
                    "record_amendment" => inserted.amendments.push(rid),
                    _ => {}
                }
                write_meta(tx, t, row, Some(rid), next_seq(), fresh)?;
                rids.insert(&row.uid, (t.name, rid));
                continue;
            }
            match op {
                Op::Insert(_) | Op::Revive(_) => {}
                Op::Tombstone(row) => write_meta(tx, t, row, None, next_seq(), true)?,
                Op::Update { row, cols } => {
                    let rid = local_rid(tx, t.name, &row.uid)?.ok_or_else(|| {
                        inconsistent(format!("row {} of {} vanished", row.uid, t.name))
                    })?;
                    let all = sql_values(tx, t, row, &mut rids)?;
                    let mut args: Vec<ToSqlOutput> = cols.iter().map(|&i| all[i].clone()).collect();
                    let sets: Vec<String> = cols
                        .iter()
                        .enumerate()
                        .map(|(n, &i)| format!("{} = ?{}", t.cols[i].name, n + 1))
                        .collect();
                    args.push(ToSqlOutput::Owned(Sql::Integer(rid)));
                    let sql = format!(
                        "UPDATE {} SET {} WHERE rowid = ?{}",
                        t.name,
                        sets.join(", "),
                        args.len()
                    );
                    tx.prepare_cached(&sql)?
                        .execute(rusqlite::params_from_iter(args))
                        .map_err(|e| refused(t, row, e))?;
                    write_meta(tx, t, row, Some(rid), next_seq(), false)?;
                }
                Op::Versions(row) => {
                    let rid = if row.deleted {
                        None
                    } else {
                        local_rid(tx, t.name, &row.uid)?
                    };
                    write_meta(tx, t, row, rid, next_seq(), false)?;
                }
                Op::Delete(_) => {}
            }
        }
    }
    // Deletions last, children before parents.
    for tp in plan.tables.iter().rev() {
        let Some(t) = tp.table else { continue };
        for op in &tp.ops {
            if let Op::Delete(row) = op {
                if let Some(rid) = local_rid(tx, t.name, &row.uid)? {
                    tx.prepare_cached(&format!("DELETE FROM {} WHERE rowid = ?1", t.name))?
                        .execute([rid])
                        .map_err(|e| refused(t, row, e))?;
                }
                write_meta(tx, t, row, None, next_seq(), false)?;
            }
        }
    }
    for c in &plan.conflicts {
        let s = next_seq();
        write_conflict(tx, c, s)?;
    }
    for (d, ids) in DERIVED.iter().zip(&to_settle) {
        let mut stmt = tx.prepare(d.3)?;
        for id in ids {
            stmt.execute([id])?;
        }
    }
    Ok(inserted)
}

/// Triggers that keep a derived value up to date row by row, suspended
/// with the silent ones for speed; the merge settles each value it touched
/// once at the end instead: (trigger, the table whose inserts it follows,
/// that table's column naming the row with the derived value, SQL that
/// settles one such row from scratch).
const DERIVED: &[(&str, &str, &str, &str)] = &[(
    "case_contact_added",
    "case_contact",
    "case_id",
    "UPDATE client_case SET last_contact_on =
         (SELECT max(date) FROM case_contact WHERE case_id = ?1)
     WHERE id = ?1",
)];

/// The triggers a merge takes out while it writes: those whose `WHEN` asks
/// that `sync_state.applying` be 0 (the sync stamps and the audit entries),
/// silent anyway but costing about a third of a large import, and those
/// in `DERIVED`.
fn silent_while_applying(t: &super::Trigger) -> bool {
    let head = t.head();
    head.contains(spec::NOT_APPLYING)
        || head.contains(super::audit::LOUD)
        || DERIVED.iter().any(|d| d.0 == t.name)
}

fn refused(t: &'static Table, row: &Row, e: rusqlite::Error) -> StoreError {
    if let Some(key) = taken_key(t, row, &e) {
        return SyncError::Taken {
            table: t.name,
            uid: row.uid.clone(),
            key,
        }
        .into();
    }
    SyncError::Refused {
        table: t.name,
        uid: row.uid.clone(),
        reason: e.to_string(),
    }
    .into()
}

/// When `e` is a unique key of `t` that the row's values clash on (SQLite
/// says "UNIQUE constraint failed: client_case.code"), those columns with
/// the row's values: `code = "QX-031"`.
fn taken_key(t: &Table, row: &Row, e: &rusqlite::Error) -> Option<String> {
    let rusqlite::Error::SqliteFailure(f, Some(message)) = e else {
        return None;
    };
    if f.extended_code != rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE {
        return None;
    }
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    let shown: Vec<String> = columns
        .split(", ")
        .map(|qualified| {
            let name = qualified.rsplit('.').next().unwrap_or(qualified);
            match t.col_index(name).and_then(|i| row.values.get(i)) {
                Some(v) => format!("{name} = {v}"),
                None => name.to_owned(),
            }
        })
        .collect();
    Some(shown.join(", "))
}

/// A row's values for SQL, foreign keys turned back into local ids
/// (`rids`: the ids of uids met so far), text lent from the row.
fn sql_values<'p>(
    tx: &Transaction,
    t: &'static Table,
    row: &'p Row,
    rids: &mut foldhash::HashMap<&'p str, (&'static str, i64)>,
) -> Result<Vec<ToSqlOutput<'p>>> {
    let mut out = Vec::with_capacity(t.cols.len());
    for (c, v) in t.cols.iter().zip(&row.values) {
        let value = match (c.refs, v) {
            (Some(refs), Value::String(u)) => {
                let refs = spec_name(refs);
                let rid = match rids.get(u.as_str()) {
                    Some(&(table, r)) => (table == refs).then_some(r),
                    None => {
                        let r = local_rid(tx, refs, u)?;
                        if let Some(r) = r {
                            rids.insert(u, (refs, r));
                        }
                        r
                    }
                };
                ToSqlOutput::Owned(Sql::Integer(rid.ok_or_else(|| {
                    SyncError::MissingParent {
                        table: t.name,
                        uid: row.uid.clone(),
                        refs: spec_name(refs),
                        parent: u.clone(),
                    }
                })?))
            }
            (Some(_), Value::Null) => ToSqlOutput::Owned(Sql::Null),
            (Some(refs), other) => {
                return Err(SyncError::Refused {
                    table: t.name,
                    uid: row.uid.clone(),
                    reason: format!("{} should name a {refs} row, not {other}", c.name),
                }
                .into())
            }
            _ => to_sql(v, t.name, c.name, &row.uid)?,
        };
        out.push(value);
    }
    Ok(out)
}

/// Writes a row's versions. `fresh`: the uid is new here, so there is no
/// earlier bookkeeping to replace (the common case of a first import).
fn write_meta(
    tx: &Transaction,
    t: &Table,
    row: &Row,
    rid: Option<i64>,
    seq: i64,
    fresh: bool,
) -> Result<()> {
    let vv = vv_text(&row.vv);
    let args = params![
        row.uid,
        t.name,
        rid,
        row.origin,
        row.created,
        row.hlc,
        seq,
        row.deleted,
        vv
    ];
    if fresh {
        tx.prepare_cached(
            "INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(args)?;
    } else {
        tx.prepare_cached(
            "INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
                 created = excluded.created, hlc = excluded.hlc, seq = excluded.seq,
                 deleted = excluded.deleted, vv = excluded.vv",
        )?
        .execute(args)?;
        tx.prepare_cached("DELETE FROM sync_field WHERE uid = ?1")?
            .execute([&row.uid])?;
    }
    for (field, Dot(hlc, origin)) in &row.dots {
        tx.prepare_cached(
            "INSERT INTO sync_field (uid, field, hlc, origin) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![row.uid, field, hlc, origin])?;
    }
    Ok(())
}

/// Adds an entry to the queue. Its versions come from the losing version,
/// so the same loss met on another laptop is the same entry there.
fn write_conflict(tx: &Transaction, c: &Conflict, seq: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_conflict (tbl, row_uid, field, kind, sensitive, loser_value,
             loser_origin, lost_version, status)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open')",
    )?
    .execute(params![
        c.table,
        c.row_uid,
        c.field,
        c.kind.as_str(),
        c.sensitive,
        c.loser.to_string(),
        c.lost.1,
        c.lost.0
    ])?;
    let rid = tx.last_insert_rowid();
    let t = spec::table("sync_conflict").ok_or_else(|| inconsistent("no queue"))?;
    let Dot(hlc, origin) = c.lost.clone();
    let row = Row {
        uid: c.uid.clone(),
        vv: VersionVector::from_iter([(origin.clone(), hlc)]),
        origin,
        created: hlc,
        hlc,
        deleted: false,
        locked: false,
        dots: FieldVersions::new(),
        values: Vec::new(),
    };
    write_meta(tx, t, &row, Some(rid), seq, false)
}

/// A version's wall-clock part, as local time.
fn version_time(version: i64) -> String {
    chrono::DateTime::from_timestamp_millis(version >> 16)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_default()
}

fn inconsistent(message: impl Into<String>) -> StoreError {
    SyncError::Inconsistent(message.into()).into()
}
