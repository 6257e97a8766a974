//! The audit log: every create, update, delete, sign, amend, export and
//! import, with who and when and the names of the fields, never the values;
//! bulk work summed up in one entry; append-only; viewed and exported.

use chrono::{Local, NaiveDateTime};
use rusqlite::Connection;
use serde_json::Value;
use stationdesk::demo::{generate, Scale};
use stationdesk::model::{
    ActionItemInput, AttendeeInput, CaseInput, IdentityInput, NewStation, RecordInput,
};
use stationdesk::store::{AuditAction, AuditEntry, AuditFilter};
use stationdesk::sync::bundle::Bundle;
use stationdesk::Store;

use crate::fixture::stationdesk;
use crate::fixture::{add, form, today, triggers};

fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 0, 0).expect("time")
}

/// A store in a file (so a raw connection can write beside it), with one
/// station, acting as 陈站长.
fn file_store(dir: &tempfile::TempDir) -> (Store, std::path::PathBuf) {
    let path = dir.path().join("audit.sqlite3");
    let mut store = Store::open(&path).expect("store");
    store.set_actor("陈站长");
    store
        .add_station(&NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
    (store, path)
}

fn all(store: &Store) -> Vec<AuditEntry> {
    store
        .audit_entries(&AuditFilter {
            oldest_first: true,
            ..Default::default()
        })
        .expect("entries")
}

fn of(entries: &[AuditEntry], action: &str, table: &str) -> Vec<AuditEntry> {
    entries
        .iter()
        .filter(|e| e.action == action && e.table.as_deref() == Some(table))
        .cloned()
        .collect()
}

/// Every column of every entry, as the file holds it.
fn raw_log(path: &std::path::Path) -> String {
    let conn = Connection::open(path).expect("raw");
    let mut stmt = conn
        .prepare(
            "SELECT id, at, actor, action, coalesce(tbl, ''), coalesce(row_id, ''),
                    coalesce(row_uid, ''), fields, detail FROM audit_log",
        )
        .expect("select");
    let rows: Vec<String> = stmt
        .query_map([], |r| {
            Ok((0..9)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i)
                        .map(|v| format!("{v:?}"))
                })
                .collect::<rusqlite::Result<Vec<_>>>()?
                .join("|"))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    rows.join("\n")
}

#[test]
fn staff_are_logged_as_created_updated_and_deleted_with_who_and_which_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, path) = file_store(&dir);
    let id = add(&mut store, "王芳", "assistant_supervisor");
    let mut changed = form("王芳芳", "assistant_supervisor");
    changed.certificate_no = "SG2022000999".into();
    store.update_staff(id, &changed, today()).expect("updated");
    // Saving the same form again changes nothing, and logs nothing.
    store
        .update_staff(id, &changed, today())
        .expect("same again");
    // Another program deletes the row: logged too, as an outside write.
    Connection::open(&path)
        .expect("raw")
        .execute("DELETE FROM staff WHERE id = ?1", [id])
        .expect("raw delete");

    let entries = all(&store);
    let station = of(&entries, "create", "station");
    assert_eq!(station.len(), 1);
    let created = of(&entries, "create", "staff");
    assert_eq!(created.len(), 1, "{entries:#?}");
    assert_eq!(created[0].row_id, Some(id));
    assert_eq!(created[0].actor, "陈站长");
    let uid = created[0].row_uid.clone().expect("the row's uid");
    assert!(!uid.is_empty());
    let updated = of(&entries, "update", "staff");
    assert_eq!(updated.len(), 1, "{entries:#?}");
    assert_eq!(updated[0].fields, ["name", "certificate_no"]);
    assert_eq!(updated[0].row_uid.as_deref(), Some(uid.as_str()));
    let deleted = of(&entries, "delete", "staff");
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].actor, "(外部写入)");
    assert_eq!(deleted[0].row_uid.as_deref(), Some(uid.as_str()));
    assert_eq!(deleted[0].row_id, Some(id));
    // Local time, as the filters read it.
    let day = Local::now().date_naive().format("%Y-%m-%d").to_string();
    assert!(
        entries.iter().all(|e| e.at.starts_with(&day)),
        "{entries:#?}"
    );
    assert!(
        !raw_log(&path).contains("王芳芳"),
        "no value enters the log"
    );
}

