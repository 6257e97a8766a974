//! The workload engine: a supervisor's month against the rules of the trade
//! (R1–R7, R18). Pure: facts + policy + a month → figures; the store gathers
//! the facts.
//!
//! The workload of one worker in a month — the measure R7 compares — is
//! defined here once: each case open at any time in the month, weighted by
//! its risk level (`weight_high`, `weight_priority`, `weight_general`), plus
//! each group session and each activity the worker led in the month
//! (`weight_group_session`, `weight_activity_session`). The weights are
//! policy settings.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Months, NaiveDate};
use serde::Serialize;

use super::case::{GroupKind, Risk};
use super::date::Month;
use super::overdue::LinkFact;
use super::policy::Policy;
use super::record::Mode;
use super::staff::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkPerson {
    pub id: i64,
    pub name: String,
    pub station_id: i64,
    pub role: Role,
    pub start_date: NaiveDate,
    pub left_date: Option<NaiveDate>,
}

/// A supervision session: who led it, who attended (present or late).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkSession {
    pub supervisor_id: i64,
    pub date: NaiveDate,
    pub mode: Mode,
    pub hours: f64,
    pub attended: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCase {
    pub id: i64,
    pub owner_id: i64,
    pub risk: Risk,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub difficult: bool,
    /// Interviews and home visits (面谈, 家访) logged on the case.
    pub interviews: u32,
}

/// One session of a group or one activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkGroupSession {
    pub group_id: i64,
    pub leader_id: i64,
    pub kind: GroupKind,
    pub therapeutic: bool,
    pub date: NaiveDate,
}

/// Everything the engine reads. Sessions, group sessions and frontline days
/// may span any period: the engine picks the month's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkFacts {
    pub people: Vec<WorkPerson>,
    pub links: Vec<LinkFact>,
    pub sessions: Vec<WorkSession>,
    pub cases: Vec<WorkCase>,
    pub group_sessions: Vec<WorkGroupSession>,
    /// (person, day) of frontline work — a contact logged or a group
    /// session led; each distinct day counts as one half-day session (R5).
    pub frontline_days: Vec<(i64, NaiveDate)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeFigures {
    pub mode: Mode,
    pub sessions: u32,
    pub hours: f64,
}

/// R7: an assistant supervisor's own workload against its group's average.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssistantFigures {
    pub own_workload: f64,
    pub group_average: f64,
    /// Own workload as a percentage of the group's average (100 when the
    /// group has no workload).
    pub share_pct: f64,
    pub required_pct: u32,
    pub meets_r7: bool,
}

/// R5 and R6 for a trainee supervisor, counted from the records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraineeFigures {
    pub half_days: u32,
    pub half_days_target: u32,
    /// Cases marked difficult with enough interviews (all time).
    pub difficult_cases: u32,
    pub difficult_cases_target: u32,
    pub therapeutic_groups: u32,
    pub other_groups: u32,
    pub activities: u32,
    pub meets_r6: bool,
}

/// One supervisor's month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupervisorMonth {
    pub supervisor_id: i64,
    pub name: String,
    pub station_id: i64,
    pub role: Role,
    pub month: Month,
    /// Supervised on the month's last day (R1/R2 count these).
    pub supervisees: u32,
    /// R1's or R2's limit; `None` for roles with no ratio.
    pub ratio_limit: Option<u32>,
    pub load_pct: Option<f64>,
    pub sessions: u32,
    pub hours: f64,
    pub by_mode: Vec<ModeFigures>,
    /// Of the supervisees, how many got what R3 (or R18) owes them.
    pub covered: u32,
    pub coverage_pct: f64,
    /// The team's open cases weighted by risk.
    pub team_case_load: f64,
    pub team_group_sessions: u32,
    pub team_activities: u32,
    /// R4: sessions the supervisor received as a supervisee.
    pub received_individual: u32,
    pub received_group: u32,
    pub assistant: Option<AssistantFigures>,
    pub trainee: Option<TraineeFigures>,
}

/// A month of a scope, for the 12-month trend: its supervisors' sessions
/// and hours, and the share of all their supervisees who were covered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub month: Month,
    pub sessions: u32,
    pub hours: f64,
    pub supervisees: u32,
    pub covered: u32,
    pub coverage_pct: f64,
}

