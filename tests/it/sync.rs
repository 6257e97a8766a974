//! Sync bundles: export, import, bad bundles, fuzz, a killed import.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use predicates::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use rusqlite::OptionalExtension;
use serde_json::Value;
use sha2::{Digest, Sha256};
use stationdesk::demo::{generate, Scale};
use stationdesk::model::NewStation;
use stationdesk::store::ImportReport;
use stationdesk::sync::bundle::{Bundle, BundleError, Dot, Row, Section, FORMAT, MAGIC};
use stationdesk::sync::{spec, SyncError};
use stationdesk::{Store, StoreError};

use crate::fixture::{self, today};
use crate::fixture::{json_out, stationdesk, triggers};

type Snapshot = BTreeMap<String, (String, bool, Vec<Value>)>;

fn now() -> NaiveDateTime {
    today().and_hms_opt(9, 30, 0).expect("a time")
}

fn snapshot(store: &Store) -> Snapshot {
    store.sync_snapshot().expect("a snapshot")
}

fn file_snapshot(db: &Path) -> Snapshot {
    snapshot(&Store::open(db).expect("open the database file"))
}

fn demo_store(seed: u64) -> Store {
    let mut store = Store::open_in_memory().expect("in-memory store");
    store
        .load_demo(&generate(Scale::Station, seed, today()))
        .expect("the demo loads");
    store
}

fn export_all(store: &Store) -> Bundle {
    store
        .export_bundle(None, now(), &mut |_, _| {})
        .expect("export")
}

fn encode(bundle: &Bundle) -> Vec<u8> {
    bundle.encode(3).expect("encode")
}

fn import(store: &mut Store, bundle: &Bundle) -> ImportReport {
    store
        .import_bundle(bundle, "test.bundle", false, now())
        .expect("the bundle imports")
}

/// The station demo (seed 11) exported whole, and its snapshot: made once
/// for the whole file.
fn demo() -> &'static (Vec<u8>, Snapshot) {
    static DEMO: OnceLock<(Vec<u8>, Snapshot)> = OnceLock::new();
    DEMO.get_or_init(|| {
        let store = demo_store(11);
        (encode(&export_all(&store)), snapshot(&store))
    })
}

fn demo_bundle() -> Bundle {
    Bundle::decode(&demo().0).expect("the demo bundle decodes")
}

/// Makes the manifest's counts agree with the rows again.
fn recount(bundle: &mut Bundle) {
    bundle.manifest.counts = bundle
        .sections
        .iter()
        .filter(|s| !s.rows.is_empty())
        .map(|s| (s.table.clone(), s.rows.len() as u64))
        .collect();
    bundle.manifest.tombstones = bundle
        .sections
        .iter()
        .flat_map(|s| &s.rows)
        .filter(|r| r.deleted)
        .count() as u64;
}

/// The first `per_table` rows of each table whose parents are kept too: a
/// small bundle that still imports into an empty store.
fn pruned(bundle: &Bundle, per_table: usize) -> Bundle {
    let mut kept: HashSet<String> = HashSet::new();
    let mut sections = Vec::new();
    for s in &bundle.sections {
        let t = spec::table(&s.table).expect("a known table");
        let rows: Vec<Row> = s
            .rows
            .iter()
            .filter(|r| {
                r.deleted
                    || t.cols.iter().zip(&r.values).all(|(c, v)| {
                        c.refs.is_none() || v.as_str().is_none_or(|u| kept.contains(u))
                    })
            })
            .take(per_table)
            .cloned()
            .collect();
        kept.extend(rows.iter().map(|r| r.uid.clone()));
        if !rows.is_empty() {
            sections.push(Section {
                table: s.table.clone(),
                columns: s.columns.clone(),
                rows,
            });
        }
    }
    let mut out = Bundle {
        manifest: bundle.manifest.clone(),
        sections,
    };
    recount(&mut out);
    out
}

/// A bundle of a few hundred rows, made once.
fn medium() -> &'static Bundle {
    static MEDIUM: OnceLock<Bundle> = OnceLock::new();
    MEDIUM.get_or_init(|| pruned(&demo_bundle(), 40))
}

/// The small bundle the fuzz tests damage, made once.
fn small() -> &'static Bundle {
    static SMALL: OnceLock<Bundle> = OnceLock::new();
    SMALL.get_or_init(|| pruned(&demo_bundle(), 8))
}

fn section<'a>(bundle: &'a mut Bundle, table: &str) -> &'a mut Section {
    bundle
        .sections
        .iter_mut()
        .find(|s| s.table == table)
        .expect("the bundle has the table")
}

fn rows_of<'a>(bundle: &'a Bundle, table: &str) -> &'a [Row] {
    bundle
        .sections
        .iter()
        .find(|s| s.table == table)
        .map(|s| &s.rows[..])
        .unwrap_or_default()
}

fn col(table: &str, name: &str) -> usize {
    spec::table(table)
        .and_then(|t| t.col_index(name))
        .expect("a known column")
}

fn names(store: &Store) -> Vec<(String, &'static str)> {
    let mut out: Vec<_> = store
        .list_staff(None, today())
        .expect("staff")
        .into_iter()
        .map(|v| (v.staff.record.name.clone(), v.staff.record.role.code()))
        .collect();
    out.sort();
    out
}

