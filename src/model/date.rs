use chrono::NaiveDate;

/// Reads a date the way people write it on forms here: `2024-03-05`,
/// `2024/3/5`, `2024.3.5`, `2024年3月5日`, `20240305`, with full-width
/// digits accepted too. Returns `None` for anything else.
pub fn parse_user_date(text: &str) -> Option<NaiveDate> {
    let ascii: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '－' | '／' | '．' => char::from(b'-'),
            _ => c,
        })
        .collect();
    if ascii.len() == 8 && ascii.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&ascii, "%Y%m%d").ok();
    }
    let normal = ascii
        .trim_end_matches('日')
        .replace(['年', '月', '/', '.'], "-");
    let mut parts = normal.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The one way dates leave the program: ISO 8601, `2024-03-05`.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
