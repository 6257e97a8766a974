//! The figures the rules use (DOMAIN.md R1–R20). Each is a default the
//! station may change, never law; each names its rule and its source.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::date::Month;
use super::validation::{Checker, Code, Invalid};

macro_rules! policy {
    ($( $field:ident = $default:expr, max $max:expr, $rule:literal, $label:literal, $source:literal; )*) => {
        /// Every figure the rules read, with the defaults of DOMAIN.md.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub struct Policy {
            $(pub $field: u32,)*
        }

        impl Default for Policy {
            fn default() -> Self {
                Policy { $($field: $default,)* }
            }
        }

        /// What one figure means, for the settings screen and `policy` output.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub struct PolicySetting {
            pub key: &'static str,
            pub rule: &'static str,
            pub label_zh: &'static str,
            pub source: &'static str,
            pub default: u32,
            /// The largest value that makes sense (a year has 366 days, a
            /// percentage stops at 100); a larger one is refused.
            pub max: u32,
        }

        impl Policy {
            pub const SETTINGS: &'static [PolicySetting] = &[
                $(PolicySetting {
                    key: stringify!($field),
                    rule: $rule,
                    label_zh: $label,
                    source: $source,
                    default: $default,
                    max: $max,
                },)*
            ];

            pub fn get(&self, key: &str) -> Option<u32> {
                match key {
                    $(stringify!($field) => Some(self.$field),)*
                    _ => None,
                }
            }

            /// Changes one figure; an unknown key, a zero or a value over
            /// the figure's `max` is refused.
            pub fn set(&mut self, key: &str, value: u32) -> Result<(), Code> {
                if value == 0 {
                    return Err(Code::BadNumber);
                }
                match key {
                    $(stringify!($field) if value > $max => return Err(Code::TooLarge),)*
                    $(stringify!($field) => self.$field = value,)*
                    _ => return Err(Code::UnknownChoice),
                }
                Ok(())
            }
        }
    };
}

policy! {
    ratio_supervisor = 14, max 100, "R1", "督导（见习、初级）与被督导者比例上限（含督导助理）",
        "市督导工作手册第八条";
    ratio_assistant = 6, max 100, "R2", "督导助理与一线社工比例上限", "市督导工作手册第十六条";
    trainee_half_days = 10, max 62, "R5", "见习督导每月一线实务（节，半天为一节）", "市督导工作手册第十四条第二款";
    r6_difficult_cases = 2, max 100, "R6", "见习督导须完成的疑难个案数", "市督导工作手册第十四条第三款";
    r6_case_interviews = 4, max 100, "R6", "疑难个案至少面谈次数", "市督导工作手册第十四条第三款";
    r6_therapeutic_groups = 1, max 100, "R6", "须完成的治疗性小组数（或下一项）", "市督导工作手册第十四条第三款";
    r6_other_groups = 2, max 100, "R6", "须完成的其他小组数", "市督导工作手册第十四条第三款";
    r6_group_sessions = 4, max 100, "R6", "小组至少节数", "市督导工作手册第十四条第三款";
    r6_activities = 1, max 100, "R6", "须完成的活动数", "市督导工作手册第十四条第三款";
    assistant_share_pct = 80, max 100, "R7", "督导助理须承担所督导组一线平均工作量的百分比",
        "市督导工作手册第十七条第十款";
    weight_high = 3, max 100, "WL", "工作量：每个高风险在案个案的权重", "本系统默认值";
    weight_priority = 2, max 100, "WL", "工作量：每个重点在案个案的权重", "本系统默认值";
    weight_general = 1, max 100, "WL", "工作量：每个一般在案个案的权重", "本系统默认值";
    weight_group_session = 1, max 100, "WL", "工作量：每带领一节小组的权重", "本系统默认值";
    weight_activity_session = 1, max 100, "WL", "工作量：每带领一场活动的权重", "本系统默认值";
    new_staff_months = 6, max 120, "R18", "新入职人员加密督导期（月）",
        "国际做法（澳大利亚维多利亚州、英国首年规定）";
    new_staff_interval_days = 7, max 366, "R18", "新入职人员督导间隔（天）",
        "国际做法（澳大利亚维多利亚州、英国首年规定）";
    contact_days_high = 7, max 3660, "R17", "高风险个案联系间隔（天）", "地区个案工作文件";
    contact_days_priority = 30, max 3660, "R17", "重点个案联系间隔（天）", "地区个案工作文件";
    contact_days_general = 90, max 3660, "R17", "一般个案联系间隔（天）", "地区个案工作文件";
    follow_up_days = 30, max 3660, "FU", "结案后回访期限（天）", "本系统默认值";
    high_risk_discussion_days = 30, max 3660, "HR", "高风险个案提交督导讨论间隔（天）", "本系统默认值";
    sign_within_days = 7, max 366, "R19", "督导记录签名期限（会谈后天数）", "英国、澳大利亚督导记录做法";
    guardian_consent_age = 14, max 18, "R20", "需监护人同意的年龄（未满，岁）",
        "《个人信息保护法》第二十八条、第三十一条";
    registration_years = 3, max 10, "R16", "注册有效期（年）", "社会工作者职业水平登记规定";
    renew_within_months = 3, max 120, "R16", "到期前提醒续期（月）", "社会工作者职业水平登记规定";
    hours_assistant = 72, max 1000, "R16", "助理社会工作师每个注册期继续教育学时",
        "社会工作者继续教育办法（2009）";
    hours_social_worker = 90, max 1000, "R16", "社会工作师、高级社会工作师每个注册期继续教育学时",
        "社会工作者继续教育办法（2009）";
    failed_assessments = 2, max 100, "R15", "触发再培训的考核不合格次数", "站点制度第六条第二款（次数为本系统默认值）";
    failed_within_months = 12, max 120, "R15", "考核不合格计数期（月）", "站点制度第六条第二款（期限为本系统默认值）";
}