/// A database file with a station and one person of its own.
fn local_file_db(db: &Path) {
    let mut store = Store::open(db).expect("open the database file");
    store
        .add_station(&NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
    fixture::add(&mut store, "本地人", "frontline");
}

// 1. ------------------------------------------------------------------------

#[test]
fn an_export_imported_into_an_empty_store_gives_the_same_data() {
    let source = demo_store(3);
    let mut calls = Vec::new();
    let bundle = source
        .export_bundle(None, now(), &mut |done, total| calls.push((done, total)))
        .expect("export");
    let total = bundle.manifest.rows();
    assert!(total > 2_000, "the station demo has thousands of rows");
    assert_eq!(calls.first(), Some(&(0, total)));
    assert_eq!(calls.last(), Some(&(total, total)));
    assert_eq!(
        bundle.manifest.origin,
        source.sync_status().expect("status").origin
    );
    assert_eq!(bundle.manifest.since_seq, 0);
    assert_eq!(bundle.manifest.tombstones, 0);
    assert_eq!(bundle.manifest.peer, None);
    // Through the file's bytes, as a laptop hands it over.
    let bytes = encode(&bundle);
    assert_eq!(Bundle::manifest(&bytes).expect("manifest"), bundle.manifest);
    let bundle = Bundle::decode(&bytes).expect("decode");

    let mut target = Store::open_in_memory().expect("store");
    assert!(snapshot(&target).is_empty());
    let report = import(&mut target, &bundle);
    assert!(report.applied);
    assert_eq!(report.rows, total);
    assert_eq!(report.origin, bundle.manifest.origin);
    assert_eq!(report.summary.new, total);
    assert_eq!(
        (
            report.summary.updated,
            report.summary.deleted,
            report.summary.unchanged,
            report.summary.conflicts
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(snapshot(&target), snapshot(&source));
    assert_eq!(names(&target), names(&source));
    assert!(names(&target).len() > 20);
    let status = target.sync_status().expect("status");
    assert_ne!(
        status.origin, bundle.manifest.origin,
        "each database is its own origin"
    );
    assert_eq!(status.open_conflicts, 0);
}

/// Each case's code and the date of its latest contact, as the overdue
/// engine reads it.
fn last_contacts(db: &Path) -> Vec<(String, Option<String>)> {
    fixture::pairs(
        db,
        "SELECT code, last_contact_on FROM client_case ORDER BY code",
    )
}

#[test]
fn a_merge_leaves_every_trigger_as_it_was_and_settles_the_latest_contacts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (from, to) = (
        dir.path().join("from.sqlite3"),
        dir.path().join("to.sqlite3"),
    );
    let mut source = Store::open(&from).expect("source");
    source
        .load_demo(&generate(Scale::Station, 3, today()))
        .expect("the demo loads");
    let bundle = export_all(&source);
    drop(source);
    let mut target = Store::open(&to).expect("target");
    let before = triggers(&to);
    assert!(before.len() > 100, "the schema has its triggers");
    // The merge drops the triggers that are silent while it applies, and
    // makes them again, word for word, whether it commits or not.
    let report = target
        .import_bundle(&bundle, "test.bundle", true, now())
        .expect("dry run");
    assert!(!report.applied);
    assert_eq!(triggers(&to), before);
    import(&mut target, &bundle);
    assert_eq!(triggers(&to), before);
    // The latest contact of every case, kept by a trigger row by row on
    // the laptop that wrote them, is settled once by the merge.
    let contacts = last_contacts(&to);
    assert_eq!(contacts, last_contacts(&from));
    assert!(contacts.iter().filter(|(_, d)| d.is_some()).count() > 5);
    // And the triggers work again: a write by another program is stamped
    // for sync and written to the audit log.
    let seq = target.sync_status().expect("status").seq;
    drop(target);
    let conn = rusqlite::Connection::open(&to).expect("raw connection");
    let audit = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
            .expect("count")
    };
    let logged = audit(&conn);
    conn.execute("UPDATE staff SET name = name || '甲' WHERE id = 1", [])
        .expect("an outside write");
    assert_eq!(audit(&conn), logged + 1);
    drop(conn);
    let target = Store::open(&to).expect("reopen");
    assert_eq!(target.sync_status().expect("status").seq, seq + 1);
}

#[test]
fn the_file_written_row_by_row_holds_the_same_bundle() {
    let mut source = demo_store(5);
    source
        .add_station(&NewStation {
            name: "河西站".into(),
            township: "河西镇".into(),
            county: "某县".into(),
        })
        .expect("a station");
    let mut calls = Vec::new();
    let (manifest, bytes) = source
        .export_bytes(None, now(), &mut |done, total| calls.push((done, total)))
        .expect("export bytes");
    let bundle = export_all(&source);
    assert_eq!(manifest, bundle.manifest);
    assert_eq!(calls.last(), Some(&(manifest.rows(), manifest.rows())));
    let decoded = Bundle::decode(&bytes).expect("decode");
    assert_eq!(decoded, bundle);
    assert_eq!(bytes, encode(&bundle), "byte for byte what encode writes");
    // An empty export is a valid bundle too.
    let mut empty = Store::open_in_memory().expect("store");
    let (m, bytes) = empty
        .export_bytes(None, now(), &mut |_, _| {})
        .expect("empty export");
    assert_eq!(m.rows(), 0);
    let decoded = Bundle::decode(&bytes).expect("decode the empty bundle");
    assert!(decoded.sections.is_empty());
    assert_eq!(import(&mut empty, &decoded).summary.new, 0);
}

// 2. ------------------------------------------------------------------------

#[test]
fn the_same_bundle_twice_changes_nothing_the_second_time() {
    let (_, source) = demo();
    let bundle = demo_bundle();
    let mut target = fixture::store();
    fixture::add(&mut target, "本地人", "frontline");
    let first = import(&mut target, &bundle);
    assert_eq!(first.summary.new, bundle.manifest.rows());
    let after_first = snapshot(&target);
    for (uid, row) in source {
        assert_eq!(after_first.get(uid), Some(row));
    }
    assert_eq!(
        after_first.len(),
        source.len() + 2,
        "plus the local station and person"
    );
    let seq = target.sync_status().expect("status").seq;

    let second = import(&mut target, &bundle);
    assert!(second.applied);
    let s = &second.summary;
    assert_eq!(
        (s.new, s.updated, s.deleted, s.conflicts, s.needs_decision),
        (0, 0, 0, 0, 0)
    );
    assert_eq!(s.unchanged, bundle.manifest.rows());
    assert_eq!(snapshot(&target), after_first);
    assert_eq!(
        target.sync_status().expect("status").seq,
        seq,
        "nothing was written"
    );
    assert_eq!(target.sync_status().expect("status").open_conflicts, 0);
}

// 3. ------------------------------------------------------------------------

#[test]
fn a_dry_run_says_what_would_happen_and_writes_nothing() {
    let bundle = demo_bundle();
    let mut target = fixture::store();
    fixture::add(&mut target, "本地人", "frontline");
    let before = snapshot(&target);
    let seq = target.sync_status().expect("status").seq;
    let report = target
        .import_bundle(&bundle, "dry.bundle", true, now())
        .expect("dry run");
    assert!(!report.applied);
    assert_eq!(report.summary.new, bundle.manifest.rows());
    assert_eq!(report.rows, bundle.manifest.rows());
    assert_eq!(snapshot(&target), before);
    assert_eq!(target.sync_status().expect("status").seq, seq);

    // Once imported, a dry run of the same bundle finds nothing to do.
    import(&mut target, &bundle);
    let after = snapshot(&target);
    let again = target
        .import_bundle(&bundle, "dry.bundle", true, now())
        .expect("dry run");
    assert_eq!(again.summary.unchanged, bundle.manifest.rows());
    assert_eq!(again.summary.new, 0);
    assert_eq!(snapshot(&target), after);
}

#[test]
fn the_command_line_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("dry.sqlite3");
    let file = dir.path().join("demo.bundle");
    std::fs::write(&file, &demo().0).expect("write the bundle");
    local_file_db(&db);
    let before = file_snapshot(&db);
    let rows = demo_bundle().manifest.rows();
    stationdesk(&db)
        .arg("import")
        .arg(&file)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "would merge {rows} row(s)"
        )))
        .stdout(predicate::str::contains(format!("{rows} new")));
    let report =
        json_out(
            stationdesk(&db)
                .arg("import")
                .arg(&file)
                .args(["--dry-run", "--format", "json"]),
        );
    assert_eq!(report["applied"], false);
    assert_eq!(report["summary"]["new"], rows);
    assert_eq!(file_snapshot(&db), before);
}

// 4. ------------------------------------------------------------------------

fn read_bundle(path: &Path) -> Bundle {
    Bundle::decode(&std::fs::read(path).expect("read the bundle")).expect("decode")
}

#[test]
fn since_last_sends_only_what_changed_for_that_peer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("a.sqlite3");
    let mut store = Store::open(&db).expect("open");
    store
        .load_demo(&generate(Scale::Station, 4, today()))
        .expect("demo");
    let seq0 = store.sync_status().expect("status").seq;
    let path = |n: &str| dir.path().join(n);

    // The first bundle for a new peer holds everything.
    let m1 = store
        .export_to(&path("1.bundle"), Some("county"), now(), &mut |_, _| {})
        .expect("export");
    let b1 = read_bundle(&path("1.bundle"));
    assert_eq!(b1.manifest, m1);
    assert_eq!(m1.peer.as_deref(), Some("county"));
    assert_eq!((m1.since_seq, m1.upto_seq), (0, seq0));
    assert_eq!(m1.rows(), snapshot(&store).len() as u64);
    let status = store.sync_status().expect("status");
    assert_eq!(status.peers.len(), 1);
    assert_eq!(status.peers[0].peer, "county");
    assert_eq!(status.peers[0].exported_seq, seq0);
    assert_eq!(status.peers[0].pending, 0);

    // Nothing changed: the next one is empty and starts where that ended.
    let m2 = store
        .export_to(&path("2.bundle"), Some("county"), now(), &mut |_, _| {})
        .expect("export");
    let b2 = read_bundle(&path("2.bundle"));
    assert_eq!(m2.rows(), 0);
    assert!(m2.counts.values().all(|&n| n == 0));
    assert!(b2.sections.iter().all(|s| s.rows.is_empty()));
    assert_eq!((m2.since_seq, m2.upto_seq), (seq0, seq0));

    // One rename by raw SQL on the file, past the store's API: only that
    // row travels, with the new name and the field's own version.
    let (staff_id, old_name): (i64, String) = {
        let conn = rusqlite::Connection::open(&db).expect("raw connection");
        let found = conn
            .query_row("SELECT id, name FROM staff ORDER BY id LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .expect("a person");
        conn.execute("UPDATE staff SET name = '改了名' WHERE id = ?1", [found.0])
            .expect("rename");
        found
    };
    assert_ne!(old_name, "改了名");
    let status = store.sync_status().expect("status");
    assert_eq!(status.seq, seq0 + 1);
    assert_eq!(status.peers[0].pending, 1);
    let m3 = store
        .export_to(&path("3.bundle"), Some("county"), now(), &mut |_, _| {})
        .expect("export");
    let b3 = read_bundle(&path("3.bundle"));
    assert_eq!(m3.counts, BTreeMap::from([("staff".to_string(), 1)]));
    assert_eq!(
        (m3.since_seq, m3.upto_seq, m3.tombstones),
        (seq0, seq0 + 1, 0)
    );
    let row = &b3.sections[0].rows[0];
    assert_eq!(b3.sections.len(), 1);
    assert_eq!(row.values[col("staff", "name")], "改了名");
    assert_eq!(row.dots.keys().collect::<Vec<_>>(), vec!["name"]);
    assert!(m3.max_hlc >= row.hlc && row.hlc > row.created);
    let renamed_uid = row.uid.clone();

    // A deletion travels as a tombstone; the API's edits travel too.
    {
        let conn = rusqlite::Connection::open(&db).expect("raw connection");
        conn.execute(
            "DELETE FROM case_contact WHERE id = (SELECT min(id) FROM case_contact)",
            [],
        )
        .expect("delete a contact");
    }
    let mut input = fixture::form("再改名", "frontline");
    let person = store.staff(staff_id).expect("the person");
    input.station_id = person.record.station_id;
    input.role = person.record.role.code().into();
    input.qualification = person.record.qualification.code().into();
    input.certificate_no = person.record.certificate_no.clone().unwrap_or_default();
    input.registration_date = person
        .record
        .registration_date
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    input.start_date = person.record.start_date.format("%Y-%m-%d").to_string();
    store
        .update_staff(staff_id, &input, today())
        .expect("rename");
    let m4 = store
        .export_to(&path("4.bundle"), Some("county"), now(), &mut |_, _| {})
        .expect("export");
    let b4 = read_bundle(&path("4.bundle"));
    assert_eq!(
        m4.counts,
        BTreeMap::from([("case_contact".to_string(), 1), ("staff".to_string(), 1)])
    );
    assert_eq!(
        (m4.since_seq, m4.upto_seq, m4.tombstones),
        (seq0 + 1, seq0 + 3, 1)
    );
    let staff_row = &rows_of(&b4, "staff")[0];
    assert_eq!(staff_row.uid, renamed_uid);
    assert_eq!(staff_row.values[col("staff", "name")], "再改名");
    let gone = &rows_of(&b4, "case_contact")[0];
    assert!(gone.deleted && gone.values.is_empty());

    // A whole export (no peer) leaves the peer's mark alone, and so does
    // one that could not be written.
    let before = store.sync_status().expect("status").peers;
    let nowhere = dir.path().join("no-such-folder").join("x.bundle");
    match store.export_to(&nowhere, Some("county"), now(), &mut |_, _| {}) {
        Err(StoreError::Sync(e)) => assert_eq!(e.code(), "write_failed"),
        other => panic!("expected a write error, got {other:?}"),
    }
    assert!(!nowhere.exists());
    store
        .export_to(&path("all.bundle"), None, now(), &mut |_, _| {})
        .expect("export");
    assert_eq!(read_bundle(&path("all.bundle")).manifest.rows(), m1.rows());
    let after = store.sync_status().expect("status").peers;
    assert_eq!(
        after
            .iter()
            .map(|p| (&p.peer, p.exported_seq))
            .collect::<Vec<_>>(),
        before
            .iter()
            .map(|p| (&p.peer, p.exported_seq))
            .collect::<Vec<_>>()
    );

    // The county, fed the bundles in turn, ends with the same data.
    let mut county = Store::open_in_memory().expect("store");
    for (n, bundle) in [&b1, &b2, &b3, &b4].into_iter().enumerate() {
        let report = import(&mut county, bundle);
        match n {
            0 => assert_eq!(report.summary.new, m1.rows()),
            1 => assert_eq!(report.rows, 0),
            2 => assert_eq!(report.summary.updated, 1),
            _ => assert_eq!((report.summary.updated, report.summary.deleted), (1, 1)),
        }
        assert_eq!(report.summary.conflicts, 0);
    }
    assert_eq!(snapshot(&county), snapshot(&store));
    consistent(&db).expect("raw SQL writes are versioned like the API's");
}