#[test]
fn a_clients_identity_never_enters_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, path) = file_store(&dir);
    let worker = add(&mut store, "周敏", "frontline");
    let identity = IdentityInput {
        real_name: "李小明".into(),
        id_number: "430621201605010013".into(),
        phone: "13912345678".into(),
        guardian: "李建国（父）".into(),
        health_notes: "哮喘".into(),
        ..Default::default()
    };
    let case = CaseInput {
        code: "qx-2026-001".into(),
        station_id: 1,
        owner_id: worker,
        category: "children".into(),
        risk: "high".into(),
        stage: "intervention".into(),
        difficult: false,
        opened_on: "2026-11-01".into(),
        closed_on: String::new(),
        retain_until: "2036-01-01".into(),
    };
    let id = store
        .create_case(&case, Some(&identity), today())
        .expect("created");
    let edited = IdentityInput {
        real_name: "李晓明".into(),
        phone: "13800001111".into(),
        health_notes: "哮喘，青霉素过敏".into(),
        ..identity
    };
    store.set_identity(id, &edited, today()).expect("edited");

    let entries = all(&store);
    assert_eq!(of(&entries, "create", "client_case").len(), 1);
    assert_eq!(of(&entries, "create", "case_identity").len(), 1);
    let updated = of(&entries, "update", "case_identity");
    assert_eq!(updated.len(), 1, "{entries:#?}");
    assert_eq!(updated[0].fields, ["real_name", "phone", "health_notes"]);
    let log = raw_log(&path);
    for secret in [
        "李小明",
        "李晓明",
        "430621201605010013",
        "13912345678",
        "13800001111",
        "李建国",
        "哮喘",
        "青霉素",
        "QX-2026-001",
    ] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
}

fn record(boss: i64, worker: i64) -> RecordInput {
    RecordInput {
        supervisor_id: boss,
        date: "2026-11-20".into(),
        start_time: "09:00".into(),
        end_time: "10:30".into(),
        place: "会议室".into(),
        mode: "individual".into(),
        functions: vec!["educational".into()],
        supervisees: vec![AttendeeInput {
            staff_id: worker,
            attendance: "present".into(),
        }],
        topic: "家访安全".into(),
        findings: "记录不完整".into(),
        action_items: vec![
            ActionItemInput {
                what: "补全家访记录".into(),
                owner_id: Some(worker),
                due: "2026-11-30".into(),
                ..Default::default()
            },
            ActionItemInput {
                what: "预约回访".into(),
                owner_id: Some(worker),
                due: "2026-12-05".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}

#[test]
fn signing_and_amending_are_logged_against_the_record() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, _path) = file_store(&dir);
    let boss = add(&mut store, "陈雪云", "junior_supervisor");
    let worker = add(&mut store, "王芳", "assistant_supervisor");
    let id = store
        .create_record(&record(boss, worker), today(), now())
        .expect("created");
    // Dropping the second action item deletes its row.
    let mut shorter = record(boss, worker);
    shorter.action_items.truncate(1);
    shorter.topic = "家访安全与记录".into();
    store
        .update_record(id, &shorter, today(), now())
        .expect("updated");
    store.sign_record(id, boss, now()).expect("signed");
    store.set_actor("王芳");
    store.sign_record(id, worker, now()).expect("signed");
    store.set_actor("陈雪云");
    store
        .amend_record(id, "findings", "记录不完整，已补", "补充", "陈雪云", now())
        .expect("amended");

    let entries = all(&store);
    assert_eq!(of(&entries, "create", "supervision_record").len(), 1);
    assert_eq!(of(&entries, "create", "action_item").len(), 2);
    assert_eq!(of(&entries, "delete", "action_item").len(), 1);
    let updated = of(&entries, "update", "supervision_record");
    assert_eq!(updated.len(), 1, "{entries:#?}");
    assert!(updated[0].fields.contains(&"topic".to_owned()));
    assert!(!updated[0].fields.contains(&"findings".to_owned()));
    let record_uid = of(&entries, "create", "supervision_record")[0]
        .row_uid
        .clone();

    let signs = of(&entries, "sign", "supervision_record");
    assert_eq!(signs.len(), 2);
    assert_eq!(signs[0].row_id, Some(id));
    assert_eq!(signs[0].row_uid, record_uid);
    assert_eq!(signs[0].detail["staff_id"], boss);
    assert_eq!(signs[0].detail["role"], "supervisor");
    assert_eq!(signs[0].actor, "陈站长");
    assert_eq!(signs[1].detail["staff_id"], worker);
    assert_eq!(signs[1].actor, "王芳");
    assert!(of(&entries, "create", "record_signature").is_empty());

    let amends = of(&entries, "amend", "supervision_record");
    assert_eq!(amends.len(), 1);
    assert_eq!(amends[0].row_id, Some(id));
    assert_eq!(amends[0].fields, ["findings"]);
    assert_eq!(amends[0].actor, "陈雪云");
    assert!(of(&entries, "create", "record_amendment").is_empty());
    let text = format!("{entries:?}");
    assert!(!text.contains("已补") && !text.contains("补全家访记录"));
}

#[test]
fn the_log_is_append_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut store, path) = file_store(&dir);
    add(&mut store, "王芳", "frontline");
    let before = all(&store);
    assert!(!before.is_empty());
    let conn = Connection::open(&path).expect("raw");
    for sql in [
        "UPDATE audit_log SET actor = '别人'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_state",
        "INSERT INTO audit_log (at, actor, action) VALUES ('2026-01-01', 'x', 'rename')",
    ] {
        let e = conn.execute(sql, []).expect_err(sql);
        assert!(
            e.to_string().contains("append-only")
                || e.to_string().contains("needed")
                || e.to_string().contains("CHECK"),
            "{sql}: {e}"
        );
    }
    assert_eq!(all(&store), before);
}

