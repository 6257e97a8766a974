use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::date::parse_user_date;
use super::validation::{Checker, Code, Invalid};

/// A staff member's role at the station (DOMAIN.md, "The people").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Frontline,
    AssistantSupervisor,
    TraineeSupervisor,
    JuniorSupervisor,
    IntermediateSupervisor,
    SeniorSupervisor,
    StationHead,
}

/// 职业资格, lowest first so that `>=` compares levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Qualification {
    None,
    AssistantSocialWorker,
    SocialWorker,
    SeniorSocialWorker,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Frontline,
        Role::AssistantSupervisor,
        Role::TraineeSupervisor,
        Role::JuniorSupervisor,
        Role::IntermediateSupervisor,
        Role::SeniorSupervisor,
        Role::StationHead,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Frontline => "frontline",
            Role::AssistantSupervisor => "assistant_supervisor",
            Role::TraineeSupervisor => "trainee_supervisor",
            Role::JuniorSupervisor => "junior_supervisor",
            Role::IntermediateSupervisor => "intermediate_supervisor",
            Role::SeniorSupervisor => "senior_supervisor",
            Role::StationHead => "station_head",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Frontline => "一线社工",
            Role::AssistantSupervisor => "督导助理",
            Role::TraineeSupervisor => "见习督导",
            Role::JuniorSupervisor => "初级督导",
            Role::IntermediateSupervisor => "中级督导",
            Role::SeniorSupervisor => "高级督导",
            Role::StationHead => "站长",
        }
    }

    /// Where the role stands in the supervision ladder; `None` for roles
    /// that supervise nobody. A supervisor must rank above the supervisee.
    pub fn supervising_rank(self) -> Option<u8> {
        match self {
            Role::Frontline | Role::StationHead => None,
            Role::AssistantSupervisor => Some(1),
            Role::TraineeSupervisor => Some(2),
            Role::JuniorSupervisor => Some(3),
            Role::IntermediateSupervisor => Some(4),
            Role::SeniorSupervisor => Some(5),
        }
    }

    /// The least qualification the role needs (DOMAIN.md: assistant and
    /// trainee supervisors need 助理社会工作师 or higher; so do the
    /// supervisors above them).
    pub fn minimum_qualification(self) -> Qualification {
        match self.supervising_rank() {
            Some(_) => Qualification::AssistantSocialWorker,
            None => Qualification::None,
        }
    }
}

impl Qualification {
    pub const ALL: [Qualification; 4] = [
        Qualification::None,
        Qualification::AssistantSocialWorker,
        Qualification::SocialWorker,
        Qualification::SeniorSocialWorker,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Qualification::None => "none",
            Qualification::AssistantSocialWorker => "assistant_social_worker",
            Qualification::SocialWorker => "social_worker",
            Qualification::SeniorSocialWorker => "senior_social_worker",
        }
    }

    pub fn from_code(code: &str) -> Option<Qualification> {
        Qualification::ALL.into_iter().find(|q| q.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Qualification::None => "无",
            Qualification::AssistantSocialWorker => "助理社会工作师",
            Qualification::SocialWorker => "社会工作师",
            Qualification::SeniorSocialWorker => "高级社会工作师",
        }
    }
}

/// A staff member as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub record: StaffRecord,
}

/// The checked content of a staff member, without its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    pub station_id: i64,
    pub name: String,
    pub role: Role,
    pub qualification: Qualification,
    pub certificate_no: Option<String>,
    pub registration_date: Option<NaiveDate>,
    pub start_date: NaiveDate,
    /// Set when the person has left; `None` while active.
    pub left_date: Option<NaiveDate>,
}

impl StaffRecord {
    pub fn active(&self) -> bool {
        self.left_date.is_none()
    }

    /// Whether `other`, holding the same certificate number, can be the
    /// same person: one name, and not both still working (someone who
    /// left and came back is two rows with one number).
    pub fn may_share_certificate(&self, other: &StaffRecord) -> bool {
        self.name == other.name && !(self.active() && other.active())
    }

    /// Registration is valid for `years` (R16: three by default, the
    /// policy's `registration_years`).
    pub fn registration_expiry(&self, years: u32) -> Option<NaiveDate> {
        self.registration_date
            .and_then(|d| d.checked_add_months(Months::new(years.saturating_mul(12))))
    }
}

