//! Sync by files at county scale (issue 7): exporting a million changed
//! rows, importing a million rows into an empty store, and beside it the
//! physical limit: SQLite bulk-inserting the same rows into plain tables.
//! Run: `cargo bench --bench sync`.
//!
//! Targets (issue 7): export of 1,000,000 changed rows ≤ 5 s; import and
//! merge of the same ≤ 10 s and ≥ 50 % of the bulk-insert rate measured in
//! the same run; the bundle's size reported against the SQLite file's.
//!
//! How the rows are made:
//! - the county demo (~2.7 M synchronised rows) is stored once, then
//!   exported whole for a peer `county` (`export_to`), which sets that
//!   peer's watermark;
//! - 1,000,000 rows then get a changed note through plain SQL, so the sync
//!   triggers stamp them as a user's edits would (a field version each):
//!   every contact (`case_contact`, the county has just under a million)
//!   and client identities (`case_identity`) for the rest;
//! - `export`: the bundle of what changed since the watermark (exactly
//!   those rows), read and written into the file's bytes as the window
//!   and `stationdesk export` do (`export_bytes`);
//! - `import`: an empty store cannot take contacts without their cases and
//!   staff, so it imports those rows with their parents (stations, staff,
//!   cases: ~1.1 M rows, the counts are printed), decoded from bytes, into
//!   a copy of an empty migrated database file: every row is new;
//! - `bulk insert baseline`: the same decoded rows, the same columns and
//!   values (references turned into local ids), inserted with prepared
//!   statements in one transaction into plain tables without triggers,
//!   indexes or sync bookkeeping, in a database file with the store's
//!   connection settings;
//! - `schema floor`: what the store's own tables cost with no merge code.
//!   The rows an import wrote (and their `sync_row` and `sync_field`
//!   bookkeeping) are copied with `INSERT … SELECT` from the imported file
//!   into a copy of the empty store whose triggers are taken out, in one
//!   transaction with the merge's settings (foreign keys on, rollback
//!   journal, 256 MiB of cache): constraints, indexes and bookkeeping, and
//!   nothing else. The import can approach this, not the plain baseline.
//!
//! Each benchmark reports rows per second (criterion's throughput), so the
//! ratio import / baseline is read off the `thrpt` lines. A single timed
//! pass of each, with the peak memory it took, is printed first.

use std::collections::{HashMap, HashSet};

// The allocator the command line and the window use (`src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode, Throughput};
use rusqlite::types::Value as Sql;
use rusqlite::Connection;
use serde_json::Value;
use stationdesk::demo::{generate, Scale, DEFAULT_SEED};
use stationdesk::sync::bundle::{Bundle, Section};
use stationdesk::sync::spec;
use stationdesk::Store;

/// How many rows the export and import move.
const CHANGED: i64 = 1_000_000;

/// The peer whose watermark the export counts from.
const PEER: &str = "county";

/// The tables whose rows are changed for the export.
const CHANGED_TABLES: &[&str] = &["case_identity", "case_contact"];

/// The tables the import bundle keeps: the changed rows and every row they
/// refer to, directly or through their cases.
const IMPORTED: &[&str] = &[
    "station",
    "staff",
    "client_case",
    "case_identity",
    "case_contact",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 0, 0).unwrap_or_default()
}

/// The peak resident memory of this process so far (VmHWM).
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Starts a new peak (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn rate(rows: u64, took: Duration) -> String {
    format!("{:.0} rows/s", rows as f64 / took.as_secs_f64())
}

fn rows_of(bundle: &Bundle) -> u64 {
    bundle.sections.iter().map(|s| s.rows.len() as u64).sum()
}

fn checkpoint(path: &Path) {
    let conn = Connection::open(path).expect("open for checkpoint");
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .expect("checkpoint");
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).expect("file size").len()
}