// 5. ------------------------------------------------------------------------

/// Deterministic noise (xorshift), so a failure can be replayed.
fn noise(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// Where the manifest and the payload lie in a bundle's bytes.
fn layout(bytes: &[u8]) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
    let at = MAGIC.len();
    let mlen = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
    let manifest = at + 4..at + 4 + mlen;
    let plen = u64::from_le_bytes(
        bytes[manifest.end..manifest.end + 8]
            .try_into()
            .expect("8 bytes"),
    ) as usize;
    let payload = manifest.end + 8..manifest.end + 8 + plen;
    assert_eq!(payload.end + 32, bytes.len());
    (manifest, payload)
}

/// Recomputes the SHA-256 trailer over whatever precedes it.
fn reseal(bytes: &mut [u8]) {
    if bytes.len() >= 32 {
        let body = bytes.len() - 32;
        let sum = Sha256::digest(&bytes[..body]);
        bytes[body..].copy_from_slice(&sum);
    }
}

#[test]
fn damaged_files_are_refused_with_the_problem_named() {
    let bytes = &demo().0;
    let (manifest, payload) = layout(bytes);
    let decode = |b: &[u8]| Bundle::decode(b).map(|_| ());

    // Not a bundle at all.
    let xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml";
    for b in [
        &noise(4096, 7)[..],
        &xlsx[..],
        b"",
        b"STATIONDESK",
        &MAGIC[..MAGIC.len() - 1],
    ] {
        assert_eq!(
            decode(b),
            Err(BundleError::NotABundle),
            "{:?}",
            &b[..b.len().min(16)]
        );
    }
    let mut wrong_mark = bytes.clone();
    wrong_mark[0] ^= 0x20;
    assert_eq!(decode(&wrong_mark), Err(BundleError::NotABundle));

    // Cut short anywhere: inside the lengths, the manifest, the payload, the checksum.
    let cuts = [
        MAGIC.len(),
        MAGIC.len() + 2,
        manifest.start + 1,
        manifest.start + manifest.len() / 2,
        manifest.end,
        manifest.end + 5,
        payload.start,
        payload.start + payload.len() / 3,
        payload.end,
        bytes.len() - 1,
    ];
    for cut in cuts {
        match decode(&bytes[..cut]) {
            Err(BundleError::Truncated { found, expected }) => {
                assert_eq!(found, cut as u64);
                assert!(expected > found);
            }
            other => panic!("cut at {cut}: expected Truncated, got {other:?}"),
        }
    }
    if let Err(BundleError::Truncated { expected, .. }) = decode(&bytes[..payload.start]) {
        assert_eq!(
            expected,
            bytes.len() as u64,
            "the lengths say how long it was"
        );
    }
    // Extra bytes after the checksum.
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"\n");
    assert!(matches!(decode(&longer), Err(BundleError::Corrupt(_))));

    // One flipped bit in the manifest, the rows or the checksum itself.
    for at in [
        manifest.start + 3,
        manifest.end - 2,
        payload.start,
        payload.start + payload.len() / 2,
        payload.end - 1,
        payload.end + 10,
        bytes.len() - 1,
    ] {
        let mut flipped = bytes.clone();
        flipped[at] ^= 0x04;
        assert_eq!(decode(&flipped), Err(BundleError::Checksum), "flip at {at}");
        assert_eq!(Bundle::manifest(&flipped), Err(BundleError::Checksum));
    }
    // A flipped length is never taken at its word.
    for at in [MAGIC.len(), MAGIC.len() + 3, manifest.end, manifest.end + 7] {
        for bit in [0x01, 0x80] {
            let mut flipped = bytes.clone();
            flipped[at] ^= bit;
            assert!(
                matches!(
                    decode(&flipped),
                    Err(BundleError::Truncated { .. }
                        | BundleError::Corrupt(_)
                        | BundleError::Checksum)
                ),
                "length byte {at} ^ {bit}"
            );
        }
    }

    // Written by a newer program, well sealed.
    let mut newer = small().clone();
    newer.manifest.format = FORMAT + 1;
    assert_eq!(
        decode(&encode(&newer)),
        Err(BundleError::NewerFormat {
            found: FORMAT + 1,
            known: FORMAT
        })
    );
    let schema = spec::ROWS_SCHEMA;
    let mut newer = small().clone();
    newer.manifest.schema = schema + 1;
    assert_eq!(
        decode(&encode(&newer)),
        Err(BundleError::NewerSchema {
            found: schema + 1,
            known: schema
        })
    );
    // An older schema is fine.
    let mut older = small().clone();
    older.manifest.schema = schema - 1;
    assert!(decode(&encode(&older)).is_ok());

    // A manifest whose counts lie, either way.
    let mut lying = small().clone();
    *lying.manifest.counts.get_mut("staff").expect("staff") += 1;
    assert!(
        matches!(decode(&encode(&lying)), Err(BundleError::Corrupt(m)) if m.contains("counts"))
    );
    let mut lying = small().clone();
    lying.manifest.counts.remove("station");
    assert!(matches!(
        decode(&encode(&lying)),
        Err(BundleError::Corrupt(_))
    ));
    let mut lying = small().clone();
    section(&mut lying, "case_contact").rows.pop();
    assert!(matches!(
        decode(&encode(&lying)),
        Err(BundleError::Corrupt(_))
    ));

    // Sealed and whole, but not what this program writes.
    let mut unknown = small().clone();
    unknown.sections[0].table = "payroll".into();
    recount(&mut unknown);
    assert!(
        matches!(decode(&encode(&unknown)), Err(BundleError::Corrupt(m)) if m.contains("payroll"))
    );
    let mut reordered = small().clone();
    reordered.sections.swap(0, 1);
    assert!(matches!(
        decode(&encode(&reordered)),
        Err(BundleError::Corrupt(_))
    ));
    let mut columns = small().clone();
    section(&mut columns, "staff").columns.swap(1, 2);
    assert!(matches!(
        decode(&encode(&columns)),
        Err(BundleError::Corrupt(_))
    ));
    let mut short_row = small().clone();
    section(&mut short_row, "staff").rows[0].values.pop();
    assert!(matches!(
        decode(&encode(&short_row)),
        Err(BundleError::Corrupt(_))
    ));
    let mut no_uid = small().clone();
    section(&mut no_uid, "staff").rows[0].uid.clear();
    assert!(matches!(
        decode(&encode(&no_uid)),
        Err(BundleError::Corrupt(_))
    ));
    let mut odd_dot = small().clone();
    section(&mut odd_dot, "staff").rows[0]
        .dots
        .insert("salary".into(), Dot(1, "x".into()));
    assert!(matches!(
        decode(&encode(&odd_dot)),
        Err(BundleError::Corrupt(_))
    ));
    // A sealed file whose rows are not zstd, or not JSON.
    let mut garbage = bytes.clone();
    garbage[payload.start..payload.end].copy_from_slice(&noise(payload.len(), 3));
    reseal(&mut garbage);
    assert!(matches!(decode(&garbage), Err(BundleError::Corrupt(_))));
    let mut not_json = bytes[..payload.start - 8].to_vec();
    let rows = zstd::bulk::compress(b"[{\"table\": ", 3).expect("zstd");
    not_json.extend_from_slice(&(rows.len() as u64).to_le_bytes());
    not_json.extend_from_slice(&rows);
    not_json.extend_from_slice(&[0; 32]);
    reseal(&mut not_json);
    assert!(matches!(decode(&not_json), Err(BundleError::Corrupt(m)) if m.contains("rows")));
}

