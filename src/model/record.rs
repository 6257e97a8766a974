//! The supervision record (督导记录): what was typed, and the checks on it.
//! Signing and amending are rules on top of this (see `store::records`).

use chrono::{NaiveDate, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use super::date::{half_width, parse_user_date};
use super::validation::{Checker, Code, Invalid};

/// Supervision modes (R10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Individual,
    Group,
    Written,
    FollowUp,
    LiveObservation,
}

/// The functions a session served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Function {
    Administrative,
    Educational,
    Supportive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Present,
    Late,
    Absent,
}

codes!(Mode {
    Individual => "individual", "个别督导";
    Group => "group", "小组督导";
    Written => "written", "书面督导";
    FollowUp => "follow_up", "跟进督导";
    LiveObservation => "live_observation", "现场督导";
});
codes!(Function {
    Administrative => "administrative", "行政";
    Educational => "educational", "教育";
    Supportive => "supportive", "支持";
});
codes!(Attendance {
    Present => "present", "出席";
    Late => "late", "迟到";
    Absent => "absent", "缺席";
});

/// A supervision record form as the user filled it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordInput {
    pub supervisor_id: i64,
    pub date: String,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub mode: String,
    pub functions: Vec<String>,
    pub supervisees: Vec<AttendeeInput>,
    pub cases: String,
    pub topic: String,
    pub previous_review: String,
    pub reported: String,
    pub findings: String,
    pub guidance: String,
    pub reflection: String,
    pub disagreement: String,
    pub action_items: Vec<ActionItemInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeInput {
    pub staff_id: i64,
    pub attendance: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemInput {
    pub what: String,
    pub owner_id: Option<i64>,
    pub due: String,
    pub done: String,
    pub note: String,
}

/// The checked content of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordContent {
    pub supervisor_id: i64,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub place: String,
    pub mode: Mode,
    pub functions: Vec<Function>,
    pub supervisees: Vec<(i64, Attendance)>,
    pub cases: String,
    pub topic: String,
    pub previous_review: String,
    pub reported: String,
    pub findings: String,
    pub guidance: String,
    pub reflection: String,
    pub disagreement: String,
    pub action_items: Vec<ActionItem>,
}

impl RecordContent {
    /// Hours between start and end, e.g. 1.5.
    pub fn hours(&self) -> f64 {
        (self.end_time - self.start_time).num_minutes() as f64 / 60.0
    }
}

/// A follow-up agreed in a session (R8): what, who, by when; done later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    pub what: String,
    pub owner_id: i64,
    pub due: NaiveDate,
    pub done: Option<NaiveDate>,
    pub note: String,
}

const SHORT_MAX: usize = 100;
const LONG_MAX: usize = 5000;

/// The record's text fields that an amendment may change once it is signed.
pub const AMENDABLE_FIELDS: &[&str] = &[
    "place",
    "cases",
    "topic",
    "previous_review",
    "reported",
    "findings",
    "guidance",
    "reflection",
    "disagreement",
];

impl RecordInput {
    /// Checks every field; a held session cannot lie after `today`.
    pub fn validate(&self, today: NaiveDate) -> Result<RecordContent, Invalid> {
        let mut c = Checker::default();
        let date = c.check(
            "date",
            match parse_user_date(&self.date) {
                _ if self.date.trim().is_empty() => Err(Code::Required),
                None => Err(Code::BadDate),
                Some(d) if d > today => Err(Code::FutureDate),
                Some(d) => Ok(d),
            },
        );
        let start_time = c.check("start_time", parse_time(&self.start_time));
        let end_time = c.check("end_time", parse_time(&self.end_time));
        if let (Some(s), Some(e)) = (start_time, end_time) {
            if e <= s {
                c.fail("end_time", Code::EndBeforeStart);
            }
        }
        let place = c.check("place", text(&self.place, SHORT_MAX, true));
        let mode = c.check(
            "mode",
            Mode::from_code(self.mode.trim()).ok_or(Code::Required),
        );
        let mut functions = vec![];
        for f in &self.functions {
            match Function::from_code(f.trim()) {
                Some(f) if !functions.contains(&f) => functions.push(f),
                Some(_) => {}
                None => c.fail("functions", Code::UnknownChoice),
            }
        }
        functions.sort();
        if self.functions.is_empty() {
            c.fail("functions", Code::Required);
        }
        let mut supervisees = vec![];
        for a in &self.supervisees {
            match Attendance::from_code(a.attendance.trim()) {
                _ if a.staff_id == self.supervisor_id => {
                    c.fail("supervisees", Code::SelfSupervision)
                }
                _ if supervisees.iter().any(|(id, _)| *id == a.staff_id) => {
                    c.fail("supervisees", Code::Duplicate)
                }
                Some(att) => supervisees.push((a.staff_id, att)),
                None => c.fail("supervisees", Code::UnknownChoice),
            }
        }
        if self.supervisees.is_empty() {
            c.fail("supervisees", Code::Required);
        }
        let cases = c.check("cases", text(&self.cases, SHORT_MAX * 5, false));
        let topic = c.check("topic", text(&self.topic, SHORT_MAX * 2, true));
        let long =
            |c: &mut Checker, field, value: &str| c.check(field, text(value, LONG_MAX, false));
        let previous_review = long(&mut c, "previous_review", &self.previous_review);
        let reported = long(&mut c, "reported", &self.reported);
        let findings = long(&mut c, "findings", &self.findings);
        let guidance = long(&mut c, "guidance", &self.guidance);
        let reflection = long(&mut c, "reflection", &self.reflection);
        let disagreement = long(&mut c, "disagreement", &self.disagreement);
        let mut action_items = vec![];
        for item in &self.action_items {
            if let Some(item) = check_item(&mut c, item, date) {
                action_items.push(item);
            }
        }
        c.finish(|| RecordContent {
            supervisor_id: self.supervisor_id,
            date: date.unwrap_or_default(),
            start_time: start_time.unwrap_or_default(),
            end_time: end_time.unwrap_or_default(),
            place: place.unwrap_or_default(),
            mode: mode.unwrap_or(Mode::Individual),
            functions,
            supervisees,
            cases: cases.unwrap_or_default(),
            topic: topic.unwrap_or_default(),
            previous_review: previous_review.unwrap_or_default(),
            reported: reported.unwrap_or_default(),
            findings: findings.unwrap_or_default(),
            guidance: guidance.unwrap_or_default(),
            reflection: reflection.unwrap_or_default(),
            disagreement: disagreement.unwrap_or_default(),
            action_items,
        })
    }
}

