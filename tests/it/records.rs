use chrono::NaiveDateTime;
use stationdesk::model::{ActionItemInput, AttendeeInput, Code, RecordInput};
use stationdesk::store::RecordFilter;
use stationdesk::{Store, StoreError};

use crate::fixture::{add, day, store, today};

fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 0, 0).expect("time")
}

struct Team {
    store: Store,
    boss: i64,
    worker: i64,
    other: i64,
}

fn team() -> Team {
    let mut store = store();
    let boss = add(&mut store, "陈雪云", "junior_supervisor");
    let worker = add(&mut store, "王芳", "assistant_supervisor");
    let other = add(&mut store, "周敏", "frontline");
    Team {
        store,
        boss,
        worker,
        other,
    }
}

fn record(boss: i64, worker: i64, date: &str) -> RecordInput {
    RecordInput {
        supervisor_id: boss,
        date: date.into(),
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
        action_items: vec![ActionItemInput {
            what: "补全家访记录".into(),
            owner_id: Some(worker),
            due: "2026-11-30".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn invalid(e: StoreError) -> Vec<(&'static str, Code)> {
    match e {
        StoreError::Invalid(i) => i.0.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a validation error, got {other}"),
    }
}

#[test]
fn records_are_numbered_per_supervisor_and_year() {
    let Team {
        mut store,
        boss,
        worker,
        other,
    } = team();
    let second_boss = add(&mut store, "林霞", "senior_supervisor");
    let a = store
        .create_record(&record(boss, worker, "2025-12-30"), today(), now())
        .expect("a");
    let b = store
        .create_record(&record(boss, worker, "2026-01-05"), today(), now())
        .expect("b");
    let c = store
        .create_record(&record(boss, other, "2026-02-05"), today(), now())
        .expect("c");
    let d = store
        .create_record(&record(second_boss, worker, "2026-02-06"), today(), now())
        .expect("d");
    let numbers: Vec<(i32, i64)> = [a, b, c, d]
        .iter()
        .map(|id| {
            store
                .record(*id)
                .map(|r| (r.year, r.number))
                .expect("record")
        })
        .collect();
    assert_eq!(numbers, [(2025, 1), (2026, 1), (2026, 2), (2026, 1)]);
    // Moving a record into another year renumbers it there.
    store
        .update_record(a, &record(boss, worker, "2026-03-01"), today(), now())
        .expect("move");
    assert_eq!(
        store.record(a).map(|r| (r.year, r.number)).expect("record"),
        (2026, 3)
    );
}

#[test]
fn a_record_reads_back_as_written() {
    let Team {
        mut store,
        boss,
        worker,
        ..
    } = team();
    let id = store
        .create_record(&record(boss, worker, "2026/11/2"), today(), now())
        .expect("create");
    let r = store.record(id).expect("record");
    assert_eq!(r.content.date, day("2026-11-02"));
    assert_eq!(r.content.hours(), 1.5);
    assert_eq!(r.attendees[0].1, "王芳");
    assert_eq!(r.items[0].owner_name, "王芳");
    assert_eq!(r.items[0].item.due, day("2026-11-30"));
    assert_eq!(r.supervisor_name, "陈雪云");
    assert_eq!(r.station_name, "青溪镇社工站");
    assert!(!r.locked());
}

#[test]
fn bad_records_save_nothing() {
    let Team {
        mut store,
        boss,
        worker,
        other,
    } = team();
    let mut bad = record(boss, worker, "2026-11-02");
    bad.end_time = "08:00".into();
    assert_eq!(
        invalid(store.create_record(&bad, today(), now()).expect_err("end")),
        [("end_time", Code::EndBeforeStart)]
    );
    let mut bad = record(boss, worker, "2026-11-02");
    bad.action_items[0].owner_id = Some(999);
    assert_eq!(
        invalid(
            store
                .create_record(&bad, today(), now())
                .expect_err("owner")
        ),
        [("action_items", Code::NotFound)]
    );
    let bad = record(other, worker, "2026-11-02");
    assert_eq!(
        invalid(
            store
                .create_record(&bad, today(), now())
                .expect_err("not a supervisor")
        ),
        [("supervisor_id", Code::NotASupervisor)]
    );
    let bad = record(boss, worker, "2026-12-01");
    assert_eq!(
        invalid(
            store
                .create_record(&bad, today(), now())
                .expect_err("future")
        ),
        [("date", Code::FutureDate)]
    );
    assert!(store
        .list_records(RecordFilter::default())
        .expect("list")
        .is_empty());
    assert!(store.action_items(None, false).expect("items").is_empty());
}

#[test]
fn signing_locks_the_record_through_every_path() {
    let Team {
        mut store,
        boss,
        worker,
        other,
    } = team();
    let id = store
        .create_record(&record(boss, worker, "2026-11-02"), today(), now())
        .expect("create");
    let err = store
        .sign_record(id, other, now())
        .expect_err("not on the record");
    assert_eq!(invalid(err), [("signer", Code::NotASigner)]);
    store
        .sign_record(id, worker, now())
        .expect("supervisee signs");
    assert_eq!(
        invalid(store.sign_record(id, worker, now()).expect_err("twice")),
        [("signer", Code::AlreadySigned)]
    );
    let before = store.record(id).expect("record");
    assert!(before.locked() && !before.fully_signed());

    let mut edit = record(boss, worker, "2026-11-02");
    edit.topic = "悄悄改掉".into();
    let err = store
        .update_record(id, &edit, today(), now())
        .expect_err("locked");
    assert!(matches!(err, StoreError::Locked { .. }), "{err}");

    // Not even SQL written by hand changes it.
    for sql in [
        "UPDATE supervision_record SET topic = 'x' WHERE id = ?1",
        "DELETE FROM supervision_record WHERE id = ?1",
        "DELETE FROM record_attendee WHERE record_id = ?1",
        "UPDATE action_item SET what = 'x' WHERE record_id = ?1",
        "DELETE FROM record_signature WHERE record_id = ?1",
    ] {
        let err = store.with_tx(|tx| {
            tx.execute(sql, [id])?;
            Ok(())
        });
        assert!(err.is_err(), "{sql} must be refused");
    }
    assert_eq!(store.record(id).expect("record"), before);

    store
        .sign_record(id, boss, now())
        .expect("supervisor signs");
    assert!(store.record(id).expect("record").fully_signed());
}

#[test]
fn an_amendment_keeps_the_original_and_says_who_when_why() {
    let Team {
        mut store,
        boss,
        worker,
        ..
    } = team();
    let id = store
        .create_record(&record(boss, worker, "2026-11-02"), today(), now())
        .expect("create");
    let err = store
        .amend_record(id, "findings", "新", "原因", "陈雪云", now())
        .expect_err("unsigned");
    assert_eq!(invalid(err), [("field", Code::NotAmendable)]);
    store.sign_record(id, boss, now()).expect("sign");
    let err = store
        .amend_record(id, "findings", "记录基本完整", " ", "陈雪云", now())
        .expect_err("no reason");
    assert_eq!(invalid(err), [("reason", Code::ReasonRequired)]);
    let err = store
        .amend_record(id, "supervisor_id", "1", "原因", "陈雪云", now())
        .expect_err("field");
    assert_eq!(invalid(err), [("field", Code::NotAmendable)]);

    let later = now() + chrono::Duration::hours(2);
    store
        .amend_record(id, "findings", "记录基本完整", "笔误更正", "陈雪云", later)
        .expect("amend");
    let r = store.record(id).expect("record");
    assert_eq!(r.content.findings, "记录基本完整");
    assert_eq!(r.amendments.len(), 1);
    let a = &r.amendments[0];
    assert_eq!(
        (
            a.field.as_str(),
            a.original.as_str(),
            a.reason.as_str(),
            a.by_name.as_str()
        ),
        ("findings", "记录不完整", "笔误更正", "陈雪云")
    );
    assert_eq!(a.at, later);
    assert!(store.list_records(RecordFilter::default()).expect("list")[0].amended);
}

#[test]
fn action_items_are_tracked_after_signing() {
    let Team {
        mut store,
        boss,
        worker,
        ..
    } = team();
    let id = store
        .create_record(&record(boss, worker, "2026-11-02"), today(), now())
        .expect("create");
    store.sign_record(id, boss, now()).expect("sign");
    let open = store.action_items(Some(worker), true).expect("items");
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].record_year, open[0].record_number), (2026, 1));
    assert_eq!(
        invalid(
            store
                .set_item_done(open[0].id, "明天", "")
                .expect_err("bad date")
        ),
        [("done", Code::BadDate)]
    );
    store
        .set_item_done(open[0].id, "2026-11-20", "已补全")
        .expect("done");
    assert!(store
        .action_items(Some(worker), true)
        .expect("items")
        .is_empty());
    let all = store.action_items(None, false).expect("items");
    assert_eq!(all[0].item.done, Some(day("2026-11-20")));
    assert_eq!(all[0].item.note, "已补全");
}

#[test]
fn records_are_listed_by_supervisor_and_month() {
    let Team {
        mut store,
        boss,
        worker,
        other,
    } = team();
    store
        .create_record(&record(boss, worker, "2026-10-31"), today(), now())
        .expect("oct");
    store
        .create_record(&record(boss, other, "2026-11-01"), today(), now())
        .expect("nov");
    let nov = store
        .list_records(RecordFilter {
            supervisor_id: Some(boss),
            month: Some((2026, 11)),
        })
        .expect("list");
    assert_eq!(nov.len(), 1);
    assert_eq!(nov[0].supervisees, ["周敏"]);
    assert_eq!(nov[0].hours(), 1.5);
    assert_eq!((nov[0].signatures, nov[0].signers_needed), (0, 2));
    assert_eq!(
        store
            .list_records(RecordFilter {
                supervisor_id: Some(worker),
                month: None
            })
            .expect("list")
            .len(),
        0
    );
}

#[test]
fn drafts_survive_reopening_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("drafts.sqlite3");
    {
        let mut store = Store::open(&path).expect("open");
        store
            .save_draft("supervision:new", r#"{"topic":"家访"}"#, now())
            .expect("save");
        store
            .save_draft("supervision:new", r#"{"topic":"家访安全"}"#, now())
            .expect("save again");
    }
    let mut store = Store::open(&path).expect("reopen");
    let drafts = store.drafts("supervision:").expect("drafts");
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].body, r#"{"topic":"家访安全"}"#);
    store.delete_draft("supervision:new").expect("delete");
    assert!(store.drafts("supervision:").expect("drafts").is_empty());
}

#[test]
fn the_month_summary_counts_what_the_upper_office_asks() {
    let Team {
        mut store,
        boss,
        worker,
        other,
    } = team();
    for (who, to) in [(worker, boss), (other, boss)] {
        store
            .assign_supervisor(&stationdesk::model::AssignInput {
                supervisee_id: who,
                supervisor_id: Some(to),
                from: "2026-01-01".into(),
            })
            .expect("assign");
    }
    store
        .create_record(&record(boss, worker, "2026-11-02"), today(), now())
        .expect("one");
    store
        .create_record(&record(boss, worker, "2026-11-09"), today(), now())
        .expect("two");
    store
        .create_record(&record(boss, other, "2026-10-20"), today(), now())
        .expect("october");
    let s = store
        .month_summary(boss, (2026, 11), day("2026-12-05"))
        .expect("summary");
    assert_eq!((s.sessions, s.hours), (2, 3.0));
    assert_eq!((s.supervisees_total, s.supervisees_covered), (2, 1));
    // Three records, one item each, all due 2026-11-30 and open.
    assert_eq!((s.open_items, s.overdue_items), (3, 3));
    assert!(matches!(
        store.month_summary(404, (2026, 11), today()),
        Err(StoreError::NotFound { .. })
    ));
}
