//! Backups (issue 8): encrypted copies by the online backup API, rotation,
//! the daily, migration and import backups, and restores that are checked
//! before they replace anything.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::NaiveDateTime;
use predicates::prelude::*;
use stationdesk::demo::{self, Scale};
use stationdesk::store::backup::{backup_dir, list_backups, restore_file, Reason};
use stationdesk::store::{file_kind, AuditFilter, FileKind, Passphrase};
use stationdesk::{Store, StoreError};

use crate::fixture::{form, today};

const SECRET: &str = "备份测试 passphrase";

fn key() -> Passphrase {
    Passphrase::given(SECRET).expect("passphrase")
}

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").expect("a time")
}

fn names(store: &Store) -> Vec<String> {
    let mut names: Vec<String> = store
        .list_staff(None, today())
        .expect("staff")
        .into_iter()
        .map(|v| v.staff.record.name)
        .collect();
    names.sort();
    names
}

fn encrypted_demo(db: &Path) -> Store {
    let mut store = Store::open_encrypted(db, &key()).expect("create");
    store
        .load_demo(&demo::generate(Scale::Station, demo::DEFAULT_SEED, today()))
        .expect("demo");
    store
}

#[test]
fn a_backup_is_encrypted_like_the_database_and_opens_with_its_passphrase() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let store = encrypted_demo(&db);
    let mut steps = Vec::new();
    let info = store
        .backup(
            Reason::Manual,
            at("2026-11-23 08:15:02"),
            &mut |done, total| steps.push((done, total)),
        )
        .expect("backup")
        .expect("a file store has backups");
    assert_eq!(
        info.path,
        backup_dir(&db).join("station-20261123-081502-manual.sqlite3")
    );
    let (done, total) = *steps.last().expect("progress reported");
    assert!(
        total > 0 && done == total,
        "progress ends complete: {steps:?}"
    );
    assert_eq!(file_kind(&info.path).expect("kind"), FileKind::Encrypted);
    let raw = std::fs::read(&info.path).expect("bytes");
    let first = names(&store)[0].clone();
    assert!(!raw.windows(first.len()).any(|w| w == first.as_bytes()));
    assert!(!Path::new(&format!("{}-wal", info.path.display())).exists());
    let copy = Store::open_encrypted(&info.path, &key()).expect("the backup opens");
    assert_eq!(names(&copy), names(&store));
}

#[test]
fn backups_rotate_and_the_daily_one_is_made_once_a_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let store = encrypted_demo(&db);
    for minute in 0..8 {
        store
            .backup(
                Reason::Manual,
                at(&format!("2026-11-23 09:{minute:02}:00")),
                &mut |_, _| {},
            )
            .expect("backup");
    }
    let manual: Vec<_> = list_backups(&db)
        .expect("list")
        .into_iter()
        .filter(|b| b.reason == Reason::Manual)
        .collect();
    assert_eq!(manual.len(), Reason::Manual.kept());
    assert_eq!(
        manual[0].made_at,
        at("2026-11-23 09:07:00"),
        "newest first, newest kept"
    );

    assert!(store
        .backup_daily(at("2026-11-23 10:00:00"))
        .expect("daily")
        .is_some());
    assert!(store
        .backup_daily(at("2026-11-23 18:00:00"))
        .expect("daily")
        .is_none());
    assert!(store
        .backup_daily(at("2026-11-24 07:00:00"))
        .expect("daily")
        .is_some());
    // Two in the same second do not overwrite each other.
    let a = store
        .backup(Reason::Import, at("2026-11-24 07:00:00"), &mut |_, _| {})
        .expect("a")
        .expect("file");
    let b = store
        .backup(Reason::Import, at("2026-11-24 07:00:00"), &mut |_, _| {})
        .expect("b")
        .expect("file");
    assert_ne!(a.path, b.path);
}

