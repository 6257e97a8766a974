//! Retention (PIPL art. 19 and 47: personal information is kept no longer
//! than the purpose needs). Every case has a retain-until date; once it has
//! passed, the case is listed here, and a person may purge the client's
//! personal information from it for good.
//!
//! What a purge removes, in one transaction:
//! - the identity (`case_identity`: real name, ID number, birth date, phone,
//!   guardian, health notes) and the consents (`case_consent`, whose
//!   `given_by` and `scope` name people and their circumstances). Their
//!   sync delete triggers leave tombstones, so every other laptop deletes
//!   them too at its next import (a tombstone wins over the edits its
//!   laptop had seen; see `sync::plan`);
//! - every review-queue entry (`sync_conflict`) that still holds a value of
//!   a deleted identity or consent (`purge_personal_queue`, which a sync
//!   import runs too, so a laptop that learns of the purge by a bundle
//!   cleans its own queue).
//!
//! What it keeps: the case row (code, category, risk, stage, dates, owner)
//! and its contacts, because workload history (R5–R7, R17) and signed
//! supervision records refer to the case by its code, and the code carries
//! no name (`model::case::case_code`). Free text that may mention the client
//! — contact notes, a supervision record's text (signed and locked) — is out
//! of scope: the program cannot tell a name in prose, and a signed record
//! must not change. The station's paper file is its own matter.
//!
//! Only a closed case (结案 or 回访) can be purged. An open case past its
//! date is listed, flagged, but refused: services still going on need the
//! client's identity (and the R20 check its birth date), and a date in the
//! past on an open case is a date to correct, not a reason to erase.
//!
//! On disk: every connection runs with `secure_delete = ON` (see
//! `Store::prepare`), so the deleted cells are overwritten with zeros in
//! their pages and freed pages are zeroed. In WAL mode the zeroed pages go
//! to the WAL first and overwrite the main file at the next checkpoint,
//! while older WAL frames still hold the old page images; so the purge runs
//! `PRAGMA wal_checkpoint(TRUNCATE)` after its commit, which copies the
//! pages into the file and empties the WAL. (If another connection is
//! reading at that moment the checkpoint cannot finish; the report says so
//! and SQLite completes it at a later checkpoint or when the last
//! connection closes.) In an encrypted file the pages are encrypted too.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};

use super::stations::not_found;
use super::{Result, Store};
use crate::model::{Code, FieldError, Invalid, Stage};
use crate::sync::spec;

/// A case whose retain-until date has passed (never with the identity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionDue {
    pub case_id: i64,
    pub code: String,
    pub station_id: i64,
    pub station_name: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub stage: Stage,
    pub closed_on: Option<NaiveDate>,
    pub retain_until: NaiveDate,
    /// Days from the retain-until date to the day asked about.
    pub days_past: i64,
    /// The case still has its client's identity row.
    pub has_identity: bool,
    /// Consents still recorded.
    pub consents: i64,
    /// When and by whom it was purged on this laptop, if it was.
    pub purged: Option<(NaiveDate, String)>,
}

impl RetentionDue {
    /// Personal information is still held: an identity or a consent.
    pub fn holds_personal(&self) -> bool {
        self.has_identity || self.consents > 0
    }

    /// A purge may run: the case is closed. (An open case keeps its data
    /// until it is closed or its date corrected.)
    pub fn purgeable(&self) -> bool {
        self.stage.is_closed()
    }
}

/// What a purge removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeReport {
    pub case_id: i64,
    pub code: String,
    pub identity_removed: bool,
    pub consents_removed: i64,
    pub queue_entries_removed: i64,
    /// The WAL was emptied into the file (false: a reader held it; the
    /// old frames are overwritten at a later checkpoint).
    pub checkpointed: bool,
}

