//! The audit log (issue 8): an append-only record of who did what, when,
//! to which row and which fields — never the values themselves.
//!
//! Row-level entries come from triggers generated here from
//! `sync::spec::TABLES` (`generated_sql`, carried by the audit migration
//! and checked by a test), so every path that writes is recorded: the
//! window, the CLI, a raw `sqlite3` shell. A create is seen where its
//! `sync_row` is made (so the entry carries the row's uid whatever order
//! SQLite fires triggers in); a signature and an amendment are logged as
//! `sign` and `amend` of their record; an update names the columns that
//! changed; a delete is logged before the row goes.
//!
//! Who: `audit_state.actor`, which `Store` writes at the start of each of
//! its transactions and clears before the commit, so no other connection
//! ever sees it; a write by any other program is logged as `(外部写入)`.
//! Bulk work is kept out of the row triggers and summed up in one entry:
//! a sync import runs with `sync_state.applying` set, the demo and the
//! spreadsheet imports with `audit_state.quiet` set.

use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use serde::Serialize;
use serde_json::Value;

use super::{Result, Store};
use crate::sync::spec::Table;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    Sign,
    Amend,
    Export,
    Import,
    Restore,
    Passphrase,
    Purge,
    Backup,
}

impl AuditAction {
    pub const ALL: [AuditAction; 11] = [
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::Delete,
        AuditAction::Sign,
        AuditAction::Amend,
        AuditAction::Export,
        AuditAction::Import,
        AuditAction::Restore,
        AuditAction::Passphrase,
        AuditAction::Purge,
        AuditAction::Backup,
    ];

    /// The code stored in `audit_log.action`.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::Delete => "delete",
            AuditAction::Sign => "sign",
            AuditAction::Amend => "amend",
            AuditAction::Export => "export",
            AuditAction::Import => "import",
            AuditAction::Restore => "restore",
            AuditAction::Passphrase => "passphrase",
            AuditAction::Purge => "purge",
            AuditAction::Backup => "backup",
        }
    }

    pub fn from_code(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            AuditAction::Create => "新增",
            AuditAction::Update => "修改",
            AuditAction::Delete => "删除",
            AuditAction::Sign => "签名",
            AuditAction::Amend => "修订",
            AuditAction::Export => "导出",
            AuditAction::Import => "导入",
            AuditAction::Restore => "恢复",
            AuditAction::Passphrase => "修改密码",
            AuditAction::Purge => "清除",
            AuditAction::Backup => "备份",
        }
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Local time, `YYYY-MM-DD HH:MM:SS`.
    pub at: String,
    pub actor: String,
    pub action: String,
    /// The table of the row (a supervision record for `sign` and `amend`),
    /// or none for an entry about the whole database.
    pub table: Option<String>,
    pub row_id: Option<i64>,
    /// The row's sync uid: the same row on every laptop, after deletion too.
    pub row_uid: Option<String>,
    /// The names of the fields written (an update's changed columns, an
    /// amendment's field); never their values.
    pub fields: Vec<String>,
    /// More about the entry (a JSON object): an import's origin and counts,
    /// an export's file, a signature's signer.
    pub detail: Value,
}

/// Which entries to read. Dates are local days, both ends included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub table: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// At most this many (none: all).
    pub limit: Option<u32>,
    pub offset: u32,
    /// Oldest first (for an export) instead of newest first.
    pub oldest_first: bool,
}

/// Who is recorded when nobody was named: the OS user, else 未署名.
pub fn default_actor() -> String {
    ["USER", "USERNAME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "未署名".to_owned())
}

/// Starts an IMMEDIATE transaction that names `actor` to the triggers.
pub(crate) fn begin<'c>(
    conn: &'c mut Connection,
    actor: &str,
) -> rusqlite::Result<Transaction<'c>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.prepare_cached("UPDATE audit_state SET actor = ?1")?
        .execute([actor])?;
    Ok(tx)
}

/// Clears the actor and commits: a later write by another program is
/// not put down to this one's user.
pub(crate) fn commit(tx: Transaction) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE audit_state SET actor = NULL, quiet = 0")?
        .execute([])?;
    tx.commit()
}

/// Stops (or resumes) the row triggers inside a transaction, for bulk
/// work that writes one summary entry instead.
pub(crate) fn set_quiet(tx: &Connection, quiet: bool) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE audit_state SET quiet = ?1")?
        .execute([quiet])?;
    Ok(())
}

/// Runs `f` inside `tx` with the audit row triggers taken out and put
/// back exactly as they were (`store::without_triggers`). For very large
/// bulk work (the county demo, millions of rows), where even a trigger
/// that stays silent costs a few percent.
pub(crate) fn without_row_triggers<T>(
    tx: &Transaction,
    f: impl FnOnce() -> super::Result<T>,
) -> super::Result<T> {
    super::without_triggers(
        tx,
        |t| {
            t.name.starts_with("audit_")
                && !["audit_log", "audit_state"].contains(&t.table.as_str())
        },
        f,
    )
}

