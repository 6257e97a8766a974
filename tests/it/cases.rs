//! Cases in the store: identity kept apart, bad input saves nothing, contacts
//! move the case and clear flags, records link the cases they discuss, and
//! the overdue list follows every cause as it is cleared.

use chrono::NaiveDateTime;
use stationdesk::model::{
    AttendeeInput, CaseInput, Code, ConsentInput, ContactInput, IdentityInput, Month,
    PolicyChangeInput, RecordInput,
};
use stationdesk::store::{CaseFilter, Scope};
use stationdesk::{Store, StoreError};

use crate::fixture::{add, day, store, today};

fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 0, 0).expect("time")
}

fn invalid(e: StoreError) -> Vec<(&'static str, Code)> {
    match e {
        StoreError::Invalid(i) => i.0.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a validation error, got {other}"),
    }
}

fn case(code: &str, owner: i64, risk: &str, opened: &str) -> CaseInput {
    CaseInput {
        code: code.into(),
        station_id: 1,
        owner_id: owner,
        category: "children".into(),
        risk: risk.into(),
        stage: "intervention".into(),
        difficult: false,
        opened_on: opened.into(),
        closed_on: String::new(),
        retain_until: "2036-01-01".into(),
    }
}

fn child() -> IdentityInput {
    IdentityInput {
        real_name: "李小明".into(),
        // Born 2016-05-01: 10 at intake.
        id_number: "430621201605010013".into(),
        guardian: "李建国（父）".into(),
        ..Default::default()
    }
}

fn contact(date: &str, kind: &str, staff: i64) -> ContactInput {
    ContactInput {
        date: date.into(),
        kind: kind.into(),
        staff_id: staff,
        note: String::new(),
    }
}

fn rules_for(store: &Store, id: i64) -> Vec<&'static str> {
    store
        .overdue(Scope::All, today())
        .expect("overdue")
        .into_iter()
        .filter(|f| f.subject_id == id && f.subject_kind == stationdesk::model::SubjectKind::Case)
        .map(|f| f.rule.code())
        .collect()
}

fn valid_id(body: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).expect("digit") * w)
        .sum();
    format!(
        "{body}{}",
        ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
    )
}

#[test]
fn the_identity_is_kept_apart_and_read_only_on_the_case_page() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let identity = IdentityInput {
        id_number: valid_id("43062120160501001"),
        ..child()
    };
    let id = store
        .create_case(
            &case("qx-2026-001", worker, "high", "2026-11-01"),
            Some(&identity),
            today(),
        )
        .expect("created");
    let listed = store.list_cases(CaseFilter::default()).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].case.code, "QX-2026-001");
    assert!(
        format!("{listed:?}").find("李小明").is_none(),
        "lists never carry the name"
    );
    let page = store.case_view(id).expect("page");
    let who = page.identity.expect("identity on the case page");
    assert_eq!(who.real_name, "李小明");
    assert_eq!(who.birth_date, Some(day("2016-05-01")));
    assert_eq!(store.case_id("QX-2026-001").expect("by code"), Some(id));
}

