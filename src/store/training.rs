//! Training sessions, sign-in, assessments, the trainer pool, the yearly
//! plan and the hours ledger (migration 0005). The arithmetic lives in
//! `model::training`; here are the rows.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::stations::not_found;
use super::{Result, Store, StoreError};
use crate::model::{
    ledger_row, name_keys, AssessmentInput, Code, ContentArea, Invalid, LedgerRow, Month,
    PersonFact, Policy, SignIn, SignInInput, SignedIn, Staff, Training, TrainingInput,
    TrainingMethod,
};

/// A session in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingSummary {
    pub id: i64,
    pub station_id: i64,
    pub title: String,
    pub area: ContentArea,
    pub method: TrainingMethod,
    pub trainer: Option<String>,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub hours: f64,
    pub place: String,
    pub counts_ce: bool,
    /// Signed in and not absent or excused.
    pub attended: u32,
}

/// One line of a session's sign-in sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttendanceRow {
    pub id: i64,
    pub staff_id: Option<i64>,
    /// The member of staff's name, or the outsider's.
    pub name: String,
    /// The outsider's unit; empty for staff.
    pub unit: String,
    pub status: SignIn,
    pub arrived: Option<NaiveTime>,
    pub left: Option<NaiveTime>,
    pub credited_hours: f64,
    pub signed_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRow {
    pub staff_id: i64,
    pub name: String,
    pub kind: crate::model::AssessmentKind,
    pub score: Option<f64>,
    pub passed: bool,
    pub assessed_on: NaiveDate,
    pub note: String,
}

/// A session with its sign-ins and assessments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingView {
    #[serde(flatten)]
    pub summary: TrainingSummary,
    pub station_name: String,
    pub attendance: Vec<AttendanceRow>,
    pub assessments: Vec<AssessmentRow>,
}

/// Someone the sign-in desk can find: the station's active staff, with
/// the pinyin keys their name is found by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RosterEntry {
    pub staff_id: i64,
    pub name: String,
    pub initials: Vec<String>,
    pub pinyin: Vec<String>,
}

/// Who signs in: a member of staff, or an outsider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attendee {
    Staff(i64),
    Guest { name: String, unit: String },
}

const SUMMARY: &str = "SELECT t.id, t.station_id, t.title, t.area, t.method, r.name, t.date,
        t.start_time, t.end_time, t.hours, t.place, t.counts_ce,
        (SELECT count(*) FROM training_attendance a
         WHERE a.training_id = t.id AND a.status NOT IN ('absent', 'excused'))
    FROM training t LEFT JOIN trainer r ON r.id = t.trainer_id";

fn summary_from_row(r: &rusqlite::Row) -> rusqlite::Result<TrainingSummary> {
    let code = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown {what}").into(),
        )
    };
    Ok(TrainingSummary {
        id: r.get(0)?,
        station_id: r.get(1)?,
        title: r.get(2)?,
        area: ContentArea::from_code(&code(3)?).ok_or_else(|| bad(3, "area"))?,
        method: TrainingMethod::from_code(&code(4)?).ok_or_else(|| bad(4, "method"))?,
        trainer: r.get(5)?,
        date: r.get(6)?,
        start: r.get(7)?,
        end: r.get(8)?,
        hours: r.get(9)?,
        place: r.get(10)?,
        counts_ce: r.get(11)?,
        attended: r.get(12)?,
    })
}

