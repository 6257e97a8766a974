//! Retention: cases past their retain-until date are listed; a purge needs
//! the code typed again, removes the client's identity, consents and their
//! review-queue values for good (not even in the file's bytes), keeps the
//! case, and travels to other laptops as tombstones.

use std::path::Path;

use chrono::NaiveDateTime;
use serde_json::Value;
use stationdesk::demo::{generate, Scale};
use stationdesk::model::{CaseInput, Code, ConsentInput, ContactInput, IdentityInput};
use stationdesk::sync::bundle::Bundle;
use stationdesk::{Store, StoreError};

use crate::fixture::{add, day, store, today};
use crate::fixture::{json_out, stationdesk};

const NAME: &str = "欧阳晓岚";
/// The GB 11643 standard's own example number.
const ID_NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13712345678";

fn now() -> NaiveDateTime {
    today().and_hms_opt(9, 30, 0).expect("a time")
}

/// Lets the clock move on, so the next write has a later version.
fn tick() {
    std::thread::sleep(std::time::Duration::from_millis(3));
}

fn invalid(e: StoreError) -> Vec<(&'static str, Code)> {
    match e {
        StoreError::Invalid(i) => i.0.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a validation error, got {other}"),
    }
}

fn case(code: &str, owner: i64, closed_on: &str, retain_until: &str) -> CaseInput {
    CaseInput {
        code: code.into(),
        station_id: 1,
        owner_id: owner,
        category: "elderly".into(),
        risk: "general".into(),
        stage: if closed_on.is_empty() {
            "intervention"
        } else {
            "closed"
        }
        .into(),
        difficult: false,
        opened_on: "2015-03-01".into(),
        closed_on: closed_on.into(),
        retain_until: retain_until.into(),
    }
}

fn identity(phone: &str) -> IdentityInput {
    IdentityInput {
        real_name: NAME.into(),
        id_number: ID_NUMBER.into(),
        phone: phone.into(),
        health_notes: "高血压，独居".into(),
        ..Default::default()
    }
}

/// A case with the client's identity, a consent and a contact, entered
/// early in 2016 (while it was kept).
fn full_case(store: &mut Store, code: &str, closed_on: &str, retain_until: &str) -> i64 {
    let then = day("2016-02-01");
    let owner = store
        .list_staff(None, today())
        .expect("staff")
        .first()
        .map(|s| s.staff.id)
        .expect("an owner");
    let id = store
        .create_case(
            &case(code, owner, closed_on, retain_until),
            Some(&identity(PHONE)),
            then,
        )
        .expect("case");
    store
        .add_consent(
            id,
            &ConsentInput {
                kind: "sensitive".into(),
                given_on: "2015-03-01".into(),
                given_by: NAME.into(),
                scope: "健康状况".into(),
            },
            then,
        )
        .expect("consent");
    store
        .add_contact(
            id,
            &ContactInput {
                date: "2015-04-01".into(),
                kind: "home_visit".into(),
                staff_id: owner,
                note: String::new(),
            },
            then,
        )
        .expect("contact");
    id
}

fn with_staff() -> Store {
    let mut s = store();
    add(&mut s, "刘社工", "frontline");
    s
}

fn export(store: &Store) -> Bundle {
    store
        .export_bundle(None, now(), &mut |_, _| {})
        .expect("export")
}

fn import(store: &mut Store, bundle: &Bundle) {
    store
        .import_bundle(bundle, "test.bundle", false, now())
        .expect("import");
}

/// Every queue entry's losing value, as text.
fn queue_values(store: &Store) -> Vec<String> {
    store
        .conflicts(false)
        .expect("queue")
        .into_iter()
        .map(|c| c.loser_value)
        .collect()
}

fn holds_any_personal_value(values: &[String]) -> bool {
    values.iter().any(|v| {
        v.contains(NAME) || v.contains(ID_NUMBER) || v.contains("1381") || v.contains(PHONE)
    })
}