#[test]
fn bad_cases_contacts_and_consents_save_nothing() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let bad_id = IdentityInput {
        id_number: "430621201605010010".into(),
        ..child()
    };
    let e = store
        .create_case(
            &case("王小明", worker, "extreme", "2099-01-01"),
            Some(&bad_id),
            today(),
        )
        .expect_err("refused");
    let fields = invalid(e);
    for want in [
        ("code", Code::BadCaseCode),
        ("risk", Code::UnknownChoice),
        ("opened_on", Code::FutureDate),
        ("id_number", Code::BadIdNumber),
    ] {
        assert!(fields.contains(&want), "{want:?} in {fields:?}");
    }
    assert!(store
        .list_cases(CaseFilter::default())
        .expect("list")
        .is_empty());

    let id = store
        .create_case(
            &case("QX-1", worker, "general", "2026-10-01"),
            None,
            today(),
        )
        .expect("created");
    let e = store
        .create_case(
            &case("qx-1", worker, "general", "2026-10-01"),
            None,
            today(),
        )
        .expect_err("the code is taken");
    assert_eq!(invalid(e), [("code", Code::CodeTaken)]);
    let e = store
        .create_case(&case("QX-2", 999, "general", "2026-10-01"), None, today())
        .expect_err("no such owner");
    assert_eq!(invalid(e), [("owner_id", Code::NotFound)]);

    for (bad, field, code) in [
        (
            contact("2026-09-30", "phone", worker),
            "date",
            Code::BeforeOpened,
        ),
        (
            contact("2099-01-01", "phone", worker),
            "date",
            Code::FutureDate,
        ),
        (
            contact("2026-10-05", "telepathy", worker),
            "kind",
            Code::UnknownChoice,
        ),
        (
            contact("2026-10-05", "phone", 999),
            "staff_id",
            Code::NotFound,
        ),
    ] {
        let e = store.add_contact(id, &bad, today()).expect_err("refused");
        assert_eq!(invalid(e), [(field, code)]);
    }
    let e = store
        .add_consent(
            id,
            &ConsentInput {
                kind: "guardian".into(),
                given_on: "2026-10-01".into(),
                given_by: String::new(),
                scope: String::new(),
            },
            today(),
        )
        .expect_err("refused");
    assert_eq!(
        invalid(e),
        [("given_by", Code::Required), ("scope", Code::Required)]
    );
    let page = store.case_view(id).expect("page");
    assert!(page.contacts.is_empty() && page.consents.is_empty());
    assert!(matches!(
        store.add_contact(77, &contact("2026-10-05", "phone", worker), today()),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn contacts_clear_flags_close_cases_and_a_follow_up_visit_finishes_them() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let id = store
        .create_case(
            &case("QX-9", worker, "priority", "2026-09-01"),
            None,
            today(),
        )
        .expect("created");
    // Opened 1 September, priority (30 days), never contacted: overdue.
    assert!(rules_for(&store, id).contains(&"R17"));
    store
        .add_contact(id, &contact("2026-11-20", "home_visit", worker), today())
        .expect("logged");
    assert!(!rules_for(&store, id).contains(&"R17"), "cleared at once");
    let page = store.case_view(id).expect("page");
    assert_eq!(page.summary.last_contact, Some(day("2026-11-20")));

    // A 结案 contact closes the case; its follow-up visit is then owed.
    store
        .add_contact(id, &contact("2026-10-01", "closing", worker), today())
        .expect("closed");
    let page = store.case_view(id).expect("page");
    assert_eq!(page.summary.case.stage, stationdesk::model::Stage::Closed);
    assert_eq!(page.summary.case.closed_on, Some(day("2026-10-01")));
    assert_eq!(
        page.summary.last_contact,
        Some(day("2026-11-20")),
        "the latest contact stays the latest"
    );
    assert_eq!(rules_for(&store, id), ["FU"], "30 days after closing");
    store
        .add_contact(id, &contact("2026-11-21", "follow_up", worker), today())
        .expect("visited");
    let page = store.case_view(id).expect("page");
    assert_eq!(page.summary.case.stage, stationdesk::model::Stage::FollowUp);
    assert!(rules_for(&store, id).is_empty());
}

#[test]
fn a_child_without_guardian_consent_is_flagged_until_it_is_recorded() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let identity = IdentityInput {
        id_number: valid_id("43062120160501001"),
        ..child()
    };
    let id = store
        .create_case(
            &case("QX-3", worker, "general", "2026-11-01"),
            Some(&identity),
            today(),
        )
        .expect("created");
    store
        .add_contact(id, &contact("2026-11-20", "interview", worker), today())
        .expect("logged");
    assert_eq!(rules_for(&store, id), ["R20"]);
    store
        .add_consent(
            id,
            &ConsentInput {
                kind: "guardian".into(),
                given_on: "2026-11-21".into(),
                given_by: "李建国".into(),
                scope: "未成年人个人信息处理".into(),
            },
            today(),
        )
        .expect("recorded");
    assert!(rules_for(&store, id).is_empty());
}