/// Writes one entry. `fields` are names, `detail` a JSON object; neither
/// may carry a client's personal data.
pub(crate) fn write_entry(
    conn: &Connection,
    actor: &str,
    action: AuditAction,
    table: Option<&str>,
    row_id: Option<i64>,
    fields: &[&str],
    detail: &Value,
) -> rusqlite::Result<i64> {
    let row_uid: Option<String> = match (table, row_id) {
        (Some(t), Some(id)) => conn
            .prepare_cached("SELECT uid FROM sync_row WHERE tbl = ?1 AND rid = ?2")?
            .query_row(params![t, id], |r| r.get(0))
            .ok(),
        _ => None,
    };
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, tbl, row_id, row_uid, fields, detail)
         VALUES (datetime('now', 'localtime'), ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        actor,
        action.code(),
        table,
        row_id,
        row_uid,
        serde_json::to_string(fields).unwrap_or_else(|_| "[]".into()),
        detail.to_string()
    ])?;
    Ok(conn.last_insert_rowid())
}

impl Store {
    /// Names the person recorded as doing what this store writes from now
    /// on (the local user profile). Blank: the default (`default_actor`).
    pub fn set_actor(&mut self, name: &str) {
        let name = name.trim();
        self.actor = if name.is_empty() {
            default_actor()
        } else {
            name.to_owned()
        };
    }

    /// Who this store's writes are recorded as.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Adds an entry the triggers cannot see (an export, a restore, a
    /// passphrase change, a backup, a purge). `detail` is a JSON object
    /// (or null); it must name things, never hold a client's data.
    pub fn audit(
        &self,
        action: AuditAction,
        table: Option<&str>,
        row_id: Option<i64>,
        detail: Value,
    ) -> Result<i64> {
        let detail = match detail {
            Value::Null => Value::Object(Default::default()),
            d => d,
        };
        Ok(write_entry(
            &self.conn,
            &self.actor,
            action,
            table,
            row_id,
            &[],
            &detail,
        )?)
    }

