//! Supervision records: numbering, writing, signing (which locks), amending,
//! and the action items created inside them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::seal::{seal_event, seal_time, SealEvent};
use super::staff::get_staff;
use super::stations::not_found;
use super::{Result, Store, StoreError};
use crate::model::{
    month_summary, parse_user_date, ActionItem, Attendance, Code, Function, Invalid, ItemFact,
    Mode, MonthSummary, RecordContent, RecordInput, SessionFact, AMENDABLE_FIELDS,
};

/// Which records to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordFilter {
    pub supervisor_id: Option<i64>,
    /// (year, month)
    pub month: Option<(i32, u32)>,
}

/// One line of a record list.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordSummary {
    pub id: i64,
    pub year: i32,
    pub number: i64,
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub mode: Mode,
    pub supervisor_id: i64,
    pub supervisor_name: String,
    pub supervisees: Vec<String>,
    pub topic: String,
    /// Signatures present, and how many the record needs.
    pub signatures: usize,
    pub signers_needed: usize,
    pub amended: bool,
}

impl RecordSummary {
    pub fn hours(&self) -> f64 {
        (self.end_time - self.start_time).num_minutes() as f64 / 60.0
    }

    pub fn fully_signed(&self) -> bool {
        self.signatures >= self.signers_needed
    }

    pub fn locked(&self) -> bool {
        self.signatures > 0
    }
}