impl TrendPoint {
    pub fn of(month: Month, rows: &[SupervisorMonth]) -> TrendPoint {
        let supervisees = rows.iter().map(|r| r.supervisees).sum::<u32>();
        let covered = rows.iter().map(|r| r.covered).sum::<u32>();
        TrendPoint {
            month,
            sessions: rows.iter().map(|r| r.sessions).sum(),
            hours: total(rows.iter().map(|r| r.hours)),
            supervisees,
            covered,
            coverage_pct: if supervisees == 0 {
                100.0
            } else {
                covered as f64 * 100.0 / supervisees as f64
            },
        }
    }
}

fn active_on(p: &WorkPerson, day: NaiveDate) -> bool {
    p.start_date <= day && p.left_date.is_none_or(|l| l > day)
}

fn linked_on(l: &LinkFact, day: NaiveDate) -> bool {
    l.from <= day && l.to.is_none_or(|t| t > day)
}

/// The month's last day, or `today` if the month is not over (for a month
/// not yet begun, today: nothing in it has happened).
pub fn counting_day(month: Month, today: NaiveDate) -> NaiveDate {
    month.last().min(today)
}

/// A sum that is +0.0 when empty (an empty `f64` sum is −0.0 in Rust).
fn total(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |a, b| a + b)
}

/// A worker's open cases in the month, weighted by risk.
pub fn case_load(facts: &WorkFacts, policy: &Policy, who: i64, month: Month) -> f64 {
    let mine: Vec<&WorkCase> = facts.cases.iter().filter(|c| c.owner_id == who).collect();
    cases_load(&mine, policy, month)
}

/// A worker's workload in the month (see the module's documentation).
pub fn worker_load(facts: &WorkFacts, policy: &Policy, who: i64, month: Month) -> f64 {
    let cases: Vec<&WorkCase> = facts.cases.iter().filter(|c| c.owner_id == who).collect();
    let led: Vec<&WorkGroupSession> = facts
        .group_sessions
        .iter()
        .filter(|g| g.leader_id == who)
        .collect();
    load(&cases, &led, policy, month)
}

/// The one definition of the measure: `cases` are one worker's, `led` the
/// group sessions and activities they led (any period).
fn load(cases: &[&WorkCase], led: &[&WorkGroupSession], policy: &Policy, month: Month) -> f64 {
    let groups = total(
        led.iter()
            .filter(|g| month.contains(g.date))
            .map(|g| match g.kind {
                GroupKind::Group => policy.weight_group_session,
                GroupKind::Activity => policy.weight_activity_session,
            } as f64),
    );
    cases_load(cases, policy, month) + groups
}

fn cases_load(cases: &[&WorkCase], policy: &Policy, month: Month) -> f64 {
    let (first, last) = (month.first(), month.last());
    total(
        cases
            .iter()
            .filter(|c| c.opened_on <= last && c.closed_on.is_none_or(|d| d >= first))
            .map(|c| match c.risk {
                Risk::High => policy.weight_high,
                Risk::Priority => policy.weight_priority,
                Risk::General => policy.weight_general,
            } as f64),
    )
}

/// The facts sorted by person once, so that each supervisor's figures read
/// only their team's rows.
struct ByPerson<'a> {
    cases: HashMap<i64, Vec<&'a WorkCase>>,
    led: HashMap<i64, Vec<&'a WorkGroupSession>>,
    sessions: HashMap<i64, Vec<&'a WorkSession>>,
    links: HashMap<i64, Vec<&'a LinkFact>>,
}

impl<'a> ByPerson<'a> {
    fn new(facts: &'a WorkFacts, month: Month, day: NaiveDate) -> Self {
        let mut by = ByPerson {
            cases: HashMap::new(),
            led: HashMap::new(),
            sessions: HashMap::new(),
            links: HashMap::new(),
        };
        for c in &facts.cases {
            by.cases.entry(c.owner_id).or_default().push(c);
        }
        for g in &facts.group_sessions {
            by.led.entry(g.leader_id).or_default().push(g);
        }
        for s in facts
            .sessions
            .iter()
            .filter(|s| month.contains(s.date) && s.date <= day)
        {
            by.sessions.entry(s.supervisor_id).or_default().push(s);
        }
        for l in &facts.links {
            by.links.entry(l.supervisor_id).or_default().push(l);
        }
        by
    }

