//! Cases, groups and the Today view: wire types (camelCase; ts-rs makes the
//! TypeScript twins) and their commands. Adapters only.

use serde::{Deserialize, Serialize};
use stationdesk::model::{
    format_date, CaseInput, ConsentInput, ContactInput, Flag, FlagKind, GroupInput,
    GroupSessionInput, IdentityInput, SubjectKind,
};
use stationdesk::store::{CaseFilter, CaseSummary, CaseView, GroupView, Scope};
use tauri::State;
use ts_rs::TS;

use crate::commands::{hold, today, Reply};
use crate::App;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CaseForm {
    pub code: String,
    #[ts(type = "number")]
    pub station_id: i64,
    #[ts(type = "number")]
    pub owner_id: i64,
    pub category: String,
    pub risk: String,
    pub stage: String,
    pub difficult: bool,
    pub opened_on: String,
    pub closed_on: String,
    pub retain_until: String,
}

impl From<CaseForm> for CaseInput {
    fn from(f: CaseForm) -> Self {
        CaseInput {
            code: f.code,
            station_id: f.station_id,
            owner_id: f.owner_id,
            category: f.category,
            risk: f.risk,
            stage: f.stage,
            difficult: f.difficult,
            opened_on: f.opened_on,
            closed_on: f.closed_on,
            retain_until: f.retain_until,
        }
    }
}

/// The client's identity, as typed and as shown on the case's own page.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IdentityForm {
    pub real_name: String,
    pub id_number: String,
    pub birth_date: String,
    pub phone: String,
    pub guardian: String,
    pub health_notes: String,
}

