use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::staff::{get_staff, StaffView};
use super::{Result, Store, StoreError};
use crate::model::{check_assignment, AssignInput, Code, Invalid, Staff, SupervisionLink};

/// A supervision link with both names, for history lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    pub link: SupervisionLink,
    pub supervisor_name: String,
    pub supervisee_name: String,
}

/// How far up a chain of supervisors the cycle check walks; real teams are
/// three or four levels deep.
const MAX_CHAIN: usize = 64;

impl Store {
    /// Applies "from this day, X supervises Y": the current link is closed on
    /// that day and a new one opened. A change dated on the very day the
    /// current link began replaces it, as a correction of that day's entry.
    pub fn assign_supervisor(&mut self, input: &AssignInput) -> Result<Staff> {
        self.with_tx(|tx| {
            let supervisee = get_staff(tx, input.supervisee_id)?;
            let supervisor = match input.supervisor_id {
                Some(id) => Some(get_staff(tx, id).map_err(|e| match e {
                    StoreError::NotFound { .. } => {
                        Invalid::one("supervisor_id", Code::NotFound).into()
                    }
                    e => e,
                })?),
                None => None,
            };
            let current = open_link(tx, supervisee.id)?;
            let chain = match &supervisor {
                Some(s) => chain_above(tx, s.id)?,
                None => vec![],
            };
            let a = check_assignment(
                input,
                &supervisee,
                supervisor.as_ref(),
                current.as_ref(),
                &chain,
            )?;
            if let Some(link) = &current {
                if Some(link.supervisor_id) == a.supervisor_id {
                    return Ok(supervisee);
                }
                if link.from == a.from {
                    tx.execute("DELETE FROM supervision_link WHERE id = ?1", [link.id])?;
                } else {
                    tx.execute(
                        "UPDATE supervision_link SET to_date = ?2 WHERE id = ?1",
                        params![link.id, a.from],
                    )?;
                }
            }
            if let Some(boss) = a.supervisor_id {
                insert_link(tx, boss, a.supervisee_id, a.from, None)?;
            }
            Ok(supervisee)
        })
    }

    /// Every supervision link where the person is supervisee or supervisor,
    /// newest first.
    pub fn supervision_history(&self, staff_id: i64) -> Result<Vec<LinkView>> {
        get_staff(&self.conn, staff_id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.id, l.supervisor_id, l.supervisee_id, l.from_date, l.to_date, a.name, b.name
             FROM supervision_link l
             JOIN staff a ON a.id = l.supervisor_id
             JOIN staff b ON b.id = l.supervisee_id
             WHERE l.supervisee_id = ?1 OR l.supervisor_id = ?1
             ORDER BY l.from_date DESC, l.id DESC",
        )?;
        let rows = stmt.query_map([staff_id], |r| {
            Ok(LinkView {
                link: link_from_row(r)?,
                supervisor_name: r.get(5)?,
                supervisee_name: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Who may supervise this person: active staff in a supervising role
    /// ranked above them, from any station (a supervisor often covers
    /// several), nearest station first.
    pub fn supervisor_candidates(
        &self,
        supervisee_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<StaffView>> {
        let supervisee = get_staff(&self.conn, supervisee_id)?;
        let own_rank = supervisee.record.role.supervising_rank();
        let mut all = self.list_staff(None, today)?;
        all.retain(|v| {
            let s = &v.staff;
            s.id != supervisee.id
                && s.record.active()
                && s.record.role.supervising_rank() > own_rank
        });
        all.sort_by_key(|v| v.staff.record.station_id != supervisee.record.station_id);
        Ok(all)
    }
}

impl Store {
    /// Active staff in a supervising role, who may write supervision
    /// records: the most senior first.
    pub fn supervisors(&self, today: NaiveDate) -> Result<Vec<StaffView>> {
        let mut all = self.list_staff(None, today)?;
        all.retain(|v| v.staff.record.active() && v.staff.record.role.supervising_rank().is_some());
        Ok(all)
    }

    /// Whom `supervisor_id` supervises on `today`.
    pub fn supervisees(&self, supervisor_id: i64, today: NaiveDate) -> Result<Vec<StaffView>> {
        let mut all = self.list_staff(None, today)?;
        all.retain(|v| v.supervisor.as_ref().is_some_and(|s| s.0 == supervisor_id));
        Ok(all)
    }
}

pub(super) fn insert_link(
    tx: &Transaction,
    supervisor_id: i64,
    supervisee_id: i64,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO supervision_link (supervisor_id, supervisee_id, from_date, to_date)
         VALUES (?1, ?2, ?3, ?4)",
        params![supervisor_id, supervisee_id, from, to],
    )?;
    Ok(())
}

fn open_link(tx: &Transaction, supervisee_id: i64) -> Result<Option<SupervisionLink>> {
    Ok(tx
        .query_row(
            "SELECT id, supervisor_id, supervisee_id, from_date, to_date FROM supervision_link
             WHERE supervisee_id = ?1 AND to_date IS NULL",
            [supervisee_id],
            link_from_row,
        )
        .optional()?)
}

/// The ids above `id` in the current links: their supervisor, theirs, ...
fn chain_above(tx: &Transaction, id: i64) -> Result<Vec<i64>> {
    let mut chain = vec![];
    let mut at = id;
    while chain.len() < MAX_CHAIN {
        match open_link(tx, at)? {
            Some(link) if !chain.contains(&link.supervisor_id) => {
                chain.push(link.supervisor_id);
                at = link.supervisor_id;
            }
            _ => break,
        }
    }
    Ok(chain)
}

fn link_from_row(r: &Row) -> rusqlite::Result<SupervisionLink> {
    Ok(SupervisionLink {
        id: r.get(0)?,
        supervisor_id: r.get(1)?,
        supervisee_id: r.get(2)?,
        from: r.get(3)?,
        to: r.get(4)?,
    })
}
