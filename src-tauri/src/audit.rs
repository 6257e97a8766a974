//! The audit log and the seal check in the window (issue 8): wire types
//! (camelCase; ts-rs makes the TypeScript twins) and their commands.
//! Adapters only: the log, its CSV and the seal check live in the library.

use serde::{Deserialize, Serialize};
use stationdesk::model::{parse_user_date, Code, FieldError, Invalid};
use stationdesk::store::{AuditAction, AuditEntry, AuditFilter, SealReport};
use stationdesk::StoreError;
use tauri::State;
use ts_rs::TS;

use crate::commands::{hold, save_export, Reply};
use crate::error::CommandError;
use crate::App;

/// Entries on one page of the window's table.
pub const PAGE_SIZE: u32 = 100;

/// The filters as typed: dates in any form `parse_user_date` reads, an
/// action code and a person's name; blank means any.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditFilterForm {
    pub from: String,
    pub to: String,
    pub action: String,
    pub actor: String,
}

/// One entry as the window shows it: names, never values.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditEntryDto {
    #[ts(type = "number")]
    pub id: i64,
    /// `YYYY-MM-DD HH:MM:SS`, local time.
    pub at: String,
    pub actor: String,
    /// The action's code (`create`, `update`, … `backup`).
    pub action: String,
    /// The table's name in the database; none for the whole database.
    pub table: Option<String>,
    #[ts(type = "number | null")]
    pub row_id: Option<i64>,
    /// Column names.
    pub fields: Vec<String>,
    /// The entry's detail object as JSON (`{}` when there is none).
    pub detail: String,
}

/// One page of entries, newest first.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditPageDto {
    pub entries: Vec<AuditEntryDto>,
    /// From 0.
    pub page: u32,
    pub page_size: u32,
    /// More entries past this page.
    pub has_more: bool,
    /// Everyone the log names, for the filter's list.
    pub actors: Vec<String>,
}

/// One thing the seal check found wrong, named by its record.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SealProblemDto {
    #[ts(type = "number")]
    pub record_id: i64,
    pub year: Option<i32>,
    #[ts(type = "number | null")]
    pub number: Option<i64>,
    pub supervisor_name: String,
    /// `content_changed`, `event_changed`, `event_missing`,
    /// `record_missing`, `seal_missing` or `chain_broken`.
    pub kind: String,
    /// Which signature, amendment or entry (English, for the log).
    pub detail: String,
}

/// What the seal check found.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SealReportDto {
    pub ok: bool,
    /// Signed records checked.
    pub records: u32,
    /// Seal entries checked.
    pub entries: u32,
    /// Supervisors' chains.
    pub chains: u32,
    /// Records named by a problem.
    pub altered_records: u32,
    pub problems: Vec<SealProblemDto>,
}

impl From<AuditEntry> for AuditEntryDto {
    fn from(e: AuditEntry) -> Self {
        AuditEntryDto {
            id: e.id,
            at: e.at,
            actor: e.actor,
            action: e.action,
            table: e.table,
            row_id: e.row_id,
            fields: e.fields,
            detail: match e.detail {
                serde_json::Value::Null => "{}".to_owned(),
                d => d.to_string(),
            },
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<SealReport> for SealReportDto {
    fn from(r: SealReport) -> Self {
        SealReportDto {
            ok: r.ok(),
            records: count(r.records),
            entries: count(r.entries),
            chains: count(r.chains.len()),
            altered_records: count(r.altered_records().len()),
            problems: r
                .problems
                .into_iter()
                .map(|p| SealProblemDto {
                    record_id: p.record_id,
                    year: p.year,
                    number: p.number,
                    supervisor_name: p.supervisor_name,
                    kind: p.kind.code().to_owned(),
                    detail: p.detail,
                })
                .collect(),
        }
    }
}

/// The form as the store's filter; a date that cannot be read, a `to`
/// before `from` or an unknown action is refused beside its field.
fn filter_of(form: &AuditFilterForm) -> Result<AuditFilter, Invalid> {
    let mut wrong: Vec<FieldError> = Vec::new();
    let mut day = |field: &'static str, text: &str| {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let date = parse_user_date(text);
        if date.is_none() {
            wrong.push(FieldError {
                field,
                code: Code::BadDate,
            });
        }
        date
    };
    let from = day("from", &form.from);
    let to = day("to", &form.to);
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            wrong.push(FieldError {
                field: "to",
                code: Code::EndBeforeStart,
            });
        }
    }
    let action = match form.action.trim() {
        "" => None,
        code => {
            let action = AuditAction::from_code(code);
            if action.is_none() {
                wrong.push(FieldError {
                    field: "action",
                    code: Code::UnknownChoice,
                });
            }
            action
        }
    };
    if !wrong.is_empty() {
        return Err(Invalid(wrong));
    }
    Ok(AuditFilter {
        actor: Some(form.actor.trim().to_owned()).filter(|a| !a.is_empty()),
        action,
        from,
        to,
        ..Default::default()
    })
}

