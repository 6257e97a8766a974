//! Cases (个案), the client's identity kept apart, consents, contacts, and
//! groups and activities with their sessions.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::date::parse_user_date;
use super::record::text;
use super::staff::optional_date;
use super::validation::{Checker, Code, Invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Elderly,
    Children,
    Disability,
    LowIncome,
    Family,
    Other,
}

/// Risk level; it sets how often the client must be contacted (R17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    High,
    Priority,
    General,
}

/// Where the case is, in order: 接案 → … → 结案 → 回访.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Intake,
    Assessment,
    Plan,
    Intervention,
    Evaluation,
    Review,
    Closed,
    FollowUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Intake,
    Interview,
    HomeVisit,
    Phone,
    Referral,
    Closing,
    FollowUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// Consent to process personal information.
    Processing,
    /// Separate consent for sensitive personal information (PIPL art. 29).
    Sensitive,
    /// A guardian's consent for a child under 14 (PIPL art. 31, R20).
    Guardian,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    Group,
    Activity,
}

codes!(Category {
    Elderly => "elderly", "老年人";
    Children => "children", "儿童";
    Disability => "disability", "残疾人";
    LowIncome => "low_income", "低收入家庭";
    Family => "family", "家庭";
    Other => "other", "其他";
});
codes!(Risk {
    High => "high", "高风险";
    Priority => "priority", "重点";
    General => "general", "一般";
});
codes!(Stage {
    Intake => "intake", "接案";
    Assessment => "assessment", "预估";
    Plan => "plan", "计划";
    Intervention => "intervention", "介入";
    Evaluation => "evaluation", "评估";
    Review => "review", "督导审核";
    Closed => "closed", "结案";
    FollowUp => "follow_up", "回访";
});
codes!(ContactKind {
    Intake => "intake", "接案";
    Interview => "interview", "面谈";
    HomeVisit => "home_visit", "家访";
    Phone => "phone", "电话";
    Referral => "referral", "转介";
    Closing => "closing", "结案";
    FollowUp => "follow_up", "回访";
});
codes!(ConsentKind {
    Processing => "processing", "个人信息处理同意";
    Sensitive => "sensitive", "敏感个人信息单独同意";
    Guardian => "guardian", "监护人同意";
});
codes!(GroupKind {
    Group => "group", "小组";
    Activity => "activity", "活动";
});

impl Stage {
    /// Closed (结案) or past it: no more contacts are owed (R17).
    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Closed | Stage::FollowUp)
    }
}

const CODE_MAX: usize = 32;
const NAME_MAX: usize = 50;
const NOTE_MAX: usize = 2000;

/// The case form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseInput {
    pub code: String,
    pub station_id: i64,
    pub owner_id: i64,
    pub category: String,
    pub risk: String,
    pub stage: String,
    pub difficult: bool,
    pub opened_on: String,
    pub closed_on: String,
    pub retain_until: String,
}

/// A checked case (without its identity, which lives apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub code: String,
    pub station_id: i64,
    pub owner_id: i64,
    pub category: Category,
    pub risk: Risk,
    pub stage: Stage,
    pub difficult: bool,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub retain_until: NaiveDate,
}

fn choice<T>(value: &str, from: fn(&str) -> Option<T>) -> Result<T, Code> {
    if value.trim().is_empty() {
        return Err(Code::Required);
    }
    from(value.trim()).ok_or(Code::UnknownChoice)
}

fn required_date(value: &str, latest: Option<NaiveDate>) -> Result<NaiveDate, Code> {
    if value.trim().is_empty() {
        return Err(Code::Required);
    }
    match parse_user_date(value) {
        None => Err(Code::BadDate),
        Some(d) if latest.is_some_and(|l| d > l) => Err(Code::FutureDate),
        Some(d) => Ok(d),
    }
}

/// A case code: letters, digits and '-', at most 32 (e.g. `QX-2026-017`).
/// It is what every other screen shows, so it must not carry a name.
fn case_code(value: &str) -> Result<String, Code> {
    let v = super::date::ascii_forms(value);
    let v = v.trim();
    if v.is_empty() {
        return Err(Code::Required);
    }
    let ok =
        v.chars().count() <= CODE_MAX && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(v.to_ascii_uppercase())
    } else {
        Err(Code::BadCaseCode)
    }
}