/// One recorded change of a figure, in force from the month `from` until a
/// later change of the same figure. Changes are kept, never edited: the
/// engine computes a past month with the policy of that month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyChange {
    pub id: i64,
    pub key: String,
    pub value: u32,
    pub from: Month,
    pub changed_by: String,
    pub changed_at: NaiveDateTime,
    pub note: String,
}

/// A change as typed on the settings screen or the command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyChangeInput {
    pub key: String,
    pub value: String,
    /// The first month the new figure counts for (`2026-11`, `2026年11月`).
    pub from: String,
    /// Who made the change.
    pub changed_by: String,
    pub note: String,
}

impl PolicyChangeInput {
    /// Checks every field at once: a known figure, a positive whole number
    /// no larger than the figure's `max`, a month, a name.
    pub fn validate(&self) -> Result<(String, u32, Month, String, String), Invalid> {
        let mut c = Checker::default();
        if Policy::default().get(&self.key).is_none() {
            c.fail("key", Code::UnknownChoice);
        }
        // `Policy::set` holds the figure's range: tried on the defaults.
        let value = c.check(
            "value",
            match self.value.trim().parse::<u32>() {
                Ok(v) => match Policy::default().set(&self.key, v) {
                    Ok(()) | Err(Code::UnknownChoice) => Ok(v),
                    Err(code) => Err(code),
                },
                Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => Err(Code::TooLarge),
                Err(_) => Err(Code::BadNumber),
            },
        );
        let from = c.check("from", Month::parse(&self.from).ok_or(Code::BadMonth));
        let by = self.changed_by.trim();
        if by.is_empty() {
            c.fail("changed_by", Code::Required);
        } else if by.chars().count() > 40 {
            c.fail("changed_by", Code::TooLong);
        } else if by.chars().any(char::is_control) {
            c.fail("changed_by", Code::BadCharacter);
        }
        if self.note.chars().count() > 500 {
            c.fail("note", Code::TooLong);
        }
        c.finish(|| {
            (
                self.key.clone(),
                value.unwrap_or_default(),
                from.unwrap_or(Month { year: 1, month: 1 }),
                by.to_owned(),
                self.note.trim().to_owned(),
            )
        })
    }
}

