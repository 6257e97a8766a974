use stationdesk::model::{AssignInput, Code, Role};
use stationdesk::{Store, StoreError};

use crate::fixture::{add, day, form, store, today};

fn invalid(e: StoreError) -> Vec<(&'static str, Code)> {
    match e {
        StoreError::Invalid(i) => i.0.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a validation error, got {other}"),
    }
}

fn assign(
    store: &mut Store,
    supervisee: i64,
    supervisor: Option<i64>,
    from: &str,
) -> Result<(), StoreError> {
    store
        .assign_supervisor(&AssignInput {
            supervisee_id: supervisee,
            supervisor_id: supervisor,
            from: from.into(),
        })
        .map(|_| ())
}

#[test]
fn a_new_staff_member_is_listed_under_their_station() {
    let mut store = store();
    let id = add(&mut store, "李娟", "frontline");
    let list = store.list_staff(Some(1), today()).expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].staff.id, id);
    assert_eq!(list[0].staff.record.name, "李娟");
    assert_eq!(list[0].station_name, "青溪镇社工站");
    assert_eq!(store.list_stations().expect("stations")[0].active_staff, 1);
}

#[test]
fn a_bad_form_saves_nothing() {
    let mut store = store();
    let mut bad = form("李娟", "frontline");
    bad.start_date = "2021-02-30".into();
    let err = store.create_staff(&bad, today()).expect_err("refused");
    assert_eq!(invalid(err), [("start_date", Code::BadDate)]);
    assert!(store.list_staff(None, today()).expect("list").is_empty());
}

#[test]
fn a_certificate_number_belongs_to_one_person() {
    let mut store = store();
    let first = add(&mut store, "陈雪云", "junior_supervisor");
    let cert = store.staff(first).expect("staff").record.certificate_no;
    // Another person with the same number, on creation or by an edit.
    let mut other = form("吴伟静", "assistant_supervisor");
    other.certificate_no = cert.clone().expect("certified");
    let err = store.create_staff(&other, today()).expect_err("taken");
    assert_eq!(invalid(err), [("certificate_no", Code::CertificateTaken)]);
    let second = add(&mut store, "吴伟静", "assistant_supervisor");
    let err = store
        .update_staff(second, &other, today())
        .expect_err("taken");
    assert_eq!(invalid(err), [("certificate_no", Code::CertificateTaken)]);
    // The same person twice at work is refused too.
    let mut again = form("陈雪云", "junior_supervisor");
    again.start_date = "2024-01-01".into();
    let err = store.create_staff(&again, today()).expect_err("taken");
    assert_eq!(invalid(err), [("certificate_no", Code::CertificateTaken)]);
    // Someone who left and came back keeps their number in both rows,
    // and the old row can still be edited.
    let mut left = form("陈雪云", "junior_supervisor");
    left.active = false;
    left.left_date = "2023-12-31".into();
    store.update_staff(first, &left, today()).expect("left");
    let back = store.create_staff(&again, today()).expect("came back");
    assert_eq!(back.record.certificate_no, cert);
    left.left_date = "2023-12-30".into();
    store
        .update_staff(first, &left, today())
        .expect("old row edited");
}

#[test]
fn staff_of_a_missing_station_are_refused() {
    let mut store = store();
    let mut bad = form("李娟", "frontline");
    bad.station_id = 99;
    let err = store.create_staff(&bad, today()).expect_err("refused");
    assert_eq!(invalid(err), [("station_id", Code::NotFound)]);
}

#[test]
fn an_edit_replaces_the_fields_and_a_bad_edit_changes_nothing() {
    let mut store = store();
    let id = add(&mut store, "李娟", "frontline");
    let mut edit = form("李娟娟", "assistant_supervisor");
    store.update_staff(id, &edit, today()).expect("edit");
    let got = store.staff(id).expect("staff");
    assert_eq!(got.record.name, "李娟娟");
    assert_eq!(got.record.role, Role::AssistantSupervisor);

    edit.name = String::new();
    edit.registration_date = "2030-01-01".into();
    let err = store.update_staff(id, &edit, today()).expect_err("refused");
    assert_eq!(
        invalid(err),
        [
            ("name", Code::Required),
            ("registration_date", Code::FutureDate)
        ]
    );
    assert_eq!(store.staff(id).expect("staff").record.name, "李娟娟");

    let err = store
        .update_staff(404, &form("某人", "frontline"), today())
        .expect_err("no such person");
    assert!(matches!(err, StoreError::NotFound { id: 404, .. }), "{err}");
}