#[test]
fn cases_past_their_date_are_listed_open_ones_flagged() {
    let mut s = with_staff();
    let due = full_case(&mut s, "QX-2015-001", "2016-01-10", "2026-01-10");
    let kept = full_case(&mut s, "QX-2015-002", "2016-01-10", "2036-01-10");
    let open = full_case(&mut s, "QX-2015-003", "", "2025-06-30");
    let on_the_day = full_case(&mut s, "QX-2015-004", "2016-01-10", "2026-11-22");
    let list = s.past_retention(today()).expect("list");
    let ids: Vec<i64> = list.iter().map(|r| r.case_id).collect();
    // Longest past first; a date of today is not past; a later one is kept.
    assert_eq!(ids, vec![open, due]);
    assert!(!ids.contains(&kept) && !ids.contains(&on_the_day));
    let open_row = &list[0];
    assert!(
        !open_row.purgeable(),
        "an open case is listed, not purgeable"
    );
    assert_eq!(open_row.days_past, (today() - day("2025-06-30")).num_days());
    let due_row = &list[1];
    assert!(due_row.purgeable());
    assert!(due_row.has_identity && due_row.consents == 1 && due_row.holds_personal());
    assert_eq!(due_row.code, "QX-2015-001");
    assert_eq!(due_row.owner_name, "刘社工");
    assert!(due_row.purged.is_none());
    // As of an earlier day, only the open case was past.
    let earlier = s.past_retention(day("2026-01-10")).expect("list");
    assert_eq!(
        earlier.iter().map(|r| r.case_id).collect::<Vec<_>>(),
        vec![open]
    );
}

#[test]
fn refused_purges_change_nothing() {
    let mut s = with_staff();
    let due = full_case(&mut s, "QX-2015-001", "2016-01-10", "2026-01-10");
    let kept = full_case(&mut s, "QX-2015-002", "2016-01-10", "2036-01-10");
    let open = full_case(&mut s, "QX-2015-003", "", "2025-06-30");
    let before = s.sync_snapshot().expect("snapshot");
    let e = s
        .purge_case(due, "QX-2015-010", "王站长", today())
        .expect_err("wrong code");
    assert_eq!(invalid(e), vec![("confirm", Code::ConfirmMismatch)]);
    let e = s.purge_case(due, " ", "", today()).expect_err("empty");
    assert_eq!(
        invalid(e),
        vec![("confirm", Code::Required), ("by", Code::Required)]
    );
    let e = s
        .purge_case(kept, "QX-2015-002", "王站长", today())
        .expect_err("not yet due");
    assert_eq!(invalid(e), vec![("retain_until", Code::RetentionNotPassed)]);
    let e = s
        .purge_case(open, "QX-2015-003", "王站长", today())
        .expect_err("open");
    assert_eq!(invalid(e), vec![("stage", Code::CaseOpen)]);
    let e = s
        .purge_case(9999, "X", "王站长", today())
        .expect_err("no such case");
    assert!(matches!(e, StoreError::NotFound { .. }), "{e}");
    assert_eq!(s.sync_snapshot().expect("snapshot"), before);
    for id in [due, kept, open] {
        let v = s.case_view(id).expect("case");
        assert_eq!(v.identity.expect("kept").real_name, NAME);
        assert_eq!(v.consents.len(), 1);
    }
    assert!(s
        .past_retention(today())
        .expect("list")
        .iter()
        .all(|r| r.purged.is_none()));
}

