//! Encryption at rest (issue 8): SQLCipher files hold no plaintext, a wrong
//! passphrase changes nothing, re-keying and encrypting a plain file, and
//! the command line's ways of giving a passphrase.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use stationdesk::demo::{self, Scale};
use stationdesk::store::{file_kind, FileKind, Passphrase};
use stationdesk::{Store, StoreError};

use crate::fixture::stationdesk;
use crate::fixture::today;

const SECRET: &str = "青山绿水 correct horse";

fn key(text: &str) -> Passphrase {
    Passphrase::given(text).expect("a passphrase")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every file SQLite keeps for `db`: the database, its WAL and shared memory.
fn files_of(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|p| p.exists())
        .collect()
}

fn staff_names(store: &Store) -> Vec<String> {
    store
        .list_staff(None, today())
        .expect("staff")
        .into_iter()
        .map(|v| v.staff.record.name)
        .collect()
}

#[test]
fn an_encrypted_database_and_its_wal_hold_no_plaintext() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let data = demo::generate(Scale::Station, demo::DEFAULT_SEED, today());
    let client = &data.cases[0].identity;
    let mut store = Store::open_encrypted(&db, &key(SECRET)).expect("create encrypted");
    store.load_demo(&data).expect("demo");
    assert!(store.is_encrypted());
    // While the store is open the latest pages sit in the WAL: look there too.
    let files = files_of(&db);
    assert!(
        files.len() >= 2,
        "the WAL is there to be searched: {files:?}"
    );
    let needles: Vec<&[u8]> = vec![
        client.real_name.as_bytes(),
        client.id_number.as_bytes(),
        data.staff[0].name.as_bytes(),
        b"SQLite format 3",
        b"CREATE TABLE",
    ];
    for file in &files {
        let bytes = std::fs::read(file).expect("read the raw file");
        for needle in &needles {
            assert!(
                !contains(&bytes, needle),
                "{} holds {:?} in plain text",
                file.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
    drop(store);
    assert_eq!(file_kind(&db).expect("kind"), FileKind::Encrypted);
    let again = Store::open_encrypted(&db, &key(SECRET)).expect("reopen");
    let case = again.case_view(1).expect("case 1");
    assert!(case.identity.is_some(), "the identity reads back");
}

#[test]
fn a_wrong_or_missing_passphrase_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let mut store = Store::open_encrypted(&db, &key(SECRET)).expect("create");
    store
        .load_demo(&demo::generate(Scale::Station, 7, today()))
        .expect("demo");
    drop(store);
    let before = std::fs::read(&db).expect("bytes");
    match Store::open_encrypted(&db, &key("not the passphrase")) {
        Err(StoreError::WrongPassphrase { path }) => assert_eq!(path, db),
        other => panic!("expected WrongPassphrase, got {:?}", other.map(|_| ())),
    }
    match Store::open(&db) {
        Err(StoreError::NeedsPassphrase { .. }) => {}
        other => panic!("expected NeedsPassphrase, got {:?}", other.map(|_| ())),
    }
    assert_eq!(std::fs::read(&db).expect("bytes"), before, "file untouched");
    assert_eq!(files_of(&db), vec![db.clone()], "no WAL left by a refusal");
    // A plain file is not opened as if encrypted, nor re-keyed.
    let plain = dir.path().join("plain.sqlite3");
    drop(Store::open(&plain).expect("plain"));
    assert!(matches!(
        Store::open_encrypted(&plain, &key(SECRET)),
        Err(StoreError::NotEncrypted { .. })
    ));
    let mut store = Store::open(&plain).expect("plain");
    assert!(matches!(
        store.change_passphrase(&key(SECRET)),
        Err(StoreError::NotEncrypted { .. })
    ));
}

#[test]
fn changing_the_passphrase_rekeys_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let mut store = Store::open_encrypted(&db, &key(SECRET)).expect("create");
    store
        .load_demo(&demo::generate(Scale::Station, 3, today()))
        .expect("demo");
    let names = staff_names(&store);
    let new = Passphrase::choose("一二三四五六七八", "一二三四五六七八").expect("new");
    store.change_passphrase(&new).expect("rekey");
    // The open store goes on working under the new key.
    assert_eq!(staff_names(&store), names);
    drop(store);
    assert!(matches!(
        Store::open_encrypted(&db, &key(SECRET)),
        Err(StoreError::WrongPassphrase { .. })
    ));
    let store = Store::open_encrypted(&db, &new).expect("the new passphrase opens it");
    assert_eq!(staff_names(&store), names);
}

