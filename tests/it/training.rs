//! Training in the store: a session checked whole, sign-ins credit the hours
//! attended (and correct, not duplicate), outsiders sign in too, the ledger
//! counts the registration period, R15 and R16 reach the overdue list, and
//! a refused input writes nothing.

use chrono::NaiveDateTime;
use stationdesk::model::{AssessmentInput, Code, SignIn, SignInInput, TrainingInput};
use stationdesk::store::{Attendee, Scope};
use stationdesk::StoreError;

use crate::fixture::{add, day, store, today};

fn now() -> NaiveDateTime {
    today().and_hms_opt(9, 5, 0).expect("time")
}

fn session(title: &str, date: &str) -> TrainingInput {
    TrainingInput {
        station_id: 1,
        title: title.into(),
        area: "skills".into(),
        method: "lecture".into(),
        date: date.into(),
        start: "09:00".into(),
        end: "12:00".into(),
        place: "站点会议室".into(),
        counts_ce: true,
        ..Default::default()
    }
}

fn sign(status: &str, arrived: &str, left: &str) -> SignInInput {
    SignInInput {
        status: status.into(),
        arrived: arrived.into(),
        left: left.into(),
    }
}

fn invalid(r: Result<impl std::fmt::Debug, StoreError>, field: &str, code: Code) {
    match r {
        Err(StoreError::Invalid(e)) => assert!(e.has(field, code), "{field}: {e:?}"),
        other => panic!("{field} was not refused: {other:?}"),
    }
}

#[test]
fn sign_ins_credit_the_hours_attended_and_a_second_one_corrects_the_first() {
    let mut store = store();
    let a = add(&mut store, "王芳", "assistant_supervisor");
    let b = add(&mut store, "李强", "frontline");
    let c = add(&mut store, "张敏", "frontline");
    let t = store
        .create_training(&session("危机干预", "2026-11-20"), today())
        .expect("session");
    store
        .sign_in(t, &Attendee::Staff(a), &sign("present", "", ""), now())
        .expect("a");
    store
        .sign_in(t, &Attendee::Staff(b), &sign("late", "09:45", ""), now())
        .expect("b");
    store
        .sign_in(
            t,
            &Attendee::Staff(c),
            &sign("left_early", "", "10:30"),
            now(),
        )
        .expect("c");
    store
        .sign_in(
            t,
            &Attendee::Guest {
                name: "赵老师".into(),
                unit: "县民政局".into(),
            },
            &sign("present", "", ""),
            now(),
        )
        .expect("guest");
    // b was not late after all: the sign-in is corrected, not doubled.
    store
        .sign_in(t, &Attendee::Staff(b), &sign("present", "", ""), now())
        .expect("again");
    let v = store.training_view(t).expect("view");
    assert_eq!(v.summary.hours, 3.0);
    let by_name: Vec<(&str, SignIn, f64)> = v
        .attendance
        .iter()
        .map(|r| (r.name.as_str(), r.status, r.credited_hours))
        .collect();
    assert_eq!(
        by_name,
        [
            ("王芳", SignIn::Present, 3.0),
            ("李强", SignIn::Present, 3.0),
            ("张敏", SignIn::LeftEarly, 1.5),
            ("赵老师", SignIn::Present, 3.0),
        ]
    );
    assert_eq!(v.attendance[3].unit, "县民政局");
    assert_eq!(v.summary.attended, 4);

    // Bad sign-ins change nothing.
    invalid(
        store.sign_in(t, &Attendee::Staff(c), &sign("late", "", ""), now()),
        "arrived",
        Code::Required,
    );
    invalid(
        store.sign_in(t, &Attendee::Staff(c), &sign("late", "13:00", ""), now()),
        "arrived",
        Code::OutsideSession,
    );
    invalid(
        store.sign_in(
            t,
            &Attendee::Guest {
                name: " ".into(),
                unit: String::new(),
            },
            &sign("present", "", ""),
            now(),
        ),
        "guest_name",
        Code::Required,
    );
    invalid(
        store.sign_in(t, &Attendee::Staff(999), &sign("present", "", ""), now()),
        "staff_id",
        Code::NotFound,
    );
    assert!(matches!(
        store.sign_in(404, &Attendee::Staff(a), &sign("present", "", ""), now()),
        Err(StoreError::NotFound {
            what: "training",
            id: 404
        })
    ));
    assert_eq!(store.training_view(t).expect("view").attendance.len(), 4);
}