#[test]
fn demo_export_and_import_each_write_one_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = Store::open(&dir.path().join("a.sqlite3")).expect("a");
    a.set_actor("甲");
    let demo = generate(Scale::Station, 3, today());
    a.load_demo(&demo).expect("demo");
    let entries = all(&a);
    assert_eq!(entries.len(), 1, "one entry for the demo: {entries:#?}");
    assert_eq!(entries[0].action, "create");
    assert_eq!(entries[0].table, None);
    assert_eq!(entries[0].detail["demo"], true);
    assert_eq!(entries[0].detail["staff"], demo.staff.len());

    let file = dir.path().join("a.bundle");
    let manifest = a
        .export_to(&file, None, now(), &mut |_, _| {})
        .expect("exported");
    let entries = all(&a);
    assert_eq!(entries.len(), 2);
    let export = &entries[1];
    assert_eq!(export.action, "export");
    assert_eq!(export.detail["rows"], manifest.rows());
    assert_eq!(export.detail["file"], file.display().to_string());
    assert_eq!(export.detail["sha256"].as_str().map(str::len), Some(64));

    let bytes = std::fs::read(&file).expect("read");
    let bundle = Bundle::decode(&bytes).expect("decode");
    let mut b = Store::open(&dir.path().join("b.sqlite3")).expect("b");
    b.set_actor("乙");
    // A preview writes nothing, to the log neither.
    b.import_bundle(&bundle, "a.bundle", true, now())
        .expect("dry run");
    assert!(all(&b).is_empty());
    b.import_file(&bundle, "a.bundle", "abc123", false, now(), &mut |_, _| {})
        .expect("merged");
    let (backups, entries): (Vec<_>, Vec<_>) =
        all(&b).into_iter().partition(|e| e.action == "backup");
    assert_eq!(backups.len(), 1, "the backup made before merging is logged");
    assert_eq!(backups[0].detail["reason"], "import");
    assert_eq!(entries.len(), 1, "one entry for the merge, none per row");
    let import = &entries[0];
    assert_eq!(import.action, "import");
    assert_eq!(import.actor, "乙");
    assert_eq!(import.detail["origin"], manifest.origin);
    assert_eq!(import.detail["new"], manifest.rows());
    assert_eq!(import.detail["conflicts"], 0);
    assert_eq!(import.detail["sha256"], "abc123");
    // Writes after the merge are logged again, row by row.
    add(&mut b, "新同事", "frontline");
    assert_eq!(of(&all(&b), "create", "staff").len(), 1);
}

