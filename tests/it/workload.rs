//! The workload engine (R1–R7, R18) through its public API: one table per
//! figure, a team that changes in the middle of a month, properties over
//! random facts, and six months of a demo station through the store and the
//! command line.
//!
//! Every figure is read through `check`, which first holds all of the
//! month's rows to what must be true of any row (`assert_sound`): the order,
//! the ratio limit of the role, coverage between 0 and 100, sessions and
//! hours that add up by mode, R7 and R6 verdicts that follow their counts.

use std::collections::BTreeMap;
use std::fmt::Debug;

use assert_cmd::Command;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use serde_json::Value;
use stationdesk::demo::{generate, Scale, DEFAULT_SEED};
use stationdesk::model::{
    case_load, worker_load, workload, GroupKind, LinkFact, Mode, Month, Policy, Risk, Role,
    SupervisorMonth, WorkCase, WorkFacts, WorkGroupSession, WorkPerson, WorkSession,
};
use stationdesk::store::Scope;
use stationdesk::Store;

use crate::fixture::{day, today};

// ---------------------------------------------------------------------------
// Builders and the one checker
// ---------------------------------------------------------------------------

/// A junior supervisor (R1).
const SUP: i64 = 1;
const ASSISTANT: i64 = 2;
const ASSISTANT_B: i64 = 3;
const TRAINEE: i64 = 4;
/// An intermediate supervisor above `SUP` (R4).
const UPPER: i64 = 5;
const W1: i64 = 10;
const W2: i64 = 11;
/// A frontline worker in nobody's team here.
const W3: i64 = 12;

const OCT: &str = "2026-10";
const NOV: &str = "2026-11";
const TODAY: &str = "2026-11-22";

fn month(text: &str) -> Month {
    let (year, month) = text.split_once('-').expect("YYYY-MM");
    Month {
        year: year.parse().expect("year"),
        month: month.parse().expect("month"),
    }
}

fn person(id: i64, role: Role, start: &str) -> WorkPerson {
    WorkPerson {
        id,
        name: format!("社工{id}"),
        station_id: 1,
        role,
        start_date: day(start),
        left_date: None,
    }
}

fn link(supervisor_id: i64, supervisee_id: i64, from: &str, to: Option<&str>) -> LinkFact {
    LinkFact {
        supervisor_id,
        supervisee_id,
        from: day(from),
        to: to.map(day),
    }
}

fn session(
    supervisor_id: i64,
    date: &str,
    mode: Mode,
    hours: f64,
    attended: &[i64],
) -> WorkSession {
    WorkSession {
        supervisor_id,
        date: day(date),
        mode,
        hours,
        attended: attended.to_vec(),
    }
}

fn case(id: i64, owner_id: i64, risk: Risk, opened: &str, closed: Option<&str>) -> WorkCase {
    WorkCase {
        id,
        owner_id,
        risk,
        opened_on: day(opened),
        closed_on: closed.map(day),
        difficult: false,
        interviews: 0,
    }
}

/// A case marked difficult (疑难个案) with `interviews` interviews and visits.
fn difficult(id: i64, owner_id: i64, interviews: u32) -> WorkCase {
    WorkCase {
        difficult: true,
        interviews,
        ..case(id, owner_id, Risk::Priority, "2026-03-01", None)
    }
}

/// `n` general cases for `owner`, open all year, ids from `first_id`.
fn general_cases(owner_id: i64, n: i64, first_id: i64) -> Vec<WorkCase> {
    (0..n)
        .map(|i| case(first_id + i, owner_id, Risk::General, "2026-01-05", None))
        .collect()
}

fn led(
    group_id: i64,
    leader_id: i64,
    kind: GroupKind,
    therapeutic: bool,
    date: &str,
) -> WorkGroupSession {
    WorkGroupSession {
        group_id,
        leader_id,
        kind,
        therapeutic,
        date: day(date),
    }
}

/// Days a group met, oldest first; a group of `n` sessions takes the first n.
const GROUP_DAYS: [&str; 6] = [
    "2026-08-04",
    "2026-08-18",
    "2026-09-08",
    "2026-10-06",
    "2026-10-20",
    "2026-10-27",
];

/// A group (or activity) of `n` sessions led by `leader`.
fn group(
    group_id: i64,
    leader_id: i64,
    kind: GroupKind,
    therapeutic: bool,
    n: usize,
) -> Vec<WorkGroupSession> {
    GROUP_DAYS[..n]
        .iter()
        .map(|d| led(group_id, leader_id, kind, therapeutic, d))
        .collect()
}

/// `facts`, changed.
fn with(mut facts: WorkFacts, change: impl FnOnce(&mut WorkFacts)) -> WorkFacts {
    change(&mut facts);
    facts
}

/// `SUP` with `W1` and `W2`, both of long standing, in the team since 2025;
/// `W3` works elsewhere.
fn team() -> WorkFacts {
    WorkFacts {
        people: vec![
            person(SUP, Role::JuniorSupervisor, "2019-05-01"),
            person(W1, Role::Frontline, "2020-03-01"),
            person(W2, Role::Frontline, "2020-03-01"),
            person(W3, Role::Frontline, "2020-03-01"),
        ],
        links: vec![
            link(SUP, W1, "2025-01-01", None),
            link(SUP, W2, "2025-01-01", None),
        ],
        ..WorkFacts::default()
    }
}