impl CaseInput {
    pub fn validate(&self, today: NaiveDate) -> Result<CaseRecord, Invalid> {
        let mut c = Checker::default();
        let code = c.check("code", case_code(&self.code));
        let category = c.check("category", choice(&self.category, Category::from_code));
        let risk = c.check("risk", choice(&self.risk, Risk::from_code));
        let stage = c.check("stage", choice(&self.stage, Stage::from_code));
        let opened_on = c.check("opened_on", required_date(&self.opened_on, Some(today)));
        let closed_on = c.check("closed_on", optional_date(&self.closed_on, today));
        let retain_until = c.check("retain_until", required_date(&self.retain_until, None));
        if self.owner_id <= 0 {
            c.fail("owner_id", Code::Required);
        }
        if let (Some(stage), Some(closed)) = (stage, closed_on) {
            match (stage.is_closed(), closed) {
                (true, None) => c.fail("closed_on", Code::Required),
                (false, Some(_)) => c.fail("closed_on", Code::NotClosed),
                _ => {}
            }
        }
        if let (Some(open), Some(Some(closed))) = (opened_on, closed_on) {
            if closed < open {
                c.fail("closed_on", Code::BeforeOpened);
            }
        }
        if let (Some(open), Some(keep)) = (opened_on, retain_until) {
            if keep < open {
                c.fail("retain_until", Code::BeforeOpened);
            }
        }
        c.finish(|| CaseRecord {
            code: code.unwrap_or_default(),
            station_id: self.station_id,
            owner_id: self.owner_id,
            category: category.unwrap_or(Category::Other),
            risk: risk.unwrap_or(Risk::General),
            stage: stage.unwrap_or(Stage::Intake),
            difficult: self.difficult,
            opened_on: opened_on.unwrap_or(today),
            closed_on: closed_on.flatten(),
            retain_until: retain_until.unwrap_or(today),
        })
    }
}

/// The client's identity: sensitive, shown only on the case's own page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityInput {
    pub real_name: String,
    pub id_number: String,
    pub birth_date: String,
    pub phone: String,
    pub guardian: String,
    pub health_notes: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub real_name: String,
    pub id_number: String,
    pub birth_date: Option<NaiveDate>,
    pub phone: String,
    pub guardian: String,
    pub health_notes: String,
}

/// Reads an 18-character resident ID number (GB 11643): checks the check
/// character and returns the number and the birth date it holds.
pub fn parse_id_number(value: &str) -> Result<(String, NaiveDate), Code> {
    let v: String = value.trim().to_ascii_uppercase();
    let chars: Vec<char> = v.chars().collect();
    if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
        return Err(Code::BadIdNumber);
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = chars[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    if CHECK[(sum % 11) as usize] != chars[17] {
        return Err(Code::BadIdNumber);
    }
    let birth = NaiveDate::parse_from_str(&v[6..14], "%Y%m%d").map_err(|_| Code::BadIdNumber)?;
    Ok((v, birth))
}

fn phone(value: &str) -> Result<String, Code> {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok = v.is_empty()
        || (v.chars().count() <= 20
            && (7..=15).contains(&digits)
            && v.chars().all(|c| c.is_ascii_digit() || " -+()".contains(c)));
    if ok {
        Ok(v.to_owned())
    } else {
        Err(Code::BadPhone)
    }
}

impl IdentityInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Identity, Invalid> {
        let mut c = Checker::default();
        let real_name = c.check("real_name", text(&self.real_name, NAME_MAX, true));
        let id = if self.id_number.trim().is_empty() {
            Some(None)
        } else {
            c.check("id_number", parse_id_number(&self.id_number).map(Some))
        };
        let birth = c.check("birth_date", optional_date(&self.birth_date, today));
        if let (Some(Some((_, from_id))), Some(Some(typed))) = (&id, birth) {
            if *from_id != typed {
                c.fail("birth_date", Code::BirthDateMismatch);
            }
        }
        let phone = c.check("phone", phone(&self.phone));
        let guardian = c.check("guardian", text(&self.guardian, NAME_MAX * 2, false));
        let health_notes = c.check("health_notes", text(&self.health_notes, NOTE_MAX, false));
        c.finish(|| {
            let (id_number, from_id) = id
                .flatten()
                .map_or((String::new(), None), |(n, d)| (n, Some(d)));
            Identity {
                real_name: real_name.unwrap_or_default(),
                id_number,
                birth_date: birth.flatten().or(from_id),
                phone: phone.unwrap_or_default(),
                guardian: guardian.unwrap_or_default(),
                health_notes: health_notes.unwrap_or_default(),
            }
        })
    }
}

