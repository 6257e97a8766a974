//! The policy figures a station changed, kept as a dated, append-only
//! history (migration 0004): each month is computed with the figures in
//! force in that month.

use chrono::NaiveDateTime;
use rusqlite::params;

use super::{Result, Store};
use crate::model::{Month, Policy, PolicyChange, PolicyChangeInput};

impl Store {
    /// Every recorded change, oldest entry first.
    pub fn policy_history(&self) -> Result<Vec<PolicyChange>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, key, value, from_month, changed_by, changed_at, note
             FROM policy_change ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let from: String = r.get(3)?;
            Ok(PolicyChange {
                id: r.get(0)?,
                key: r.get(1)?,
                value: r.get(2)?,
                from: Month::parse(&from).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(
                        3,
                        rusqlite::types::Type::Text,
                        format!("not a month: {from:?}").into(),
                    )
                })?,
                changed_by: r.get(4)?,
                changed_at: r.get(5)?,
                note: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The figures in force in `month`: the defaults with every change
    /// from that month or before applied.
    pub fn policy_for(&self, month: Month) -> Result<Policy> {
        Ok(Policy::in_force(&self.policy_history()?, month))
    }

    /// Records a change of one figure from a month on; refused (nothing
    /// written) when the figure is unknown, the value not a positive whole
    /// number, the month unreadable or the name missing.
    pub fn set_policy(&mut self, input: &PolicyChangeInput, now: NaiveDateTime) -> Result<i64> {
        let (key, value, from, by, note) = input.validate()?;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO policy_change (key, value, from_month, changed_by, changed_at, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![key, value, from.to_string(), by, now, note],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }
}