/// A staff form as the user filled it in: every field as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffInput {
    pub station_id: i64,
    pub name: String,
    pub role: String,
    pub qualification: String,
    pub certificate_no: String,
    pub registration_date: String,
    pub start_date: String,
    pub active: bool,
    pub left_date: String,
}

const NAME_MAX_CHARS: usize = 20;
const CERTIFICATE_MAX_CHARS: usize = 32;

impl StaffInput {
    /// Checks every field and reports all problems together.
    pub fn validate(&self, today: NaiveDate) -> Result<StaffRecord, Invalid> {
        let mut c = Checker::default();
        let name = c.check("name", check_name(&self.name));
        let role = c.check(
            "role",
            Role::from_code(self.role.trim()).ok_or(Code::UnknownRole),
        );
        let qualification = c.check(
            "qualification",
            Qualification::from_code(self.qualification.trim()).ok_or(Code::UnknownQualification),
        );
        if let (Some(role), Some(q)) = (role, qualification) {
            if q < role.minimum_qualification() {
                c.fail("qualification", Code::QualificationTooLow);
            }
        }
        let certified = qualification.is_some_and(|q| q != Qualification::None);
        let certificate = self.certificate_no.trim();
        let registration = self.registration_date.trim();
        let mut certificate_no = None;
        let mut registration_date = None;
        if certified {
            certificate_no = c.check("certificate_no", check_certificate(certificate));
            registration_date = c.check(
                "registration_date",
                optional_date(registration, today)
                    .and_then(|d| d.ok_or(Code::RegistrationRequired)),
            );
        } else if qualification.is_some() {
            if !certificate.is_empty() {
                c.fail("certificate_no", Code::CertificateNotAllowed);
            }
            if !registration.is_empty() {
                c.fail("registration_date", Code::CertificateNotAllowed);
            }
        }
        let start_date = c.check(
            "start_date",
            optional_date(&self.start_date, NaiveDate::MAX).and_then(|d| d.ok_or(Code::Required)),
        );
        let left_date = if self.active {
            None
        } else {
            match optional_date(&self.left_date, today) {
                Ok(None) => {
                    c.fail("left_date", Code::LeftDateRequired);
                    None
                }
                Ok(Some(d)) if start_date.is_some_and(|s| d < s) => {
                    c.fail("left_date", Code::BeforeStart);
                    None
                }
                Ok(d) => d,
                Err(code) => {
                    c.fail("left_date", code);
                    None
                }
            }
        };
        c.finish(|| StaffRecord {
            station_id: self.station_id,
            name: name.unwrap_or_default(),
            role: role.unwrap_or(Role::Frontline),
            qualification: qualification.unwrap_or(Qualification::None),
            certificate_no,
            registration_date,
            start_date: start_date.unwrap_or_default(),
            left_date,
        })
    }
}

fn check_name(name: &str) -> Result<String, Code> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err(Code::Required),
        n if n > NAME_MAX_CHARS => Err(Code::TooLong),
        _ => Ok(name.to_owned()),
    }
}

fn check_certificate(text: &str) -> Result<String, Code> {
    if text.is_empty() {
        return Err(Code::CertificateRequired);
    }
    let ok = text.chars().count() <= CERTIFICATE_MAX_CHARS
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(text.to_ascii_uppercase())
    } else {
        Err(Code::BadCertificate)
    }
}

