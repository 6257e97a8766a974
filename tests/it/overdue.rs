//! The overdue engine (R3, R4, R8, R15–R20, follow-up and high-risk review)
//! through its public API: one table per rule, month ends and leap years,
//! properties over random facts, and three months of one station's life.
//!
//! Every assertion goes through `check`, which also holds each flag to the
//! engine's one convention: raised only when `today > due`, with
//! `days_overdue = today - due`, and a Chinese message naming its subject.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;
use stationdesk::model::{
    item_overdue, overdue, signature_overdue, team_of, CaseFact, Facts, Flag, FlagKind, LinkFact,
    Mode, OpenItemFact, PersonFact, Policy, Qualification, Risk, Role, Rule, SeenFact, Stage,
    SubjectKind, TrainingFacts, UnsignedFact,
};

use crate::fixture::day;

// ---------------------------------------------------------------------------
// Builders and the one checker
// ---------------------------------------------------------------------------

fn person(id: i64, name: &str, role: Role, start: &str) -> PersonFact {
    PersonFact {
        id,
        name: name.into(),
        role,
        qualification: Qualification::None,
        start_date: day(start),
        left_date: None,
        registration_date: None,
    }
}

fn link(supervisor_id: i64, supervisee_id: i64, from: &str) -> LinkFact {
    LinkFact {
        supervisor_id,
        supervisee_id,
        from: day(from),
        to: None,
    }
}

fn seen(staff_id: i64, mode: Mode, last: &str) -> SeenFact {
    SeenFact {
        staff_id,
        mode,
        last: day(last),
    }
}

fn item(id: i64, owner_id: i64, due: &str) -> OpenItemFact {
    OpenItemFact {
        id,
        record_id: 50,
        owner_id,
        what: "补交家访记录".into(),
        due: day(due),
        done: None,
    }
}

fn unsigned(record_id: i64, supervisor_id: i64, date: &str) -> UnsignedFact {
    UnsignedFact {
        record_id,
        supervisor_id,
        date: day(date),
        year: day(date).year(),
        number: 12,
    }
}

fn case(id: i64, owner_id: i64, risk: Risk, stage: Stage, opened: &str) -> CaseFact {
    CaseFact {
        id,
        code: format!("QX-2026-{id:03}"),
        owner_id,
        risk,
        risk_since: day(opened),
        stage,
        opened_on: day(opened),
        closed_on: None,
        last_contact: None,
        last_follow_up: None,
        last_discussed: None,
        client_birth: None,
        guardian_consent: false,
    }
}

/// `facts`, changed.
fn with(mut facts: Facts, change: impl FnOnce(&mut Facts)) -> Facts {
    change(&mut facts);
    facts
}

