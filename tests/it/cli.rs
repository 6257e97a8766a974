use crate::fixture::{json_out, stationdesk};
use assert_cmd::Command;
use chrono::Datelike;
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn a_command_on_a_missing_database_creates_nothing_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("mistyped");
    let db = folder.join("station.sqlite3");
    for args in [
        &["staff", "list"][..],
        &["check"],
        &["overdue"],
        &["backups"],
        &["export", "--all", "--out", "x.bundle"],
    ] {
        stationdesk(&db)
            .args(args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(format!(
                "there is no database at {}",
                db.display()
            )));
        assert!(!folder.exists(), "{args:?} made nothing");
    }
    // A template needs no database and makes none.
    let template = dir.path().join("roster.xlsx");
    stationdesk(&db)
        .args(["template", "roster", "--out"])
        .arg(&template)
        .assert()
        .success();
    assert!(template.exists());
    assert!(!folder.exists(), "the template made no database");
    // An import that fails, or only looks, takes away the database it
    // made; one that succeeds keeps it.
    let source = dir.path().join("source.sqlite3");
    stationdesk(&source).arg("demo").assert().success();
    let bundle = dir.path().join("all.bundle");
    stationdesk(&source)
        .args(["export", "--all", "--out"])
        .arg(&bundle)
        .assert()
        .success();
    let damaged = dir.path().join("damaged.bundle");
    let bytes = std::fs::read(&bundle).expect("read");
    std::fs::write(&damaged, &bytes[..bytes.len() / 2]).expect("write");
    let missing = dir.path().join("missing.bundle");
    for (args, works) in [
        (&[damaged.as_os_str(), "--dry-run".as_ref()][..], false),
        (&[damaged.as_os_str()], false),
        (&[missing.as_os_str()], false),
        (&[bundle.as_os_str(), "--dry-run".as_ref()], true),
    ] {
        let run = stationdesk(&db).arg("import").args(args).assert();
        if works {
            run.success();
        } else {
            run.failure();
        }
        assert!(!folder.exists(), "import {args:?} left nothing");
    }
    stationdesk(&db)
        .arg("import")
        .arg(&bundle)
        .assert()
        .success();
    stationdesk(&db).args(["staff", "list"]).assert().success();
    // A restore where there is no database puts the backup in place and
    // keeps no "database as it was before".
    let backup = dir.path().join("source-backup.sqlite3");
    stationdesk(&source)
        .args(["backup", "--out"])
        .arg(&backup)
        .assert()
        .success();
    let fresh = dir.path().join("new-laptop").join("station.sqlite3");
    stationdesk(&fresh)
        .arg("restore")
        .arg(&backup)
        .assert()
        .success()
        .stdout(predicate::str::contains("restored").and(predicate::str::contains("kept").not()));
    assert!(!fresh.with_file_name("backups").exists());
    stationdesk(&fresh)
        .args(["staff", "list"])
        .assert()
        .success();
    // An empty file is not a database: it is said so and left as it was.
    let empty = dir.path().join("empty.sqlite3");
    std::fs::write(&empty, b"").expect("touch");
    stationdesk(&empty)
        .args(["staff", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("(the file is empty)"));
    assert_eq!(std::fs::metadata(&empty).expect("meta").len(), 0);
    // A workbook given as the database is named as one (not "encrypted").
    stationdesk(&source)
        .args(["template", "roster", "--out"])
        .arg(&template)
        .assert()
        .success();
    stationdesk(&template)
        .args(["staff", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "is not a StationDesk database: it is a workbook",
        ));
    // What makes a database still does, folder and all.
    std::fs::remove_dir_all(&folder).expect("clear");
    stationdesk(&db).arg("init").assert().success();
    stationdesk(&db).args(["staff", "list"]).assert().success();
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
    // Given a passphrase, it is tried and refused the same way.
    stationdesk(&db)
        .env("STATIONDESK_PASSPHRASE", "some passphrase")
        .args(["staff", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a StationDesk database"));
    assert_eq!(std::fs::read(&db).expect("read"), before);
}

fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("d.sqlite3");
    stationdesk(&db).arg("demo").assert().success();
    (dir, db)
}

#[test]
fn overdue_speaks_json_with_the_documented_keys() {
    let (_dir, db) = demo_db();
    let all = json_out(stationdesk(&db).args(["overdue", "--format", "json"]));
    let flags = all.as_array().expect("array");
    assert!(!flags.is_empty(), "the demo station has overdue work");
    for f in flags {
        for key in [
            "rule",
            "kind",
            "subject_kind",
            "subject_id",
            "record_id",
            "person_id",
            "due",
            "days_overdue",
            "message",
        ] {
            assert!(f.get(key).is_some(), "missing {key} in {f}");
        }
        assert!(f["days_overdue"].as_i64().expect("days") >= 1);
        assert_eq!(f["due"].as_str().expect("due").len(), 10);
    }
    let rules: Vec<&str> = flags.iter().filter_map(|f| f["rule"].as_str()).collect();
    for rule in ["R8", "R17", "R19"] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
    // One supervisor's list is part of the station's.
    let staff = json_out(stationdesk(&db).args(["staff", "list", "--format", "json"]));
    let boss = staff
        .as_array()
        .expect("staff")
        .iter()
        .find(|p| p["role"] == "assistant_supervisor")
        .and_then(|p| p["id"].as_i64())
        .expect("an assistant supervisor");
    let mine = json_out(stationdesk(&db).args([
        "overdue",
        "--format",
        "json",
        "--supervisor",
        &boss.to_string(),
    ]));
    let mine = mine.as_array().expect("array");
    assert!(!mine.is_empty() && mine.len() < flags.len());
    assert!(mine.iter().all(|f| flags.contains(f)));
    let station =
        json_out(stationdesk(&db).args(["overdue", "--format", "json", "--station", "1"]));
    assert_eq!(station.as_array().expect("array").len(), flags.len());
    // A month earlier, less was overdue, and each by fewer days.
    let month = chrono::Local::now().date_naive() - chrono::Days::new(30);
    let earlier = json_out(stationdesk(&db).args([
        "overdue",
        "--format",
        "json",
        "--as-of",
        &month.format("%Y/%m/%d").to_string(),
    ]));
    assert!(earlier.as_array().expect("array").len() < flags.len());
}

#[test]
fn overdue_refuses_bad_input_precisely() {
    let (_dir, db) = demo_db();
    stationdesk(&db)
        .args(["overdue", "--as-of", "2026-02-30"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a date"));
    stationdesk(&db)
        .args(["overdue", "--supervisor", "999"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("staff member 999 does not exist"));
    stationdesk(&db)
        .args(["overdue", "--supervisor", "1", "--station", "1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("not both"));
    stationdesk(&db)
        .args(["case", "show", "NO-SUCH-CASE"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no case has the code"));
}

#[test]
fn case_list_keeps_identities_out_and_case_show_has_them() {
    let (_dir, db) = demo_db();
    let cases = json_out(stationdesk(&db).args(["case", "list", "--format", "json"]));
    let cases = cases.as_array().expect("array");
    assert!(cases.len() > 50);
    for key in [
        "id",
        "code",
        "station_id",
        "owner_id",
        "owner_name",
        "category",
        "risk",
        "stage",
        "difficult",
        "opened_on",
        "closed_on",
        "retain_until",
        "last_contact",
        "contacts",
    ] {
        assert!(cases[0].get(key).is_some(), "missing {key}");
    }
    let text = serde_json::to_string(cases).expect("text");
    for secret in ["real_name", "id_number", "phone", "guardian", "health"] {
        assert!(
            !text.contains(secret),
            "{secret} must stay on the case page"
        );
    }
    let open = json_out(stationdesk(&db).args(["case", "list", "--open", "--format", "json"]));
    assert!(open
        .as_array()
        .expect("array")
        .iter()
        .all(|c| c["closed_on"].is_null()));
    let code = cases[0]["code"].as_str().expect("code");
    let one =
        json_out(stationdesk(&db).args(["case", "show", &code.to_lowercase(), "--format", "json"]));
    assert_eq!(one["code"], code);
    assert!(one["identity"]["real_name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    assert!(one["identity"]["id_number"]
        .as_str()
        .is_some_and(|n| n.len() == 18));
    assert!(!one["contacts_list"]
        .as_array()
        .expect("contacts")
        .is_empty());
    assert!(one["consents"]
        .as_array()
        .expect("consents")
        .iter()
        .any(|c| c["kind"] == "processing"));
    stationdesk(&db)
        .args(["case", "show", code])
        .assert()
        .success()
        .stdout(predicate::str::contains("服务对象").and(predicate::str::contains("接案")));
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
    // A list for an id that names nothing says so instead of listing nothing.
    for (args, says) in [
        (
            &["staff", "list", "--station", "99"][..],
            "station 99 does not exist",
        ),
        (
            &["case", "list", "--station", "99"],
            "station 99 does not exist",
        ),
        (
            &["case", "list", "--owner", "999"],
            "staff member 999 does not exist",
        ),
        (
            &["supervision", "list", "--supervisor", "99"],
            "staff member 99 does not exist",
        ),
    ] {
        stationdesk(&db)
            .args(args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    }
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

    let workload = dir.path().join("workload.pdf");
    stationdesk(&db)
        .args([
            "print",
            "workload",
            "--month",
            &month,
            "--station",
            "1",
            "--out",
        ])
        .arg(&workload)
        .assert()
        .success();
    assert!(std::fs::read(&workload).expect("pdf").starts_with(b"%PDF"));
    let nowhere = dir.path().join("nowhere.pdf");
    stationdesk(&db)
        .args([
            "print",
            "workload",
            "--month",
            &month,
            "--station",
            "404",
            "--out",
        ])
        .arg(&nowhere)
        .assert()
        .failure()
        .stderr(predicate::str::contains("station 404 does not exist"));
    assert!(!nowhere.exists());

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
        .stderr(
            predicate::str::contains(
                "cannot write /no/such/folder/r.pdf: cannot create a file in /no/such/folder: \
                 it does not exist",
            )
            .and(predicate::str::contains("at path").not()),
        );
}

#[test]
fn the_workload_table_exports_to_excel_and_reads_back() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let (dir, db) = demo_db();
    let month = (chrono::Local::now().date_naive() - chrono::Days::new(31))
        .format("%Y-%m")
        .to_string();
    let rows = json_out(stationdesk(&db).args(["workload", "--month", &month, "--format", "json"]));
    let rows = rows.as_array().expect("array");
    let path = dir.path().join("workload.xlsx");
    stationdesk(&db)
        .args(["export-xlsx", "workload", "--month", &month, "--out"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote"));
    let mut book: Xlsx<_> = open_workbook(&path).expect("an xlsx file");
    let sheet = book
        .worksheet_range(stationdesk::xlsx::WORKLOAD_SHEET)
        .expect("the workload sheet");
    let cells: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
    assert_eq!(cells[0][0], Data::String(format!("{month} 督导工作量")));
    let heads: Vec<String> = cells[1].iter().map(|c| c.to_string()).collect();
    assert_eq!(heads, stationdesk::xlsx::WORKLOAD_COLUMNS);
    assert_eq!(cells.len(), rows.len() + 2, "a row per supervisor");
    for (row, want) in cells[2..].iter().zip(rows) {
        assert_eq!(
            row[1],
            Data::String(want["name"].as_str().expect("name").into())
        );
        let number = |c: &Data| match c {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            other => panic!("not a number: {other:?}"),
        };
        assert_eq!(
            number(&row[3]),
            want["supervisees"].as_f64().expect("supervisees")
        );
        assert_eq!(
            number(&row[6]),
            want["sessions"].as_f64().expect("sessions")
        );
        let coverage = want["coverage_pct"].as_f64().expect("coverage");
        assert!(
            (number(&row[9]) - coverage).abs() < 0.06,
            "{row:?} vs {want}"
        );
    }
    // A folder that does not exist: a precise message and no file.
    let bad = dir.path().join("no/such/folder/w.xlsx");
    stationdesk(&db)
        .args(["export-xlsx", "workload", "--month", &month, "--out"])
        .arg(&bad)
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot write"));
    assert!(!bad.exists());
}

#[test]
fn policy_changes_are_dated_kept_and_used_for_their_months() {
    let (_dir, db) = demo_db();
    let this_month = chrono::Local::now().date_naive();
    let month = this_month.format("%Y-%m").to_string();
    let last_month = (this_month.with_day(1).expect("first") - chrono::Days::new(1))
        .format("%Y-%m")
        .to_string();
    let figures = json_out(stationdesk(&db).args(["policy", "show", "--format", "json"]));
    let figures = figures.as_array().expect("array");
    assert_eq!(figures.len(), stationdesk::model::Policy::SETTINGS.len());
    let ratio = figures
        .iter()
        .find(|f| f["key"] == "ratio_supervisor")
        .expect("R1 listed");
    assert_eq!(ratio["rule"], "R1");
    assert_eq!(ratio["default"], 14);
    assert_eq!(ratio["value"], 14);
    assert!(ratio["source"].as_str().expect("source").contains("第八条"));

    stationdesk(&db)
        .args([
            "policy",
            "set",
            "ratio_supervisor",
            "10",
            "--by",
            "王督导",
            "--note",
            "县里要求",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "ratio_supervisor = 10 from {month}"
        )));
    let limits = |m: &str| -> Vec<Value> {
        json_out(stationdesk(&db).args(["workload", "--month", m, "--format", "json"]))
            .as_array()
            .expect("array")
            .iter()
            .filter(|r| r["role"] == "trainee_supervisor")
            .map(|r| r["ratio_limit"].clone())
            .collect()
    };
    assert_eq!(
        limits(&month),
        [Value::from(10)],
        "this month: the new figure"
    );
    assert_eq!(
        limits(&last_month),
        [Value::from(14)],
        "last month: as it was"
    );

    let history = json_out(stationdesk(&db).args(["policy", "history", "--format", "json"]));
    let change = &history.as_array().expect("array")[0];
    assert_eq!(change["key"], "ratio_supervisor");
    assert_eq!(change["value"], 10);
    assert_eq!(change["from"], month.as_str());
    assert_eq!(change["changed_by"], "王督导");
    assert_eq!(change["note"], "县里要求");

    for (args, message) in [
        (
            vec!["policy", "set", "ratio_supervisor", "0", "--by", "王"],
            "value must be a whole number from 1",
        ),
        (
            vec!["policy", "set", "no_such", "3", "--by", "王"],
            "there is no figure \"no_such\": `stationdesk policy show` lists them",
        ),
        (
            vec![
                "policy",
                "set",
                "registration_years",
                "4294967295",
                "--by",
                "王",
            ],
            "registration_years can be at most 10 (given 4294967295)",
        ),
        (
            vec![
                "policy",
                "set",
                "contact_days_high",
                "99999999999999999999",
                "--by",
                "王",
            ],
            "contact_days_high can be at most 3660",
        ),
        (
            vec!["policy", "set", "ratio_supervisor", "9", "--by", " "],
            "--by is required",
        ),
        (
            vec![
                "policy",
                "set",
                "ratio_supervisor",
                "9",
                "--by",
                "王",
                "--from",
                "明年",
            ],
            "--from is not a month",
        ),
    ] {
        stationdesk(&db)
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(message));
    }
    let history = json_out(stationdesk(&db).args(["policy", "history", "--format", "json"]));
    assert_eq!(
        history.as_array().expect("array").len(),
        1,
        "refusals write nothing"
    );
    // The staff list's registration expiry follows the registration period
    // in force (R16), as the hours ledger does.
    let expiries = |db: &std::path::Path| -> Vec<(String, String)> {
        json_out(stationdesk(db).args(["staff", "list", "--format", "json"]))
            .as_array()
            .expect("array")
            .iter()
            .filter(|s| !s["registration_date"].is_null())
            .map(|s| {
                (
                    s["registration_date"].as_str().expect("date").to_owned(),
                    s["registration_expiry"].as_str().expect("date").to_owned(),
                )
            })
            .collect()
    };
    let three = expiries(&db);
    assert!(!three.is_empty());
    let years_after = |date: &str, years: u32| {
        let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("date");
        (d + chrono::Months::new(12 * years)).to_string()
    };
    for (registered, expiry) in &three {
        assert_eq!(expiry, &years_after(registered, 3));
    }
    stationdesk(&db)
        .args([
            "policy",
            "set",
            "registration_years",
            "5",
            "--by",
            "王",
            "--from",
        ])
        .arg(chrono::Local::now().format("%Y-%m").to_string())
        .assert()
        .success();
    for (registered, expiry) in expiries(&db) {
        assert_eq!(expiry, years_after(&registered, 5));
    }
}

#[test]
fn training_commands_list_show_count_hours_and_print_the_signin_sheet() {
    let (dir, db) = demo_db();
    let list = json_out(stationdesk(&db).args(["training", "list", "--format", "json"]));
    let list = list.as_array().expect("array");
    assert!(list.len() >= 20, "a year of fortnightly sessions");
    let id = list[0]["id"].to_string();
    for key in [
        "id",
        "title",
        "area",
        "method",
        "date",
        "hours",
        "counts_ce",
        "attended",
    ] {
        assert!(list[0].get(key).is_some(), "{key} in {}", list[0]);
    }
    let show = json_out(stationdesk(&db).args(["training", "show", &id, "--format", "json"]));
    assert!(!show["attendance"]
        .as_array()
        .expect("attendance")
        .is_empty());

    let hours = json_out(stationdesk(&db).args(["training", "hours", "--format", "json"]));
    let hours = hours.as_array().expect("array");
    assert!(!hours.is_empty());
    for key in [
        "staff_id",
        "qualification",
        "period_start",
        "period_end",
        "required_hours",
        "earned_hours",
        "prorated_target",
        "behind",
    ] {
        assert!(hours[0].get(key).is_some(), "{key} in {}", hours[0]);
    }
    stationdesk(&db)
        .args(["training", "hours", "--as-of", "2026-02-30"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a date"));
    stationdesk(&db)
        .args(["training", "show", "99999"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("training 99999 does not exist"));

    let ledger = dir.path().join("hours.xlsx");
    stationdesk(&db)
        .args(["export-xlsx", "hours", "--out"])
        .arg(&ledger)
        .assert()
        .success();
    {
        use calamine::{open_workbook, Data, Reader, Xlsx};
        let mut book: Xlsx<_> = open_workbook(&ledger).expect("an xlsx file");
        let sheet = book
            .worksheet_range(stationdesk::xlsx::HOURS_SHEET)
            .expect("the hours sheet");
        let cells: Vec<Vec<Data>> = sheet.rows().map(|r| r.to_vec()).collect();
        let heads: Vec<String> = cells[1].iter().map(|c| c.to_string()).collect();
        assert_eq!(heads, stationdesk::xlsx::HOURS_COLUMNS);
        assert_eq!(cells.len(), hours.len() + 2, "a row per certified worker");
        assert_eq!(
            cells[2][0],
            Data::String(hours[0]["name"].as_str().expect("name").into())
        );
        let earned = match &cells[2][5] {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            other => panic!("not a number: {other:?}"),
        };
        assert!((earned - hours[0]["earned_hours"].as_f64().expect("hours")).abs() < 1e-9);
    }

    let report = dir.path().join("hours.pdf");
    stationdesk(&db)
        .args(["print", "hours", "--out"])
        .arg(&report)
        .assert()
        .success();
    assert!(std::fs::read(&report).expect("pdf").starts_with(b"%PDF"));
    let certified = hours[0]["staff_id"].to_string();
    let certificate = dir.path().join("certificate.pdf");
    stationdesk(&db)
        .args(["print", "hours", "--staff", &certified, "--out"])
        .arg(&certificate)
        .assert()
        .success();
    assert!(std::fs::read(&certificate)
        .expect("pdf")
        .starts_with(b"%PDF"));
    let staff = json_out(stationdesk(&db).args(["staff", "list", "--format", "json"]));
    let uncertified = staff
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["qualification"] == "none")
        .expect("someone uncertified")["id"]
        .to_string();
    let nothing = dir.path().join("nothing.pdf");
    stationdesk(&db)
        .args(["print", "hours", "--staff", &uncertified, "--out"])
        .arg(&nothing)
        .assert()
        .failure()
        .stderr(predicate::str::contains("has no registration"));
    assert!(!nothing.exists());

    let sheet = dir.path().join("signin.pdf");
    stationdesk(&db)
        .args(["print", "signin", &id, "--out"])
        .arg(&sheet)
        .assert()
        .success();
    assert!(std::fs::read(&sheet).expect("pdf").starts_with(b"%PDF"));
}

#[test]
fn names_for_the_permanent_logs_are_one_short_line() {
    let (dir, db) = demo_db();
    for (args, says) in [
        (
            vec!["--as", "evil\n2026-01-01 admin", "staff", "list"],
            "--as takes a name: one line of at most 40 characters",
        ),
        (
            vec!["policy", "set", "ratio_supervisor", "9", "--by", "a\nb"],
            "--by contains a character that cannot be stored",
        ),
    ] {
        stationdesk(&db)
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(says));
    }
    let long = "县".repeat(61);
    stationdesk(&db)
        .args(["export", "--since-last", &long, "--out"])
        .arg(dir.path().join("x.bundle"))
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "one line of at most 60 characters",
        ));
    assert!(!dir.path().join("x.bundle").exists());
    let audit = json_out(stationdesk(&db).args(["audit", "list", "--format", "json"]));
    assert!(!audit.to_string().contains("evil"));
}
