//! Importing a roster or past attendance from a spreadsheet the user picks:
//! preview (with the columns guessed or as the user mapped them, every bad
//! row listed), then apply — all rows or none. Adapters only: reading,
//! checking and writing are `stationdesk::import`'s.

use serde::{Deserialize, Serialize};
use stationdesk::import::{
    self, check_mapping, guess_mapping, read_table, ImportError, ImportKind, Mapping, RowError,
};
use tauri::State;
use ts_rs::TS;

use crate::commands::{hold, save_export, today, Reply};
use crate::error::{CommandError, ErrorKind, FieldError};
use crate::App;

/// The file as picked, and the columns chosen for each field (`null`: as
/// guessed from the headings).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportForm {
    /// `roster` or `attendance`
    pub kind: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
    #[ts(type = "number")]
    pub station_id: i64,
    /// A column index (or `null` for none) per field, in the order of the
    /// preview's `fields`; `null` to guess.
    pub columns: Option<Vec<Option<u32>>>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportFieldDto {
    pub code: String,
    pub label_zh: String,
    pub required: bool,
    pub column: Option<u32>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportRowErrorDto {
    pub row: u32,
    /// The field's code (`name`, `start_date`, …).
    pub field: String,
    pub value: String,
    /// A validation code (`bad_date`, …) or an import one
    /// (`duplicate_in_file`, `already_on_staff`, …).
    pub code: String,
}

/// What an import would do: the mapping, the rows that would be written,
/// and every bad row. Nothing is written until it is clean and accepted.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportPreviewDto {
    pub headers: Vec<String>,
    pub fields: Vec<ImportFieldDto>,
    /// Required fields without a column: the rows were not checked.
    pub missing: Vec<String>,
    /// Data rows in the file.
    pub rows: u32,
    pub good: u32,
    /// The first rows as read, for a look at the data.
    pub sample: Vec<Vec<String>>,
    pub bad: Vec<ImportRowErrorDto>,
}

fn kind_of(code: &str) -> Reply<ImportKind> {
    match code {
        "roster" => Ok(ImportKind::Roster),
        "attendance" => Ok(ImportKind::Attendance),
        _ => Err(invalid("kind", "unknown_choice")),
    }
}

fn invalid(field: &str, code: &str) -> CommandError {
    CommandError {
        kind: ErrorKind::Invalid,
        message: format!("{field}: {code}"),
        fields: vec![FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
        }],
    }
}

/// The import's own failures as the one wire error: a field `file` with a
/// code the UI has a sentence for.
fn wire(e: ImportError) -> CommandError {
    match e {
        ImportError::NotATable { .. } | ImportError::Read { .. } => invalid("file", "not_a_table"),
        ImportError::Empty { .. } => invalid("file", "empty_file"),
        ImportError::BadMapping { .. } | ImportError::MissingColumns { .. } => {
            invalid("file", "missing_columns")
        }
        ImportError::BadRows(_) | ImportError::Changed(_) => invalid("file", "bad_rows"),
        ImportError::Store(e) => e.into(),
        ImportError::Xlsx(e) => CommandError::internal(&e.to_string()),
    }
}

fn mapping_of(kind: ImportKind, headers: &[String], columns: &Option<Vec<Option<u32>>>) -> Mapping {
    match columns {
        Some(cols) => kind
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, cols.get(i).copied().flatten().map(|c| c as usize)))
            .collect(),
        None => guess_mapping(kind, headers),
    }
}

fn row_errors(bad: &[RowError]) -> Vec<ImportRowErrorDto> {
    bad.iter()
        .map(|e| ImportRowErrorDto {
            row: e.row as u32,
            field: e.field.clone(),
            value: e.value.clone(),
            code: e.code.clone(),
        })
        .collect()
}

#[tauri::command]
pub async fn import_preview(app: State<'_, App>, form: ImportForm) -> Reply<ImportPreviewDto> {
    let kind = kind_of(&form.kind)?;
    let table = read_table(&form.bytes, &form.file_name).map_err(wire)?;
    let mapping = mapping_of(kind, &table.headers, &form.columns);
    let fields = mapping
        .iter()
        .map(|(f, c)| ImportFieldDto {
            code: f.code().to_owned(),
            label_zh: f.label_zh().to_owned(),
            required: kind.required().contains(f),
            column: c.map(|c| c as u32),
        })
        .collect();
    let mut dto = ImportPreviewDto {
        headers: table.headers.clone(),
        fields,
        missing: vec![],
        rows: table.rows.len() as u32,
        good: 0,
        sample: table.rows.iter().take(5).cloned().collect(),
        bad: vec![],
    };
    if let Err(e) = check_mapping(kind, &table, &mapping) {
        match e {
            ImportError::MissingColumns { .. } | ImportError::BadMapping { .. } => {
                dto.missing = kind
                    .required()
                    .iter()
                    .filter(|f| !mapping.iter().any(|(g, c)| g == *f && c.is_some()))
                    .map(|f| f.code().to_owned())
                    .collect();
                return Ok(dto);
            }
            e => return Err(wire(e)),
        }
    }
    let mut held = hold(&app)?;
    let store = held.get()?;
    let (good, bad) = match kind {
        ImportKind::Roster => {
            let p = import::preview_roster(store, form.station_id, &table, &mapping, today())
                .map_err(wire)?;
            (p.good.len(), p.bad)
        }
        ImportKind::Attendance => {
            let p = import::preview_attendance(store, form.station_id, &table, &mapping, today())
                .map_err(wire)?;
            (p.good.len(), p.bad)
        }
    };
    dto.good = good as u32;
    dto.bad = row_errors(&bad);
    Ok(dto)
}

/// Checks the file again with the same mapping and writes every row in one
/// transaction; refused (nothing written) if any row is bad. Returns the
/// number of rows written.
#[tauri::command]
pub async fn import_apply(app: State<'_, App>, form: ImportForm) -> Reply<u32> {
    let kind = kind_of(&form.kind)?;
    let table = read_table(&form.bytes, &form.file_name).map_err(wire)?;
    let mapping = mapping_of(kind, &table.headers, &form.columns);
    let mut held = hold(&app)?;
    let store = held.get()?;
    let written = match kind {
        ImportKind::Roster => {
            let p = import::preview_roster(store, form.station_id, &table, &mapping, today())
                .map_err(wire)?;
            import::apply_roster(store, &p).map_err(wire)?.len()
        }
        ImportKind::Attendance => {
            let p = import::preview_attendance(store, form.station_id, &table, &mapping, today())
                .map_err(wire)?;
            import::apply_attendance(store, &p).map_err(wire)?.sign_ins
        }
    };
    Ok(written as u32)
}

/// Saves the import template of `kind` in the export folder.
#[tauri::command]
pub async fn import_template(kind: String) -> Reply<String> {
    let kind = kind_of(&kind)?;
    let (bytes, name) = match kind {
        ImportKind::Roster => (import::roster_template_xlsx(), "人员名册模板.xlsx"),
        ImportKind::Attendance => (import::attendance_template_xlsx(), "培训签到记录模板.xlsx"),
    };
    let bytes = bytes.map_err(|e| CommandError::internal(&e.to_string()))?;
    save_export(name, &bytes)
}