#[test]
fn a_purge_removes_the_identity_consents_and_queue_values_and_keeps_the_case() {
    // Two laptops edit the client's name at once: each queue holds the
    // losing name.
    let mut a = with_staff();
    let id = full_case(&mut a, "QX-2015-001", "2016-01-10", "2026-01-10");
    let mut b = Store::open_in_memory().expect("store");
    import(&mut b, &export(&a));
    // Edited while the case was still kept (as of 2025).
    let earlier = day("2025-12-01");
    let renamed = |name: &str| IdentityInput {
        real_name: name.into(),
        ..identity(PHONE)
    };
    tick();
    a.set_identity(id, &renamed("欧阳晓兰"), earlier)
        .expect("edit a");
    tick();
    let id_b = b.case_id("QX-2015-001").expect("case").expect("here");
    b.set_identity(id_b, &renamed("欧阳小岚"), earlier)
        .expect("edit b");
    let (from_a, from_b) = (export(&a), export(&b));
    import(&mut a, &from_b);
    import(&mut b, &from_a);
    assert_eq!(a.conflicts(true).expect("queue").len(), 1);
    assert!(queue_values(&a)
        .iter()
        .any(|v| v.contains("欧阳晓兰") || v.contains("欧阳小岚")));

    let report = a
        .purge_case(id, "qx-2015-001", " 王站长 ", today())
        .expect("purge");
    assert!(report.identity_removed);
    assert_eq!(report.consents_removed, 1);
    assert_eq!(report.queue_entries_removed, 1);
    assert!(report.checkpointed);
    let v = a.case_view(id).expect("the case stays");
    assert!(v.identity.is_none() && v.consents.is_empty());
    assert_eq!(v.summary.case.code, "QX-2015-001");
    assert_eq!(v.contacts.len(), 1, "contacts are workload history");
    assert!(a.conflicts(false).expect("queue").is_empty());
    let row = a
        .past_retention(today())
        .expect("list")
        .into_iter()
        .find(|r| r.case_id == id)
        .expect("still listed");
    assert!(!row.holds_personal());
    assert_eq!(row.purged, Some((today(), "王站长".to_string())));
    // Purging again, with nothing left, changes nothing: the first purge's
    // date and name stand and the audit log gets no empty entry.
    let entries = |s: &Store| {
        s.audit_entries(&stationdesk::store::AuditFilter::default())
            .expect("audit")
            .len()
    };
    let before = entries(&a);
    let later = today() + chrono::Days::new(3);
    let again = a
        .purge_case(id, "QX-2015-001", "李助理", later)
        .expect("again");
    assert!(!again.identity_removed && again.consents_removed == 0);
    assert_eq!(entries(&a), before);
    let row = a
        .past_retention(later)
        .expect("list")
        .into_iter()
        .find(|r| r.case_id == id)
        .expect("still listed");
    assert_eq!(row.purged, Some((today(), "王站长".to_string())));
    // No new personal information for it by hand.
    let e = a
        .set_identity(id, &identity(PHONE), today())
        .expect_err("refused");
    assert_eq!(invalid(e), vec![("retain_until", Code::RetentionPassed)]);
    let e = a
        .add_consent(
            id,
            &ConsentInput {
                kind: "processing".into(),
                given_on: "2016-01-01".into(),
                given_by: NAME.into(),
                scope: "x".into(),
            },
            today(),
        )
        .expect_err("refused");
    assert_eq!(invalid(e), vec![("retain_until", Code::RetentionPassed)]);

    // The other laptop: the tombstones delete the identity, the consent
    // and the queue entry there too.
    import(&mut b, &export(&a));
    let v = b.case_view(id_b).expect("the case stays");
    assert!(v.identity.is_none() && v.consents.is_empty());
    assert!(
        !holds_any_personal_value(&queue_values(&b)),
        "{:?}",
        queue_values(&b)
    );
    assert!(b.conflicts(false).expect("queue").is_empty());
    assert_eq!(a.sync_snapshot().expect("a"), b.sync_snapshot().expect("b"));
    // Purged there only by the bundle: listed as holding nothing, with no
    // local purge entry.
    let row = b
        .past_retention(today())
        .expect("list")
        .into_iter()
        .find(|r| r.case_id == id_b)
        .expect("listed");
    assert!(!row.holds_personal() && row.purged.is_none());
}

