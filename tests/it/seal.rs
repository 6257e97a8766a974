//! Tamper evidence: the signed records' hash chains, checked against the
//! SQLite file edited behind the program's back as an attacker would.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::Connection;
use serde_json::Value;
use stationdesk::demo::{generate, Scale};
use stationdesk::model::{ActionItemInput, AttendeeInput, RecordInput};
use stationdesk::store::{RecordFilter, SealProblemKind, SealReport};
use stationdesk::Store;

use crate::fixture::stationdesk;
use crate::fixture::{add, today};

fn now() -> NaiveDateTime {
    today().and_hms_opt(16, 0, 0).expect("a time")
}

/// A database file with the station demo in it.
fn demo_file() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let mut store = Store::open(&db).expect("open");
    store
        .load_demo(&generate(Scale::Station, 5, today()))
        .expect("the demo loads");
    (dir, db)
}

fn verify(db: &Path) -> SealReport {
    Store::open(db)
        .expect("open")
        .verify_seals()
        .expect("verify")
}

/// The attacker's connection: plain SQLite, no program in between.
fn raw(db: &Path) -> Connection {
    Connection::open(db).expect("raw open")
}

fn count(conn: &Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

/// The signed records, oldest first.
fn signed(store: &Store) -> Vec<stationdesk::store::RecordSummary> {
    let mut list: Vec<_> = store
        .list_records(RecordFilter::default())
        .expect("list")
        .into_iter()
        .filter(|r| r.locked())
        .collect();
    list.reverse();
    list
}

fn kinds_of(report: &SealReport, record_id: i64) -> Vec<SealProblemKind> {
    report
        .problems
        .iter()
        .filter(|p| p.record_id == record_id)
        .map(|p| p.kind)
        .collect()
}

#[test]
fn the_signed_demo_verifies_and_a_text_edited_in_the_file_is_named() {
    let (_dir, db) = demo_file();
    let report = verify(&db);
    assert!(report.ok(), "{:?}", report.problems);
    let conn = raw(&db);
    let signatures = count(&conn, "SELECT count(*) FROM record_signature");
    assert!(signatures > 20, "the demo has signed records");
    assert_eq!(report.entries as i64, signatures);
    assert_eq!(
        report.records as i64,
        count(
            &conn,
            "SELECT count(DISTINCT record_id) FROM record_signature"
        )
    );
    let store = Store::open(&db).expect("open");
    let victim = signed(&store)[3].clone();
    drop(store);

    // The lock refuses the edit…
    let refused = conn.execute(
        "UPDATE supervision_record SET findings = '一切正常' WHERE id = ?1",
        [victim.id],
    );
    assert!(refused.is_err(), "the lock trigger stands");
    // …so the attacker drops it first.
    conn.execute_batch("DROP TRIGGER signed_record_no_update")
        .expect("drop the lock");
    conn.execute(
        "UPDATE supervision_record SET findings = '一切正常' WHERE id = ?1",
        [victim.id],
    )
    .expect("edit behind the program's back");
    drop(conn);

    let report = verify(&db);
    assert!(!report.ok());
    assert_eq!(report.altered_records(), vec![victim.id]);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let p = &report.problems[0];
    assert_eq!(p.kind, SealProblemKind::ContentChanged);
    assert_eq!(p.year, Some(victim.year));
    assert_eq!(p.number, Some(victim.number));
    assert_eq!(p.supervisor_id, victim.supervisor_id);
    assert_eq!(p.supervisor_name, victim.supervisor_name);
}

#[test]
fn attendees_action_items_and_signatures_edited_in_the_file_are_named() {
    let (_dir, db) = demo_file();
    let store = Store::open(&db).expect("open");
    let records = signed(&store);
    let view = store.record(records[0].id).expect("a record");
    let (a, c) = (records[0].id, records[5].id);
    let b = records
        .iter()
        .map(|r| r.id)
        .find(|&id| id != a && id != c && !store.record(id).expect("record").items.is_empty())
        .expect("another signed record with an action item");
    // Tracking an item after signing is allowed, and not sealed.
    let item = store.record(b).expect("record").items[0].id;
    drop(store);
    let mut store = Store::open(&db).expect("open");
    store
        .set_item_done(item, "2026-11-20", "已完成")
        .expect("done");
    assert!(store.verify_seals().expect("verify").ok());
    drop(store);

    let conn = raw(&db);
    conn.execute_batch(
        "DROP TRIGGER signed_attendee_no_change;
         DROP TRIGGER signed_item_no_change;
         DROP TRIGGER signature_no_change;",
    )
    .expect("drop the locks");
    let attendee = view.attendees[0].0;
    conn.execute(
        "UPDATE record_attendee SET attendance = 'absent' WHERE record_id = ?1 AND staff_id = ?2",
        [a, attendee],
    )
    .expect("edit an attendee");
    conn.execute(
        "UPDATE action_item SET due_date = '2027-01-01' WHERE id = ?1",
        [item],
    )
    .expect("edit an item");
    conn.execute(
        "UPDATE record_signature SET signed_at = '2020-01-01T00:00:00' WHERE record_id = ?1",
        [c],
    )
    .expect("backdate a signature");
    drop(conn);

    let report = verify(&db);
    assert_eq!(report.altered_records(), {
        let mut ids = vec![a, b, c];
        ids.sort();
        ids
    });
    assert_eq!(kinds_of(&report, a), vec![SealProblemKind::ContentChanged]);
    assert_eq!(kinds_of(&report, b), vec![SealProblemKind::ContentChanged]);
    assert!(kinds_of(&report, c)
        .iter()
        .all(|k| *k == SealProblemKind::EventChanged));
    assert!(report
        .problems
        .iter()
        .any(|p| p.record_id == c && p.detail.contains("signature")));
}

#[test]
fn an_amendment_through_the_program_keeps_the_chain_valid_and_its_edit_is_named() {
    let (_dir, db) = demo_file();
    let mut store = Store::open(&db).expect("open");
    let record = signed(&store)[2].clone();
    let before = store.verify_seals().expect("verify");
    store
        .amend_record(
            record.id,
            "guidance",
            "补充：每周回访一次",
            "笔误更正",
            "陈雪云",
            now(),
        )
        .expect("amend");
    let after = store.verify_seals().expect("verify");
    assert!(after.ok(), "{:?}", after.problems);
    assert_eq!(after.entries, before.entries + 1);
    let chain = after
        .chains
        .iter()
        .find(|c| c.supervisor_id == record.supervisor_id)
        .expect("the supervisor's chain");
    let old = before
        .chains
        .iter()
        .find(|c| c.supervisor_id == record.supervisor_id)
        .expect("the supervisor's chain");
    assert_eq!(chain.entries, old.entries + 1);
    assert_ne!(chain.head, old.head);
    drop(store);

    let conn = raw(&db);
    conn.execute_batch("DROP TRIGGER amendment_append_only_update")
        .expect("drop the lock");
    conn.execute(
        "UPDATE record_amendment SET amended = '不再回访' WHERE record_id = ?1",
        [record.id],
    )
    .expect("edit the amendment");
    drop(conn);
    let report = verify(&db);
    assert_eq!(report.altered_records(), vec![record.id]);
    assert_eq!(
        kinds_of(&report, record.id),
        vec![SealProblemKind::EventChanged]
    );
    assert!(report.problems[0].detail.contains("amendment"));
}

#[test]
fn removed_seal_entries_signatures_and_forged_signatures_are_named() {
    let (_dir, db) = demo_file();
    let conn = raw(&db);
    // Two entries of the same chain, not the last: (supervisor, seq) of
    // its 2nd and 5th entries.
    let (supervisor, last): (i64, i64) = conn
        .query_row(
            "SELECT supervisor_id, max(seq) FROM record_seal GROUP BY supervisor_id
             ORDER BY max(seq) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the longest chain");
    assert!(last > 8);
    let entry = |seq: i64| -> (i64, i64) {
        conn.query_row(
            "SELECT record_id, ref FROM record_seal WHERE supervisor_id = ?1 AND seq = ?2",
            [supervisor, seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("an entry")
    };
    let (gone_seal, _) = entry(2);
    let (after_gone, _) = entry(3);
    let (last_record, _) = entry(last);
    // The seals are append-only…
    assert!(conn
        .execute(
            "DELETE FROM record_seal WHERE supervisor_id = ?1 AND seq = 2",
            [supervisor]
        )
        .is_err());
    // …until the attacker drops the trigger.
    conn.execute_batch("DROP TRIGGER record_seal_no_delete; DROP TRIGGER signature_no_delete")
        .expect("drop");
    conn.execute(
        "DELETE FROM record_seal WHERE supervisor_id = ?1 AND seq IN (2, ?2)",
        [supervisor, last],
    )
    .expect("remove two entries");
    // A signature removed (its entry stays), and one forged (no entry).
    let (unsigned_record, unsigned_signer) = entry(6);
    conn.execute(
        "DELETE FROM record_signature WHERE record_id = ?1 AND staff_id = ?2",
        [unsigned_record, unsigned_signer],
    )
    .expect("remove a signature");
    let unsigned: i64 = conn
        .query_row(
            "SELECT r.id FROM supervision_record r
             WHERE NOT EXISTS (SELECT 1 FROM record_signature s WHERE s.record_id = r.id)
             LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("an unsigned record");
    conn.execute(
        "INSERT INTO record_signature (record_id, staff_id, role, name, signed_at)
         SELECT id, supervisor_id, 'supervisor', '伪造', '2026-11-01T10:00:00'
         FROM supervision_record WHERE id = ?1",
        [unsigned],
    )
    .expect("forge a signature");
    drop(conn);

    let report = verify(&db);
    assert!(kinds_of(&report, gone_seal).contains(&SealProblemKind::SealMissing));
    assert!(kinds_of(&report, after_gone).contains(&SealProblemKind::ChainBroken));
    assert_eq!(
        kinds_of(&report, last_record),
        vec![SealProblemKind::SealMissing],
        "the chain's last entry removed leaves its signature unsealed"
    );
    assert!(kinds_of(&report, unsigned_record).contains(&SealProblemKind::EventMissing));
    assert_eq!(
        kinds_of(&report, unsigned),
        vec![SealProblemKind::SealMissing]
    );
    let mut named = vec![
        gone_seal,
        after_gone,
        last_record,
        unsigned_record,
        unsigned,
    ];
    named.sort();
    named.dedup();
    assert_eq!(report.altered_records(), named);
}

fn session(boss: i64, worker: i64, date: &str, topic: &str) -> RecordInput {
    RecordInput {
        supervisor_id: boss,
        date: date.into(),
        start_time: "09:00".into(),
        end_time: "10:00".into(),
        place: "会议室".into(),
        mode: "individual".into(),
        functions: vec!["educational".into()],
        supervisees: vec![AttendeeInput {
            staff_id: worker,
            attendance: "present".into(),
        }],
        topic: topic.into(),
        findings: "记录不完整".into(),
        action_items: vec![ActionItemInput {
            what: "补全记录".into(),
            owner_id: Some(worker),
            due: "2026-11-30".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn each_supervisor_has_an_independent_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("two.sqlite3");
    let mut store = Store::open(&db).expect("open");
    store
        .add_station(&stationdesk::model::NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
    let chen = add(&mut store, "陈雪云", "junior_supervisor");
    let lin = add(&mut store, "林霞", "senior_supervisor");
    let wang = add(&mut store, "王芳", "assistant_supervisor");
    let zhou = add(&mut store, "周敏", "frontline");
    let mut ids = vec![];
    for (n, (boss, worker)) in [(chen, wang), (lin, zhou), (chen, zhou), (lin, wang)]
        .into_iter()
        .enumerate()
    {
        let date = format!("2026-11-{:02}", 2 + n);
        let id = store
            .create_record(&session(boss, worker, &date, "家访安全"), today(), now())
            .expect("a record");
        store.sign_record(id, boss, now()).expect("boss signs");
        store.sign_record(id, worker, now()).expect("worker signs");
        ids.push(id);
    }
    let report = store.verify_seals().expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.entries, 8);
    assert_eq!(report.chains.len(), 2);
    for c in &report.chains {
        assert_eq!(c.entries, 4);
        assert!([chen, lin].contains(&c.supervisor_id));
    }
    drop(store);
    let conn = raw(&db);
    let firsts: Vec<String> = conn
        .prepare("SELECT prev_hash FROM record_seal WHERE seq = 1 ORDER BY supervisor_id")
        .expect("sql")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    assert_eq!(firsts, vec![stationdesk::store::seal::GENESIS; 2]);
    // Lin's first record altered: only it is named, Chen's chain is whole.
    conn.execute_batch("DROP TRIGGER signed_record_no_update")
        .expect("drop");
    conn.execute(
        "UPDATE supervision_record SET topic = '无' WHERE id = ?1",
        [ids[1]],
    )
    .expect("edit");
    drop(conn);
    let report = verify(&db);
    assert_eq!(report.altered_records(), vec![ids[1]]);
    assert!(report
        .problems
        .iter()
        .all(|p| p.supervisor_id == lin && p.supervisor_name == "林霞"));
}

#[test]
fn records_signed_before_the_seals_are_sealed_when_the_program_opens() {
    let (_dir, db) = demo_file();
    let (entries, heads) = {
        let r = verify(&db);
        (r.entries, r.chains.len())
    };
    // As if the seal migration had just run on a database already holding
    // signatures: its tables made afresh, the backlog filled, no entries.
    let conn = raw(&db);
    let sources = stationdesk::store::migration_sources();
    let seal = sources
        .iter()
        .position(|sql| sql.contains("CREATE TABLE record_seal"))
        .expect("the seal migration");
    assert!(seal < stationdesk::store::SCHEMA_VERSION);
    conn.execute_batch("DROP TABLE record_seal; DROP TABLE seal_backlog;")
        .expect("undo the seals");
    conn.execute_batch(sources[seal])
        .expect("the migration again");
    assert!(count(&conn, "SELECT count(*) FROM seal_backlog") as usize == entries);
    assert_eq!(count(&conn, "SELECT count(*) FROM record_seal"), 0);
    drop(conn);
    let report = verify(&db);
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.entries, entries);
    assert_eq!(report.chains.len(), heads);
    let conn = raw(&db);
    assert_eq!(count(&conn, "SELECT count(*) FROM seal_backlog"), 0);
}

#[test]
fn signatures_and_amendments_from_another_laptop_are_sealed_on_import() {
    let mut a = Store::open_in_memory().expect("a");
    a.load_demo(&generate(Scale::Station, 5, today()))
        .expect("demo");
    let mut b = Store::open_in_memory().expect("b");
    let bundle = a
        .export_bundle(None, now(), &mut |_, _| {})
        .expect("export");
    b.import_bundle(&bundle, "a.bundle", false, now())
        .expect("import");
    let report = b.verify_seals().expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.entries, a.verify_seals().expect("verify").entries);

    // An unsigned record signed by its supervisor on A and amended, then by
    // its supervisee on B: each laptop seals what it learns.
    let open = a
        .list_records(RecordFilter::default())
        .expect("list")
        .into_iter()
        .find(|r| !r.locked() && r.signers_needed == 2)
        .expect("an unsigned record");
    let view = a.record(open.id).expect("record");
    a.sign_record(open.id, view.content.supervisor_id, now())
        .expect("sign on A");
    a.amend_record(open.id, "topic", "家访安全（修订）", "更正", "督导", now())
        .expect("amend on A");
    let bundle = a
        .export_bundle(None, now(), &mut |_, _| {})
        .expect("export");
    b.import_bundle(&bundle, "a.bundle", false, now())
        .expect("import");
    let on_b = b
        .list_records(RecordFilter::default())
        .expect("list")
        .into_iter()
        .find(|r| {
            r.supervisor_id == open.supervisor_id && r.number == open.number && r.year == open.year
        })
        .expect("the record on B");
    let worker = b.record(on_b.id).expect("record").attendees[0].0;
    b.sign_record(on_b.id, worker, now()).expect("sign on B");
    let report = b.verify_seals().expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    let bundle = b
        .export_bundle(None, now(), &mut |_, _| {})
        .expect("export");
    a.import_bundle(&bundle, "b.bundle", false, now())
        .expect("import");
    let report = a.verify_seals().expect("verify");
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.entries, b.verify_seals().expect("verify").entries);
}

#[test]
fn the_command_line_verify_prints_the_report_and_exits_3_when_altered() {
    let (_dir, db) = demo_file();
    let out = stationdesk(&db)
        .args(["verify", "--format", "json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], true);
    for key in ["ok", "records", "entries", "chains", "problems"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v["problems"].as_array().expect("array").is_empty());
    let chain = &v["chains"][0];
    for key in ["supervisor_id", "supervisor_name", "entries", "head"] {
        assert!(chain.get(key).is_some(), "missing chains[].{key}");
    }
    assert_eq!(chain["head"].as_str().expect("hex").len(), 64);
    let table = stationdesk(&db).arg("verify").output().expect("run");
    assert!(table.status.success());
    assert!(String::from_utf8_lossy(&table.stdout).contains("OK:"));

    let store = Store::open(&db).expect("open");
    let victim = signed(&store)[1].clone();
    drop(store);
    let conn = raw(&db);
    conn.execute_batch("DROP TRIGGER signed_record_no_update")
        .expect("drop");
    conn.execute(
        "UPDATE supervision_record SET guidance = '' WHERE id = ?1",
        [victim.id],
    )
    .expect("edit");
    drop(conn);

    let out = stationdesk(&db)
        .args(["verify", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false);
    let problems = v["problems"].as_array().expect("array");
    assert_eq!(problems.len(), 1);
    let p = &problems[0];
    assert_eq!(p["record_id"], victim.id);
    assert_eq!(p["year"], victim.year);
    assert_eq!(p["number"], victim.number);
    assert_eq!(p["supervisor_name"], victim.supervisor_name.as_str());
    assert_eq!(p["kind"], "content_changed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 problem(s) in 1 signed record(s)"));
    let table = stationdesk(&db).arg("verify").output().expect("run");
    assert_eq!(table.status.code(), Some(3));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("ALTERED: 1 problem(s) in 1 record(s)"),
        "{text}"
    );
    assert!(text.contains(&format!("{}年第{}次", victim.year, victim.number)));
    assert!(text.contains("content_changed"));
}