/// `team()` without its links.
fn nobody_linked() -> WorkFacts {
    with(team(), |f| f.links.clear())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// What must hold of every row of every month, whatever the facts.
fn assert_sound(facts: &WorkFacts, policy: &Policy, month: Month, rows: &[SupervisorMonth]) {
    let key = |r: &SupervisorMonth| {
        (
            r.station_id,
            std::cmp::Reverse(r.role.supervising_rank()),
            r.supervisor_id,
        )
    };
    for pair in rows.windows(2) {
        assert!(
            key(&pair[0]) < key(&pair[1]),
            "out of order or twice: {} before {}",
            pair[0].supervisor_id,
            pair[1].supervisor_id
        );
    }
    for r in rows {
        let who = r.supervisor_id;
        let p = facts.people.iter().find(|p| p.id == who);
        assert!(
            p.is_some_and(|p| p.role == r.role && p.name == r.name),
            "{who}: not its person"
        );
        assert!(
            r.role.supervising_rank().is_some(),
            "{who}: a row for {:?}",
            r.role
        );
        assert_eq!(r.month, month, "{who}");
        let limit = match r.role {
            Role::AssistantSupervisor => Some(policy.ratio_assistant),
            Role::TraineeSupervisor | Role::JuniorSupervisor => Some(policy.ratio_supervisor),
            _ => None,
        };
        assert_eq!(r.ratio_limit, limit, "{who}: ratio limit of {:?}", r.role);
        match (r.load_pct, limit) {
            (None, None) => {}
            (Some(pct), Some(l)) => {
                assert!(
                    close(pct, f64::from(r.supervisees) * 100.0 / f64::from(l)),
                    "{who}: {pct}"
                )
            }
            (pct, _) => panic!("{who}: load {pct:?} with limit {limit:?}"),
        }
        assert!(
            r.covered <= r.supervisees,
            "{who}: {} of {}",
            r.covered,
            r.supervisees
        );
        assert!(
            (0.0..=100.0).contains(&r.coverage_pct),
            "{who}: {}",
            r.coverage_pct
        );
        let want_pct = if r.supervisees == 0 {
            100.0
        } else {
            f64::from(r.covered) * 100.0 / f64::from(r.supervisees)
        };
        assert!(
            close(r.coverage_pct, want_pct),
            "{who}: coverage {}",
            r.coverage_pct
        );
        let modes: Vec<usize> = r
            .by_mode
            .iter()
            .map(|m| Mode::ALL.iter().position(|x| *x == m.mode).expect("a mode"))
            .collect();
        assert!(
            modes.windows(2).all(|w| w[0] < w[1]),
            "{who}: modes {modes:?}"
        );
        assert!(
            r.by_mode.iter().all(|m| m.sessions > 0),
            "{who}: an empty mode"
        );
        assert_eq!(
            r.sessions,
            r.by_mode.iter().map(|m| m.sessions).sum::<u32>(),
            "{who}"
        );
        assert!(
            close(r.hours, r.by_mode.iter().map(|m| m.hours).sum()),
            "{who}: hours"
        );
        assert_eq!(
            r.assistant.is_some(),
            r.role == Role::AssistantSupervisor,
            "{who}"
        );
        assert_eq!(
            r.trainee.is_some(),
            r.role == Role::TraineeSupervisor,
            "{who}"
        );
        if let Some(a) = &r.assistant {
            assert_eq!(a.required_pct, policy.assistant_share_pct, "{who}");
            assert_eq!(
                a.meets_r7,
                a.share_pct + 1e-9 >= f64::from(a.required_pct),
                "{who}: {a:?}"
            );
        }
        if let Some(t) = &r.trainee {
            assert_eq!(t.half_days_target, policy.trainee_half_days, "{who}");
            assert_eq!(t.difficult_cases_target, policy.r6_difficult_cases, "{who}");
            let meets = t.difficult_cases >= policy.r6_difficult_cases
                && (t.therapeutic_groups >= policy.r6_therapeutic_groups
                    || t.other_groups >= policy.r6_other_groups)
                && t.activities >= policy.r6_activities;
            assert_eq!(t.meets_r6, meets, "{who}: {t:?}");
            assert!(t.half_days <= 31, "{who}: {} half-days", t.half_days);
        }
    }
}

/// Every supervisor's row for `month` on `today` under `policy`, each
/// checked by `assert_sound`.
fn run(facts: &WorkFacts, policy: &Policy, month: Month, today: NaiveDate) -> Vec<SupervisorMonth> {
    let rows = workload(facts, policy, month, today);
    assert_sound(facts, policy, month, &rows);
    rows
}

/// The one checker: `who`'s row for `month` ("YYYY-MM") on `today`, under
/// the default policy.
fn check(facts: &WorkFacts, month_: &str, today: &str, who: i64) -> SupervisorMonth {
    let rows = run(facts, &Policy::default(), month(month_), day(today));
    let ids: Vec<i64> = rows.iter().map(|r| r.supervisor_id).collect();
    rows.into_iter()
        .find(|r| r.supervisor_id == who)
        .unwrap_or_else(|| panic!("no row for {who} in {month_} on {today}; rows: {ids:?}"))
}

/// (label, facts, month, today, wanted figure)
type Row<T> = (&'static str, WorkFacts, &'static str, &'static str, T);

/// Runs every row for supervisor `who`, reading one figure with `figure`;
/// reports all the rows that fail, not just the first.
fn table<T: PartialEq + Debug>(
    who: i64,
    figure: impl Fn(&SupervisorMonth) -> T,
    rows: Vec<Row<T>>,
) {
    let mut failures = Vec::new();
    for (label, facts, month, today, want) in rows {
        let got = figure(&check(&facts, month, today, who));
        if got != want {
            failures.push(format!(
                "{label} ({month} on {today}):\n  want {want:?}\n   got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Who gets a row
// ---------------------------------------------------------------------------

#[test]
fn every_supervisor_at_work_on_the_counting_day_gets_one_row_in_order() {
    let facts = WorkFacts {
        people: vec![
            person(SUP, Role::JuniorSupervisor, "2019-05-01"),
            person(ASSISTANT_B, Role::AssistantSupervisor, "2021-01-01"),
            person(ASSISTANT, Role::AssistantSupervisor, "2021-01-01"),
            person(TRAINEE, Role::TraineeSupervisor, "2021-01-01"),
            person(UPPER, Role::IntermediateSupervisor, "2015-01-01"),
            person(6, Role::SeniorSupervisor, "2010-01-01"),
            person(7, Role::StationHead, "2010-01-01"),
            person(W1, Role::Frontline, "2020-03-01"),
            // Left before October's last day, started after it.
            WorkPerson {
                left_date: Some(day("2026-10-20")),
                ..person(8, Role::JuniorSupervisor, "2019-01-01")
            },
            person(9, Role::JuniorSupervisor, "2026-11-05"),
            WorkPerson {
                station_id: 2,
                ..person(20, Role::AssistantSupervisor, "2021-01-01")
            },
        ],
        ..WorkFacts::default()
    };
    let ids = |month_: &str, today: &str| -> Vec<i64> {
        run(&facts, &Policy::default(), month(month_), day(today))
            .iter()
            .map(|r| r.supervisor_id)
            .collect()
    };
    // Station, then the highest rank first, then id.
    assert_eq!(
        ids(OCT, TODAY),
        vec![6, UPPER, SUP, TRAINEE, ASSISTANT, ASSISTANT_B, 20]
    );
    // On 2026-10-15 person 8 was still at work.
    assert_eq!(
        ids(OCT, "2026-10-15"),
        vec![6, UPPER, SUP, 8, TRAINEE, ASSISTANT, ASSISTANT_B, 20]
    );
    assert_eq!(
        ids(NOV, TODAY),
        vec![6, UPPER, SUP, 9, TRAINEE, ASSISTANT, ASSISTANT_B, 20]
    );
    assert_eq!(
        ids(NOV, "2026-11-04"),
        vec![6, UPPER, SUP, TRAINEE, ASSISTANT, ASSISTANT_B, 20]
    );
}

// ---------------------------------------------------------------------------
// R1, R2: supervisees and the ratio
// ---------------------------------------------------------------------------

#[test]
fn supervisees_are_counted_on_the_months_last_day_or_today() {
    let linked = |from: &str, to: Option<&str>| {
        with(nobody_linked(), |f| f.links.push(link(SUP, W1, from, to)))
    };
    let left = |on: &str| {
        with(team(), |f| {
            f.people[1].left_date = Some(day(on));
            f.links.pop();
        })
    };
    table(
        SUP,
        |r| r.supervisees,
        vec![
            ("nobody linked", nobody_linked(), OCT, TODAY, 0),
            (
                "a link open since 2025",
                linked("2025-01-01", None),
                OCT,
                TODAY,
                1,
            ),
            ("two links", team(), OCT, TODAY, 2),
            (
                "a link from the last day",
                linked("2026-10-31", None),
                OCT,
                TODAY,
                1,
            ),
            (
                "a link from the middle",
                linked("2026-10-15", None),
                OCT,
                TODAY,
                1,
            ),
            (
                "a link from next month",
                linked("2026-11-01", None),
                OCT,
                TODAY,
                0,
            ),
            (
                "ended mid-month",
                linked("2025-01-01", Some("2026-10-15")),
                OCT,
                TODAY,
                0,
            ),
            (
                "ended on the last day (its end day is not counted)",
                linked("2025-01-01", Some("2026-10-31")),
                OCT,
                TODAY,
                0,
            ),
            (
                "ends next month",
                linked("2025-01-01", Some("2026-11-01")),
                OCT,
                TODAY,
                1,
            ),
            (
                "the supervisee left mid-month",
                left("2026-10-20"),
                OCT,
                TODAY,
                0,
            ),
            (
                "the supervisee leaves next month",
                left("2026-11-05"),
                OCT,
                TODAY,
                1,
            ),
            // A month not over is counted on today.
            ("from today", linked("2026-11-22", None), NOV, TODAY, 1),
            (
                "from after today",
                linked("2026-11-25", None),
                NOV,
                TODAY,
                0,
            ),
            (
                "ends after today",
                linked("2025-01-01", Some("2026-11-25")),
                NOV,
                TODAY,
                1,
            ),
            (
                "ended today",
                linked("2025-01-01", Some("2026-11-22")),
                NOV,
                TODAY,
                0,
            ),
            (
                "October seen from 10-10",
                linked("2026-10-15", None),
                OCT,
                "2026-10-10",
                0,
            ),
            (
                "October seen from 10-10, ended later",
                linked("2025-01-01", Some("2026-10-15")),
                OCT,
                "2026-10-10",
                1,
            ),
        ],
    );
}

/// `role` (id 7) supervising `n` frontline workers since 2025.
fn supervising(role: Role, n: i64) -> WorkFacts {
    let mut facts = WorkFacts {
        people: vec![person(7, role, "2019-01-01")],
        ..WorkFacts::default()
    };
    for id in 100..100 + n {
        facts.people.push(person(id, Role::Frontline, "2020-01-01"));
        facts.links.push(link(7, id, "2025-01-01", None));
    }
    facts
}

#[test]
fn r1_and_r2_limits_follow_the_role() {
    table(
        7,
        |r| (r.supervisees, r.ratio_limit, r.load_pct),
        vec![
            (
                "junior, 7",
                supervising(Role::JuniorSupervisor, 7),
                OCT,
                TODAY,
                (7, Some(14), Some(50.0)),
            ),
            (
                "junior, 21",
                supervising(Role::JuniorSupervisor, 21),
                OCT,
                TODAY,
                (21, Some(14), Some(150.0)),
            ),
            (
                "trainee, 14",
                supervising(Role::TraineeSupervisor, 14),
                OCT,
                TODAY,
                (14, Some(14), Some(100.0)),
            ),
            (
                "assistant, 0",
                supervising(Role::AssistantSupervisor, 0),
                OCT,
                TODAY,
                (0, Some(6), Some(0.0)),
            ),
            (
                "assistant, 3",
                supervising(Role::AssistantSupervisor, 3),
                OCT,
                TODAY,
                (3, Some(6), Some(50.0)),
            ),
            (
                "assistant, 9",
                supervising(Role::AssistantSupervisor, 9),
                OCT,
                TODAY,
                (9, Some(6), Some(150.0)),
            ),
            (
                "intermediate",
                supervising(Role::IntermediateSupervisor, 20),
                OCT,
                TODAY,
                (20, None, None),
            ),
            (
                "senior",
                supervising(Role::SeniorSupervisor, 2),
                OCT,
                TODAY,
                (2, None, None),
            ),
        ],
    );
}

#[test]
fn the_ratio_limits_are_policy_settings() {
    let mut policy = Policy::default();
    policy.set("ratio_assistant", 4).expect("set");
    policy.set("ratio_supervisor", 10).expect("set");
    let rows = run(
        &supervising(Role::AssistantSupervisor, 3),
        &policy,
        month(OCT),
        today(),
    );
    assert_eq!(
        (rows[0].ratio_limit, rows[0].load_pct),
        (Some(4), Some(75.0))
    );
    let rows = run(
        &supervising(Role::TraineeSupervisor, 5),
        &policy,
        month(OCT),
        today(),
    );
    assert_eq!(
        (rows[0].ratio_limit, rows[0].load_pct),
        (Some(10), Some(50.0))
    );
}

// ---------------------------------------------------------------------------
// Sessions and hours
// ---------------------------------------------------------------------------

type ByMode = Vec<(Mode, u32, f64)>;

#[test]
fn sessions_and_hours_count_the_months_sessions_up_to_today_by_mode() {
    let held = |list: Vec<WorkSession>| with(team(), |f| f.sessions = list);
    let one = |sup: i64, date: &str, mode: Mode, hours: f64| session(sup, date, mode, hours, &[W1]);
    let mixed = held(vec![
        one(SUP, "2026-10-01", Mode::Individual, 1.5),
        one(SUP, "2026-10-31", Mode::Group, 2.0),
        one(SUP, "2026-10-15", Mode::Individual, 1.0),
        one(SUP, "2026-10-20", Mode::Written, 0.5),
        one(SUP, "2026-10-21", Mode::LiveObservation, 1.0),
        one(SUP, "2026-10-22", Mode::FollowUp, 0.75),
    ]);
    let want_mixed: ByMode = vec![
        (Mode::Individual, 2, 2.5),
        (Mode::Group, 1, 2.0),
        (Mode::Written, 1, 0.5),
        (Mode::FollowUp, 1, 0.75),
        (Mode::LiveObservation, 1, 1.0),
    ];
    table(
        SUP,
        |r| {
            let by_mode: ByMode = r
                .by_mode
                .iter()
                .map(|m| (m.mode, m.sessions, m.hours))
                .collect();
            (r.sessions, r.hours, by_mode)
        },
        vec![
            ("none", team(), OCT, TODAY, (0, 0.0, vec![])),
            (
                "one individual",
                held(vec![one(SUP, "2026-10-05", Mode::Individual, 1.5)]),
                OCT,
                TODAY,
                (1, 1.5, vec![(Mode::Individual, 1, 1.5)]),
            ),
            (
                "every mode, in the order of the modes",
                mixed,
                OCT,
                TODAY,
                (6, 6.75, want_mixed),
            ),
            (
                "the days either side of the month",
                held(vec![
                    one(SUP, "2026-09-30", Mode::Individual, 1.0),
                    one(SUP, "2026-11-01", Mode::Individual, 1.0),
                ]),
                OCT,
                TODAY,
                (0, 0.0, vec![]),
            ),
            (
                "someone else's session",
                held(vec![one(UPPER, "2026-10-05", Mode::Individual, 1.0)]),
                OCT,
                TODAY,
                (0, 0.0, vec![]),
            ),
            (
                "a session nobody attended still counts",
                held(vec![session(SUP, "2026-10-05", Mode::Group, 1.0, &[])]),
                OCT,
                TODAY,
                (1, 1.0, vec![(Mode::Group, 1, 1.0)]),
            ),
            (
                "November: today's counts, tomorrow's does not",
                held(vec![
                    one(SUP, "2026-11-22", Mode::Individual, 1.0),
                    one(SUP, "2026-11-23", Mode::Individual, 1.0),
                ]),
                NOV,
                TODAY,
                (1, 1.0, vec![(Mode::Individual, 1, 1.0)]),
            ),
        ],
    );
}

// ---------------------------------------------------------------------------
// R3, R18: coverage
// ---------------------------------------------------------------------------

#[test]
fn r3_coverage_counts_supervisees_seen_face_to_face_in_the_month() {
    let held = |list: Vec<WorkSession>| with(team(), |f| f.sessions = list);
    let s = |sup: i64, date: &str, mode: Mode, who: &[i64]| session(sup, date, mode, 1.0, who);
    table(
        SUP,
        |r| (r.covered, r.coverage_pct),
        vec![
            ("no sessions", team(), OCT, TODAY, (0, 0.0)),
            (
                "one of two seen",
                held(vec![s(SUP, "2026-10-05", Mode::Individual, &[W1])]),
                OCT,
                TODAY,
                (1, 50.0),
            ),
            (
                "both in one group session",
                held(vec![s(SUP, "2026-10-05", Mode::Group, &[W1, W2])]),
                OCT,
                TODAY,
                (2, 100.0),
            ),
            (
                "both, one each",
                held(vec![
                    s(SUP, "2026-10-05", Mode::Individual, &[W1]),
                    s(SUP, "2026-10-06", Mode::Individual, &[W2]),
                ]),
                OCT,
                TODAY,
                (2, 100.0),
            ),
            (
                "a written session does not cover",
                held(vec![s(SUP, "2026-10-05", Mode::Written, &[W1, W2])]),
                OCT,
                TODAY,
                (0, 0.0),
            ),
            (
                "live observation covers",
                held(vec![s(SUP, "2026-10-05", Mode::LiveObservation, &[W1])]),
                OCT,
                TODAY,
                (1, 50.0),
            ),
            (
                "a follow-up counts as face to face",
                held(vec![s(SUP, "2026-10-05", Mode::FollowUp, &[W1])]),
                OCT,
                TODAY,
                (1, 50.0),
            ),
            (
                "a session with another supervisor covers",
                held(vec![s(UPPER, "2026-10-05", Mode::Individual, &[W1])]),
                OCT,
                TODAY,
                (1, 50.0),
            ),
            (
                "last month's session does not",
                held(vec![s(SUP, "2026-09-30", Mode::Individual, &[W1, W2])]),
                OCT,
                TODAY,
                (0, 0.0),
            ),
            (
                "someone outside the team seen",
                held(vec![s(SUP, "2026-10-05", Mode::Individual, &[W3])]),
                OCT,
                TODAY,
                (0, 0.0),
            ),
            ("nobody to cover", nobody_linked(), OCT, TODAY, (0, 100.0)),
            (
                "November: seen today",
                held(vec![s(SUP, "2026-11-22", Mode::Individual, &[W1])]),
                NOV,
                TODAY,
                (1, 50.0),
            ),
            (
                "November: a session after today",
                held(vec![s(SUP, "2026-11-23", Mode::Individual, &[W1])]),
                NOV,
                TODAY,
                (0, 0.0),
            ),
        ],
    );
}

/// `SUP` and `W1`, who started on `start` and was linked that day, seen
/// face to face on each of `days` (and once in writing on the 3rd of
/// `written`'s month, when given).
fn newcomer(start: &str, days: &[&str], written: Option<&str>) -> WorkFacts {
    let mut facts = WorkFacts {
        people: vec![
            person(SUP, Role::JuniorSupervisor, "2019-05-01"),
            person(W1, Role::Frontline, start),
        ],
        links: vec![link(SUP, W1, start, None)],
        ..WorkFacts::default()
    };
    for d in days {
        facts
            .sessions
            .push(session(SUP, d, Mode::Individual, 1.0, &[W1]));
    }
    if let Some(d) = written {
        facts
            .sessions
            .push(session(SUP, d, Mode::Written, 1.0, &[W1]));
    }
    facts
}

/// The first `n` of October's Mondays and the days after them.
fn october(n: usize) -> Vec<&'static str> {
    [
        "2026-10-05",
        "2026-10-12",
        "2026-10-19",
        "2026-10-26",
        "2026-10-30",
        "2026-10-31",
    ][..n]
        .to_vec()
}

#[test]
fn r18_new_staff_need_a_session_for_each_started_week_under_six_months() {
    table(
        SUP,
        |r| r.covered,
        vec![
            // New all October: 31 days, 5 started weeks.
            (
                "new all month, 4 sessions",
                newcomer("2026-08-10", &october(4), None),
                OCT,
                TODAY,
                0,
            ),
            (
                "new all month, 5 sessions",
                newcomer("2026-08-10", &october(5), None),
                OCT,
                TODAY,
                1,
            ),
            (
                "new all month, 4 sessions and a written one",
                newcomer("2026-08-10", &october(4), Some("2026-10-03")),
                OCT,
                TODAY,
                0,
            ),
            // Six months end on 10-15: new 10-01..10-14, 2 weeks.
            (
                "six months end mid-month, 1 session",
                newcomer("2026-04-15", &october(1), None),
                OCT,
                TODAY,
                0,
            ),
            (
                "six months end mid-month, 2 sessions",
                newcomer("2026-04-15", &october(2), None),
                OCT,
                TODAY,
                1,
            ),
            // Six months ended on 10-01: R3's one session.
            (
                "six months end on the 1st",
                newcomer("2026-04-01", &october(1), None),
                OCT,
                TODAY,
                1,
            ),
            // New on 10-01 only: one day, one session.
            (
                "new one day of the month",
                newcomer("2026-04-02", &october(1), None),
                OCT,
                TODAY,
                1,
            ),
            // Started 10-20: 12 days, 2 started weeks.
            (
                "started on the 20th, 1 session",
                newcomer("2026-10-20", &["2026-10-26"], None),
                OCT,
                TODAY,
                0,
            ),
            (
                "started on the 20th, 2 sessions",
                newcomer("2026-10-20", &["2026-10-20", "2026-10-27"], None),
                OCT,
                TODAY,
                1,
            ),
            // November up to today: 22 days, 4 started weeks.
            (
                "November so far, 3 sessions",
                newcomer(
                    "2026-09-01",
                    &["2026-11-02", "2026-11-09", "2026-11-16"],
                    None,
                ),
                NOV,
                TODAY,
                0,
            ),
            (
                "November so far, 4 sessions",
                newcomer(
                    "2026-09-01",
                    &["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-22"],
                    None,
                ),
                NOV,
                TODAY,
                1,
            ),
            // February 2027 has exactly 4 weeks.
            (
                "February, 3 sessions",
                newcomer(
                    "2026-12-01",
                    &["2027-02-01", "2027-02-08", "2027-02-15"],
                    None,
                ),
                "2027-02",
                "2027-03-10",
                0,
            ),
            (
                "February, 4 sessions",
                newcomer(
                    "2026-12-01",
                    &["2027-02-01", "2027-02-08", "2027-02-15", "2027-02-22"],
                    None,
                ),
                "2027-02",
                "2027-03-10",
                1,
            ),
            // Old staff: one is enough.
            (
                "of long standing",
                newcomer("2020-01-01", &october(1), None),
                OCT,
                TODAY,
                1,
            ),
        ],
    );
}

#[test]
fn r18_months_are_a_policy_setting() {
    let mut policy = Policy::default();
    policy.set("new_staff_months", 2).expect("set");
    // Started 2026-08-10: new until 10-10, so 10-01..10-09 in October: 2 weeks.
    let covered = |n: usize| {
        let facts = newcomer("2026-08-10", &october(n), None);
        run(&facts, &policy, month(OCT), today())[0].covered
    };
    assert_eq!((covered(1), covered(2)), (0, 1));
}

// ---------------------------------------------------------------------------
// The team's cases, groups and activities
// ---------------------------------------------------------------------------

#[test]
fn team_case_load_weighs_the_teams_open_cases_3_2_1() {
    let cases = |list: Vec<WorkCase>| with(team(), |f| f.cases = list);
    let open = "2026-01-05";
    table(
        SUP,
        |r| r.team_case_load,
        vec![
            ("no cases", team(), OCT, TODAY, 0.0),
            (
                "a high-risk case",
                cases(vec![case(1, W1, Risk::High, open, None)]),
                OCT,
                TODAY,
                3.0,
            ),
            (
                "high, priority and general across the team",
                cases(vec![
                    case(1, W1, Risk::High, open, None),
                    case(2, W1, Risk::Priority, open, None),
                    case(3, W2, Risk::General, open, None),
                ]),
                OCT,
                TODAY,
                6.0,
            ),
            (
                "the supervisor's own case counts in its team",
                cases(vec![case(1, SUP, Risk::General, open, None)]),
                OCT,
                TODAY,
                1.0,
            ),
            (
                "closed before the month",
                cases(vec![case(1, W1, Risk::High, open, Some("2026-09-30"))]),
                OCT,
                TODAY,
                0.0,
            ),
            (
                "closed on the month's first day",
                cases(vec![case(1, W1, Risk::High, open, Some("2026-10-01"))]),
                OCT,
                TODAY,
                3.0,
            ),
            (
                "closed on its last day",
                cases(vec![case(1, W1, Risk::Priority, open, Some("2026-10-31"))]),
                OCT,
                TODAY,
                2.0,
            ),
            (
                "opened on its last day",
                cases(vec![case(1, W1, Risk::Priority, "2026-10-31", None)]),
                OCT,
                TODAY,
                2.0,
            ),
            (
                "opened next month",
                cases(vec![case(1, W1, Risk::Priority, "2026-11-01", None)]),
                OCT,
                TODAY,
                0.0,
            ),
            (
                "someone outside the team",
                cases(vec![case(1, W3, Risk::High, open, None)]),
                OCT,
                TODAY,
                0.0,
            ),
            (
                "a supervisee who moved away mid-month",
                with(cases(vec![case(1, W1, Risk::High, open, None)]), |f| {
                    f.links[0].to = Some(day("2026-10-15"));
                }),
                OCT,
                TODAY,
                0.0,
            ),
        ],
    );
}

#[test]
fn team_group_sessions_and_activities_are_those_the_team_led_in_the_month() {
    let led_by = |list: Vec<WorkGroupSession>| with(team(), |f| f.group_sessions = list);
    let g = |leader: i64, date: &str| led(1, leader, GroupKind::Group, false, date);
    let a = |leader: i64, date: &str| led(2, leader, GroupKind::Activity, false, date);
    table(
        SUP,
        |r| (r.team_group_sessions, r.team_activities),
        vec![
            ("none", team(), OCT, TODAY, (0, 0)),
            (
                "two group sessions and an activity",
                led_by(vec![
                    g(W1, "2026-10-06"),
                    g(W1, "2026-10-13"),
                    a(W2, "2026-10-20"),
                ]),
                OCT,
                TODAY,
                (2, 1),
            ),
            (
                "led by the supervisor",
                led_by(vec![g(SUP, "2026-10-06")]),
                OCT,
                TODAY,
                (1, 0),
            ),
            (
                "led outside the team",
                led_by(vec![g(W3, "2026-10-06")]),
                OCT,
                TODAY,
                (0, 0),
            ),
            (
                "the months either side",
                led_by(vec![g(W1, "2026-09-30"), a(W1, "2026-11-01")]),
                OCT,
                TODAY,
                (0, 0),
            ),
            (
                "November: today's, not later ones",
                led_by(vec![g(W1, "2026-11-22"), a(W1, "2026-11-23")]),
                NOV,
                TODAY,
                (1, 0),
            ),
            (
                "led by someone who left the team mid-month",
                with(led_by(vec![g(W1, "2026-10-06")]), |f| {
                    f.links[0].to = Some(day("2026-10-15"));
                }),
                OCT,
                TODAY,
                (0, 0),
            ),
        ],
    );
}

#[test]
fn the_workload_measure_weighs_cases_groups_and_activities() {
    let facts = with(team(), |f| {
        f.cases = vec![
            case(1, W1, Risk::High, "2026-01-05", None),
            case(2, W1, Risk::Priority, "2026-01-05", None),
            case(3, W1, Risk::General, "2026-01-05", None),
            case(4, W1, Risk::General, "2026-01-05", Some("2026-09-01")),
        ];
        f.group_sessions = vec![
            led(1, W1, GroupKind::Group, false, "2026-10-06"),
            led(1, W1, GroupKind::Group, false, "2026-10-13"),
            led(1, W1, GroupKind::Group, false, "2026-09-29"),
            led(2, W1, GroupKind::Activity, false, "2026-10-20"),
        ];
    });
    let policy = Policy::default();
    assert_eq!(case_load(&facts, &policy, W1, month(OCT)), 6.0);
    assert_eq!(worker_load(&facts, &policy, W1, month(OCT)), 9.0);
    assert_eq!(worker_load(&facts, &policy, W2, month(OCT)), 0.0);
    let mut heavier = Policy::default();
    heavier.set("weight_high", 5).expect("set");
    heavier.set("weight_group_session", 2).expect("set");
    assert_eq!(case_load(&facts, &heavier, W1, month(OCT)), 8.0);
    assert_eq!(worker_load(&facts, &heavier, W1, month(OCT)), 13.0);
}

// ---------------------------------------------------------------------------
// R4: supervision the supervisor received
// ---------------------------------------------------------------------------

#[test]
fn r4_counts_individual_and_group_sessions_the_supervisor_attended() {
    let upper = || {
        with(team(), |f| {
            f.people
                .push(person(UPPER, Role::IntermediateSupervisor, "2015-01-01"));
            f.links.push(link(UPPER, SUP, "2025-01-01", None));
        })
    };
    let held = |list: Vec<WorkSession>| with(upper(), |f| f.sessions = list);
    let s = |sup: i64, date: &str, mode: Mode, who: &[i64]| session(sup, date, mode, 1.0, who);
    table(
        SUP,
        |r| (r.received_individual, r.received_group),
        vec![
            ("none", upper(), OCT, TODAY, (0, 0)),
            (
                "individual",
                held(vec![s(UPPER, "2026-10-05", Mode::Individual, &[SUP])]),
                OCT,
                TODAY,
                (1, 0),
            ),
            (
                "group",
                held(vec![s(UPPER, "2026-10-05", Mode::Group, &[SUP, 20])]),
                OCT,
                TODAY,
                (0, 1),
            ),
            (
                "both, and a second individual",
                held(vec![
                    s(UPPER, "2026-10-05", Mode::Individual, &[SUP]),
                    s(UPPER, "2026-10-12", Mode::Group, &[SUP]),
                    s(UPPER, "2026-10-19", Mode::Individual, &[SUP]),
                ]),
                OCT,
                TODAY,
                (2, 1),
            ),
            (
                "written and follow-up count as neither",
                held(vec![
                    s(UPPER, "2026-10-05", Mode::Written, &[SUP]),
                    s(UPPER, "2026-10-06", Mode::FollowUp, &[SUP]),
                ]),
                OCT,
                TODAY,
                (0, 0),
            ),
            (
                "an outside adviser's session counts",
                held(vec![s(99, "2026-10-05", Mode::Individual, &[SUP])]),
                OCT,
                TODAY,
                (1, 0),
            ),
            (
                "last month's",
                held(vec![s(UPPER, "2026-09-30", Mode::Individual, &[SUP])]),
                OCT,
                TODAY,
                (0, 0),
            ),
            (
                "sessions the supervisor led",
                held(vec![s(SUP, "2026-10-05", Mode::Individual, &[W1])]),
                OCT,
                TODAY,
                (0, 0),
            ),
            (
                "November: after today",
                held(vec![s(UPPER, "2026-11-25", Mode::Group, &[SUP])]),
                NOV,
                TODAY,
                (0, 0),
            ),
        ],
    );
}

// ---------------------------------------------------------------------------
// R7: the assistant's share
// ---------------------------------------------------------------------------

/// `ASSISTANT` with `W1` and `W2` since 2025, `own`, `w1` and `w2` general
/// cases open all year.
fn assistant_team(own: i64, w1: i64, w2: i64) -> WorkFacts {
    WorkFacts {
        people: vec![
            person(ASSISTANT, Role::AssistantSupervisor, "2021-01-01"),
            person(W1, Role::Frontline, "2020-03-01"),
            person(W2, Role::Frontline, "2020-03-01"),
        ],
        links: vec![
            link(ASSISTANT, W1, "2025-01-01", None),
            link(ASSISTANT, W2, "2025-01-01", None),
        ],
        cases: [
            general_cases(ASSISTANT, own, 100),
            general_cases(W1, w1, 200),
            general_cases(W2, w2, 300),
        ]
        .concat(),
        ..WorkFacts::default()
    }
}

#[test]
fn r7_the_assistant_carries_80_percent_of_its_frontline_average() {
    let r7 = |r: &SupervisorMonth| {
        let a = r.assistant.as_ref().expect("an assistant's figures");
        (a.own_workload, a.group_average, a.share_pct, a.meets_r7)
    };
    let also = |facts: WorkFacts, g: WorkGroupSession| with(facts, |f| f.group_sessions.push(g));
    table(
        ASSISTANT,
        r7,
        vec![
            (
                "exactly 80%",
                assistant_team(4, 5, 5),
                OCT,
                TODAY,
                (4.0, 5.0, 80.0, true),
            ),
            (
                "60%",
                assistant_team(3, 5, 5),
                OCT,
                TODAY,
                (3.0, 5.0, 60.0, false),
            ),
            (
                "79%",
                assistant_team(79, 100, 100),
                OCT,
                TODAY,
                (79.0, 100.0, 79.0, false),
            ),
            (
                "an uneven team",
                assistant_team(4, 10, 0),
                OCT,
                TODAY,
                (4.0, 5.0, 80.0, true),
            ),
            (
                "more than the team",
                assistant_team(12, 10, 10),
                OCT,
                TODAY,
                (12.0, 10.0, 120.0, true),
            ),
            (
                "nothing at all",
                assistant_team(0, 5, 5),
                OCT,
                TODAY,
                (0.0, 5.0, 0.0, false),
            ),
            (
                "a group session makes up the difference",
                also(
                    assistant_team(3, 5, 5),
                    led(1, ASSISTANT, GroupKind::Group, false, "2026-10-06"),
                ),
                OCT,
                TODAY,
                (4.0, 5.0, 80.0, true),
            ),
            (
                "an activity last month does not",
                also(
                    assistant_team(3, 5, 5),
                    led(2, ASSISTANT, GroupKind::Activity, false, "2026-09-29"),
                ),
                OCT,
                TODAY,
                (3.0, 5.0, 60.0, false),
            ),
            (
                "risk weighs in",
                with(assistant_team(0, 0, 1), |f| {
                    f.cases
                        .push(case(1, ASSISTANT, Risk::High, "2026-01-05", None));
                    f.cases.push(case(2, W1, Risk::High, "2026-01-05", None));
                    f.cases
                        .push(case(3, W1, Risk::Priority, "2026-01-05", None));
                }),
                OCT,
                TODAY,
                (3.0, 3.0, 100.0, true),
            ),
            (
                "a team with no workload: 100%",
                assistant_team(0, 0, 0),
                OCT,
                TODAY,
                (0.0, 0.0, 100.0, true),
            ),
            (
                "no frontline team: 100%",
                with(assistant_team(2, 5, 5), |f| f.links.clear()),
                OCT,
                TODAY,
                (2.0, 0.0, 100.0, true),
            ),
            (
                "a worker who left the team mid-month is not in the average",
                with(assistant_team(4, 20, 5), |f| {
                    f.links[0].to = Some(day("2026-10-15"))
                }),
                OCT,
                TODAY,
                (4.0, 5.0, 80.0, true),
            ),
        ],
    );
}

// ---------------------------------------------------------------------------
// R5, R6: the trainee
// ---------------------------------------------------------------------------

fn trainee() -> WorkFacts {
    WorkFacts {
        people: vec![
            person(TRAINEE, Role::TraineeSupervisor, "2021-01-01"),
            person(W1, Role::Frontline, "2020-03-01"),
        ],
        links: vec![link(TRAINEE, W1, "2025-01-01", None)],
        ..WorkFacts::default()
    }
}

#[test]
fn r5_half_days_are_the_distinct_days_of_frontline_work() {
    let worked = |days: Vec<(i64, &str)>| {
        with(trainee(), |f| {
            f.frontline_days = days.into_iter().map(|(p, d)| (p, day(d))).collect();
        })
    };
    let twelve: Vec<(i64, &str)> = [
        "2026-10-01",
        "2026-10-02",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
        "2026-10-08",
        "2026-10-09",
        "2026-10-12",
        "2026-10-13",
        "2026-10-14",
        "2026-10-15",
        "2026-10-16",
    ]
    .into_iter()
    .map(|d| (TRAINEE, d))
    .collect();
    table(
        TRAINEE,
        |r| {
            let t = r.trainee.as_ref().expect("a trainee's figures");
            (t.half_days, t.half_days_target)
        },
        vec![
            ("none", trainee(), OCT, TODAY, (0, 10)),
            (
                "one day twice and another",
                worked(vec![
                    (TRAINEE, "2026-10-01"),
                    (TRAINEE, "2026-10-01"),
                    (TRAINEE, "2026-10-02"),
                ]),
                OCT,
                TODAY,
                (2, 10),
            ),
            (
                "the days either side",
                worked(vec![(TRAINEE, "2026-09-30"), (TRAINEE, "2026-11-01")]),
                OCT,
                TODAY,
                (0, 10),
            ),
            (
                "someone else's day",
                worked(vec![(W1, "2026-10-03")]),
                OCT,
                TODAY,
                (0, 10),
            ),
            ("twelve days", worked(twelve), OCT, TODAY, (12, 10)),
            (
                "November: today, not tomorrow",
                worked(vec![(TRAINEE, "2026-11-22"), (TRAINEE, "2026-11-23")]),
                NOV,
                TODAY,
                (1, 10),
            ),
        ],
    );
}

type R6 = (u32, u32, u32, u32, bool);

#[test]
fn r6_difficult_cases_groups_and_an_activity() {
    let done = |cases: Vec<WorkCase>, groups: Vec<Vec<WorkGroupSession>>| {
        with(trainee(), |f| {
            f.cases = cases;
            f.group_sessions = groups.concat();
        })
    };
    let two_difficult = || vec![difficult(1, TRAINEE, 4), difficult(2, TRAINEE, 5)];
    let therapeutic = |id: i64, n: usize| group(id, TRAINEE, GroupKind::Group, true, n);
    let other = |id: i64, n: usize| group(id, TRAINEE, GroupKind::Group, false, n);
    let activity = |id: i64| group(id, TRAINEE, GroupKind::Activity, false, 1);
    let rows: Vec<Row<R6>> = vec![
        ("nothing yet", trainee(), OCT, TODAY, (0, 0, 0, 0, false)),
        (
            "two difficult cases",
            done(two_difficult(), vec![]),
            OCT,
            TODAY,
            (2, 0, 0, 0, false),
        ),
        (
            "too few interviews, not difficult, not the trainee's",
            done(
                vec![
                    difficult(1, TRAINEE, 3),
                    WorkCase {
                        difficult: false,
                        ..difficult(2, TRAINEE, 9)
                    },
                    difficult(3, W1, 6),
                ],
                vec![],
            ),
            OCT,
            TODAY,
            (0, 0, 0, 0, false),
        ),
        (
            "a difficult case closed long ago still counts",
            done(
                vec![WorkCase {
                    opened_on: day("2025-02-01"),
                    closed_on: Some(day("2026-01-10")),
                    ..difficult(1, TRAINEE, 4)
                }],
                vec![],
            ),
            OCT,
            TODAY,
            (1, 0, 0, 0, false),
        ),
        (
            "a therapeutic group of 4 (Aug–Oct)",
            done(vec![], vec![therapeutic(1, 4)]),
            OCT,
            TODAY,
            (0, 1, 0, 0, false),
        ),
        (
            "a therapeutic group of 3",
            done(vec![], vec![therapeutic(1, 3)]),
            OCT,
            TODAY,
            (0, 0, 0, 0, false),
        ),
        (
            "two other groups of 4",
            done(vec![], vec![other(1, 4), other(2, 6)]),
            OCT,
            TODAY,
            (0, 0, 2, 0, false),
        ),
        (
            "other groups of 4 and 3",
            done(vec![], vec![other(1, 4), other(2, 3)]),
            OCT,
            TODAY,
            (0, 0, 1, 0, false),
        ),
        (
            "an activity",
            done(vec![], vec![activity(1)]),
            OCT,
            TODAY,
            (0, 0, 0, 1, false),
        ),
        (
            "all done, with a therapeutic group",
            done(two_difficult(), vec![therapeutic(1, 4), activity(2)]),
            OCT,
            TODAY,
            (2, 1, 0, 1, true),
        ),
        (
            "all done, with two other groups",
            done(two_difficult(), vec![other(1, 4), other(2, 5), activity(3)]),
            OCT,
            TODAY,
            (2, 0, 2, 1, true),
        ),
        (
            "one other group is not enough",
            done(two_difficult(), vec![other(1, 4), activity(3)]),
            OCT,
            TODAY,
            (2, 0, 1, 1, false),
        ),
        (
            "no activity",
            done(two_difficult(), vec![therapeutic(1, 4)]),
            OCT,
            TODAY,
            (2, 1, 0, 0, false),
        ),
        (
            "one difficult case",
            done(
                vec![difficult(1, TRAINEE, 4)],
                vec![therapeutic(2, 4), activity(3)],
            ),
            OCT,
            TODAY,
            (1, 1, 0, 1, false),
        ),
        (
            "groups someone else led",
            done(
                two_difficult(),
                vec![
                    group(1, W1, GroupKind::Group, true, 4),
                    group(2, W1, GroupKind::Activity, false, 1),
                ],
            ),
            OCT,
            TODAY,
            (2, 0, 0, 0, false),
        ),
    ];
    table(
        TRAINEE,
        |r| {
            let t = r.trainee.as_ref().expect("a trainee's figures");
            (
                t.difficult_cases,
                t.therapeutic_groups,
                t.other_groups,
                t.activities,
                t.meets_r6,
            )
        },
        rows,
    );
}

#[test]
fn r6_counts_group_sessions_up_to_the_counting_day() {
    // Three sessions by October's end, the fourth on 11-03.
    let facts = with(trainee(), |f| {
        f.group_sessions = group(1, TRAINEE, GroupKind::Group, true, 3);
        f.group_sessions
            .push(led(1, TRAINEE, GroupKind::Group, true, "2026-11-03"));
        f.group_sessions
            .push(led(2, TRAINEE, GroupKind::Activity, false, "2026-11-25"));
    });
    let groups = |month_: &str, today: &str| {
        let t = check(&facts, month_, today, TRAINEE)
            .trainee
            .expect("trainee");
        (t.therapeutic_groups, t.activities)
    };
    assert_eq!(groups(OCT, TODAY), (0, 0));
    assert_eq!(groups(NOV, TODAY), (1, 0));
    assert_eq!(groups(NOV, "2026-11-30"), (1, 1));
}

// ---------------------------------------------------------------------------
// A team that changes in the middle of the month
// ---------------------------------------------------------------------------

/// `W1` moved from assistant A (`ASSISTANT`) to assistant B (`ASSISTANT_B`)
/// on 10-15; A met them on 10-10 (in `mode`).
fn moved(mode: Mode) -> WorkFacts {
    WorkFacts {
        people: vec![
            person(ASSISTANT, Role::AssistantSupervisor, "2021-01-01"),
            person(ASSISTANT_B, Role::AssistantSupervisor, "2021-01-01"),
            person(W1, Role::Frontline, "2020-03-01"),
        ],
        links: vec![
            link(ASSISTANT, W1, "2025-01-01", Some("2026-10-15")),
            link(ASSISTANT_B, W1, "2026-10-15", None),
        ],
        sessions: vec![session(ASSISTANT, "2026-10-10", mode, 1.5, &[W1])],
        ..WorkFacts::default()
    }
}

#[test]
fn a_worker_moved_mid_month_counts_for_the_new_assistant_only() {
    let facts = moved(Mode::Individual);
    let a = check(&facts, OCT, TODAY, ASSISTANT);
    let b = check(&facts, OCT, TODAY, ASSISTANT_B);
    // On the month's last day the worker is B's.
    assert_eq!((a.supervisees, b.supervisees), (0, 1));
    // A's session with them is still A's.
    assert_eq!((a.sessions, a.hours), (1, 1.5));
    assert_eq!((b.sessions, b.hours), (0, 0.0));
    // A has nobody left to cover; B's worker is covered by the session they
    // had with A: coverage counts any face-to-face session the supervisee
    // attended in the month, whoever led it.
    assert_eq!((a.covered, a.coverage_pct), (0, 100.0));
    assert_eq!((b.covered, b.coverage_pct), (1, 100.0));

    // Seen on 10-12, before the move, the worker is still A's.
    let a = check(&facts, OCT, "2026-10-12", ASSISTANT);
    let b = check(&facts, OCT, "2026-10-12", ASSISTANT_B);
    assert_eq!((a.supervisees, a.covered), (1, 1));
    assert_eq!((b.supervisees, b.coverage_pct), (0, 100.0));

    // A written session with A would not have covered them for B.
    let b = check(&moved(Mode::Written), OCT, TODAY, ASSISTANT_B);
    assert_eq!((b.supervisees, b.covered, b.coverage_pct), (1, 0, 0.0));

    // In September they were A's.
    let a = check(&facts, "2026-09", TODAY, ASSISTANT);
    assert_eq!(a.supervisees, 1);
}

// ---------------------------------------------------------------------------
// A month not yet begun
// ---------------------------------------------------------------------------

#[test]
fn a_month_not_yet_begun_counts_nothing_after_today() {
    let facts = with(team(), |f| {
        f.sessions = vec![session(SUP, "2026-12-01", Mode::Individual, 1.0, &[W1])];
    });
    let r = check(&facts, "2026-12", TODAY, SUP);
    assert_eq!((r.sessions, r.hours, r.covered), (0, 0.0, 0));
}

/// Figures summed over nothing are 0.0, not -0.0 (which `workload --format
/// json` prints as "-0.0").
#[test]
fn figures_over_nothing_are_plain_zero() {
    let policy = Policy::default();
    let sup = check(&team(), OCT, TODAY, SUP);
    let assistant = check(&assistant_team(0, 5, 5), OCT, TODAY, ASSISTANT);
    let r7 = assistant.assistant.expect("an assistant's figures");
    let figures = [
        ("hours", sup.hours),
        ("team_case_load", sup.team_case_load),
        ("case_load", case_load(&team(), &policy, W1, month(OCT))),
        ("worker_load", worker_load(&team(), &policy, W1, month(OCT))),
        ("own_workload", r7.own_workload),
        ("share_pct", r7.share_pct),
    ];
    let negative: Vec<&str> = figures
        .iter()
        .filter(|(_, x)| *x == 0.0 && x.is_sign_negative())
        .map(|(what, _)| *what)
        .collect();
    assert!(negative.is_empty(), "-0.0: {negative:?}");
}

// ---------------------------------------------------------------------------
// Properties over random facts
// ---------------------------------------------------------------------------

const SUPERVISORS: [i64; 4] = [1, 2, 3, 4];
const WORKERS: [i64; 8] = [10, 11, 12, 13, 14, 15, 16, 17];

fn everyone() -> Vec<i64> {
    SUPERVISORS.iter().chain(WORKERS.iter()).copied().collect()
}

/// A day from 2026-08-15 to 2026-12-12.
fn any_day() -> impl Strategy<Value = NaiveDate> {
    (0u64..120).prop_map(|n| day("2026-08-15") + Days::new(n))
}

/// Someone of long standing, or someone who started this year.
fn any_start() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        Just(day("2020-01-01")),
        (0u64..330).prop_map(|n| day("2026-01-01") + Days::new(n)),
    ]
}

fn any_supervising_role() -> impl Strategy<Value = Role> {
    prop::sample::select(vec![
        Role::AssistantSupervisor,
        Role::TraineeSupervisor,
        Role::JuniorSupervisor,
        Role::IntermediateSupervisor,
        Role::SeniorSupervisor,
    ])
}

fn any_mode() -> impl Strategy<Value = Mode> {
    prop::sample::select(Mode::ALL.to_vec())
}

fn face_to_face() -> impl Strategy<Value = Mode> {
    prop::sample::select(
        Mode::ALL
            .iter()
            .copied()
            .filter(|m| *m != Mode::Written)
            .collect::<Vec<_>>(),
    )
}

fn any_risk() -> impl Strategy<Value = Risk> {
    prop::sample::select(vec![Risk::High, Risk::Priority, Risk::General])
}

fn any_link() -> impl Strategy<Value = LinkFact> {
    (
        prop::sample::select(SUPERVISORS.to_vec()),
        prop::sample::select(everyone()),
        prop_oneof![Just(day("2025-01-01")), any_day()],
        prop::option::weighted(0.3, any_day()),
    )
        .prop_map(|(sup, sub, from, to)| LinkFact {
            supervisor_id: sup,
            // Nobody supervises themself.
            supervisee_id: if sub == sup { W1 } else { sub },
            from,
            to,
        })
}

/// Small random facts: four supervisors of random roles, eight frontline
/// workers, and whatever links, sessions, cases, groups and days.
fn any_facts() -> impl Strategy<Value = WorkFacts> {
    let staff = (
        prop::collection::vec(
            (
                any_supervising_role(),
                any_start(),
                prop::option::weighted(0.15, any_day()),
            ),
            SUPERVISORS.len(),
        ),
        prop::collection::vec(
            (any_start(), prop::option::weighted(0.15, any_day())),
            WORKERS.len(),
        ),
    );
    let sessions = prop::collection::vec(
        (
            1i64..=5,
            any_day(),
            any_mode(),
            1u32..=8,
            prop::sample::subsequence(everyone(), 0..=3),
        ),
        0..20,
    );
    let cases = prop::collection::vec(
        (
            prop::sample::select(everyone()),
            any_risk(),
            prop_oneof![Just(day("2025-06-01")), any_day()],
            prop::option::weighted(0.3, any_day()),
            any::<bool>(),
            0u32..7,
        ),
        0..15,
    );
    let groups = prop::collection::vec(
        (1i64..=6, prop::sample::select(everyone()), any_day()),
        0..20,
    );
    let days = prop::collection::vec((prop::sample::select(everyone()), any_day()), 0..15);
    (
        staff,
        prop::collection::vec(any_link(), 0..14),
        sessions,
        cases,
        groups,
        days,
    )
        .prop_map(|((sups, workers), links, sessions, cases, groups, days)| {
            let mut people = vec![];
            for (id, (role, start, left)) in SUPERVISORS.iter().zip(sups) {
                people.push(WorkPerson {
                    left_date: left.filter(|l| *l > start),
                    ..WorkPerson {
                        start_date: start,
                        ..person(*id, role, "2020-01-01")
                    }
                });
            }
            for (id, (start, left)) in WORKERS.iter().zip(workers) {
                people.push(WorkPerson {
                    left_date: left.filter(|l| *l > start),
                    ..WorkPerson {
                        start_date: start,
                        ..person(*id, Role::Frontline, "2020-01-01")
                    }
                });
            }
            WorkFacts {
                people,
                links,
                sessions: sessions
                    .into_iter()
                    .map(|(sup, date, mode, quarters, attended)| WorkSession {
                        supervisor_id: sup,
                        date,
                        mode,
                        // Quarter hours: sums are exact in any order.
                        hours: f64::from(quarters) / 4.0,
                        attended,
                    })
                    .collect(),
                cases: cases
                    .into_iter()
                    .enumerate()
                    .map(
                        |(i, (owner, risk, opened, closed, difficult, interviews))| WorkCase {
                            id: i as i64 + 1,
                            owner_id: owner,
                            risk,
                            opened_on: opened,
                            closed_on: closed.filter(|c| *c >= opened),
                            difficult,
                            interviews,
                        },
                    )
                    .collect(),
                // A group's kind is the group's: 1 and 2 are activities, odd
                // groups therapeutic.
                group_sessions: groups
                    .into_iter()
                    .map(|(group_id, leader_id, date)| WorkGroupSession {
                        group_id,
                        leader_id,
                        kind: if group_id <= 2 {
                            GroupKind::Activity
                        } else {
                            GroupKind::Group
                        },
                        therapeutic: group_id > 2 && group_id % 2 == 1,
                        date,
                    })
                    .collect(),
                frontline_days: days,
            }
        })
}

fn any_month() -> impl Strategy<Value = Month> {
    prop::sample::select(vec![month("2026-09"), month(OCT), month(NOV)])
}

fn by_id(rows: Vec<SupervisorMonth>) -> BTreeMap<i64, SupervisorMonth> {
    rows.into_iter().map(|r| (r.supervisor_id, r)).collect()
}

/// Fisher–Yates with a xorshift generator: the same seed, the same order.
fn shuffle<T>(v: &mut [T], seed: &mut u64) {
    for i in (1..v.len()).rev() {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        let j = (*seed % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// One more face-to-face session in the month, up to the counting day,
    /// attended by a supervisee, never lowers anyone's coverage.
    #[test]
    fn a_session_never_lowers_coverage(
        facts in any_facts(),
        month_ in any_month(),
        today in any_day(),
        led_by in 1i64..=5,
        mode in face_to_face(),
        offset in 0u64..31,
        pick in any::<prop::sample::Index>(),
    ) {
        let policy = Policy::default();
        let counting = month_.last().min(today.max(month_.first()));
        let date = (month_.first() + Days::new(offset)).min(counting);
        let attendee = if facts.links.is_empty() {
            W1
        } else {
            facts.links[pick.index(facts.links.len())].supervisee_id
        };
        let more = with(facts.clone(), |f| {
            f.sessions.push(WorkSession {
                supervisor_id: led_by,
                date,
                mode,
                hours: 1.0,
                attended: vec![attendee],
            });
        });
        let before = by_id(run(&facts, &policy, month_, today));
        let after = by_id(run(&more, &policy, month_, today));
        prop_assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
        for (id, b) in &before {
            let a = &after[id];
            prop_assert!(a.covered >= b.covered, "{}: covered {} -> {}", id, b.covered, a.covered);
            prop_assert!(
                a.coverage_pct + 1e-9 >= b.coverage_pct,
                "{}: coverage {} -> {}", id, b.coverage_pct, a.coverage_pct
            );
        }
    }

    /// One more supervision link never lowers anyone's load.
    #[test]
    fn a_link_never_lowers_load(
        facts in any_facts(),
        month_ in any_month(),
        today in any_day(),
        extra in any_link(),
    ) {
        let policy = Policy::default();
        let more = with(facts.clone(), |f| f.links.push(extra));
        let before = by_id(run(&facts, &policy, month_, today));
        let after = by_id(run(&more, &policy, month_, today));
        for (id, b) in &before {
            let a = &after[id];
            prop_assert!(a.supervisees >= b.supervisees, "{}: {} -> {}", id, b.supervisees, a.supervisees);
            prop_assert_eq!(a.load_pct.is_some(), b.load_pct.is_some());
            if let (Some(x), Some(y)) = (b.load_pct, a.load_pct) {
                prop_assert!(y + 1e-9 >= x, "{}: load {} -> {}", id, x, y);
            }
        }
    }

    /// The order of the facts does not matter, not even to the rows' order.
    #[test]
    fn fact_order_does_not_matter(
        facts in any_facts(),
        month_ in any_month(),
        today in any_day(),
        seed in 1u64..,
    ) {
        let policy = Policy::default();
        let mut seed = seed;
        let mut shuffled = facts.clone();
        shuffle(&mut shuffled.people, &mut seed);
        shuffle(&mut shuffled.links, &mut seed);
        shuffle(&mut shuffled.sessions, &mut seed);
        for s in &mut shuffled.sessions {
            shuffle(&mut s.attended, &mut seed);
        }
        shuffle(&mut shuffled.cases, &mut seed);
        shuffle(&mut shuffled.group_sessions, &mut seed);
        shuffle(&mut shuffled.frontline_days, &mut seed);
        prop_assert_eq!(
            run(&facts, &policy, month_, today),
            run(&shuffled, &policy, month_, today)
        );
    }
}

// ---------------------------------------------------------------------------
// Six months of a demo station, through the store and the command line
// ---------------------------------------------------------------------------

#[test]
fn six_months_of_a_demo_station() {
    let demo = generate(Scale::Station, DEFAULT_SEED, today());
    let mut store = Store::open_in_memory().expect("in-memory store");
    store.load_demo(&demo).expect("the demo loads");
    let index = |name: &str| {
        demo.staff
            .iter()
            .position(|s| s.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the demo"))
    };
    let at_work = |i: usize, on: NaiveDate| {
        let s = &demo.staff[i];
        s.start_date <= on && s.left_date.is_none_or(|l| l > on)
    };
    let mut months = vec![Month::of(today())];
    while months.len() < 6 {
        let before = months[months.len() - 1].prev();
        months.push(before);
    }
    months.reverse();
    assert_eq!(months[0].to_string(), "2026-06");

    let (mut rows_seen, mut with_sessions, mut received) = (0, 0, 0);
    for m in months {
        let counting = m.last().min(today());
        let rows = store.workload(Scope::All, m, today()).expect("workload");
        // The station's supervisors at work on the counting day, each once.
        let want: BTreeMap<String, Role> = (0..demo.staff.len())
            .filter(|&i| demo.staff[i].role.supervising_rank().is_some() && at_work(i, counting))
            .map(|i| (demo.staff[i].name.clone(), demo.staff[i].role))
            .collect();
        let got: BTreeMap<String, Role> = rows.iter().map(|r| (r.name.clone(), r.role)).collect();
        assert_eq!(got, want, "{m}");
        assert_eq!(rows.len(), want.len(), "{m}: a supervisor twice");
        for r in &rows {
            let me = index(&r.name);
            let label = format!("{m} {} ({:?})", r.name, r.role);
            // Supervisees from the demo's own links.
            let supervisees = demo
                .links
                .iter()
                .filter(|l| l.0 == me && l.2 <= counting && l.3.is_none_or(|t| t > counting))
                .filter(|l| at_work(l.1, counting))
                .count();
            assert_eq!(r.supervisees as usize, supervisees, "{label}");
            // Sessions and hours from the demo's own records.
            let held: Vec<_> = demo
                .records
                .iter()
                .map(|x| &x.content)
                .filter(|c| c.supervisor_id == me as i64 && m.contains(c.date) && c.date <= today())
                .collect();
            assert_eq!(r.sessions as usize, held.len(), "{label}");
            let hours: f64 = held
                .iter()
                .map(|c| (c.end_time - c.start_time).num_minutes() as f64 / 60.0)
                .sum();
            assert!(
                close(r.hours, hours),
                "{label}: {} hours, want {hours}",
                r.hours
            );
            assert!(
                (0.0..=100.0).contains(&r.coverage_pct),
                "{label}: {}",
                r.coverage_pct
            );
            assert!(r.covered <= r.supervisees, "{label}");
            assert_eq!(
                r.trainee.is_some(),
                r.role == Role::TraineeSupervisor,
                "{label}"
            );
            assert_eq!(
                r.assistant.is_some(),
                r.role == Role::AssistantSupervisor,
                "{label}"
            );
            if let Some(t) = &r.trainee {
                assert!(t.half_days <= 31, "{label}: {t:?}");
            }
            if let Some(a) = &r.assistant {
                assert!(
                    a.own_workload >= 0.0 && a.group_average >= 0.0,
                    "{label}: {a:?}"
                );
            }
            rows_seen += 1;
            with_sessions += usize::from(r.sessions > 0);
            received += r.received_individual + r.received_group;
        }
        // The assistants and the trainee share the frontline workers; by
        // November all four supervisors of the station are at work.
        if m == Month::of(today()) {
            assert_eq!(rows.len(), 4, "{m}");
            let frontline = (0..demo.staff.len())
                .filter(|&i| demo.staff[i].role == Role::Frontline && at_work(i, counting))
                .count() as u32;
            let shared: u32 = rows
                .iter()
                .filter(|r| matches!(r.role, Role::AssistantSupervisor | Role::TraineeSupervisor))
                .map(|r| r.supervisees)
                .sum();
            assert_eq!(shared, frontline, "{m}");
        }
    }
    assert!(
        with_sessions * 4 >= rows_seen * 3,
        "only {with_sessions} of {rows_seen} supervisor-months held a session"
    );
    assert!(
        received > 0,
        "nobody above supervised the assistants and the trainee"
    );
}

#[test]
fn the_command_line_prints_a_months_workload_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("w.sqlite3");
    let stationdesk = || {
        let mut cmd = Command::cargo_bin("stationdesk").expect("binary");
        cmd.arg("--db").arg(&db).env_remove("STATIONDESK_DB");
        cmd
    };
    stationdesk().arg("demo").assert().success();
    let out = stationdesk()
        .args(["workload", "--month", "2026-10", "--format", "json"])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON array");
    // `demo` and `workload` go by the real clock, so who was at work in
    // 2026-10 depends on the day the test runs (someone was, for years yet).
    assert!(!rows.is_empty(), "no rows");
    for row in &rows {
        let obj = row.as_object().expect("an object");
        for key in [
            "supervisor_id",
            "month",
            "supervisees",
            "ratio_limit",
            "load_pct",
            "sessions",
            "hours",
            "coverage_pct",
            "trainee",
            "assistant",
        ] {
            assert!(obj.contains_key(key), "missing {key} in {row}");
        }
        assert_eq!(row["month"], "2026-10", "{row}");
        let coverage = row["coverage_pct"].as_f64().expect("a number");
        assert!((0.0..=100.0).contains(&coverage), "{row}");
        assert_eq!(
            row["role"] == "trainee_supervisor",
            row["trainee"].is_object(),
            "{row}"
        );
        assert_eq!(
            row["role"] == "assistant_supervisor",
            row["assistant"].is_object(),
            "{row}"
        );
    }
}

// ---------------------------------------------------------------------------
// The trend: each month as `workload` computes it
// ---------------------------------------------------------------------------

/// A demo station in memory, and the scopes worth asking about: all, the
/// station, and each supervisor's team.
fn demo_station() -> (Store, Vec<Scope>) {
    let demo = generate(Scale::Station, DEFAULT_SEED, today());
    let mut store = Store::open_in_memory().expect("in-memory store");
    store.load_demo(&demo).expect("the demo loads");
    let mut scopes = vec![Scope::All];
    let rows = store
        .workload(Scope::All, Month::of(today()), today())
        .expect("workload");
    scopes.extend(
        rows.iter()
            .map(|r| r.station_id)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .map(Scope::Station),
    );
    scopes.extend(rows.iter().map(|r| Scope::Supervisor(r.supervisor_id)));
    (store, scopes)
}

/// `store.workload_trend(scope, ..)` equals `TrendPoint::of` of each
/// month's `store.workload(scope, ..)`.
fn assert_trend_is_monthly_workload(store: &Store, scope: Scope, end: Month, months: usize) {
    let trend = store
        .workload_trend(scope, end, months, today())
        .expect("trend");
    let span = end.trailing(months);
    assert_eq!(
        trend.iter().map(|p| p.month).collect::<Vec<_>>(),
        span,
        "{scope:?}: the months, oldest first"
    );
    for (point, m) in trend.iter().zip(span) {
        let rows = store.workload(scope, m, today()).expect("workload");
        assert_eq!(
            *point,
            stationdesk::model::TrendPoint::of(m, &rows),
            "{scope:?} {m}"
        );
    }
}

#[test]
fn each_point_of_the_trend_is_that_months_workload() {
    let (store, scopes) = demo_station();
    assert!(scopes.len() >= 4, "{scopes:?}");
    let now = Month::of(today());
    for scope in &scopes {
        assert_trend_is_monthly_workload(&store, *scope, now, 12);
        // A trend that ends before today's month, and one of a single month.
        assert_trend_is_monthly_workload(&store, *scope, now.prev(), 12);
        assert_trend_is_monthly_workload(&store, *scope, now, 1);
    }
    // The station's six months of sessions show in its trend.
    let trend = store
        .workload_trend(Scope::All, now, 12, today())
        .expect("trend");
    let busy = trend.iter().filter(|p| p.sessions > 0).count();
    assert!(busy >= 5, "{trend:?}");
    assert!(
        trend.iter().all(|p| p.covered <= p.supervisees),
        "{trend:?}"
    );
}

#[test]
fn a_policy_change_counts_from_its_month_on_in_workload_and_trend() {
    let (mut store, scopes) = demo_station();
    let now = Month::of(today());
    let span = now.trailing(12);
    let from = span[8]; // 2026-08
    assert_eq!(from.to_string(), "2026-08");
    let before: Vec<Vec<SupervisorMonth>> = span
        .iter()
        .map(|m| store.workload(Scope::All, *m, today()).expect("workload"))
        .collect();
    let trend_before = store
        .workload_trend(Scope::All, now, 12, today())
        .expect("trend");
    let at = today().and_hms_opt(10, 0, 0).expect("time");
    for (key, value) in [("ratio_supervisor", "7"), ("ratio_assistant", "3")] {
        store
            .set_policy(
                &stationdesk::model::PolicyChangeInput {
                    key: key.into(),
                    value: value.into(),
                    from: from.to_string(),
                    changed_by: "王督导".into(),
                    note: String::new(),
                },
                at,
            )
            .expect("changed");
    }
    let mut ratio_rows = 0;
    for (m, old) in span.iter().zip(&before) {
        let new = store.workload(Scope::All, *m, today()).expect("workload");
        assert_eq!(new.len(), old.len(), "{m}");
        for (n, o) in new.iter().zip(old) {
            let label = format!("{m} {} ({:?})", n.supervisor_id, n.role);
            let want_limit = match (n.role, *m >= from) {
                (Role::AssistantSupervisor, false) => Some(6),
                (Role::AssistantSupervisor, true) => Some(3),
                (Role::TraineeSupervisor | Role::JuniorSupervisor, false) => Some(14),
                (Role::TraineeSupervisor | Role::JuniorSupervisor, true) => Some(7),
                _ => None,
            };
            assert_eq!(n.ratio_limit, want_limit, "{label}");
            let want_pct = want_limit.map(|l| f64::from(n.supervisees) * 100.0 / f64::from(l));
            assert_eq!(n.load_pct, want_pct, "{label}");
            if *m < from {
                assert_eq!(n, o, "{label}: a month before the change");
            } else {
                // Only the ratio moved.
                let unchanged = SupervisorMonth {
                    ratio_limit: o.ratio_limit,
                    load_pct: o.load_pct,
                    ..n.clone()
                };
                assert_eq!(&unchanged, o, "{label}: more than the ratio changed");
                if n.supervisees > 0 && want_limit.is_some() {
                    assert!(n.load_pct > o.load_pct, "{label}");
                    ratio_rows += 1;
                }
            }
        }
    }
    assert!(ratio_rows > 0, "no supervisor with a ratio and a team");
    // The trend has no ratio: it is what it was, and still each month's
    // workload, in every scope.
    assert_eq!(
        store
            .workload_trend(Scope::All, now, 12, today())
            .expect("trend"),
        trend_before
    );
    for scope in scopes {
        assert_trend_is_monthly_workload(&store, scope, now, 12);
    }
}

/// `rows` kept as `scope` keeps them, computed here from the whole facts.
fn in_scope(
    rows: Vec<SupervisorMonth>,
    scope: Scope,
    facts: &WorkFacts,
    on: NaiveDate,
) -> Vec<SupervisorMonth> {
    let team = match scope {
        Scope::Supervisor(id) => stationdesk::model::team_of(&facts.links, id, on),
        _ => vec![],
    };
    rows.into_iter()
        .filter(|r| match scope {
            Scope::All => true,
            Scope::Station(id) => r.station_id == id,
            Scope::Supervisor(_) => team.contains(&r.supervisor_id),
        })
        .collect()
}

#[test]
fn a_scope_reads_only_its_own_facts_and_gets_the_same_figures() {
    let (store, scopes) = demo_station();
    let now = Month::of(today());
    // Past months, today's month, and one not yet begun.
    let months = [now.trailing(7), vec![now.next()]].concat();
    for m in &months {
        let policy = store.policy_for(*m).expect("policy");
        let facts = store.workload_facts(*m, *m).expect("facts");
        let full = workload(&facts, &policy, *m, today());
        for scope in &scopes {
            let want = in_scope(
                full.clone(),
                *scope,
                &facts,
                stationdesk::model::counting_day(*m, today()),
            );
            let got = store.workload(*scope, *m, today()).expect("workload");
            assert_eq!(got, want, "{scope:?} {m}");
        }
    }
    // The trend of a scope: each month from the whole facts of the period.
    let span = now.trailing(12);
    let facts = store.workload_facts(span[0], now).expect("facts");
    for scope in &scopes {
        let trend = store
            .workload_trend(*scope, now, 12, today())
            .expect("trend");
        for (point, m) in trend.iter().zip(&span) {
            let policy = store.policy_for(*m).expect("policy");
            let rows = in_scope(
                workload(&facts, &policy, *m, today()),
                *scope,
                &facts,
                stationdesk::model::counting_day(*m, today()),
            );
            assert_eq!(
                *point,
                stationdesk::model::TrendPoint::of(*m, &rows),
                "{scope:?} {m}"
            );
        }
    }
}