/// Gives `CHANGED` rows a changed note through plain SQL, so that the sync
/// triggers stamp them as a user's edits would: contacts first (the county
/// has just under a million), then client identities for the rest.
/// Returns how many of each.
fn touch(path: &Path) -> (usize, usize) {
    let mut conn = Connection::open(path).expect("open for the edit");
    conn.pragma_update(None, "cache_size", -256 * 1024)
        .expect("cache");
    let tx = conn.transaction().expect("transaction");
    let contacts = tx
        .execute(
            "UPDATE case_contact SET note = note || '（已复核）'
             WHERE id IN (SELECT id FROM case_contact ORDER BY id LIMIT ?1)",
            [CHANGED],
        )
        .expect("touch contacts");
    let identities = tx
        .execute(
            "UPDATE case_identity SET health_notes = health_notes || '（已复核）'
             WHERE case_id IN (SELECT case_id FROM case_identity ORDER BY case_id LIMIT ?1)",
            [CHANGED - contacts as i64],
        )
        .expect("touch identities");
    tx.commit().expect("commit");
    (contacts, identities)
}

/// The changed rows with the stations, staff and cases they need: a
/// bundle an empty store can take. `all` is the whole database's bundle.
fn with_parents(all: Bundle, changed: &HashSet<String>) -> Bundle {
    let mut sections: Vec<Section> = all
        .sections
        .into_iter()
        .filter(|s| IMPORTED.contains(&s.table.as_str()))
        .collect();
    for s in &mut sections {
        if CHANGED_TABLES.contains(&s.table.as_str()) {
            s.rows.retain(|r| changed.contains(&r.uid));
        }
    }
    let mut manifest = all.manifest;
    manifest.counts = sections
        .iter()
        .filter(|s| !s.rows.is_empty())
        .map(|s| (s.table.clone(), s.rows.len() as u64))
        .collect();
    manifest.tombstones = 0;
    Bundle { manifest, sections }
}

/// An empty, migrated database file to copy for each import.
fn empty_store(dir: &Path) -> PathBuf {
    let path = dir.join("empty.sqlite3");
    drop(Store::open(&path).expect("empty store"));
    checkpoint(&path);
    path
}

/// A fresh copy of the empty store, opened.
fn fresh_store(empty: &Path) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("peer.sqlite3");
    std::fs::copy(empty, &path).expect("copy the empty store");
    let store = Store::open(&path).expect("open the copy");
    (dir, store)
}

fn import(bytes: &[u8], store: &mut Store) -> u64 {
    let bundle = Bundle::decode(bytes).expect("decode");
    let report = store
        .import_bundle(&bundle, "bench", false, now())
        .expect("import");
    report.summary.new
}

/// The baseline's values: each row's columns for SQL, references as the
/// local ids the referenced rows got (rowids in insertion order, as a
/// fresh table gives them).
fn plain_rows(bundle: &Bundle) -> Vec<(String, Vec<Vec<Sql>>)> {
    let mut rid: HashMap<&str, i64> = HashMap::new();
    let mut out = Vec::new();
    for s in &bundle.sections {
        let t = spec::table(&s.table).expect("a known table");
        let mut rows = Vec::with_capacity(s.rows.len());
        for (n, r) in s.rows.iter().enumerate() {
            rid.insert(&r.uid, n as i64 + 1);
            let values = t
                .cols
                .iter()
                .zip(&r.values)
                .map(|(c, v)| match (c.refs, v) {
                    (Some(_), Value::String(u)) => {
                        Sql::Integer(*rid.get(u.as_str()).expect("a parent"))
                    }
                    (_, Value::Null) => Sql::Null,
                    (_, Value::Bool(b)) => Sql::Integer(*b as i64),
                    (_, Value::Number(n)) => match n.as_i64() {
                        Some(i) => Sql::Integer(i),
                        None => Sql::Real(n.as_f64().unwrap_or_default()),
                    },
                    (_, Value::String(s)) => Sql::Text(s.clone()),
                    (_, other) => panic!("a list or object in {}: {other}", s.table),
                })
                .collect();
            rows.push(values);
        }
        out.push((s.table.clone(), rows));
    }
    out
}

/// The physical limit: `bundle`'s rows into plain tables of the same
/// columns, with prepared statements, in one transaction. The conversion
/// of values (references to ids) is counted too: any import must do it.
fn bulk_insert(path: &Path, bundle: &Bundle) -> u64 {
    let mut conn = Connection::open(path).expect("open the plain file");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("synchronous");
    let tx = conn.transaction().expect("transaction");
    let mut n = 0;
    for (table, rows) in plain_rows(bundle) {
        let t = spec::table(&table).expect("a known table");
        let cols: Vec<&str> = t.cols.iter().map(|c| c.name).collect();
        tx.execute_batch(&format!(
            "CREATE TABLE {table} (id INTEGER PRIMARY KEY, {})",
            cols.join(", ")
        ))
        .expect("create");
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let mut stmt = tx
            .prepare(&format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                cols.join(", "),
                marks.join(", ")
            ))
            .expect("prepare");
        for r in rows {
            stmt.execute(rusqlite::params_from_iter(r)).expect("insert");
            n += 1;
        }
    }
    tx.commit().expect("commit");
    n
}