fn sync_error(e: StoreError) -> SyncError {
    match e {
        StoreError::Sync(s) => s,
        other => panic!("expected a sync error, got {other}"),
    }
}

/// A store with data of its own, the demo bundle, and a way to damage one
/// row of it and check the import is refused and writes nothing.
struct Refusal {
    target: Store,
    before: Snapshot,
    seq: i64,
}

impl Refusal {
    fn new() -> Refusal {
        let mut target = fixture::store();
        fixture::add(&mut target, "本地人", "frontline");
        let before = snapshot(&target);
        let seq = target.sync_status().expect("status").seq;
        Refusal {
            target,
            before,
            seq,
        }
    }

    /// Damages a bundle of a few hundred rows with `f`, re-seals it,
    /// imports it.
    fn refuse(&mut self, f: impl FnOnce(&mut Bundle)) -> SyncError {
        let mut bundle = medium().clone();
        f(&mut bundle);
        let bundle = Bundle::decode(&encode(&bundle)).expect("a well-formed bundle");
        let e = self
            .target
            .import_bundle(&bundle, "bad.bundle", false, now())
            .expect_err("the import is refused");
        assert_eq!(snapshot(&self.target), self.before, "nothing written");
        assert_eq!(self.target.sync_status().expect("status").seq, self.seq);
        sync_error(e)
    }
}

/// The last row of `table`, so many rows were written before it fails.
fn last_row<'a>(bundle: &'a mut Bundle, table: &str) -> &'a mut Row {
    section(bundle, table).rows.last_mut().expect("a row")
}

#[test]
fn rows_this_database_cannot_hold_are_refused_and_nothing_is_written() {
    let mut r = Refusal::new();

    match r.refuse(|b| {
        last_row(b, "staff").values[col("staff", "station_id")] = "no-such-station".into()
    }) {
        SyncError::MissingParent {
            table,
            refs,
            parent,
            ..
        } => assert_eq!(
            (table, refs, parent.as_str()),
            ("staff", "station", "no-such-station")
        ),
        other => panic!("expected MissingParent, got {other}"),
    }
    let e = r.refuse(|b| {
        last_row(b, "case_contact").values[col("case_contact", "case_id")] = "0000gone".into()
    });
    assert_eq!(e.code(), "missing_parent");
    assert!(e.to_string().contains("0000gone"), "{e}");

    let mut uid = String::new();
    match r.refuse(|b| {
        let row = last_row(b, "staff");
        uid = row.uid.clone();
        row.values[col("staff", "role")] = "boss".into();
    }) {
        SyncError::Refused { table, uid: u, .. } => assert_eq!((table, u), ("staff", uid.clone())),
        other => panic!("expected Refused, got {other}"),
    }
    match r
        .refuse(|b| last_row(b, "client_case").values[col("client_case", "stage")] = "bogus".into())
    {
        SyncError::Refused { table, reason, .. } => {
            assert_eq!(table, "client_case");
            assert!(reason.to_lowercase().contains("check"), "{reason}");
        }
        other => panic!("expected Refused, got {other}"),
    }
    // A wrong type (the tables are STRICT), a list, a missing value.
    for (table, column, value) in [
        ("supervision_record", "year", Value::from("二〇二六")),
        ("staff", "name", serde_json::json!(["a", "b"])),
        ("staff", "name", Value::Null),
        ("client_case", "code", serde_json::json!({"code": 1})),
        ("action_item", "owner_id", Value::from(7)),
    ] {
        let e = r.refuse(|b| last_row(b, table).values[col(table, column)] = value.clone());
        assert_eq!(e.code(), "refused", "{table}.{column} = {value}: {e}");
    }
    // Two cases with one code (as when two laptops each open case QX-031):
    // the code is named, with what to do.
    let mut code = Value::Null;
    let e = r.refuse(|b| {
        let s = section(b, "client_case");
        code = s.rows[0].values[col("client_case", "code")].clone();
        s.rows.last_mut().expect("a case").values[col("client_case", "code")] = code.clone();
    });
    assert_eq!(e.code(), "taken");
    match &e {
        SyncError::Taken { table, key, .. } => {
            assert_eq!(
                (*table, key.as_str()),
                ("client_case", format!("code = {code}").as_str())
            )
        }
        other => panic!("expected Taken, got {other}"),
    }
    assert!(e.to_string().contains("change it on this laptop"), "{e}");

    // The store is still sound: a local edit is versioned, the good bundle imports.
    fixture::add(&mut r.target, "又一人", "frontline");
    assert_eq!(r.target.sync_status().expect("status").seq, r.seq + 1);
    let report = import(&mut r.target, medium());
    assert_eq!(report.summary.new, medium().manifest.rows());
}

/// A case form like `like` (same station and owner) with another code.
fn case_form(code: &str, like: &stationdesk::model::CaseRecord) -> stationdesk::model::CaseInput {
    stationdesk::model::CaseInput {
        code: code.into(),
        station_id: like.station_id,
        owner_id: like.owner_id,
        category: "children".into(),
        risk: "general".into(),
        stage: "intake".into(),
        difficult: false,
        opened_on: "2026-11-20".into(),
        closed_on: String::new(),
        retain_until: "2036-11-20".into(),
    }
}

/// Opens a case with `code` on a laptop, for the station and worker of its
/// first case.
fn open_case(store: &mut Store, code: &str) -> i64 {
    let first = store
        .list_cases(stationdesk::store::CaseFilter {
            station_id: None,
            owner_id: None,
            open_only: false,
        })
        .expect("cases")
        .remove(0)
        .case;
    store
        .create_case(&case_form(code, &first), None, today())
        .expect("a new case")
}

