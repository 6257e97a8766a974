//! Gathers the overdue engine's facts from SQLite. The rules themselves live in
//! `model::overdue`; the queries here only narrow the rows to those a rule
//! can flag (open items past due, records not fully signed, cases not
//! finished) using the indexes of migration 0003.

use chrono::NaiveDate;
use rusqlite::params;

use super::columns::{day, opt_day};
use super::{Result, Store};
use crate::model::{
    overdue, team_of, CaseFact, Facts, Flag, LinkFact, Mode, Month, OpenItemFact, PersonFact,
    SeenFact, TrainingFacts, UnsignedFact,
};

/// Whose flags to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Station(i64),
    /// The supervisor and their team on the day asked about.
    Supervisor(i64),
}

impl Store {
    /// Every flag for `scope` as of `as_of`, from the records as they are
    /// now (a past `as_of` counts sessions and contacts up to that day,
    /// with today's stages and risk levels).
    pub fn overdue(&self, scope: Scope, as_of: NaiveDate) -> Result<Vec<Flag>> {
        let (facts, people) = self.overdue_facts(scope, as_of)?;
        let policy = self.policy_for(Month::of(as_of))?;
        let mut flags = overdue(&facts, &policy, as_of);
        if let Some(people) = people {
            flags.retain(|f| people.contains(&f.person_id));
        }
        Ok(flags)
    }

