//! One worker's continuing-education hours in detail, for the hours
//! certificate: the ledger line and every session that counted.

use chrono::NaiveDate;
use rusqlite::params;

use super::{Result, Store};
use crate::model::{LedgerRow, TrainingMethod};

/// A session that counted towards someone's hours.
#[derive(Debug, Clone, PartialEq)]
pub struct HoursEntry {
    pub date: NaiveDate,
    pub title: String,
    pub method: TrainingMethod,
    pub hours: f64,
}

impl Store {
    /// The ledger line of one certified member of staff as of a day, with
    /// the sessions of the registration period that counted (`None` for
    /// someone without a registration).
    pub fn hours_detail(
        &self,
        staff_id: i64,
        as_of: NaiveDate,
    ) -> Result<Option<(LedgerRow, Vec<HoursEntry>)>> {
        let station = self.staff(staff_id)?.record.station_id;
        let Some(row) = self
            .hours_ledger(Some(station), as_of)?
            .into_iter()
            .find(|r| r.staff_id == staff_id)
        else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.session_date, t.title, t.method, a.credited_hours
             FROM training_attendance a JOIN training t ON t.id = a.training_id
             WHERE a.staff_id = ?1 AND a.counts_ce AND a.credited_hours > 0
               AND a.session_date BETWEEN ?2 AND ?3
             ORDER BY a.session_date, t.start_time",
        )?;
        let end = row.period_end.min(as_of);
        let entries = stmt
            .query_map(params![staff_id, row.period_start, end], |r| {
                let method: String = r.get(2)?;
                Ok(HoursEntry {
                    date: r.get(0)?,
                    title: r.get(1)?,
                    method: TrainingMethod::from_code(&method).unwrap_or(TrainingMethod::Lecture),
                    hours: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some((row, entries)))
    }
}
