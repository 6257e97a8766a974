//! Training: sessions, the sign-in desk, assessments and the hours ledger.
//! Wire types (camelCase; ts-rs makes the TypeScript twins) and commands.
//! Adapters only.

use serde::{Deserialize, Serialize};
use stationdesk::model::{
    format_date, AssessmentInput, AssessmentKind, ContentArea, LedgerRow, Qualification, SignIn,
    SignInInput, TrainingInput, TrainingMethod,
};
use stationdesk::pdf;
use stationdesk::store::{Attendee, RosterEntry, TrainingSummary, TrainingView};
use tauri::State;
use ts_rs::TS;

use crate::commands::{hold, now, save_export, today, Reply};
use crate::error::CommandError;
use crate::App;

fn hm(t: chrono::NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TrainingSummaryDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub station_id: i64,
    pub title: String,
    pub area: ContentArea,
    pub method: TrainingMethod,
    pub trainer: Option<String>,
    pub date: String,
    pub start: String,
    pub end: String,
    pub hours: f64,
    pub place: String,
    pub counts_ce: bool,
    pub attended: u32,
}

impl From<TrainingSummary> for TrainingSummaryDto {
    fn from(t: TrainingSummary) -> Self {
        TrainingSummaryDto {
            id: t.id,
            station_id: t.station_id,
            title: t.title,
            area: t.area,
            method: t.method,
            trainer: t.trainer,
            date: format_date(t.date),
            start: hm(t.start),
            end: hm(t.end),
            hours: t.hours,
            place: t.place,
            counts_ce: t.counts_ce,
            attended: t.attended,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignInDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub staff_id: Option<i64>,
    pub name: String,
    pub unit: String,
    pub status: SignIn,
    pub arrived: Option<String>,
    pub left: Option<String>,
    pub credited_hours: f64,
    /// `HH:MM` of the sign-in.
    pub signed_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssessmentDto {
    #[ts(type = "number")]
    pub staff_id: i64,
    pub name: String,
    pub kind: AssessmentKind,
    pub score: Option<f64>,
    pub passed: bool,
}

/// Someone the desk can find, by name or pinyin.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RosterDto {
    #[ts(type = "number")]
    pub staff_id: i64,
    pub name: String,
    pub initials: Vec<String>,
    pub pinyin: Vec<String>,
}

impl From<RosterEntry> for RosterDto {
    fn from(r: RosterEntry) -> Self {
        RosterDto {
            staff_id: r.staff_id,
            name: r.name,
            initials: r.initials,
            pinyin: r.pinyin,
        }
    }
}

/// A session with its sign-ins, assessments and the roster of the desk.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TrainingDto {
    pub summary: TrainingSummaryDto,
    pub station_name: String,
    pub attendance: Vec<SignInDto>,
    pub assessments: Vec<AssessmentDto>,
    pub roster: Vec<RosterDto>,
}

fn training_dto(view: TrainingView, roster: Vec<RosterEntry>) -> TrainingDto {
    TrainingDto {
        summary: view.summary.into(),
        station_name: view.station_name,
        attendance: view
            .attendance
            .into_iter()
            .map(|a| SignInDto {
                id: a.id,
                staff_id: a.staff_id,
                name: a.name,
                unit: a.unit,
                status: a.status,
                arrived: a.arrived.map(hm),
                left: a.left.map(hm),
                credited_hours: a.credited_hours,
                signed_at: a.signed_at.format("%H:%M").to_string(),
            })
            .collect(),
        assessments: view
            .assessments
            .into_iter()
            .map(|a| AssessmentDto {
                staff_id: a.staff_id,
                name: a.name,
                kind: a.kind,
                score: a.score,
                passed: a.passed,
            })
            .collect(),
        roster: roster.into_iter().map(Into::into).collect(),
    }
}

fn load(store: &stationdesk::Store, id: i64) -> Reply<TrainingDto> {
    Ok(training_dto(
        store.training_view(id)?,
        store.training_roster(id)?,
    ))
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TrainingForm {
    #[ts(type = "number")]
    pub station_id: i64,
    pub title: String,
    pub area: String,
    pub method: String,
    #[ts(type = "number | null")]
    pub trainer_id: Option<i64>,
    pub date: String,
    pub start: String,
    pub end: String,
    pub place: String,
    pub counts_ce: bool,
    /// The plan line this session carries out, if any.
    #[ts(type = "number | null")]
    pub plan_item_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TrainerDto {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub expertise: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignInForm {
    #[ts(type = "number | null")]
    pub staff_id: Option<i64>,
    pub guest_name: String,
    pub guest_unit: String,
    pub status: String,
    pub arrived: String,
    pub left: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssessmentForm {
    #[ts(type = "number")]
    pub staff_id: i64,
    pub kind: String,
    pub score: String,
    pub passed: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LedgerDto {
    #[ts(type = "number")]
    pub staff_id: i64,
    pub name: String,
    pub qualification: Qualification,
    pub period_start: String,
    pub period_end: String,
    pub required_hours: f64,
    pub earned_hours: f64,
    pub year_hours: f64,
    pub prorated_target: f64,
    pub behind: bool,
    pub renew_from: String,
    pub expired: bool,
}

impl From<LedgerRow> for LedgerDto {
    fn from(r: LedgerRow) -> Self {
        LedgerDto {
            staff_id: r.staff_id,
            name: r.name,
            qualification: r.qualification,
            period_start: format_date(r.period_start),
            period_end: format_date(r.period_end),
            required_hours: r.required_hours,
            earned_hours: r.earned_hours,
            year_hours: r.year_hours,
            prorated_target: r.prorated_target,
            behind: r.behind,
            renew_from: format_date(r.renew_from),
            expired: r.expired,
        }
    }
}

#[tauri::command]
pub async fn list_trainings(
    app: State<'_, App>,
    station_id: i64,
) -> Reply<Vec<TrainingSummaryDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .list_trainings(Some(station_id), None)?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[tauri::command]
pub async fn get_training(app: State<'_, App>, id: i64) -> Reply<TrainingDto> {
    let mut held = hold(&app)?;
    load(held.get()?, id)
}

#[tauri::command]
pub async fn list_trainers(app: State<'_, App>) -> Reply<Vec<TrainerDto>> {
    let mut held = hold(&app)?;
    trainers_dto(held.get()?)
}

fn trainers_dto(store: &stationdesk::Store) -> Reply<Vec<TrainerDto>> {
    Ok(store
        .trainers()?
        .into_iter()
        .map(|(id, name, unit, expertise)| TrainerDto {
            id,
            name,
            unit,
            expertise,
        })
        .collect())
}

#[tauri::command]
pub async fn create_training(app: State<'_, App>, form: TrainingForm) -> Reply<TrainingDto> {
    let input = TrainingInput {
        station_id: form.station_id,
        title: form.title,
        area: form.area,
        method: form.method,
        trainer_id: form.trainer_id,
        date: form.date,
        start: form.start,
        end: form.end,
        place: form.place,
        counts_ce: form.counts_ce,
        plan_item_id: form.plan_item_id,
    };
    let mut held = hold(&app)?;
    let store = held.get()?;
    let id = store.create_training(&input, today())?;
    load(store, id)
}

/// Signs a member of staff (or, without `staffId`, an outsider) in and
/// answers with the session as it now stands.
#[tauri::command]
pub async fn sign_in(
    app: State<'_, App>,
    training_id: i64,
    form: SignInForm,
) -> Reply<TrainingDto> {
    let who = match form.staff_id {
        Some(id) => Attendee::Staff(id),
        None => Attendee::Guest {
            name: form.guest_name,
            unit: form.guest_unit,
        },
    };
    let input = SignInInput {
        status: form.status,
        arrived: form.arrived,
        left: form.left,
    };
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.sign_in(training_id, &who, &input, now())?;
    load(store, training_id)
}

#[tauri::command]
pub async fn assess(
    app: State<'_, App>,
    training_id: i64,
    form: AssessmentForm,
) -> Reply<TrainingDto> {
    let input = AssessmentInput {
        kind: form.kind,
        score: form.score,
        passed: form.passed,
        note: String::new(),
    };
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.assess(training_id, form.staff_id, &input)?;
    load(store, training_id)
}

#[tauri::command]
pub async fn hours_ledger(app: State<'_, App>, station_id: i64) -> Reply<Vec<LedgerDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .hours_ledger(Some(station_id), today())?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Saves the session's A4 sign-in sheet in the export folder.
#[tauri::command]
pub async fn export_signin_pdf(app: State<'_, App>, id: i64) -> Reply<String> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let view = store.training_view(id)?;
    let roster = store.training_roster(id)?;
    let printed_at = format!("打印于 {}", now().format("%Y-%m-%d %H:%M"));
    let bytes = pdf::signin_pdf(&pdf::signin_sheet(&view, &roster, &printed_at))?;
    save_export(
        &format!(
            "培训签到表-{}-{}.pdf",
            view.summary.date, view.summary.title
        ),
        &bytes,
    )
}

/// Saves the station's hours ledger as a workbook in the export folder.
#[tauri::command]
pub async fn export_hours_xlsx(app: State<'_, App>, station_id: i64) -> Reply<String> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let name = store.station(station_id)?.name;
    let rows = store.hours_ledger(Some(station_id), today())?;
    let bytes = stationdesk::xlsx::hours_xlsx(&rows, &name, today())
        .map_err(|e| CommandError::internal(&e.to_string()))?;
    save_export(&format!("继续教育学时-{name}-{}.xlsx", today()), &bytes)
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanLineDto {
    #[ts(type = "number")]
    pub id: i64,
    pub month: u32,
    pub title: String,
    pub area: ContentArea,
    pub method: TrainingMethod,
    pub trainer: Option<String>,
    pub planned_hours: f64,
    pub dropped_on: Option<String>,
    pub sessions: u32,
    pub done_hours: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanChangeDto {
    pub title: String,
    /// `added` or `dropped`
    pub what: String,
    pub changed_by: String,
    pub changed_at: String,
    pub reason: String,
}

/// A station's plan for a year, set against what was done, with its changes.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanDto {
    pub year: i32,
    pub lines: Vec<PlanLineDto>,
    pub changes: Vec<PlanChangeDto>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PlanItemForm {
    pub year: String,
    pub title: String,
    pub area: String,
    pub method: String,
    pub month: String,
    #[ts(type = "number | null")]
    pub trainer_id: Option<i64>,
    pub planned_hours: String,
    pub changed_by: String,
}

fn plan_dto(store: &stationdesk::Store, station_id: i64, year: i32) -> Reply<PlanDto> {
    Ok(PlanDto {
        year,
        lines: store
            .plan(station_id, year)?
            .into_iter()
            .map(|l| PlanLineDto {
                id: l.id,
                month: l.month,
                title: l.title,
                area: l.area,
                method: l.method,
                trainer: l.trainer,
                planned_hours: l.planned_hours,
                dropped_on: l.dropped_on,
                sessions: l.sessions,
                done_hours: l.done_hours,
            })
            .collect(),
        changes: store
            .plan_changes(station_id, year)?
            .into_iter()
            .map(|c| PlanChangeDto {
                title: c.title,
                what: c.what,
                changed_by: c.changed_by,
                changed_at: c.changed_at.format("%Y-%m-%d %H:%M").to_string(),
                reason: c.reason,
            })
            .collect(),
    })
}

#[tauri::command]
pub async fn training_plan(app: State<'_, App>, station_id: i64, year: i32) -> Reply<PlanDto> {
    let mut held = hold(&app)?;
    plan_dto(held.get()?, station_id, year)
}

#[tauri::command]
pub async fn add_plan_item(
    app: State<'_, App>,
    station_id: i64,
    form: PlanItemForm,
) -> Reply<PlanDto> {
    let input = stationdesk::model::PlanItemInput {
        station_id,
        year: form.year,
        title: form.title,
        area: form.area,
        method: form.method,
        month: form.month,
        trainer_id: form.trainer_id,
        planned_hours: form.planned_hours,
    };
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.add_plan_item(&input, &form.changed_by, now())?;
    let year = input.validate().map(|p| p.year).unwrap_or_default();
    plan_dto(store, station_id, year)
}

#[tauri::command]
pub async fn drop_plan_item(
    app: State<'_, App>,
    station_id: i64,
    year: i32,
    id: i64,
    reason: String,
    changed_by: String,
) -> Reply<PlanDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.drop_plan_item(id, &reason, &changed_by, now())?;
    plan_dto(store, station_id, year)
}

/// Adds a trainer to the pool and answers with the whole pool.
#[tauri::command]
pub async fn add_trainer(
    app: State<'_, App>,
    name: String,
    unit: String,
    expertise: String,
) -> Reply<Vec<TrainerDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.add_trainer(&name, &unit, &expertise)?;
    trainers_dto(store)
}