impl Policy {
    /// The policy in force in `month`: the defaults, then every change
    /// from that month or earlier, the latest month last and, within a
    /// month, the later entry last. A figure this version does not know
    /// is skipped.
    pub fn in_force(changes: &[PolicyChange], month: Month) -> Policy {
        let mut applicable: Vec<&PolicyChange> =
            changes.iter().filter(|c| c.from <= month).collect();
        applicable.sort_by_key(|c| (c.from, c.id));
        let mut policy = Policy::default();
        for c in applicable {
            let _ = policy.set(&c.key, c.value);
        }
        policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_domain_figures_and_each_setting_names_its_rule() {
        let p = Policy::default();
        assert_eq!(p.contact_days_high, 7);
        assert_eq!(p.contact_days_priority, 30);
        assert_eq!(p.contact_days_general, 90);
        assert_eq!(p.hours_social_worker, 90);
        for s in Policy::SETTINGS {
            assert_eq!(p.get(s.key), Some(s.default));
            assert!(!s.source.is_empty() && !s.label_zh.is_empty());
        }
    }

    #[test]
    fn set_refuses_unknown_keys_and_zero() {
        let mut p = Policy::default();
        assert_eq!(p.set("contact_days_high", 5), Ok(()));
        assert_eq!(p.contact_days_high, 5);
        assert_eq!(p.set("contact_days_high", 0), Err(Code::BadNumber));
        assert_eq!(p.set("contact_days_high", 3661), Err(Code::TooLarge));
        assert_eq!(p.set("registration_years", u32::MAX), Err(Code::TooLarge));
        assert_eq!(p.registration_years, 3);
        for s in Policy::SETTINGS {
            assert!(s.default <= s.max, "{}", s.key);
            assert_eq!(p.clone().set(s.key, s.max), Ok(()), "{}", s.key);
        }
        assert_eq!(p.set("nonsense", 3), Err(Code::UnknownChoice));
    }

    fn change(id: i64, key: &str, value: u32, from: &str) -> PolicyChange {
        PolicyChange {
            id,
            key: key.into(),
            value,
            from: Month::parse(from).expect("month"),
            changed_by: "李督导".into(),
            changed_at: chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .and_then(|d| d.and_hms_opt(9, 0, 0))
                .expect("time"),
            note: String::new(),
        }
    }

    #[test]
    fn each_month_gets_the_policy_in_force_then() {
        let changes = [
            // Entered later but for an earlier month: still the earlier figure.
            change(3, "ratio_supervisor", 12, "2026-03"),
            change(1, "ratio_supervisor", 10, "2026-06"),
            change(2, "ratio_supervisor", 11, "2026-06"),
            change(4, "no_longer_known", 5, "2026-01"),
        ];
        let at = |m: &str| Policy::in_force(&changes, Month::parse(m).expect("month"));
        assert_eq!(at("2026-02"), Policy::default());
        assert_eq!(at("2026-03").ratio_supervisor, 12);
        assert_eq!(at("2026-05").ratio_supervisor, 12);
        assert_eq!(at("2026-06").ratio_supervisor, 11, "the later entry wins");
        assert_eq!(at("2027-01").ratio_supervisor, 11);
        assert_eq!(
            at("2027-01").ratio_assistant,
            6,
            "other figures keep their defaults"
        );
    }

    #[test]
    fn a_change_is_checked_field_by_field() {
        let good = PolicyChangeInput {
            key: "ratio_assistant".into(),
            value: " 5 ".into(),
            from: "2026年11月".into(),
            changed_by: " 王督导 ".into(),
            note: "区里新规".into(),
        };
        let (key, value, from, by, _) = good.validate().expect("valid");
        assert_eq!(
            (key.as_str(), value, by.as_str()),
            ("ratio_assistant", 5, "王督导")
        );
        assert_eq!(
            from,
            Month {
                year: 2026,
                month: 11
            }
        );
        for (value, code) in [
            ("11", Code::TooLarge),
            ("4294967295", Code::TooLarge),
            ("99999999999", Code::TooLarge),
            ("-1", Code::BadNumber),
            ("1.5", Code::BadNumber),
        ] {
            let input = PolicyChangeInput {
                key: "registration_years".into(),
                value: value.into(),
                ..good.clone()
            };
            assert!(
                input.validate().expect_err(value).has("value", code),
                "{value}"
            );
        }
        let bad = PolicyChangeInput {
            key: "nonsense".into(),
            value: "0".into(),
            from: "十一月".into(),
            changed_by: "  ".into(),
            note: String::new(),
        };
        let fields: Vec<_> = bad
            .validate()
            .expect_err("refused")
            .0
            .iter()
            .map(|e| (e.field, e.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("key", Code::UnknownChoice),
                ("value", Code::BadNumber),
                ("from", Code::BadMonth),
                ("changed_by", Code::Required),
            ]
        );
    }
}