#[test]
fn the_same_case_code_opened_on_two_laptops_is_refused_until_one_is_renamed() {
    let mut a = demo_store(11);
    let mut b = Store::open_in_memory().expect("in-memory store");
    import(&mut b, &export_all(&a));
    // Offline, each laptop opens case QX-2026-031 for a different client.
    open_case(&mut a, "QX-2026-031");
    let on_b = open_case(&mut b, "QX-2026-031");
    let bundle = export_all(&a);
    let before = snapshot(&b);
    for dry_run in [true, false] {
        let e = b
            .import_bundle(&bundle, "甲.sdsync", dry_run, now())
            .expect_err("the same code twice");
        let e = sync_error(e);
        assert_eq!(e.code(), "taken", "{e}");
        assert!(e.to_string().contains(r#"code = "QX-2026-031""#), "{e}");
        assert_eq!(snapshot(&b), before, "nothing written");
    }
    // As the message says: one laptop changes its code, and the same
    // bundle merges.
    let mine = b.case_view(on_b).expect("the case").summary.case;
    b.update_case(on_b, &case_form("QX-2026-032", &mine), today())
        .expect("renamed");
    import(&mut b, &bundle);
    for code in ["QX-2026-031", "QX-2026-032"] {
        assert!(b.case_id(code).expect("look up").is_some(), "{code}");
    }
}

#[test]
fn the_command_line_refuses_a_bad_bundle_and_names_the_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("local.sqlite3");
    local_file_db(&db);
    let before = file_snapshot(&db);
    let bytes = &demo().0;
    let (_, payload) = layout(bytes);

    let mut flipped = bytes.clone();
    flipped[payload.start + payload.len() / 2] ^= 0x10;
    let mut newer = medium().clone();
    newer.manifest.format = FORMAT + 1;
    let mut newer_schema = medium().clone();
    newer_schema.manifest.schema += 1;
    let mut orphan = medium().clone();
    last_row(&mut orphan, "staff").values[0] = "no-such-station".into();
    let mut boss = medium().clone();
    last_row(&mut boss, "staff").values[col("staff", "role")] = "boss".into();
    let mut lying = medium().clone();
    lying.manifest.counts.insert("staff".into(), 1);

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "noise.bundle",
            noise(2048, 99),
            "not a StationDesk sync bundle",
        ),
        (
            "roster.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00".to_vec(),
            "not a StationDesk sync bundle",
        ),
        ("empty.bundle", Vec::new(), "not a StationDesk sync bundle"),
        ("cut.bundle", bytes[..bytes.len() / 2].to_vec(), "truncated"),
        ("flipped.bundle", flipped, "checksum"),
        ("newer.bundle", encode(&newer), "newer StationDesk"),
        ("schema.bundle", encode(&newer_schema), "schema version"),
        ("lying.bundle", encode(&lying), "damaged"),
        (
            "orphan.bundle",
            encode(&orphan),
            "neither here nor in the bundle",
        ),
        ("boss.bundle", encode(&boss), "cannot be written here"),
    ];
    for (name, content, message) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, &content).expect("write");
        let dry_too = matches!(name, "roster.xlsx" | "flipped.bundle" | "orphan.bundle");
        for dry in [false, true].into_iter().filter(|&d| !d || dry_too) {
            let mut cmd = stationdesk(&db);
            cmd.arg("import").arg(&file);
            if dry {
                cmd.arg("--dry-run");
            }
            let out = cmd.output().expect("run");
            let stderr = String::from_utf8_lossy(&out.stderr);
            if dry && matches!(name, "orphan.bundle" | "boss.bundle") {
                // A dry run plans without writing, so it cannot meet the
                // database's own checks; it must still write nothing.
                continue;
            }
            assert!(!out.status.success(), "{name} (dry run {dry}) was accepted");
            assert!(
                out.stdout.is_empty(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            assert!(stderr.contains(message), "{name}: {stderr}");
            if !matches!(name, "orphan.bundle" | "boss.bundle") {
                assert!(
                    stderr.contains(name),
                    "{name}: the message names the file: {stderr}"
                );
            }
        }
        assert_eq!(file_snapshot(&db), before, "{name} changed the database");
    }
    stationdesk(&db)
        .args(["import"])
        .arg(dir.path().join("absent.bundle"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("cannot read").and(predicate::str::contains("absent.bundle")),
        );
    assert_eq!(file_snapshot(&db), before);
}

// 6. ------------------------------------------------------------------------

fn fuzz_config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn small_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| encode(small()))
}

/// A fresh database file for one fuzz case: empty but for a station of its
/// own, or already holding the small bundle (so damaged rows meet their
/// copies). A file, so its tables can be checked past the store's API.
fn fuzz_target(prefilled: bool) -> (tempfile::TempDir, PathBuf, Store) {
    // In memory where the system offers a memory file system: a commit's
    // fsync would otherwise be most of a case's time.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).or_else(|_| tempfile::tempdir())
    } else {
        tempfile::tempdir()
    }
    .expect("tempdir");
    let db = dir.path().join("fuzz.sqlite3");
    let mut store = Store::open(&db).expect("open");
    store
        .add_station(&NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
    if prefilled {
        import(&mut store, small());
    }
    (dir, db, store)
}

