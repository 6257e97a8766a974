//! The IPC surface. Each command is an adapter: read the clock, make one
//! call into the library, convert to wire types. No SQL, no business rule.
//! Async, so the database work runs off the window's main thread.

use std::sync::MutexGuard;

use chrono::{Local, NaiveDate};
use stationdesk::Store;
use tauri::State;

use stationdesk::pdf;
use stationdesk::store::RecordFilter;

use crate::dto::{AssignForm, StaffDto, StaffForm, StationDto, SupervisionLinkDto};
use crate::error::CommandError;
use crate::records_dto::{ActionItemDto, DraftDto, RecordDto, RecordForm, RecordSummaryDto};
use crate::vault::Vault;
use crate::App;

pub(crate) type Reply<T> = Result<T, CommandError>;

pub(crate) fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The open store, held for the length of one command.
pub(crate) struct Held<'a>(MutexGuard<'a, Vault>);

impl Held<'_> {
    pub(crate) fn get(&mut self) -> Reply<&mut Store> {
        match &mut *self.0 {
            Vault::Open(store) => Ok(store),
            Vault::Closed => Err(CommandError::closed()),
            Vault::Failed(why) => Err(CommandError::unavailable(why)),
        }
    }

    pub(crate) fn vault(&self) -> &Vault {
        &self.0
    }

    pub(crate) fn set(&mut self, vault: Vault) {
        *self.0 = vault;
    }
}

/// Saves `bytes` as `name` in the export folder (made if missing), written
/// whole or not at all, and answers with the file's path.
pub(crate) fn save_export(name: &str, bytes: &[u8]) -> Reply<String> {
    let dir = pdf::export_dir();
    std::fs::create_dir_all(&dir).map_err(|e| {
        CommandError::from(pdf::PrintError::Write {
            path: dir.clone(),
            source: e,
        })
    })?;
    let path = dir.join(name);
    pdf::write_file(&path, bytes)?;
    Ok(path.display().to_string())
}

pub(crate) fn hold<'a>(app: &'a State<'_, App>) -> Reply<Held<'a>> {
    app.store
        .lock()
        .map(Held)
        .map_err(|_| CommandError::poisoned())
}

#[tauri::command]
pub async fn list_stations(app: State<'_, App>) -> Reply<Vec<StationDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.list_stations()?.into_iter().map(Into::into).collect())
}

#[tauri::command]
pub async fn list_staff(app: State<'_, App>, station_id: i64) -> Reply<Vec<StaffDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .list_staff(Some(station_id), today())?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[tauri::command]
pub async fn create_staff(app: State<'_, App>, form: StaffForm) -> Reply<StaffDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let staff = store.create_staff(&form.into(), today())?;
    Ok(store.staff_view(staff.id, today())?.into())
}

#[tauri::command]
pub async fn update_staff(app: State<'_, App>, id: i64, form: StaffForm) -> Reply<StaffDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.update_staff(id, &form.into(), today())?;
    Ok(store.staff_view(id, today())?.into())
}

#[tauri::command]
pub async fn supervisor_candidates(
    app: State<'_, App>,
    supervisee_id: i64,
) -> Reply<Vec<StaffDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .supervisor_candidates(supervisee_id, today())?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[tauri::command]
pub async fn assign_supervisor(app: State<'_, App>, form: AssignForm) -> Reply<StaffDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let staff = store.assign_supervisor(&form.into())?;
    Ok(store.staff_view(staff.id, today())?.into())
}

#[tauri::command]
pub async fn supervision_history(
    app: State<'_, App>,
    staff_id: i64,
) -> Reply<Vec<SupervisionLinkDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .supervision_history(staff_id)?
        .into_iter()
        .map(Into::into)
        .collect())
}

// ---- supervision records ----

pub(crate) fn now() -> chrono::NaiveDateTime {
    Local::now().naive_local()
}

