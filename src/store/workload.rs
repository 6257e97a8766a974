//! Gathers the workload engine's facts for a month. The figures themselves
//! are computed in `model::workload`.

use chrono::{NaiveDate, NaiveTime};
use rusqlite::params;

use super::overdue::Scope;
use super::{Result, Store};
use crate::model::{
    team_of, workload, Mode, Month, Policy, SupervisorMonth, TrendPoint, WorkCase, WorkFacts,
    WorkGroupSession, WorkPerson, WorkSession,
};

impl Store {
    /// Every supervisor's figures for `month` within `scope` (a supervisor:
    /// they and the supervisors in their team; a station: its supervisors).
    pub fn workload(
        &self,
        scope: Scope,
        month: Month,
        today: NaiveDate,
    ) -> Result<Vec<SupervisorMonth>> {
        let facts = self.workload_facts(month, month)?;
        let policy = self.policy_for(month)?;
        Ok(scoped(
            workload(&facts, &policy, month, today),
            scope,
            &facts,
            month,
            today,
        ))
    }

    /// The `months` months ending with `month`, oldest first: sessions,
    /// hours and coverage of `scope`, each month with its own team and its
    /// own policy. The records are read once for the whole period.
    pub fn workload_trend(
        &self,
        scope: Scope,
        month: Month,
        months: usize,
        today: NaiveDate,
    ) -> Result<Vec<TrendPoint>> {
        let span = month.trailing(months.max(1));
        let facts = self.workload_facts(span[0], month)?;
        let history = self.policy_history()?;
        Ok(span
            .into_iter()
            .map(|m| {
                let policy = Policy::in_force(&history, m);
                let rows = scoped(workload(&facts, &policy, m, today), scope, &facts, m, today);
                TrendPoint::of(m, &rows)
            })
            .collect())
    }

    /// The facts of the months `from` to `to` (inclusive).
    pub fn workload_facts(&self, from: Month, to: Month) -> Result<WorkFacts> {
        let (first, last) = (from.first(), to.last());
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, station_id, role, start_date, left_date FROM staff",
        )?;
        let people = stmt
            .query_map([], |r| {
                Ok(WorkPerson {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    station_id: r.get(2)?,
                    role: r.get(3)?,
                    start_date: r.get(4)?,
                    left_date: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let links = self.link_facts()?;

        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.supervisor_id, r.date, r.mode, r.start_time, r.end_time
             FROM supervision_record r WHERE r.date BETWEEN ?1 AND ?2 ORDER BY r.id",
        )?;
        let mut sessions: Vec<(i64, WorkSession)> = stmt
            .query_map(params![first, last], |r| {
                let start: String = r.get(4)?;
                let end: String = r.get(5)?;
                let minutes = match (
                    NaiveTime::parse_from_str(&start, "%H:%M"),
                    NaiveTime::parse_from_str(&end, "%H:%M"),
                ) {
                    (Ok(a), Ok(b)) => (b - a).num_minutes(),
                    _ => 0,
                };
                Ok((
                    r.get(0)?,
                    WorkSession {
                        supervisor_id: r.get(1)?,
                        date: r.get(2)?,
                        mode: Mode::from_code(&r.get::<_, String>(3)?).unwrap_or(Mode::Individual),
                        hours: minutes as f64 / 60.0,
                        attended: vec![],
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.record_id, a.staff_id FROM supervision_record r
             JOIN record_attendee a ON a.record_id = r.id
             WHERE r.date BETWEEN ?1 AND ?2 AND a.attendance <> 'absent' ORDER BY a.record_id",
        )?;
        let attendees = stmt
            .query_map(params![first, last], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut at = 0;
        for (id, s) in &mut sessions {
            while at < attendees.len() && attendees[at].0 < *id {
                at += 1;
            }
            while at < attendees.len() && attendees[at].0 == *id {
                s.attended.push(attendees[at].1);
                at += 1;
            }
        }

        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.owner_id, c.risk, c.opened_on, c.closed_on, c.difficult,
                 CASE WHEN c.difficult THEN (SELECT count(*) FROM case_contact k
                     WHERE k.case_id = c.id AND k.kind IN ('interview', 'home_visit')) ELSE 0 END
             FROM client_case c
             WHERE c.difficult OR (c.opened_on <= ?2 AND (c.closed_on IS NULL OR c.closed_on >= ?1))",
        )?;
        let cases = stmt
            .query_map(params![first, last], |r| {
                Ok(WorkCase {
                    id: r.get(0)?,
                    owner_id: r.get(1)?,
                    risk: r.get(2)?,
                    opened_on: r.get(3)?,
                    closed_on: r.get(4)?,
                    difficult: r.get(5)?,
                    interviews: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;

        let mut stmt = self.conn.prepare_cached(
            "SELECT s.group_id, g.leader_id, g.kind, g.therapeutic, s.date
             FROM group_session s JOIN group_work g ON g.id = s.group_id WHERE s.date <= ?1",
        )?;
        let group_sessions: Vec<WorkGroupSession> = stmt
            .query_map(params![last], |r| {
                Ok(WorkGroupSession {
                    group_id: r.get(0)?,
                    leader_id: r.get(1)?,
                    kind: r.get(2)?,
                    therapeutic: r.get(3)?,
                    date: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;

        // Frontline days of trainee supervisors (R5): contacts and group
        // sessions they led in the month.
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT k.staff_id, k.date FROM staff p
             JOIN case_contact k ON k.staff_id = p.id AND k.date BETWEEN ?1 AND ?2
             WHERE p.role = 'trainee_supervisor'",
        )?;
        let mut frontline_days: Vec<(i64, NaiveDate)> = stmt
            .query_map(params![first, last], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        frontline_days.extend(
            group_sessions
                .iter()
                .filter(|g: &&WorkGroupSession| g.date >= first && g.date <= last)
                .map(|g| (g.leader_id, g.date)),
        );

        Ok(WorkFacts {
            people,
            links,
            sessions: sessions.into_iter().map(|(_, s)| s).collect(),
            cases,
            group_sessions,
            frontline_days,
        })
    }
}

/// Keeps the rows `scope` asks for: a station's supervisors, or a
/// supervisor and the supervisors in their team on the month's counting day.
fn scoped(
    mut rows: Vec<SupervisorMonth>,
    scope: Scope,
    facts: &WorkFacts,
    month: Month,
    today: NaiveDate,
) -> Vec<SupervisorMonth> {
    match scope {
        Scope::All => {}
        Scope::Station(id) => rows.retain(|r| r.station_id == id),
        Scope::Supervisor(id) => {
            let team = team_of(&facts.links, id, crate::model::counting_day(month, today));
            rows.retain(|r| team.contains(&r.supervisor_id));
        }
    }
    rows
}
