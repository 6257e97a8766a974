//! Training (DOMAIN.md R11–R16): content areas, methods, sign-in, assessment
//! kinds, the hours an attendance earns, and the continuing-education hours
//! ledger of a registration period. Pure: "today" is a parameter.

use chrono::{Datelike, Months, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::date::parse_user_date;
use super::overdue::PersonFact;
use super::policy::Policy;
use super::record::parse_time;
use super::staff::Qualification;
use super::validation::{Checker, Code, Invalid};

/// R12: what a training is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ContentArea {
    Knowledge,
    Skills,
    Ethics,
}

codes!(ContentArea {
    Knowledge => "knowledge", "专业知识";
    Skills => "skills", "服务技能";
    Ethics => "ethics", "职业道德与团队合作";
});

/// R13: how it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum TrainingMethod {
    Lecture,
    CaseDiscussion,
    StudyGroup,
    Course,
    Seminar,
    Conference,
    Online,
}

codes!(TrainingMethod {
    Lecture => "lecture", "内部讲座";
    CaseDiscussion => "case_discussion", "案例研讨";
    StudyGroup => "study_group", "学习小组";
    Course => "course", "外出培训课程";
    Seminar => "seminar", "研讨会";
    Conference => "conference", "会议";
    Online => "online", "线上学习";
});

/// How a person attended a session (签到).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum SignIn {
    Present,
    Late,
    LeftEarly,
    Absent,
    Excused,
}

codes!(SignIn {
    Present => "present", "出席";
    Late => "late", "迟到";
    LeftEarly => "left_early", "早退";
    Absent => "absent", "缺席";
    Excused => "excused", "请假";
});

/// R14: how learning is assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKind {
    Exam,
    Assignment,
    CaseAnalysis,
    ObservedPractice,
    Satisfaction,
    SelfPeer,
}

codes!(AssessmentKind {
    Exam => "exam", "考试";
    Assignment => "assignment", "作业";
    CaseAnalysis => "case_analysis", "案例分析";
    ObservedPractice => "observed_practice", "实务观察";
    Satisfaction => "satisfaction", "服务对象满意度";
    SelfPeer => "self_peer", "自评与互评";
});

fn text(c: &mut Checker, field: &'static str, value: &str, max: usize, required: bool) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        c.fail(field, Code::Required);
    } else if v.chars().count() > max {
        c.fail(field, Code::TooLong);
    }
    v.to_owned()
}

fn choice<T>(
    c: &mut Checker,
    field: &'static str,
    value: &str,
    f: fn(&str) -> Option<T>,
) -> Option<T> {
    if value.trim().is_empty() {
        c.fail(field, Code::Required);
        return None;
    }
    c.check(field, f(value.trim()).ok_or(Code::UnknownChoice))
}

/// Hours between two times of one day, to the minute.
pub fn hours_between(start: NaiveTime, end: NaiveTime) -> f64 {
    ((end - start).num_minutes().max(0) as f64 / 60.0 * 100.0).round() / 100.0
}

/// A training session as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrainingInput {
    pub station_id: i64,
    pub title: String,
    pub area: String,
    pub method: String,
    pub trainer_id: Option<i64>,
    pub date: String,
    pub start: String,
    pub end: String,
    pub place: String,
    /// Whether the hours count as continuing education (R16).
    pub counts_ce: bool,
    pub plan_item_id: Option<i64>,
}

/// A checked training session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Training {
    pub station_id: i64,
    pub title: String,
    pub area: ContentArea,
    pub method: TrainingMethod,
    pub trainer_id: Option<i64>,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub hours: f64,
    pub place: String,
    pub counts_ce: bool,
    pub plan_item_id: Option<i64>,
}

impl TrainingInput {
    /// Checks every field at once. A session may be entered ahead of time,
    /// up to a year on.
    pub fn validate(&self, today: NaiveDate) -> Result<Training, Invalid> {
        let mut c = Checker::default();
        let title = text(&mut c, "title", &self.title, 100, true);
        let area = choice(&mut c, "area", &self.area, ContentArea::from_code);
        let method = choice(&mut c, "method", &self.method, TrainingMethod::from_code);
        let date = if self.date.trim().is_empty() {
            c.fail("date", Code::Required);
            None
        } else {
            c.check(
                "date",
                parse_user_date(&self.date)
                    .ok_or(Code::BadDate)
                    .and_then(|d| {
                        if d > today + chrono::Days::new(366) {
                            Err(Code::FutureDate)
                        } else {
                            Ok(d)
                        }
                    }),
            )
        };
        let start = c.check("start", parse_time(&self.start));
        let end = c.check("end", parse_time(&self.end));
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                c.fail("end", Code::EndBeforeStart);
            }
        }
        let place = text(&mut c, "place", &self.place, 100, false);
        c.finish(|| {
            let (start, end) = (start.unwrap_or_default(), end.unwrap_or_default());
            Training {
                station_id: self.station_id,
                title,
                area: area.unwrap_or(ContentArea::Knowledge),
                method: method.unwrap_or(TrainingMethod::Lecture),
                trainer_id: self.trainer_id,
                date: date.unwrap_or_default(),
                start,
                end,
                hours: hours_between(start, end),
                place,
                counts_ce: self.counts_ce,
                plan_item_id: self.plan_item_id,
            }
        })
    }
}

