//! Test data: a migrated in-memory store and typed builders.

use chrono::NaiveDate;
use stationdesk::model::{NewStation, StaffInput};
use stationdesk::Store;

pub fn day(text: &str) -> NaiveDate {
    stationdesk::model::parse_user_date(text).expect("a test date")
}

/// The day the tests pretend it is.
pub fn today() -> NaiveDate {
    day("2026-11-22")
}

/// A migrated in-memory store with one empty station (id 1).
pub fn store() -> Store {
    let mut store = Store::open_in_memory().expect("in-memory store");
    store
        .add_station(&NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
    store
}

/// A staff form for `role`, valid as it stands; tests change what they test.
pub fn form(name: &str, role: &str) -> StaffInput {
    let certified = role != "frontline";
    StaffInput {
        station_id: 1,
        name: name.into(),
        role: role.into(),
        qualification: if certified { "social_worker" } else { "none" }.into(),
        certificate_no: if certified { "SG2022000001" } else { "" }.into(),
        registration_date: if certified { "2022-06-01" } else { "" }.into(),
        start_date: "2021-03-01".into(),
        active: true,
        left_date: String::new(),
    }
}

/// Adds a person and returns their id.
pub fn add(store: &mut Store, name: &str, role: &str) -> i64 {
    store
        .create_staff(&form(name, role), today())
        .expect("valid staff")
        .id
}