#[test]
fn a_record_links_the_cases_it_names_and_clears_the_high_risk_review() {
    let mut store = store();
    let boss = add(&mut store, "陈雪云", "junior_supervisor");
    let worker = add(&mut store, "王芳", "assistant_supervisor");
    let id = store
        .create_case(&case("QX-7", worker, "high", "2026-09-01"), None, today())
        .expect("created");
    store
        .add_contact(id, &contact("2026-11-20", "home_visit", worker), today())
        .expect("logged");
    assert_eq!(rules_for(&store, id), ["HR"]);
    let record = RecordInput {
        supervisor_id: boss,
        date: "2026-11-21".into(),
        start_time: "09:00".into(),
        end_time: "10:00".into(),
        place: "会议室".into(),
        mode: "individual".into(),
        functions: vec!["educational".into()],
        supervisees: vec![AttendeeInput {
            staff_id: worker,
            attendance: "present".into(),
        }],
        cases: "qx-7、QX-404（不存在）".into(),
        topic: "高风险个案".into(),
        ..Default::default()
    };
    let rid = store
        .create_record(&record, today(), now())
        .expect("record");
    let page = store.case_view(id).expect("page");
    assert_eq!(page.discussed_in.len(), 1);
    assert_eq!(page.discussed_in[0].record_id, rid);
    assert!(rules_for(&store, id).is_empty());
    // Moving the record's date moves the discussion with it.
    let moved = RecordInput {
        date: "2026-09-15".into(),
        ..record
    };
    store
        .update_record(rid, &moved, today(), now())
        .expect("moved");
    assert_eq!(
        store.case_view(id).expect("page").discussed_in[0].date,
        day("2026-09-15")
    );
    assert_eq!(rules_for(&store, id), ["HR"]);
}

#[test]
fn a_record_leaves_the_unsigned_list_when_the_last_signer_signs() {
    let mut store = store();
    let boss = add(&mut store, "陈雪云", "junior_supervisor");
    let worker = add(&mut store, "王芳", "assistant_supervisor");
    let record = RecordInput {
        supervisor_id: boss,
        date: "2026-11-02".into(),
        start_time: "09:00".into(),
        end_time: "10:00".into(),
        place: "会议室".into(),
        mode: "individual".into(),
        functions: vec!["educational".into()],
        supervisees: vec![AttendeeInput {
            staff_id: worker,
            attendance: "present".into(),
        }],
        topic: "签名".into(),
        ..Default::default()
    };
    let rid = store
        .create_record(&record, today(), now())
        .expect("record");
    let unsigned = |s: &Store| {
        s.overdue(Scope::All, today())
            .expect("overdue")
            .iter()
            .any(|f| f.rule.code() == "R19" && f.subject_id == rid)
    };
    assert!(unsigned(&store));
    store.sign_record(rid, boss, now()).expect("boss signs");
    assert!(unsigned(&store), "one signature of two");
    store.sign_record(rid, worker, now()).expect("worker signs");
    assert!(!unsigned(&store));
}