#[test]
fn an_edit_from_a_laptop_that_had_not_seen_the_purge_does_not_bring_it_back() {
    let mut a = with_staff();
    let id = full_case(&mut a, "QX-2015-001", "2016-01-10", "2026-01-10");
    let mut b = Store::open_in_memory().expect("store");
    import(&mut b, &export(&a));
    let id_b = b.case_id("QX-2015-001").expect("case").expect("here");
    // Laptop B, which has not seen the purge, corrects the phone (dated
    // before the date passed, as a late entry would be).
    tick();
    b.set_identity(id_b, &identity("13812345678"), day("2025-12-01"))
        .expect("edit");
    tick();
    a.purge_case(id, "QX-2015-001", "王站长", today())
        .expect("purge");
    let (from_a, from_b) = (export(&a), export(&b));
    import(&mut a, &from_b);
    import(&mut b, &from_a);
    // The deletion stands on both (it is a later life of the row than the
    // one B edited); B's edit is not silently dropped: the queue says an
    // edit of the case's identity was lost, without its values.
    for s in [&a, &b] {
        let listed = s.past_retention(today()).expect("list");
        assert!(listed.iter().all(|r| !r.has_identity), "{listed:?}");
        let q = s.conflicts(true).expect("queue");
        assert_eq!(q.len(), 1, "{q:#?}");
        assert_eq!(q[0].table, "case_identity");
        assert_eq!(q[0].kind, "deleted");
        let loser: Value = serde_json::from_str(&q[0].loser_value).expect("JSON");
        assert_eq!(
            loser
                .as_object()
                .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["case_id".to_string()])
        );
        assert!(!holds_any_personal_value(&queue_values(s)));
    }
    assert_eq!(a.sync_snapshot().expect("a"), b.sync_snapshot().expect("b"));
    assert!(a.case_view(id).expect("case").identity.is_none());
    assert!(b.case_view(id_b).expect("case").identity.is_none());
}