#[test]
fn supervision_history_stays_true_when_teams_change() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let first = add(&mut store, "王芳", "assistant_supervisor");
    let second = add(&mut store, "陈杰", "assistant_supervisor");
    assign(&mut store, worker, Some(first), "2024-01-01").expect("first");
    assign(&mut store, worker, Some(second), "2025/6/1").expect("second");

    let history = store.supervision_history(worker).expect("history");
    let spans: Vec<_> = history
        .iter()
        .map(|h| (h.supervisor_name.as_str(), h.link.from, h.link.to))
        .collect();
    assert_eq!(
        spans,
        [
            ("陈杰", day("2025-06-01"), None),
            ("王芳", day("2024-01-01"), Some(day("2025-06-01")))
        ]
    );
    // The list shows whoever supervised on the day asked about.
    let on = |d: &str| {
        let v = store.list_staff(Some(1), day(d)).expect("list");
        v.into_iter()
            .find(|v| v.staff.id == worker)
            .and_then(|v| v.supervisor)
            .map(|s| s.1)
    };
    assert_eq!(on("2023-12-31"), None);
    assert_eq!(on("2025-05-31").as_deref(), Some("王芳"));
    assert_eq!(on("2025-06-01").as_deref(), Some("陈杰"));

    // Going back before the current link would rewrite history.
    let err = assign(&mut store, worker, Some(first), "2025-05-01").expect_err("refused");
    assert_eq!(invalid(err), [("from", Code::BeforeCurrentLink)]);
    assert_eq!(store.supervision_history(worker).expect("history").len(), 2);

    // Ending supervision closes the link and opens none.
    assign(&mut store, worker, None, "2026-01-01").expect("end");
    let history = store.supervision_history(worker).expect("history");
    assert_eq!(history[0].link.to, Some(day("2026-01-01")));
    assert_eq!(history.len(), 2);
}

#[test]
fn a_same_day_reassignment_corrects_that_days_entry() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let a = add(&mut store, "王芳", "assistant_supervisor");
    let b = add(&mut store, "陈杰", "assistant_supervisor");
    assign(&mut store, worker, Some(a), "2024-01-01").expect("a");
    assign(&mut store, worker, Some(b), "2024-01-01").expect("b");
    let history = store.supervision_history(worker).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].link.supervisor_id, b);
}

#[test]
fn supervisors_rank_above_and_cycles_are_refused() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let assistant = add(&mut store, "王芳", "assistant_supervisor");
    let junior = add(&mut store, "陈杰", "junior_supervisor");
    let senior = add(&mut store, "林霞", "senior_supervisor");
    let err = assign(&mut store, assistant, Some(worker), "2024-01-01").expect_err("refused");
    assert_eq!(invalid(err), [("supervisor_id", Code::NotASupervisor)]);
    assign(&mut store, assistant, Some(junior), "2024-01-01").expect("assistant under junior");
    assign(&mut store, junior, Some(senior), "2024-01-01").expect("junior under senior");
    let err = assign(&mut store, senior, Some(junior), "2024-01-01").expect_err("refused");
    assert_eq!(invalid(err), [("supervisor_id", Code::RankTooLow)]);
    let err = assign(&mut store, worker, Some(999), "2024-01-01").expect_err("refused");
    assert_eq!(invalid(err), [("supervisor_id", Code::NotFound)]);

    let names: Vec<String> = store
        .supervisor_candidates(assistant, today())
        .expect("candidates")
        .into_iter()
        .map(|v| v.staff.record.name)
        .collect();
    assert_eq!(names, ["林霞", "陈杰"]);
}