/// A whole record as shown and printed, with amendments applied.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordView {
    pub id: i64,
    pub year: i32,
    pub number: i64,
    pub station_name: String,
    pub supervisor_name: String,
    pub content: RecordContent,
    /// (staff id, name, attendance), in the order entered.
    pub attendees: Vec<(i64, String, Attendance)>,
    pub items: Vec<ActionItemView>,
    pub signatures: Vec<SignatureView>,
    pub amendments: Vec<AmendmentView>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RecordView {
    /// Signed by anyone: from then on, only amendments change it.
    pub fn locked(&self) -> bool {
        !self.signatures.is_empty()
    }

    /// Who must sign: the supervisor and every supervisee who attended.
    pub fn signers_needed(&self) -> Vec<i64> {
        let mut ids = vec![self.content.supervisor_id];
        ids.extend(
            self.attendees
                .iter()
                .filter(|a| a.2 != Attendance::Absent)
                .map(|a| a.0),
        );
        ids
    }

    pub fn fully_signed(&self) -> bool {
        self.signers_needed()
            .iter()
            .all(|id| self.signatures.iter().any(|s| s.staff_id == *id))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemView {
    pub id: i64,
    pub record_id: i64,
    pub record_year: i32,
    pub record_number: i64,
    pub item: ActionItem,
    pub owner_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureView {
    pub staff_id: i64,
    /// `supervisor` or `supervisee`
    pub role: String,
    pub name: String,
    pub signed_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentView {
    pub field: String,
    pub original: String,
    pub amended: String,
    pub reason: String,
    pub by_name: String,
    pub at: NaiveDateTime,
}

impl Store {
    /// Checks and stores a new record, numbered next in its supervisor's
    /// year (第 n 次). Returns its id.
    pub fn create_record(
        &mut self,
        input: &RecordInput,
        today: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<i64> {
        let content = input.validate(today)?;
        self.with_tx(|tx| {
            check_people(tx, &content)?;
            insert_record(tx, &content, now)
        })
    }

    /// Replaces an unsigned record's content. A signed record is refused
    /// (`StoreError::Locked`): change it with `amend_record`.
    pub fn update_record(
        &mut self,
        id: i64,
        input: &RecordInput,
        today: NaiveDate,
        now: NaiveDateTime,
    ) -> Result<()> {
        let content = input.validate(today)?;
        self.with_tx(|tx| {
            let (supervisor_id, year, number) = record_key(tx, id)?;
            if signature_count(tx, id)? > 0 {
                return Err(StoreError::Locked { id });
            }
            check_people(tx, &content)?;
            let new_year = content.date.year();
            let number = if supervisor_id == content.supervisor_id && year == new_year {
                number
            } else {
                next_number(tx, content.supervisor_id, new_year)?
            };
            write_row(tx, Some(id), &content, new_year, number, now)?;
            replace_parts(tx, id, &content)?;
            Ok(())
        })
    }

    /// The whole record, with amendments applied to its text.
    pub fn record(&self, id: i64) -> Result<RecordView> {
        let (mut view, functions) = self
            .conn
            .query_row(
                "SELECT r.id, r.year, r.number, st.name, boss.name, r.supervisor_id, r.date,
                        r.start_time, r.end_time, r.place, r.mode, r.functions, r.cases, r.topic,
                        r.previous_review, r.reported, r.findings, r.guidance, r.reflection,
                        r.disagreement, r.created_at, r.updated_at
                 FROM supervision_record r
                 JOIN staff boss ON boss.id = r.supervisor_id
                 JOIN station st ON st.id = boss.station_id
                 WHERE r.id = ?1",
                [id],
                view_from_row,
            )
            .map_err(|e| not_found(e, "supervision record", id))?;
        view.content.functions = functions;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.staff_id, p.name, a.attendance FROM record_attendee a
             JOIN staff p ON p.id = a.staff_id WHERE a.record_id = ?1 ORDER BY a.rowid",
        )?;
        for row in stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (staff_id, name, attendance) = row?;
            let attendance = Attendance::from_code(&attendance).unwrap_or(Attendance::Present);
            view.attendees.push((staff_id, name, attendance));
            view.content.supervisees.push((staff_id, attendance));
        }
        view.items = self.items_where("i.record_id = ?1", id)?;
        view.content.action_items = view.items.iter().map(|i| i.item.clone()).collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT staff_id, role, name, signed_at FROM record_signature
             WHERE record_id = ?1 ORDER BY role DESC, signed_at",
        )?;
        view.signatures = stmt
            .query_map([id], |r| {
                Ok(SignatureView {
                    staff_id: r.get(0)?,
                    role: r.get(1)?,
                    name: r.get(2)?,
                    signed_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT field, original, amended, reason, by_name, at FROM record_amendment
             WHERE record_id = ?1 ORDER BY id",
        )?;
        view.amendments = stmt
            .query_map([id], |r| {
                Ok(AmendmentView {
                    field: r.get(0)?,
                    original: r.get(1)?,
                    amended: r.get(2)?,
                    reason: r.get(3)?,
                    by_name: r.get(4)?,
                    at: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        for a in &view.amendments {
            if let Some(slot) = text_field(&mut view.content, &a.field) {
                slot.clone_from(&a.amended);
            }
        }
        Ok(view)
    }

    /// Records, newest first.
    pub fn list_records(&self, filter: RecordFilter) -> Result<Vec<RecordSummary>> {
        let (from, to) = match filter.month {
            Some((y, m)) => {
                let first = NaiveDate::from_ymd_opt(y, m, 1)
                    .ok_or_else(|| Invalid::one("month", Code::BadDate))?;
                (
                    Some(first),
                    first.checked_add_months(chrono::Months::new(1)),
                )
            }
            None => (None, None),
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.year, r.number, r.date, r.start_time, r.end_time, r.mode, r.supervisor_id,
                    boss.name, r.topic,
                    (SELECT group_concat(p.name, '、') FROM record_attendee a JOIN staff p ON p.id = a.staff_id
                     WHERE a.record_id = r.id),
                    (SELECT count(*) FROM record_signature s WHERE s.record_id = r.id),
                    1 + (SELECT count(*) FROM record_attendee a WHERE a.record_id = r.id
                         AND a.attendance <> 'absent'),
                    EXISTS (SELECT 1 FROM record_amendment m WHERE m.record_id = r.id)
             FROM supervision_record r JOIN staff boss ON boss.id = r.supervisor_id
             WHERE (?1 IS NULL OR r.supervisor_id = ?1)
               AND (?2 IS NULL OR r.date >= ?2) AND (?3 IS NULL OR r.date < ?3)
             ORDER BY r.date DESC, r.start_time DESC, r.id DESC",
        )?;
        let rows = stmt.query_map(params![filter.supervisor_id, from, to], |r| {
            let mode: String = r.get(6)?;
            let names: Option<String> = r.get(10)?;
            Ok(RecordSummary {
                id: r.get(0)?,
                year: r.get(1)?,
                number: r.get(2)?,
                date: r.get(3)?,
                start_time: time_col(r, 4)?,
                end_time: time_col(r, 5)?,
                mode: Mode::from_code(&mode).unwrap_or(Mode::Individual),
                supervisor_id: r.get(7)?,
                supervisor_name: r.get(8)?,
                topic: r.get(9)?,
                supervisees: names
                    .map(|n| n.split('、').map(str::to_owned).collect())
                    .unwrap_or_default(),
                signatures: r.get::<_, i64>(11)? as usize,
                signers_needed: r.get::<_, i64>(12)? as usize,
                amended: r.get(13)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records `staff_id`'s signature. Only the supervisor and the
    /// supervisees who attended sign, each once. The first signature locks
    /// the record.
    pub fn sign_record(&mut self, id: i64, staff_id: i64, now: NaiveDateTime) -> Result<()> {
        let view = self.record(id)?;
        let signer = "signer";
        if !view.signers_needed().contains(&staff_id) {
            return Err(Invalid::one(signer, Code::NotASigner).into());
        }
        if view.signatures.iter().any(|s| s.staff_id == staff_id) {
            return Err(Invalid::one(signer, Code::AlreadySigned).into());
        }
        let supervisor = staff_id == view.content.supervisor_id;
        self.with_tx(|tx| insert_signature(tx, id, staff_id, supervisor, now))
    }

    /// Changes one text field of a signed record, keeping the text it
    /// replaces, who changed it, when and why. An unsigned record is simply
    /// edited instead.
    pub fn amend_record(
        &mut self,
        id: i64,
        field: &str,
        new_text: &str,
        reason: &str,
        by: &str,
        now: NaiveDateTime,
    ) -> Result<()> {
        let mut view = self.record(id)?;
        let mut c = Vec::new();
        let Some(field) = AMENDABLE_FIELDS.iter().copied().find(|f| *f == field) else {
            return Err(Invalid::one("field", Code::NotAmendable).into());
        };
        if reason.trim().is_empty() {
            c.push(crate::model::FieldError {
                field: "reason",
                code: Code::ReasonRequired,
            });
        }
        if by.trim().is_empty() {
            c.push(crate::model::FieldError {
                field: "by",
                code: Code::Required,
            });
        }
        if new_text.chars().count() > 5000 {
            c.push(crate::model::FieldError {
                field: "text",
                code: Code::TooLong,
            });
        }
        if !c.is_empty() {
            return Err(Invalid(c).into());
        }
        if !view.locked() {
            return Err(Invalid::one("field", Code::NotAmendable).into());
        }
        let original = text_field(&mut view.content, field)
            .map(|s| s.clone())
            .unwrap_or_default();
        if original == new_text.trim() {
            return Ok(());
        }
        self.with_tx(|tx| {
            tx.prepare_cached("INSERT INTO record_amendment (record_id, field, original, amended, reason, by_name, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(
                params![id, field, original, new_text.trim(), reason.trim(), by.trim(), now],
            )?;
            let amendment = tx.last_insert_rowid();
            seal_event(tx, id, SealEvent::Amend, amendment, &seal_time(now))
        })
    }

    /// Marks an action item done on `done` (empty: not done), with a note.
    /// Allowed on signed records too: tracking goes on after signing (R8).
    pub fn set_item_done(&mut self, item_id: i64, done: &str, note: &str) -> Result<()> {
        let done_date = match done.trim() {
            "" => None,
            text => Some(parse_user_date(text).ok_or_else(|| Invalid::one("done", Code::BadDate))?),
        };
        self.with_tx(|tx| {
            let n = tx
                .prepare_cached("UPDATE action_item SET done_date = ?2, note = ?3 WHERE id = ?1")?
                .execute(params![item_id, done_date, note.trim()])?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "action item",
                    id: item_id,
                });
            }
            Ok(())
        })
    }

    /// Action items across records: of one owner or all, open ones only or
    /// all, soonest due first.
    pub fn action_items(
        &self,
        owner_id: Option<i64>,
        open_only: bool,
    ) -> Result<Vec<ActionItemView>> {
        let filter = format!(
            "(?1 IS NULL OR i.owner_id = ?1){}",
            if open_only {
                " AND i.done_date IS NULL"
            } else {
                ""
            }
        );
        let mut stmt = self.conn.prepare_cached(&items_sql(&filter))?;
        let rows = stmt.query_map([owner_id], item_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The month's summary for one supervisor: sessions held in the month,
    /// who they supervise at its end (or on `today`, if earlier), and the
    /// action items of all their records.
    pub fn month_summary(
        &self,
        supervisor_id: i64,
        month: (i32, u32),
        today: NaiveDate,
    ) -> Result<MonthSummary> {
        get_staff(&self.conn, supervisor_id)?;
        let first = NaiveDate::from_ymd_opt(month.0, month.1, 1)
            .ok_or_else(|| Invalid::one("month", Code::BadDate))?;
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .ok_or_else(|| Invalid::one("month", Code::BadDate))?;
        let mut sessions = vec![];
        for r in self.list_records(RecordFilter {
            supervisor_id: Some(supervisor_id),
            month: Some(month),
        })? {
            let mut stmt = self.conn.prepare_cached(
                "SELECT staff_id FROM record_attendee WHERE record_id = ?1 AND attendance <> 'absent'",
            )?;
            let attended = stmt
                .query_map([r.id], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            sessions.push(SessionFact {
                hours: r.hours(),
                attended,
            });
        }
        let on = (next - chrono::Days::new(1)).min(today);
        let supervisees: Vec<i64> = self
            .supervisees(supervisor_id, on)?
            .into_iter()
            .map(|v| v.staff.id)
            .collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.due_date, i.done_date FROM action_item i
             JOIN supervision_record r ON r.id = i.record_id WHERE r.supervisor_id = ?1",
        )?;
        let items: Vec<ItemFact> = stmt
            .query_map([supervisor_id], |row| {
                Ok(ItemFact {
                    due: row.get(0)?,
                    done: row.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(month_summary(&sessions, &supervisees, &items, today))
    }

    fn items_where(&self, filter: &str, id: i64) -> Result<Vec<ActionItemView>> {
        let mut stmt = self.conn.prepare_cached(&items_sql(filter))?;
        let rows = stmt.query_map([id], item_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn items_sql(filter: &str) -> String {
    format!(
        "SELECT i.id, i.record_id, r.year, r.number, i.what, i.owner_id, i.due_date, i.done_date, i.note, p.name
         FROM action_item i
         JOIN supervision_record r ON r.id = i.record_id
         JOIN staff p ON p.id = i.owner_id
         WHERE {filter}
         ORDER BY i.done_date IS NOT NULL, i.due_date, i.record_id, i.position"
    )
}

fn item_from_row(r: &Row) -> rusqlite::Result<ActionItemView> {
    Ok(ActionItemView {
        id: r.get(0)?,
        record_id: r.get(1)?,
        record_year: r.get(2)?,
        record_number: r.get(3)?,
        item: ActionItem {
            what: r.get(4)?,
            owner_id: r.get(5)?,
            due: r.get(6)?,
            done: r.get(7)?,
            note: r.get(8)?,
        },
        owner_name: r.get(9)?,
    })
}

fn view_from_row(r: &Row) -> rusqlite::Result<(RecordView, Vec<Function>)> {
    let mode: String = r.get(10)?;
    let functions: String = r.get(11)?;
    let functions = functions
        .split(',')
        .filter_map(Function::from_code)
        .collect();
    let content = RecordContent {
        supervisor_id: r.get(5)?,
        date: r.get(6)?,
        start_time: time_col(r, 7)?,
        end_time: time_col(r, 8)?,
        place: r.get(9)?,
        mode: Mode::from_code(&mode).unwrap_or(Mode::Individual),
        functions: vec![],
        supervisees: vec![],
        cases: r.get(12)?,
        topic: r.get(13)?,
        previous_review: r.get(14)?,
        reported: r.get(15)?,
        findings: r.get(16)?,
        guidance: r.get(17)?,
        reflection: r.get(18)?,
        disagreement: r.get(19)?,
        action_items: vec![],
    };
    Ok((
        RecordView {
            id: r.get(0)?,
            year: r.get(1)?,
            number: r.get(2)?,
            station_name: r.get(3)?,
            supervisor_name: r.get(4)?,
            content,
            attendees: vec![],
            items: vec![],
            signatures: vec![],
            amendments: vec![],
            created_at: r.get(20)?,
            updated_at: r.get(21)?,
        },
        functions,
    ))
}

/// The amendable text field called `name`.
fn text_field<'a>(c: &'a mut RecordContent, name: &str) -> Option<&'a mut String> {
    Some(match name {
        "place" => &mut c.place,
        "cases" => &mut c.cases,
        "topic" => &mut c.topic,
        "previous_review" => &mut c.previous_review,
        "reported" => &mut c.reported,
        "findings" => &mut c.findings,
        "guidance" => &mut c.guidance,
        "reflection" => &mut c.reflection,
        "disagreement" => &mut c.disagreement,
        _ => return None,
    })
}

fn time_col(r: &Row, i: usize) -> rusqlite::Result<NaiveTime> {
    let text: String = r.get(i)?;
    NaiveTime::parse_from_str(&text, "%H:%M").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn functions_text(functions: &[Function]) -> String {
    functions
        .iter()
        .map(|f| f.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// The supervisor must be an active person in a supervising role; the
/// supervisees and item owners must be on staff.
fn check_people(tx: &Transaction, content: &RecordContent) -> Result<()> {
    let mut errors = vec![];
    match get_staff(tx, content.supervisor_id) {
        Ok(boss) if boss.record.role.supervising_rank().is_none() => {
            errors.push(("supervisor_id", Code::NotASupervisor))
        }
        Ok(boss) if !boss.record.active() => {
            errors.push(("supervisor_id", Code::SupervisorInactive))
        }
        Ok(_) => {}
        Err(StoreError::NotFound { .. }) => errors.push(("supervisor_id", Code::NotFound)),
        Err(e) => return Err(e),
    }
    let exists = |id: i64| -> Result<bool> {
        Ok(tx
            .query_row("SELECT 1 FROM staff WHERE id = ?1", [id], |_| Ok(()))
            .optional()?
            .is_some())
    };
    for (id, _) in &content.supervisees {
        if !exists(*id)? {
            errors.push(("supervisees", Code::NotFound));
            break;
        }
    }
    for item in &content.action_items {
        if !exists(item.owner_id)? {
            errors.push(("action_items", Code::NotFound));
            break;
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Invalid(
            errors
                .into_iter()
                .map(|(field, code)| crate::model::FieldError { field, code })
                .collect(),
        )
        .into())
    }
}

/// Inserts checked content as a new record, numbered next in its
/// supervisor's year; returns its id.
pub(super) fn insert_record(
    tx: &Transaction,
    content: &RecordContent,
    now: NaiveDateTime,
) -> Result<i64> {
    let year = content.date.year();
    let number = next_number(tx, content.supervisor_id, year)?;
    write_row(tx, None, content, year, number, now)?;
    let id = tx.last_insert_rowid();
    insert_parts(tx, id, content)?;
    Ok(id)
}

/// The record's own columns; INSERT and UPDATE bind them in this order.
const CONTENT_COLUMNS: &str = "supervisor_id, year, number, date, start_time, end_time, place, mode, \
     functions, cases, topic, previous_review, reported, findings, guidance, reflection, disagreement, \
     updated_at";

/// Inserts (`id` None) or replaces (`Some(id)`) the record row itself.
fn write_row(
    tx: &Transaction,
    id: Option<i64>,
    c: &RecordContent,
    year: i32,
    number: i64,
    now: NaiveDateTime,
) -> Result<()> {
    let values: [&dyn rusqlite::ToSql; 18] = [
        &c.supervisor_id,
        &year,
        &number,
        &c.date,
        &hhmm(c.start_time),
        &hhmm(c.end_time),
        &c.place,
        &c.mode.code(),
        &functions_text(&c.functions),
        &c.cases,
        &c.topic,
        &c.previous_review,
        &c.reported,
        &c.findings,
        &c.guidance,
        &c.reflection,
        &c.disagreement,
        &now,
    ];
    let slots = (1..=values.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    match id {
        None => {
            tx.prepare_cached(&format!(
                    "INSERT INTO supervision_record ({CONTENT_COLUMNS}, created_at) VALUES ({slots}, ?{})",
                    values.len()
                ))?.execute(
                &values[..],
            )?;
        }
        Some(id) => {
            let mut bound: Vec<&dyn rusqlite::ToSql> = values.to_vec();
            bound.push(&id);
            tx.prepare_cached(&format!(
                "UPDATE supervision_record SET ({CONTENT_COLUMNS}) = ({slots}) WHERE id = ?{}",
                bound.len()
            ))?
            .execute(&bound[..])?;
        }
    }
    Ok(())
}

/// Inserts a signature as is (for demo data; users go through `sign_record`)
/// and seals it: the entry in the supervisor's chain.
pub(super) fn insert_signature(
    tx: &Transaction,
    id: i64,
    staff_id: i64,
    supervisor: bool,
    at: NaiveDateTime,
) -> Result<()> {
    let name = get_staff(tx, staff_id)?.record.name;
    let role = if supervisor {
        "supervisor"
    } else {
        "supervisee"
    };
    tx.prepare_cached("INSERT INTO record_signature (record_id, staff_id, role, name, signed_at) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(
        params![id, staff_id, role, name, at],
    )?;
    seal_event(tx, id, SealEvent::Sign, staff_id, &seal_time(at))
}

fn insert_parts(tx: &Transaction, id: i64, content: &RecordContent) -> Result<()> {
    for (staff_id, attendance) in &content.supervisees {
        tx.prepare_cached(
            "INSERT INTO record_attendee (record_id, staff_id, attendance) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, staff_id, attendance.code()])?;
    }
    super::cases::link_discussed_cases(tx, id, &content.cases)?;
    for (position, item) in content.action_items.iter().enumerate() {
        tx.prepare_cached("INSERT INTO action_item (record_id, position, what, owner_id, due_date, done_date, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?.execute(
            params![id, position as i64, item.what, item.owner_id, item.due, item.done, item.note],
        )?;
    }
    Ok(())
}

/// Rewrites an unsigned record's parts. Attendees and action items that
/// stay keep their rows (items by position), so a concurrent edit on another
/// laptop merges field by field (sync) instead of duplicating them.
fn replace_parts(tx: &Transaction, id: i64, content: &RecordContent) -> Result<()> {
    let staying: Vec<i64> = content.supervisees.iter().map(|(s, _)| *s).collect();
    let present: Vec<i64> = tx
        .prepare_cached("SELECT staff_id FROM record_attendee WHERE record_id = ?1")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for gone in present.iter().filter(|s| !staying.contains(s)) {
        tx.prepare_cached("DELETE FROM record_attendee WHERE record_id = ?1 AND staff_id = ?2")?
            .execute([id, *gone])?;
    }
    for (staff_id, attendance) in &content.supervisees {
        tx.prepare_cached(
            "INSERT INTO record_attendee (record_id, staff_id, attendance) VALUES (?1, ?2, ?3)
             ON CONFLICT (record_id, staff_id) DO UPDATE SET attendance = excluded.attendance
             WHERE attendance IS NOT excluded.attendance",
        )?
        .execute(params![id, staff_id, attendance.code()])?;
    }
    tx.prepare_cached("DELETE FROM record_case WHERE record_id = ?1")?
        .execute([id])?;
    super::cases::link_discussed_cases(tx, id, &content.cases)?;
    let items: Vec<i64> = tx
        .prepare_cached("SELECT id FROM action_item WHERE record_id = ?1 ORDER BY position, id")?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for (position, item) in content.action_items.iter().enumerate() {
        match items.get(position) {
            Some(&item_id) => tx.prepare_cached(
                "UPDATE action_item SET position = ?2, what = ?3, owner_id = ?4, due_date = ?5,
                     done_date = ?6, note = ?7 WHERE id = ?1",
            )?
            .execute(params![
                item_id,
                position as i64,
                item.what,
                item.owner_id,
                item.due,
                item.done,
                item.note
            ])?,
            None => tx.prepare_cached(
                "INSERT INTO action_item (record_id, position, what, owner_id, due_date, done_date, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id,
                position as i64,
                item.what,
                item.owner_id,
                item.due,
                item.done,
                item.note
            ])?,
        };
    }
    for extra in items.iter().skip(content.action_items.len()) {
        tx.prepare_cached("DELETE FROM action_item WHERE id = ?1")?
            .execute([extra])?;
    }
    Ok(())
}

fn next_number(tx: &Transaction, supervisor_id: i64, year: i32) -> Result<i64> {
    Ok(tx
        .prepare_cached(
            "SELECT coalesce(max(number), 0) + 1 FROM supervision_record WHERE supervisor_id = ?1 AND year = ?2",
        )?
        .query_row(params![supervisor_id, year], |r| r.get(0))?)
}

fn record_key(tx: &Transaction, id: i64) -> Result<(i64, i32, i64)> {
    tx.query_row(
        "SELECT supervisor_id, year, number FROM supervision_record WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .map_err(|e| not_found(e, "supervision record", id))
}

fn signature_count(tx: &Transaction, id: i64) -> Result<i64> {
    Ok(tx.query_row(
        "SELECT count(*) FROM record_signature WHERE record_id = ?1",
        [id],
        |r| r.get(0),
    )?)
}
