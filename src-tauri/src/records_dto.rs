//! Wire types of the supervision-record commands (camelCase; ts-rs
//! generates their TypeScript twins into `ui/src/bindings/`).

use serde::{Deserialize, Serialize};
use stationdesk::model::{
    format_date, ActionItemInput, Attendance, AttendeeInput, Function, Mode, RecordInput,
};
use stationdesk::store::{ActionItemView, Draft, RecordSummary, RecordView};
use ts_rs::TS;

/// The record form as typed; every field is checked in Rust.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecordForm {
    #[ts(type = "number")]
    pub supervisor_id: i64,
    pub date: String,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub mode: String,
    pub functions: Vec<String>,
    pub supervisees: Vec<AttendeeForm>,
    pub cases: String,
    pub topic: String,
    pub previous_review: String,
    pub reported: String,
    pub findings: String,
    pub guidance: String,
    pub reflection: String,
    pub disagreement: String,
    pub action_items: Vec<ActionItemForm>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AttendeeForm {
    #[ts(type = "number")]
    pub staff_id: i64,
    pub attendance: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActionItemForm {
    pub what: String,
    #[ts(type = "number | null")]
    pub owner_id: Option<i64>,
    pub due: String,
    pub done: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecordSummaryDto {
    #[ts(type = "number")]
    pub id: i64,
    pub year: i32,
    #[ts(type = "number")]
    pub number: i64,
    pub date: String,
    pub start_time: String,
    pub end_time: String,
    pub hours: f64,
    pub mode: Mode,
    #[ts(type = "number")]
    pub supervisor_id: i64,
    pub supervisor_name: String,
    pub supervisees: Vec<String>,
    pub topic: String,
    pub signatures: u32,
    pub signers_needed: u32,
    pub fully_signed: bool,
    pub locked: bool,
    pub amended: bool,
    /// Not signed by everyone 7 days after the session (R19).
    pub signature_overdue: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecordDto {
    #[ts(type = "number")]
    pub id: i64,
    pub year: i32,
    #[ts(type = "number")]
    pub number: i64,
    pub station: String,
    pub supervisor_name: String,
    pub hours: f64,
    /// The content, with amendments applied, in the form's shape.
    pub form: RecordForm,
    pub attendees: Vec<AttendeeDto>,
    pub action_items: Vec<ActionItemDto>,
    pub signatures: Vec<SignatureDto>,
    /// Who must sign: the supervisor, then each supervisee who attended.
    pub signers: Vec<AttendeeDto>,
    pub amendments: Vec<AmendmentDto>,
    pub locked: bool,
    pub fully_signed: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AttendeeDto {
    #[ts(type = "number")]
    pub staff_id: i64,
    pub name: String,
    pub attendance: Attendance,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActionItemDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub record_id: i64,
    /// "2026年第3次": the record it came from.
    pub record_label: String,
    pub what: String,
    #[ts(type = "number")]
    pub owner_id: i64,
    pub owner_name: String,
    pub due: String,
    pub done: Option<String>,
    pub note: String,
    /// Not done and past its due date today (R8).
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SignatureDto {
    #[ts(type = "number")]
    pub staff_id: i64,
    /// `supervisor` or `supervisee`
    pub role: String,
    pub name: String,
    pub signed_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AmendmentDto {
    pub field: String,
    pub original: String,
    pub amended: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DraftDto {
    pub key: String,
    pub body: String,
    pub updated_at: String,
}

impl From<RecordForm> for RecordInput {
    fn from(f: RecordForm) -> Self {
        RecordInput {
            supervisor_id: f.supervisor_id,
            date: f.date,
            start_time: f.start_time,
            end_time: f.end_time,
            place: f.place,
            mode: f.mode,
            functions: f.functions,
            supervisees: f
                .supervisees
                .into_iter()
                .map(|a| AttendeeInput {
                    staff_id: a.staff_id,
                    attendance: a.attendance,
                })
                .collect(),
            cases: f.cases,
            topic: f.topic,
            previous_review: f.previous_review,
            reported: f.reported,
            findings: f.findings,
            guidance: f.guidance,
            reflection: f.reflection,
            disagreement: f.disagreement,
            action_items: f
                .action_items
                .into_iter()
                .map(|i| ActionItemInput {
                    what: i.what,
                    owner_id: i.owner_id,
                    due: i.due,
                    done: i.done,
                    note: i.note,
                })
                .collect(),
        }
    }
}

fn stamp(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

impl ActionItemDto {
    pub fn new(i: ActionItemView, today: chrono::NaiveDate) -> Self {
        ActionItemDto {
            overdue: stationdesk::model::item_overdue(i.item.due, i.item.done, today),
            id: i.id,
            record_id: i.record_id,
            record_label: format!("{}年第{}次", i.record_year, i.record_number),
            what: i.item.what,
            owner_id: i.item.owner_id,
            owner_name: i.owner_name,
            due: format_date(i.item.due),
            done: i.item.done.map(format_date),
            note: i.item.note,
        }
    }
}

impl RecordDto {
    pub fn new(r: RecordView, today: chrono::NaiveDate) -> Self {
        let locked = r.locked();
        let fully_signed = r.fully_signed();
        let hours = r.content.hours();
        let needed = r.signers_needed();
        let c = r.content;
        let mut signers = vec![AttendeeDto {
            staff_id: c.supervisor_id,
            name: r.supervisor_name.clone(),
            attendance: Attendance::Present,
        }];
        let attendees: Vec<AttendeeDto> = r
            .attendees
            .iter()
            .map(|(id, name, a)| AttendeeDto {
                staff_id: *id,
                name: name.clone(),
                attendance: *a,
            })
            .collect();
        signers.extend(
            attendees
                .iter()
                .filter(|a| needed.contains(&a.staff_id))
                .cloned(),
        );
        let form = RecordForm {
            supervisor_id: c.supervisor_id,
            date: format_date(c.date),
            start_time: c.start_time.format("%H:%M").to_string(),
            end_time: c.end_time.format("%H:%M").to_string(),
            place: c.place,
            mode: c.mode.code().to_owned(),
            functions: c
                .functions
                .iter()
                .map(|f| Function::code(*f).to_owned())
                .collect(),
            supervisees: c
                .supervisees
                .iter()
                .map(|(id, a)| AttendeeForm {
                    staff_id: *id,
                    attendance: a.code().to_owned(),
                })
                .collect(),
            cases: c.cases,
            topic: c.topic,
            previous_review: c.previous_review,
            reported: c.reported,
            findings: c.findings,
            guidance: c.guidance,
            reflection: c.reflection,
            disagreement: c.disagreement,
            action_items: c
                .action_items
                .iter()
                .map(|i| ActionItemForm {
                    what: i.what.clone(),
                    owner_id: Some(i.owner_id),
                    due: format_date(i.due),
                    done: i.done.map(format_date).unwrap_or_default(),
                    note: i.note.clone(),
                })
                .collect(),
        };
        RecordDto {
            id: r.id,
            year: r.year,
            number: r.number,
            station: r.station_name,
            supervisor_name: r.supervisor_name,
            hours,
            form,
            attendees,
            action_items: r
                .items
                .into_iter()
                .map(|i| ActionItemDto::new(i, today))
                .collect(),
            signatures: r
                .signatures
                .into_iter()
                .map(|s| SignatureDto {
                    staff_id: s.staff_id,
                    role: s.role,
                    name: s.name,
                    signed_at: stamp(s.signed_at),
                })
                .collect(),
            signers,
            amendments: r
                .amendments
                .into_iter()
                .map(|a| AmendmentDto {
                    field: a.field,
                    original: a.original,
                    amended: a.amended,
                    reason: a.reason,
                    by: a.by_name,
                    at: stamp(a.at),
                })
                .collect(),
            locked,
            fully_signed,
        }
    }
}

impl RecordSummaryDto {
    pub fn new(r: RecordSummary, today: chrono::NaiveDate) -> Self {
        RecordSummaryDto {
            signature_overdue: stationdesk::model::signature_overdue(
                r.date,
                r.fully_signed(),
                today,
            ),
            fully_signed: r.fully_signed(),
            locked: r.locked(),
            hours: r.hours(),
            id: r.id,
            year: r.year,
            number: r.number,
            date: format_date(r.date),
            start_time: r.start_time.format("%H:%M").to_string(),
            end_time: r.end_time.format("%H:%M").to_string(),
            mode: r.mode,
            supervisor_id: r.supervisor_id,
            supervisor_name: r.supervisor_name,
            supervisees: r.supervisees,
            topic: r.topic,
            signatures: r.signatures as u32,
            signers_needed: r.signers_needed as u32,
            amended: r.amended,
        }
    }
}

impl From<Draft> for DraftDto {
    fn from(d: Draft) -> Self {
        DraftDto {
            key: d.key,
            body: d.body,
            updated_at: stamp(d.updated_at),
        }
    }
}
