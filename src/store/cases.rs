//! Cases, their identity (kept in its own table, read only by `case_view`),
//! consents and contacts; groups and activities with their sessions.

use chrono::NaiveDate;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::stations::not_found;
use super::{Result, Store, StoreError};
use crate::model::{
    CaseInput, CaseRecord, Category, Code, Consent, ConsentInput, ConsentKind, Contact,
    ContactInput, ContactKind, GroupInput, GroupKind, GroupRecord, GroupSession, GroupSessionInput,
    Identity, IdentityInput, Invalid, Risk, Stage,
};

macro_rules! sql_code {
    ($($t:ident),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(self.code().into())
            }
        }
        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                $t::from_code(text).ok_or_else(|| {
                    FromSqlError::Other(format!("unknown {} {text:?}", stringify!($t)).into())
                })
            }
        }
    )*};
}
sql_code!(Category, Risk, Stage, ContactKind, ConsentKind, GroupKind);

/// A case as lists show it: never with the client's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: i64,
    pub case: CaseRecord,
    pub station_name: String,
    pub owner_name: String,
    pub risk_since: NaiveDate,
    pub last_contact: Option<NaiveDate>,
    pub contacts: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactView {
    pub id: i64,
    pub contact: Contact,
    pub staff_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentView {
    pub id: i64,
    pub consent: Consent,
}

/// A supervision session that discussed the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscussedIn {
    pub record_id: i64,
    pub date: NaiveDate,
    pub year: i32,
    pub number: i64,
}

/// The case's own page: the only view with the client's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseView {
    pub summary: CaseSummary,
    pub identity: Option<Identity>,
    pub consents: Vec<ConsentView>,
    pub contacts: Vec<ContactView>,
    pub discussed_in: Vec<DiscussedIn>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub station_id: Option<i64>,
    pub owner_id: Option<i64>,
    /// Only cases before 结案.
    pub open_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupView {
    pub id: i64,
    pub group: GroupRecord,
    pub leader_name: String,
    pub sessions: Vec<(i64, GroupSession)>,
}

const SUMMARY_SQL: &str = "SELECT c.id, c.code, c.station_id, c.owner_id, c.category, c.risk,
        c.stage, c.difficult, c.opened_on, c.closed_on, c.retain_until, st.name, o.name,
        c.risk_since,
        c.last_contact_on,
        (SELECT count(*) FROM case_contact WHERE case_id = c.id)
    FROM client_case c
    JOIN station st ON st.id = c.station_id
    JOIN staff o ON o.id = c.owner_id";

fn summary_from_row(r: &Row) -> rusqlite::Result<CaseSummary> {
    Ok(CaseSummary {
        id: r.get(0)?,
        case: CaseRecord {
            code: r.get(1)?,
            station_id: r.get(2)?,
            owner_id: r.get(3)?,
            category: r.get(4)?,
            risk: r.get(5)?,
            stage: r.get(6)?,
            difficult: r.get(7)?,
            opened_on: r.get(8)?,
            closed_on: r.get(9)?,
            retain_until: r.get(10)?,
        },
        station_name: r.get(11)?,
        owner_name: r.get(12)?,
        risk_since: r.get(13)?,
        last_contact: r.get(14)?,
        contacts: r.get(15)?,
    })
}

impl Store {
    /// Checks and stores a new case, with the client's identity if given.
    pub fn create_case(
        &mut self,
        input: &CaseInput,
        identity: Option<&IdentityInput>,
        today: NaiveDate,
    ) -> Result<i64> {
        let case = checked(input, identity, today)?;
        self.with_tx(|tx| {
            check_case(tx, None, &case.0)?;
            let id = insert_case(tx, &case.0, case.0.opened_on)?;
            if let Some(identity) = &case.1 {
                write_identity(tx, id, identity)?;
            }
            Ok(id)
        })
    }

    /// Replaces a case's fields. A change of risk level restarts its
    /// `risk_since` today.
    pub fn update_case(&mut self, id: i64, input: &CaseInput, today: NaiveDate) -> Result<()> {
        let case = input.validate(today)?;
        self.with_tx(|tx| {
            let (risk, since) = tx
                .query_row(
                    "SELECT risk, risk_since FROM client_case WHERE id = ?1",
                    [id],
                    |r| Ok((r.get::<_, Risk>(0)?, r.get::<_, NaiveDate>(1)?)),
                )
                .map_err(|e| not_found(e, "case", id))?;
            check_case(tx, Some(id), &case)?;
            let since = if risk == case.risk { since } else { today };
            tx.execute(
                "UPDATE client_case SET code = ?2, station_id = ?3, owner_id = ?4, category = ?5,
                     risk = ?6, risk_since = ?7, stage = ?8, difficult = ?9, opened_on = ?10,
                     closed_on = ?11, retain_until = ?12
                 WHERE id = ?1",
                params![
                    id,
                    case.code,
                    case.station_id,
                    case.owner_id,
                    case.category,
                    case.risk,
                    since,
                    case.stage,
                    case.difficult,
                    case.opened_on,
                    case.closed_on,
                    case.retain_until
                ],
            )?;
            Ok(())
        })
    }