/// Every row of a synchronised table has exactly one live sync identity of
/// that table and every live identity its row; the foreign keys hold.
pub(crate) fn consistent(db: &Path) -> Result<(), String> {
    let conn = rusqlite::Connection::open(db).map_err(|e| e.to_string())?;
    let count = |sql: &str| -> Result<i64, String> {
        conn.query_row(sql, [], |r| r.get(0))
            .map_err(|e| format!("{sql}: {e}"))
    };
    for t in spec::TABLES {
        let name = t.name;
        let untracked = count(&format!(
            "SELECT count(*) FROM {name} x WHERE (SELECT count(*) FROM sync_row r \
             WHERE r.tbl = '{name}' AND r.rid = x.rowid) <> 1"
        ))?;
        let dangling = count(&format!(
            "SELECT count(*) FROM sync_row r WHERE r.tbl = '{name}' AND r.rid IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {name} x WHERE x.rowid = r.rid)"
        ))?;
        let live_deleted = count(&format!(
            "SELECT count(*) FROM sync_row WHERE tbl = '{name}' AND (deleted = 1) = (rid IS NOT NULL)"
        ))?;
        if (untracked, dangling, live_deleted) != (0, 0, 0) {
            return Err(format!(
                "{name}: {untracked} row(s) without one identity, {dangling} identity(ies) \
                 without a row, {live_deleted} with deleted and rid disagreeing"
            ));
        }
    }
    let unknown = count(&format!(
        "SELECT count(*) FROM sync_row WHERE tbl NOT IN ({})",
        spec::TABLES
            .iter()
            .map(|t| format!("'{}'", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    if unknown != 0 {
        return Err(format!("{unknown} identity(ies) of no table"));
    }
    let broken = count("SELECT count(*) FROM pragma_foreign_key_check")?;
    if broken != 0 {
        return Err(format!("{broken} broken foreign key(s)"));
    }
    Ok(())
}

/// What the fuzz cases came to: refused as a file, refused by the import,
/// taken.
#[derive(Debug, Default)]
struct Tally {
    bad_file: std::cell::Cell<u32>,
    refused: std::cell::Cell<u32>,
    taken: std::cell::Cell<u32>,
}

impl Tally {
    fn count(&self, cell: &std::cell::Cell<u32>) {
        cell.set(cell.get() + 1);
    }
}

/// Imports `bundle`; an error must leave the store exactly as it was, and
/// what is taken must leave it whole.
fn import_or_nothing(
    (_dir, db, store): &mut (tempfile::TempDir, PathBuf, Store),
    bundle: &Bundle,
    tally: &Tally,
) -> Result<(), TestCaseError> {
    let before = snapshot(store);
    let seq = store.sync_status().expect("status").seq;
    match store.import_bundle(bundle, "fuzz.bundle", false, now()) {
        Ok(_) => {
            // Whatever was taken, the database can still say what it holds,
            // and a local write is still made and versioned.
            store
                .sync_snapshot()
                .map_err(|e| TestCaseError::fail(format!("after an accepted import: {e}")))?;
            consistent(db).map_err(TestCaseError::fail)?;
            let seq = store.sync_status().expect("status").seq;
            store
                .create_staff(&fixture::form("事后", "frontline"), today())
                .map_err(|e| TestCaseError::fail(format!("a local write after the import: {e}")))?;
            prop_assert_eq!(store.sync_status().expect("status").seq, seq + 1);
            tally.count(&tally.taken);
        }
        Err(e) => {
            prop_assert_eq!(snapshot(store), before, "{} changed the store", e);
            prop_assert_eq!(store.sync_status().expect("status").seq, seq);
            tally.count(&tally.refused);
        }
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum Damage {
    Flip(prop::sample::Index, u8),
    FlipManifest(prop::sample::Index, u8),
    Insert(prop::sample::Index, u8),
    Delete(prop::sample::Index),
    Truncate(prop::sample::Index),
}

impl Damage {
    fn apply(&self, bytes: &mut Vec<u8>, manifest: &std::ops::Range<usize>) {
        let len = bytes.len();
        match self {
            Damage::Flip(i, bits) if len > 0 => bytes[i.index(len)] ^= bits,
            Damage::FlipManifest(i, bits) if manifest.end <= len && !manifest.is_empty() => {
                bytes[manifest.start + i.index(manifest.len())] ^= bits
            }
            Damage::Insert(i, b) => bytes.insert(i.index(len + 1), *b),
            Damage::Delete(i) if len > 0 => {
                bytes.remove(i.index(len));
            }
            Damage::Truncate(i) => bytes.truncate(i.index(len + 1)),
            _ => {}
        }
    }
}

fn damage() -> impl Strategy<Value = Damage> {
    use prop::sample::Index;
    prop_oneof![
        3 => (any::<Index>(), 1..=255u8).prop_map(|(i, b)| Damage::Flip(i, b)),
        2 => (any::<Index>(), 1..=255u8).prop_map(|(i, b)| Damage::FlipManifest(i, b)),
        1 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Damage::Insert(i, b)),
        1 => any::<Index>().prop_map(Damage::Delete),
        1 => any::<Index>().prop_map(Damage::Truncate),
    ]
}

#[test]
fn fuzz_damaged_bytes_never_panic_and_never_half_import() {
    let original = small_bytes();
    let (manifest, _) = layout(original);
    let strategy = (
        prop::collection::vec(damage(), 1..4),
        any::<bool>(),
        any::<bool>(),
    );
    let tally = Tally::default();
    let mut runner = TestRunner::new(fuzz_config());
    runner
        .run(&strategy, |(damages, sealed, prefilled)| {
            let mut bytes = original.to_vec();
            for d in &damages {
                d.apply(&mut bytes, &manifest);
            }
            if sealed {
                reseal(&mut bytes);
            }
            let head = Bundle::manifest(&bytes);
            let decoded = Bundle::decode(&bytes);
            if !sealed && bytes != original {
                prop_assert!(decoded.is_err(), "a damaged file was accepted");
            }
            match (&head, &decoded) {
                (Err(a), Err(b)) => {
                    // The manifest is read by the same checks, first.
                    if !matches!(b, BundleError::Corrupt(_)) {
                        prop_assert_eq!(a, b);
                    }
                }
                (Ok(m), Ok(b)) => prop_assert_eq!(m, &b.manifest),
                (Err(a), Ok(_)) => prop_assert!(false, "manifest refused ({a}) but decoded"),
                (Ok(_), Err(_)) => {}
            }
            match decoded {
                Ok(bundle) => {
                    let mut store = fuzz_target(prefilled);
                    import_or_nothing(&mut store, &bundle, &tally)?;
                }
                Err(_) => tally.count(&tally.bad_file),
            }
            Ok(())
        })
        .expect("no damaged file panics or half-imports");
    eprintln!("damaged bytes: {tally:?}");
}

/// A value to put somewhere it may not belong.
#[derive(Debug, Clone)]
enum Junk {
    Json(Value),
    /// The uid of some row of the bundle (a parent of the wrong kind, a
    /// row itself, a deleted one).
    UidOf(prop::sample::Index),
    /// The value of the same column of another row of the table.
    Sibling(prop::sample::Index),
}

#[derive(Debug, Clone)]
enum Edit {
    Value(
        prop::sample::Index,
        prop::sample::Index,
        prop::sample::Index,
        Junk,
    ),
    Uid(prop::sample::Index, prop::sample::Index, Junk),
    Delete(prop::sample::Index, prop::sample::Index, bool),
    Undelete(prop::sample::Index, prop::sample::Index),
    Dot(
        prop::sample::Index,
        prop::sample::Index,
        prop::sample::Index,
        i64,
        String,
    ),
    Versions(prop::sample::Index, prop::sample::Index, i64, i64),
    Vv(prop::sample::Index, prop::sample::Index, String, i64),
    Origin(prop::sample::Index, prop::sample::Index, String),
    Locked(prop::sample::Index, prop::sample::Index),
    Drop(prop::sample::Index, prop::sample::Index),
    Duplicate(prop::sample::Index, prop::sample::Index),
    /// The manifest's own fields: origin, range, newest version, peer.
    Manifest(String, i64, i64, i64, Option<String>),
}

fn junk() -> impl Strategy<Value = Junk> {
    use prop::sample::Index;
    let json = prop_oneof![
        Just(Value::Null),
        Just(Value::Bool(true)),
        Just(Value::from(0)),
        Just(Value::from(-1)),
        Just(Value::from(i64::MAX)),
        Just(Value::from(2.5)),
        Just(Value::from("")),
        Just(Value::from("boss")),
        Just(Value::from("closed")),
        Just(Value::from("2026-02-30")),
        Just(Value::from("x".repeat(300))),
        Just(serde_json::json!([])),
        Just(serde_json::json!({"a": 1})),
        "[a-z0-9]{1,20}".prop_map(Value::from),
    ];
    prop_oneof![
        3 => json.prop_map(Junk::Json),
        2 => any::<Index>().prop_map(Junk::UidOf),
        2 => any::<Index>().prop_map(Junk::Sibling),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    use prop::sample::Index;
    let at = || (any::<Index>(), any::<Index>());
    let origin = prop_oneof![Just(String::new()), "[a-f0-9]{1,16}"];
    let clock = prop_oneof![
        Just(0i64),
        Just(-1),
        Just(i64::MAX),
        any::<i64>(),
        1i64..1_000
    ];
    prop_oneof![
        6 => (at(), any::<Index>(), junk()).prop_map(|((s, r), c, j)| Edit::Value(s, r, c, j)),
        2 => (at(), junk()).prop_map(|((s, r), j)| Edit::Uid(s, r, j)),
        2 => (at(), any::<bool>()).prop_map(|((s, r), k)| Edit::Delete(s, r, k)),
        1 => at().prop_map(|(s, r)| Edit::Undelete(s, r)),
        2 => (at(), any::<Index>(), clock.clone(), origin.clone())
            .prop_map(|((s, r), f, h, o)| Edit::Dot(s, r, f, h, o)),
        1 => (at(), clock.clone(), clock.clone()).prop_map(|((s, r), c, h)| Edit::Versions(s, r, c, h)),
        1 => (at(), origin.clone(), clock).prop_map(|((s, r), o, h)| Edit::Vv(s, r, o, h)),
        1 => (at(), origin).prop_map(|((s, r), o)| Edit::Origin(s, r, o)),
        1 => at().prop_map(|(s, r)| Edit::Locked(s, r)),
        1 => at().prop_map(|(s, r)| Edit::Drop(s, r)),
        1 => at().prop_map(|(s, r)| Edit::Duplicate(s, r)),
        // Versions a clock can reach (the edge of i64 is its own test).
        1 => (
            "[a-f0-9]{0,16}",
            prop_oneof![Just(0i64), Just(-1), Just(1 << 62), 0..1i64 << 58],
            any::<i64>(),
            any::<i64>(),
            proptest::option::of("[a-z]{1,8}"),
        )
            .prop_map(|(o, h, a, z, p)| Edit::Manifest(o, h, a, z, p)),
    ]
}

impl Edit {
    fn apply(&self, b: &mut Bundle) {
        use prop::sample::Index;
        let uids: Vec<String> = b
            .sections
            .iter()
            .flat_map(|s| s.rows.iter().map(|r| r.uid.clone()))
            .collect();
        let target = |b: &Bundle, s: &Index, r: &Index| -> Option<(usize, usize)> {
            if b.sections.is_empty() {
                return None;
            }
            let si = s.index(b.sections.len());
            let n = b.sections[si].rows.len();
            (n > 0).then(|| (si, r.index(n)))
        };
        let resolve = |b: &Bundle, j: &Junk, si: usize, c: usize| -> Value {
            match j {
                Junk::Json(v) => v.clone(),
                Junk::UidOf(i) if !uids.is_empty() => {
                    Value::from(uids[i.index(uids.len())].clone())
                }
                Junk::Sibling(i) => {
                    let rows = &b.sections[si].rows;
                    rows[i.index(rows.len())]
                        .values
                        .get(c)
                        .cloned()
                        .unwrap_or(Value::Null)
                }
                Junk::UidOf(_) => Value::Null,
            }
        };
        let fields = |b: &Bundle, si: usize| -> Vec<&'static str> {
            spec::table(&b.sections[si].table)
                .map(|t| t.fields().into_iter().map(|(f, _)| f).collect())
                .unwrap_or_default()
        };
        match self {
            Edit::Value(s, r, c, j) => {
                if let Some((si, ri)) = target(b, s, r) {
                    let n = b.sections[si].rows[ri].values.len();
                    if n > 0 {
                        let ci = c.index(n);
                        let v = resolve(b, j, si, ci);
                        b.sections[si].rows[ri].values[ci] = v;
                    }
                }
            }
            Edit::Uid(s, r, j) => {
                if let Some((si, ri)) = target(b, s, r) {
                    let v = resolve(b, j, si, 0);
                    b.sections[si].rows[ri].uid = match v {
                        Value::String(u) => u,
                        other => other.to_string(),
                    };
                }
            }
            Edit::Delete(s, r, keep_values) => {
                if let Some((si, ri)) = target(b, s, r) {
                    let row = &mut b.sections[si].rows[ri];
                    row.deleted = true;
                    if !keep_values {
                        row.values.clear();
                    }
                }
            }
            Edit::Undelete(s, r) => {
                if let Some((si, ri)) = target(b, s, r) {
                    b.sections[si].rows[ri].deleted = false;
                }
            }
            Edit::Dot(s, r, f, h, o) => {
                if let Some((si, ri)) = target(b, s, r) {
                    let fs = fields(b, si);
                    if !fs.is_empty() {
                        let field = fs[f.index(fs.len())].to_string();
                        b.sections[si].rows[ri]
                            .dots
                            .insert(field, Dot(*h, o.clone()));
                    }
                }
            }
            Edit::Versions(s, r, c, h) => {
                if let Some((si, ri)) = target(b, s, r) {
                    let row = &mut b.sections[si].rows[ri];
                    row.created = *c;
                    row.hlc = *h;
                }
            }
            Edit::Vv(s, r, o, h) => {
                if let Some((si, ri)) = target(b, s, r) {
                    b.sections[si].rows[ri].vv.insert(o.clone(), *h);
                }
            }
            Edit::Origin(s, r, o) => {
                if let Some((si, ri)) = target(b, s, r) {
                    b.sections[si].rows[ri].origin = o.clone();
                }
            }
            Edit::Locked(s, r) => {
                if let Some((si, ri)) = target(b, s, r) {
                    let row = &mut b.sections[si].rows[ri];
                    row.locked = !row.locked;
                }
            }
            Edit::Drop(s, r) => {
                if let Some((si, ri)) = target(b, s, r) {
                    b.sections[si].rows.remove(ri);
                }
            }
            Edit::Duplicate(s, r) => {
                if let Some((si, ri)) = target(b, s, r) {
                    let row = b.sections[si].rows[ri].clone();
                    b.sections[si].rows.push(row);
                }
            }
            Edit::Manifest(origin, max_hlc, since, upto, peer) => {
                let m = &mut b.manifest;
                m.origin = origin.clone();
                m.max_hlc = *max_hlc;
                m.since_seq = *since;
                m.upto_seq = *upto;
                m.peer = peer.clone();
            }
        }
    }
}

#[test]
fn fuzz_damaged_rows_are_taken_whole_or_not_at_all() {
    let strategy = (
        prop::collection::vec(edit(), 1..5),
        prop::bool::weighted(0.9),
        any::<bool>(),
    );
    let tally = Tally::default();
    let mut runner = TestRunner::new(fuzz_config());
    runner
        .run(&strategy, |(edits, recounted, prefilled)| {
            let mut bundle = small().clone();
            for e in &edits {
                e.apply(&mut bundle);
            }
            if recounted {
                recount(&mut bundle);
            }
            let bytes = bundle
                .encode(1)
                .map_err(|e| TestCaseError::fail(format!("encode: {e}")))?;
            match Bundle::decode(&bytes) {
                Err(BundleError::Corrupt(_)) => tally.count(&tally.bad_file),
                Err(e) => prop_assert!(false, "a sealed bundle refused as {e:?}"),
                Ok(decoded) => {
                    prop_assert_eq!(&decoded, &bundle);
                    let mut store = fuzz_target(prefilled);
                    import_or_nothing(&mut store, &decoded, &tally)?;
                }
            }
            Ok(())
        })
        .expect("every damaged bundle is taken whole or not at all");
    eprintln!("damaged rows: {tally:?}");
}

// 7. ------------------------------------------------------------------------

/// Copies a closed database file (and its write-ahead log, if one is left).
fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy the database");
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", from.display()));
        if side.exists() {
            std::fs::copy(&side, format!("{}{suffix}", to.display())).expect("copy");
        }
    }
}

fn importer(db: &Path, bundle: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("stationdesk"));
    cmd.arg("--db")
        .arg(db)
        .arg("import")
        .arg(bundle)
        .env_remove("STATIONDESK_DB")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

/// How far apart two snapshots are, for a message.
fn difference(a: &Snapshot, b: &Snapshot) -> String {
    let only_a = a.keys().filter(|k| !b.contains_key(*k)).count();
    let only_b = b.keys().filter(|k| !a.contains_key(*k)).count();
    let changed = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
        .count();
    format!("{only_a} row(s) only before, {only_b} only after, {changed} differ")
}

#[test]
fn a_killed_import_leaves_the_database_as_before_or_as_after_never_between() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("demo.bundle");
    std::fs::write(&file, &demo().0).expect("write the bundle");
    let base = dir.path().join("base.sqlite3");
    local_file_db(&base);
    let before = file_snapshot(&base);

    // The state after the whole import, and how long the import takes.
    let full = dir.path().join("full.sqlite3");
    copy_db(&base, &full);
    let started = Instant::now();
    let status = importer(&full, &file).status().expect("run the import");
    let took = started.elapsed();
    assert!(status.success());
    let after = file_snapshot(&full);
    assert_eq!(after.len(), before.len() + demo().1.len());

    let mut as_before = 0;
    let mut as_after = 0;
    let mut killed_running = 0;
    let mut hot_journals = 0;
    for (n, fraction) in [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95]
        .into_iter()
        .enumerate()
    {
        let db = dir.path().join(format!("killed-{n}.sqlite3"));
        copy_db(&base, &db);
        let mut child = importer(&db, &file).spawn().expect("start the import");
        std::thread::sleep(took.mul_f64(fraction).max(Duration::from_millis(5)));
        if child.try_wait().expect("poll").is_none() {
            killed_running += 1;
        }
        // SIGKILL: no destructor, no rollback, no checkpoint runs.
        let _ = child.kill();
        child.wait().expect("reap");
        // A merge writes through a rollback journal: killed while writing,
        // it leaves a hot journal that opening the file plays back.
        if PathBuf::from(format!("{}-journal", db.display())).exists() {
            hot_journals += 1;
        }

        {
            let conn = rusqlite::Connection::open(&db).expect("reopen");
            let check: String = conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .expect("integrity check");
            assert_eq!(check, "ok", "kill {n}");
            let broken: i64 = conn
                .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })
                .expect("foreign key check");
            assert_eq!(broken, 0, "kill {n}");
            let applying: i64 = conn
                .query_row("SELECT applying FROM sync_state", [], |r| r.get(0))
                .expect("sync state");
            assert_eq!(applying, 0, "kill {n}: the import flag survived the kill");
        }
        consistent(&db).expect("every row keeps its identity");
        let found = file_snapshot(&db);
        if found == before {
            as_before += 1;
        } else if found == after {
            as_after += 1;
        } else {
            panic!(
                "kill {n} at {fraction} of {took:?} left a partial import: {} from the state before, {} from the state after",
                difference(&before, &found),
                difference(&after, &found)
            );
        }
    }
    eprintln!(
        "killed import ({took:?} when whole): {killed_running} of 7 killed while running, \
         {hot_journals} with a journal to play back, {as_before} left as before, {as_after} as after"
    );
}