impl From<IdentityForm> for IdentityInput {
    fn from(f: IdentityForm) -> Self {
        IdentityInput {
            real_name: f.real_name,
            id_number: f.id_number,
            birth_date: f.birth_date,
            phone: f.phone,
            guardian: f.guardian,
            health_notes: f.health_notes,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ContactForm {
    pub date: String,
    pub kind: String,
    #[ts(type = "number")]
    pub staff_id: i64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConsentForm {
    pub kind: String,
    pub given_on: String,
    pub given_by: String,
    pub scope: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupForm {
    #[ts(type = "number")]
    pub station_id: i64,
    pub kind: String,
    pub name: String,
    pub therapeutic: bool,
    #[ts(type = "number")]
    pub leader_id: i64,
    pub started_on: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupSessionForm {
    pub date: String,
    pub participants: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CaseSummaryDto {
    #[ts(type = "number")]
    pub id: i64,
    pub code: String,
    #[ts(type = "number")]
    pub station_id: i64,
    #[ts(type = "number")]
    pub owner_id: i64,
    pub owner_name: String,
    pub category: String,
    pub risk: String,
    pub risk_since: String,
    pub stage: String,
    pub difficult: bool,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub retain_until: String,
    pub last_contact: Option<String>,
    #[ts(type = "number")]
    pub contacts: i64,
}

impl From<CaseSummary> for CaseSummaryDto {
    fn from(c: CaseSummary) -> Self {
        CaseSummaryDto {
            id: c.id,
            code: c.case.code,
            station_id: c.case.station_id,
            owner_id: c.case.owner_id,
            owner_name: c.owner_name,
            category: c.case.category.code().into(),
            risk: c.case.risk.code().into(),
            risk_since: format_date(c.risk_since),
            stage: c.case.stage.code().into(),
            difficult: c.case.difficult,
            opened_on: format_date(c.case.opened_on),
            closed_on: c.case.closed_on.map(format_date),
            retain_until: format_date(c.case.retain_until),
            last_contact: c.last_contact.map(format_date),
            contacts: c.contacts,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ContactDto {
    #[ts(type = "number")]
    pub id: i64,
    pub date: String,
    pub kind: String,
    pub staff_name: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConsentDto {
    pub kind: String,
    pub given_on: String,
    pub given_by: String,
    pub scope: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DiscussedDto {
    #[ts(type = "number")]
    pub record_id: i64,
    pub date: String,
    pub year: i32,
    #[ts(type = "number")]
    pub number: i64,
}

/// The case's own page: the one reply that carries the client's identity.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CaseDto {
    pub summary: CaseSummaryDto,
    pub identity: Option<IdentityForm>,
    pub consents: Vec<ConsentDto>,
    pub contacts: Vec<ContactDto>,
    pub discussed_in: Vec<DiscussedDto>,
}

impl From<CaseView> for CaseDto {
    fn from(v: CaseView) -> Self {
        CaseDto {
            summary: v.summary.into(),
            identity: v.identity.map(|i| IdentityForm {
                real_name: i.real_name,
                id_number: i.id_number,
                birth_date: i.birth_date.map(format_date).unwrap_or_default(),
                phone: i.phone,
                guardian: i.guardian,
                health_notes: i.health_notes,
            }),
            consents: v
                .consents
                .into_iter()
                .map(|c| ConsentDto {
                    kind: c.consent.kind.code().into(),
                    given_on: format_date(c.consent.given_on),
                    given_by: c.consent.given_by,
                    scope: c.consent.scope,
                })
                .collect(),
            contacts: v
                .contacts
                .into_iter()
                .map(|c| ContactDto {
                    id: c.id,
                    date: format_date(c.contact.date),
                    kind: c.contact.kind.code().into(),
                    staff_name: c.staff_name,
                    note: c.contact.note,
                })
                .collect(),
            discussed_in: v
                .discussed_in
                .into_iter()
                .map(|d| DiscussedDto {
                    record_id: d.record_id,
                    date: format_date(d.date),
                    year: d.year,
                    number: d.number,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupSessionDto {
    #[ts(type = "number")]
    pub id: i64,
    pub date: String,
    pub participants: u32,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GroupDto {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub therapeutic: bool,
    #[ts(type = "number")]
    pub leader_id: i64,
    pub leader_name: String,
    pub started_on: String,
    pub sessions: Vec<GroupSessionDto>,
}

impl From<GroupView> for GroupDto {
    fn from(g: GroupView) -> Self {
        GroupDto {
            id: g.id,
            kind: g.group.kind.code().into(),
            name: g.group.name,
            therapeutic: g.group.therapeutic,
            leader_id: g.group.leader_id,
            leader_name: g.leader_name,
            started_on: format_date(g.group.started_on),
            sessions: g
                .sessions
                .into_iter()
                .map(|(id, s)| GroupSessionDto {
                    id,
                    date: format_date(s.date),
                    participants: s.participants,
                    note: s.note,
                })
                .collect(),
        }
    }
}

/// One overdue flag. `message` is the Chinese sentence from the core; the
/// UI shows it as is (the rule, dates and days are also here for English).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FlagDto {
    pub rule: String,
    pub kind: FlagKind,
    pub subject_kind: SubjectKind,
    #[ts(type = "number")]
    pub subject_id: i64,
    #[ts(type = "number | null")]
    pub record_id: Option<i64>,
    #[ts(type = "number")]
    pub person_id: i64,
    pub due: String,
    #[ts(type = "number")]
    pub days_overdue: i64,
    pub message: String,
}

impl From<Flag> for FlagDto {
    fn from(f: Flag) -> Self {
        FlagDto {
            rule: f.rule.code().into(),
            kind: f.kind,
            subject_kind: f.subject_kind,
            subject_id: f.subject_id,
            record_id: f.record_id,
            person_id: f.person_id,
            due: format_date(f.due),
            days_overdue: f.days_overdue,
            message: f.message,
        }
    }
}

#[tauri::command]
pub async fn list_cases(
    app: State<'_, App>,
    station_id: i64,
    owner_id: Option<i64>,
    open_only: bool,
) -> Reply<Vec<CaseSummaryDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let rows = store.list_cases(CaseFilter {
        station_id: Some(station_id),
        owner_id,
        open_only,
    })?;
    Ok(rows.into_iter().map(Into::into).collect())
}

#[tauri::command]
pub async fn get_case(app: State<'_, App>, id: i64) -> Reply<CaseDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.case_view(id)?.into())
}

#[tauri::command]
pub async fn create_case(
    app: State<'_, App>,
    form: CaseForm,
    identity: Option<IdentityForm>,
) -> Reply<CaseDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let identity: Option<IdentityInput> = identity.map(Into::into);
    let id = store.create_case(&form.into(), identity.as_ref(), today())?;
    Ok(store.case_view(id)?.into())
}

#[tauri::command]
pub async fn update_case(app: State<'_, App>, id: i64, form: CaseForm) -> Reply<CaseDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.update_case(id, &form.into(), today())?;
    Ok(store.case_view(id)?.into())
}

#[tauri::command]
pub async fn set_identity(app: State<'_, App>, case_id: i64, form: IdentityForm) -> Reply<CaseDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.set_identity(case_id, &form.into(), today())?;
    Ok(store.case_view(case_id)?.into())
}

#[tauri::command]
pub async fn add_contact(app: State<'_, App>, case_id: i64, form: ContactForm) -> Reply<CaseDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let input = ContactInput {
        date: form.date,
        kind: form.kind,
        staff_id: form.staff_id,
        note: form.note,
    };
    store.add_contact(case_id, &input, today())?;
    Ok(store.case_view(case_id)?.into())
}

#[tauri::command]
pub async fn add_consent(app: State<'_, App>, case_id: i64, form: ConsentForm) -> Reply<CaseDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let input = ConsentInput {
        kind: form.kind,
        given_on: form.given_on,
        given_by: form.given_by,
        scope: form.scope,
    };
    store.add_consent(case_id, &input, today())?;
    Ok(store.case_view(case_id)?.into())
}

#[tauri::command]
pub async fn list_groups(app: State<'_, App>, station_id: i64) -> Reply<Vec<GroupDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store
        .list_groups(Some(station_id))?
        .into_iter()
        .map(Into::into)
        .collect())
}

#[tauri::command]
pub async fn create_group(app: State<'_, App>, form: GroupForm) -> Reply<i64> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let input = GroupInput {
        station_id: form.station_id,
        kind: form.kind,
        name: form.name,
        therapeutic: form.therapeutic,
        leader_id: form.leader_id,
        started_on: form.started_on,
    };
    Ok(store.create_group(&input, today())?)
}

#[tauri::command]
pub async fn add_group_session(
    app: State<'_, App>,
    group_id: i64,
    form: GroupSessionForm,
) -> Reply<i64> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let input = GroupSessionInput {
        date: form.date,
        participants: form.participants,
        note: form.note,
    };
    Ok(store.add_group_session(group_id, &input, today())?)
}

/// Every flag today for a supervisor's team, or for a station.
#[tauri::command]
pub async fn overdue(
    app: State<'_, App>,
    supervisor_id: Option<i64>,
    station_id: Option<i64>,
) -> Reply<Vec<FlagDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let scope = match (supervisor_id, station_id) {
        (Some(id), _) => Scope::Supervisor(id),
        (None, Some(id)) => Scope::Station(id),
        (None, None) => Scope::All,
    };
    Ok(store
        .overdue(scope, today())?
        .into_iter()
        .map(Into::into)
        .collect())
}