#[test]
fn leaving_closes_open_supervision_on_the_day_of_leaving() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let assistant = add(&mut store, "王芳", "assistant_supervisor");
    assign(&mut store, worker, Some(assistant), "2024-01-01").expect("assign");
    let mut gone = form("王芳", "assistant_supervisor");
    gone.active = false;
    gone.left_date = "2026-03-31".into();
    store.update_staff(assistant, &gone, today()).expect("left");
    let history = store.supervision_history(worker).expect("history");
    assert_eq!(history[0].link.to, Some(day("2026-03-31")));
    let view = store.staff_view(worker, today()).expect("view");
    assert_eq!(view.supervisor, None);
    assert!(store
        .supervisor_candidates(worker, today())
        .expect("candidates")
        .is_empty());
}

#[test]
fn a_file_store_keeps_its_data_and_its_settings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/folder/station.sqlite3");
    {
        let mut store = Store::open(&path).expect("create");
        store
            .add_station(&stationdesk::model::NewStation {
                name: "白沙乡社工站".into(),
                township: "白沙乡".into(),
                county: "安化县".into(),
            })
            .expect("station");
        add(&mut store, "周敏", "frontline");
    }
    let store = Store::open(&path).expect("reopen");
    assert_eq!(store.list_staff(None, today()).expect("list").len(), 1);
    let conn = rusqlite::Connection::open(&path).expect("raw");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_from_a_newer_program_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("newer.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).expect("raw");
        conn.pragma_update(None, "user_version", 99)
            .expect("version");
    }
    let err = Store::open(&path).err().expect("refused");
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    let conn = rusqlite::Connection::open(&path).expect("raw");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(version, 99);
}

#[test]
fn foreign_keys_are_enforced_on_every_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fk.sqlite3");
    let mut store = Store::open(&path).expect("open");
    let err = store.with_tx(|tx| {
        tx.execute(
            "INSERT INTO staff (station_id, name, role, qualification, start_date)
             VALUES (42, '无站', 'frontline', 'none', '2024-01-01')",
            [],
        )?;
        Ok(())
    });
    assert!(
        err.is_err(),
        "a staff row pointing at no station must be refused"
    );
}

#[test]
fn every_earlier_schema_version_migrates_with_its_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.sqlite3");
    {
        let mut conn = rusqlite::Connection::open(&path).expect("raw");
        stationdesk::store::migrations()
            .to_version(&mut conn, 1)
            .expect("version 1");
        conn.execute(
            "INSERT INTO station (name, township, county) VALUES ('旧站', '旧镇', '旧县')",
            [],
        )
        .expect("station");
        conn.execute(
            "INSERT INTO staff (station_id, name, role, qualification, start_date)
             VALUES (1, '老员工', 'frontline', 'none', '2020-01-01')",
            [],
        )
        .expect("staff");
    }
    let store = Store::open(&path).expect("migrates to the latest version");
    assert_eq!(
        store.list_staff(None, today()).expect("list")[0]
            .staff
            .record
            .name,
        "老员工"
    );
    assert!(store
        .list_records(stationdesk::store::RecordFilter::default())
        .expect("records")
        .is_empty());
}