/// A copy of the empty store for the schema floor, its triggers taken out
/// (the merge takes out the silent ones and does the rest in code).
fn floor_store(empty: &Path, dir: &Path) -> PathBuf {
    let path = dir.join("floor.sqlite3");
    std::fs::copy(empty, &path).expect("copy the empty store");
    let conn = Connection::open(&path).expect("open the floor's file");
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
        .expect("list triggers")
        .query_map([], |r| r.get(0))
        .expect("read triggers")
        .collect::<rusqlite::Result<_>>()
        .expect("trigger names");
    for name in triggers {
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\""))
            .expect("drop trigger");
    }
    path
}

/// The schema floor: the imported file's rows of `IMPORTED`, then their
/// `sync_row` and `sync_field` entries, copied into `path` (from
/// `floor_store`) in one transaction. Returns the rows of `IMPORTED`.
fn schema_floor(path: &Path, imported: &Path) -> u64 {
    let mut conn = Connection::open(path).expect("open the floor's file");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    conn.pragma_update(None, "journal_mode", "DELETE")
        .expect("rollback journal, as a merge");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("synchronous");
    conn.pragma_update(None, "temp_store", "MEMORY")
        .expect("temp store");
    conn.pragma_update(None, "cache_size", -256 * 1024)
        .expect("cache");
    conn.execute("ATTACH ?1 AS src", [imported.to_string_lossy()])
        .expect("attach the imported file");
    let tx = conn.transaction().expect("transaction");
    let mut n = 0;
    for table in IMPORTED.iter().chain(&["sync_row", "sync_field"]) {
        // `WHERE true`: without a WHERE, SQLite copies a table without
        // foreign keys into an empty one record by record (the transfer
        // optimisation), skipping its indexes' B-tree inserts; no merge
        // can do that.
        let copied = tx
            .execute(
                &format!("INSERT INTO main.{table} SELECT * FROM src.{table} WHERE true"),
                [],
            )
            .expect("copy a table");
        if IMPORTED.contains(table) {
            n += copied as u64;
        }
    }
    tx.commit().expect("commit");
    n
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("county.sqlite3");

    let started = Instant::now();
    let mut store = Store::open(&path).expect("open");
    store
        .load_demo(&generate(Scale::County, DEFAULT_SEED, today()))
        .expect("demo");
    eprintln!(
        "county demo generated and stored in {:?} (peak RSS {})",
        started.elapsed(),
        peak_rss()
    );
    drop(store);
    checkpoint(&path);
    let db_bytes = file_size(&path);

    // The whole county for the peer: sets its watermark.
    let mut store = Store::open(&path).expect("reopen");
    let whole = dir.path().join("whole.bundle");
    reset_peak();
    let started = Instant::now();
    let manifest = store
        .export_to(&whole, Some(PEER), now(), &mut |_, _| {})
        .expect("export the county");
    let took = started.elapsed();
    let whole_bytes = file_size(&whole);
    eprintln!(
        "whole county: {} rows exported, encoded and written in {took:?} ({}, peak RSS {}); \
         bundle {} against the SQLite file's {} (checkpointed): {:.1} %",
        manifest.rows(),
        rate(manifest.rows(), took),
        peak_rss(),
        mib(whole_bytes),
        mib(db_bytes),
        100.0 * whole_bytes as f64 / db_bytes as f64
    );
    drop(store);

    let started = Instant::now();
    let (contacts, identities) = touch(&path);
    let changed = contacts + identities;
    eprintln!(
        "{changed} rows changed through SQL, the triggers stamping them ({contacts} contacts, \
         {identities} client identities) in {:?}",
        started.elapsed()
    );
    checkpoint(&path);
    let store = Store::open(&path).expect("reopen");

    // One timed pass of each, with the peak memory.
    reset_peak();
    let started = Instant::now();
    let (delta_manifest, delta_bytes) = store
        .export_bytes(Some(PEER), now(), &mut |_, _| {})
        .expect("export the changes");
    let took = started.elapsed();
    let delta_rows = delta_manifest.rows();
    assert_eq!(delta_rows, changed as u64, "the export holds what changed");
    eprintln!(
        "export since the watermark: {delta_rows} rows read, encoded and compressed in {took:?} \
         ({}, peak RSS {}); bundle {}",
        rate(delta_rows, took),
        peak_rss(),
        mib(delta_bytes.len() as u64)
    );
    let delta = Bundle::decode(&delta_bytes).expect("the export decodes");
    let uids: HashSet<String> = delta
        .sections
        .into_iter()
        .flat_map(|s| s.rows.into_iter().map(|r| r.uid))
        .collect();
    let subset = with_parents(
        store
            .export_bundle(None, now(), &mut |_, _| {})
            .expect("export all"),
        &uids,
    );
    drop(uids);
    let subset_rows = rows_of(&subset);
    let bytes = subset.encode(3).expect("encode");
    eprintln!(
        "import bundle: {subset_rows} rows ({:?}), {}",
        subset.manifest.counts,
        mib(bytes.len() as u64)
    );
    drop(subset);

    let empty = empty_store(dir.path());
    let (peer_dir, mut peer) = fresh_store(&empty);
    reset_peak();
    let started = Instant::now();
    let decoded = Bundle::decode(&bytes).expect("decode");
    let decode = started.elapsed();
    let new = peer
        .import_bundle(&decoded, "bench", false, now())
        .expect("import")
        .summary
        .new;
    let import_took = started.elapsed();
    assert_eq!(new, subset_rows, "every row is new to an empty store");
    eprintln!(
        "import into an empty store: {subset_rows} rows in {import_took:?} (decode {decode:?}; \
         {}, peak RSS {})",
        rate(subset_rows, import_took),
        peak_rss()
    );
    drop(peer);
    let imported = peer_dir.path().join("peer.sqlite3");

    let plain_dir = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let n = bulk_insert(&plain_dir.path().join("plain.sqlite3"), &decoded);
    let base_took = started.elapsed();
    assert_eq!(n, subset_rows);
    eprintln!(
        "bulk insert baseline: {n} rows in {base_took:?} ({}); import / baseline rate: {:.2} \
         (decode included in the import)",
        rate(n, base_took),
        base_took.as_secs_f64() / import_took.as_secs_f64()
    );
    drop(plain_dir);

    let floor_dir = tempfile::tempdir().expect("tempdir");
    let floor = floor_store(&empty, floor_dir.path());
    let started = Instant::now();
    let n = schema_floor(&floor, &imported);
    let floor_took = started.elapsed();
    assert_eq!(n, subset_rows);
    eprintln!(
        "schema floor: {n} rows with their bookkeeping in {floor_took:?} ({}); \
         import / floor rate: {:.2}",
        rate(n, floor_took),
        floor_took.as_secs_f64() / import_took.as_secs_f64()
    );
    drop(floor_dir);

    let mut group = c.benchmark_group("sync");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.throughput(Throughput::Elements(delta_rows));
    group.bench_function(
        "export_1m: changed rows since the watermark, read into the bundle's bytes",
        |b| {
            b.iter(|| {
                store
                    .export_bytes(Some(PEER), now(), &mut |_, _| {})
                    .expect("export")
            })
        },
    );
    group.throughput(Throughput::Elements(subset_rows));
    group.bench_function("import_1m: decode + import into an empty store", |b| {
        b.iter_batched(
            || fresh_store(&empty),
            |(dir, mut peer)| {
                let n = import(&bytes, &mut peer);
                (dir, peer, n)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("bulk_insert_baseline: same rows, plain tables", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("tempdir"),
            |dir| {
                let n = bulk_insert(&dir.path().join("plain.sqlite3"), &decoded);
                (dir, n)
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function(
        "schema_floor: same rows, the store's tables, no merge code",
        |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let path = floor_store(&empty, dir.path());
                    (dir, path)
                },
                |(dir, path)| {
                    let n = schema_floor(&path, &imported);
                    (dir, n)
                },
                BatchSize::PerIteration,
            )
        },
    );
    group.finish();
    drop(peer_dir);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