#[tauri::command]
pub async fn list_records(
    app: State<'_, App>,
    supervisor_id: Option<i64>,
) -> Reply<Vec<RecordSummaryDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let rows = store.list_records(RecordFilter {
        supervisor_id,
        month: None,
    })?;
    Ok(rows
        .into_iter()
        .map(|r| RecordSummaryDto::new(r, today()))
        .collect())
}

/// Active staff in a supervising role, who may write records.
#[tauri::command]
pub async fn list_supervisors(app: State<'_, App>) -> Reply<Vec<StaffDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .supervisors(today())?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Whom this supervisor supervises today: the form's default attendees.
#[tauri::command]
pub async fn list_supervisees(app: State<'_, App>, supervisor_id: i64) -> Reply<Vec<StaffDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .supervisees(supervisor_id, today())?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[tauri::command]
pub async fn get_record(app: State<'_, App>, id: i64) -> Reply<RecordDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(RecordDto::new(store.record(id)?, today()))
}

#[tauri::command]
pub async fn create_record(app: State<'_, App>, form: RecordForm) -> Reply<RecordDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let id = store.create_record(&form.into(), today(), now())?;
    Ok(RecordDto::new(store.record(id)?, today()))
}

#[tauri::command]
pub async fn update_record(app: State<'_, App>, id: i64, form: RecordForm) -> Reply<RecordDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.update_record(id, &form.into(), today(), now())?;
    Ok(RecordDto::new(store.record(id)?, today()))
}

#[tauri::command]
pub async fn sign_record(app: State<'_, App>, id: i64, staff_id: i64) -> Reply<RecordDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.sign_record(id, staff_id, now())?;
    Ok(RecordDto::new(store.record(id)?, today()))
}

#[tauri::command]
pub async fn amend_record(
    app: State<'_, App>,
    id: i64,
    field: String,
    text: String,
    reason: String,
    by: String,
) -> Reply<RecordDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.amend_record(id, &field, &text, &reason, &by, now())?;
    Ok(RecordDto::new(store.record(id)?, today()))
}

/// Open action items owned by these people: the review of the previous
/// session's items.
#[tauri::command]
pub async fn open_items(app: State<'_, App>, owner_ids: Vec<i64>) -> Reply<Vec<ActionItemDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let mut items = vec![];
    for owner in owner_ids {
        items.extend(
            store
                .action_items(Some(owner), true)?
                .into_iter()
                .map(|i| ActionItemDto::new(i, today())),
        );
    }
    Ok(items)
}

/// Action items across all records, open ones first, soonest due first.
#[tauri::command]
pub async fn list_action_items(app: State<'_, App>, open_only: bool) -> Reply<Vec<ActionItemDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .action_items(None, open_only)?
        .into_iter()
        .map(|i| ActionItemDto::new(i, today()))
        .collect())
}

#[tauri::command]
pub async fn set_item_done(
    app: State<'_, App>,
    item_id: i64,
    done: String,
    note: String,
) -> Reply<()> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.set_item_done(item_id, &done, &note)?)
}

#[tauri::command]
pub async fn save_draft(app: State<'_, App>, key: String, body: String) -> Reply<()> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.save_draft(&key, &body, now())?)
}

#[tauri::command]
pub async fn list_drafts(app: State<'_, App>, prefix: String) -> Reply<Vec<DraftDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.drafts(&prefix)?.into_iter().map(Into::into).collect())
}

#[tauri::command]
pub async fn delete_draft(app: State<'_, App>, key: String) -> Reply<()> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.delete_draft(&key)?)
}

/// Saves the record as an A4 PDF (made in Rust, with the embedded font) in
/// the export folder and returns the file's path.
#[tauri::command]
pub async fn export_record_pdf(app: State<'_, App>, id: i64) -> Reply<String> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let record = store.record(id)?;
    let printed_at = format!("打印于 {}", now().format("%Y-%m-%d %H:%M"));
    let bytes = pdf::supervision_record_pdf(&pdf::record_sheet(&record, &printed_at))?;
    save_export(
        &format!(
            "督导记录-{}-{}-第{}次.pdf",
            record.supervisor_name, record.year, record.number
        ),
        &bytes,
    )
}