#[test]
fn policy_figures_change_the_flags_and_bad_ones_are_refused() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let id = store
        .create_case(
            &case("QX-5", worker, "general", "2026-10-01"),
            None,
            today(),
        )
        .expect("created");
    assert!(rules_for(&store, id).is_empty(), "general: 90 days");
    let change = |key: &str, value: &str, from: &str, by: &str| PolicyChangeInput {
        key: key.into(),
        value: value.into(),
        from: from.into(),
        changed_by: by.into(),
        note: String::new(),
    };
    // In force from next month: today's flags do not change yet.
    let month = Month::of(today());
    store
        .set_policy(
            &change(
                "contact_days_general",
                "30",
                &month.next().to_string(),
                "王督导",
            ),
            now(),
        )
        .expect("changed");
    assert!(rules_for(&store, id).is_empty(), "next month's figure");
    assert_eq!(
        store
            .policy_for(month.next())
            .expect("policy")
            .contact_days_general,
        30
    );
    store
        .set_policy(
            &change("contact_days_general", "30", &month.to_string(), "王督导"),
            now(),
        )
        .expect("changed");
    assert_eq!(
        store
            .policy_for(month)
            .expect("policy")
            .contact_days_general,
        30
    );
    assert_eq!(
        store
            .policy_for(month.prev())
            .expect("policy")
            .contact_days_general,
        90
    );
    assert_eq!(rules_for(&store, id), ["R17"]);
    for (input, field, code) in [
        (
            change("contact_days_general", "0", "2026-11", "王督导"),
            "value",
            Code::BadNumber,
        ),
        (
            change("contact_days_general", "三十", "2026-11", "王督导"),
            "value",
            Code::BadNumber,
        ),
        (
            change("no_such", "3", "2026-11", "王督导"),
            "key",
            Code::UnknownChoice,
        ),
        (
            change("contact_days_general", "20", "下个月", "王督导"),
            "from",
            Code::BadMonth,
        ),
        (
            change("contact_days_general", "20", "2026-11", " "),
            "changed_by",
            Code::Required,
        ),
    ] {
        match store.set_policy(&input, now()) {
            Err(StoreError::Invalid(e)) => assert!(e.has(field, code), "{input:?}: {e:?}"),
            other => panic!("{input:?} was not refused: {other:?}"),
        }
    }
    let history = store.policy_history().expect("history");
    assert_eq!(history.len(), 2, "refused changes leave no trace");
    assert_eq!(history[0].changed_by, "王督导");
    assert_eq!(history[0].changed_at, now());
    assert_eq!(history[1].from, month);
    assert_eq!(
        store
            .policy_for(month)
            .expect("policy")
            .contact_days_general,
        30
    );
}

#[test]
fn figures_changed_before_the_history_existed_are_kept_for_every_month() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("v3.db");
    {
        let mut conn = rusqlite::Connection::open(&path).expect("raw");
        stationdesk::store::migrations()
            .to_version(&mut conn, 3)
            .expect("version 3");
        conn.execute(
            "INSERT INTO policy_setting (key, value, changed_at) VALUES
                 ('ratio_assistant', '5', '2026-03-01T09:00:00'),
                 ('retired_figure', '7', '2026-03-01T09:00:00')",
            [],
        )
        .expect("old settings");
    }
    let store = Store::open(&path).expect("migrated");
    let history = store.policy_history().expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].from.to_string(), "2000-01");
    let month = Month::of(today());
    assert_eq!(store.policy_for(month).expect("policy").ratio_assistant, 5);
    assert_eq!(
        store.policy_for(month).expect("policy").ratio_supervisor,
        14
    );
}

#[test]
fn the_policy_history_cannot_be_rewritten() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("station.db");
    let mut store = Store::open(&path).expect("store");
    store
        .set_policy(
            &PolicyChangeInput {
                key: "ratio_assistant".into(),
                value: "5".into(),
                from: "2026-01".into(),
                changed_by: "王督导".into(),
                note: "区里新规".into(),
            },
            now(),
        )
        .expect("changed");
    for sql in [
        "UPDATE policy_change SET value = 9",
        "DELETE FROM policy_change",
    ] {
        let conn = rusqlite::Connection::open(&path).expect("raw");
        let err = conn.execute(sql, []).expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(store.policy_history().expect("history")[0].value, 5);
}

#[test]
fn a_supervisors_scope_is_their_team_and_a_stations_its_staff() {
    let mut store = store();
    let boss = add(&mut store, "陈雪云", "junior_supervisor");
    let assistant = add(&mut store, "王芳", "assistant_supervisor");
    let worker = add(&mut store, "周敏", "frontline");
    let stranger = add(&mut store, "李强", "frontline");
    for (who, by) in [(assistant, boss), (worker, assistant)] {
        store
            .assign_supervisor(&stationdesk::model::AssignInput {
                supervisee_id: who,
                supervisor_id: Some(by),
                from: "2026-01-01".into(),
            })
            .expect("assigned");
    }
    let mine = store
        .create_case(
            &case("QX-10", worker, "priority", "2026-09-01"),
            None,
            today(),
        )
        .expect("created");
    let theirs = store
        .create_case(
            &case("QX-11", stranger, "priority", "2026-09-01"),
            None,
            today(),
        )
        .expect("created");
    let ids = |scope| -> Vec<i64> {
        store
            .overdue(scope, today())
            .expect("overdue")
            .into_iter()
            .filter(|f| f.subject_kind == stationdesk::model::SubjectKind::Case)
            .map(|f| f.subject_id)
            .collect()
    };
    assert_eq!(
        ids(Scope::Supervisor(boss)),
        [mine],
        "through the assistant"
    );
    let mut station = ids(Scope::Station(1));
    station.sort();
    assert_eq!(station, [mine, theirs]);
    assert!(ids(Scope::Station(2)).is_empty());
}

