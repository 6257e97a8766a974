//! The wire types of the IPC surface, camelCase. ts-rs generates their
//! TypeScript twins into `ui/src/bindings/` (`cargo test -p stationdesk-app`).

use serde::{Deserialize, Serialize};
use stationdesk::model::{format_date, AssignInput, Qualification, Role, StaffInput};
use stationdesk::store::{LinkView, StaffView, StationSummary};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StationDto {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub township: String,
    pub county: String,
    /// Active staff only.
    #[ts(type = "number")]
    pub staff_count: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StaffDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub station_id: i64,
    pub name: String,
    pub role: Role,
    pub qualification: Qualification,
    pub certificate_no: Option<String>,
    pub registration_date: Option<String>,
    pub registration_expiry: Option<String>,
    pub start_date: String,
    pub active: bool,
    pub left_date: Option<String>,
    #[ts(type = "number | null")]
    pub supervisor_id: Option<i64>,
    pub supervisor_name: Option<String>,
}

/// A staff form as typed; every field is checked in Rust.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StaffForm {
    #[ts(type = "number")]
    pub station_id: i64,
    pub name: String,
    pub role: String,
    pub qualification: String,
    pub certificate_no: String,
    pub registration_date: String,
    pub start_date: String,
    pub active: bool,
    pub left_date: String,
}

/// "From this day on, supervised by": `supervisorId` null ends supervision.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssignForm {
    #[ts(type = "number")]
    pub supervisee_id: i64,
    #[ts(type = "number | null")]
    pub supervisor_id: Option<i64>,
    pub from: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SupervisionLinkDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub supervisor_id: i64,
    pub supervisor_name: String,
    #[ts(type = "number")]
    pub supervisee_id: i64,
    pub supervisee_name: String,
    pub from: String,
    /// The first day no longer supervised; null while current.
    pub to: Option<String>,
}

impl From<StationSummary> for StationDto {
    fn from(s: StationSummary) -> Self {
        let st = s.station;
        StationDto {
            id: st.id,
            name: st.name,
            township: st.township,
            county: st.county,
            staff_count: s.active_staff,
        }
    }
}

impl From<StaffView> for StaffDto {
    fn from(v: StaffView) -> Self {
        let r = v.staff.record;
        StaffDto {
            id: v.staff.id,
            station_id: r.station_id,
            registration_expiry: v.registration_expiry.map(format_date),
            active: r.active(),
            name: r.name,
            role: r.role,
            qualification: r.qualification,
            certificate_no: r.certificate_no,
            registration_date: r.registration_date.map(format_date),
            start_date: format_date(r.start_date),
            left_date: r.left_date.map(format_date),
            supervisor_id: v.supervisor.as_ref().map(|s| s.0),
            supervisor_name: v.supervisor.map(|s| s.1),
        }
    }
}

impl From<LinkView> for SupervisionLinkDto {
    fn from(v: LinkView) -> Self {
        SupervisionLinkDto {
            id: v.link.id,
            supervisor_id: v.link.supervisor_id,
            supervisor_name: v.supervisor_name,
            supervisee_id: v.link.supervisee_id,
            supervisee_name: v.supervisee_name,
            from: format_date(v.link.from),
            to: v.link.to.map(format_date),
        }
    }
}

impl From<StaffForm> for StaffInput {
    fn from(f: StaffForm) -> Self {
        StaffInput {
            station_id: f.station_id,
            name: f.name,
            role: f.role,
            qualification: f.qualification,
            certificate_no: f.certificate_no,
            registration_date: f.registration_date,
            start_date: f.start_date,
            active: f.active,
            left_date: f.left_date,
        }
    }
}

impl From<AssignForm> for AssignInput {
    fn from(f: AssignForm) -> Self {
        AssignInput {
            supervisee_id: f.supervisee_id,
            supervisor_id: f.supervisor_id,
            from: f.from,
        }
    }
}
