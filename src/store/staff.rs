use chrono::NaiveDate;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::stations::not_found;
use super::{Result, Store, StoreError};
use crate::model::{Code, Invalid, Month, Qualification, Role, Staff, StaffInput, StaffRecord};

/// A staff member as lists show them: with the station's name and the
/// supervisor on the day asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffView {
    pub staff: Staff,
    pub station_name: String,
    pub supervisor: Option<(i64, String)>,
    /// When the registration runs out, by the registration period in force
    /// on the day asked about (R16, `registration_years`).
    pub registration_expiry: Option<NaiveDate>,
}

const STAFF_COLUMNS: &str = "p.id, p.station_id, p.name, p.role, p.qualification, \
     p.certificate_no, p.registration_date, p.start_date, p.left_date";

/// The view query: `?1` is the day whose supervisor is shown.
fn view_sql(filter: &str) -> String {
    format!(
        "SELECT {STAFF_COLUMNS}, st.name, boss.id, boss.name
         FROM staff p
         JOIN station st ON st.id = p.station_id
         LEFT JOIN supervision_link l ON l.supervisee_id = p.id AND l.from_date <= ?1
              AND (l.to_date IS NULL OR l.to_date > ?1)
         LEFT JOIN staff boss ON boss.id = l.supervisor_id
         {filter}
         ORDER BY p.left_date IS NOT NULL, p.station_id,
             CASE p.role WHEN 'station_head' THEN 0 WHEN 'senior_supervisor' THEN 1
                 WHEN 'intermediate_supervisor' THEN 2 WHEN 'junior_supervisor' THEN 3
                 WHEN 'trainee_supervisor' THEN 4 WHEN 'assistant_supervisor' THEN 5 ELSE 6 END,
             p.name, p.id"
    )
}

impl Store {
    /// Staff of one station, or of all when `station_id` is `None`: active
    /// staff first, the head and supervisors before frontline workers, then
    /// by name.
    pub fn list_staff(&self, station_id: Option<i64>, today: NaiveDate) -> Result<Vec<StaffView>> {
        let sql = view_sql("WHERE ?2 IS NULL OR p.station_id = ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![today, station_id], view_from_row)?;
        let mut views: Vec<StaffView> = rows.collect::<rusqlite::Result<_>>()?;
        let years = self.policy_for(Month::of(today))?.registration_years;
        for v in &mut views {
            v.registration_expiry = v.staff.record.registration_expiry(years);
        }
        Ok(views)
    }

    pub fn staff_view(&self, id: i64, today: NaiveDate) -> Result<StaffView> {
        let sql = view_sql("WHERE p.id = ?2");
        let mut view = self
            .conn
            .query_row(&sql, params![today, id], view_from_row)
            .map_err(|e| not_found(e, "staff member", id))?;
        let years = self.policy_for(Month::of(today))?.registration_years;
        view.registration_expiry = view.staff.record.registration_expiry(years);
        Ok(view)
    }

    pub fn staff(&self, id: i64) -> Result<Staff> {
        get_staff(&self.conn, id)
    }

    /// Checks the form and stores a new staff member; on any error nothing
    /// is written.
    pub fn create_staff(&mut self, input: &StaffInput, today: NaiveDate) -> Result<Staff> {
        let record = input.validate(today)?;
        self.with_tx(|tx| {
            ensure_station(tx, record.station_id)?;
            refuse_taken_certificate(tx, &record, None)?;
            insert_staff(tx, &record)
        })
    }

    /// Who else holds `record`'s certificate number, when that cannot be
    /// the same person: someone of another name, or someone still working
    /// while `record` is too. A person who left and came back is two rows
    /// of one name with one certificate, and that is allowed.
    pub fn certificate_holder(
        &self,
        record: &StaffRecord,
        except: Option<i64>,
    ) -> Result<Option<Staff>> {
        certificate_holder(&self.conn, record, except)
    }

    /// Checks the form and replaces the staff member's fields. Marking a
    /// person as left closes their open supervision links on that day.
    pub fn update_staff(&mut self, id: i64, input: &StaffInput, today: NaiveDate) -> Result<Staff> {
        let record = input.validate(today)?;
        self.with_tx(|tx| {
            get_staff(tx, id)?;
            ensure_station(tx, record.station_id)?;
            refuse_taken_certificate(tx, &record, Some(id))?;
            tx.execute(
                "UPDATE staff SET station_id = ?2, name = ?3, role = ?4, qualification = ?5,
                     certificate_no = ?6, registration_date = ?7, start_date = ?8, left_date = ?9
                 WHERE id = ?1",
                params![
                    id,
                    record.station_id,
                    record.name,
                    record.role,
                    record.qualification,
                    record.certificate_no,
                    record.registration_date,
                    record.start_date,
                    record.left_date
                ],
            )?;
            if let Some(left) = record.left_date {
                tx.execute(
                    "UPDATE supervision_link SET to_date = max(from_date, ?2)
                     WHERE to_date IS NULL AND (supervisor_id = ?1 OR supervisee_id = ?1)",
                    params![id, left],
                )?;
            }
            Ok(Staff { id, record })
        })
    }
}

impl Store {
    /// Every member of staff of one station, active or not, by id.
    pub fn station_staff(&self, station_id: i64) -> Result<Vec<Staff>> {
        station_staff(&self.conn, station_id)
    }