#[test]
fn a_bad_session_is_refused_whole() {
    let mut store = store();
    let mut bad = session("", "2026-02-30");
    bad.end = "08:00".into();
    bad.trainer_id = Some(77);
    invalid(
        store.create_training(&bad, today()),
        "title",
        Code::Required,
    );
    invalid(store.create_training(&bad, today()), "date", Code::BadDate);
    let mut unknown_trainer = session("伦理", "2026-11-20");
    unknown_trainer.trainer_id = Some(77);
    invalid(
        store.create_training(&unknown_trainer, today()),
        "trainer_id",
        Code::NotFound,
    );
    assert!(store.list_trainings(None, None).expect("list").is_empty());
}

#[test]
fn the_ledger_counts_continuing_education_of_the_registration_period() {
    let mut store = store();
    // Registered 2022-06-01 (fixture): the period runs to 2025-05-31, so
    // by 2026-11-22 it has expired; a newer registration is a new period.
    let worker = add(&mut store, "陈雪云", "assistant_supervisor");
    let mut counted = session("个案评估", "2026-11-20");
    counted.counts_ce = true;
    let t1 = store.create_training(&counted, today()).expect("t1");
    let mut not_counted = session("读书会", "2026-11-21");
    not_counted.counts_ce = false;
    let t2 = store.create_training(&not_counted, today()).expect("t2");
    store
        .sign_in(
            t1,
            &Attendee::Staff(worker),
            &sign("late", "10:00", ""),
            now(),
        )
        .expect("s1");
    store
        .sign_in(
            t2,
            &Attendee::Staff(worker),
            &sign("present", "", ""),
            now(),
        )
        .expect("s2");

    let rows = store.hours_ledger(None, today()).expect("ledger");
    let row = rows
        .iter()
        .find(|r| r.staff_id == worker)
        .expect("certified worker listed");
    assert_eq!(row.period_start, day("2022-06-01"));
    assert_eq!(row.period_end, day("2025-05-31"));
    assert!(row.expired);
    assert_eq!(
        row.earned_hours, 0.0,
        "hours after the period belong to the next one"
    );
    assert_eq!(row.year_hours, 2.0, "only the counted session, from 10:00");

    // Renewed: the registration date moves, and the hours count.
    let mut renewed = crate::fixture::form("陈雪云", "assistant_supervisor");
    renewed.registration_date = "2025-06-01".into();
    store
        .update_staff(worker, &renewed, today())
        .expect("renewed");
    let row = store
        .hours_ledger(Some(1), today())
        .expect("ledger")
        .into_iter()
        .find(|r| r.staff_id == worker)
        .expect("row");
    assert_eq!(row.earned_hours, 2.0);
    assert_eq!(row.required_hours, 90.0);
    assert!(row.behind && !row.expired, "{row:?}");
    // The hours flag reaches the overdue list (training is now recorded).
    let flags = store.overdue(Scope::All, today()).expect("flags");
    assert!(
        flags.iter().any(|f| f.rule.code() == "R16"
            && f.person_id == worker
            && f.message.contains("继续教育")),
        "{flags:?}"
    );
}

