//! The IPC surface. Each command is an adapter: read the clock, make one
//! call into the library, convert to wire types. No SQL, no business rule.
//! Async, so the database work runs off the window's main thread.

use std::sync::MutexGuard;

use chrono::{Local, NaiveDate};
use stationdesk::Store;
use tauri::State;

use crate::dto::{AssignForm, StaffDto, StaffForm, StationDto, SupervisionLinkDto};
use crate::error::CommandError;
use crate::App;

type Reply<T> = Result<T, CommandError>;

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// The open store, held for the length of one command.
struct Held<'a>(MutexGuard<'a, Result<Store, String>>);

impl Held<'_> {
    fn get(&mut self) -> Reply<&mut Store> {
        self.0
            .as_mut()
            .map_err(|why| CommandError::unavailable(why))
    }
}

fn hold<'a>(app: &'a State<'_, App>) -> Reply<Held<'a>> {
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
