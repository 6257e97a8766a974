//! Fast readers for the date and time columns the engines read by the
//! hundred thousand: ISO text without chrono's general-purpose parser.

use chrono::{NaiveDate, NaiveTime};

/// Reads an ISO date column without chrono's general-purpose parser: the
/// facts hold tens of thousands of dates.
pub(super) fn day(r: &rusqlite::Row, i: usize) -> rusqlite::Result<NaiveDate> {
    opt_day(r, i)?.ok_or(rusqlite::Error::InvalidColumnType(
        i,
        "date".into(),
        rusqlite::types::Type::Null,
    ))
}

pub(super) fn opt_day(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let value = r.get_ref(i)?;
    if value == rusqlite::types::ValueRef::Null {
        return Ok(None);
    }
    let b = value.as_bytes()?;
    let parsed = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| {
            NaiveDate::from_ymd_opt(
                digits(&b[0..4])? as i32,
                digits(&b[5..7])?,
                digits(&b[8..10])?,
            )
        })
        .flatten();
    parsed.map(Some).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("not a date: {:?}", String::from_utf8_lossy(b)).into(),
        )
    })
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// An `HH:MM` column (what the schema allows), or `None` when it is not a
/// time of day.
pub(super) fn time(r: &rusqlite::Row, i: usize) -> rusqlite::Result<Option<NaiveTime>> {
    let text = r.get_ref(i)?.as_str()?;
    let b = text.as_bytes();
    Ok(if b.len() == 5 && b[2] == b':' {
        digits(&b[0..2])
            .zip(digits(&b[3..5]))
            .and_then(|(h, m)| NaiveTime::from_hms_opt(h, m, 0))
    } else {
        NaiveTime::parse_from_str(text, "%H:%M").ok()
    })
}
