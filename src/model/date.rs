use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

/// Reads a date the way people write it on forms here: `2024-03-05`,
/// `2024/3/5`, `2024.3.5`, `2024年3月5日` (or `5号`, as it is said),
/// `20240305`, with full-width digits and spaces between the parts
/// accepted too. Returns `None` for anything else.
pub fn parse_user_date(text: &str) -> Option<NaiveDate> {
    let ascii = half_width(text);
    if ascii.len() == 8 && ascii.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&ascii, "%Y%m%d").ok();
    }
    let normal = ascii
        .strip_suffix(['日', '号'])
        .unwrap_or(&ascii)
        .replace(['年', '月', '/', '.'], "-");
    let mut parts = normal.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// What was typed, without spaces and with full-width characters
/// (`２０２４／３／５`, `９：００`) as their ASCII forms.
pub(crate) fn half_width(text: &str) -> String {
    ascii_forms(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Full-width letters, digits and signs (typed with a Chinese input
/// method on: `ＱＸ－０３１`) as their ASCII forms (`QX-031`).
pub fn ascii_forms(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// The one way dates leave the program: ISO 8601, `2024-03-05`.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A calendar month; serialised as `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn first(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last(self) -> NaiveDate {
        self.first()
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        Month::of(day) == self
    }

    /// Reads a month as people write it: `2026-11`, `2026/11`, `2026.11`,
    /// `2026年11月`, `202611`, full-width digits too.
    pub fn parse(text: &str) -> Option<Month> {
        let text = text.trim().trim_end_matches('月');
        let day = if text.chars().count() == 6 && text.chars().all(|c| c.is_ascii_digit()) {
            parse_user_date(&format!("{text}01"))
        } else {
            parse_user_date(&format!("{text}-01"))
        };
        day.map(Month::of)
    }

    /// The month after.
    pub fn next(self) -> Month {
        Month::of(self.last().succ_opt().unwrap_or(NaiveDate::MAX))
    }

    /// The `n` months ending with this one, oldest first.
    pub fn trailing(self, n: usize) -> Vec<Month> {
        let mut months = vec![self];
        while months.len() < n {
            let earlier = months[months.len() - 1].prev();
            months.push(earlier);
        }
        months.reverse();
        months
    }

    /// The month before.
    pub fn prev(self) -> Month {
        Month::of(self.first().pred_opt().unwrap_or(NaiveDate::MIN))
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_months_as_people_write_them() {
        let nov = Some(Month {
            year: 2026,
            month: 11,
        });
        for text in [
            "2026-11",
            "2026/11",
            "2026.11",
            "2026年11月",
            "202611",
            "２０２６－１１",
            " 2026-11 ",
        ] {
            assert_eq!(Month::parse(text), nov, "{text}");
        }
        for text in ["", "2026", "2026-13", "11/2026", "2026-11-05", "十一月"] {
            assert_eq!(Month::parse(text), None, "{text}");
        }
        let dec = Month {
            year: 2026,
            month: 12,
        };
        assert_eq!(
            dec.next(),
            Month {
                year: 2027,
                month: 1
            }
        );
        let last12 = dec.trailing(12);
        assert_eq!(last12.len(), 12);
        assert_eq!(
            last12[0],
            Month {
                year: 2026,
                month: 1
            }
        );
        assert_eq!(last12[11], dec);
    }

    #[test]
    fn reads_the_ways_people_write_dates() {
        let want = NaiveDate::from_ymd_opt(2024, 3, 5);
        for text in [
            "2024-03-05",
            "2024-3-5",
            " 2024/3/5 ",
            "2024.03.05",
            "2024年3月5日",
            "2024年03月05",
            "20240305",
            "２０２４－０３－０５",
            "2024年3月5号",
            "2024 年 3 月 5 日",
            "2024　年　3　月　5　日",
            "2024 - 03 - 05",
        ] {
            assert_eq!(parse_user_date(text), want, "{text:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for text in [
            "",
            "2024",
            "2024-13-01",
            "2023-02-29",
            "24-3-5",
            "2024-03-05-01",
            "昨天",
            "2024--5",
            "2024-003-05",
            "2024-3-5 10:00",
            "2024年3月5日号",
            "5号",
        ] {
            assert_eq!(parse_user_date(text), None, "{text:?}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every date the program writes, it reads back as the same date.
        #[test]
        fn what_is_written_reads_back(days in 0i64..80_000) {
            let d = NaiveDate::from_ymd_opt(1900, 1, 1).expect("date") + chrono::Days::new(days as u64);
            prop_assert_eq!(parse_user_date(&format_date(d)), Some(d));
            prop_assert_eq!(parse_user_date(&d.format("%Y年%-m月%-d日").to_string()), Some(d));
        }

        /// Whatever is typed, the reader answers without panicking.
        #[test]
        fn any_text_is_answered(text in "\\PC{0,24}") {
            let _ = parse_user_date(&text);
        }
    }
}