    /// The facts for `scope`, and the people in it (`None`: everyone).
    pub fn overdue_facts(
        &self,
        scope: Scope,
        as_of: NaiveDate,
    ) -> Result<(Facts, Option<Vec<i64>>)> {
        let links = self.link_facts()?;
        let people: Option<Vec<i64>> = match scope {
            Scope::All => None,
            Scope::Supervisor(id) => Some(team_of(&links, id, as_of)),
            Scope::Station(id) => {
                let mut stmt = self
                    .conn
                    .prepare_cached("SELECT id FROM staff WHERE station_id = ?1")?;
                let ids = stmt
                    .query_map([id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                Some(ids)
            }
        };
        let json = people
            .as_ref()
            .map(|p| serde_json::to_string(p).unwrap_or_else(|_| "[]".into()));
        // Every query binds (?1 the day, ?2 the scope's people or NULL); an
        // unscoped query carries the constant `?2 IS NULL`, which SQLite
        // evaluates once, so the indexes serve both.
        let only = |column: &str| {
            if json.is_some() {
                format!(" AND {column} IN (SELECT value FROM json_each(?2))")
            } else {
                " AND ?2 IS NULL".to_owned()
            }
        };

        let sql = format!(
            "SELECT id, name, role, qualification, start_date, left_date, registration_date
             FROM staff WHERE 1{}",
            only("id")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let map_person = |r: &rusqlite::Row| {
            Ok(PersonFact {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                qualification: r.get(3)?,
                start_date: day(r, 4)?,
                left_date: opt_day(r, 5)?,
                registration_date: opt_day(r, 6)?,
            })
        };
        let people_facts = stmt
            .query_map(params![as_of, json], map_person)?
            .collect::<rusqlite::Result<_>>()?;

        let sql = format!(
            // One index seek per person and mode (record_attendee_seen).
            "SELECT staff_id, mode, last FROM (
                 SELECT p.id AS staff_id, m.column1 AS mode,
                     (SELECT max(session_date) FROM record_attendee a
                      WHERE a.staff_id = p.id AND a.session_mode = m.column1
                        AND a.attendance <> 'absent' AND a.session_date <= ?1) AS last
                 FROM staff p,
                     (VALUES ('individual'), ('group'), ('written'), ('follow_up'),
                         ('live_observation')) m
                 WHERE 1{})
             WHERE last IS NOT NULL",
            only("p.id")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let map_seen = |r: &rusqlite::Row| {
            Ok(SeenFact {
                staff_id: r.get(0)?,
                mode: Mode::from_code(&r.get::<_, String>(1)?).unwrap_or(Mode::Individual),
                last: day(r, 2)?,
            })
        };
        let seen = stmt
            .query_map(params![as_of, json], map_seen)?
            .collect::<rusqlite::Result<_>>()?;

        let sql = format!(
            "SELECT id, record_id, owner_id, what, due_date FROM action_item
             WHERE done_date IS NULL AND due_date < ?1{}",
            only("owner_id")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let map_item = |r: &rusqlite::Row| {
            Ok(OpenItemFact {
                id: r.get(0)?,
                record_id: r.get(1)?,
                owner_id: r.get(2)?,
                what: r.get(3)?,
                due: day(r, 4)?,
                done: None,
            })
        };
        let items = stmt
            .query_map(params![as_of, json], map_item)?
            .collect::<rusqlite::Result<_>>()?;

        let sql = format!(
            "SELECT u.record_id, u.supervisor_id, u.date, r.year, r.number
             FROM record_unsigned u JOIN supervision_record r ON r.id = u.record_id
             WHERE u.date <= ?1{}",
            only("u.supervisor_id")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let map_unsigned = |r: &rusqlite::Row| {
            Ok(UnsignedFact {
                record_id: r.get(0)?,
                supervisor_id: r.get(1)?,
                date: day(r, 2)?,
                year: r.get(3)?,
                number: r.get(4)?,
            })
        };
        let unsigned = stmt
            .query_map(params![as_of, json], map_unsigned)?
            .collect::<rusqlite::Result<_>>()?;

        let sql = format!(
            "SELECT c.id, c.code, c.owner_id, c.risk,
                 CASE WHEN c.risk = 'high' THEN c.risk_since END, c.stage, c.opened_on, c.closed_on,
                 CASE WHEN c.last_contact_on <= ?1 THEN c.last_contact_on
                     ELSE (SELECT max(date) FROM case_contact WHERE case_id = c.id AND date <= ?1) END,
                 CASE WHEN c.stage = 'closed' THEN
                     (SELECT max(date) FROM case_contact
                      WHERE case_id = c.id AND kind = 'follow_up' AND date <= ?1) END,
                 CASE WHEN c.risk = 'high' THEN
                     (SELECT max(session_date) FROM record_case
                      WHERE case_id = c.id AND session_date <= ?1) END,
                 CASE WHEN NOT EXISTS (SELECT 1 FROM case_consent WHERE case_id = c.id
                         AND kind = 'guardian' AND given_on <= ?1)
                     THEN (SELECT birth_date FROM case_identity WHERE case_id = c.id) END,
                 EXISTS (SELECT 1 FROM case_consent
                         WHERE case_id = c.id AND kind = 'guardian' AND given_on <= ?1)
             FROM client_case c
             WHERE c.stage <> 'follow_up' AND c.opened_on <= ?1{}",
            only("c.owner_id")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let map_case = |r: &rusqlite::Row| {
            let opened_on = day(r, 6)?;
            Ok(CaseFact {
                id: r.get(0)?,
                code: r.get(1)?,
                owner_id: r.get(2)?,
                risk: r.get(3)?,
                // Read only for high-risk cases, the one rule that uses it.
                risk_since: opt_day(r, 4)?.unwrap_or(opened_on),
                stage: r.get(5)?,
                opened_on,
                closed_on: opt_day(r, 7)?,
                last_contact: opt_day(r, 8)?,
                last_follow_up: opt_day(r, 9)?,
                last_discussed: opt_day(r, 10)?,
                client_birth: opt_day(r, 11)?,
                guardian_consent: r.get(12)?,
            })
        };
        let cases = stmt
            .query_map(params![as_of, json], map_case)?
            .collect::<rusqlite::Result<_>>()?;

        // R15 and R16's hours once the station records training at all.
        let training =
            if self
                .conn
                .query_row("SELECT EXISTS (SELECT 1 FROM training)", [], |r| r.get(0))?
            {
                let sql = format!(
                    "SELECT staff_id, session_date, credited_hours FROM training_attendance
                 WHERE staff_id IS NOT NULL AND counts_ce AND credited_hours > 0
                   AND session_date <= ?1{}",
                    only("staff_id")
                );
                let mut stmt = self.conn.prepare_cached(&sql)?;
                let hours = stmt
                    .query_map(params![as_of, json], |r| {
                        Ok((r.get(0)?, day(r, 1)?, r.get(2)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                let sql = format!(
                "SELECT staff_id, assessed_on, passed FROM assessment WHERE assessed_on <= ?1{}",
                only("staff_id")
            );
                let mut stmt = self.conn.prepare_cached(&sql)?;
                let assessments = stmt
                    .query_map(params![as_of, json], |r| {
                        Ok((r.get(0)?, day(r, 1)?, r.get(2)?))
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                Some(TrainingFacts { hours, assessments })
            } else {
                None
            };
        let facts = Facts {
            people: people_facts,
            links,
            seen,
            items,
            unsigned,
            cases,
            training,
        };
        Ok((facts, people))
    }

    pub(super) fn link_facts(&self) -> Result<Vec<LinkFact>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT supervisor_id, supervisee_id, from_date, to_date FROM supervision_link",
        )?;
        let links = stmt
            .query_map([], |r| {
                Ok(LinkFact {
                    supervisor_id: r.get(0)?,
                    supervisee_id: r.get(1)?,
                    from: r.get(2)?,
                    to: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(links)
    }
}