/// A sign-in as typed at the door: a status, and for late arrival or early
/// leaving the time (`09:40`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInInput {
    pub status: String,
    pub arrived: String,
    pub left: String,
}

/// A checked sign-in with the hours it earns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SignedIn {
    pub status: SignIn,
    pub arrived: Option<NaiveTime>,
    pub left: Option<NaiveTime>,
    pub credited_hours: f64,
}

impl SignInInput {
    /// Checks the sign-in against the session's times and credits the
    /// hours attended: all of them when present, none when absent or
    /// excused, from arrival to the end when late, from the start to
    /// leaving when leaving early (both, when both times are given).
    pub fn validate(&self, start: NaiveTime, end: NaiveTime) -> Result<SignedIn, Invalid> {
        let mut c = Checker::default();
        let status = choice(&mut c, "status", &self.status, SignIn::from_code);
        let mut time = |field: &'static str, value: &str, needed: bool| -> Option<NaiveTime> {
            if value.trim().is_empty() {
                if needed {
                    c.fail(field, Code::Required);
                }
                return None;
            }
            let t = c.check(field, parse_time(value))?;
            if t < start || t > end {
                c.fail(field, Code::OutsideSession);
                return None;
            }
            Some(t)
        };
        let arrived = time("arrived", &self.arrived, status == Some(SignIn::Late));
        let left = time("left", &self.left, status == Some(SignIn::LeftEarly));
        if let (Some(a), Some(l)) = (arrived, left) {
            if l <= a {
                c.fail("left", Code::EndBeforeStart);
            }
        }
        c.finish(|| {
            let status = status.unwrap_or(SignIn::Present);
            let credited = match status {
                SignIn::Absent | SignIn::Excused => 0.0,
                _ => hours_between(arrived.unwrap_or(start), left.unwrap_or(end)),
            };
            SignedIn {
                status,
                arrived: arrived.filter(|_| credited > 0.0),
                left: left.filter(|_| credited > 0.0),
                credited_hours: credited,
            }
        })
    }
}

/// An assessment as typed: a kind, an optional score out of 100, passed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssessmentInput {
    pub kind: String,
    pub score: String,
    pub passed: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub kind: AssessmentKind,
    pub score: Option<f64>,
    pub passed: bool,
    pub note: String,
}

impl AssessmentInput {
    pub fn validate(&self) -> Result<Assessment, Invalid> {
        let mut c = Checker::default();
        let kind = choice(&mut c, "kind", &self.kind, AssessmentKind::from_code);
        let score = if self.score.trim().is_empty() {
            None
        } else {
            c.check(
                "score",
                self.score
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|s| (0.0..=100.0).contains(s))
                    .ok_or(Code::BadScore),
            )
        };
        let note = text(&mut c, "note", &self.note, 500, false);
        c.finish(|| Assessment {
            kind: kind.unwrap_or(AssessmentKind::Exam),
            score,
            passed: self.passed,
            note,
        })
    }
}

/// One certified worker's continuing-education hours (R16) as of a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRow {
    pub staff_id: i64,
    pub name: String,
    pub qualification: Qualification,
    /// The registration date: the period's first day.
    pub period_start: NaiveDate,
    /// The period's last day (the day before the registration expires).
    pub period_end: NaiveDate,
    pub required_hours: f64,
    /// Hours credited from the period's start to the day asked about.
    pub earned_hours: f64,
    /// Hours credited in the calendar year of the day asked about.
    pub year_hours: f64,
    /// What should be earned by now: the requirement in proportion to the
    /// share of the period elapsed (all of it once the period is over).
    pub prorated_target: f64,
    pub behind: bool,
    /// The first day of the renewal window (R16: the last 3 months).
    pub renew_from: NaiveDate,
    pub expired: bool,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The hours a qualification requires per registration period (R16).
pub fn required_hours(q: Qualification, policy: &Policy) -> Option<u32> {
    match q {
        Qualification::None => None,
        Qualification::AssistantSocialWorker => Some(policy.hours_assistant),
        Qualification::SocialWorker | Qualification::SeniorSocialWorker => {
            Some(policy.hours_social_worker)
        }
    }
}