#[test]
fn a_plain_database_is_encrypted_in_place_with_everything_in_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let data = demo::generate(Scale::Station, 11, today());
    let mut store = Store::open(&db).expect("plain");
    store.load_demo(&data).expect("demo");
    let names = staff_names(&store);
    let records = store
        .list_records(Default::default())
        .expect("records")
        .len();
    drop(store);
    let raw = std::fs::read(&db).expect("bytes");
    assert!(
        contains(&raw, data.staff[0].name.as_bytes()),
        "plain before"
    );

    Store::encrypt_file(&db, &key(SECRET)).expect("encrypt");
    assert_eq!(file_kind(&db).expect("kind"), FileKind::Encrypted);
    assert_eq!(files_of(&db), vec![db.clone()], "no WAL or temp file left");
    assert!(!dir.path().join("station.sqlite3.encrypting").exists());
    let raw = std::fs::read(&db).expect("bytes");
    assert!(!contains(&raw, data.staff[0].name.as_bytes()));
    assert!(!contains(&raw, data.cases[0].identity.real_name.as_bytes()));

    let store = Store::open_encrypted(&db, &key(SECRET)).expect("open");
    assert_eq!(staff_names(&store), names);
    assert_eq!(
        store
            .list_records(Default::default())
            .expect("records")
            .len(),
        records
    );
    drop(store);
    // Encrypting twice is refused rather than wrapping a second layer.
    assert!(matches!(
        Store::encrypt_file(&db, &key(SECRET)),
        Err(StoreError::NotPlain { .. })
    ));
}