#[test]
fn a_version_2_database_with_signed_and_unsigned_records_migrates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v2.sqlite3");
    {
        let mut conn = rusqlite::Connection::open(&path).expect("raw");
        stationdesk::store::migrations()
            .to_version(&mut conn, 2)
            .expect("version 2");
        conn.execute_batch(
            "INSERT INTO station (name, township, county) VALUES ('旧站', '旧镇', '旧县');
             INSERT INTO staff (station_id, name, role, qualification, certificate_no, registration_date, start_date)
                 VALUES (1, '陈督导', 'junior_supervisor', 'social_worker', 'SG1', '2025-01-01', '2020-01-01'),
                        (1, '王社工', 'frontline', 'none', NULL, NULL, '2020-01-01');
             INSERT INTO supervision_record (supervisor_id, year, number, date, start_time, end_time, place,
                 mode, functions, cases, topic, previous_review, reported, findings, guidance, reflection,
                 disagreement, created_at, updated_at)
             VALUES (1, 2026, 1, '2026-10-05', '09:00', '10:00', '站', 'individual', 'educational', '', '旧',
                     '', '', '', '', '', '', '2026-10-05T10:00:00', '2026-10-05T10:00:00'),
                    (1, 2026, 2, '2026-11-02', '09:00', '10:00', '站', 'group', 'educational', '', '旧',
                     '', '', '', '', '', '', '2026-11-02T10:00:00', '2026-11-02T10:00:00');
             INSERT INTO supervision_link (supervisor_id, supervisee_id, from_date) VALUES (1, 2, '2020-01-01');
             INSERT INTO record_attendee (record_id, staff_id, attendance) VALUES (1, 2, 'present'), (2, 2, 'present');
             INSERT INTO record_signature (record_id, staff_id, role, name, signed_at)
                 VALUES (1, 1, 'supervisor', '陈督导', '2026-10-05T17:00:00'),
                        (1, 2, 'supervisee', '王社工', '2026-10-05T17:00:00');",
        )
        .expect("old data");
    }
    let store = Store::open(&path).expect("migrates with signed records");
    let flags = store.overdue(Scope::All, today()).expect("overdue");
    let r19: Vec<i64> = flags
        .iter()
        .filter(|f| f.rule.code() == "R19")
        .map(|f| f.subject_id)
        .collect();
    assert_eq!(r19, [2], "only the unsigned record waits for signatures");
    // The copied session date counts: 王社工 was seen on 2 November.
    assert!(!flags
        .iter()
        .any(|f| f.rule.code() == "R3" && f.subject_id == 2));
    assert!(store.record(1).expect("signed record").locked());
}

#[test]
fn a_group_at_an_unknown_station_is_refused_by_field() {
    // Found by the hostile-input sweep: it was a FOREIGN KEY failure, shown
    // as a storage error.
    let mut s = store();
    let leader = add(&mut s, "组长", "frontline");
    let group = |station_id: i64, leader_id: i64| stationdesk::model::GroupInput {
        station_id,
        kind: "group".into(),
        name: "长者小组".into(),
        therapeutic: false,
        leader_id,
        started_on: "2026-10-01".into(),
    };
    for station in [-1, 0, 987_654_321, i64::MAX] {
        let e = s
            .create_group(&group(station, leader), today())
            .expect_err("no such station");
        assert_eq!(invalid(e), [("station_id", Code::NotFound)]);
    }
    let e = s
        .create_group(&group(2, 987_654_321), today())
        .expect_err("no such station or leader");
    assert_eq!(
        invalid(e),
        [
            ("leader_id", Code::NotFound),
            ("station_id", Code::NotFound)
        ]
    );
    s.create_group(&group(1, leader), today()).expect("valid");
}