    /// Stores many checked staff records of one station in one transaction:
    /// `guard` first sees the station's staff as they are inside that
    /// transaction and may refuse (then nothing is written). The records
    /// must have been checked (`StaffInput::validate`). Returns the new ids
    /// in order.
    pub(crate) fn insert_staff_batch<E: From<StoreError>>(
        &mut self,
        station_id: i64,
        records: &[StaffRecord],
        guard: impl FnOnce(&[Staff]) -> Result<(), E>,
    ) -> Result<Vec<i64>, E> {
        let tx = super::audit::begin(&mut self.conn, &self.actor).map_err(StoreError::from)?;
        ensure_station(&tx, station_id)?;
        guard(&station_staff(&tx, station_id)?)?;
        // One `import` entry for the roster instead of one per person.
        super::audit::set_quiet(&tx, true).map_err(StoreError::from)?;
        let mut ids = Vec::with_capacity(records.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO staff (station_id, name, role, qualification, certificate_no,
                         registration_date, start_date, left_date)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(StoreError::from)?;
            for r in records {
                if r.station_id != station_id {
                    return Err(StoreError::from(Invalid::one("station_id", Code::NotFound)).into());
                }
                insert
                    .execute(params![
                        r.station_id,
                        r.name,
                        r.role,
                        r.qualification,
                        r.certificate_no,
                        r.registration_date,
                        r.start_date,
                        r.left_date
                    ])
                    .map_err(StoreError::from)?;
                ids.push(tx.last_insert_rowid());
            }
        }
        super::audit::set_quiet(&tx, false).map_err(StoreError::from)?;
        super::audit::write_entry(
            &tx,
            &self.actor,
            super::audit::AuditAction::Import,
            Some("staff"),
            None,
            &[],
            &serde_json::json!({"kind": "roster", "station_id": station_id, "rows": ids.len(), "ids": ids}),
        )
        .map_err(StoreError::from)?;
        super::audit::commit(tx).map_err(StoreError::from)?;
        Ok(ids)
    }
}

pub(super) fn station_staff(conn: &rusqlite::Connection, station_id: i64) -> Result<Vec<Staff>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {STAFF_COLUMNS} FROM staff p WHERE p.station_id = ?1 ORDER BY p.id"
    ))?;
    let rows = stmt.query_map([station_id], staff_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn ensure_station(tx: &Transaction, station_id: i64) -> Result<()> {
    let found: Option<i64> = tx
        .query_row("SELECT id FROM station WHERE id = ?1", [station_id], |r| {
            r.get(0)
        })
        .optional()?;
    match found {
        Some(_) => Ok(()),
        None => Err(Invalid::one("station_id", Code::NotFound).into()),
    }
}

fn certificate_holder(
    conn: &rusqlite::Connection,
    record: &StaffRecord,
    except: Option<i64>,
) -> Result<Option<Staff>> {
    let Some(cert) = &record.certificate_no else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT {} FROM staff p WHERE p.certificate_no = ?1 AND p.id IS NOT ?2 ORDER BY p.id",
        STAFF_COLUMNS
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let holders = stmt.query_map(params![cert, except], staff_from_row)?;
    for holder in holders {
        let holder = holder?;
        if !holder.record.may_share_certificate(record) {
            return Ok(Some(holder));
        }
    }
    Ok(None)
}

fn refuse_taken_certificate(
    tx: &Transaction,
    record: &StaffRecord,
    except: Option<i64>,
) -> Result<()> {
    match certificate_holder(tx, record, except)? {
        Some(_) => Err(Invalid::one("certificate_no", Code::CertificateTaken).into()),
        None => Ok(()),
    }
}

pub(super) fn insert_staff(tx: &Transaction, record: &StaffRecord) -> Result<Staff> {
    tx.execute(
        "INSERT INTO staff (station_id, name, role, qualification, certificate_no,
             registration_date, start_date, left_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            record.station_id,
            record.name,
            record.role,
            record.qualification,
            record.certificate_no,
            record.registration_date,
            record.start_date,
            record.left_date
        ],
    )?;
    Ok(Staff {
        id: tx.last_insert_rowid(),
        record: record.clone(),
    })
}

pub(super) fn get_staff(conn: &rusqlite::Connection, id: i64) -> Result<Staff> {
    conn.prepare_cached(&format!(
        "SELECT {STAFF_COLUMNS} FROM staff p WHERE p.id = ?1"
    ))?
    .query_row([id], staff_from_row)
    .map_err(|e| not_found(e, "staff member", id))
}

fn staff_from_row(r: &Row) -> rusqlite::Result<Staff> {
    Ok(Staff {
        id: r.get(0)?,
        record: StaffRecord {
            station_id: r.get(1)?,
            name: r.get(2)?,
            role: r.get(3)?,
            qualification: r.get(4)?,
            certificate_no: r.get(5)?,
            registration_date: r.get(6)?,
            start_date: r.get(7)?,
            left_date: r.get(8)?,
        },
    })
}

fn view_from_row(r: &Row) -> rusqlite::Result<StaffView> {
    let supervisor = match r.get::<_, Option<i64>>(10)? {
        Some(id) => Some((id, r.get(11)?)),
        None => None,
    };
    Ok(StaffView {
        staff: staff_from_row(r)?,
        station_name: r.get(9)?,
        supervisor,
        // Filled in by the caller, who knows the policy in force.
        registration_expiry: None,
    })
}

impl ToSql for Role {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.code().into())
    }
}

impl FromSql for Role {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Role::from_code(text)
            .ok_or_else(|| FromSqlError::Other(format!("unknown role {text:?}").into()))
    }
}

impl ToSql for Qualification {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.code().into())
    }
}

impl FromSql for Qualification {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        Qualification::from_code(text)
            .ok_or_else(|| FromSqlError::Other(format!("unknown qualification {text:?}").into()))
    }
}