// 8. ------------------------------------------------------------------------

#[test]
fn the_command_line_round_trip_gives_the_same_staff_and_records_the_peer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.sqlite3");
    let b = dir.path().join("b.sqlite3");
    let all = dir.path().join("all.bundle");
    stationdesk(&a)
        .args(["demo", "--scale", "station", "--seed", "5"])
        .assert()
        .success();
    stationdesk(&a)
        .args(["export", "--all", "--out"])
        .arg(&all)
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote").and(predicate::str::contains("(0 deleted)")));
    let rows = read_bundle(&all).manifest.rows();
    stationdesk(&b)
        .arg("import")
        .arg(&all)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("merged {rows} row(s)")))
        .stdout(predicate::str::contains(format!(
            "{rows} new, 0 updated, 0 deleted, 0 unchanged, 0 conflict(s)"
        )));
    let staff_a = json_out(stationdesk(&a).args(["staff", "list", "--format", "json"]));
    let staff_b = json_out(stationdesk(&b).args(["staff", "list", "--format", "json"]));
    assert_eq!(staff_a.as_array().map(Vec::len), Some(23));
    assert_eq!(staff_a, staff_b);
    assert_eq!(file_snapshot(&a), file_snapshot(&b));
    consistent(&b).expect("the imported rows each have their identity");

    // Again: nothing new; and as JSON.
    let again = json_out(
        stationdesk(&b)
            .arg("import")
            .arg(&all)
            .args(["--format", "json"]),
    );
    assert_eq!(again["applied"], true);
    assert_eq!(again["summary"]["new"], 0);
    assert_eq!(again["summary"]["unchanged"], rows);
    assert_eq!(again["rows"], rows);
    assert!(again["file"]
        .as_str()
        .is_some_and(|f| f.ends_with("all.bundle")));
    assert_eq!(
        json_out(stationdesk(&b).args(["conflicts", "list", "--format", "json"])),
        serde_json::json!([])
    );

    // A bundle for the county: the peer appears, with nothing pending.
    let status = json_out(stationdesk(&a).args(["sync", "--format", "json"]));
    assert_eq!(status["peers"], serde_json::json!([]));
    let seq = status["seq"].as_i64().expect("seq");
    let county = dir.path().join("county.bundle");
    stationdesk(&a)
        .args(["export", "--since-last", "county", "--out"])
        .arg(&county)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("changes 0..{seq}")));
    let status = json_out(stationdesk(&a).args(["sync", "--format", "json"]));
    let peers = status["peers"].as_array().expect("peers");
    assert_eq!(peers.len(), 1);
    assert_eq!(peers[0]["peer"], "county");
    assert_eq!(peers[0]["exported_seq"], seq);
    assert_eq!(peers[0]["pending"], 0);
    stationdesk(&a).args(["sync"]).assert().success().stdout(
        predicate::str::contains("county").and(predicate::str::contains("0 change(s) since")),
    );
    // Nothing changed since: the next county bundle is empty.
    stationdesk(&a)
        .args(["export", "--since-last", "county", "--out"])
        .arg(dir.path().join("county-2.bundle"))
        .assert()
        .success()
        .stdout(
            predicate::str::contains("0 row(s) (0 deleted)")
                .and(predicate::str::contains(format!("changes {seq}..{seq}"))),
        );
    stationdesk(&a)
        .args(["export", "--since-last", " ", "--out"])
        .arg(dir.path().join("nobody.bundle"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("peer"));
    // A folder that does not exist: the message names it, not the
    // temporary file the export would have written first.
    let nowhere = dir.path().join("no/such/folder");
    stationdesk(&a)
        .args(["export", "--since-last", "county", "--out"])
        .arg(nowhere.join("county-3.bundle"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains(format!(
                "cannot create a file in {}: it does not exist",
                nowhere.display()
            ))
            .and(predicate::str::contains("at path").not()),
        );
    assert!(!nowhere.exists());
}

// Hardening: rows the checks must catch although each looks well formed.

#[test]
fn a_uid_twice_in_one_bundle_is_refused_whole() {
    // The same row twice in one table, and one uid in two tables.
    let mut twice = medium().clone();
    let mut copy = last_row(&mut twice, "case_contact").clone();
    copy.values[col("case_contact", "note")] = "second copy".into();
    section(&mut twice, "case_contact").rows.push(copy);
    recount(&mut twice);
    let mut shared = medium().clone();
    let staff_uid = rows_of(&shared, "staff")[0].uid.clone();
    last_row(&mut shared, "case_contact").uid = staff_uid;
    for bundle in [twice, shared] {
        let Ok(bundle) = Bundle::decode(&encode(&bundle)) else {
            continue; // refused as damaged: fine
        };
        let mut r = Refusal::new();
        r.target
            .import_bundle(&bundle, "twice.bundle", false, now())
            .expect_err("one uid, two rows");
        assert_eq!(snapshot(&r.target), r.before);
        assert_eq!(r.target.sync_status().expect("status").seq, r.seq);
    }
}

#[test]
fn a_reference_to_a_row_of_another_table_is_refused() {
    let mut r = Refusal::new();
    // The target's own person (local id 1) stands in for a station.
    let person = r
        .before
        .iter()
        .find(|(_, (table, _, _))| table == "staff")
        .map(|(uid, _)| uid.clone())
        .expect("the local person");
    let e = r.refuse(|b| last_row(b, "staff").values[col("staff", "station_id")] = person.into());
    assert!(matches!(e.code(), "missing_parent" | "refused"), "{e}");
}

#[test]
fn a_bundle_claiming_the_last_clock_value_does_not_stop_local_writes() {
    let mut target = fixture::store();
    let before = snapshot(&target);
    let mut bundle = small().clone();
    bundle.manifest.max_hlc = i64::MAX;
    let bundle = Bundle::decode(&encode(&bundle)).expect("well formed");
    match target.import_bundle(&bundle, "clock.bundle", false, now()) {
        Err(_) => assert_eq!(snapshot(&target), before),
        Ok(_) => {
            let seq = target.sync_status().expect("status").seq;
            target
                .create_staff(&fixture::form("后来的人", "frontline"), today())
                .expect("a local write after the import");
            assert_eq!(target.sync_status().expect("status").seq, seq + 1);
        }
    }
}

#[test]
fn a_row_whose_id_is_changed_by_raw_sql_keeps_its_identity() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("moved.sqlite3");
    local_file_db(&db);
    {
        let conn = rusqlite::Connection::open(&db).expect("raw connection");
        conn.execute("UPDATE staff SET id = 500 WHERE id = 1", [])
            .expect("move the person");
    }
    consistent(&db).expect("the moved row keeps its identity");
    let store = Store::open(&db).expect("open");
    let mut elsewhere = Store::open_in_memory().expect("store");
    import(&mut elsewhere, &export_all(&store));
    assert_eq!(snapshot(&elsewhere), snapshot(&store));
}

