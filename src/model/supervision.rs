use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::date::parse_user_date;
use super::staff::Staff;
use super::validation::{Checker, Code, Invalid};

/// Who supervised whom, over which days. The interval is half-open:
/// supervision runs from `from` up to the day before `to`; an open link
/// (`to == None`) is the current one. Links are never deleted when a team
/// changes: the old one is closed, so history stays true.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionLink {
    pub id: i64,
    pub supervisor_id: i64,
    pub supervisee_id: i64,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl SupervisionLink {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day < to)
    }
}

/// "From this day on, this person is supervised by that one" (or by nobody,
/// when `supervisor_id` is `None`), as the user typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignInput {
    pub supervisee_id: i64,
    pub supervisor_id: Option<i64>,
    pub from: String,
}

/// A checked assignment, ready for the store to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub supervisee_id: i64,
    pub supervisor_id: Option<i64>,
    pub from: NaiveDate,
}

/// Checks an assignment against the people involved. `current` is the
/// supervisee's open link, if any; `chain` the ids of the people above the
/// new supervisor in the current links (their supervisor, that one's, ...).
pub fn check_assignment(
    input: &AssignInput,
    supervisee: &Staff,
    supervisor: Option<&Staff>,
    current: Option<&SupervisionLink>,
    chain: &[i64],
) -> Result<Assignment, Invalid> {
    let mut c = Checker::default();
    let from = c.check(
        "from",
        match input.from.trim() {
            "" => Err(Code::Required),
            text => parse_user_date(text).ok_or(Code::BadDate),
        },
    );
    if !supervisee.record.active() {
        c.fail("supervisee_id", Code::SupervisorInactive);
    }
    if let Some(from) = from {
        if from < supervisee.record.start_date {
            c.fail("from", Code::BeforeStart);
        } else if current.is_some_and(|l| from < l.from) {
            c.fail("from", Code::BeforeCurrentLink);
        }
    }
    if let Some(boss) = supervisor {
        let field = "supervisor_id";
        if boss.id == supervisee.id {
            c.fail(field, Code::SelfSupervision);
        } else if !boss.record.active() {
            c.fail(field, Code::SupervisorInactive);
        } else {
            match boss.record.role.supervising_rank() {
                None => c.fail(field, Code::NotASupervisor),
                Some(rank) if supervisee.record.role.supervising_rank() >= Some(rank) => {
                    c.fail(field, Code::RankTooLow)
                }
                Some(_) if chain.contains(&supervisee.id) => c.fail(field, Code::SupervisionCycle),
                Some(_) => {}
            }
        }
    }
    c.finish(|| Assignment {
        supervisee_id: supervisee.id,
        supervisor_id: supervisor.map(|s| s.id),
        from: from.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Qualification, Role, StaffRecord};

    fn day(s: &str) -> NaiveDate {
        parse_user_date(s).expect("a date")
    }

    fn person(id: i64, role: Role) -> Staff {
        Staff {
            id,
            record: StaffRecord {
                station_id: 1,
                name: format!("人{id}"),
                role,
                qualification: Qualification::SocialWorker,
                certificate_no: Some("A1".into()),
                registration_date: Some(day("2020-01-01")),
                start_date: day("2020-01-01"),
                left_date: None,
            },
        }
    }

    fn input(from: &str) -> AssignInput {
        AssignInput {
            supervisee_id: 1,
            supervisor_id: Some(2),
            from: from.into(),
        }
    }

    fn codes(r: Result<Assignment, Invalid>) -> Vec<(&'static str, Code)> {
        match r {
            Ok(_) => vec![],
            Err(Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    #[test]
    fn a_supervisor_ranks_above_the_supervisee() {
        let worker = person(1, Role::Frontline);
        let assistant = person(2, Role::AssistantSupervisor);
        let junior = person(3, Role::JuniorSupervisor);
        let head = person(4, Role::StationHead);
        let ok = check_assignment(&input("2024-01-01"), &worker, Some(&assistant), None, &[]);
        assert_eq!(ok.map(|a| a.from), Ok(day("2024-01-01")));
        assert_eq!(
            codes(check_assignment(
                &input("2024-01-01"),
                &assistant,
                Some(&assistant),
                None,
                &[]
            )),
            [("supervisor_id", Code::SelfSupervision)]
        );
        assert_eq!(
            codes(check_assignment(
                &input("2024-01-01"),
                &junior,
                Some(&assistant),
                None,
                &[]
            )),
            [("supervisor_id", Code::RankTooLow)]
        );
        assert_eq!(
            codes(check_assignment(
                &input("2024-01-01"),
                &worker,
                Some(&head),
                None,
                &[]
            )),
            [("supervisor_id", Code::NotASupervisor)]
        );
        assert_eq!(
            codes(check_assignment(
                &input("2024-01-01"),
                &assistant,
                Some(&junior),
                None,
                &[2]
            )),
            [("supervisor_id", Code::SupervisionCycle)]
        );
    }

    #[test]
    fn history_cannot_be_rewritten_backwards() {
        let worker = person(1, Role::Frontline);
        let assistant = person(2, Role::AssistantSupervisor);
        let current = SupervisionLink {
            id: 9,
            supervisor_id: 5,
            supervisee_id: 1,
            from: day("2024-06-01"),
            to: None,
        };
        let r = check_assignment(
            &input("2024-05-31"),
            &worker,
            Some(&assistant),
            Some(&current),
            &[],
        );
        assert_eq!(codes(r), [("from", Code::BeforeCurrentLink)]);
        let r = check_assignment(&input("2019-12-31"), &worker, Some(&assistant), None, &[]);
        assert_eq!(codes(r), [("from", Code::BeforeStart)]);
        let r = check_assignment(&input("明天"), &worker, Some(&assistant), None, &[]);
        assert_eq!(codes(r), [("from", Code::BadDate)]);
    }

    #[test]
    fn a_person_who_left_supervises_nobody() {
        let worker = person(1, Role::Frontline);
        let mut gone = person(2, Role::AssistantSupervisor);
        gone.record.left_date = Some(day("2024-01-01"));
        let r = check_assignment(&input("2024-02-01"), &worker, Some(&gone), None, &[]);
        assert_eq!(codes(r), [("supervisor_id", Code::SupervisorInactive)]);
        let r = check_assignment(&input("2024-02-01"), &gone, None, None, &[]);
        assert_eq!(codes(r), [("supervisee_id", Code::SupervisorInactive)]);
    }

    #[test]
    fn a_link_covers_its_half_open_interval() {
        let link = SupervisionLink {
            id: 1,
            supervisor_id: 2,
            supervisee_id: 1,
            from: day("2024-01-01"),
            to: Some(day("2024-02-01")),
        };
        assert!(!link.covers(day("2023-12-31")));
        assert!(link.covers(day("2024-01-01")));
        assert!(link.covers(day("2024-01-31")));
        assert!(!link.covers(day("2024-02-01")));
    }
}