#[test]
fn a_restore_puts_the_backup_back_and_keeps_what_it_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let mut store = encrypted_demo(&db);
    let before = names(&store);
    let backup = store
        .backup(Reason::Manual, at("2026-11-23 08:00:00"), &mut |_, _| {})
        .expect("backup")
        .expect("file");
    store
        .create_staff(&form("备份后新来的", "frontline"), today())
        .expect("staff");
    assert_ne!(names(&store), before);

    let report = store
        .restore_from(&backup.path, at("2026-11-23 09:00:00"), &mut |_, _| {})
        .expect("restore");
    assert_eq!(names(&store), before, "the open store sees the backup");
    let saved = report.saved_as.expect("the replaced state is kept");
    assert_eq!(saved.reason, Reason::Restore);
    let kept = Store::open_encrypted(&saved.path, &key()).expect("open the saved state");
    assert!(names(&kept).contains(&"备份后新来的".to_string()));
    // The log (restored with the data) says a restore happened, and the
    // backups before it.
    let actions: Vec<String> = store
        .audit_entries(&AuditFilter::default())
        .expect("log")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.first().map(String::as_str),
        Some("restore"),
        "{actions:?}"
    );
    drop(store);
    let reopened = Store::open_encrypted(&db, &key()).expect("reopen");
    assert_eq!(names(&reopened), before, "and so does the file");
}

#[test]
fn a_damaged_foreign_or_missing_backup_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let mut store = encrypted_demo(&db);
    let before = names(&store);
    let good = store
        .backup(Reason::Manual, at("2026-11-23 08:00:00"), &mut |_, _| {})
        .expect("backup")
        .expect("file");
    let count = || list_backups(&db).expect("list").len();
    let backups_before = count();

    // Damaged: garbage over a page in the middle. SQLCipher's page HMAC
    // catches it.
    let damaged = dir.path().join("damaged.sqlite3");
    let mut bytes = std::fs::read(&good.path).expect("bytes");
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 4096].fill(0x5a);
    std::fs::write(&damaged, &bytes).expect("write");
    let err = store
        .restore_from(&damaged, at("2026-11-23 09:00:00"), &mut |_, _| {})
        .expect_err("damaged");
    assert!(matches!(err, StoreError::BadBackup { .. }), "{err}");

    // Made with another passphrase.
    let other_db = dir.path().join("other/other.sqlite3");
    let other = Store::open_encrypted(
        &other_db,
        &Passphrase::given("另一个密码 other").expect("p"),
    )
    .expect("other");
    let foreign = dir.path().join("foreign.sqlite3");
    other.backup_to(&foreign, &mut |_, _| {}).expect("backup");
    let err = store
        .restore_from(&foreign, at("2026-11-23 09:00:00"), &mut |_, _| {})
        .expect_err("foreign");
    assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");

    // Not there, or not a database at all.
    let err = store
        .restore_from(
            &dir.path().join("nothing.sqlite3"),
            at("2026-11-23 09:00:00"),
            &mut |_, _| {},
        )
        .expect_err("missing");
    assert!(err.to_string().contains("no such file"), "{err}");
    for not_a_file in [dir.path(), Path::new("/dev/null")] {
        let err = store
            .restore_from(not_a_file, at("2026-11-23 09:00:00"), &mut |_, _| {})
            .expect_err("not a file");
        assert!(err.to_string().contains("not a file"), "{err}");
    }
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "不是备份\n".repeat(500)).expect("notes");
    assert!(store
        .restore_from(&notes, at("2026-11-23 09:00:00"), &mut |_, _| {})
        .is_err());
    // An empty file, a workbook and a PDF are named as what they are.
    for (name, bytes, says) in [
        ("empty.sqlite3", &b""[..], "the file is empty"),
        (
            "roster.xlsx",
            b"PK\x03\x04\x14\x00\x06\x00rest of a zip",
            "a workbook",
        ),
        ("record.pdf", b"%PDF-1.7\n%rest of a pdf", "it is a PDF"),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).expect("write");
        let err = store
            .restore_from(&file, at("2026-11-23 09:00:00"), &mut |_, _| {})
            .expect_err(name);
        assert!(err.to_string().contains(says), "{err}");
        assert!(!err.to_string().contains("passphrase"), "{err}");
    }

    assert_eq!(names(&store), before);
    assert_eq!(
        count(),
        backups_before,
        "a refused restore saves nothing either"
    );
}