/// Action item errors name the list (`action_items`); the UI shows them
/// under the items table.
fn check_item(
    c: &mut Checker,
    item: &ActionItemInput,
    session: Option<NaiveDate>,
) -> Option<ActionItem> {
    let field = "action_items";
    let what = c.check(field, text(&item.what, SHORT_MAX * 2, true));
    let owner_id = c.check(field, item.owner_id.ok_or(Code::OwnerRequired));
    let due = c.check(
        field,
        match parse_user_date(&item.due) {
            _ if item.due.trim().is_empty() => Err(Code::DueRequired),
            None => Err(Code::BadDate),
            Some(d) if session.is_some_and(|s| d < s) => Err(Code::DueBeforeSession),
            Some(d) => Ok(d),
        },
    );
    let done = if item.done.trim().is_empty() {
        Some(None)
    } else {
        c.check(
            field,
            parse_user_date(&item.done).map(Some).ok_or(Code::BadDate),
        )
    };
    let note = c.check(field, text(&item.note, SHORT_MAX * 5, false));
    Some(ActionItem {
        what: what?,
        owner_id: owner_id?,
        due: due?,
        done: done?,
        note: note?,
    })
}

pub(super) fn text(value: &str, max: usize, required: bool) -> Result<String, Code> {
    let value = value.trim();
    if required && value.is_empty() {
        Err(Code::Required)
    } else if value.chars().count() > max {
        Err(Code::TooLong)
    } else {
        Ok(value.to_owned())
    }
}