#[test]
fn a_roster_import_writes_one_entry() {
    let mut store = crate::fixture::store();
    let before = all(&store).len();
    let csv = "姓名,岗位,职业资格,证书编号,登记日期,入职日期,离职日期\r\n\
        王芳,督导助理,助理社会工作师,zs2021-0042,2023/5/1,2020年3月1日,\r\n\
        李娜,一线社工,无,,,2024-03-05,\r\n";
    let table = stationdesk::import::read_table(csv.as_bytes(), "roster.csv").expect("table");
    let mapping =
        stationdesk::import::guess_mapping(stationdesk::import::ImportKind::Roster, &table.headers);
    let preview =
        stationdesk::import::preview_roster(&store, 1, &table, &mapping, today()).expect("preview");
    let ids = stationdesk::import::apply_roster(&mut store, &preview).expect("applied");
    let entries = all(&store);
    assert_eq!(entries.len(), before + 1, "{entries:#?}");
    let last = entries.last().expect("an entry");
    assert_eq!(last.action, "import");
    assert_eq!(last.table.as_deref(), Some("staff"));
    assert_eq!(last.detail["rows"], 2);
    assert_eq!(last.detail["ids"], serde_json::json!(ids));
    assert!(!format!("{entries:?}").contains("王芳"));
}

#[test]
fn entries_are_filtered_by_actor_action_table_and_day() {
    let mut store = crate::fixture::store();
    store.set_actor("甲");
    add(&mut store, "王芳", "frontline");
    store.set_actor("乙");
    let id = add(&mut store, "李娜", "frontline");
    store
        .update_staff(id, &form("李娜娜", "frontline"), today())
        .expect("updated");
    store
        .audit(
            AuditAction::Backup,
            None,
            None,
            serde_json::json!({"file": "x.bak"}),
        )
        .expect("an explicit entry");
    let pick = |f: AuditFilter| -> Vec<(String, String)> {
        store
            .audit_entries(&f)
            .expect("entries")
            .into_iter()
            .map(|e| (e.actor, e.action))
            .collect()
    };
    assert_eq!(
        pick(AuditFilter {
            actor: Some("乙".into()),
            ..Default::default()
        }),
        [
            ("乙".to_owned(), "backup".to_owned()),
            ("乙".into(), "update".into()),
            ("乙".into(), "create".into())
        ],
        "newest first"
    );
    assert_eq!(
        pick(AuditFilter {
            action: Some(AuditAction::Create),
            table: Some("staff".into()),
            oldest_first: true,
            ..Default::default()
        }),
        [
            ("甲".to_owned(), "create".to_owned()),
            ("乙".into(), "create".into())
        ]
    );
    let local = Local::now().date_naive();
    let tomorrow = local.succ_opt().expect("a day");
    let yesterday = local.pred_opt().expect("a day");
    let count = |from, to| {
        store
            .audit_entries(&AuditFilter {
                from,
                to,
                ..Default::default()
            })
            .expect("entries")
            .len()
    };
    let total = count(None, None);
    assert_eq!(total, 5, "station, two staff, an update, a backup");
    assert_eq!(count(Some(local), Some(local)), total);
    assert_eq!(count(Some(tomorrow), None), 0);
    assert_eq!(count(None, Some(yesterday)), 0);
    let page = store
        .audit_entries(&AuditFilter {
            limit: Some(2),
            offset: 1,
            ..Default::default()
        })
        .expect("a page");
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].action, "update");
}

