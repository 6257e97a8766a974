//! The IPC surface. Each command is an adapter: read the clock, make one
//! call into the library, convert to wire types. No SQL, no business rule.
//! Async, so the database work runs off the window's main thread.

use chrono::{Local, NaiveDate};
use tauri::State;

use crate::dto::{AssignForm, StaffDto, StaffForm, StationDto, SupervisionLinkDto};
use crate::error::CommandError;
use crate::App;

type Reply<T> = Result<T, CommandError>;

fn today() -> NaiveDate {
    Local::now().date_naive()
}

#[tauri::command]
pub async fn list_stations(app: State<'_, App>) -> Reply<Vec<StationDto>> {
    let store = app.store.lock()?;
    Ok(store.list_stations()?.into_iter().map(Into::into).collect())
}

#[tauri::command]
pub async fn list_staff(app: State<'_, App>, station_id: i64) -> Reply<Vec<StaffDto>> {
    let store = app.store.lock()?;
    Ok(store
        .list_staff(Some(station_id), today())?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[tauri::command]
pub async fn create_staff(app: State<'_, App>, form: StaffForm) -> Reply<StaffDto> {
    let mut store = app.store.lock()?;
    let staff = store.create_staff(&form.into(), today())?;
    Ok(store.staff_view(staff.id, today())?.into())
}

#[tauri::command]
pub async fn update_staff(app: State<'_, App>, id: i64, form: StaffForm) -> Reply<StaffDto> {
    let mut store = app.store.lock()?;
    store.update_staff(id, &form.into(), today())?;
    Ok(store.staff_view(id, today())?.into())
}

#[tauri::command]
pub async fn supervisor_candidates(
    app: State<'_, App>,
    supervisee_id: i64,
) -> Reply<Vec<StaffDto>> {
    let store = app.store.lock()?;
    Ok(store
        .supervisor_candidates(supervisee_id, today())?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[tauri::command]
pub async fn assign_supervisor(app: State<'_, App>, form: AssignForm) -> Reply<StaffDto> {
    let mut store = app.store.lock()?;
    let staff = store.assign_supervisor(&form.into())?;
    Ok(store.staff_view(staff.id, today())?.into())
}

#[tauri::command]
pub async fn supervision_history(
    app: State<'_, App>,
    staff_id: i64,
) -> Reply<Vec<SupervisionLinkDto>> {
    let store = app.store.lock()?;
    Ok(store
        .supervision_history(staff_id)?
        .into_iter()
        .map(Into::into)
        .collect())
}
