//! The workload dashboard and the policy settings: wire types (camelCase;
//! ts-rs makes the TypeScript twins) and their commands. Adapters only.

use serde::{Deserialize, Serialize};
use stationdesk::model::{
    AssistantFigures, Code, Invalid, ModeFigures, Month, Policy, PolicyChange, PolicyChangeInput,
    SupervisorMonth, TraineeFigures, TrendPoint,
};
use stationdesk::pdf;
use stationdesk::store::Scope;
use stationdesk::{Store, StoreError};
use tauri::State;
use ts_rs::TS;

use crate::commands::{hold, save_export, today, Reply};
use crate::error::CommandError;
use crate::App;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ModeFiguresDto {
    pub mode: String,
    pub sessions: u32,
    pub hours: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssistantDto {
    pub own_workload: f64,
    pub group_average: f64,
    pub share_pct: f64,
    pub required_pct: u32,
    pub meets_r7: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TraineeDto {
    pub half_days: u32,
    pub half_days_target: u32,
    pub difficult_cases: u32,
    pub difficult_cases_target: u32,
    pub therapeutic_groups: u32,
    pub other_groups: u32,
    pub activities: u32,
    pub meets_r6: bool,
}

/// One supervisor's month, as the dashboard shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupervisorMonthDto {
    #[ts(type = "number")]
    pub supervisor_id: i64,
    pub name: String,
    #[ts(type = "number")]
    pub station_id: i64,
    pub role: String,
    pub supervisees: u32,
    pub ratio_limit: Option<u32>,
    pub load_pct: Option<f64>,
    pub sessions: u32,
    pub hours: f64,
    pub by_mode: Vec<ModeFiguresDto>,
    pub covered: u32,
    pub coverage_pct: f64,
    pub team_case_load: f64,
    pub team_group_sessions: u32,
    pub team_activities: u32,
    pub received_individual: u32,
    pub received_group: u32,
    pub assistant: Option<AssistantDto>,
    pub trainee: Option<TraineeDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TrendPointDto {
    pub month: String,
    pub sessions: u32,
    pub hours: f64,
    pub supervisees: u32,
    pub covered: u32,
    pub coverage_pct: f64,
}

/// The dashboard: the month's rows and the 12 months ending with it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WorkloadDto {
    pub month: String,
    pub rows: Vec<SupervisorMonthDto>,
    pub trend: Vec<TrendPointDto>,
}

impl From<ModeFigures> for ModeFiguresDto {
    fn from(m: ModeFigures) -> Self {
        ModeFiguresDto {
            mode: m.mode.code().to_owned(),
            sessions: m.sessions,
            hours: m.hours,
        }
    }
}

impl From<AssistantFigures> for AssistantDto {
    fn from(a: AssistantFigures) -> Self {
        AssistantDto {
            own_workload: a.own_workload,
            group_average: a.group_average,
            share_pct: a.share_pct,
            required_pct: a.required_pct,
            meets_r7: a.meets_r7,
        }
    }
}

impl From<TraineeFigures> for TraineeDto {
    fn from(t: TraineeFigures) -> Self {
        TraineeDto {
            half_days: t.half_days,
            half_days_target: t.half_days_target,
            difficult_cases: t.difficult_cases,
            difficult_cases_target: t.difficult_cases_target,
            therapeutic_groups: t.therapeutic_groups,
            other_groups: t.other_groups,
            activities: t.activities,
            meets_r6: t.meets_r6,
        }
    }
}

impl From<SupervisorMonth> for SupervisorMonthDto {
    fn from(r: SupervisorMonth) -> Self {
        SupervisorMonthDto {
            supervisor_id: r.supervisor_id,
            name: r.name,
            station_id: r.station_id,
            role: r.role.code().to_owned(),
            supervisees: r.supervisees,
            ratio_limit: r.ratio_limit,
            load_pct: r.load_pct,
            sessions: r.sessions,
            hours: r.hours,
            by_mode: r.by_mode.into_iter().map(Into::into).collect(),
            covered: r.covered,
            coverage_pct: r.coverage_pct,
            team_case_load: r.team_case_load,
            team_group_sessions: r.team_group_sessions,
            team_activities: r.team_activities,
            received_individual: r.received_individual,
            received_group: r.received_group,
            assistant: r.assistant.map(Into::into),
            trainee: r.trainee.map(Into::into),
        }
    }
}

impl From<TrendPoint> for TrendPointDto {
    fn from(t: TrendPoint) -> Self {
        TrendPointDto {
            month: t.month.to_string(),
            sessions: t.sessions,
            hours: t.hours,
            supervisees: t.supervisees,
            covered: t.covered,
            coverage_pct: t.coverage_pct,
        }
    }
}

fn month_of(text: &str) -> Reply<Month> {
    Month::parse(text)
        .ok_or_else(|| StoreError::Invalid(Invalid::one("month", Code::BadMonth)).into())
}

fn scope_of(supervisor_id: Option<i64>, station_id: Option<i64>) -> Scope {
    match (supervisor_id, station_id) {
        (Some(id), _) => Scope::Supervisor(id),
        (None, Some(id)) => Scope::Station(id),
        (None, None) => Scope::All,
    }
}

/// A supervisor's team, a station, or everything, for a month, with its
/// 12-month trend.
#[tauri::command]
pub async fn workload(
    app: State<'_, App>,
    month: String,
    supervisor_id: Option<i64>,
    station_id: Option<i64>,
) -> Reply<WorkloadDto> {
    let month = month_of(&month)?;
    let scope = scope_of(supervisor_id, station_id);
    let mut held = hold(&app)?;
    let store = held.get()?;
    let rows = store.workload(scope, month, today())?;
    let trend = store.workload_trend(scope, month, 12, today())?;
    Ok(WorkloadDto {
        month: month.to_string(),
        rows: rows.into_iter().map(Into::into).collect(),
        trend: trend.into_iter().map(Into::into).collect(),
    })
}

/// Saves the month's workload table of a station (or all) as an Excel
/// workbook (`xlsx`) or an A4 PDF (`pdf`) in the export folder; returns
/// the file's path.
#[tauri::command]
pub async fn export_workload(
    app: State<'_, App>,
    month: String,
    station_id: Option<i64>,
    format: String,
) -> Reply<String> {
    let month = month_of(&month)?;
    let mut held = hold(&app)?;
    let store = held.get()?;
    let scope = scope_of(None, station_id);
    let rows = store.workload(scope, month, today())?;
    let stations = store.station_names()?;
    let name = station_id
        .and_then(|id| stations.get(&id).cloned())
        .unwrap_or_else(|| "全部站点".to_owned());
    let bytes = match format.as_str() {
        "pdf" => {
            let printed_at = format!("打印于 {}", chrono::Local::now().format("%Y-%m-%d %H:%M"));
            pdf::workload_pdf(&pdf::workload_sheet(
                &name,
                month,
                &rows,
                &stations,
                &printed_at,
            ))?
        }
        "xlsx" => stationdesk::xlsx::workload_xlsx(&rows, month, &stations)
            .map_err(|e| CommandError::internal(&e.to_string()))?,
        _ => return Err(StoreError::Invalid(Invalid::one("format", Code::UnknownChoice)).into()),
    };
    save_export(&format!("督导工作量-{name}-{month}.{format}"), &bytes)
}

/// One figure on the settings screen.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyFigureDto {
    pub key: String,
    pub rule: String,
    pub label_zh: String,
    pub source: String,
    pub default: u32,
    /// In force in the month shown.
    pub value: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyChangeDto {
    #[ts(type = "number")]
    pub id: i64,
    pub key: String,
    pub value: u32,
    pub from: String,
    pub changed_by: String,
    /// `YYYY-MM-DD HH:MM`
    pub changed_at: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyDto {
    pub month: String,
    pub figures: Vec<PolicyFigureDto>,
    /// Newest first.
    pub history: Vec<PolicyChangeDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PolicyChangeForm {
    pub key: String,
    pub value: String,
    pub from: String,
    pub changed_by: String,
    pub note: String,
}

impl From<PolicyChange> for PolicyChangeDto {
    fn from(c: PolicyChange) -> Self {
        PolicyChangeDto {
            id: c.id,
            key: c.key,
            value: c.value,
            from: c.from.to_string(),
            changed_by: c.changed_by,
            changed_at: c.changed_at.format("%Y-%m-%d %H:%M").to_string(),
            note: c.note,
        }
    }
}

fn policy_dto(store: &Store, month: Month) -> Reply<PolicyDto> {
    let history = store.policy_history()?;
    let policy = Policy::in_force(&history, month);
    Ok(PolicyDto {
        month: month.to_string(),
        figures: Policy::SETTINGS
            .iter()
            .map(|s| PolicyFigureDto {
                key: s.key.to_owned(),
                rule: s.rule.to_owned(),
                label_zh: s.label_zh.to_owned(),
                source: s.source.to_owned(),
                default: s.default,
                value: policy.get(s.key).unwrap_or(s.default),
            })
            .collect(),
        history: history.into_iter().rev().map(Into::into).collect(),
    })
}

/// Every figure in force in `month`, and every change ever made.
#[tauri::command]
pub async fn policy_settings(app: State<'_, App>, month: String) -> Reply<PolicyDto> {
    let month = month_of(&month)?;
    let mut held = hold(&app)?;
    policy_dto(held.get()?, month)
}

/// Records a change (checked in the core; refused whole), then answers
/// with the settings of the month the change starts from.
#[tauri::command]
pub async fn set_policy(app: State<'_, App>, form: PolicyChangeForm) -> Reply<PolicyDto> {
    let input = PolicyChangeInput {
        key: form.key,
        value: form.value,
        from: form.from,
        changed_by: form.changed_by,
        note: form.note,
    };
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.set_policy(&input, crate::commands::now())?;
    let month = Month::parse(&input.from).unwrap_or_else(|| Month::of(today()));
    policy_dto(store, month)
}

#[cfg(test)]
mod tests {
    use stationdesk::model::Policy;

    /// The window names each figure from its catalogues; the Chinese one
    /// must say what the core says, for every figure.
    #[test]
    fn the_chinese_catalogue_names_every_policy_figure_as_the_core_does() {
        let zh = include_str!("../../ui/src/lib/i18n/zh-CN.ts");
        let en = include_str!("../../ui/src/lib/i18n/en.ts");
        for s in Policy::SETTINGS {
            let line = format!("    {}: '{}',", s.key, s.label_zh);
            assert!(zh.contains(&line), "zh-CN.ts lacks {line}");
            assert!(
                en.contains(&format!("    {}: '", s.key)),
                "en.ts lacks {}",
                s.key
            );
        }
    }
}
