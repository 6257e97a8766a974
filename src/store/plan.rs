//! The yearly training plan (R11) and its changes, and the plan set against
//! what was done: the sessions linked to each line.

use chrono::NaiveDateTime;
use rusqlite::params;
use serde::Serialize;

use super::stations::not_found;
use super::{Result, Store};
use crate::model::{Code, ContentArea, Invalid, PlanItemInput, TrainingMethod};

/// A plan line with what was done of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanLine {
    pub id: i64,
    pub year: i32,
    pub month: u32,
    pub title: String,
    pub area: ContentArea,
    pub method: TrainingMethod,
    pub trainer: Option<String>,
    pub planned_hours: f64,
    /// Set when the line was dropped during the year.
    pub dropped_on: Option<String>,
    /// Sessions held for this line, and their hours.
    pub sessions: u32,
    pub done_hours: f64,
}

/// One change to the plan: added, dropped (with who, when and why).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanChange {
    pub item_id: i64,
    pub title: String,
    pub what: String,
    pub changed_by: String,
    pub changed_at: NaiveDateTime,
    pub reason: String,
}

fn by_whom(by: &str) -> Result<String> {
    let by = by.trim();
    if by.is_empty() {
        return Err(Invalid::one("changed_by", Code::Required).into());
    }
    Ok(by.to_owned())
}

impl Store {
    /// Adds a line to a station's plan for a year; the addition is recorded.
    pub fn add_plan_item(
        &mut self,
        input: &PlanItemInput,
        by: &str,
        now: NaiveDateTime,
    ) -> Result<i64> {
        let item = input.validate()?;
        let by = by_whom(by)?;
        self.station(item.station_id)
            .map_err(|_| Invalid::one("station_id", Code::NotFound))?;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO training_plan_item (station_id, year, title, area, method, month,
                     trainer_id, planned_hours)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    item.station_id,
                    item.year,
                    item.title,
                    item.area.code(),
                    item.method.code(),
                    item.month,
                    item.trainer_id,
                    item.planned_hours
                ],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO training_plan_change (item_id, what, changed_by, changed_at, reason)
                 VALUES (?1, 'added', ?2, ?3, '')",
                params![id, by, now],
            )?;
            Ok(id)
        })
    }

    /// Drops a line during the year: kept, marked, and the reason recorded.
    pub fn drop_plan_item(
        &mut self,
        id: i64,
        reason: &str,
        by: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        let by = by_whom(by)?;
        if reason.trim().is_empty() {
            return Err(Invalid::one("reason", Code::ReasonRequired).into());
        }
        let dropped: Option<String> = self
            .conn
            .query_row(
                "SELECT dropped_on FROM training_plan_item WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .map_err(|e| not_found(e, "plan item", id))?;
        if dropped.is_some() {
            return Ok(());
        }
        self.with_tx(|tx| {
            tx.execute(
                "UPDATE training_plan_item SET dropped_on = ?2 WHERE id = ?1",
                params![id, now.date()],
            )?;
            tx.execute(
                "INSERT INTO training_plan_change (item_id, what, changed_by, changed_at, reason)
                 VALUES (?1, 'dropped', ?2, ?3, ?4)",
                params![id, by, now, reason.trim()],
            )?;
            Ok(())
        })
    }

    /// A station's plan for a year, by month, each line with the sessions
    /// held for it.
    pub fn plan(&self, station_id: i64, year: i32) -> Result<Vec<PlanLine>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.id, p.year, p.month, p.title, p.area, p.method, r.name, p.planned_hours,
                 p.dropped_on,
                 (SELECT count(*) FROM training t WHERE t.plan_item_id = p.id),
                 (SELECT coalesce(sum(t.hours), 0) FROM training t WHERE t.plan_item_id = p.id)
             FROM training_plan_item p LEFT JOIN trainer r ON r.id = p.trainer_id
             WHERE p.station_id = ?1 AND p.year = ?2 ORDER BY p.month, p.id",
        )?;
        let rows = stmt.query_map(params![station_id, year], |r| {
            let area: String = r.get(4)?;
            let method: String = r.get(5)?;
            Ok(PlanLine {
                id: r.get(0)?,
                year: r.get(1)?,
                month: r.get(2)?,
                title: r.get(3)?,
                area: ContentArea::from_code(&area).unwrap_or(ContentArea::Knowledge),
                method: TrainingMethod::from_code(&method).unwrap_or(TrainingMethod::Lecture),
                trainer: r.get(6)?,
                planned_hours: r.get(7)?,
                dropped_on: r.get(8)?,
                sessions: r.get(9)?,
                done_hours: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every change to a station's plan for a year, oldest first.
    pub fn plan_changes(&self, station_id: i64, year: i32) -> Result<Vec<PlanChange>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.item_id, p.title, c.what, c.changed_by, c.changed_at, c.reason
             FROM training_plan_change c JOIN training_plan_item p ON p.id = c.item_id
             WHERE p.station_id = ?1 AND p.year = ?2 ORDER BY c.id",
        )?;
        let rows = stmt.query_map(params![station_id, year], |r| {
            Ok(PlanChange {
                item_id: r.get(0)?,
                title: r.get(1)?,
                what: r.get(2)?,
                changed_by: r.get(3)?,
                changed_at: r.get(4)?,
                reason: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