#[test]
fn the_command_line_takes_the_passphrase_from_a_file_or_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let pass = dir.path().join("pass.txt");
    std::fs::write(&pass, format!("{SECRET}\n")).expect("pass file");
    stationdesk(&db)
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("demo")
        .assert()
        .success();
    assert_eq!(file_kind(&db).expect("kind"), FileKind::Encrypted);
    stationdesk(&db)
        .env("STATIONDESK_PASSPHRASE", SECRET)
        .args(["staff", "list", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("["));
    stationdesk(&db)
        .args(["staff", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--passphrase-file"))
        .stderr(predicate::str::contains("STATIONDESK_PASSPHRASE"));
    stationdesk(&db)
        .env("STATIONDESK_PASSPHRASE", "wrong wrong")
        .args(["staff", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("passphrase does not open"))
        // SQLCipher's own log lines stay out of the user's terminal.
        .stderr(predicate::str::contains("hmac").not());
    stationdesk(&db)
        .arg("--passphrase-file")
        .arg(dir.path().join("missing.txt"))
        .args(["staff", "list"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("missing.txt"));

    // Re-key: a short new passphrase is refused, a good one replaces the old.
    stationdesk(&db)
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("passphrase")
        .env("STATIONDESK_NEW_PASSPHRASE", "short")
        .assert()
        .failure()
        .stderr(predicate::str::contains("at least 8"));
    let new = dir.path().join("new.txt");
    // Saved by Windows Notepad: a byte-order mark first, CRLF after.
    std::fs::write(&new, "\u{feff}一二三四五六七八九\r\n").expect("new pass file");
    stationdesk(&db)
        .arg("--passphrase-file")
        .arg(&new)
        .args(["staff", "list"])
        .assert()
        .failure();
    stationdesk(&db)
        .arg("--passphrase-file")
        .arg(&pass)
        .args(["passphrase", "--new-file"])
        .arg(&new)
        .assert()
        .success()
        .stdout(predicate::str::contains("passphrase changed"));
    stationdesk(&db)
        .arg("--passphrase-file")
        .arg(&new)
        .args(["staff", "list"])
        .assert()
        .success();
    // The mark is not part of the passphrase: typed as it reads, it opens.
    stationdesk(&db)
        .env("STATIONDESK_PASSPHRASE", "一二三四五六七八九")
        .args(["staff", "list"])
        .assert()
        .success();

    // A plain database is encrypted by the same command.
    let plain = dir.path().join("plain.sqlite3");
    stationdesk(&plain).arg("demo").assert().success();
    stationdesk(&plain)
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("not encrypted"));
    stationdesk(&plain)
        .args(["passphrase", "--new-file"])
        .arg(&new)
        .assert()
        .success()
        .stdout(predicate::str::contains("encrypted"));
    stationdesk(&plain)
        .arg("--passphrase-file")
        .arg(&new)
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("(encrypted)"));
}

#[test]
fn a_damaged_encrypted_file_is_told_apart_from_a_wrong_passphrase() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("station.sqlite3");
    let mut store = Store::open_encrypted(&db, &key(SECRET)).expect("create");
    store
        .load_demo(&demo::generate(Scale::Station, 7, today()))
        .expect("demo");
    drop(store);
    // Noise over the second half of the pages, schema pages included.
    let mut raw = std::fs::read(&db).expect("bytes");
    let start = raw.len() / 2 / 4096 * 4096;
    raw[start..].fill(0x5a);
    std::fs::write(&db, &raw).expect("write");
    match Store::open_encrypted(&db, &key("not the passphrase")) {
        Err(StoreError::WrongPassphrase { .. }) => {}
        other => panic!("expected WrongPassphrase, got {:?}", other.map(|_| ())),
    }
    match Store::open_encrypted(&db, &key(SECRET)).and_then(|s| s.quick_check().map(|()| s)) {
        Err(e @ StoreError::Damaged { .. }) => {
            assert!(e.to_string().contains("backup"), "{e}")
        }
        other => panic!(
            "expected Damaged, got {:?}",
            other.map(|_| ()).map_err(|e| format!("{e:?}"))
        ),
    }
}

#[test]
fn a_passphrase_with_a_nul_character_is_refused_by_field() {
    // Found by the hostile-input sweep: SQLCipher's key is SQL text, so a
    // NUL cut it short and the window showed a storage error.
    let code = |e: stationdesk::model::Invalid| e.0[0].code;
    use stationdesk::model::Code;
    assert_eq!(
        code(Passphrase::given("ab\0cdefgh").expect_err("NUL")),
        Code::BadCharacter
    );
    assert_eq!(
        code(Passphrase::choose("ab\0cdefgh", "ab\0cdefgh").expect_err("NUL")),
        Code::BadCharacter
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("nul.sqlite3");
    let key = dir.path().join("key.txt");
    std::fs::write(&key, b"long enough\0passphrase\n").expect("write");
    Command::cargo_bin("stationdesk")
        .expect("binary")
        .env_remove("STATIONDESK_DB")
        .env_remove("STATIONDESK_PASSPHRASE")
        .arg("--db")
        .arg(&db)
        .arg("--passphrase-file")
        .arg(&key)
        .arg("init")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("stationdesk:").and(predicate::str::contains("NUL")));
    assert!(!db.exists());
}

/// Copies a plain database into a file encrypted in SQLCipher 4's default
/// layout, as the first encrypting build of StationDesk made them.
fn sqlcipher4_copy(plain: &Path, to: &Path) {
    let conn = rusqlite::Connection::open(plain).expect("plain");
    let to_text = to.to_str().expect("a UTF-8 path");
    conn.execute("ATTACH DATABASE ?1 AS old KEY ?2", [to_text, SECRET])
        .expect("attach");
    conn.query_row("SELECT sqlcipher_export('old')", [], |_| Ok(()))
        .expect("export");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    conn.pragma_update(Some("old"), "user_version", version)
        .expect("version");
    conn.execute("DETACH DATABASE old", []).expect("detach");
}

/// True when `db` opens with SQLCipher's defaults (no layout settings).
fn opens_with_sqlcipher4_defaults(db: &Path) -> bool {
    let conn = rusqlite::Connection::open(db).expect("open");
    conn.pragma_update(None, "cipher_log_level", "NONE")
        .expect("quiet");
    conn.pragma_update(None, "key", SECRET).expect("key");
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .is_ok()
}

#[test]
fn a_file_in_sqlciphers_default_layout_is_converted_and_its_backups_restore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = |name: &str, seed: u64| {
        let path = dir.path().join(name);
        let mut store = Store::open(&path).expect("plain");
        store
            .load_demo(&demo::generate(Scale::Station, seed, today()))
            .expect("demo");
        let names = staff_names(&store);
        drop(store);
        (path, names)
    };
    let (now_plain, now_names) = plain("now.sqlite3", 5);
    let (then_plain, then_names) = plain("then.sqlite3", 6);
    assert_ne!(now_names, then_names);
    let db = dir.path().join("station.sqlite3");
    sqlcipher4_copy(&now_plain, &db);
    assert!(opens_with_sqlcipher4_defaults(&db));

    // A wrong passphrase is still only that.
    assert!(matches!(
        Store::open_encrypted(&db, &key("not the passphrase")),
        Err(StoreError::WrongPassphrase { .. })
    ));
    let before = std::fs::read(&db).expect("bytes");
    assert!(opens_with_sqlcipher4_defaults(&db), "nothing was converted");

    // The right one opens it, converted to StationDesk's layout in place.
    let mut store = Store::open_encrypted(&db, &key(SECRET)).expect("converted");
    assert_eq!(staff_names(&store), now_names);
    assert!(!opens_with_sqlcipher4_defaults(&db));
    assert_ne!(std::fs::read(&db).expect("bytes"), before);
    assert!(!dir.path().join("station.sqlite3.encrypting").exists());
    let raw = std::fs::read(&db).expect("bytes");
    assert!(!contains(&raw, now_names[0].as_bytes()), "still encrypted");

    // A backup made in the old layout is checked and restored.
    let old_backup = dir.path().join("old-backup.sqlite3");
    sqlcipher4_copy(&then_plain, &old_backup);
    let now = chrono::NaiveDateTime::parse_from_str("2026-11-23 09:00:00", "%Y-%m-%d %H:%M:%S")
        .expect("time");
    // When the state before restoring cannot be saved (here a plain file
    // stands where the backups folder goes), nothing is restored and the
    // converted copy is not left behind.
    let backups = dir.path().join("backups");
    let made = backups.is_dir();
    if made {
        std::fs::rename(&backups, dir.path().join("backups.aside")).expect("aside");
    }
    std::fs::write(&backups, b"not a folder").expect("blocker");
    assert!(store
        .restore_from(&old_backup, now, &mut |_, _| {})
        .is_err());
    assert!(!dir.path().join("station.sqlite3.restoring").exists());
    assert_eq!(staff_names(&store), now_names);
    std::fs::remove_file(&backups).expect("blocker");
    if made {
        std::fs::rename(dir.path().join("backups.aside"), &backups).expect("back");
    }
    store
        .restore_from(&old_backup, now, &mut |_, _| {})
        .expect("restore");
    assert_eq!(staff_names(&store), then_names);
    assert!(
        opens_with_sqlcipher4_defaults(&old_backup),
        "left as it was"
    );
    assert!(!dir.path().join("station.sqlite3.restoring").exists());
    drop(store);
    let store = Store::open_encrypted(&db, &key(SECRET)).expect("reopen");
    assert_eq!(staff_names(&store), then_names);
}
