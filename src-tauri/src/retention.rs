//! Retention: the cases past their retain-until date and the purge of a
//! closed one's personal information. Wire types and commands; adapters
//! only (the rules are in `stationdesk::store::retention`).

use serde::Serialize;
use stationdesk::model::format_date;
use stationdesk::store::{PurgeReport, RetentionDue};
use tauri::State;
use ts_rs::TS;

use crate::commands::{hold, today, Reply};
use crate::App;

/// A case past its retain-until date (never with the identity).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RetentionDueDto {
    #[ts(type = "number")]
    pub case_id: i64,
    pub code: String,
    #[ts(type = "number")]
    pub station_id: i64,
    pub owner_name: String,
    pub stage: String,
    pub closed_on: Option<String>,
    pub retain_until: String,
    #[ts(type = "number")]
    pub days_past: i64,
    pub has_identity: bool,
    #[ts(type = "number")]
    pub consents: i64,
    pub holds_personal: bool,
    pub purgeable: bool,
    pub purged_on: Option<String>,
    pub purged_by: Option<String>,
}

impl From<RetentionDue> for RetentionDueDto {
    fn from(r: RetentionDue) -> Self {
        RetentionDueDto {
            holds_personal: r.holds_personal(),
            purgeable: r.purgeable(),
            case_id: r.case_id,
            code: r.code,
            station_id: r.station_id,
            owner_name: r.owner_name,
            stage: r.stage.code().into(),
            closed_on: r.closed_on.map(format_date),
            retain_until: format_date(r.retain_until),
            days_past: r.days_past,
            has_identity: r.has_identity,
            consents: r.consents,
            purged_on: r.purged.as_ref().map(|p| format_date(p.0)),
            purged_by: r.purged.map(|p| p.1),
        }
    }
}

/// What a purge removed.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PurgeReportDto {
    #[ts(type = "number")]
    pub case_id: i64,
    pub code: String,
    pub identity_removed: bool,
    #[ts(type = "number")]
    pub consents_removed: i64,
    #[ts(type = "number")]
    pub queue_entries_removed: i64,
    pub checkpointed: bool,
}

impl From<PurgeReport> for PurgeReportDto {
    fn from(r: PurgeReport) -> Self {
        PurgeReportDto {
            case_id: r.case_id,
            code: r.code,
            identity_removed: r.identity_removed,
            consents_removed: r.consents_removed,
            queue_entries_removed: r.queue_entries_removed,
            checkpointed: r.checkpointed,
        }
    }
}

/// A station's cases past their retain-until date today.
#[tauri::command]
pub async fn past_retention(app: State<'_, App>, station_id: i64) -> Reply<Vec<RetentionDueDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .past_retention(today())?
        .into_iter()
        .filter(|r| r.station_id == station_id)
        .map(Into::into)
        .collect())
}

/// Purges a closed case past its date; `confirm` is its code typed again.
#[tauri::command]
pub async fn purge_case(
    app: State<'_, App>,
    case_id: i64,
    confirm: String,
    by: String,
) -> Reply<PurgeReportDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.purge_case(case_id, &confirm, &by, today())?.into())
}