    /// Writes (or replaces) the client's identity.
    pub fn set_identity(
        &mut self,
        case_id: i64,
        input: &IdentityInput,
        today: NaiveDate,
    ) -> Result<()> {
        let identity = input.validate(today)?;
        self.with_tx(|tx| {
            case_opened_on(tx, case_id)?;
            super::retention::check_takes_personal(tx, case_id, today)?;
            write_identity(tx, case_id, &identity)
        })
    }

    /// Logs a contact. A 结案 contact closes an open case on its date; a
    /// 回访 contact moves a closed case to the follow-up stage.
    pub fn add_contact(
        &mut self,
        case_id: i64,
        input: &ContactInput,
        today: NaiveDate,
    ) -> Result<i64> {
        self.with_tx(|tx| {
            let (opened, stage) = case_opened_on(tx, case_id)?;
            let contact = input.validate(opened, today)?;
            if !staff_exists(tx, contact.staff_id)? {
                return Err(Invalid::one("staff_id", Code::NotFound).into());
            }
            tx.execute(
                "INSERT INTO case_contact (case_id, date, kind, staff_id, note) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![case_id, contact.date, contact.kind, contact.staff_id, contact.note],
            )?;
            let id = tx.last_insert_rowid();
            match (contact.kind, stage) {
                (ContactKind::Closing, s) if !s.is_closed() => {
                    tx.execute(
                        "UPDATE client_case SET stage = 'closed', closed_on = ?2 WHERE id = ?1",
                        params![case_id, contact.date],
                    )?;
                }
                (ContactKind::FollowUp, Stage::Closed) => {
                    tx.execute(
                        "UPDATE client_case SET stage = 'follow_up' WHERE id = ?1 AND closed_on <= ?2",
                        params![case_id, contact.date],
                    )?;
                }
                _ => {}
            }
            Ok(id)
        })
    }