#[test]
fn cli_records_who_and_lists_and_exports_the_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("a.sqlite3");
    stationdesk(&db)
        .args([
            "--as",
            "张站长",
            "demo",
            "--scale",
            "station",
            "--seed",
            "5",
        ])
        .assert()
        .success();
    let bundle = dir.path().join("a.bundle");
    stationdesk(&db)
        .env("STATIONDESK_USER", "李会计")
        .arg("export")
        .arg("--out")
        .arg(&bundle)
        .assert()
        .success();
    let out = stationdesk(&db)
        .args(["audit", "list", "--format", "json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows.len(), 2);
    for key in [
        "id", "at", "actor", "action", "table", "row_id", "row_uid", "fields", "detail",
    ] {
        assert!(rows[0].get(key).is_some(), "missing {key}: {}", rows[0]);
    }
    assert_eq!(rows[0]["action"], "export");
    assert_eq!(rows[0]["actor"], "李会计");
    assert_eq!(rows[1]["action"], "create");
    assert_eq!(rows[1]["actor"], "张站长");

    let out = stationdesk(&db)
        .args(["audit", "list", "--action", "create", "--format", "json"])
        .output()
        .expect("run");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows.len(), 1);
    // The action as the table shows it picks the same rows.
    let out = stationdesk(&db)
        .args(["audit", "list", "--action", "导出", "--format", "json"])
        .output()
        .expect("run");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["action"], "export");
    let day = Local::now().date_naive().format("%Y-%m-%d").to_string();
    let out = stationdesk(&db)
        .args(["audit", "list", "--from", &day, "--to", &day])
        .output()
        .expect("run");
    let table = String::from_utf8(out.stdout).expect("utf-8");
    assert!(table.contains("操作人") && table.contains("张站长") && table.contains("导出"));
    stationdesk(&db)
        .args(["audit", "list", "--action", "rename"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("is not an action"));

    let csv_path = dir.path().join("log.csv");
    stationdesk(&db)
        .args(["--as", "审计员", "audit", "export", "--out"])
        .arg(&csv_path)
        .assert()
        .success()
        .stdout(predicates::str::contains("2 entries"));
    let bytes = std::fs::read(&csv_path).expect("the CSV");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[..4], ["编号", "时间", "操作人", "操作"]);
    let records: Vec<csv::StringRecord> =
        reader.records().collect::<Result<_, _>>().expect("records");
    assert_eq!(records.len(), 2, "oldest first, as filtered before writing");
    assert_eq!(&records[0][2], "张站长");
    assert_eq!(&records[0][4], "create");
    assert_eq!(&records[1][3], "导出");
    // The export of the log is itself logged.
    let out = stationdesk(&db)
        .args(["audit", "list", "--actor", "审计员", "--format", "json"])
        .output()
        .expect("run");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["detail"]["kind"], "audit_csv");
    // No half file is left when the folder does not exist.
    stationdesk(&db)
        .args(["audit", "export", "--out"])
        .arg(dir.path().join("missing").join("log.csv"))
        .assert()
        .failure();
}

#[test]
fn a_database_from_before_the_log_migrates_with_an_empty_log() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite3");
    {
        let mut conn = Connection::open(&path).expect("raw");
        let before_audit = stationdesk::store::migration_sources()
            .iter()
            .position(|sql| sql.contains("CREATE TABLE audit_log"))
            .expect("the audit migration");
        stationdesk::store::migrations()
            .to_version(&mut conn, before_audit)
            .expect("the schema before the audit log");
        conn.execute_batch(
            "INSERT INTO station (name, township, county) VALUES ('旧站', '旧镇', '旧县');",
        )
        .expect("old data");
    }
    let mut store = Store::open(&path).expect("migrates");
    assert!(all(&store).is_empty(), "migrating logs nothing");
    store.set_actor("陈站长");
    add(&mut store, "王芳", "frontline");
    let entries = all(&store);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor, "陈站长");
}

#[test]
fn loading_the_demo_puts_every_audit_trigger_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("d.sqlite3");
    let mut store = Store::open(&path).expect("store");
    let before = triggers(&path);
    store
        .load_demo(&generate(Scale::Station, 2, today()))
        .expect("demo");
    assert_eq!(triggers(&path), before);
    add(&mut store, "新同事", "frontline");
    assert_eq!(of(&all(&store), "create", "staff").len(), 1);
}
