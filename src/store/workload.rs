//! Gathers the workload engine's facts for a month. The figures themselves
//! are computed in `model::workload`.
//!
//! For a station or one supervisor's team the facts are narrowed to the
//! people whose rows the scope keeps and their supervisees: the engine
//! reads nothing else for those rows, so the figures are the same as from
//! the whole county's facts (tests/it/workload.rs holds the two together).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rusqlite::params;

use super::columns::{day, opt_day, time};
use super::overdue::Scope;
use super::{Result, Store};
use crate::model::{
    counting_day, team_of, workload, Mode, Month, Policy, SupervisorMonth, TrendPoint, WorkCase,
    WorkFacts, WorkGroupSession, WorkPerson, WorkSession,
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
        let facts = self.scoped_facts(scope, month, month, today)?;
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
        let facts = self.scoped_facts(scope, span[0], month, today)?;
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

    /// The facts of the months `from` to `to` (inclusive), for everyone.
    ///
    /// Cases are those open at some time in the period, and the difficult
    /// cases of trainee supervisors (R6 counts those whenever they were
    /// open); interviews are counted on the latter only, the one place the
    /// engine reads them.
    pub fn workload_facts(&self, from: Month, to: Month) -> Result<WorkFacts> {
        let (people, links) = self.people_and_links()?;
        self.read_facts(people, links, None, from, to)
    }

    /// The facts `scope`'s rows need for the months `from` to `to`: its
    /// supervisors (on any counting day of the period), everyone linked to
    /// them in the period, and only those people's records.
    fn scoped_facts(
        &self,
        scope: Scope,
        from: Month,
        to: Month,
        today: NaiveDate,
    ) -> Result<WorkFacts> {
        let (people, links) = self.people_and_links()?;
        let (first, last) = (from.first(), to.last());
        // Every counting day of the period falls in [lo, last].
        let lo = first.min(today);
        let heads: BTreeSet<i64> = match scope {
            Scope::All => return self.read_facts(people, links, None, from, to),
            Scope::Station(id) => people
                .iter()
                .filter(|p| p.station_id == id)
                .map(|p| p.id)
                .collect(),
            Scope::Supervisor(id) => {
                let mut heads = BTreeSet::new();
                let mut m = from;
                loop {
                    heads.extend(team_of(&links, id, counting_day(m, today)));
                    if m >= to {
                        break;
                    }
                    m = m.next();
                }
                heads
            }
        };
        let mut within = heads.clone();
        within.extend(
            links
                .iter()
                .filter(|l| heads.contains(&l.supervisor_id))
                .filter(|l| l.from <= last && l.to.is_none_or(|t| t > lo))
                .map(|l| l.supervisee_id),
        );
        let people = people
            .into_iter()
            .filter(|p| within.contains(&p.id))
            .collect();
        self.read_facts(people, links, Some(&within), from, to)
    }

    fn people_and_links(&self) -> Result<(Vec<WorkPerson>, Vec<crate::model::LinkFact>)> {
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
                    start_date: day(r, 4)?,
                    left_date: opt_day(r, 5)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((people, self.link_facts()?))
    }

    /// The records of the months `from` to `to`; with `only`, just those of
    /// these people (sessions they led or attended, cases they own, groups
    /// they led, their frontline days).
    fn read_facts(
        &self,
        people: Vec<WorkPerson>,
        links: Vec<crate::model::LinkFact>,
        only: Option<&BTreeSet<i64>>,
        from: Month,
        to: Month,
    ) -> Result<WorkFacts> {
        let (first, last) = (from.first(), to.last());
        let json = only.map(|ids| {
            format!(
                "[{}]",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            )
        });
        // Every query binds (?1 the first day, ?2 the last, ?3 the people
        // or NULL); an unscoped query carries the constant `?3 IS NULL`,
        // and one that needs no first day `?1 IS NOT NULL`.
        let only = |column: &str| {
            if json.is_some() {
                format!(" AND {column} IN (SELECT value FROM json_each(?3))")
            } else {
                " AND ?3 IS NULL".to_owned()
            }
        };
        let sessions_in = if json.is_some() {
            // Sessions they led (`supervision_record_date`) or attended
            // (`record_attendee_seen`, every mode named so that the range
            // of dates narrows the index too).
            let modes = Mode::ALL
                .iter()
                .map(|m| format!("'{}'", m.code()))
                .collect::<Vec<_>>()
                .join(", ");
            let ids = format!(
                " AND r.id IN (SELECT id FROM supervision_record
                     WHERE date BETWEEN ?1 AND ?2{}
                 UNION SELECT record_id FROM record_attendee
                     WHERE attendance <> 'absent' AND session_mode IN ({modes})
                       AND session_date BETWEEN ?1 AND ?2{})",
                only("supervisor_id"),
                only("staff_id")
            );
            ids
        } else {
            only("r.id")
        };

        let sql = format!(
            "SELECT r.id, r.supervisor_id, r.date, r.mode, r.start_time, r.end_time
             FROM supervision_record r WHERE r.date BETWEEN ?1 AND ?2{sessions_in} ORDER BY r.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut sessions: Vec<(i64, WorkSession)> = stmt
            .query_map(params![first, last, json], |r| {
                let minutes = match (time(r, 4)?, time(r, 5)?) {
                    (Some(a), Some(b)) => (b - a).num_minutes(),
                    _ => 0,
                };
                let mode = r.get_ref(3)?.as_str()?;
                Ok((
                    r.get(0)?,
                    WorkSession {
                        supervisor_id: r.get(1)?,
                        date: day(r, 2)?,
                        mode: Mode::from_code(mode).unwrap_or(Mode::Individual),
                        hours: minutes as f64 / 60.0,
                        attended: vec![],
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        // Who attended: for everyone, through the day index; for a scope,
        // by the ids just read.
        let attendee = |r: &rusqlite::Row| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?));
        let attendees = if json.is_some() {
            let ids = format!(
                "[{}]",
                sessions
                    .iter()
                    .map(|(id, _)| id.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let mut stmt = self.conn.prepare_cached(
                "SELECT a.record_id, a.staff_id FROM record_attendee a
                 WHERE a.record_id IN (SELECT value FROM json_each(?1))
                   AND a.attendance <> 'absent'
                 ORDER BY a.record_id",
            )?;
            let rows = stmt.query_map([ids], attendee)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        } else {
            let mut stmt = self.conn.prepare_cached(
                "SELECT a.record_id, a.staff_id FROM supervision_record r
                 JOIN record_attendee a ON a.record_id = r.id
                 WHERE r.date BETWEEN ?1 AND ?2 AND a.attendance <> 'absent'
                 ORDER BY a.record_id",
            )?;
            let rows = stmt.query_map(params![first, last], attendee)?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
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

        let sql = format!(
            "WITH trainees AS (SELECT id FROM staff WHERE role = 'trainee_supervisor')
             SELECT c.id, c.owner_id, c.risk, c.opened_on, c.closed_on, c.difficult,
                 CASE WHEN c.difficult AND c.owner_id IN trainees THEN (SELECT count(*)
                     FROM case_contact k
                     WHERE k.case_id = c.id AND k.kind IN ('interview', 'home_visit')) ELSE 0 END
             FROM client_case c
             WHERE ((c.difficult AND c.owner_id IN trainees)
                 OR (c.opened_on <= ?2 AND (c.closed_on IS NULL OR c.closed_on >= ?1))){}",
            only("c.owner_id")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let cases: Vec<WorkCase> = stmt
            .query_map(params![first, last, json], |r| {
                Ok(WorkCase {
                    id: r.get(0)?,
                    owner_id: r.get(1)?,
                    risk: r.get(2)?,
                    opened_on: day(r, 3)?,
                    closed_on: opt_day(r, 4)?,
                    difficult: r.get(5)?,
                    interviews: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;

        let sql = format!(
            "SELECT s.group_id, g.leader_id, g.kind, g.therapeutic, s.date
             FROM group_session s JOIN group_work g ON g.id = s.group_id
             WHERE ?1 IS NOT NULL AND s.date <= ?2{}",
            only("g.leader_id")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let group_sessions: Vec<WorkGroupSession> = stmt
            .query_map(params![first, last, json], |r| {
                Ok(WorkGroupSession {
                    group_id: r.get(0)?,
                    leader_id: r.get(1)?,
                    kind: r.get(2)?,
                    therapeutic: r.get(3)?,
                    date: day(r, 4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;

        // Frontline days of trainee supervisors (R5): contacts and group
        // sessions they led in the month. The trainees come first (CROSS
        // JOIN keeps that order) so that each reads its own range of
        // `case_contact_staff`.
        let sql = format!(
            "SELECT DISTINCT k.staff_id, k.date FROM staff p
             CROSS JOIN case_contact k ON k.staff_id = p.id AND k.date BETWEEN ?1 AND ?2
             WHERE p.role = 'trainee_supervisor'{}",
            only("p.id")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut frontline_days: Vec<(i64, NaiveDate)> = stmt
            .query_map(params![first, last, json], |r| Ok((r.get(0)?, day(r, 1)?)))?
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
            let team = team_of(&facts.links, id, counting_day(month, today));
            rows.retain(|r| team.contains(&r.supervisor_id));
        }
    }
    rows
}