impl Store {
    /// Adds a trainer to the pool (师资库).
    pub fn add_trainer(&mut self, name: &str, unit: &str, expertise: &str) -> Result<i64> {
        if name.trim().is_empty() {
            return Err(Invalid::one("name", Code::Required).into());
        }
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO trainer (name, unit, expertise) VALUES (?1, ?2, ?3)",
                params![name.trim(), unit.trim(), expertise.trim()],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// The trainer pool: (id, name, unit, expertise), by name.
    pub fn trainers(&self) -> Result<Vec<(i64, String, String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, name, unit, expertise FROM trainer ORDER BY name, id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records a session; refused whole when a field is wrong.
    pub fn create_training(&mut self, input: &TrainingInput, today: NaiveDate) -> Result<i64> {
        let t = input.validate(today)?;
        self.station(t.station_id)
            .map_err(|_| Invalid::one("station_id", Code::NotFound))?;
        if let Some(id) = t.trainer_id {
            let known: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM trainer WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            if !known {
                return Err(Invalid::one("trainer_id", Code::NotFound).into());
            }
        }
        self.with_tx(|tx| insert_training(tx, &t))
    }

    /// The sessions already recorded for a station, by id: what an import
    /// checks a session against so the same session is not entered twice.
    pub fn training_keys(&self, station_id: i64) -> Result<Vec<TrainingKey>> {
        training_keys(&self.conn, station_id)
    }

    /// Stores checked sessions of one station, each with the sign-ins of
    /// members of staff (id, checked sign-in, signed at), in one
    /// transaction. `guard` first sees the station's staff and sessions as
    /// they are inside that transaction and may refuse (then nothing is
    /// written). Returns the new sessions' ids in order.
    pub(crate) fn insert_sessions_batch<E: From<StoreError>>(
        &mut self,
        station_id: i64,
        sessions: &[(Training, Vec<StaffSignIn>)],
        guard: impl FnOnce(&[Staff], &[TrainingKey]) -> Result<(), E>,
    ) -> Result<Vec<i64>, E> {
        let tx = super::audit::begin(&mut self.conn, &self.actor).map_err(StoreError::from)?;
        super::staff::ensure_station(&tx, station_id)?;
        guard(
            &super::staff::station_staff(&tx, station_id)?,
            &training_keys(&tx, station_id)?,
        )?;
        // One `import` entry for the file instead of one per sign-in.
        super::audit::set_quiet(&tx, true).map_err(StoreError::from)?;
        let mut ids = Vec::with_capacity(sessions.len());
        for (t, sign_ins) in sessions {
            if t.station_id != station_id {
                return Err(StoreError::from(Invalid::one("station_id", Code::NotFound)).into());
            }
            let id = insert_training(&tx, t)?;
            for (staff_id, a, signed_at) in sign_ins {
                insert_staff_sign_in(&tx, id, t, *staff_id, a, *signed_at)?;
            }
            ids.push(id);
        }
        super::audit::set_quiet(&tx, false).map_err(StoreError::from)?;
        let sign_ins: usize = sessions.iter().map(|(_, s)| s.len()).sum();
        super::audit::write_entry(
            &tx,
            &self.actor,
            super::audit::AuditAction::Import,
            Some("training"),
            None,
            &[],
            &serde_json::json!({"kind": "attendance", "station_id": station_id,
                "sessions": ids.len(), "sign_ins": sign_ins, "ids": ids}),
        )
        .map_err(StoreError::from)?;
        super::audit::commit(tx).map_err(StoreError::from)?;
        Ok(ids)
    }

    /// A station's sessions (or every station's), newest first; `year`
    /// narrows to one calendar year.
    pub fn list_trainings(
        &self,
        station_id: Option<i64>,
        year: Option<i32>,
    ) -> Result<Vec<TrainingSummary>> {
        let sql = format!(
            "{SUMMARY} WHERE (?1 IS NULL OR t.station_id = ?1)
               AND (?2 IS NULL OR t.date BETWEEN ?2 || '-01-01' AND ?2 || '-12-31')
             ORDER BY t.date DESC, t.start_time DESC, t.id DESC"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![station_id, year.map(|y| format!("{y:04}"))],
            summary_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn training_view(&self, id: i64) -> Result<TrainingView> {
        let summary = self
            .conn
            .query_row(
                &format!("{SUMMARY} WHERE t.id = ?1"),
                [id],
                summary_from_row,
            )
            .map_err(|e| not_found(e, "training", id))?;
        let station_name = self.station(summary.station_id)?.name;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.staff_id, coalesce(s.name, a.guest_name), coalesce(a.guest_unit, ''),
                 a.status, a.arrived, a.left_at, a.credited_hours, a.signed_at
             FROM training_attendance a LEFT JOIN staff s ON s.id = a.staff_id
             WHERE a.training_id = ?1 ORDER BY a.signed_at, a.id",
        )?;
        let attendance = stmt
            .query_map([id], |r| {
                let status: String = r.get(4)?;
                Ok(AttendanceRow {
                    id: r.get(0)?,
                    staff_id: r.get(1)?,
                    name: r.get(2)?,
                    unit: r.get(3)?,
                    status: SignIn::from_code(&status).unwrap_or(SignIn::Present),
                    arrived: r.get(5)?,
                    left: r.get(6)?,
                    credited_hours: r.get(7)?,
                    signed_at: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.staff_id, s.name, a.kind, a.score, a.passed, a.assessed_on, a.note
             FROM assessment a JOIN staff s ON s.id = a.staff_id
             WHERE a.training_id = ?1 ORDER BY s.name, a.kind",
        )?;
        let assessments = stmt
            .query_map([id], |r| {
                let kind: String = r.get(2)?;
                Ok(AssessmentRow {
                    staff_id: r.get(0)?,
                    name: r.get(1)?,
                    kind: crate::model::AssessmentKind::from_code(&kind)
                        .unwrap_or(crate::model::AssessmentKind::Exam),
                    score: r.get(3)?,
                    passed: r.get(4)?,
                    assessed_on: r.get(5)?,
                    note: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(TrainingView {
            summary,
            station_name,
            attendance,
            assessments,
        })
    }

    /// Who the sign-in desk can find for a session: the active staff of its
    /// station on the session's day, with their pinyin keys.
    pub fn training_roster(&self, training_id: i64) -> Result<Vec<RosterEntry>> {
        let t = self.training_view(training_id)?.summary;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name FROM staff WHERE station_id = ?1 AND start_date <= ?2
               AND (left_date IS NULL OR left_date > ?2) ORDER BY name, id",
        )?;
        let rows = stmt
            .query_map(params![t.station_id, t.date], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(|(staff_id, name)| {
                let (initials, pinyin) = name_keys(&name);
                RosterEntry {
                    staff_id,
                    name,
                    initials,
                    pinyin,
                }
            })
            .collect())
    }

    /// Signs someone in (or corrects their sign-in): the status is checked
    /// against the session's times and the hours it earns are stored.
    pub fn sign_in(
        &mut self,
        training_id: i64,
        who: &Attendee,
        input: &SignInInput,
        now: NaiveDateTime,
    ) -> Result<i64> {
        let t = self.training_view(training_id)?.summary;
        let a = input.validate(t.start, t.end)?;
        match who {
            Attendee::Staff(id) => {
                self.staff(*id)
                    .map_err(|_| Invalid::one("staff_id", Code::NotFound))?;
            }
            Attendee::Guest { name, unit } => {
                let mut bad = vec![];
                if name.trim().is_empty() {
                    bad.push(crate::model::FieldError {
                        field: "guest_name",
                        code: Code::Required,
                    });
                }
                if name.chars().count() > 40 || unit.chars().count() > 100 {
                    bad.push(crate::model::FieldError {
                        field: "guest_name",
                        code: Code::TooLong,
                    });
                }
                if !bad.is_empty() {
                    return Err(Invalid(bad).into());
                }
            }
        }
        let time = |x: Option<NaiveTime>| x.map(|t| t.format("%H:%M").to_string());
        let (staff_id, guest_name, guest_unit) = match who {
            Attendee::Staff(id) => (Some(*id), None, None),
            Attendee::Guest { name, unit } => (
                None,
                Some(name.trim().to_owned()),
                Some(unit.trim().to_owned()),
            ),
        };
        self.with_tx(|tx| {
            let existing: Option<i64> = match staff_id {
                Some(id) => tx
                    .query_row(
                        "SELECT id FROM training_attendance WHERE training_id = ?1 AND staff_id = ?2",
                        params![training_id, id],
                        |r| r.get(0),
                    )
                    .optional()?,
                None => None,
            };
            if let Some(row) = existing {
                tx.execute(
                    "UPDATE training_attendance SET status = ?2, arrived = ?3, left_at = ?4,
                         credited_hours = ?5, signed_at = ?6 WHERE id = ?1",
                    params![row, a.status.code(), time(a.arrived), time(a.left), a.credited_hours, now],
                )?;
                return Ok(row);
            }
            tx.execute(
                "INSERT INTO training_attendance (training_id, staff_id, guest_name, guest_unit,
                     status, arrived, left_at, credited_hours, session_date, counts_ce, signed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    training_id,
                    staff_id,
                    guest_name,
                    guest_unit,
                    a.status.code(),
                    time(a.arrived),
                    time(a.left),
                    a.credited_hours,
                    t.date,
                    t.counts_ce,
                    now
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Records (or replaces) one person's assessment of one kind for a
    /// session, dated the session's day.
    pub fn assess(
        &mut self,
        training_id: i64,
        staff_id: i64,
        input: &AssessmentInput,
    ) -> Result<()> {
        let a = input.validate()?;
        let t = self.training_view(training_id)?.summary;
        self.staff(staff_id)
            .map_err(|_| Invalid::one("staff_id", Code::NotFound))?;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO assessment (training_id, staff_id, kind, score, passed, assessed_on, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (training_id, staff_id, kind) DO UPDATE SET
                     score = excluded.score, passed = excluded.passed, note = excluded.note",
                params![training_id, staff_id, a.kind.code(), a.score, a.passed, t.date, a.note],
            )?;
            Ok(())
        })
    }

    /// The continuing-education hours ledger (R16) of every certified,
    /// active member of staff (of one station, or all) as of a day, with
    /// the policy in force in that month.
    pub fn hours_ledger(
        &self,
        station_id: Option<i64>,
        as_of: NaiveDate,
    ) -> Result<Vec<LedgerRow>> {
        let policy: Policy = self.policy_for(Month::of(as_of))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, name, role, qualification, start_date, left_date, registration_date
             FROM staff
             WHERE (?1 IS NULL OR station_id = ?1) AND qualification <> 'none'
               AND registration_date IS NOT NULL AND start_date <= ?2
               AND (left_date IS NULL OR left_date > ?2)
             ORDER BY station_id, name, id",
        )?;
        let people: Vec<PersonFact> = stmt
            .query_map(params![station_id, as_of], |r| {
                Ok(PersonFact {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    qualification: r.get(3)?,
                    start_date: r.get(4)?,
                    left_date: r.get(5)?,
                    registration_date: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.staff_id, a.session_date, a.credited_hours FROM training_attendance a
             WHERE a.staff_id IS NOT NULL AND a.counts_ce AND a.credited_hours > 0
               AND a.session_date <= ?2
               AND (?1 IS NULL OR a.staff_id IN (SELECT id FROM staff WHERE station_id = ?1))",
        )?;
        let mut hours: HashMap<i64, Vec<(NaiveDate, f64)>> = HashMap::new();
        let rows = stmt.query_map(params![station_id, as_of], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                super::columns::day(r, 1)?,
                r.get::<_, f64>(2)?,
            ))
        })?;
        for row in rows {
            let (who, day, h) = row?;
            hours.entry(who).or_default().push((day, h));
        }
        Ok(people
            .iter()
            .filter_map(|p| {
                let mine = hours.get(&p.id).map_or(&[][..], Vec::as_slice);
                ledger_row(p, mine.iter().copied(), &policy, as_of)
            })
            .collect())
    }
}

/// A sign-in of a member of staff as a batch stores it: who, the checked
/// sign-in, when.
pub(crate) type StaffSignIn = (i64, SignedIn, NaiveDateTime);

/// A recorded session as an import compares it: station, title, day and
/// times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingKey {
    pub id: i64,
    pub title: String,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

fn training_keys(conn: &rusqlite::Connection, station_id: i64) -> Result<Vec<TrainingKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, title, date, start_time, end_time FROM training
         WHERE station_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([station_id], |r| {
        Ok(TrainingKey {
            id: r.get(0)?,
            title: r.get(1)?,
            date: r.get(2)?,
            start: r.get(3)?,
            end: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn insert_training(tx: &rusqlite::Transaction, t: &Training) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO training (station_id, plan_item_id, title, area, method, trainer_id,
             date, start_time, end_time, hours, place, counts_ce)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        t.station_id,
        t.plan_item_id,
        t.title,
        t.area.code(),
        t.method.code(),
        t.trainer_id,
        t.date,
        t.start.format("%H:%M").to_string(),
        t.end.format("%H:%M").to_string(),
        t.hours,
        t.place,
        t.counts_ce
    ])?;
    Ok(tx.last_insert_rowid())
}

/// A new sign-in of a member of staff, with the session's day and
/// continuing-education mark copied in (as `sign_in` does).
fn insert_staff_sign_in(
    tx: &rusqlite::Transaction,
    training_id: i64,
    t: &Training,
    staff_id: i64,
    a: &SignedIn,
    signed_at: NaiveDateTime,
) -> Result<i64> {
    let time = |x: Option<NaiveTime>| x.map(|t| t.format("%H:%M").to_string());
    tx.prepare_cached(
        "INSERT INTO training_attendance (training_id, staff_id, status, arrived, left_at,
             credited_hours, session_date, counts_ce, signed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        training_id,
        staff_id,
        a.status.code(),
        time(a.arrived),
        time(a.left),
        a.credited_hours,
        t.date,
        t.counts_ce,
        signed_at
    ])?;
    Ok(tx.last_insert_rowid())
}

/// The demo's sessions, sign-ins and assessments, with prepared statements
/// reused (a county has ~300,000 sign-ins).
pub(super) fn insert_demo_trainings(
    tx: &rusqlite::Transaction,
    demo: &crate::demo::Demo,
    station_ids: &[i64],
    staff_ids: &[i64],
    trainer_ids: &[i64],
) -> Result<()> {
    let mut training = tx.prepare_cached(
        "INSERT INTO training (station_id, title, area, method, trainer_id, date, start_time,
             end_time, hours, place, counts_ce)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut attendance = tx.prepare_cached(
        "INSERT INTO training_attendance (training_id, staff_id, status, arrived, left_at,
             credited_hours, session_date, counts_ce, signed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut assessment = tx.prepare_cached(
        "INSERT INTO assessment (training_id, staff_id, kind, score, passed, assessed_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let hm = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M").to_string());
    for d in &demo.trainings {
        let t = &d.training;
        training.execute(params![
            station_ids[t.station_id as usize],
            t.title,
            t.area.code(),
            t.method.code(),
            t.trainer_id.map(|i| trainer_ids[i as usize]),
            t.date,
            hm(Some(t.start)),
            hm(Some(t.end)),
            t.hours,
            t.place,
            t.counts_ce
        ])?;
        let id = tx.last_insert_rowid();
        let signed_at = t.date.and_time(t.start);
        for (p, a) in &d.attendance {
            attendance.execute(params![
                id,
                staff_ids[*p],
                a.status.code(),
                hm(a.arrived),
                hm(a.left),
                a.credited_hours,
                t.date,
                t.counts_ce,
                signed_at
            ])?;
        }
        for (p, a) in &d.assessments {
            assessment.execute(params![
                id,
                staff_ids[*p],
                a.kind.code(),
                a.score,
                a.passed,
                t.date
            ])?;
        }
    }
    Ok(())
}