/// The ledger line of one person, or `None` for someone without a
/// registration. `hours` are (day, hours credited) of sessions that count
/// as continuing education, any period.
pub fn ledger_row(
    person: &PersonFact,
    hours: impl Iterator<Item = (NaiveDate, f64)>,
    policy: &Policy,
    as_of: NaiveDate,
) -> Option<LedgerRow> {
    let required = required_hours(person.qualification, policy)? as f64;
    let start = person.registration_date?;
    let expiry = start
        .checked_add_months(Months::new(policy.registration_years * 12))
        .unwrap_or(NaiveDate::MAX);
    let end = expiry.pred_opt().unwrap_or(expiry);
    let (mut earned, mut year) = (0.0, 0.0);
    for (day, h) in hours {
        if day >= start && day <= end && day <= as_of {
            earned += h;
        }
        if day.year() == as_of.year() && day <= as_of {
            year += h;
        }
    }
    let period_days = (expiry - start).num_days().max(1) as f64;
    let elapsed = ((as_of - start).num_days() + 1).clamp(0, period_days as i64) as f64;
    let target = round2(required * elapsed / period_days);
    let earned = round2(earned);
    Some(LedgerRow {
        staff_id: person.id,
        name: person.name.clone(),
        qualification: person.qualification,
        period_start: start,
        period_end: end,
        required_hours: required,
        earned_hours: earned,
        year_hours: round2(year),
        prorated_target: target,
        behind: earned + 1e-9 < target,
        renew_from: expiry
            .checked_sub_months(Months::new(policy.renew_within_months))
            .unwrap_or(expiry),
        expired: as_of >= expiry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;

    fn t(s: &str) -> NaiveTime {
        parse_time(s).expect("time")
    }

    fn sign(status: &str, arrived: &str, left: &str) -> Result<SignedIn, Invalid> {
        SignInInput {
            status: status.into(),
            arrived: arrived.into(),
            left: left.into(),
        }
        .validate(t("09:00"), t("12:00"))
    }

    #[test]
    fn late_and_leaving_early_credit_the_hours_attended() {
        assert_eq!(sign("present", "", "").expect("ok").credited_hours, 3.0);
        assert_eq!(sign("late", "09:30", "").expect("ok").credited_hours, 2.5);
        assert_eq!(
            sign("left_early", "", "11:15").expect("ok").credited_hours,
            2.25
        );
        assert_eq!(
            sign("late", "09:20", "11:00").expect("ok").credited_hours,
            1.67
        );
        assert_eq!(sign("absent", "", "").expect("ok").credited_hours, 0.0);
        assert_eq!(sign("excused", "", "").expect("ok").credited_hours, 0.0);
        assert_eq!(sign("late", "12:00", "").expect("ok").credited_hours, 0.0);
        assert!(sign("late", "", "")
            .expect_err("needs a time")
            .has("arrived", Code::Required));
        assert!(sign("left_early", "", "")
            .expect_err("needs a time")
            .has("left", Code::Required));
        assert!(sign("late", "08:00", "")
            .expect_err("before")
            .has("arrived", Code::OutsideSession));
        assert!(sign("late", "九点半", "")
            .expect_err("bad")
            .has("arrived", Code::BadTime));
        assert!(sign("late", "10:00", "09:30")
            .expect_err("order")
            .has("left", Code::EndBeforeStart));
        assert!(sign("maybe", "", "")
            .expect_err("status")
            .has("status", Code::UnknownChoice));
    }

    fn person(q: Qualification, reg: &str) -> PersonFact {
        PersonFact {
            id: 1,
            name: "王芳".into(),
            role: Role::Frontline,
            qualification: q,
            start_date: NaiveDate::from_ymd_opt(2020, 1, 1).expect("day"),
            left_date: None,
            registration_date: parse_user_date(reg),
        }
    }

    fn d(s: &str) -> NaiveDate {
        parse_user_date(s).expect("day")
    }

    #[test]
    fn the_ledger_counts_the_registration_period_and_prorates_the_target() {
        let p = Policy::default();
        let who = person(Qualification::AssistantSocialWorker, "2024-03-01");
        let hours = [
            (d("2024-02-29"), 5.0), // the day before the period: not counted
            (d("2024-03-01"), 6.0), // the first day: counted
            (d("2025-06-30"), 10.0),
            (d("2027-02-28"), 4.0), // the last day: counted
            (d("2027-03-01"), 8.0), // the expiry day: the next period
        ];
        let at = |day: &str| ledger_row(&who, hours.iter().copied(), &p, d(day)).expect("row");
        let first = at("2024-03-01");
        assert_eq!(
            (first.period_start, first.period_end),
            (d("2024-03-01"), d("2027-02-28"))
        );
        assert_eq!(first.required_hours, 72.0);
        assert_eq!(first.earned_hours, 6.0);
        assert_eq!(first.prorated_target, 0.07, "one day of 1,095");
        assert!(!first.behind);
        let mid = at("2025-08-31");
        assert_eq!(mid.earned_hours, 16.0);
        assert_eq!(mid.year_hours, 10.0);
        assert!(mid.behind, "{mid:?}");
        let last = at("2027-02-28");
        assert_eq!(last.earned_hours, 20.0);
        assert_eq!(last.prorated_target, 72.0);
        assert!(!last.expired);
        assert_eq!(last.renew_from, d("2026-12-01"));
        let after = at("2027-03-01");
        assert_eq!(
            after.earned_hours, 20.0,
            "the expiry day's hours are not this period's"
        );
        assert!(after.expired);
        let social = person(Qualification::SocialWorker, "2024-03-01");
        assert_eq!(
            ledger_row(&social, [].into_iter(), &p, d("2025-01-01"))
                .expect("row")
                .required_hours,
            90.0
        );
        assert!(ledger_row(
            &person(Qualification::None, "2024-03-01"),
            [].into_iter(),
            &p,
            d("2025-01-01")
        )
        .is_none());
        assert!(ledger_row(
            &person(Qualification::SocialWorker, ""),
            [].into_iter(),
            &p,
            d("2025-01-01")
        )
        .is_none());
    }

    #[test]
    fn a_training_is_checked_field_by_field() {
        let today = d("2026-11-22");
        let good = TrainingInput {
            station_id: 1,
            title: "危机干预实务".into(),
            area: "skills".into(),
            method: "lecture".into(),
            date: "2026年11月20日".into(),
            start: "14:00".into(),
            end: "16:30".into(),
            counts_ce: true,
            ..Default::default()
        };
        let tr = good.validate(today).expect("valid");
        assert_eq!(tr.hours, 2.5);
        let bad = TrainingInput {
            title: " ".into(),
            area: "cooking".into(),
            method: String::new(),
            date: "2026-13-01".into(),
            start: "16:00".into(),
            end: "15:00".into(),
            ..good
        };
        let e = bad.validate(today).expect_err("refused");
        for (field, code) in [
            ("title", Code::Required),
            ("area", Code::UnknownChoice),
            ("method", Code::Required),
            ("date", Code::BadDate),
            ("end", Code::EndBeforeStart),
        ] {
            assert!(e.has(field, code), "{field}: {e:?}");
        }
    }
}

/// What a name can be found by at the sign-in desk: its pinyin initials
/// (`wf` for 王芳) and its full pinyin (`wangfang`), every reading of a
/// character with several (单 dan/shan), at most 16 of each.
pub fn name_keys(name: &str) -> (Vec<String>, Vec<String>) {
    use pinyin::ToPinyinMulti;
    const MAX: usize = 16;
    let mut initials = vec![String::new()];
    let mut full = vec![String::new()];
    for c in name.chars() {
        let readings: Vec<&str> = match c.to_pinyin_multi() {
            Some(multi) => multi.into_iter().map(|p| p.plain()).collect(),
            None if c.is_ascii_alphanumeric() => {
                let lower = c.to_ascii_lowercase();
                initials.iter_mut().for_each(|s| s.push(lower));
                full.iter_mut().for_each(|s| s.push(lower));
                continue;
            }
            None => continue,
        };
        let mut readings = readings;
        readings.dedup();
        let grow = |keys: &[String], part: &dyn Fn(&str) -> String| -> Vec<String> {
            let mut next: Vec<String> = vec![];
            for k in keys {
                for r in &readings {
                    let s = format!("{k}{}", part(r));
                    if !next.contains(&s) && next.len() < MAX {
                        next.push(s);
                    }
                }
            }
            next
        };
        initials = grow(&initials, &|r| r.chars().take(1).collect());
        full = grow(&full, &|r| r.to_owned());
    }
    (initials, full)
}

#[cfg(test)]
mod name_tests {
    use super::name_keys;

    #[test]
    fn names_are_found_by_pinyin_initials_and_full_pinyin() {
        let (initials, full) = name_keys("王芳");
        assert_eq!(initials[0], "wf");
        assert_eq!(full[0], "wangfang");
        let (initials, _) = name_keys("单晓红");
        assert!(
            initials.contains(&"sxh".to_string()) && initials.contains(&"dxh".to_string()),
            "{initials:?}"
        );
        let (initials, full) = name_keys("李A");
        assert_eq!((initials[0].as_str(), full[0].as_str()), ("la", "lia"));
    }
}
