use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn stationdesk(db: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("stationdesk").expect("binary");
    cmd.arg("--db").arg(db).env_remove("STATIONDESK_DB");
    cmd
}

#[test]
fn init_demo_and_list_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("a.sqlite3");
    stationdesk(&db)
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("database ready"));
    stationdesk(&db)
        .args(["demo", "--scale", "station", "--seed", "5"])
        .assert()
        .success()
        .stdout(predicate::str::contains("loaded 1 station(s) and 23 staff"));
    let out = stationdesk(&db)
        .args(["staff", "list", "--format", "json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("a JSON array");
    assert_eq!(rows.len(), 23);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "station_id",
        "station_name",
        "name",
        "role",
        "qualification",
        "certificate_no",
        "registration_date",
        "registration_expiry",
        "start_date",
        "active",
        "left_date",
        "supervisor_id",
        "supervisor_name",
    ] {
        assert!(keys.contains(&key), "missing key {key} in {keys:?}");
    }
    assert!(rows.iter().any(|r| r["role"] == "assistant_supervisor"));
    assert!(
        rows.iter().any(|r| r["active"] == false),
        "the demo has one person who left"
    );
}

#[test]
fn the_table_speaks_chinese() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("b.sqlite3");
    stationdesk(&db).args(["demo"]).assert().success();
    stationdesk(&db)
        .args(["staff", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("督导助理").and(predicate::str::contains("姓名")));
}

#[test]
fn the_environment_variable_chooses_the_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("env.sqlite3");
    Command::cargo_bin("stationdesk")
        .expect("binary")
        .env("STATIONDESK_DB", &db)
        .arg("demo")
        .assert()
        .success();
    assert!(db.exists());
}

#[test]
fn a_second_demo_is_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("c.sqlite3");
    stationdesk(&db).arg("demo").assert().success();
    stationdesk(&db)
        .arg("demo")
        .assert()
        .failure()
        .stderr(predicate::str::contains("already holds 1 station(s)"));
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("notes.txt");
    std::fs::write(&db, "这不是数据库 — just some notes\n".repeat(100)).expect("write");
    let before = std::fs::read(&db).expect("read");
    stationdesk(&db)
        .args(["staff", "list"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("stationdesk:")
                .and(predicate::str::contains("not a database")),
        );
    assert_eq!(std::fs::read(&db).expect("read"), before);
}

#[test]
fn county_scale_makes_a_thousand_staff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("county.sqlite3");
    stationdesk(&db)
        .args(["demo", "--scale", "county"])
        .assert()
        .success();
    let out = stationdesk(&db)
        .args(["staff", "list", "--format", "json"])
        .output()
        .expect("run");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(rows.len(), 1000);
}

#[test]
fn supervision_list_and_show_speak_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.sqlite3");
    stationdesk(&db).arg("demo").assert().success();
    let out = stationdesk(&db)
        .args(["supervision", "list", "--format", "json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(rows.len() > 50, "six months of records, got {}", rows.len());
    for key in [
        "id",
        "year",
        "number",
        "date",
        "start_time",
        "end_time",
        "hours",
        "mode",
        "supervisor_id",
        "supervisor_name",
        "supervisees",
        "topic",
        "signatures",
        "signers_needed",
        "fully_signed",
        "locked",
        "amended",
        "signature_overdue",
    ] {
        assert!(rows[0].get(key).is_some(), "missing key {key}");
    }
    let supervisor = rows[0]["supervisor_id"].as_i64().expect("id");
    let month = &rows[0]["date"].as_str().expect("date")[..7];
    let out = stationdesk(&db)
        .args([
            "supervision",
            "list",
            "--format",
            "json",
            "--supervisor",
            &supervisor.to_string(),
            "--month",
            month,
        ])
        .output()
        .expect("run");
    let some: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert!(!some.is_empty() && some.len() < rows.len());
    assert!(some.iter().all(|r| r["supervisor_id"] == supervisor
        && r["date"].as_str().expect("date").starts_with(month)));

    let id = rows[0]["id"].to_string();
    let out = stationdesk(&db)
        .args(["supervision", "show", &id, "--format", "json"])
        .output()
        .expect("run");
    let record: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(record["id"], rows[0]["id"]);
    assert!(record["action_items"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
    stationdesk(&db)
        .args(["supervision", "show", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("督导记录").and(predicate::str::contains("行动项")));
}

#[test]
fn supervision_commands_refuse_bad_input_precisely() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("s.sqlite3");
    stationdesk(&db).arg("init").assert().success();
    stationdesk(&db)
        .args(["supervision", "list", "--month", "2026-13"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a month"));
    stationdesk(&db)
        .args(["supervision", "show", "404"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "supervision record 404 does not exist",
        ));
}

#[test]
fn print_writes_whole_pdfs_or_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("p.sqlite3");
    stationdesk(&db).arg("demo").assert().success();
    let out = stationdesk(&db)
        .args(["supervision", "list", "--format", "json"])
        .output()
        .expect("run");
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    let id = rows[0]["id"].to_string();
    let supervisor = rows[0]["supervisor_id"].to_string();
    let month = rows[0]["date"].as_str().expect("date")[..7].to_owned();

    let record = dir.path().join("record.pdf");
    stationdesk(&db)
        .args(["print", "supervision", &id, "--out"])
        .arg(&record)
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote"));
    assert!(std::fs::read(&record).expect("pdf").starts_with(b"%PDF"));

    let summary = dir.path().join("summary.pdf");
    stationdesk(&db)
        .args([
            "print",
            "summary",
            "--supervisor",
            &supervisor,
            "--month",
            &month,
            "--out",
        ])
        .arg(&summary)
        .assert()
        .success();
    assert!(std::fs::read(&summary).expect("pdf").starts_with(b"%PDF"));

    let missing = dir.path().join("missing.pdf");
    stationdesk(&db)
        .args(["print", "supervision", "99999", "--out"])
        .arg(&missing)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "supervision record 99999 does not exist",
        ));
    assert!(!missing.exists(), "no file is left behind");
    stationdesk(&db)
        .args([
            "print",
            "supervision",
            &id,
            "--out",
            "/no/such/folder/r.pdf",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "cannot write /no/such/folder/r.pdf",
        ));
}