#[test]
fn a_migration_and_an_import_are_preceded_by_a_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("old.sqlite3");
    {
        let mut conn = rusqlite::Connection::open(&db).expect("raw");
        stationdesk::store::migrations()
            .to_version(&mut conn, stationdesk::store::SCHEMA_VERSION - 1)
            .expect("the previous version");
        conn.execute(
            "INSERT INTO station (name, township, county) VALUES ('旧站', '旧镇', '旧县')",
            [],
        )
        .expect("station");
    }
    let mut store = Store::open(&db).expect("migrates");
    let backups = list_backups(&db).expect("list");
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].reason, Reason::Migration);
    let old = rusqlite::Connection::open(&backups[0].path).expect("open the backup");
    let version: i64 = old
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(
        version as usize,
        stationdesk::store::SCHEMA_VERSION - 1,
        "taken before"
    );
    drop(old);
    // Opening again migrates nothing and backs up nothing.
    drop(store);
    store = Store::open(&db).expect("again");
    assert_eq!(list_backups(&db).expect("list").len(), 1);

    let mut source = Store::open_in_memory().expect("source");
    source
        .load_demo(&demo::generate(Scale::Station, 5, today()))
        .expect("demo");
    let bundle = source
        .export_bundle(None, at("2026-11-23 10:00:00"), &mut |_, _| {})
        .expect("bundle");
    store
        .import_bundle(&bundle, "demo.sdsync", true, at("2026-11-23 10:01:00"))
        .expect("dry run");
    assert_eq!(
        list_backups(&db).expect("list").len(),
        1,
        "a dry run needs no backup"
    );
    store
        .import_bundle(&bundle, "demo.sdsync", false, at("2026-11-23 10:02:00"))
        .expect("import");
    let mut reasons: Vec<Reason> = list_backups(&db)
        .expect("list")
        .iter()
        .map(|b| b.reason)
        .collect();
    reasons.sort();
    assert_eq!(reasons, vec![Reason::Migration, Reason::Import]);
}

fn stationdesk(db: &Path) -> Command {
    let mut cmd = crate::fixture::stationdesk(db);
    cmd.env("STATIONDESK_PASSPHRASE", SECRET);
    cmd
}

#[test]
fn the_command_line_backs_up_lists_and_restores() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    stationdesk(&db).arg("demo").assert().success();
    stationdesk(&db).arg("backup").assert().success().stdout(
        predicate::str::contains("backup written").and(predicate::str::contains("encrypted")),
    );
    let out = stationdesk(&db)
        .args(["backups", "--format", "json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list[0]["reason"], "manual");
    let file = list[0]["path"].as_str().expect("path").to_owned();
    assert!(list[0]["bytes"].as_u64().expect("bytes") > 0);

    stationdesk(&db)
        .arg("restore")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("restored").and(predicate::str::contains("kept as")));
    stationdesk(&db)
        .arg("restore")
        .arg(dir.path().join("no-such-backup.sqlite3"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot be restored"));
    let copy = dir.path().join("copy.sqlite3");
    stationdesk(&db)
        .args(["backup", "--out"])
        .arg(&copy)
        .assert()
        .success();
    assert_eq!(file_kind(&copy).expect("kind"), FileKind::Encrypted);
}

#[test]
fn a_damaged_database_is_set_aside_and_the_backup_put_in_its_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    stationdesk(&db).arg("demo").assert().success();
    stationdesk(&db).arg("backup").assert().success();
    let backup = list_backups(&db).expect("list")[0].path.clone();
    // Noise over a page in the middle, as a failing disk leaves it.
    let mut bytes = std::fs::read(&db).expect("bytes");
    let middle = bytes.len() / 2 / 4096 * 4096;
    bytes[middle..middle + 4096].fill(0x33);
    std::fs::write(&db, &bytes).expect("write");
    stationdesk(&db)
        .arg("check")
        .assert()
        .failure()
        .stderr(predicate::str::contains("restore the latest backup"));

    stationdesk(&db)
        .arg("restore")
        .arg(&backup)
        .assert()
        .success()
        .stdout(predicate::str::contains("damaged database is kept as"));
    stationdesk(&db).arg("check").assert().success();
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept aside, not deleted");
    let out = stationdesk(&db)
        .args(["audit", "list", "--action", "restore", "--format", "json"])
        .output()
        .expect("run");
    let entries: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        entries.as_array().map(Vec::len),
        Some(1),
        "the restore is logged"
    );
}

