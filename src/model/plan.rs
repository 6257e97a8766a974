//! The yearly training plan (R11): a line per planned training, with its
//! content area, method, month, trainer and hours. Changes during the year
//! are kept, never overwritten.

use super::training::{ContentArea, TrainingMethod};
use super::validation::{Checker, Code, Invalid};

/// A plan line as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanItemInput {
    pub station_id: i64,
    pub year: String,
    pub title: String,
    pub area: String,
    pub method: String,
    pub month: String,
    pub trainer_id: Option<i64>,
    pub planned_hours: String,
}

/// A checked plan line.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    pub station_id: i64,
    pub year: i32,
    pub title: String,
    pub area: ContentArea,
    pub method: TrainingMethod,
    pub month: u32,
    pub trainer_id: Option<i64>,
    pub planned_hours: f64,
}

impl PlanItemInput {
    pub fn validate(&self) -> Result<PlanItem, Invalid> {
        let mut c = Checker::default();
        let year = c.check(
            "year",
            self.year
                .trim()
                .trim_end_matches('年')
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or(Code::BadNumber),
        );
        let title = self.title.trim();
        if title.is_empty() {
            c.fail("title", Code::Required);
        } else if title.chars().count() > 100 {
            c.fail("title", Code::TooLong);
        }
        let area = c.check(
            "area",
            ContentArea::from_code(self.area.trim()).ok_or(Code::UnknownChoice),
        );
        let method = c.check(
            "method",
            TrainingMethod::from_code(self.method.trim()).ok_or(Code::UnknownChoice),
        );
        let month = c.check(
            "month",
            self.month
                .trim()
                .trim_end_matches('月')
                .parse::<u32>()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .ok_or(Code::BadMonth),
        );
        let hours = c.check(
            "planned_hours",
            self.planned_hours
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|h| *h > 0.0 && *h <= 100.0)
                .ok_or(Code::BadNumber),
        );
        c.finish(|| PlanItem {
            station_id: self.station_id,
            year: year.unwrap_or_default(),
            title: title.to_owned(),
            area: area.unwrap_or(ContentArea::Knowledge),
            method: method.unwrap_or(TrainingMethod::Lecture),
            month: month.unwrap_or(1),
            trainer_id: self.trainer_id,
            planned_hours: hours.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_line_is_checked_field_by_field() {
        let good = PlanItemInput {
            station_id: 1,
            year: "2026年".into(),
            title: "危机干预".into(),
            area: "skills".into(),
            method: "lecture".into(),
            month: "3月".into(),
            trainer_id: None,
            planned_hours: "2.5".into(),
        };
        let p = good.validate().expect("valid");
        assert_eq!((p.year, p.month, p.planned_hours), (2026, 3, 2.5));
        let bad = PlanItemInput {
            year: "明年".into(),
            title: String::new(),
            month: "13".into(),
            planned_hours: "0".into(),
            ..good
        };
        let e = bad.validate().expect_err("refused");
        for (f, code) in [
            ("year", Code::BadNumber),
            ("title", Code::Required),
            ("month", Code::BadMonth),
            ("planned_hours", Code::BadNumber),
        ] {
            assert!(e.has(f, code), "{f}: {e:?}");
        }
    }
}