/// An optional date field: empty is `None`; otherwise it must parse and not
/// lie after `latest`.
pub(super) fn optional_date(text: &str, latest: NaiveDate) -> Result<Option<NaiveDate>, Code> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    match parse_user_date(text) {
        None => Err(Code::BadDate),
        Some(d) if d > latest => Err(Code::FutureDate),
        Some(d) => Ok(Some(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date")
    }

    fn good() -> StaffInput {
        StaffInput {
            station_id: 1,
            name: " 王小红 ".into(),
            role: "assistant_supervisor".into(),
            qualification: "social_worker".into(),
            certificate_no: "zs2021-0042".into(),
            registration_date: "2023/5/1".into(),
            start_date: "2020年3月1日".into(),
            active: true,
            left_date: String::new(),
        }
    }

    /// Applies `edit` to a good form and expects exactly the listed errors.
    fn check(edit: impl FnOnce(&mut StaffInput), expected: &[(&str, Code)]) {
        let mut input = good();
        edit(&mut input);
        let got = match input.validate(today()) {
            Ok(_) => vec![],
            Err(Invalid(errors)) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
        };
        let want: Vec<(&str, Code)> = expected.to_vec();
        assert_eq!(got, want);
    }

    #[test]
    fn a_good_form_gives_a_clean_record() {
        let record = good().validate(today()).expect("valid");
        assert_eq!(record.name, "王小红");
        assert_eq!(record.certificate_no.as_deref(), Some("ZS2021-0042"));
        assert_eq!(
            record.registration_expiry(3),
            NaiveDate::from_ymd_opt(2026, 5, 1)
        );
        assert_eq!(
            record.start_date,
            NaiveDate::from_ymd_opt(2020, 3, 1).expect("date")
        );
        assert!(record.active());
    }

    #[test]
    fn each_bad_field_is_named_with_its_reason() {
        check(|f| f.name = "  ".into(), &[("name", Code::Required)]);
        check(|f| f.name = "长".repeat(21), &[("name", Code::TooLong)]);
        check(|f| f.role = "boss".into(), &[("role", Code::UnknownRole)]);
        check(
            |f| f.qualification = "phd".into(),
            &[("qualification", Code::UnknownQualification)],
        );
        check(
            |f| {
                f.qualification = "none".into();
                f.certificate_no.clear();
                f.registration_date.clear();
            },
            &[("qualification", Code::QualificationTooLow)],
        );
        check(
            |f| f.certificate_no = "".into(),
            &[("certificate_no", Code::CertificateRequired)],
        );
        check(
            |f| f.certificate_no = "证书 1".into(),
            &[("certificate_no", Code::BadCertificate)],
        );
        check(
            |f| f.registration_date = "".into(),
            &[("registration_date", Code::RegistrationRequired)],
        );
        check(
            |f| f.registration_date = "2026-11-23".into(),
            &[("registration_date", Code::FutureDate)],
        );
        check(
            |f| f.start_date = "2024-02-30".into(),
            &[("start_date", Code::BadDate)],
        );
        check(
            |f| f.start_date = "".into(),
            &[("start_date", Code::Required)],
        );
        check(
            |f| f.active = false,
            &[("left_date", Code::LeftDateRequired)],
        );
        check(
            |f| {
                f.active = false;
                f.left_date = "2019-01-01".into();
            },
            &[("left_date", Code::BeforeStart)],
        );
    }

    #[test]
    fn an_uncertified_frontline_worker_has_no_certificate() {
        check(
            |f| {
                f.role = "frontline".into();
                f.qualification = "none".into();
            },
            &[
                ("certificate_no", Code::CertificateNotAllowed),
                ("registration_date", Code::CertificateNotAllowed),
            ],
        );
        check(
            |f| {
                f.role = "frontline".into();
                f.qualification = "none".into();
                f.certificate_no.clear();
                f.registration_date.clear();
            },
            &[],
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        check(
            |f| {
                f.name.clear();
                f.start_date = "soon".into();
            },
            &[("name", Code::Required), ("start_date", Code::BadDate)],
        );
    }

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        for q in Qualification::ALL {
            assert_eq!(Qualification::from_code(q.code()), Some(q));
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any form, however filled in, is either accepted or refused with
        /// at least one named field: never a panic, never a silent refusal.
        #[test]
        fn any_form_gets_an_answer(
            name in "\\PC{0,30}", role in "[a-z_]{0,25}", qualification in "[a-z_]{0,25}",
            certificate in "\\PC{0,40}", registration in "[0-9年月日/.-]{0,12}",
            start in "[0-9年月日/.-]{0,12}", active: bool, left in "[0-9/-]{0,12}",
        ) {
            let input = StaffInput {
                station_id: 1, name, role, qualification, certificate_no: certificate,
                registration_date: registration, start_date: start, active, left_date: left,
            };
            let today = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
            if let Err(Invalid(errors)) = input.validate(today) {
                prop_assert!(!errors.is_empty());
            }
        }
    }
}