/// An encrypted demo station in `dir` and a manual backup of it.
fn demo_and_backup(dir: &Path) -> (PathBuf, Store, PathBuf) {
    let db = dir.join("station.sqlite3");
    let store = encrypted_demo(&db);
    let backup = store
        .backup(Reason::Manual, at("2026-11-23 08:15:02"), &mut |_, _| {})
        .expect("backup")
        .expect("a file store has backups")
        .path;
    (db, store, backup)
}

#[test]
fn a_file_put_in_place_of_a_damaged_one_takes_none_of_its_journals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, store, backup) = demo_and_backup(dir.path());
    let before = names(&store);
    drop(store);
    // What a merge killed half way in rollback-journal mode, or a writer
    // in WAL mode, leaves beside the file: it belongs to the damaged file,
    // and beside the backup it would be played back into it.
    for side in ["-wal", "-shm", "-journal"] {
        std::fs::write(dir.path().join(format!("station.sqlite3{side}")), side).expect("side");
    }
    let kept = restore_file(&db, &backup, Some(&key()), at("2026-11-24 09:00:00"))
        .expect("restored")
        .expect("the damaged file is kept");
    for side in ["-wal", "-shm", "-journal"] {
        assert!(
            !dir.path().join(format!("station.sqlite3{side}")).exists(),
            "{side}"
        );
        let aside = format!("{}{side}", kept.display());
        assert_eq!(std::fs::read(&aside).expect("kept aside"), side.as_bytes());
    }
    let store = Store::open_encrypted(&db, &key()).expect("reopen");
    assert_eq!(names(&store), before);
}

#[test]
fn a_restore_whose_copy_fails_leaves_the_damaged_file_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, store, backup) = demo_and_backup(dir.path());
    drop(store);
    let damaged = std::fs::read(&db).expect("the file as it is");
    // Where the copy goes cannot take a file (as on a full disk, the copy
    // fails after the backup passed its check).
    std::fs::create_dir(dir.path().join("station.sqlite3.restoring")).expect("block the copy");
    let err = restore_file(&db, &backup, Some(&key()), at("2026-11-24 09:00:00"))
        .expect_err("the copy cannot be written");
    assert!(
        err.to_string().contains("station.sqlite3.restoring"),
        "names the copy: {err}"
    );
    assert_eq!(
        std::fs::read(&db).expect("still in place"),
        damaged,
        "the database path still holds its file"
    );
    let aside: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("damaged"))
        .collect();
    assert!(aside.is_empty(), "nothing set aside: {aside:?}");
}

#[test]
fn nothing_is_written_over_the_database_in_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    stationdesk(&db).arg("demo").assert().success();
    let before = std::fs::read(&db).expect("read");
    // The database by its name, by another spelling of it, and its journal.
    let spelled = dir.path().join(".").join("station.sqlite3");
    let wal = dir.path().join("station.sqlite3-wal");
    for (args, out) in [
        (&["template", "roster", "--out"][..], &db),
        (&["export", "--all", "--out"], &spelled),
        (&["audit", "export", "--out"], &db),
        (&["backup", "--out"], &spelled),
        (&["backup", "--out"], &wal),
    ] {
        stationdesk(&db)
            .args(args)
            .arg(out)
            .assert()
            .failure()
            .stderr(predicate::str::contains(
                "it is the StationDesk database in use",
            ));
        assert_eq!(std::fs::read(&db).expect("read"), before, "{args:?}");
    }
    stationdesk(&db).args(["staff", "list"]).assert().success();
    // A backup given a folder for its name says so and leaves no part-copy.
    let folder = dir.path().join("out");
    std::fs::create_dir(&folder).expect("mkdir");
    stationdesk(&db)
        .args(["backup", "--out"])
        .arg(&folder)
        .assert()
        .failure()
        .stderr(predicate::str::contains("it is a folder"));
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