#[test]
fn two_failed_assessments_within_a_year_are_flagged_until_a_pass() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let fail = AssessmentInput {
        kind: "exam".into(),
        score: "45".into(),
        passed: false,
        note: String::new(),
    };
    for date in ["2026-06-10", "2026-09-10"] {
        let t = store
            .create_training(&session("伦理", date), today())
            .expect("session");
        store.assess(t, worker, &fail).expect("assessed");
    }
    let r15 = |store: &stationdesk::Store| {
        store
            .overdue(Scope::All, today())
            .expect("flags")
            .into_iter()
            .filter(|f| f.rule.code() == "R15" && f.person_id == worker)
            .count()
    };
    assert_eq!(r15(&store), 1);
    invalid(
        store.assess(
            1,
            worker,
            &AssessmentInput {
                kind: "exam".into(),
                score: "120".into(),
                passed: true,
                note: String::new(),
            },
        ),
        "score",
        Code::BadScore,
    );
    assert_eq!(r15(&store), 1, "a refused assessment changes nothing");
    let t = store
        .create_training(&session("伦理补训", "2026-11-01"), today())
        .expect("session");
    store
        .assess(
            t,
            worker,
            &AssessmentInput {
                kind: "exam".into(),
                score: "80".into(),
                passed: true,
                note: String::new(),
            },
        )
        .expect("passed");
    assert_eq!(r15(&store), 0, "a pass since clears it");
}

#[test]
fn the_roster_finds_names_by_pinyin_initials() {
    let mut store = store();
    add(&mut store, "王芳", "frontline");
    add(&mut store, "单晓红", "frontline");
    let t = store
        .create_training(&session("沟通", "2026-11-20"), today())
        .expect("session");
    let roster = store.training_roster(t).expect("roster");
    let wf = roster.iter().find(|r| r.name == "王芳").expect("listed");
    assert!(wf.initials.contains(&"wf".to_string()));
    assert!(wf.pinyin.contains(&"wangfang".to_string()));
    let sxh = roster.iter().find(|r| r.name == "单晓红").expect("listed");
    assert!(sxh.initials.contains(&"sxh".to_string()) && sxh.initials.contains(&"dxh".to_string()));
}

#[test]
fn the_plan_shows_what_was_done_and_keeps_every_change() {
    use stationdesk::model::PlanItemInput;
    let mut store = store();
    let line = |title: &str, month: &str| PlanItemInput {
        station_id: 1,
        year: "2026".into(),
        title: title.into(),
        area: "skills".into(),
        method: "lecture".into(),
        month: month.into(),
        trainer_id: None,
        planned_hours: "3".into(),
    };
    let crisis = store
        .add_plan_item(&line("危机干预", "3"), "李站长", now())
        .expect("added");
    let ethics = store
        .add_plan_item(&line("职业伦理", "6"), "李站长", now())
        .expect("added");
    invalid(
        store.add_plan_item(&line("", "13"), "李站长", now()),
        "month",
        Code::BadMonth,
    );
    invalid(
        store.add_plan_item(&line("会谈", "4"), " ", now()),
        "changed_by",
        Code::Required,
    );

    let mut held = session("危机干预（一）", "2026-03-12");
    held.plan_item_id = Some(crisis);
    store.create_training(&held, today()).expect("held");
    invalid(
        store.drop_plan_item(ethics, " ", "李站长", now()),
        "reason",
        Code::ReasonRequired,
    );
    store
        .drop_plan_item(ethics, "讲师调离，改至明年", "李站长", now())
        .expect("dropped");

    let plan = store.plan(1, 2026).expect("plan");
    assert_eq!(plan.len(), 2, "a dropped line is kept");
    assert_eq!((plan[0].sessions, plan[0].done_hours), (1, 3.0));
    assert_eq!(plan[1].dropped_on.as_deref(), Some("2026-11-22"));
    let changes = store.plan_changes(1, 2026).expect("changes");
    let what: Vec<(&str, &str, &str)> = changes
        .iter()
        .map(|c| (c.title.as_str(), c.what.as_str(), c.reason.as_str()))
        .collect();
    assert_eq!(
        what,
        [
            ("危机干预", "added", ""),
            ("职业伦理", "added", ""),
            ("职业伦理", "dropped", "讲师调离，改至明年"),
        ]
    );
    assert!(changes.iter().all(|c| c.changed_by == "李站长"));
}