fn checked(form: &AuditFilterForm) -> Reply<AuditFilter> {
    filter_of(form).map_err(|e| CommandError::from(StoreError::Invalid(e)))
}

/// One page (`PAGE_SIZE` entries) of the log, newest first, with the
/// filters applied.
#[tauri::command]
pub async fn audit_entries(
    app: State<'_, App>,
    filter: AuditFilterForm,
    page: u32,
) -> Reply<AuditPageDto> {
    let filter = AuditFilter {
        limit: Some(PAGE_SIZE + 1),
        offset: page.saturating_mul(PAGE_SIZE),
        ..checked(&filter)?
    };
    let mut held = hold(&app)?;
    let store = held.get()?;
    let mut entries = store.audit_entries(&filter)?;
    let has_more = entries.len() > PAGE_SIZE as usize;
    entries.truncate(PAGE_SIZE as usize);
    Ok(AuditPageDto {
        entries: entries.into_iter().map(Into::into).collect(),
        page,
        page_size: PAGE_SIZE,
        has_more,
        actors: store.audit_actors()?,
    })
}

/// Saves every entry the filters let through, oldest first, as CSV (UTF-8
/// with a BOM) in the export folder, logs the export, and answers with the
/// file's path.
#[tauri::command]
pub async fn export_audit(app: State<'_, App>, filter: AuditFilterForm) -> Reply<String> {
    let filter = AuditFilter {
        oldest_first: true,
        ..checked(&filter)?
    };
    let mut held = hold(&app)?;
    let store = held.get()?;
    let entries = store.audit_entries(&filter)?;
    let bytes = stationdesk::audit_csv::csv_bytes(&entries)
        .map_err(|e| CommandError::internal(&e.to_string()))?;
    let name = format!(
        "审计日志-{}.csv",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    );
    let path = save_export(&name, &bytes)?;
    store.audit(
        AuditAction::Export,
        None,
        None,
        serde_json::json!({ "kind": "audit_csv", "file": path, "rows": entries.len() }),
    )?;
    Ok(path)
}

/// Recomputes the signed records' seal chains and names every record
/// altered behind the program's back.
#[tauri::command]
pub async fn verify_seals(app: State<'_, App>) -> Reply<SealReportDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.verify_seals()?.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(from: &str, to: &str, action: &str, actor: &str) -> AuditFilterForm {
        AuditFilterForm {
            from: from.into(),
            to: to.into(),
            action: action.into(),
            actor: actor.into(),
        }
    }

    #[test]
    fn blank_filters_let_everything_through() {
        assert_eq!(
            filter_of(&form(" ", "", "", "  ")),
            Ok(AuditFilter::default())
        );
    }

    #[test]
    fn dates_are_read_as_people_write_them() {
        let f = filter_of(&form("2026年3月5日", "2026/3/31", "create", " 陈雪云 ")).expect("valid");
        assert_eq!(f.from, chrono::NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(f.to, chrono::NaiveDate::from_ymd_opt(2026, 3, 31));
        assert_eq!(f.action, Some(AuditAction::Create));
        assert_eq!(f.actor.as_deref(), Some("陈雪云"));
    }

    #[test]
    fn bad_dates_a_reversed_span_and_an_unknown_action_are_refused_by_field() {
        let e = filter_of(&form("2026-13-01", "昨天", "", "")).expect_err("refused");
        assert!(
            e.has("from", Code::BadDate) && e.has("to", Code::BadDate),
            "{e}"
        );
        let e = filter_of(&form("2026-03-05", "2026-03-01", "", "")).expect_err("refused");
        assert!(e.has("to", Code::EndBeforeStart), "{e}");
        let e = filter_of(&form("", "", "steal", "")).expect_err("refused");
        assert!(e.has("action", Code::UnknownChoice), "{e}");
    }
}
