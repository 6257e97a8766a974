//! The overdue engine: facts + policy + a date → the flags a supervisor sees
//! in the morning. Pure: no IO, no clock; the store gathers the facts.
//!
//! One convention for every rule: `due` is the last day on which the thing
//! could still be done in time; a flag is raised only when `today > due`,
//! and `days_overdue = today - due` (so at least 1).

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use super::case::{age_on, Risk, Stage};
use super::policy::Policy;
use super::record::Mode;
use super::staff::{Qualification, Role};
use super::training::ledger_row;

/// A person on the staff, as the rules need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFact {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub qualification: Qualification,
    pub start_date: NaiveDate,
    pub left_date: Option<NaiveDate>,
    pub registration_date: Option<NaiveDate>,
}

impl PersonFact {
    /// The registration date of a certified worker (R16), else `None`.
    fn registered(&self) -> Option<NaiveDate> {
        self.registration_date
            .filter(|_| self.qualification != Qualification::None)
    }
}

/// Who supervises whom, half-open `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkFact {
    pub supervisor_id: i64,
    pub supervisee_id: i64,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// The last session of a mode a person attended as a supervisee (present or
/// late), on or before the day asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeenFact {
    pub staff_id: i64,
    pub mode: Mode,
    pub last: NaiveDate,
}

/// An action item (R8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItemFact {
    pub id: i64,
    pub record_id: i64,
    pub owner_id: i64,
    pub what: String,
    pub due: NaiveDate,
    pub done: Option<NaiveDate>,
}

/// A supervision record not yet signed by everyone (R19).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsignedFact {
    pub record_id: i64,
    pub supervisor_id: i64,
    pub date: NaiveDate,
    pub year: i32,
    pub number: i64,
}

/// A case, with the dates the rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFact {
    pub id: i64,
    pub code: String,
    pub owner_id: i64,
    pub risk: Risk,
    pub risk_since: NaiveDate,
    pub stage: Stage,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub last_contact: Option<NaiveDate>,
    pub last_follow_up: Option<NaiveDate>,
    /// The last supervision session that discussed the case.
    pub last_discussed: Option<NaiveDate>,
    pub client_birth: Option<NaiveDate>,
    pub guardian_consent: bool,
}

/// Training facts (R15, R16's hours); `None` until training is recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrainingFacts {
    /// (person, day, hours credited)
    pub hours: Vec<(i64, NaiveDate, f64)>,
    /// (person, day, passed)
    pub assessments: Vec<(i64, NaiveDate, bool)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub people: Vec<PersonFact>,
    pub links: Vec<LinkFact>,
    pub seen: Vec<SeenFact>,
    pub items: Vec<OpenItemFact>,
    pub unsigned: Vec<UnsignedFact>,
    pub cases: Vec<CaseFact>,
    pub training: Option<TrainingFacts>,
}

/// The rule a flag applies. `code()` is what JSON and the UI show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Rule {
    R3,
    R4,
    R8,
    R15,
    R16,
    R17,
    R18,
    R19,
    R20,
    /// A closed case's follow-up visit (回访).
    FollowUp,
    /// A high-risk case not discussed in supervision.
    HighRiskReview,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::R3 => "R3",
            Rule::R4 => "R4",
            Rule::R8 => "R8",
            Rule::R15 => "R15",
            Rule::R16 => "R16",
            Rule::R17 => "R17",
            Rule::R18 => "R18",
            Rule::R19 => "R19",
            Rule::R20 => "R20",
            Rule::FollowUp => "FU",
            Rule::HighRiskReview => "HR",
        }
    }
}

/// How the Today view groups flags, in the order it shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// R17
    CaseContact,
    /// HR
    CaseReview,
    /// R20
    Consent,
    /// R8
    ActionItem,
    /// R3, R18
    Supervision,
    /// R19
    Signature,
    /// FU
    FollowUp,
    /// R4
    OwnSupervision,
    /// R16: renewal and hours
    Registration,
    /// R15
    Assessment,
}