    /// Everyone the log names, by name (for the window's filter).
    pub fn audit_actors(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT DISTINCT actor FROM audit_log ORDER BY actor")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Entries matching `filter`, newest first (or oldest first).
    pub fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let from = filter.from.map(|d| d.format("%Y-%m-%d").to_string());
        let to = filter
            .to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .map(|d| d.format("%Y-%m-%d").to_string());
        let sql = format!(
            "SELECT id, at, actor, action, tbl, row_id, row_uid, fields, detail FROM audit_log
             WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR action = ?2)
               AND (?3 IS NULL OR tbl = ?3) AND (?4 IS NULL OR at >= ?4)
               AND (?5 IS NULL OR at < ?5)
             ORDER BY id {} LIMIT ?6 OFFSET ?7",
            if filter.oldest_first { "ASC" } else { "DESC" }
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                filter.actor,
                filter.action.map(AuditAction::code),
                filter.table,
                from,
                to,
                filter.limit.map_or(-1, i64::from),
                filter.offset
            ],
            |r| {
                let fields: String = r.get(7)?;
                let detail: String = r.get(8)?;
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    table: r.get(4)?,
                    row_id: r.get(5)?,
                    row_uid: r.get(6)?,
                    fields: serde_json::from_str(&fields).unwrap_or_default(),
                    detail: serde_json::from_str(&detail).unwrap_or(Value::Null),
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// When the current time is.
const NOW: &str = "datetime('now', 'localtime')";

/// Who: the store's user, or a mark for a write by another program.
const ACTOR: &str = "coalesce((SELECT actor FROM audit_state), '(外部写入)')";

/// Neither a sync import nor bulk work is under way.
pub(crate) const LOUD: &str = "(SELECT s.applying + a.quiet FROM sync_state s, audit_state a) = 0";

/// The update and delete triggers of one synchronised table.
pub fn triggers_sql(t: &Table) -> String {
    let name = t.name;
    let changed: Vec<String> = t
        .cols
        .iter()
        .map(|c| format!("OLD.{0} IS NOT NEW.{0}", c.name))
        .collect();
    let fields: Vec<String> = t
        .cols
        .iter()
        .map(|c| format!("SELECT '{0}' AS f WHERE OLD.{0} IS NOT NEW.{0}", c.name))
        .collect();
    format!(
        "CREATE TRIGGER audit_{name}_update AFTER UPDATE ON {name}
WHEN ({changed}) AND {LOUD}
BEGIN
    INSERT INTO audit_log (at, actor, action, tbl, row_id, row_uid, fields)
    SELECT {NOW}, {ACTOR}, 'update', '{name}', NEW.rowid,
        (SELECT uid FROM sync_row WHERE tbl = '{name}' AND rid IN (OLD.rowid, NEW.rowid)),
        (SELECT json_group_array(f) FROM ({fields}));
END;

CREATE TRIGGER audit_{name}_delete BEFORE DELETE ON {name} WHEN {LOUD}
BEGIN
    INSERT INTO audit_log (at, actor, action, tbl, row_id, row_uid)
    VALUES ({NOW}, {ACTOR}, 'delete', '{name}', OLD.rowid,
        (SELECT uid FROM sync_row WHERE tbl = '{name}' AND rid = OLD.rowid));
END;
",
        changed = changed.join(" OR "),
        fields = fields.join(" UNION ALL "),
    )
}

/// The triggers that log a new row where its `sync_row` is made (or a
/// deleted row's comes back): a signature as `sign` and an amendment as
/// `amend` of their record, anything else as `create`.
pub fn create_triggers_sql() -> String {
    format!(
        "CREATE TRIGGER audit_create AFTER INSERT ON sync_row
WHEN NEW.rid IS NOT NULL AND NEW.tbl NOT IN ('record_signature', 'record_amendment') AND {LOUD}
BEGIN
    INSERT INTO audit_log (at, actor, action, tbl, row_id, row_uid)
    VALUES ({NOW}, {ACTOR}, 'create', NEW.tbl, NEW.rid, NEW.uid);
END;

CREATE TRIGGER audit_create_again AFTER UPDATE OF rid ON sync_row
WHEN OLD.rid IS NULL AND NEW.rid IS NOT NULL AND {LOUD}
BEGIN
    INSERT INTO audit_log (at, actor, action, tbl, row_id, row_uid)
    VALUES ({NOW}, {ACTOR}, 'create', NEW.tbl, NEW.rid, NEW.uid);
END;

CREATE TRIGGER audit_sign AFTER INSERT ON sync_row
WHEN NEW.tbl = 'record_signature' AND NEW.rid IS NOT NULL AND {LOUD}
BEGIN
    INSERT INTO audit_log (at, actor, action, tbl, row_id, row_uid, detail)
    SELECT {NOW}, {ACTOR}, 'sign', 'supervision_record', s.record_id,
        (SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = s.record_id),
        json_object('staff_id', s.staff_id, 'role', s.role, 'signature_uid', NEW.uid)
    FROM record_signature s WHERE s.rowid = NEW.rid;
END;

CREATE TRIGGER audit_amend AFTER INSERT ON sync_row
WHEN NEW.tbl = 'record_amendment' AND NEW.rid IS NOT NULL AND {LOUD}
BEGIN
    INSERT INTO audit_log (at, actor, action, tbl, row_id, row_uid, fields, detail)
    SELECT {NOW}, {ACTOR}, 'amend', 'supervision_record', m.record_id,
        (SELECT uid FROM sync_row WHERE tbl = 'supervision_record' AND rid = m.record_id),
        json_array(m.field), json_object('amendment_uid', NEW.uid)
    FROM record_amendment m WHERE m.rowid = NEW.rid;
END;
"
    )
}

/// What the audit migration ends with: the create triggers, then each
/// synchronised table's update and delete triggers.
pub fn generated_sql(tables: &[Table]) -> String {
    let mut sql = create_triggers_sql();
    for t in tables {
        sql.push('\n');
        sql.push_str(&triggers_sql(t));
    }
    sql
}

#[cfg(test)]
mod tests {
    use crate::sync::spec::TABLES;

    /// The audit migration ends with exactly the generated triggers. With
    /// `STATIONDESK_PRINT_AUDIT_SQL=1` it prints them (between <<< >>>).
    #[test]
    fn the_audit_migration_carries_the_generated_sql() {
        let generated = super::generated_sql(TABLES);
        if std::env::var_os("STATIONDESK_PRINT_AUDIT_SQL").is_some() {
            print!("<<<{generated}>>>");
        }
        let audit = crate::store::migration_sources()
            .iter()
            .find(|m| m.contains("CREATE TABLE audit_log"))
            .expect("the audit migration");
        assert!(audit.ends_with(&generated));
    }

    #[test]
    fn every_synchronised_table_has_its_audit_triggers_in_a_migration() {
        let all: String = crate::store::migration_sources().concat();
        for t in TABLES {
            assert!(
                all.contains(&super::triggers_sql(t)),
                "table {} lacks its audit triggers; add them in a new migration",
                t.name
            );
        }
    }

    #[test]
    fn every_action_reads_back_from_its_code() {
        for a in super::AuditAction::ALL {
            assert_eq!(super::AuditAction::from_code(a.code()), Some(a));
        }
    }
}