/// What of the synchronised tables a bundle depends on, as a database at
/// `conn`'s version has them: each table's columns (name, type, NOT NULL,
/// default, key) and the values its CHECKs name.
fn what_travels(conn: &rusqlite::Connection) -> String {
    let mut out = String::new();
    for t in spec::TABLES {
        let mut stmt = conn
            .prepare(&format!("PRAGMA table_xinfo({})", t.name))
            .expect("columns");
        let cols = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{} {} {} {:?} {}",
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?
                ))
            })
            .expect("rows")
            .collect::<Result<Vec<_>, _>>()
            .expect("columns");
        let sql: Option<String> = conn
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [t.name],
                |r| r.get(0),
            )
            .optional()
            .expect("the schema");
        let mut values: Vec<String> = sql
            .iter()
            .flat_map(|s| crate::store::checks_of(s))
            .flat_map(|c| crate::store::literals_of(&c))
            .collect();
        values.sort();
        out.push_str(&format!(
            "{}: {}; values {}\n",
            t.name,
            cols.join(", "),
            values.join(" ")
        ));
    }
    out
}

#[test]
fn the_rows_schema_moves_with_what_travels() {
    let mut then = rusqlite::Connection::open_in_memory().expect("then");
    stationdesk::store::migrations()
        .to_version(&mut then, spec::ROWS_SCHEMA as usize)
        .expect("the rows' schema");
    let mut now = rusqlite::Connection::open_in_memory().expect("now");
    stationdesk::store::migrations()
        .to_latest(&mut now)
        .expect("latest");
    // Programs before migration 10 wrote their migration count, 9, into
    // their bundles: a lower number here would refuse those.
    const {
        assert!(spec::ROWS_SCHEMA >= 9);
        assert!(spec::ROWS_SCHEMA as usize <= stationdesk::store::SCHEMA_VERSION);
    }
    let (then, now) = (what_travels(&then), what_travels(&now));
    assert!(now.contains("role TEXT 1 None 0") && now.contains("frontline"));
    assert_eq!(
        then, now,
        "the synchronised tables changed since migration {}: set spec::ROWS_SCHEMA to the migration that changed them",
        spec::ROWS_SCHEMA
    );
}

#[test]
fn a_bundle_carries_the_rows_schema_not_the_migration_count() {
    let store = demo_store(3);
    let bundle = export_all(&store);
    assert_eq!(bundle.manifest.schema, spec::ROWS_SCHEMA);
    let bytes = encode(&bundle);
    assert_eq!(
        Bundle::manifest(&bytes).expect("manifest").schema,
        spec::ROWS_SCHEMA
    );
}

/// A database file copied to another laptop (or folder) instead of sent as
/// a bundle: the copy takes its own sync identity when it is opened there,
/// so the two copies' edits of one field meet as a conflict, as any two
/// laptops' do, instead of one being taken for an edit already seen.
#[test]
fn a_copied_database_file_takes_its_own_identity_so_no_edit_is_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a_path = dir.path().join("station.sqlite3");
    Store::open(&a_path)
        .expect("a")
        .load_demo(&generate(Scale::Station, 7, today()))
        .expect("demo");
    let origin = |path: &Path| {
        Store::open(path)
            .expect("open")
            .sync_status()
            .expect("status")
            .origin
    };
    let origin_a = origin(&a_path);
    assert_eq!(
        origin(&a_path),
        origin_a,
        "opened where it lives, it keeps it"
    );
    let b_path = dir.path().join("laptop-b").join("station.sqlite3");
    std::fs::create_dir(b_path.parent().expect("folder")).expect("mkdir");
    copy_db(&a_path, &b_path);
    let origin_b = origin(&b_path);
    assert_ne!(origin_b, origin_a, "the copy is another device");
    assert_eq!(origin(&b_path), origin_b);

    // Both change the first case's risk level, to different values.
    let risk = |path: &Path| -> String {
        rusqlite::Connection::open(path)
            .expect("raw")
            .query_row(
                "SELECT risk FROM client_case ORDER BY id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("risk")
    };
    let before = risk(&a_path);
    let others: Vec<&str> = ["general", "priority", "high"]
        .into_iter()
        .filter(|r| *r != before)
        .collect();
    for (path, value) in [(&a_path, others[0]), (&b_path, others[1])] {
        rusqlite::Connection::open(path)
            .expect("raw")
            .execute(
                "UPDATE client_case SET risk = ?1 WHERE id = (SELECT min(id) FROM client_case)",
                [value],
            )
            .expect("edit");
    }
    let from_b = Store::open(&b_path)
        .expect("b")
        .export_bundle(None, now(), &mut |_, _| {})
        .expect("export");
    let mut a = Store::open(&a_path).expect("a");
    a.import_bundle(&from_b, "b.bundle", false, now())
        .expect("import");
    let queue = a.conflicts(true).expect("queue");
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert!(queue[0].sensitive, "risk is a person's decision");
    let values = [
        queue[0].winner_value.as_str(),
        queue[0].loser_value.as_str(),
    ];
    for v in &others[..2] {
        assert!(values.iter().any(|w| w.contains(v)), "{values:?}");
    }
}
