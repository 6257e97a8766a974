//! Test data: a migrated in-memory store and typed builders.

use std::path::Path;

use assert_cmd::Command;
use chrono::NaiveDate;
use serde_json::Value;
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
        // Each person their own number, as the store requires.
        certificate_no: if certified {
            let n = name
                .chars()
                .fold(17u64, |h, c| h.wrapping_mul(31).wrapping_add(c as u64));
            format!("SG{:010}", n % 10_000_000_000)
        } else {
            String::new()
        },
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

/// The `stationdesk` command line on `db`, deaf to the environment
/// variables it reads (the database, passphrases, the user), so a test sees
/// only what it sets.
pub fn stationdesk(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("stationdesk").expect("binary");
    cmd.arg("--db").arg(db);
    for var in [
        "STATIONDESK_DB",
        "STATIONDESK_PASSPHRASE",
        "STATIONDESK_NEW_PASSPHRASE",
        "STATIONDESK_USER",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs a command that must succeed and answers its JSON output.
pub fn json_out(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The rows of a two-column query on a database file, through a raw
/// connection (as another program would read it).
pub fn pairs<A: rusqlite::types::FromSql, B: rusqlite::types::FromSql>(
    db: &Path,
    sql: &str,
) -> Vec<(A, B)> {
    let conn = rusqlite::Connection::open(db).expect("raw connection");
    let mut stmt = conn.prepare(sql).expect("prepare");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    rows
}

/// The triggers of a database file: name and SQL, by name.
pub fn triggers(db: &Path) -> Vec<(String, String)> {
    pairs(
        db,
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name",
    )
}