fn some(d: &str) -> Option<NaiveDate> {
    Some(day(d))
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The engine's convention, for one flag: past due, counted right, and told
/// in Chinese naming the case (by code) or the person the flag is for.
fn assert_sound(facts: &Facts, today: NaiveDate, f: &Flag) {
    assert!(
        today > f.due,
        "{f:?} raised on {today}, not after its due day"
    );
    assert_eq!(f.days_overdue, (today - f.due).num_days(), "{f:?}");
    assert!(f.days_overdue >= 1, "{f:?}");
    assert!(f.message.chars().any(is_cjk), "not Chinese: {f:?}");
    let subject = if f.subject_kind == SubjectKind::Case {
        facts
            .cases
            .iter()
            .find(|c| c.id == f.subject_id)
            .map(|c| c.code.clone())
    } else {
        facts
            .people
            .iter()
            .find(|p| p.id == f.person_id)
            .map(|p| p.name.clone())
    };
    let subject = subject.expect("the flag's case or person is among the facts");
    assert!(
        f.message.contains(&subject),
        "{:?} does not name {subject}: {}",
        f.rule,
        f.message
    );
}

/// (rule code, subject id, due, days overdue) for every flag on `today`,
/// in the engine's order; each flag is first checked by `assert_sound`.
fn check(facts: &Facts, today: &str) -> Vec<(String, i64, String, i64)> {
    let today = day(today);
    let flags = overdue(facts, &Policy::default(), today);
    flags
        .iter()
        .map(|f| {
            assert_sound(facts, today, f);
            (
                f.rule.code().to_owned(),
                f.subject_id,
                iso(f.due),
                f.days_overdue,
            )
        })
        .collect()
}

type Want = (&'static str, i64, &'static str, i64);
type Row = (&'static str, Facts, &'static str, Vec<Want>);

/// Runs every row and reports all the rows that fail, not just the first.
fn table(rows: Vec<Row>) {
    let mut failures = Vec::new();
    for (label, facts, today, want) in rows {
        let got = check(&facts, today);
        let want: Vec<(String, i64, String, i64)> = want
            .iter()
            .map(|(rule, id, due, days)| ((*rule).to_owned(), *id, (*due).to_owned(), *days))
            .collect();
        if got != want {
            failures.push(format!(
                "{label} (on {today}):\n  want {want:?}\n   got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// One table per rule
// ---------------------------------------------------------------------------

/// 周敏 (2), a frontline worker of long standing, supervised by 1 since 2025.
fn supervisee() -> Facts {
    Facts {
        people: vec![person(2, "周敏", Role::Frontline, "2020-03-01")],
        links: vec![link(1, 2, "2025-01-01")],
        ..Facts::default()
    }
}

#[test]
fn r3_every_current_supervisee_is_seen_each_month() {
    let mid_october = with(supervisee(), |f| {
        f.seen.push(seen(2, Mode::Individual, "2026-10-14"));
    });
    table(vec![
        (
            "seen 14 Oct: due day",
            mid_october.clone(),
            "2026-11-30",
            vec![],
        ),
        (
            "seen 14 Oct: day after",
            mid_october.clone(),
            "2026-12-01",
            vec![("R3", 2, "2026-11-30", 1)],
        ),
        (
            "seen 14 Oct: mid-December",
            mid_october.clone(),
            "2026-12-15",
            vec![("R3", 2, "2026-11-30", 15)],
        ),
        (
            "a November group session clears it",
            with(mid_october.clone(), |f| {
                f.seen.push(seen(2, Mode::Group, "2026-11-20"));
            }),
            "2026-12-01",
            vec![],
        ),
        (
            "a session later than the day asked about does not count",
            with(mid_october.clone(), |f| {
                f.seen.push(seen(2, Mode::Group, "2026-12-05"));
            }),
            "2026-12-01",
            vec![("R3", 2, "2026-11-30", 1)],
        ),
        (
            "never seen: counted from the link",
            with(supervisee(), |f| f.links = vec![link(1, 2, "2026-10-05")]),
            "2026-12-01",
            vec![("R3", 2, "2026-11-30", 1)],
        ),
        (
            "seen before a new link: counted from the link",
            with(supervisee(), |f| {
                f.links = vec![link(1, 2, "2026-10-05")];
                f.seen.push(seen(2, Mode::Individual, "2026-08-01"));
            }),
            "2026-11-30",
            vec![],
        ),
        (
            "left before the day asked about",
            with(mid_october.clone(), |f| {
                f.people[0].left_date = some("2026-11-15")
            }),
            "2026-12-01",
            vec![],
        ),
        (
            "leaving tomorrow: still owed",
            with(mid_october.clone(), |f| {
                f.people[0].left_date = some("2026-12-02")
            }),
            "2026-12-01",
            vec![("R3", 2, "2026-11-30", 1)],
        ),
        (
            "link ended in November",
            with(mid_october.clone(), |f| f.links[0].to = some("2026-11-20")),
            "2026-12-01",
            vec![],
        ),
        (
            "link ends today (half-open)",
            with(mid_october.clone(), |f| f.links[0].to = some("2026-12-01")),
            "2026-12-01",
            vec![],
        ),
        (
            "link ends tomorrow",
            with(mid_october.clone(), |f| f.links[0].to = some("2026-12-02")),
            "2026-12-01",
            vec![("R3", 2, "2026-11-30", 1)],
        ),
        (
            "link not started yet",
            with(mid_october.clone(), |f| {
                f.links = vec![link(1, 2, "2026-12-05")]
            }),
            "2026-12-01",
            vec![],
        ),
        (
            "no supervisor at all",
            with(mid_october, |f| f.links.clear()),
            "2026-12-01",
            vec![],
        ),
    ]);
}

/// 赵丽 (5), new staff from 1 September 2026 (new until 1 March 2027).
fn new_staff() -> Facts {
    Facts {
        people: vec![person(5, "赵丽", Role::Frontline, "2026-09-01")],
        links: vec![link(1, 5, "2026-09-01")],
        ..Facts::default()
    }
}

#[test]
fn r18_new_staff_are_seen_weekly_then_monthly() {
    let seen_20 = with(new_staff(), |f| {
        f.seen.push(seen(5, Mode::Individual, "2026-10-20"));
    });
    table(vec![
        (
            "seen 20 Oct: due day",
            seen_20.clone(),
            "2026-10-27",
            vec![],
        ),
        (
            "seen 20 Oct: day after",
            seen_20.clone(),
            "2026-10-28",
            vec![("R18", 5, "2026-10-27", 1)],
        ),
        (
            "seen again on 27 Oct",
            with(seen_20.clone(), |f| {
                f.seen.push(seen(5, Mode::Individual, "2026-10-27"));
            }),
            "2026-10-28",
            vec![],
        ),
        ("never seen: due day", new_staff(), "2026-09-08", vec![]),
        (
            "never seen: a week from the link",
            new_staff(),
            "2026-09-09",
            vec![("R18", 5, "2026-09-08", 1)],
        ),
        (
            "the same gap for long-serving staff is no flag",
            with(seen_20.clone(), |f| {
                f.people[0].start_date = day("2020-03-01")
            }),
            "2026-10-28",
            vec![],
        ),
        (
            "last weekly due day inside the first six months",
            with(new_staff(), |f| {
                f.seen.push(seen(5, Mode::Individual, "2027-02-21"));
            }),
            "2027-03-01",
            vec![("R18", 5, "2027-02-28", 1)],
        ),
        (
            "a week later falls past six months: monthly (R3) instead",
            with(new_staff(), |f| {
                f.seen.push(seen(5, Mode::Individual, "2027-02-22"));
            }),
            "2027-03-02",
            vec![],
        ),
        (
            "then R3 at the end of the next month",
            with(new_staff(), |f| {
                f.seen.push(seen(5, Mode::Individual, "2027-02-22"));
            }),
            "2027-04-01",
            vec![("R3", 5, "2027-03-31", 1)],
        ),
        (
            "left new staff",
            with(seen_20, |f| f.people[0].left_date = some("2026-10-25")),
            "2026-10-28",
            vec![],
        ),
    ]);
}

/// 陈雪云 (1), a junior supervisor since 2020.
fn supervisor(role: Role) -> Facts {
    Facts {
        people: vec![person(1, "陈雪云", role, "2020-01-01")],
        ..Facts::default()
    }
}

#[test]
fn r4_supervisors_get_individual_and_group_supervision_monthly() {
    let both = |ind: &str, grp: &str| {
        with(supervisor(Role::JuniorSupervisor), |f| {
            f.seen.push(seen(1, Mode::Individual, ind));
            f.seen.push(seen(1, Mode::Group, grp));
        })
    };
    let r4 = ("R4", 1, "2026-11-30", 1);
    table(vec![
        (
            "both in October: due day",
            both("2026-10-10", "2026-10-20"),
            "2026-11-30",
            vec![],
        ),
        (
            "both in October: day after, one flag per mode",
            both("2026-10-10", "2026-10-20"),
            "2026-12-01",
            vec![r4, r4],
        ),
        (
            "individual in November, group missing",
            both("2026-11-05", "2026-10-20"),
            "2026-12-01",
            vec![r4],
        ),
        (
            "group in November, individual missing",
            both("2026-10-10", "2026-11-05"),
            "2026-12-01",
            vec![r4],
        ),
        (
            "both in November",
            both("2026-11-05", "2026-11-05"),
            "2026-12-01",
            vec![],
        ),
        (
            "a written session counts for neither",
            with(both("2026-10-10", "2026-10-20"), |f| {
                f.seen.push(seen(1, Mode::Written, "2026-11-20"));
            }),
            "2026-12-01",
            vec![r4, r4],
        ),
        (
            "never seen: counted from the start date",
            with(supervisor(Role::JuniorSupervisor), |f| {
                f.people[0].start_date = day("2026-10-03");
            }),
            "2026-12-01",
            vec![r4, r4],
        ),
        (
            "not started yet",
            with(supervisor(Role::JuniorSupervisor), |f| {
                f.people[0].start_date = day("2026-12-05");
            }),
            "2026-12-01",
            vec![],
        ),
        (
            "left",
            with(both("2026-10-10", "2026-10-20"), |f| {
                f.people[0].left_date = some("2026-11-20");
            }),
            "2026-12-01",
            vec![],
        ),
    ]);
}

#[test]
fn r4_applies_to_the_four_supervisor_roles_only() {
    for role in Role::ALL {
        let facts = with(supervisor(role), |f| {
            f.seen.push(seen(1, Mode::Individual, "2026-10-10"));
            f.seen.push(seen(1, Mode::Group, "2026-10-20"));
        });
        let supervises = matches!(
            role,
            Role::TraineeSupervisor
                | Role::JuniorSupervisor
                | Role::IntermediateSupervisor
                | Role::SeniorSupervisor
        );
        let want = if supervises { 2 } else { 0 };
        assert_eq!(check(&facts, "2026-12-01").len(), want, "{role:?}");
    }
}

#[test]
fn r4_messages_say_which_supervision_is_missing() {
    let group_missing = with(supervisor(Role::SeniorSupervisor), |f| {
        f.seen.push(seen(1, Mode::Individual, "2026-11-05"));
        f.seen.push(seen(1, Mode::Group, "2026-10-20"));
    });
    let flags = overdue(&group_missing, &Policy::default(), day("2026-12-01"));
    assert_eq!(flags.len(), 1);
    assert!(
        flags[0].message.contains("小组督导"),
        "{}",
        flags[0].message
    );
    assert!(flags[0].message.contains("11月"), "{}", flags[0].message);
    assert!(
        !flags[0].message.contains("个别督导"),
        "{}",
        flags[0].message
    );

    let never = with(supervisor(Role::SeniorSupervisor), |f| {
        f.people[0].start_date = day("2026-10-03");
    });
    let flags = overdue(&never, &Policy::default(), day("2026-12-01"));
    assert_eq!(flags.len(), 2);
    assert!(flags.iter().all(|f| f.message.contains("尚无")));
    assert!(flags.iter().any(|f| f.message.contains("个别督导")));
    assert!(flags.iter().any(|f| f.message.contains("小组督导")));
}

/// 周敏 (3), no supervisor link (so no R3), owning item 101 due 15 October.
fn one_item() -> Facts {
    Facts {
        people: vec![person(3, "周敏", Role::Frontline, "2022-04-01")],
        items: vec![item(101, 3, "2026-10-15")],
        ..Facts::default()
    }
}

#[test]
fn r8_open_action_items_past_due() {
    table(vec![
        ("due day", one_item(), "2026-10-15", vec![]),
        (
            "day after",
            one_item(),
            "2026-10-16",
            vec![("R8", 101, "2026-10-15", 1)],
        ),
        (
            "a month on",
            one_item(),
            "2026-11-15",
            vec![("R8", 101, "2026-10-15", 31)],
        ),
        (
            "done late clears it",
            with(one_item(), |f| f.items[0].done = some("2026-10-20")),
            "2026-11-01",
            vec![],
        ),
        (
            "done on time",
            with(one_item(), |f| f.items[0].done = some("2026-10-10")),
            "2026-11-01",
            vec![],
        ),
        (
            "most overdue first",
            with(one_item(), |f| f.items.push(item(102, 3, "2026-10-01"))),
            "2026-10-16",
            vec![("R8", 102, "2026-10-01", 15), ("R8", 101, "2026-10-15", 1)],
        ),
    ]);
}

/// 王芳 (2), an assistant supervisor (not bound by R4), with record 60 of
/// 2 November 2026 still unsigned.
fn one_unsigned() -> Facts {
    Facts {
        people: vec![person(2, "王芳", Role::AssistantSupervisor, "2021-05-01")],
        unsigned: vec![unsigned(60, 2, "2026-11-02")],
        ..Facts::default()
    }
}

#[test]
fn r19_records_unsigned_a_week_after_the_session() {
    table(vec![
        ("session day", one_unsigned(), "2026-11-02", vec![]),
        (
            "due day (sixth day after)",
            one_unsigned(),
            "2026-11-08",
            vec![],
        ),
        (
            "seventh day after",
            one_unsigned(),
            "2026-11-09",
            vec![("R19", 60, "2026-11-08", 1)],
        ),
        (
            "signed",
            with(one_unsigned(), |f| f.unsigned.clear()),
            "2026-11-09",
            vec![],
        ),
        ("before the session", one_unsigned(), "2026-11-01", vec![]),
    ]);
}

#[test]
fn r19_and_r8_agree_with_the_record_screen_helpers() {
    let r19 = one_unsigned();
    let r8 = one_item();
    let mut d = day("2026-10-01");
    while d <= day("2026-11-30") {
        let flagged = |facts: &Facts, rule: Rule| {
            overdue(facts, &Policy::default(), d)
                .iter()
                .any(|f| f.rule == rule)
        };
        assert_eq!(
            flagged(&r19, Rule::R19),
            signature_overdue(day("2026-11-02"), false, d),
            "R19 on {d}"
        );
        assert_eq!(
            flagged(&r8, Rule::R8),
            item_overdue(day("2026-10-15"), None, d),
            "R8 on {d}"
        );
        d = d.succ_opt().expect("date");
    }
}

/// Case 20 (QX-2026-020) of 周敏 (3), opened 1 September 2026.
fn open_case(risk: Risk, contact: Option<&str>) -> Facts {
    let mut c = case(20, 3, risk, Stage::Intervention, "2026-09-01");
    c.last_contact = contact.map(day);
    if risk == Risk::High {
        // Discussed in supervision, so that only R17 speaks in October.
        c.last_discussed = some("2026-10-01");
    }
    Facts {
        people: vec![person(3, "周敏", Role::Frontline, "2022-04-01")],
        cases: vec![c],
        ..Facts::default()
    }
}

#[test]
fn r17_cases_are_contacted_as_often_as_their_risk_requires() {
    let high = open_case(Risk::High, Some("2026-10-10"));
    let priority = open_case(Risk::Priority, Some("2026-10-01"));
    let general = open_case(Risk::General, Some("2026-09-15"));
    table(vec![
        ("high: due day", high.clone(), "2026-10-17", vec![]),
        (
            "high: day after",
            high.clone(),
            "2026-10-18",
            vec![("R17", 20, "2026-10-17", 1)],
        ),
        (
            "high: a contact logged today",
            with(high, |f| f.cases[0].last_contact = some("2026-10-18")),
            "2026-10-18",
            vec![],
        ),
        (
            "high, never contacted: a week from opening",
            open_case(Risk::High, None),
            "2026-09-09",
            vec![("R17", 20, "2026-09-08", 1)],
        ),
        ("priority: due day", priority.clone(), "2026-10-31", vec![]),
        (
            "priority: day after",
            priority.clone(),
            "2026-11-01",
            vec![("R17", 20, "2026-10-31", 1)],
        ),
        ("general: due day", general.clone(), "2026-12-14", vec![]),
        (
            "general: day after",
            general,
            "2026-12-15",
            vec![("R17", 20, "2026-12-14", 1)],
        ),
        (
            "a contact dated before opening counts from opening",
            open_case(Risk::Priority, Some("2026-08-20")),
            "2026-10-02",
            vec![("R17", 20, "2026-10-01", 1)],
        ),
        (
            "a contact later than the day asked about does not count",
            open_case(Risk::Priority, Some("2026-10-20")),
            "2026-10-05",
            vec![("R17", 20, "2026-10-01", 4)],
        ),
        (
            "awaiting review is still open",
            with(priority.clone(), |f| f.cases[0].stage = Stage::Review),
            "2026-11-01",
            vec![("R17", 20, "2026-10-31", 1)],
        ),
        (
            "closed: no more contacts owed",
            with(priority.clone(), |f| {
                f.cases[0].stage = Stage::Closed;
                f.cases[0].closed_on = some("2026-10-15");
            }),
            "2026-11-01",
            vec![],
        ),
        (
            "in follow-up: no more contacts owed",
            with(priority.clone(), |f| f.cases[0].stage = Stage::FollowUp),
            "2026-11-01",
            vec![],
        ),
        ("not opened yet", priority, "2026-08-31", vec![]),
    ]);
}

/// Case 21 (QX-2026-021), opened 1 September 2026, high risk since
/// 5 October, contacted as given.
fn high_case(discussed: Option<&str>, contact: &str) -> Facts {
    let mut c = case(21, 3, Risk::High, Stage::Intervention, "2026-09-01");
    c.risk_since = day("2026-10-05");
    c.last_discussed = discussed.map(day);
    c.last_contact = some(contact);
    Facts {
        people: vec![person(3, "周敏", Role::Frontline, "2022-04-01")],
        cases: vec![c],
        ..Facts::default()
    }
}

#[test]
fn high_risk_cases_are_discussed_in_supervision_every_thirty_days() {
    table(vec![
        (
            "never discussed: due day",
            high_case(None, "2026-11-01"),
            "2026-11-04",
            vec![],
        ),
        (
            "never discussed: day after",
            high_case(None, "2026-11-01"),
            "2026-11-05",
            vec![("HR", 21, "2026-11-04", 1)],
        ),
        (
            "discussed on the due day",
            high_case(Some("2026-11-04"), "2026-11-01"),
            "2026-11-05",
            vec![],
        ),
        (
            "a discussion before it became high risk does not count",
            high_case(Some("2026-09-20"), "2026-11-01"),
            "2026-11-05",
            vec![("HR", 21, "2026-11-04", 1)],
        ),
        (
            "high risk from before opening counts from opening",
            with(high_case(None, "2026-10-01"), |f| {
                f.cases[0].risk_since = day("2026-08-01");
            }),
            "2026-10-02",
            vec![("HR", 21, "2026-10-01", 1)],
        ),
        (
            "priority cases need no review",
            with(high_case(None, "2026-11-01"), |f| {
                f.cases[0].risk = Risk::Priority
            }),
            "2026-11-05",
            vec![],
        ),
        (
            "closed high-risk cases need no review",
            with(high_case(None, "2026-11-01"), |f| {
                f.cases[0].stage = Stage::Closed;
                f.cases[0].closed_on = some("2026-11-01");
            }),
            "2026-11-05",
            vec![],
        ),
    ]);
}

#[test]
fn hr_message_does_not_invent_a_discussion_date() {
    // Discussed on 20 Sep while priority; high risk since 5 Oct; nothing since.
    let facts = high_case(Some("2026-09-20"), "2026-11-01");
    let flags = overdue(&facts, &Policy::default(), day("2026-11-05"));
    assert_eq!(flags.len(), 1);
    // Got: "高风险个案QX-2026-021上次督导讨论在2026年10月5日，已逾期1天（…）":
    // there was no discussion on 5 October.
    assert!(
        !flags[0].message.contains("讨论在2026年10月5日"),
        "{}",
        flags[0].message
    );
}

/// Case 22 (QX-2026-022), closed on 1 October 2026.
fn closed_case(follow_up: Option<&str>) -> Facts {
    let mut c = case(22, 3, Risk::General, Stage::Closed, "2026-03-01");
    c.closed_on = some("2026-10-01");
    c.last_follow_up = follow_up.map(day);
    Facts {
        people: vec![person(3, "周敏", Role::Frontline, "2022-04-01")],
        cases: vec![c],
        ..Facts::default()
    }
}

#[test]
fn closed_cases_get_a_follow_up_visit_within_thirty_days() {
    table(vec![
        ("due day", closed_case(None), "2026-10-31", vec![]),
        (
            "day after",
            closed_case(None),
            "2026-11-01",
            vec![("FU", 22, "2026-10-31", 1)],
        ),
        (
            "visited in October",
            closed_case(Some("2026-10-15")),
            "2026-11-01",
            vec![],
        ),
        (
            "visited on the closing day",
            closed_case(Some("2026-10-01")),
            "2026-11-01",
            vec![],
        ),
        (
            "a visit before closing does not count",
            closed_case(Some("2026-09-20")),
            "2026-11-01",
            vec![("FU", 22, "2026-10-31", 1)],
        ),
        (
            "a visit later than the day asked about does not count",
            closed_case(Some("2026-11-10")),
            "2026-11-01",
            vec![("FU", 22, "2026-10-31", 1)],
        ),
        (
            "already in the follow-up stage",
            with(closed_case(None), |f| f.cases[0].stage = Stage::FollowUp),
            "2026-11-01",
            vec![],
        ),
        (
            "closed without a closing date",
            with(closed_case(None), |f| f.cases[0].closed_on = None),
            "2026-11-01",
            vec![],
        ),
    ]);
}

/// Case 23 (QX-2026-023) of 赵丽 (5), opened on `opened` for a client born
/// on `birth`, no guardian consent yet.
fn child_case(birth: Option<&str>, opened: &str) -> Facts {
    let mut c = case(23, 5, Risk::General, Stage::Intake, opened);
    c.client_birth = birth.map(day);
    Facts {
        people: vec![person(5, "赵丽", Role::Frontline, "2024-09-01")],
        cases: vec![c],
        ..Facts::default()
    }
}

#[test]
fn r20_children_under_fourteen_need_guardian_consent() {
    // Turns 14 the day after intake: a child when the case was opened.
    let thirteen = child_case(Some("2012-10-09"), "2026-10-08");
    table(vec![
        (
            "13 at intake: intake day",
            thirteen.clone(),
            "2026-10-08",
            vec![],
        ),
        (
            "13 at intake: day after",
            thirteen.clone(),
            "2026-10-09",
            vec![("R20", 23, "2026-10-08", 1)],
        ),
        (
            "13 at intake: stays flagged after the birthday",
            thirteen.clone(),
            "2026-10-20",
            vec![("R20", 23, "2026-10-08", 12)],
        ),
        (
            "14 exactly on the intake day",
            child_case(Some("2012-10-08"), "2026-10-08"),
            "2026-10-09",
            vec![],
        ),
        (
            "consent recorded",
            with(thirteen.clone(), |f| f.cases[0].guardian_consent = true),
            "2026-10-09",
            vec![],
        ),
        (
            "no birth date known",
            child_case(None, "2026-10-08"),
            "2026-10-09",
            vec![],
        ),
        (
            "an adult",
            child_case(Some("1990-05-01"), "2026-10-08"),
            "2026-10-09",
            vec![],
        ),
        (
            "in the follow-up stage",
            with(thirteen.clone(), |f| f.cases[0].stage = Stage::FollowUp),
            "2026-10-09",
            vec![],
        ),
        (
            "closed, and still no consent",
            with(thirteen, |f| {
                f.cases[0].stage = Stage::Closed;
                f.cases[0].closed_on = some("2026-10-10");
            }),
            "2026-10-12",
            vec![("R20", 23, "2026-10-08", 4)],
        ),
        (
            "born 29 Feb: 13 on 28 Feb",
            child_case(Some("2012-02-29"), "2026-02-28"),
            "2026-03-01",
            vec![("R20", 23, "2026-02-28", 1)],
        ),
        (
            "born 29 Feb: 14 on 1 March",
            child_case(Some("2012-02-29"), "2026-03-01"),
            "2026-03-02",
            vec![],
        ),
    ]);
}

/// 李强 (4), a 社会工作师 registered on `registered`.
fn registered(registered: &str) -> Facts {
    let mut p = person(4, "李强", Role::Frontline, "2019-05-01");
    p.qualification = Qualification::SocialWorker;
    p.registration_date = some(registered);
    Facts {
        people: vec![p],
        ..Facts::default()
    }
}

#[test]
fn r16_registration_is_renewed_in_the_three_months_before_expiry() {
    // Registered 15 March 2024: expires 15 March 2027, renew from 15 December.
    let reg = registered("2024-03-15");
    table(vec![
        ("due day", reg.clone(), "2026-12-15", vec![]),
        (
            "day after",
            reg.clone(),
            "2026-12-16",
            vec![("R16", 4, "2026-12-15", 1)],
        ),
        (
            "past expiry",
            reg.clone(),
            "2027-03-20",
            vec![("R16", 4, "2026-12-15", 95)],
        ),
        ("renewed", registered("2026-12-10"), "2026-12-16", vec![]),
        (
            "no qualification",
            with(reg.clone(), |f| {
                f.people[0].qualification = Qualification::None
            }),
            "2026-12-16",
            vec![],
        ),
        (
            "no registration date",
            with(reg.clone(), |f| f.people[0].registration_date = None),
            "2026-12-16",
            vec![],
        ),
        (
            "left",
            with(reg, |f| f.people[0].left_date = some("2026-12-01")),
            "2026-12-16",
            vec![],
        ),
    ]);
}

#[test]
fn r16_messages_say_whether_registration_has_expired() {
    let reg = registered("2024-03-15");
    let before = overdue(&reg, &Policy::default(), day("2026-12-16"));
    assert!(
        before[0].message.contains("将于2027年3月15日到期"),
        "{}",
        before[0].message
    );
    let after = overdue(&reg, &Policy::default(), day("2027-03-15"));
    assert!(
        after[0].message.contains("已于2027年3月15日到期"),
        "{}",
        after[0].message
    );
}

/// 李强 registered on 1 January 2025 (a 1095-day period), with these hours.
fn hours(qualification: Qualification, hours: &[(&str, f64)]) -> Facts {
    with(registered("2025-01-01"), |f| {
        f.people[0].qualification = qualification;
        f.training = Some(TrainingFacts {
            hours: hours.iter().map(|(d, h)| (4, day(d), *h)).collect(),
            assessments: Vec::new(),
        });
    })
}

#[test]
fn r16_hours_fall_behind_the_prorated_target_only_once_training_is_recorded() {
    // Half of 90 hours meets the target until half the period: 547 days in.
    let half = hours(
        Qualification::SocialWorker,
        &[("2025-06-01", 20.5), ("2025-09-01", 24.5)],
    );
    table(vec![
        (
            "no training recorded: no hours rule",
            with(half.clone(), |f| f.training = None),
            "2026-07-03",
            vec![],
        ),
        (
            "half the hours: due day",
            half.clone(),
            "2026-07-02",
            vec![],
        ),
        (
            "half the hours: day after",
            half.clone(),
            "2026-07-03",
            vec![("R16", 4, "2026-07-02", 1)],
        ),
        (
            "all the hours",
            hours(Qualification::SocialWorker, &[("2025-06-01", 90.0)]),
            "2026-07-03",
            vec![],
        ),
        (
            "hours before the registration do not count",
            hours(
                Qualification::SocialWorker,
                &[("2025-06-01", 45.0), ("2024-12-31", 45.0)],
            ),
            "2026-07-03",
            vec![("R16", 4, "2026-07-02", 1)],
        ),
        (
            "hours later than the day asked about do not count yet",
            hours(
                Qualification::SocialWorker,
                &[("2025-06-01", 45.0), ("2026-08-01", 45.0)],
            ),
            "2026-07-03",
            vec![("R16", 4, "2026-07-02", 1)],
        ),
        (
            "an assistant needs 72 hours",
            hours(
                Qualification::AssistantSocialWorker,
                &[("2025-06-01", 36.0)],
            ),
            "2026-07-03",
            vec![("R16", 4, "2026-07-02", 1)],
        ),
        (
            "no hours at all: behind from the first day",
            hours(Qualification::SocialWorker, &[]),
            "2025-01-02",
            vec![("R16", 4, "2025-01-01", 1)],
        ),
    ]);
}

/// 孙琳 (6), with these assessment results.
fn assessed(results: &[(&str, bool)]) -> Facts {
    Facts {
        people: vec![person(6, "孙琳", Role::Frontline, "2023-03-01")],
        training: Some(TrainingFacts {
            hours: Vec::new(),
            assessments: results.iter().map(|(d, ok)| (6, day(d), *ok)).collect(),
        }),
        ..Facts::default()
    }
}

#[test]
fn r15_two_failed_assessments_in_twelve_months() {
    let twice = assessed(&[("2026-01-10", false), ("2026-06-05", false)]);
    table(vec![
        (
            "no training recorded",
            with(twice.clone(), |f| f.training = None),
            "2026-06-06",
            vec![],
        ),
        (
            "second failure: that day",
            twice.clone(),
            "2026-06-05",
            vec![],
        ),
        (
            "second failure: day after",
            twice,
            "2026-06-06",
            vec![("R15", 6, "2026-06-05", 1)],
        ),
        (
            "a pass in between",
            assessed(&[
                ("2026-01-10", false),
                ("2026-03-01", true),
                ("2026-06-05", false),
            ]),
            "2026-06-06",
            vec![],
        ),
        (
            "thirteen months apart",
            assessed(&[("2025-05-01", false), ("2026-06-05", false)]),
            "2026-06-06",
            vec![],
        ),
        (
            "three failures",
            assessed(&[
                ("2025-05-01", false),
                ("2026-01-10", false),
                ("2026-06-05", false),
            ]),
            "2026-06-06",
            vec![("R15", 6, "2026-06-05", 1)],
        ),
    ]);
}

#[test]
fn rule_codes_are_what_json_and_the_ui_show() {
    for (rule, code) in [
        (Rule::R3, "R3"),
        (Rule::R4, "R4"),
        (Rule::R8, "R8"),
        (Rule::R15, "R15"),
        (Rule::R16, "R16"),
        (Rule::R17, "R17"),
        (Rule::R18, "R18"),
        (Rule::R19, "R19"),
        (Rule::R20, "R20"),
        (Rule::FollowUp, "FU"),
        (Rule::HighRiskReview, "HR"),
    ] {
        assert_eq!(rule.code(), code);
    }
}

#[test]
fn team_of_follows_current_links_through_assistants() {
    let links = vec![
        link(1, 2, "2025-01-01"),
        link(2, 3, "2025-01-01"),
        link(1, 5, "2026-08-17"),
        LinkFact {
            to: some("2026-06-01"),
            ..link(2, 4, "2025-01-01")
        },
        link(2, 6, "2026-12-01"),
        // A loop back up the chain must not loop the walk.
        link(3, 1, "2025-01-01"),
    ];
    assert_eq!(team_of(&links, 1, day("2026-11-30")), vec![1, 2, 5, 3]);
    assert_eq!(team_of(&links, 2, day("2026-11-30")), vec![2, 3, 1, 5]);
    assert_eq!(team_of(&links, 2, day("2026-05-31")), vec![2, 3, 4, 1]);
    assert_eq!(team_of(&links, 9, day("2026-11-30")), vec![9]);
}

// ---------------------------------------------------------------------------
// Month ends and leap years
// ---------------------------------------------------------------------------

#[test]
fn month_ends_and_leap_years() {
    let supervised = |last: &str| {
        with(supervisee(), |f| {
            f.links = vec![link(1, 2, "2020-03-01")];
            f.seen.push(seen(2, Mode::Individual, last));
        })
    };
    let own = |last: &str| {
        with(supervisor(Role::JuniorSupervisor), |f| {
            f.seen.push(seen(1, Mode::Individual, last));
            f.seen.push(seen(1, Mode::Group, last));
        })
    };
    let high = |contact: &str| {
        let mut c = case(20, 3, Risk::High, Stage::Intervention, "2020-01-01");
        c.last_contact = some(contact);
        c.last_discussed = some(contact);
        Facts {
            people: vec![person(3, "周敏", Role::Frontline, "2019-04-01")],
            cases: vec![c],
            ..Facts::default()
        }
    };
    let closed = |on: &str| {
        let mut c = case(22, 3, Risk::General, Stage::Closed, "2020-01-01");
        c.closed_on = some(on);
        Facts {
            people: vec![person(3, "周敏", Role::Frontline, "2019-04-01")],
            cases: vec![c],
            ..Facts::default()
        }
    };
    let newcomer = |start: &str, last: &str| Facts {
        people: vec![person(5, "赵丽", Role::Frontline, start)],
        links: vec![link(1, 5, start)],
        seen: vec![seen(5, Mode::Individual, last)],
        ..Facts::default()
    };
    table(vec![
        (
            "R3 seen 31 Jan 2024: due 29 Feb",
            supervised("2024-01-31"),
            "2024-02-29",
            vec![],
        ),
        (
            "R3 seen 31 Jan 2024: 1 March",
            supervised("2024-01-31"),
            "2024-03-01",
            vec![("R3", 2, "2024-02-29", 1)],
        ),
        (
            "R3 seen 31 Jan 2023: due 28 Feb",
            supervised("2023-01-31"),
            "2023-02-28",
            vec![],
        ),
        (
            "R3 seen 31 Jan 2023: 1 March",
            supervised("2023-01-31"),
            "2023-03-01",
            vec![("R3", 2, "2023-02-28", 1)],
        ),
        (
            "R3 seen 1 Feb 2024: due 31 March",
            supervised("2024-02-01"),
            "2024-04-01",
            vec![("R3", 2, "2024-03-31", 1)],
        ),
        (
            "R3 across the year end",
            supervised("2026-12-15"),
            "2027-02-01",
            vec![("R3", 2, "2027-01-31", 1)],
        ),
        (
            "R3 seen on New Year's Eve",
            supervised("2026-12-31"),
            "2027-02-01",
            vec![("R3", 2, "2027-01-31", 1)],
        ),
        (
            "R3 seen 30 Nov: due 31 Dec",
            supervised("2026-11-30"),
            "2026-12-31",
            vec![],
        ),
        (
            "R4 seen 31 Jan 2024",
            own("2024-01-31"),
            "2024-03-01",
            vec![("R4", 1, "2024-02-29", 1), ("R4", 1, "2024-02-29", 1)],
        ),
        (
            "R17 high risk over a leap day",
            high("2024-02-25"),
            "2024-03-04",
            vec![("R17", 20, "2024-03-03", 1)],
        ),
        (
            "R17 high risk, no leap day",
            high("2023-02-25"),
            "2023-03-05",
            vec![("R17", 20, "2023-03-04", 1)],
        ),
        (
            "R19 over a leap day",
            with(one_unsigned(), |f| {
                f.unsigned = vec![unsigned(60, 2, "2024-02-26")]
            }),
            "2024-03-04",
            vec![("R19", 60, "2024-03-03", 1)],
        ),
        (
            "FU over a leap day",
            closed("2024-02-01"),
            "2024-03-03",
            vec![("FU", 22, "2024-03-02", 1)],
        ),
        (
            "FU, no leap day",
            closed("2023-02-01"),
            "2023-03-04",
            vec![("FU", 22, "2023-03-03", 1)],
        ),
        (
            "R16 registered 31 May 2021: renew from 29 Feb 2024",
            registered("2021-05-31"),
            "2024-03-01",
            vec![("R16", 4, "2024-02-29", 1)],
        ),
        (
            "R16 registered 31 May 2021: due day",
            registered("2021-05-31"),
            "2024-02-29",
            vec![],
        ),
        (
            "R16 registered 31 May 2022: renew from 28 Feb 2025",
            registered("2022-05-31"),
            "2025-03-01",
            vec![("R16", 4, "2025-02-28", 1)],
        ),
        (
            "R16 registered on a leap day",
            registered("2020-02-29"),
            "2022-11-29",
            vec![("R16", 4, "2022-11-28", 1)],
        ),
        (
            // Started 31 Aug 2024: six months end on 28 Feb 2025.
            "R18 last weekly due day before the six months",
            newcomer("2024-08-31", "2025-02-20"),
            "2025-02-28",
            vec![("R18", 5, "2025-02-27", 1)],
        ),
        (
            "R18 a week reaching the six months: R3 instead",
            newcomer("2024-08-31", "2025-02-21"),
            "2025-03-01",
            vec![],
        ),
        (
            "R18 then R3 at the end of March",
            newcomer("2024-08-31", "2025-02-21"),
            "2025-04-01",
            vec![("R3", 5, "2025-03-31", 1)],
        ),
        (
            // Started 31 Aug 2023: six months end on 29 Feb 2024.
            "R18 leap year: weekly until 28 Feb",
            newcomer("2023-08-31", "2024-02-21"),
            "2024-02-29",
            vec![("R18", 5, "2024-02-28", 1)],
        ),
        (
            "R18 leap year: a week reaching 29 Feb is monthly",
            newcomer("2023-08-31", "2024-02-22"),
            "2024-04-01",
            vec![("R3", 5, "2024-03-31", 1)],
        ),
    ]);
}

// ---------------------------------------------------------------------------
// Properties over random facts
// ---------------------------------------------------------------------------

const RISKS: [Risk; 3] = [Risk::High, Risk::Priority, Risk::General];
const MODES: [Mode; 3] = [Mode::Individual, Mode::Group, Mode::Written];
const STAGES: [Stage; 8] = [
    Stage::Intake,
    Stage::Assessment,
    Stage::Plan,
    Stage::Intervention,
    Stage::Evaluation,
    Stage::Review,
    Stage::Closed,
    Stage::FollowUp,
];
const NAMES: [&str; 6] = ["陈雪云", "王芳", "周敏", "李强", "赵丽", "孙琳"];

fn back(d0: NaiveDate, days: u64) -> NaiveDate {
    d0.checked_sub_days(Days::new(days)).expect("date")
}

fn ahead(d0: NaiveDate, days: u64) -> NaiveDate {
    d0.checked_add_days(Days::new(days)).expect("date")
}

/// (role, qualification, start, left, registered), days before d0.
type PersonSeed = (usize, usize, u64, Option<u64>, Option<u64>);
/// (owner, risk, stage, opened, closed after opening, last contact, last
/// follow-up, last discussed, risk since, client age in days, consent).
type CaseSeed = (
    i64,
    usize,
    usize,
    u64,
    u64,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    u64,
    Option<u64>,
    bool,
);
type TrainingSeed = (Vec<(i64, u64, u32)>, Vec<(i64, u64, bool)>);
type Seeds = (
    NaiveDate,
    Vec<PersonSeed>,
    Vec<(i64, i64, u64)>,
    Vec<(i64, usize, u64)>,
    Vec<(i64, u64, Option<u64>)>,
    Vec<(i64, u64)>,
    Vec<CaseSeed>,
    Option<TrainingSeed>,
);

fn build(seeds: Seeds) -> (NaiveDate, Facts) {
    let (d0, people, links, seen, items, unsigned, cases, training) = seeds;
    let facts = Facts {
        people: people
            .into_iter()
            .enumerate()
            .map(|(i, (role, q, start, left, reg))| PersonFact {
                id: i as i64 + 1,
                name: NAMES[i].into(),
                role: Role::ALL[role],
                qualification: Qualification::ALL[q],
                start_date: back(d0, start),
                left_date: left.map(|l| back(d0, l)),
                registration_date: reg.map(|r| back(d0, r)),
            })
            .collect(),
        links: links
            .into_iter()
            .map(|(sup, sub, from)| LinkFact {
                supervisor_id: sup,
                supervisee_id: sub,
                from: back(d0, from),
                to: None,
            })
            .collect(),
        seen: seen
            .into_iter()
            .map(|(who, mode, last)| SeenFact {
                staff_id: who,
                mode: MODES[mode],
                last: back(d0, last),
            })
            .collect(),
        items: items
            .into_iter()
            .enumerate()
            .map(|(i, (owner, due, done))| OpenItemFact {
                id: 100 + i as i64,
                record_id: 50 + i as i64,
                owner_id: owner,
                what: "补交家访记录".into(),
                // From 60 days before d0 to 59 after: a due date is no event.
                due: ahead(back(d0, 60), due),
                done: done.map(|d| back(d0, d)),
            })
            .collect(),
        unsigned: unsigned
            .into_iter()
            .enumerate()
            .map(|(i, (sup, date))| UnsignedFact {
                record_id: 200 + i as i64,
                supervisor_id: sup,
                date: back(d0, date),
                year: back(d0, date).year(),
                number: i as i64 + 1,
            })
            .collect(),
        cases: cases
            .into_iter()
            .enumerate()
            .map(|(i, seed)| {
                let (
                    owner,
                    risk,
                    stage,
                    opened,
                    closed,
                    contact,
                    follow,
                    discussed,
                    since,
                    age,
                    ok,
                ) = seed;
                let stage = STAGES[stage];
                let opened_on = back(d0, opened);
                CaseFact {
                    id: 300 + i as i64,
                    code: format!("QX-2025-{:03}", 300 + i),
                    owner_id: owner,
                    risk: RISKS[risk],
                    risk_since: back(d0, since),
                    stage,
                    opened_on,
                    closed_on: stage
                        .is_closed()
                        .then(|| ahead(opened_on, closed.min(opened))),
                    last_contact: contact.map(|c| back(d0, c)),
                    last_follow_up: follow.map(|c| back(d0, c)),
                    last_discussed: discussed.map(|c| back(d0, c)),
                    client_birth: age.map(|a| back(opened_on, a)),
                    guardian_consent: ok,
                }
            })
            .collect(),
        training: training.map(|(hours, assessments)| TrainingFacts {
            hours: hours
                .into_iter()
                .map(|(who, d, h)| (who, back(d0, d), f64::from(h)))
                .collect(),
            assessments: assessments
                .into_iter()
                .map(|(who, d, ok)| (who, back(d0, d), ok))
                .collect(),
        }),
    };
    (d0, facts)
}

/// A small station on a random day d0, every fact dated on or before d0.
fn world() -> impl Strategy<Value = (NaiveDate, Facts)> {
    use prop::collection::vec;
    use prop::option::weighted as maybe;
    (0u64..1500, 1i64..=6).prop_flat_map(|(offset, n)| {
        let d0 = ahead(day("2024-01-01"), offset);
        let id = 1..=n;
        let case = (
            id.clone(),
            0usize..3,
            0usize..8,
            0u64..400,
            0u64..200,
            maybe(0.8, 0u64..200),
            maybe(0.5, 0u64..120),
            maybe(0.5, 0u64..200),
            0u64..500,
            // From 4 to 19 years old at intake.
            maybe(0.5, 1460u64..7000),
            any::<bool>(),
        );
        (
            Just(d0),
            vec(
                (
                    0usize..7,
                    0usize..4,
                    0u64..900,
                    maybe(0.15, 0u64..300),
                    maybe(0.7, 0u64..1300),
                ),
                n as usize,
            ),
            vec((id.clone(), id.clone(), 0u64..400), 0..8),
            vec((id.clone(), 0usize..3, 0u64..200), 0..12),
            vec((id.clone(), 0u64..120, prop::option::of(0u64..60)), 0..6),
            vec((id.clone(), 0u64..30), 0..4),
            vec(case, 0..6),
            prop::option::of((
                vec((id.clone(), 0u64..1300, 0u32..40), 0..8),
                vec((id, 0u64..500, any::<bool>()), 0..6),
            )),
        )
            .prop_map(build)
    })
}

fn flags(facts: &Facts, today: NaiveDate) -> Vec<Flag> {
    let flags = overdue(facts, &Policy::default(), today);
    for f in &flags {
        assert_sound(facts, today, f);
    }
    flags
}

type Key = (Rule, SubjectKind, i64, NaiveDate);

fn keys(flags: &[Flag]) -> BTreeMap<Key, usize> {
    let mut keys = BTreeMap::new();
    for f in flags {
        *keys
            .entry((f.rule, f.subject_kind, f.subject_id, f.due))
            .or_insert(0) += 1;
    }
    keys
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

/// `before` without the flags `gone` picks out, in the same order.
fn without(before: &[Flag], gone: impl Fn(&Flag) -> bool) -> Vec<Flag> {
    before.iter().filter(|f| !gone(f)).cloned().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// With the facts unchanged, a flag raised on t1 is still there on any
    /// later day t2: nothing gets done by waiting.
    #[test]
    fn flags_never_clear_themselves(
        (d0, facts) in world(), a in 0u64..200, b in 0u64..200,
    ) {
        let t1 = ahead(d0, a);
        let t2 = ahead(t1, b);
        let at1 = keys(&flags(&facts, t1));
        let at2 = keys(&flags(&facts, t2));
        for (key, n) in &at1 {
            prop_assert!(
                at2.get(key).copied().unwrap_or(0) >= *n,
                "{key:?} on {t1} is gone on {t2}"
            );
        }
    }

    /// The order of the facts does not matter, not even to the flags' order.
    #[test]
    fn fact_order_does_not_matter((d0, facts) in world(), a in 0u64..200, seed in 1u64..) {
        let today = ahead(d0, a);
        let mut seed = seed;
        let mut shuffled = facts.clone();
        shuffle(&mut shuffled.people, &mut seed);
        shuffle(&mut shuffled.links, &mut seed);
        shuffle(&mut shuffled.seen, &mut seed);
        shuffle(&mut shuffled.items, &mut seed);
        shuffle(&mut shuffled.unsigned, &mut seed);
        shuffle(&mut shuffled.cases, &mut seed);
        if let Some(t) = &mut shuffled.training {
            shuffle(&mut t.hours, &mut seed);
            shuffle(&mut t.assessments, &mut seed);
        }
        prop_assert_eq!(flags(&facts, today), flags(&shuffled, today));
    }

    /// Every flag is past due and counted from its due day (`flags` checks
    /// each), and the list is grouped by kind, most overdue first.
    #[test]
    fn every_flag_is_past_due_and_in_order((d0, facts) in world(), a in 0u64..400) {
        let today = ahead(d0, a);
        let all = flags(&facts, today);
        for pair in all.windows(2) {
            let (x, y) = (&pair[0], &pair[1]);
            prop_assert!(x.kind <= y.kind, "{x:?} before {y:?}");
            if x.kind == y.kind {
                prop_assert!(x.days_overdue >= y.days_overdue, "{x:?} before {y:?}");
            }
        }
        let kinds = |rule: Rule| all.iter().filter(move |f| f.rule == rule).map(|f| f.kind);
        prop_assert!(kinds(Rule::R3).chain(kinds(Rule::R18)).all(|k| k == FlagKind::Supervision));
        prop_assert!(kinds(Rule::R17).all(|k| k == FlagKind::CaseContact));
        prop_assert!(kinds(Rule::R8).all(|k| k == FlagKind::ActionItem));
    }

    /// Doing the thing removes exactly its flag and changes nothing else.
    #[test]
    fn clearing_a_cause_removes_exactly_its_flag((d0, facts) in world(), a in 0u64..200) {
        let t = ahead(d0, a);
        let before = flags(&facts, t);
        let same = |f: &Flag, rule: Rule, kind: SubjectKind, id: i64| {
            f.rule == rule && f.subject_kind == kind && f.subject_id == id
        };
        for (i, it) in facts.items.iter().enumerate().filter(|(_, it)| it.done.is_none()) {
            let done = with(facts.clone(), |f| f.items[i].done = Some(t));
            let want = without(&before, |f| same(f, Rule::R8, SubjectKind::ActionItem, it.id));
            prop_assert_eq!(flags(&done, t), want, "item {} done", it.id);
        }
        for (i, c) in facts.cases.iter().enumerate() {
            if !c.stage.is_closed() {
                let contacted = with(facts.clone(), |f| f.cases[i].last_contact = Some(t));
                let want = without(&before, |f| same(f, Rule::R17, SubjectKind::Case, c.id));
                prop_assert_eq!(flags(&contacted, t), want, "case {} contacted", c.id);
                let discussed = with(facts.clone(), |f| f.cases[i].last_discussed = Some(t));
                let want = without(&before, |f| {
                    same(f, Rule::HighRiskReview, SubjectKind::Case, c.id)
                });
                prop_assert_eq!(flags(&discussed, t), want, "case {} discussed", c.id);
            }
            if c.stage == Stage::Closed {
                let visited = with(facts.clone(), |f| f.cases[i].last_follow_up = Some(t));
                let want = without(&before, |f| same(f, Rule::FollowUp, SubjectKind::Case, c.id));
                prop_assert_eq!(flags(&visited, t), want, "case {} visited", c.id);
            }
            let consent = with(facts.clone(), |f| f.cases[i].guardian_consent = true);
            let want = without(&before, |f| same(f, Rule::R20, SubjectKind::Case, c.id));
            prop_assert_eq!(flags(&consent, t), want, "case {} consent", c.id);
        }
        for (i, r) in facts.unsigned.iter().enumerate() {
            let signed = with(facts.clone(), |f| {
                f.unsigned.remove(i);
            });
            let want = without(&before, |f| same(f, Rule::R19, SubjectKind::Record, r.record_id));
            prop_assert_eq!(flags(&signed, t), want, "record {} signed", r.record_id);
        }
        for p in &facts.people {
            // A follow-up session counts for R3 and R18, not for R4.
            let seen_today = with(facts.clone(), |f| {
                f.seen.push(SeenFact { staff_id: p.id, mode: Mode::FollowUp, last: t });
            });
            let want = without(&before, |f| {
                same(f, Rule::R3, SubjectKind::Staff, p.id)
                    || same(f, Rule::R18, SubjectKind::Staff, p.id)
            });
            prop_assert_eq!(flags(&seen_today, t), want, "{} seen", p.name);
            if p.registration_date.is_some() {
                let renewed = with(facts.clone(), |f| {
                    let q = f.people.iter_mut().find(|q| q.id == p.id).expect("person");
                    q.registration_date = Some(t);
                });
                let want = without(&before, |f| same(f, Rule::R16, SubjectKind::Staff, p.id));
                prop_assert_eq!(flags(&renewed, t), want, "{} renewed", p.name);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// A story: one station from September to November 2026
// ---------------------------------------------------------------------------

fn now(facts: &Facts, today: &str) -> Vec<(String, i64, i64)> {
    check(facts, today)
        .into_iter()
        .map(|(rule, id, _, days)| (rule, id, days))
        .collect()
}

fn want(flags: &[(&str, i64, i64)]) -> Vec<(String, i64, i64)> {
    flags
        .iter()
        .map(|(rule, id, days)| ((*rule).to_owned(), *id, *days))
        .collect()
}

fn case_mut(facts: &mut Facts, id: i64) -> &mut CaseFact {
    facts
        .cases
        .iter_mut()
        .find(|c| c.id == id)
        .expect("the case")
}

fn item_mut(facts: &mut Facts, id: i64) -> &mut OpenItemFact {
    facts
        .items
        .iter_mut()
        .find(|i| i.id == id)
        .expect("the item")
}

/// 青溪镇社工站 on 1 September 2026.
fn station() -> Facts {
    let mut chen = person(1, "陈雪云", Role::JuniorSupervisor, "2019-03-01");
    chen.qualification = Qualification::SocialWorker;
    chen.registration_date = some("2024-06-10");
    let mut wang = person(2, "王芳", Role::AssistantSupervisor, "2021-05-01");
    wang.qualification = Qualification::AssistantSocialWorker;
    // Expires 20 February 2027: renew from 20 November 2026.
    wang.registration_date = some("2024-02-20");

    let mut urgent = case(11, 3, Risk::High, Stage::Intervention, "2026-07-01");
    urgent.last_contact = some("2026-08-29");
    urgent.last_discussed = some("2026-08-26");
    let mut priority = case(15, 4, Risk::Priority, Stage::Plan, "2026-06-10");
    priority.last_contact = some("2026-08-20");
    let mut child = case(18, 5, Risk::General, Stage::Intake, "2026-08-25");
    child.client_birth = some("2014-03-02");
    let mut closed = case(40, 3, Risk::General, Stage::Closed, "2025-11-03");
    closed.closed_on = some("2026-08-20");

    let mut items = vec![item(101, 3, "2026-09-10"), item(102, 4, "2026-09-30")];
    items[1].record_id = 52;
    items[1].what = "联系镇民政办".into();

    // 赵丽's weekly sessions, every Thursday but 22 October; the engine
    // reads only those on or before the day it is asked about.
    let mut zhao_weekly = Vec::new();
    let mut d = day("2026-09-03");
    while d <= day("2026-11-26") {
        if d != day("2026-10-22") {
            zhao_weekly.push(SeenFact {
                staff_id: 5,
                mode: Mode::Individual,
                last: d,
            });
        }
        d = ahead(d, 7);
    }

    Facts {
        people: vec![
            chen,
            wang,
            person(3, "周敏", Role::Frontline, "2022-04-01"),
            person(4, "李强", Role::Frontline, "2023-07-01"),
            person(5, "赵丽", Role::Frontline, "2026-08-17"),
        ],
        links: vec![
            link(1, 2, "2025-01-01"),
            link(1, 5, "2026-08-17"),
            link(2, 3, "2025-01-01"),
            link(2, 4, "2025-01-01"),
        ],
        seen: [
            vec![
                seen(1, Mode::Individual, "2026-08-20"),
                seen(1, Mode::Group, "2026-08-27"),
                seen(2, Mode::Individual, "2026-08-25"),
                seen(3, Mode::Individual, "2026-08-26"),
                seen(4, Mode::Individual, "2026-08-12"),
                seen(5, Mode::Individual, "2026-08-28"),
            ],
            zhao_weekly,
        ]
        .concat(),
        items,
        unsigned: Vec::new(),
        cases: vec![urgent, priority, child, closed],
        training: None,
    }
}

#[test]
fn three_months_at_one_station() {
    let mut f = station();

    // The child's case was opened a week ago without a guardian's consent.
    assert_eq!(now(&f, "2026-09-01"), want(&[("R20", 18, 7)]));

    // 3 Sep: the guardian signs. The high-risk case's weekly contact
    // (due 5 Sep) is missed.
    case_mut(&mut f, 18).guardian_consent = true;
    assert_eq!(now(&f, "2026-09-06"), want(&[("R17", 11, 1)]));

    // 7 Sep: home visit. 8 Sep: 陈雪云 sees 王芳; the record awaits signatures.
    case_mut(&mut f, 11).last_contact = some("2026-09-07");
    f.seen.push(seen(2, Mode::Individual, "2026-09-08"));
    f.unsigned.push(unsigned(60, 1, "2026-09-08"));
    // 周敏's item was due yesterday.
    assert_eq!(now(&f, "2026-09-11"), want(&[("R8", 101, 1)]));

    // 14 Sep: phone call. The record is now a week old, still unsigned.
    case_mut(&mut f, 11).last_contact = some("2026-09-14");
    assert_eq!(
        now(&f, "2026-09-15"),
        want(&[("R8", 101, 5), ("R19", 60, 1)])
    );

    // 16 Sep: signed, and the item done (late). 18 Sep: contacts on both
    // open cases of 周敏 and 李强.
    f.unsigned.clear();
    item_mut(&mut f, 101).done = some("2026-09-16");
    case_mut(&mut f, 11).last_contact = some("2026-09-18");
    case_mut(&mut f, 15).last_contact = some("2026-09-18");
    // The case closed on 20 August has had no follow-up visit.
    assert_eq!(now(&f, "2026-09-20"), want(&[("FU", 40, 1)]));

    // 21 Sep: the visit. 22 Sep: group supervision for 周敏 and 李强.
    // 25 Sep: a contact; but the high-risk case has not been discussed in
    // supervision since 26 August.
    case_mut(&mut f, 40).last_follow_up = some("2026-09-21");
    f.seen.push(seen(3, Mode::Group, "2026-09-22"));
    f.seen.push(seen(4, Mode::Group, "2026-09-22"));
    case_mut(&mut f, 11).last_contact = some("2026-09-25");
    assert_eq!(now(&f, "2026-09-28"), want(&[("HR", 11, 3)]));

    // 29 Sep: discussed; 30 Sep: risk lowered to priority.
    {
        let c = case_mut(&mut f, 11);
        c.last_discussed = some("2026-09-29");
        c.risk = Risk::Priority;
        c.risk_since = day("2026-09-30");
    }
    assert_eq!(now(&f, "2026-09-30"), vec![]);

    // Month boundary: 陈雪云 had no supervision of her own in September, and
    // 李强's item was due yesterday.
    assert_eq!(
        now(&f, "2026-10-01"),
        want(&[("R8", 102, 1), ("R4", 1, 1), ("R4", 1, 1)])
    );

    // October: her own sessions on 9 and 16 Oct, the item done on 12 Oct,
    // contacts on 15 and 20 Oct. 赵丽's session of 22 Oct does not happen.
    f.seen.push(seen(1, Mode::Individual, "2026-10-09"));
    f.seen.push(seen(1, Mode::Group, "2026-10-16"));
    item_mut(&mut f, 102).done = some("2026-10-12");
    case_mut(&mut f, 15).last_contact = some("2026-10-15");
    case_mut(&mut f, 11).last_contact = some("2026-10-20");
    assert_eq!(now(&f, "2026-10-27"), want(&[("R18", 5, 5)]));

    // 27 Oct: 王芳 seen; 29 Oct: 赵丽 seen again.
    f.seen.push(seen(2, Mode::Individual, "2026-10-27"));
    assert_eq!(now(&f, "2026-10-31"), vec![]);

    // Month boundary: 周敏 and 李强 had no supervision in October.
    assert_eq!(now(&f, "2026-11-01"), want(&[("R3", 3, 1), ("R3", 4, 1)]));

    // 3 Nov: group supervision; 10 Nov: 李强's case contacted. The
    // priority case's monthly contact (due 19 Nov) is missed, and 王芳's
    // registration is due for renewal from 20 Nov.
    f.seen.push(seen(3, Mode::Group, "2026-11-03"));
    f.seen.push(seen(4, Mode::Group, "2026-11-03"));
    case_mut(&mut f, 15).last_contact = some("2026-11-10");
    assert_eq!(
        now(&f, "2026-11-21"),
        want(&[("R17", 11, 2), ("R16", 2, 1)])
    );

    // 22 Nov: contacted. The child's general case, never contacted since
    // intake, passes its 90 days on 23 Nov.
    case_mut(&mut f, 11).last_contact = some("2026-11-22");
    assert_eq!(
        now(&f, "2026-11-24"),
        want(&[("R17", 18, 1), ("R16", 2, 4)])
    );

    // 24 Nov: home visit; 25 Nov: registration renewed.
    case_mut(&mut f, 18).last_contact = some("2026-11-24");
    f.people[1].registration_date = some("2026-11-25");
    assert_eq!(now(&f, "2026-11-30"), vec![]);

    // Month boundary again: 王芳 was last seen 27 Oct, 陈雪云 in October.
    assert_eq!(
        now(&f, "2026-12-01"),
        want(&[("R3", 2, 1), ("R4", 1, 1), ("R4", 1, 1)])
    );

    // Whose flags each supervisor sees.
    assert_eq!(team_of(&f.links, 1, day("2026-12-01")), vec![1, 2, 5, 3, 4]);
    assert_eq!(team_of(&f.links, 2, day("2026-12-01")), vec![2, 3, 4]);
    let team = team_of(&f.links, 2, day("2026-12-01"));
    let mine: Vec<(Rule, i64)> = overdue(&f, &Policy::default(), day("2026-12-01"))
        .into_iter()
        .filter(|flag| team.contains(&flag.person_id))
        .map(|flag| (flag.rule, flag.subject_id))
        .collect();
    assert_eq!(mine, vec![(Rule::R3, 2)]);
}