    pub fn add_consent(
        &mut self,
        case_id: i64,
        input: &ConsentInput,
        today: NaiveDate,
    ) -> Result<i64> {
        let consent = input.validate(today)?;
        self.with_tx(|tx| {
            case_opened_on(tx, case_id)?;
            super::retention::check_takes_personal(tx, case_id, today)?;
            tx.execute(
                "INSERT INTO case_consent (case_id, kind, given_on, given_by, scope) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![case_id, consent.kind, consent.given_on, consent.given_by, consent.scope],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Cases by code, without identities.
    pub fn list_cases(&self, filter: CaseFilter) -> Result<Vec<CaseSummary>> {
        let sql = format!(
            "{SUMMARY_SQL}
             WHERE (?1 IS NULL OR c.station_id = ?1) AND (?2 IS NULL OR c.owner_id = ?2)
               AND (?3 = 0 OR c.stage NOT IN ('closed', 'follow_up'))
             ORDER BY c.code"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![filter.station_id, filter.owner_id, filter.open_only],
            summary_from_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The id of the case with this code (any case).
    pub fn case_id(&self, code: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM client_case WHERE code = ?1",
                [crate::model::ascii_forms(code).trim().to_ascii_uppercase()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The case's own page, with the client's identity.
    pub fn case_view(&self, id: i64) -> Result<CaseView> {
        let summary = self
            .conn
            .query_row(
                &format!("{SUMMARY_SQL} WHERE c.id = ?1"),
                [id],
                summary_from_row,
            )
            .map_err(|e| not_found(e, "case", id))?;
        let identity = self
            .conn
            .query_row(
                "SELECT real_name, id_number, birth_date, phone, guardian, health_notes
                 FROM case_identity WHERE case_id = ?1",
                [id],
                |r| {
                    Ok(Identity {
                        real_name: r.get(0)?,
                        id_number: r.get(1)?,
                        birth_date: r.get(2)?,
                        phone: r.get(3)?,
                        guardian: r.get(4)?,
                        health_notes: r.get(5)?,
                    })
                },
            )
            .optional()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, given_on, given_by, scope FROM case_consent WHERE case_id = ?1 ORDER BY given_on, id",
        )?;
        let consents = stmt
            .query_map([id], |r| {
                Ok(ConsentView {
                    id: r.get(0)?,
                    consent: Consent {
                        kind: r.get(1)?,
                        given_on: r.get(2)?,
                        given_by: r.get(3)?,
                        scope: r.get(4)?,
                    },
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.id, k.date, k.kind, k.staff_id, k.note, s.name
             FROM case_contact k JOIN staff s ON s.id = k.staff_id
             WHERE k.case_id = ?1 ORDER BY k.date DESC, k.id DESC",
        )?;
        let contacts = stmt
            .query_map([id], |r| {
                Ok(ContactView {
                    id: r.get(0)?,
                    contact: Contact {
                        date: r.get(1)?,
                        kind: r.get(2)?,
                        staff_id: r.get(3)?,
                        note: r.get(4)?,
                    },
                    staff_name: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.date, r.year, r.number FROM record_case rc
             JOIN supervision_record r ON r.id = rc.record_id
             WHERE rc.case_id = ?1 ORDER BY r.date DESC, r.id DESC",
        )?;
        let discussed_in = stmt
            .query_map([id], |r| {
                Ok(DiscussedIn {
                    record_id: r.get(0)?,
                    date: r.get(1)?,
                    year: r.get(2)?,
                    number: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(CaseView {
            summary,
            identity,
            consents,
            contacts,
            discussed_in,
        })
    }

    pub fn create_group(&mut self, input: &GroupInput, today: NaiveDate) -> Result<i64> {
        let group = input.validate(today)?;
        self.with_tx(|tx| {
            let mut errors = vec![];
            if !staff_exists(tx, group.leader_id)? {
                errors.push(("leader_id", Code::NotFound));
            }
            if !station_exists(tx, group.station_id)? {
                errors.push(("station_id", Code::NotFound));
            }
            if !errors.is_empty() {
                return Err(StoreError::Invalid(Invalid(
                    errors
                        .into_iter()
                        .map(|(field, code)| crate::model::FieldError { field, code })
                        .collect(),
                )));
            }
            insert_group(tx, &group)
        })
    }

    pub fn add_group_session(
        &mut self,
        group_id: i64,
        input: &GroupSessionInput,
        today: NaiveDate,
    ) -> Result<i64> {
        self.with_tx(|tx| {
            let started: NaiveDate = tx
                .query_row(
                    "SELECT started_on FROM group_work WHERE id = ?1",
                    [group_id],
                    |r| r.get(0),
                )
                .map_err(|e| not_found(e, "group", group_id))?;
            let session = input.validate(started, today)?;
            insert_group_session(tx, group_id, &session)
        })
    }

    /// A station's groups and activities, newest first, with their sessions.
    pub fn list_groups(&self, station_id: Option<i64>) -> Result<Vec<GroupView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT g.id, g.station_id, g.kind, g.name, g.therapeutic, g.leader_id, g.started_on, s.name
             FROM group_work g JOIN staff s ON s.id = g.leader_id
             WHERE ?1 IS NULL OR g.station_id = ?1
             ORDER BY g.started_on DESC, g.id DESC",
        )?;
        let mut groups: Vec<GroupView> = stmt
            .query_map([station_id], |r| {
                Ok(GroupView {
                    id: r.get(0)?,
                    group: GroupRecord {
                        station_id: r.get(1)?,
                        kind: r.get(2)?,
                        name: r.get(3)?,
                        therapeutic: r.get(4)?,
                        leader_id: r.get(5)?,
                        started_on: r.get(6)?,
                    },
                    leader_name: r.get(7)?,
                    sessions: vec![],
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, date, participants, note FROM group_session WHERE group_id = ?1 ORDER BY date, id",
        )?;
        for g in &mut groups {
            g.sessions = stmt
                .query_map([g.id], |r| {
                    Ok((
                        r.get(0)?,
                        GroupSession {
                            date: r.get(1)?,
                            participants: r.get(2)?,
                            note: r.get(3)?,
                        },
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(groups)
    }
}

type Checked = (CaseRecord, Option<Identity>);

/// Checks the case and its identity together, so every problem shows at once.
fn checked(
    input: &CaseInput,
    identity: Option<&IdentityInput>,
    today: NaiveDate,
) -> Result<Checked, Invalid> {
    let case = input.validate(today);
    let identity = identity.map(|i| i.validate(today)).transpose();
    match (case, identity) {
        (Ok(c), Ok(i)) => Ok((c, i)),
        (c, i) => {
            let mut all = c.err().map(|e| e.0).unwrap_or_default();
            all.extend(i.err().map(|e| e.0).unwrap_or_default());
            Err(Invalid(all))
        }
    }
}

fn staff_exists(tx: &Transaction, id: i64) -> Result<bool> {
    Ok(tx
        .query_row("SELECT 1 FROM staff WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn station_exists(tx: &Transaction, id: i64) -> Result<bool> {
    Ok(tx
        .query_row("SELECT 1 FROM station WHERE id = ?1", [id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The owner and station exist; the code is not another case's.
fn check_case(tx: &Transaction, id: Option<i64>, case: &CaseRecord) -> Result<()> {
    let mut errors = vec![];
    if !staff_exists(tx, case.owner_id)? {
        errors.push(("owner_id", Code::NotFound));
    }
    let station: Option<i64> = tx
        .query_row(
            "SELECT id FROM station WHERE id = ?1",
            [case.station_id],
            |r| r.get(0),
        )
        .optional()?;
    if station.is_none() {
        errors.push(("station_id", Code::NotFound));
    }
    let other: Option<i64> = tx
        .query_row(
            "SELECT id FROM client_case WHERE code = ?1",
            [&case.code],
            |r| r.get(0),
        )
        .optional()?;
    if other.is_some_and(|o| Some(o) != id) {
        errors.push(("code", Code::CodeTaken));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(Invalid(
            errors
                .into_iter()
                .map(|(field, code)| crate::model::FieldError { field, code })
                .collect(),
        )))
    }
}

fn case_opened_on(tx: &Transaction, id: i64) -> Result<(NaiveDate, Stage)> {
    tx.query_row(
        "SELECT opened_on, stage FROM client_case WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .map_err(|e| not_found(e, "case", id))
}

pub(super) fn insert_case(tx: &Transaction, c: &CaseRecord, risk_since: NaiveDate) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO client_case (code, station_id, owner_id, category, risk, risk_since, stage,
             difficult, opened_on, closed_on, retain_until)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        c.code,
        c.station_id,
        c.owner_id,
        c.category,
        c.risk,
        risk_since,
        c.stage,
        c.difficult,
        c.opened_on,
        c.closed_on,
        c.retain_until
    ])?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn write_identity(tx: &Transaction, case_id: i64, i: &Identity) -> Result<()> {
    tx.prepare_cached(
        // An update in place (not a REPLACE): each changed field keeps its
        // own version, so another laptop's edit of another field merges.
        "INSERT INTO case_identity (case_id, real_name, id_number, birth_date, phone, guardian, health_notes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (case_id) DO UPDATE SET real_name = excluded.real_name,
             id_number = excluded.id_number, birth_date = excluded.birth_date,
             phone = excluded.phone, guardian = excluded.guardian,
             health_notes = excluded.health_notes",
    )?
    .execute(params![case_id, i.real_name, i.id_number, i.birth_date, i.phone, i.guardian, i.health_notes])?;
    Ok(())
}

pub(super) fn insert_contact(tx: &Transaction, case_id: i64, c: &Contact) -> Result<()> {
    tx.prepare_cached("INSERT INTO case_contact (case_id, date, kind, staff_id, note) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![case_id, c.date, c.kind, c.staff_id, c.note])?;
    Ok(())
}

pub(super) fn insert_consent(tx: &Transaction, case_id: i64, c: &Consent) -> Result<()> {
    tx.prepare_cached("INSERT INTO case_consent (case_id, kind, given_on, given_by, scope) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![case_id, c.kind, c.given_on, c.given_by, c.scope])?;
    Ok(())
}

pub(super) fn insert_group(tx: &Transaction, g: &GroupRecord) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO group_work (station_id, kind, name, therapeutic, leader_id, started_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![g.station_id, g.kind, g.name, g.therapeutic, g.leader_id, g.started_on])?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn insert_group_session(
    tx: &Transaction,
    group_id: i64,
    s: &GroupSession,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO group_session (group_id, date, participants, note) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![group_id, s.date, s.participants, s.note])?;
    Ok(tx.last_insert_rowid())
}

/// The case codes a record's "cases discussed" text names: runs of letters,
/// digits and '-', upper-cased.
pub fn case_codes_in(text: &str) -> Vec<String> {
    let mut codes: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    codes.dedup();
    codes
}

/// Links a record to the cases its text names that exist.
pub(super) fn link_discussed_cases(tx: &Transaction, record_id: i64, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO record_case (record_id, case_id)
         SELECT ?1, id FROM client_case WHERE code = ?2",
    )?;
    for code in case_codes_in(text) {
        stmt.execute(params![record_id, code])?;
    }
    Ok(())
}