/// Every file of the database (main, WAL), concatenated.
fn file_bytes(db: &Path) -> Vec<u8> {
    let mut all = std::fs::read(db).expect("the database file");
    for suffix in ["-wal", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(more) = std::fs::read(&p) {
            all.extend(more);
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    haystack.windows(n.len()).any(|w| w == n)
}

#[test]
fn a_purged_identity_is_gone_from_the_files_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("plain.sqlite3");
    let id = {
        let mut s = Store::open(&db).expect("open");
        s.add_station(&stationdesk::model::NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
        add(&mut s, "刘社工", "frontline");
        let id = full_case(&mut s, "QX-2015-001", "2016-01-10", "2026-01-10");
        // An earlier phone, edited away, must leave no copy either.
        s.set_identity(id, &identity("13812345678"), day("2025-12-01"))
            .expect("edit");
        id
    };
    let bytes = file_bytes(&db);
    assert!(contains(&bytes, NAME) && contains(&bytes, ID_NUMBER));
    {
        let mut s = Store::open(&db).expect("open");
        s.purge_case(id, "QX-2015-001", "王站长", today())
            .expect("purge");
        // Right after the purge, with the store still open.
        let bytes = file_bytes(&db);
        for secret in [NAME, ID_NUMBER, PHONE, "13812345678", "高血压"] {
            assert!(!contains(&bytes, secret), "{secret} is still in the file");
        }
    }
    let bytes = file_bytes(&db);
    for secret in [NAME, ID_NUMBER, PHONE, "13812345678", "高血压"] {
        assert!(!contains(&bytes, secret), "{secret} is still in the file");
    }
    // The case itself is still there.
    assert!(contains(&bytes, "QX-2015-001"));
}

#[test]
fn the_station_demo_has_closed_cases_past_their_date() {
    let mut s = Store::open_in_memory().expect("store");
    s.load_demo(&generate(Scale::Station, 7, today()))
        .expect("demo");
    let due = s.past_retention(today()).expect("list");
    let purgeable = due
        .iter()
        .filter(|r| r.purgeable() && r.holds_personal())
        .count();
    assert!(purgeable >= 2, "{due:#?}");
    for r in &due {
        assert!(r.retain_until < today());
        let v = s.case_view(r.case_id).expect("case");
        assert!(v.summary.case.retain_until >= v.summary.case.opened_on);
    }
}

#[test]
fn the_command_line_lists_and_purges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("cli.sqlite3");
    stationdesk(&db)
        .args(["demo", "--scale", "station", "--seed", "5"])
        .assert()
        .success();
    let list = json_out(stationdesk(&db).args(["retention", "list", "--format", "json"]));
    let rows = list.as_array().expect("an array");
    let keys: Vec<&str> = rows[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "case_id",
        "code",
        "station_id",
        "station",
        "owner_id",
        "owner_name",
        "stage",
        "closed_on",
        "retain_until",
        "days_past",
        "has_identity",
        "consents",
        "holds_personal",
        "purgeable",
        "purged_on",
        "purged_by",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    let target = rows
        .iter()
        .find(|r| r["purgeable"] == true && r["holds_personal"] == true)
        .expect("a purgeable case");
    let code = target["code"].as_str().expect("code").to_string();
    let id = target["case_id"].as_i64().expect("id");
    // A wrong code is refused and changes nothing.
    stationdesk(&db)
        .args(["retention", "purge", &code, "--confirm", "C99-1999-00000"])
        .args(["--by", "王站长"])
        .assert()
        .failure()
        .stderr(predicates::str::contains("confirm"));
    let shown = json_out(stationdesk(&db).args(["case", "show", &code, "--format", "json"]));
    assert!(shown["identity"].is_object());
    let report = json_out(
        stationdesk(&db)
            .args(["retention", "purge", &id.to_string(), "--confirm", &code])
            .args(["--by", "王站长", "--format", "json"]),
    );
    assert_eq!(report["identity_removed"], true);
    assert_eq!(report["code"], code.as_str());
    let shown = json_out(stationdesk(&db).args(["case", "show", &code, "--format", "json"]));
    assert!(shown["identity"].is_null());
    assert_eq!(shown["consents"].as_array().map(Vec::len), Some(0));
    let list = json_out(stationdesk(&db).args(["retention", "list", "--format", "json"]));
    let row = list
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["case_id"] == id)
        .expect("still listed");
    assert_eq!(row["holds_personal"], false);
    assert_eq!(row["purged_by"], "王站长");
    let table = stationdesk(&db)
        .args(["retention", "list"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains(&code) && text.contains("已清除"), "{text}");
}

#[test]
fn a_purge_is_in_the_audit_log_without_the_values_it_removed() {
    let mut s = with_staff();
    s.set_actor("王站长");
    let id = full_case(&mut s, "QX-2015-010", "2016-01-10", "2021-01-10");
    s.purge_case(id, "QX-2015-010", "李督导", today())
        .expect("purged");
    let entries = s
        .audit_entries(&stationdesk::store::AuditFilter::default())
        .expect("log");
    let purge = entries
        .iter()
        .find(|e| e.action == "purge")
        .expect("a purge entry");
    assert_eq!(purge.actor, "王站长");
    assert_eq!(purge.detail["confirmed_by"], "李督导");
    assert_eq!(purge.detail["code"], "QX-2015-010");
    let all = serde_json::to_string(
        &entries
            .iter()
            .map(|e| (&e.fields, &e.detail))
            .collect::<Vec<_>>(),
    )
    .expect("json");
    let values = [
        identity("13800000000").real_name,
        identity("13800000000").id_number,
    ];
    for v in values {
        assert!(!all.contains(&v), "{v} is in the audit log");
    }
}