impl Store {
    /// Cases whose retain-until date is before `today`, longest past first,
    /// open ones included (flagged: not purgeable until closed).
    pub fn past_retention(&self, today: NaiveDate) -> Result<Vec<RetentionDue>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.code, c.station_id, st.name, c.owner_id, o.name, c.stage,
                    c.closed_on, c.retain_until,
                    EXISTS (SELECT 1 FROM case_identity i WHERE i.case_id = c.id),
                    (SELECT count(*) FROM case_consent k WHERE k.case_id = c.id),
                    p.purged_on, p.purged_by
             FROM client_case c
             JOIN station st ON st.id = c.station_id
             JOIN staff o ON o.id = c.owner_id
             LEFT JOIN case_purge p ON p.case_id = c.id
             WHERE c.retain_until < ?1
             ORDER BY c.retain_until, c.code",
        )?;
        let rows = stmt.query_map([today], |r| {
            let retain_until: NaiveDate = r.get(8)?;
            let purged_on: Option<NaiveDate> = r.get(11)?;
            let purged_by: Option<String> = r.get(12)?;
            Ok(RetentionDue {
                case_id: r.get(0)?,
                code: r.get(1)?,
                station_id: r.get(2)?,
                station_name: r.get(3)?,
                owner_id: r.get(4)?,
                owner_name: r.get(5)?,
                stage: r.get(6)?,
                closed_on: r.get(7)?,
                retain_until,
                days_past: (today - retain_until).num_days(),
                has_identity: r.get(9)?,
                consents: r.get(10)?,
                purged: purged_on.zip(purged_by),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Purges a closed case past its retain-until date: deletes its
    /// client's identity and consents (the sync triggers leave tombstones)
    /// and the review-queue entries holding their values, records the
    /// purge (`case_purge`, and the audit log), then checkpoints the WAL.
    ///
    /// `confirm` is the case code typed again; `by` who purges. Refused,
    /// with nothing written, when the code does not match (`confirm`), `by`
    /// is empty, the date has not passed (`retain_until`) or the case is
    /// not closed (`stage`). Purging a purged case again removes anything
    /// that arrived since (a bundle from a laptop that had not seen it).
    pub fn purge_case(
        &mut self,
        id: i64,
        confirm: &str,
        by: &str,
        today: NaiveDate,
    ) -> Result<PurgeReport> {
        let by = by.trim();
        let actor = self.actor().to_owned();
        let report = self.with_tx(|tx| {
            let (code, stage, retain_until): (String, Stage, NaiveDate) = tx
                .query_row(
                    "SELECT code, stage, retain_until FROM client_case WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .map_err(|e| not_found(e, "case", id))?;
            let mut errors = Vec::new();
            let typed = confirm.trim();
            if typed.is_empty() {
                errors.push(("confirm", Code::Required));
            } else if !typed.eq_ignore_ascii_case(&code) {
                errors.push(("confirm", Code::ConfirmMismatch));
            }
            if by.is_empty() {
                errors.push(("by", Code::Required));
            }
            if retain_until >= today {
                errors.push(("retain_until", Code::RetentionNotPassed));
            }
            if !stage.is_closed() {
                errors.push(("stage", Code::CaseOpen));
            }
            if !errors.is_empty() {
                return Err(Invalid(
                    errors
                        .into_iter()
                        .map(|(field, code)| FieldError { field, code })
                        .collect(),
                )
                .into());
            }
            let identity_removed =
                tx.execute("DELETE FROM case_identity WHERE case_id = ?1", [id])? > 0;
            let consents_removed =
                tx.execute("DELETE FROM case_consent WHERE case_id = ?1", [id])? as i64;
            let queue_entries_removed = purge_personal_queue(tx)?;
            let removed = identity_removed || consents_removed > 0 || queue_entries_removed > 0;
            let purged_before: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM case_purge WHERE case_id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            // Purging again what is already gone changes nothing: the first
            // purge's date and name stand, and the log gets no empty entry.
            // (Again after a bundle brought an identity back, it counts.)
            if removed || !purged_before {
                tx.execute(
                    "INSERT INTO case_purge (case_id, purged_on, purged_by) VALUES (?1, ?2, ?3)
                     ON CONFLICT (case_id) DO UPDATE SET purged_on = excluded.purged_on,
                         purged_by = excluded.purged_by",
                    params![id, today, by],
                )?;
                audit_purge(
                    tx,
                    &actor,
                    id,
                    &code,
                    by,
                    identity_removed,
                    consents_removed,
                )?;
            }
            Ok(PurgeReport {
                case_id: id,
                code,
                identity_removed,
                consents_removed,
                queue_entries_removed,
                checkpointed: false,
            })
        })?;
        // After the commit: the old page images leave the WAL.
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(PurgeReport {
            checkpointed: busy == 0,
            ..report
        })
    }
}

/// AUDIT: wired when the audit log lands. The one call site of a purge's
/// audit entry (which case, by whom), inside the purge's transaction so the
/// entry and the purge commit together. It must record the case's id and
/// code, never a value that was purged.
/// The purge's own entry in the audit log (the deleted rows' entries name
/// no values either): who confirmed it, and what went.
fn audit_purge(
    tx: &Transaction,
    actor: &str,
    case_id: i64,
    code: &str,
    by: &str,
    identity_removed: bool,
    consents_removed: i64,
) -> Result<()> {
    super::audit::write_entry(
        tx,
        actor,
        super::AuditAction::Purge,
        Some("client_case"),
        Some(case_id),
        &[],
        &serde_json::json!({
            "code": code,
            "confirmed_by": by,
            "identity_removed": identity_removed,
            "consents_removed": consents_removed,
        }),
    )?;
    Ok(())
}

/// Refuses new personal information for a closed case past its
/// retain-until date (`retain_until`: `RetentionPassed`): what a purge
/// removed must not come back by hand. To keep a case longer, move its
/// date first.
pub(super) fn check_takes_personal(tx: &Transaction, case_id: i64, today: NaiveDate) -> Result<()> {
    let found: Option<(Stage, NaiveDate)> = tx
        .query_row(
            "SELECT stage, retain_until FROM client_case WHERE id = ?1",
            [case_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        Some((stage, until)) if stage.is_closed() && until < today => {
            Err(Invalid::one("retain_until", Code::RetentionPassed).into())
        }
        _ => Ok(()),
    }
}

/// Deletes the review-queue entries about a deleted identity or consent
/// (`spec::PERSONAL`) that still hold one of its personal values (any
/// column besides its foreign keys): such a row is deleted only by a purge,
/// and its values must not outlive it in the queue. An entry that names
/// only the case (a lost edit, redacted by the merge) stays, so a person
/// still sees that an edit was dropped. The deletions leave tombstones, so
/// the entries leave every laptop's queue. Returns how many went.
pub(super) fn purge_personal_queue(tx: &Transaction) -> Result<i64> {
    let mut doomed = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT q.id, q.tbl, q.loser_value FROM sync_conflict q
             JOIN sync_row r ON r.uid = q.row_uid AND r.tbl = q.tbl
             WHERE q.tbl IN (SELECT value FROM json_each(?1)) AND r.deleted = 1",
        )?;
        let tables = serde_json::to_string(spec::PERSONAL).unwrap_or_else(|_| "[]".into());
        let mut rows = stmt.query([tables])?;
        while let Some(r) = rows.next()? {
            let (id, tbl, loser): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if spec::table(&tbl).is_some_and(|t| spec::holds_personal_value(t, &loser)) {
                doomed.push(id);
            }
        }
    }
    let mut stmt = tx.prepare_cached("DELETE FROM sync_conflict WHERE id = ?1")?;
    for id in &doomed {
        stmt.execute([id])?;
    }
    Ok(doomed.len() as i64)
}