#[test]
fn supervisors_and_their_current_supervisees() {
    let mut store = store();
    let worker = add(&mut store, "周敏", "frontline");
    let assistant = add(&mut store, "王芳", "assistant_supervisor");
    assign(&mut store, worker, Some(assistant), "2024-01-01").expect("assign");
    let names = |v: Vec<stationdesk::store::StaffView>| {
        v.into_iter()
            .map(|v| v.staff.record.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(store.supervisors(today()).expect("supervisors")),
        ["王芳"]
    );
    assert_eq!(
        names(store.supervisees(assistant, today()).expect("supervisees")),
        ["周敏"]
    );
    assert!(store.supervisees(worker, today()).expect("none").is_empty());
}

#[test]
fn rows_written_before_sync_existed_get_their_identity_by_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("v5.sqlite3");
    {
        let mut conn = rusqlite::Connection::open(&path).expect("raw");
        stationdesk::store::migrations()
            .to_version(&mut conn, 5)
            .expect("version 5");
        conn.execute_batch(
            "INSERT INTO station (name, township, county) VALUES ('旧站', '旧镇', '旧县');
             INSERT INTO staff (station_id, name, role, qualification, certificate_no, registration_date, start_date)
                 VALUES (1, '陈督导', 'junior_supervisor', 'social_worker', 'SG1', '2025-01-01', '2020-01-01'),
                        (1, '王社工', 'frontline', 'none', NULL, NULL, '2020-01-01');
             INSERT INTO supervision_record (supervisor_id, year, number, date, start_time, end_time, place,
                 mode, functions, cases, topic, previous_review, reported, findings, guidance, reflection,
                 disagreement, created_at, updated_at)
             VALUES (1, 2026, 1, '2026-10-05', '09:00', '10:00', '站', 'individual', 'educational', '', '旧',
                     '', '', '', '', '', '', '2026-10-05T10:00:00', '2026-10-05T10:00:00');
             INSERT INTO record_attendee (record_id, staff_id, attendance) VALUES (1, 2, 'present');",
        )
        .expect("old data");
    }
    let store = Store::open(&path).expect("migrates to sync");
    let snapshot = store.sync_snapshot().expect("snapshot");
    let tables: Vec<&str> = snapshot.values().map(|(t, _, _)| t.as_str()).collect();
    for table in ["station", "staff", "supervision_record", "record_attendee"] {
        assert!(tables.contains(&table), "{table} rows have uids");
    }
    assert_eq!(snapshot.len(), 5);
    // The attendee's uid is made from its record's and person's uids.
    let uid_of = |table: &str, name: Option<&str>| -> String {
        snapshot
            .iter()
            .find(|(_, (t, _, v))| t == table && name.is_none_or(|n| v[1] == n))
            .map(|(uid, _)| uid.clone())
            .expect("row")
    };
    let record = uid_of("supervision_record", None);
    let staff = uid_of("staff", Some("王社工"));
    assert!(snapshot.contains_key(&format!("{record}~{staff}")));
    // And they travel: an empty laptop takes them all.
    let bundle = store
        .export_bundle(None, chrono::NaiveDateTime::default(), &mut |_, _| {})
        .expect("export");
    let mut other = Store::open_in_memory().expect("other");
    let report = other
        .import_bundle(&bundle, "v5", false, chrono::NaiveDateTime::default())
        .expect("import");
    assert_eq!(report.summary.new, 5);
    assert_eq!(other.sync_snapshot().expect("snapshot"), snapshot);
}