/// Whole years of age on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentInput {
    pub kind: String,
    pub given_on: String,
    pub given_by: String,
    pub scope: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    pub kind: ConsentKind,
    pub given_on: NaiveDate,
    pub given_by: String,
    pub scope: String,
}

impl ConsentInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Consent, Invalid> {
        let mut c = Checker::default();
        let kind = c.check("kind", choice(&self.kind, ConsentKind::from_code));
        let given_on = c.check("given_on", required_date(&self.given_on, Some(today)));
        let given_by = c.check("given_by", text(&self.given_by, NAME_MAX, true));
        let scope = c.check("scope", text(&self.scope, NOTE_MAX, true));
        c.finish(|| Consent {
            kind: kind.unwrap_or(ConsentKind::Processing),
            given_on: given_on.unwrap_or(today),
            given_by: given_by.unwrap_or_default(),
            scope: scope.unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub date: String,
    pub kind: String,
    pub staff_id: i64,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub date: NaiveDate,
    pub kind: ContactKind,
    pub staff_id: i64,
    pub note: String,
}

impl ContactInput {
    /// A contact is on or after the case was opened, and not in the future.
    pub fn validate(&self, opened_on: NaiveDate, today: NaiveDate) -> Result<Contact, Invalid> {
        let mut c = Checker::default();
        let date = c.check("date", required_date(&self.date, Some(today)));
        if date.is_some_and(|d| d < opened_on) {
            c.fail("date", Code::BeforeOpened);
        }
        let kind = c.check("kind", choice(&self.kind, ContactKind::from_code));
        if self.staff_id <= 0 {
            c.fail("staff_id", Code::Required);
        }
        let note = c.check("note", text(&self.note, NOTE_MAX, false));
        c.finish(|| Contact {
            date: date.unwrap_or(today),
            kind: kind.unwrap_or(ContactKind::Phone),
            staff_id: self.staff_id,
            note: note.unwrap_or_default(),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInput {
    pub station_id: i64,
    pub kind: String,
    pub name: String,
    pub therapeutic: bool,
    pub leader_id: i64,
    pub started_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRecord {
    pub station_id: i64,
    pub kind: GroupKind,
    pub name: String,
    pub therapeutic: bool,
    pub leader_id: i64,
    pub started_on: NaiveDate,
}

impl GroupInput {
    pub fn validate(&self, today: NaiveDate) -> Result<GroupRecord, Invalid> {
        let mut c = Checker::default();
        let kind = c.check("kind", choice(&self.kind, GroupKind::from_code));
        let name = c.check("name", text(&self.name, NAME_MAX * 2, true));
        let started_on = c.check("started_on", required_date(&self.started_on, None));
        if self.leader_id <= 0 {
            c.fail("leader_id", Code::Required);
        }
        if kind == Some(GroupKind::Activity) && self.therapeutic {
            c.fail("therapeutic", Code::NotAGroup);
        }
        c.finish(|| GroupRecord {
            station_id: self.station_id,
            kind: kind.unwrap_or(GroupKind::Group),
            name: name.unwrap_or_default(),
            therapeutic: self.therapeutic,
            leader_id: self.leader_id,
            started_on: started_on.unwrap_or(today),
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSessionInput {
    pub date: String,
    pub participants: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSession {
    pub date: NaiveDate,
    pub participants: u32,
    pub note: String,
}

impl GroupSessionInput {
    pub fn validate(
        &self,
        started_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<GroupSession, Invalid> {
        let mut c = Checker::default();
        let date = c.check("date", required_date(&self.date, Some(today)));
        if date.is_some_and(|d| d < started_on) {
            c.fail("date", Code::BeforeStart);
        }
        let participants = c.check(
            "participants",
            match self.participants.trim() {
                "" => Err(Code::Required),
                n => n
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n <= 10_000)
                    .ok_or(Code::BadNumber),
            },
        );
        let note = c.check("note", text(&self.note, NOTE_MAX, false));
        c.finish(|| GroupSession {
            date: date.unwrap_or(today),
            participants: participants.unwrap_or(0),
            note: note.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn good() -> CaseInput {
        CaseInput {
            code: "qx-2026-017".into(),
            station_id: 1,
            owner_id: 3,
            category: "children".into(),
            risk: "high".into(),
            stage: "intervention".into(),
            difficult: false,
            opened_on: "2026年3月5日".into(),
            closed_on: String::new(),
            retain_until: "2036-03-05".into(),
        }
    }

    #[test]
    fn a_good_case_reads_dates_as_written_and_upper_cases_the_code() {
        let c = good().validate(day(2026, 11, 22)).expect("valid");
        assert_eq!(c.code, "QX-2026-017");
        assert_eq!(c.opened_on, day(2026, 3, 5));
        assert_eq!(c.risk, Risk::High);
        // Typed with the Chinese input method on: full-width forms.
        let wide = CaseInput {
            code: "ｑｘ－２０２６－０１７".into(),
            ..good()
        };
        let c = wide.validate(day(2026, 11, 22)).expect("valid");
        assert_eq!(c.code, "QX-2026-017");
        // A space inside is still refused, not dropped.
        let spaced = CaseInput {
            code: "QX 2026-017".into(),
            ..good()
        };
        let e = spaced.validate(day(2026, 11, 22)).expect_err("space");
        assert!(e.has("code", Code::BadCaseCode));
    }

    #[test]
    fn bad_cases_name_every_field() {
        let bad = CaseInput {
            code: "王小明".into(),
            owner_id: 0,
            category: "x".into(),
            risk: String::new(),
            stage: "closed".into(),
            opened_on: "2027-01-01".into(),
            retain_until: "soon".into(),
            ..good()
        };
        let e = bad.validate(day(2026, 11, 22)).expect_err("invalid");
        for (field, code) in [
            ("code", Code::BadCaseCode),
            ("owner_id", Code::Required),
            ("category", Code::UnknownChoice),
            ("risk", Code::Required),
            ("opened_on", Code::FutureDate),
            ("closed_on", Code::Required),
            ("retain_until", Code::BadDate),
        ] {
            assert!(e.has(field, code), "{field} {code:?} in {e}");
        }
        let open_with_close = CaseInput {
            closed_on: "2026-04-01".into(),
            ..good()
        };
        let e = open_with_close
            .validate(day(2026, 11, 22))
            .expect_err("invalid");
        assert!(e.has("closed_on", Code::NotClosed));
    }

    #[test]
    fn id_numbers_are_checked_and_give_the_birth_date() {
        // The GB 11643 standard's own example.
        let (n, birth) = parse_id_number("11010519491231002x").expect("valid");
        assert_eq!(n, "11010519491231002X");
        assert_eq!(birth, day(1949, 12, 31));
        assert_eq!(
            parse_id_number("110105194912310021"),
            Err(Code::BadIdNumber)
        );
        assert_eq!(parse_id_number("1101051949123100"), Err(Code::BadIdNumber));
        let id = IdentityInput {
            real_name: "李小明".into(),
            id_number: "11010519491231002X".into(),
            ..Default::default()
        };
        let got = id.validate(day(2026, 1, 1)).expect("valid");
        assert_eq!(got.birth_date, Some(day(1949, 12, 31)));
        let mismatch = IdentityInput {
            birth_date: "1950-01-01".into(),
            phone: "call me".into(),
            ..id
        };
        let e = mismatch.validate(day(2026, 1, 1)).expect_err("invalid");
        assert!(e.has("birth_date", Code::BirthDateMismatch));
        assert!(e.has("phone", Code::BadPhone));
    }

    #[test]
    fn age_counts_whole_years_across_leap_days() {
        assert_eq!(age_on(day(2012, 2, 29), day(2026, 2, 28)), 13);
        assert_eq!(age_on(day(2012, 2, 29), day(2026, 3, 1)), 14);
        assert_eq!(age_on(day(2012, 5, 1), day(2026, 4, 30)), 13);
    }

    #[test]
    fn contacts_and_sessions_are_dated_inside_their_case_or_group() {
        let opened = day(2026, 3, 5);
        let before = ContactInput {
            date: "2026-03-04".into(),
            kind: "home_visit".into(),
            staff_id: 3,
            note: String::new(),
        };
        let e = before
            .validate(opened, day(2026, 11, 22))
            .expect_err("invalid");
        assert!(e.has("date", Code::BeforeOpened));
        let s = GroupSessionInput {
            date: "2026-03-06".into(),
            participants: "八".into(),
            note: String::new(),
        };
        let e = s.validate(opened, day(2026, 11, 22)).expect_err("invalid");
        assert!(e.has("participants", Code::BadNumber));
    }
}