    fn cases(&self, who: i64) -> &[&'a WorkCase] {
        self.cases.get(&who).map_or(&[], Vec::as_slice)
    }

    fn led(&self, who: i64) -> &[&'a WorkGroupSession] {
        self.led.get(&who).map_or(&[], Vec::as_slice)
    }
}

/// Sessions a new member of staff is owed in the month under R18: one for
/// each started week of the month they spend in their first months; else 1
/// (R3).
fn owed(p: &WorkPerson, policy: &Policy, month: Month, until: NaiveDate) -> u32 {
    let new_until = p
        .start_date
        .checked_add_months(Months::new(policy.new_staff_months))
        .unwrap_or(NaiveDate::MAX);
    let from = month.first().max(p.start_date);
    let to = until.min(new_until.pred_opt().unwrap_or(new_until));
    if to < from {
        return 1;
    }
    let days = (to - from).num_days() + 1;
    ((days + 6) / 7).max(1) as u32
}

/// Every supervisor's figures for `month`, as of `today` (a month not yet
/// over is counted up to today). Ordered by station, then role, then id.
pub fn workload(
    facts: &WorkFacts,
    policy: &Policy,
    month: Month,
    today: NaiveDate,
) -> Vec<SupervisorMonth> {
    let day = counting_day(month, today);
    let people: HashMap<i64, &WorkPerson> = facts.people.iter().map(|p| (p.id, p)).collect();
    let by = ByPerson::new(facts, month, day);
    // Face-to-face sessions each person attended in the month (R3, R18).
    let mut attended: HashMap<i64, u32> = HashMap::new();
    let mut received: HashMap<(i64, Mode), u32> = HashMap::new();
    for s in by.sessions.values().flatten() {
        for who in &s.attended {
            if s.mode != Mode::Written {
                *attended.entry(*who).or_default() += 1;
            }
            *received.entry((*who, s.mode)).or_default() += 1;
        }
    }
    let mut out = vec![];
    for sup in facts
        .people
        .iter()
        .filter(|p| p.role.supervising_rank().is_some() && active_on(p, day))
    {
        let team: Vec<&WorkPerson> = by
            .links
            .get(&sup.id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter(|l| linked_on(l, day))
            .filter_map(|l| people.get(&l.supervisee_id).copied())
            .filter(|p| active_on(p, day))
            .collect();
        let supervisees = team.len() as u32;
        let ratio_limit = match sup.role {
            Role::AssistantSupervisor => Some(policy.ratio_assistant),
            Role::TraineeSupervisor | Role::JuniorSupervisor => Some(policy.ratio_supervisor),
            _ => None,
        };
        let load_pct = ratio_limit.map(|l| supervisees as f64 * 100.0 / l.max(1) as f64);
        let mine: &[&WorkSession] = by.sessions.get(&sup.id).map_or(&[], Vec::as_slice);
        let mut by_mode: BTreeMap<u8, ModeFigures> = BTreeMap::new();
        for s in mine {
            let key = Mode::ALL.iter().position(|m| *m == s.mode).unwrap_or(0) as u8;
            let e = by_mode.entry(key).or_insert(ModeFigures {
                mode: s.mode,
                sessions: 0,
                hours: 0.0,
            });
            e.sessions += 1;
            e.hours += s.hours;
        }
        let covered = team
            .iter()
            .filter(|p| attended.get(&p.id).copied().unwrap_or(0) >= owed(p, policy, month, day))
            .count() as u32;
        let team_ids: HashSet<i64> = team.iter().map(|p| p.id).chain([sup.id]).collect();
        let team_case_load = total(
            team_ids
                .iter()
                .map(|id| cases_load(by.cases(*id), policy, month)),
        );
        let led = |kind: GroupKind| {
            team_ids
                .iter()
                .flat_map(|id| by.led(*id))
                .filter(|g| g.kind == kind && month.contains(g.date) && g.date <= day)
                .count() as u32
        };
        let assistant = (sup.role == Role::AssistantSupervisor).then(|| {
            let own = load(by.cases(sup.id), by.led(sup.id), policy, month);
            let frontline: Vec<f64> = team
                .iter()
                .filter(|p| p.role == Role::Frontline)
                .map(|p| load(by.cases(p.id), by.led(p.id), policy, month))
                .collect();
            let average = if frontline.is_empty() {
                0.0
            } else {
                total(frontline.iter().copied()) / frontline.len() as f64
            };
            let share = if average > 0.0 {
                own * 100.0 / average
            } else {
                100.0
            };
            AssistantFigures {
                own_workload: own,
                group_average: average,
                share_pct: share,
                required_pct: policy.assistant_share_pct,
                meets_r7: share + 1e-9 >= policy.assistant_share_pct as f64,
            }
        });
        let trainee = (sup.role == Role::TraineeSupervisor)
            .then(|| trainee_figures(facts, &by, policy, sup.id, month, day));
        out.push(SupervisorMonth {
            supervisor_id: sup.id,
            name: sup.name.clone(),
            station_id: sup.station_id,
            role: sup.role,
            month,
            supervisees,
            ratio_limit,
            load_pct,
            sessions: mine.len() as u32,
            hours: total(mine.iter().map(|s| s.hours)),
            by_mode: by_mode.into_values().collect(),
            covered,
            coverage_pct: if supervisees == 0 {
                100.0
            } else {
                covered as f64 * 100.0 / supervisees as f64
            },
            team_case_load,
            team_group_sessions: led(GroupKind::Group),
            team_activities: led(GroupKind::Activity),
            received_individual: received
                .get(&(sup.id, Mode::Individual))
                .copied()
                .unwrap_or(0),
            received_group: received.get(&(sup.id, Mode::Group)).copied().unwrap_or(0),
            assistant,
            trainee,
        });
    }
    out.sort_by_key(|s| {
        (
            s.station_id,
            std::cmp::Reverse(s.role.supervising_rank()),
            s.supervisor_id,
        )
    });
    out
}

fn trainee_figures(
    facts: &WorkFacts,
    by: &ByPerson,
    policy: &Policy,
    who: i64,
    month: Month,
    day: NaiveDate,
) -> TraineeFigures {
    let days: HashSet<NaiveDate> = facts
        .frontline_days
        .iter()
        .filter(|(p, d)| *p == who && month.contains(*d) && *d <= day)
        .map(|(_, d)| *d)
        .collect();
    let difficult = by
        .cases(who)
        .iter()
        .filter(|c| c.difficult && c.interviews >= policy.r6_case_interviews)
        .count() as u32;
    // Groups led to date, each with its session count.
    let mut groups: HashMap<i64, (GroupKind, bool, u32)> = HashMap::new();
    for g in by.led(who).iter().filter(|g| g.date <= day) {
        groups
            .entry(g.group_id)
            .or_insert((g.kind, g.therapeutic, 0))
            .2 += 1;
    }
    let full = |therapeutic: bool| {
        groups
            .values()
            .filter(|g| {
                g.0 == GroupKind::Group && g.1 == therapeutic && g.2 >= policy.r6_group_sessions
            })
            .count() as u32
    };
    let therapeutic_groups = full(true);
    let other_groups = full(false);
    let activities = groups
        .values()
        .filter(|g| g.0 == GroupKind::Activity)
        .count() as u32;
    let meets_r6 = difficult >= policy.r6_difficult_cases
        && (therapeutic_groups >= policy.r6_therapeutic_groups
            || other_groups >= policy.r6_other_groups)
        && activities >= policy.r6_activities;
    TraineeFigures {
        half_days: days.len() as u32,
        half_days_target: policy.trainee_half_days,
        difficult_cases: difficult,
        difficult_cases_target: policy.r6_difficult_cases,
        therapeutic_groups,
        other_groups,
        activities,
        meets_r6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn months_know_their_days() {
        let feb = Month::of(d("2024-02-10"));
        assert_eq!(feb.first(), d("2024-02-01"));
        assert_eq!(feb.last(), d("2024-02-29"));
        assert_eq!(
            feb.prev(),
            Month {
                year: 2024,
                month: 1
            }
        );
        assert_eq!(Month::of(d("2026-01-05")).prev().to_string(), "2025-12");
    }
}