/// The text of every `CHECK (…)` in a table's SQL, without its outer
/// parentheses, in the order written.
pub(crate) fn checks_of(sql: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find("CHECK") {
        let after = rest[at + "CHECK".len()..].trim_start();
        let Some(body) = after.strip_prefix('(') else {
            rest = &rest[at + 1..];
            continue;
        };
        let (mut depth, mut quoted, mut end) = (1, false, None);
        for (i, c) in body.char_indices() {
            match c {
                '\'' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end.expect("a CHECK closes");
        found.push(body[..end].to_string());
        rest = &body[end..];
    }
    found
}

/// Every `'…'` literal in an expression.
pub(crate) fn literals_of(expr: &str) -> Vec<String> {
    expr.split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn tables_of(conn: &rusqlite::Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .expect("schema");
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<Vec<_>, _>>()
        .expect("tables");
    rows
}

/// Whether an insert into the table builds a temporary index in its own
/// program, where its CHECKs are (SQLite does so, per row, for `x IN (…)`
/// over more than two constants). The programs of its triggers are listed
/// after it, each counting its addresses from 0 again, and are left out: an
/// insert by a person fires them, a merge does not.
fn insert_builds_a_temporary_index(conn: &rusqlite::Connection, table: &str) -> bool {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN INSERT INTO {table} DEFAULT VALUES"))
        .expect("explain");
    let program = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .expect("program")
        .collect::<Result<Vec<_>, _>>()
        .expect("opcodes");
    program
        .iter()
        .enumerate()
        .take_while(|(i, (addr, _))| *i == 0 || *addr > program[i - 1].0)
        .any(|(_, (_, op))| op == "OpenEphemeral")
}

#[test]
fn no_insert_builds_a_temporary_index_for_its_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("checks.sqlite3");
    let mut migrating = rusqlite::Connection::open(&path).expect("raw");
    stationdesk::store::migrations()
        .to_version(&mut migrating, 9)
        .expect("version 9");
    // The cost this guards against, as it stood before migration 10.
    assert!(insert_builds_a_temporary_index(&migrating, "staff"));
    assert!(insert_builds_a_temporary_index(&migrating, "case_contact"));
    // A second connection holds the old schema while the first migrates.
    let other = rusqlite::Connection::open(&path).expect("other");
    assert!(insert_builds_a_temporary_index(&other, "client_case"));

    stationdesk::store::migrations()
        .to_latest(&mut migrating)
        .expect("latest");
    // The other connection notices the schema changed on its next read.
    let _: i64 = other
        .query_row("SELECT count(*) FROM staff", [], |r| r.get(0))
        .expect("read");
    for conn in [&migrating, &other] {
        for (table, _) in tables_of(conn) {
            assert!(
                !insert_builds_a_temporary_index(conn, &table),
                "an insert into {table} builds a temporary index"
            );
        }
    }
    // The rewritten CHECKs hold on both: a good row goes in, a bad role not.
    migrating
        .execute(
            "INSERT INTO station (id, name, township, county) VALUES (1, '站', '镇', '县')",
            [],
        )
        .expect("a station");
    for (conn, name) in [(&migrating, "甲"), (&other, "乙")] {
        let insert = |role: &str| {
            conn.execute(
                "INSERT INTO staff (station_id, name, role, qualification, start_date)
                 VALUES (1, ?1, ?2, 'social_worker', '2024-01-01')",
                [name, role],
            )
        };
        insert("station_head").expect("a good row");
        let err = insert("boss").expect_err("a bad role");
        assert!(
            err.to_string().contains("CHECK constraint failed: role"),
            "{err}"
        );
    }
    let check: String = migrating
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(check, "ok");
    Store::open(&path).expect("a migrated file opens");
}

#[test]
fn the_rewritten_checks_allow_exactly_the_values_they_allowed() {
    let mut before = rusqlite::Connection::open_in_memory().expect("before");
    stationdesk::store::migrations()
        .to_version(&mut before, 9)
        .expect("version 9");
    let mut after = rusqlite::Connection::open_in_memory().expect("after");
    stationdesk::store::migrations()
        .to_version(&mut after, 10)
        .expect("version 10");

    let (old_tables, new_tables) = (tables_of(&before), tables_of(&after));
    let mut rewritten = 0;
    for (table, old_sql) in &old_tables {
        let new_sql = &new_tables
            .iter()
            .find(|(name, _)| name == table)
            .unwrap_or_else(|| panic!("{table} is still there"))
            .1;
        let (old, new) = (checks_of(old_sql), checks_of(new_sql));
        assert_eq!(old.len(), new.len(), "{table} keeps every CHECK");
        for (o, n) in old.iter().zip(&new).filter(|(o, n)| o != n) {
            rewritten += 1;
            assert!(
                o.contains(" IN (") && !n.contains(" IN ("),
                "{table}: {o} -> {n}"
            );
            let column = o.split_whitespace().next().expect("a column");
            let mut values: Vec<Option<String>> = literals_of(o).into_iter().map(Some).collect();
            assert!(values.len() > 2, "{table}: {o}");
            assert_eq!(literals_of(o), literals_of(n), "{table}: the same values");
            let first = values[0].clone().expect("a value");
            values.extend([
                Some(first.to_uppercase()),
                Some(format!(" {first}")),
                Some(String::new()),
                Some("bogus".into()),
                None,
            ]);
            let sql = format!("SELECT ({o}), ({n}) FROM (SELECT ?1 AS {column})");
            for value in &values {
                let (was, is): (Option<i64>, Option<i64>) = after
                    .query_row(&sql, [value], |r| Ok((r.get(0)?, r.get(1)?)))
                    .expect("evaluate");
                assert_eq!(was, is, "{table}.{column} on {value:?}");
                if value.as_deref() == Some("bogus") {
                    assert_eq!(is, Some(0), "{table}.{column} refuses a bad value");
                }
            }
        }
    }
    assert_eq!(rewritten, 12, "the twelve lists of more than two values");
}