/// Reads a time of day as people write it: `9:00`, `09:00`, `9：00`,
/// `0900`, `9点`, `9点30`, `9点半`, `9时30分`, `下午2点` (上午, 早上,
/// 下午, 晚上), full-width digits and spaces too.
pub fn parse_time(text: &str) -> Result<NaiveTime, Code> {
    if text.trim().is_empty() {
        return Err(Code::Required);
    }
    let (afternoon, text) = match ["下午", "晚上", "上午", "早上"]
        .iter()
        .find_map(|p| text.trim().strip_prefix(p).map(|rest| (p, rest)))
    {
        Some((p, rest)) => (*p == "下午" || *p == "晚上", rest),
        None => (false, text),
    };
    let t = half_width(text);
    let t = match t.split_once(['点', '时']) {
        Some((h, "")) => format!("{h}:00"),
        Some((h, "半")) => format!("{h}:30"),
        Some((h, m)) => format!("{h}:{}", m.strip_suffix('分').unwrap_or(m)),
        None if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{}:{}", &t[..2], &t[2..])
        }
        None => t,
    };
    let time = NaiveTime::parse_from_str(&t, "%H:%M").map_err(|_| Code::BadTime)?;
    match afternoon {
        true if time.hour() < 12 => Ok(time + chrono::TimeDelta::hours(12)),
        _ => Ok(time),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
    }

    pub(crate) fn good() -> RecordInput {
        RecordInput {
            supervisor_id: 1,
            date: "2026/11/2".into(),
            start_time: "9:00".into(),
            end_time: "10:30".into(),
            place: "青溪镇社工站会议室".into(),
            mode: "individual".into(),
            functions: vec!["educational".into(), "administrative".into()],
            supervisees: vec![AttendeeInput {
                staff_id: 2,
                attendance: "present".into(),
            }],
            cases: "QX-2026-014".into(),
            topic: "高风险个案的家访安排".into(),
            action_items: vec![ActionItemInput {
                what: "补全家访记录".into(),
                owner_id: Some(2),
                due: "2026-11-09".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn check(edit: impl FnOnce(&mut RecordInput), expected: &[(&str, Code)]) {
        let mut input = good();
        edit(&mut input);
        let got: Vec<(&str, Code)> = match input.validate(today()) {
            Ok(_) => vec![],
            Err(Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
        };
        assert_eq!(got, expected);
    }

    #[test]
    fn a_good_record_is_accepted_with_its_duration() {
        let r = good().validate(today()).expect("valid");
        assert_eq!(r.hours(), 1.5);
        assert_eq!(
            r.functions,
            [Function::Administrative, Function::Educational]
        );
        assert_eq!(
            r.action_items[0].due,
            NaiveDate::from_ymd_opt(2026, 11, 9).expect("date")
        );
    }

    #[test]
    fn bad_records_name_their_fields() {
        check(
            |r| r.end_time = "08:30".into(),
            &[("end_time", Code::EndBeforeStart)],
        );
        check(
            |r| r.start_time = "25:00".into(),
            &[("start_time", Code::BadTime)],
        );
        check(
            |r| r.date = "2026-11-23".into(),
            &[("date", Code::FutureDate)],
        );
        check(|r| r.date = "".into(), &[("date", Code::Required)]);
        check(|r| r.topic = " ".into(), &[("topic", Code::Required)]);
        check(|r| r.place = "".into(), &[("place", Code::Required)]);
        check(|r| r.mode = "gossip".into(), &[("mode", Code::Required)]);
        check(|r| r.functions.clear(), &[("functions", Code::Required)]);
        check(
            |r| r.supervisees.clear(),
            &[("supervisees", Code::Required)],
        );
        check(
            |r| r.supervisees[0].staff_id = 1,
            &[("supervisees", Code::SelfSupervision)],
        );
        check(
            |r| r.action_items[0].owner_id = None,
            &[("action_items", Code::OwnerRequired)],
        );
        check(
            |r| r.action_items[0].due = "".into(),
            &[("action_items", Code::DueRequired)],
        );
        check(
            |r| r.action_items[0].due = "2026-11-01".into(),
            &[("action_items", Code::DueBeforeSession)],
        );
        check(
            |r| r.findings = "很".repeat(5001),
            &[("findings", Code::TooLong)],
        );
    }

    #[test]
    fn times_are_read_as_people_write_them() {
        for t in [
            "9:00",
            "09:00",
            "9：00",
            "0900",
            "9点",
            "９：００",
            " 9 : 00 ",
        ] {
            assert_eq!(
                parse_time(t),
                Ok(NaiveTime::from_hms_opt(9, 0, 0).expect("time")),
                "{t}"
            );
        }
        for t in [
            "14:30",
            "14点30",
            "14点半",
            "14时30分",
            "14点30分",
            "1430",
            "下午2点半",
            "下午14:30",
        ] {
            assert_eq!(
                parse_time(t),
                Ok(NaiveTime::from_hms_opt(14, 30, 0).expect("time")),
                "{t}"
            );
        }
        for t in [
            "nine",
            "25:00",
            "9:60",
            "点",
            "9点半半",
            "9点30点",
            "9:00分",
            "下午",
            "中午2点",
        ] {
            assert_eq!(parse_time(t), Err(Code::BadTime), "{t}");
        }
        assert_eq!(parse_time("  "), Err(Code::Required));
        assert_eq!(parse_time("上午9点"), parse_time("9:00"));
        assert_eq!(parse_time("晚上7点"), parse_time("19:00"));
    }
}

/// Days after the session within which a record should be signed (R19).
pub const SIGN_WITHIN_DAYS: u64 = 7;

/// A record not signed by everyone `SIGN_WITHIN_DAYS` after its session is
/// listed for attention (R19).
pub fn signature_overdue(session: NaiveDate, fully_signed: bool, today: NaiveDate) -> bool {
    !fully_signed
        && session
            .checked_add_days(chrono::Days::new(SIGN_WITHIN_DAYS))
            .is_some_and(|d| today >= d)
}

#[cfg(test)]
mod r19 {
    use super::*;

    #[test]
    fn unsigned_seven_days_after_the_session_needs_attention() {
        let session = NaiveDate::from_ymd_opt(2026, 11, 2).expect("date");
        let on = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).expect("date");
        assert!(!signature_overdue(session, false, on(8)));
        assert!(signature_overdue(session, false, on(9)));
        assert!(!signature_overdue(session, true, on(30)));
    }
}