/// What a flag is about; the Today view opens it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    Case,
    ActionItem,
    Record,
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub rule: Rule,
    pub subject_kind: SubjectKind,
    pub subject_id: i64,
    /// The record that holds an action item, for opening it.
    pub record_id: Option<i64>,
    /// Whose flag it is: the case owner, the item owner, the supervisee,
    /// the supervisor who must sign.
    pub person_id: i64,
    pub due: NaiveDate,
    pub days_overdue: i64,
    /// One sentence in Chinese.
    pub message: String,
}

fn md(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The last day of the month after `d`'s month: a person seen in October is
/// owed their November session by 30 November.
fn end_of_next_month(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    first
        .checked_add_months(Months::new(2))
        .and_then(|f| f.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

fn plus_days(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_days(Days::new(n.into()))
        .unwrap_or(NaiveDate::MAX)
}

fn active(p: &PersonFact, today: NaiveDate) -> bool {
    p.left_date.is_none_or(|l| l > today)
}

struct Out<'a> {
    today: NaiveDate,
    names: HashMap<i64, &'a str>,
    flags: Vec<Flag>,
}

impl Out<'_> {
    fn name(&self, id: i64) -> String {
        self.names
            .get(&id)
            .map_or_else(|| format!("#{id}"), |n| (*n).to_owned())
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: FlagKind,
        rule: Rule,
        subject: (SubjectKind, i64),
        record_id: Option<i64>,
        person_id: i64,
        due: NaiveDate,
        message: impl FnOnce(i64) -> String,
    ) {
        if self.today > due {
            let days = (self.today - due).num_days();
            self.flags.push(Flag {
                kind,
                rule,
                subject_kind: subject.0,
                subject_id: subject.1,
                record_id,
                person_id,
                due,
                days_overdue: days,
                message: message(days),
            });
        }
    }
}

/// Every flag as of `today`, grouped by kind and, within a kind, most
/// overdue first. The order of the facts does not matter.
pub fn overdue(facts: &Facts, policy: &Policy, today: NaiveDate) -> Vec<Flag> {
    let mut out = Out {
        today,
        names: facts
            .people
            .iter()
            .map(|p| (p.id, p.name.as_str()))
            .collect(),
        flags: Vec::new(),
    };
    let mut last_seen: HashMap<(i64, Mode), NaiveDate> = HashMap::new();
    let mut last_any: HashMap<i64, NaiveDate> = HashMap::new();
    for s in facts.seen.iter().filter(|s| s.last <= today) {
        let e = last_seen.entry((s.staff_id, s.mode)).or_insert(s.last);
        *e = (*e).max(s.last);
        // Regular supervision is face to face (R3): written does not count.
        if s.mode != Mode::Written {
            let e = last_any.entry(s.staff_id).or_insert(s.last);
            *e = (*e).max(s.last);
        }
    }
    action_items(&mut out, facts);
    supervision(&mut out, facts, policy, &last_any);
    own_supervision(&mut out, facts, &last_seen);
    signatures(&mut out, facts, policy);
    cases(&mut out, facts, policy);
    if let Some(training) = &facts.training {
        training_hours(&mut out, facts, training, policy);
        assessments(&mut out, facts, training, policy);
    }
    registration(&mut out, facts, policy);
    let mut flags = out.flags;
    flags.sort_by(|a, b| {
        (
            a.kind,
            b.days_overdue,
            a.subject_kind,
            a.subject_id,
            a.rule,
            a.due,
        )
            .cmp(&(
                b.kind,
                a.days_overdue,
                b.subject_kind,
                b.subject_id,
                b.rule,
                b.due,
            ))
            .then_with(|| a.message.cmp(&b.message))
    });
    flags
}

/// R8: an open action item past its due date.
fn action_items(out: &mut Out, facts: &Facts) {
    for item in facts.items.iter().filter(|i| i.done.is_none()) {
        let who = out.name(item.owner_id);
        out.push(
            FlagKind::ActionItem,
            Rule::R8,
            (SubjectKind::ActionItem, item.id),
            Some(item.record_id),
            item.owner_id,
            item.due,
            |days| {
                format!(
                    "{who}的行动项“{}”应于{}完成，已逾期{days}天（R8）",
                    item.what,
                    md(item.due)
                )
            },
        );
    }
}

/// R3 (monthly) and R18 (weekly in the first months): every current
/// supervisee.
fn supervision(out: &mut Out, facts: &Facts, p: &Policy, last_any: &HashMap<i64, NaiveDate>) {
    let today = out.today;
    let mut current: HashMap<i64, NaiveDate> = HashMap::new();
    for l in facts
        .links
        .iter()
        .filter(|l| l.from <= today && l.to.is_none_or(|t| t > today))
    {
        let e = current.entry(l.supervisee_id).or_insert(l.from);
        *e = (*e).min(l.from);
    }
    for person in facts.people.iter().filter(|p| active(p, today)) {
        let Some(&linked_from) = current.get(&person.id) else {
            continue;
        };
        let seen = last_any.get(&person.id).copied();
        let base = seen.map_or(linked_from, |s| s.max(linked_from));
        let new_until = person
            .start_date
            .checked_add_months(Months::new(p.new_staff_months))
            .unwrap_or(NaiveDate::MAX);
        let weekly = plus_days(base, p.new_staff_interval_days);
        let name = out.name(person.id);
        let last = seen.map_or_else(
            || "尚无督导记录".to_owned(),
            |s| format!("上次督导在{}", md(s)),
        );
        if weekly < new_until {
            out.push(
                FlagKind::Supervision,
                Rule::R18,
                (SubjectKind::Staff, person.id),
                None,
                person.id,
                weekly,
                |days| {
                    format!(
                        "{name}入职头{}个月内须每周督导，{last}，已逾期{days}天（R18）",
                        p.new_staff_months
                    )
                },
            );
        } else {
            let due = end_of_next_month(base);
            out.push(
                FlagKind::Supervision,
                Rule::R3,
                (SubjectKind::Staff, person.id),
                None,
                person.id,
                due,
                |days| {
                    format!(
                        "{name}{last}，{}月未接受督导，已逾期{days}天（R3：每月至少一次）",
                        due.month()
                    )
                },
            );
        }
    }
}

/// R4: a supervisor's own individual and group supervision each month.
fn own_supervision(out: &mut Out, facts: &Facts, last_seen: &HashMap<(i64, Mode), NaiveDate>) {
    let today = out.today;
    for person in facts
        .people
        .iter()
        .filter(|p| active(p, today) && p.start_date <= today)
        .filter(|p| {
            matches!(
                p.role,
                Role::TraineeSupervisor
                    | Role::JuniorSupervisor
                    | Role::IntermediateSupervisor
                    | Role::SeniorSupervisor
            )
        })
    {
        for (mode, label) in [(Mode::Individual, "个别督导"), (Mode::Group, "小组督导")] {
            let seen = last_seen.get(&(person.id, mode)).copied();
            let base = seen.map_or(person.start_date, |s| s.max(person.start_date));
            let due = end_of_next_month(base);
            let name = out.name(person.id);
            let never = seen.is_none();
            out.push(
                FlagKind::OwnSupervision,
                Rule::R4,
                (SubjectKind::Staff, person.id),
                None,
                person.id,
                due,
                |days| {
                    let when = if never {
                        format!("尚无接受上级{label}的记录")
                    } else {
                        format!("{}月未接受上级{label}", due.month())
                    };
                    format!(
                        "{name}（督导）{when}，已逾期{days}天（R4：每月个别、小组督导各至少一次）"
                    )
                },
            );
        }
    }
}

/// R19: a record not signed by everyone a week after the session.
fn signatures(out: &mut Out, facts: &Facts, p: &Policy) {
    let today = out.today;
    for r in facts.unsigned.iter().filter(|r| r.date <= today) {
        let due = plus_days(r.date, p.sign_within_days.saturating_sub(1));
        let name = out.name(r.supervisor_id);
        out.push(
            FlagKind::Signature,
            Rule::R19,
            (SubjectKind::Record, r.record_id),
            Some(r.record_id),
            r.supervisor_id,
            due,
            |days| {
                format!(
                    "{name}{}年第{}次督导记录（{}）签名未齐，已逾期{days}天（R19：{}天内签名）",
                    r.year,
                    r.number,
                    md(r.date),
                    p.sign_within_days
                )
            },
        );
    }
}

fn contact_days(p: &Policy, risk: Risk) -> u32 {
    match risk {
        Risk::High => p.contact_days_high,
        Risk::Priority => p.contact_days_priority,
        Risk::General => p.contact_days_general,
    }
}

/// R17, follow-up visits, the high-risk review, R20.
fn cases(out: &mut Out, facts: &Facts, p: &Policy) {
    let today = out.today;
    for c in facts.cases.iter().filter(|c| c.opened_on <= today) {
        let subject = (SubjectKind::Case, c.id);
        let last = |d: Option<NaiveDate>| d.filter(|d| *d <= today);
        if !c.stage.is_closed() {
            let base = last(c.last_contact).map_or(c.opened_on, |d| d.max(c.opened_on));
            let every = contact_days(p, c.risk);
            out.push(
                FlagKind::CaseContact,
                Rule::R17,
                subject,
                None,
                c.owner_id,
                plus_days(base, every),
                |days| {
                    format!(
                    "个案{}（{}）上次联系在{}，已逾期{days}天未联系（R17：每{every}天至少一次）",
                    c.code,
                    c.risk.label_zh(),
                    md(base)
                )
                },
            );
            if c.risk == Risk::High {
                let since = c.risk_since.max(c.opened_on);
                let base = last(c.last_discussed).map_or(since, |d| d.max(since));
                let every = p.high_risk_discussion_days;
                let discussed = last(c.last_discussed);
                out.push(
                    FlagKind::CaseReview,
                    Rule::HighRiskReview,
                    subject,
                    None,
                    c.owner_id,
                    plus_days(base, every),
                    |days| {
                        let when = match discussed {
                            None => "从未在督导中讨论".to_owned(),
                            Some(d) if d < since => {
                                format!("自{}列为高风险后未在督导中讨论", md(since))
                            }
                            Some(d) => format!("上次督导讨论在{}", md(d)),
                        };
                        format!(
                            "高风险个案{}{when}，已逾期{days}天（每{every}天至少在督导中讨论一次）",
                            c.code
                        )
                    },
                );
            }
        }
        if c.stage == Stage::Closed {
            if let Some(closed) = c.closed_on.filter(|d| *d <= today) {
                let visited = last(c.last_follow_up).is_some_and(|d| d >= closed);
                if !visited {
                    let due = plus_days(closed, p.follow_up_days);
                    out.push(
                        FlagKind::FollowUp,
                        Rule::FollowUp,
                        subject,
                        None,
                        c.owner_id,
                        due,
                        |days| {
                            format!(
                                "个案{}于{}结案，回访已逾期{days}天（结案后{}天内回访）",
                                c.code,
                                md(closed),
                                p.follow_up_days
                            )
                        },
                    );
                }
            }
        }
        if c.stage != Stage::FollowUp && !c.guardian_consent {
            let child = c
                .client_birth
                .is_some_and(|b| age_on(b, c.opened_on) < p.guardian_consent_age as i32);
            if child {
                out.push(
                    FlagKind::Consent,
                    Rule::R20,
                    subject,
                    None,
                    c.owner_id,
                    c.opened_on,
                    |days| {
                        format!(
                        "个案{}的服务对象接案时未满{}岁，尚未记录监护人同意，已逾期{days}天（R20）",
                        c.code, p.guardian_consent_age
                    )
                    },
                );
            }
        }
    }
}

fn registration_expiry(reg: NaiveDate, p: &Policy) -> NaiveDate {
    reg.checked_add_months(Months::new(p.registration_years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// R16: registration to renew within the last months before it expires.
fn registration(out: &mut Out, facts: &Facts, p: &Policy) {
    let today = out.today;
    for person in facts.people.iter().filter(|p| active(p, today)) {
        let Some(reg) = person.registered() else {
            continue;
        };
        let expiry = registration_expiry(reg, p);
        let due = expiry
            .checked_sub_months(Months::new(p.renew_within_months))
            .unwrap_or(expiry);
        let name = out.name(person.id);
        out.push(
            FlagKind::Registration,
            Rule::R16,
            (SubjectKind::Staff, person.id),
            None,
            person.id,
            due,
            |_| {
                if today >= expiry {
                    format!(
                        "{name}的职业水平登记已于{}到期，须办理续期（R16）",
                        md(expiry)
                    )
                } else {
                    format!(
                        "{name}的职业水平登记将于{}到期，请在到期前办理续期（R16）",
                        md(expiry)
                    )
                }
            },
        );
    }
}

/// R16: continuing-education hours behind the target prorated over the
/// registration period (the ledger's own arithmetic, `ledger_row`).
fn training_hours(out: &mut Out, facts: &Facts, t: &TrainingFacts, p: &Policy) {
    let today = out.today;
    let mut by_person: HashMap<i64, Vec<(NaiveDate, f64)>> = HashMap::new();
    for (who, day, hours) in &t.hours {
        by_person.entry(*who).or_default().push((*day, *hours));
    }
    for person in facts.people.iter().filter(|p| active(p, today)) {
        let mine = by_person.get(&person.id).map_or(&[][..], Vec::as_slice);
        let Some(row) = ledger_row(person, mine.iter().copied(), p, today) else {
            continue;
        };
        if row.earned_hours >= row.required_hours {
            continue;
        }
        let period = ((row.period_end - row.period_start).num_days() + 1) as f64;
        // The last day on which these hours still meet the prorated target.
        let due = plus_days(
            row.period_start,
            (row.earned_hours / row.required_hours * period).floor() as u32,
        );
        let name = out.name(person.id);
        out.push(
            FlagKind::Registration,
            Rule::R16,
            (SubjectKind::Staff, person.id),
            None,
            person.id,
            due,
            |_| {
                format!(
                    "{name}本注册期继续教育{:.1}学时，按期应达{:.1}学时（共需{:.0}学时，R16）",
                    row.earned_hours, row.prorated_target, row.required_hours
                )
            },
        );
    }
}

/// R15: repeated failure of training assessments with no pass since.
fn assessments(out: &mut Out, facts: &Facts, t: &TrainingFacts, p: &Policy) {
    let today = out.today;
    let need = p.failed_assessments.max(1) as usize;
    for person in facts.people.iter().filter(|p| active(p, today)) {
        let mut mine: Vec<(NaiveDate, bool)> = t
            .assessments
            .iter()
            .filter(|a| a.0 == person.id && a.1 <= today)
            .map(|a| (a.1, a.2))
            .collect();
        mine.sort();
        let since_pass: Vec<NaiveDate> = mine
            .iter()
            .rev()
            .take_while(|a| !a.1)
            .map(|a| a.0)
            .collect();
        // since_pass is newest first: the newest fail and the (need-1)th older one.
        if since_pass.len() < need {
            continue;
        }
        let newest = since_pass[0];
        let window_start = newest
            .checked_sub_months(Months::new(p.failed_within_months))
            .unwrap_or(NaiveDate::MIN);
        let within = since_pass.iter().filter(|d| **d >= window_start).count();
        if within < need {
            continue;
        }
        let name = out.name(person.id);
        out.push(
            FlagKind::Assessment,
            Rule::R15,
            (SubjectKind::Staff, person.id),
            None,
            person.id,
            newest,
            |_| {
                format!(
                    "{name}在{}个月内培训考核{within}次不合格，需安排再培训或调整岗位（R15）",
                    p.failed_within_months
                )
            },
        );
    }
}

/// The supervisor and everyone they supervise on `today`, directly or
/// through an assistant supervisor: whose flags a supervisor sees.
pub fn team_of(links: &[LinkFact], supervisor_id: i64, today: NaiveDate) -> Vec<i64> {
    let mut team = vec![supervisor_id];
    let mut i = 0;
    while i < team.len() {
        let boss = team[i];
        for l in links.iter().filter(|l| {
            l.supervisor_id == boss && l.from <= today && l.to.is_none_or(|t| t > today)
        }) {
            if !team.contains(&l.supervisee_id) {
                team.push(l.supervisee_id);
            }
        }
        i += 1;
    }
    team
}
