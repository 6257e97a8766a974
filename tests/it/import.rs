//! Importing a roster and past training attendance from .xlsx and .csv:
//! good files go in whole, bad ones are refused with the row and reason and
//! write nothing.

use predicates::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use stationdesk::import::{
    apply_attendance, apply_roster, attendance_template_xlsx, guess_mapping, preview_attendance,
    preview_roster, read_table, roster_template_xlsx, AttendanceInput, Field, ImportError,
    ImportKind, Preview, Table,
};
use stationdesk::model::{SignIn, StaffInput};
use stationdesk::Store;

use crate::fixture::{add, store, today};

/// A cell of a workbook written for a test.
enum Cell {
    T(&'static str),
    D(u16, u8, u8),
    N(f64),
}
use crate::fixture::stationdesk;
use Cell::{D, N, T};

fn xlsx(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy/m/d");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                T(s) => {
                    sheet.write_string(r, c, *s).expect("write");
                }
                D(y, m, d) => {
                    let day = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
                    sheet
                        .write_datetime_with_format(r, c, &day, &date)
                        .expect("write");
                }
                N(n) => {
                    sheet.write_number(r, c, *n).expect("write");
                }
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

/// (staff, training sessions, sign-ins) of station 1.
fn counts(store: &Store) -> (usize, usize, usize) {
    let staff = store.list_staff(Some(1), today()).expect("staff").len();
    let trainings = store.list_trainings(Some(1), None).expect("trainings");
    let sign_ins = trainings
        .iter()
        .map(|t| store.training_view(t.id).expect("view").attendance.len())
        .sum();
    (staff, trainings.len(), sign_ins)
}

fn roster_preview(store: &Store, bytes: &[u8], name: &str) -> Preview<StaffInput> {
    let table = read_table(bytes, name).expect("a table");
    let mapping = guess_mapping(ImportKind::Roster, &table.headers);
    preview_roster(store, 1, &table, &mapping, today()).expect("a preview")
}

fn attendance_preview(store: &Store, bytes: &[u8], name: &str) -> Preview<AttendanceInput> {
    let table = read_table(bytes, name).expect("a table");
    let mapping = guess_mapping(ImportKind::Attendance, &table.headers);
    preview_attendance(store, 1, &table, &mapping, today()).expect("a preview")
}

/// The bad rows as `row: code` for comparing.
fn codes<T>(p: &Preview<T>) -> Vec<String> {
    p.bad
        .iter()
        .map(|e| format!("{}: {}", e.row, e.code))
        .collect()
}

fn roster_header() -> Vec<Cell> {
    vec![
        T("姓名"),
        T("岗位"),
        T("职业资格"),
        T("证书编号"),
        T("登记日期"),
        T("入职日期"),
        T("离职日期"),
    ]
}

const GOOD_CSV: &str = "姓名,岗位,职业资格,证书编号,登记日期,入职日期,离职日期\r\n\
    王芳,督导助理,助理社会工作师,zs2021-0042,2023/5/1,2020年3月1日,\r\n\
    李娜,一线社工,无,,,2024-03-05,\r\n\
    赵强,社工,,,,2019-09-01,2023-06-30\r\n";

#[test]
fn a_good_roster_workbook_imports_everyone() {
    let mut store = store();
    let bytes = xlsx(&[
        roster_header(),
        vec![
            T("王芳"),
            T("督导助理"),
            T("助理社会工作师"),
            T("zs2021-0042"),
            D(2023, 5, 1),
            D(2020, 3, 1),
            T(""),
        ],
        vec![
            T("李娜"),
            T("一线社工"),
            T("无"),
            T(""),
            T(""),
            T("2024/3/5"),
        ],
        vec![T(""), T("")],
        vec![
            T("赵强"),
            T("frontline"),
            T(""),
            T(""),
            T(""),
            N(43709.0), // 2019-09-01 in a cell formatted as a number
            D(2023, 6, 30),
        ],
    ]);
    let preview = roster_preview(&store, &bytes, "名册.xlsx");
    assert!(preview.is_clean(), "{:?}", preview.bad);
    assert_eq!(
        preview.good.iter().map(|g| g.row).collect::<Vec<_>>(),
        vec![2, 3, 5],
        "row numbers as Excel shows them; the blank row is skipped"
    );
    assert_eq!(counts(&store).0, 0, "a preview writes nothing");
    let ids = apply_roster(&mut store, &preview).expect("applied");
    assert_eq!(ids.len(), 3);
    let wang = store.staff(ids[0]).expect("wang").record;
    assert_eq!(wang.role.code(), "assistant_supervisor");
    assert_eq!(wang.qualification.code(), "assistant_social_worker");
    assert_eq!(wang.certificate_no.as_deref(), Some("ZS2021-0042"));
    assert_eq!(
        wang.registration_date,
        Some(crate::fixture::day("2023-05-01"))
    );
    assert_eq!(wang.start_date, crate::fixture::day("2020-03-01"));
    let zhao = store.staff(ids[2]).expect("zhao").record;
    assert_eq!(zhao.start_date, crate::fixture::day("2019-09-01"));
    assert_eq!(zhao.left_date, Some(crate::fixture::day("2023-06-30")));
    assert_eq!(counts(&store).0, 3);
}

#[test]
fn a_certificate_number_of_another_person_is_refused_row_by_row() {
    let mut store = store();
    let held = crate::fixture::add(&mut store, "陈雪云", "junior_supervisor");
    let cert = store
        .staff(held)
        .expect("staff")
        .record
        .certificate_no
        .expect("certified");
    let csv = format!(
        "姓名,岗位,职业资格,证书编号,登记日期,入职日期,离职日期\r\n\
         王芳,督导助理,助理社会工作师,{cert},2023/5/1,2020年3月1日,\r\n\
         李娜,督导助理,助理社会工作师,SG2024000777,2024/5/1,2024-03-05,\r\n\
         赵强,督导助理,助理社会工作师,SG2024000777,2024/5/1,2019-09-01,\r\n"
    );
    let preview = roster_preview(&store, csv.as_bytes(), "roster.csv");
    assert_eq!(
        codes(&preview),
        vec!["2: certificate_taken", "4: certificate_taken"]
    );
    assert!(
        preview.bad[0].reason.contains("陈雪云"),
        "{:?}",
        preview.bad
    );
    assert!(preview.bad[1].reason.contains("row 3"), "{:?}", preview.bad);
}

#[test]
fn a_good_csv_imports_in_utf8_with_a_bom_and_in_gbk() {
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(GOOD_CSV.as_bytes());
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(GOOD_CSV);
    assert!(!unmappable);
    for (bytes, what) in [
        (GOOD_CSV.as_bytes().to_vec(), "utf-8"),
        (bom, "utf-8 with BOM"),
        (gbk.into_owned(), "GBK"),
    ] {
        let mut store = store();
        let preview = roster_preview(&store, &bytes, "roster.csv");
        assert!(preview.is_clean(), "{what}: {:?}", preview.bad);
        apply_roster(&mut store, &preview).expect("applied");
        let names: Vec<String> = store
            .list_staff(Some(1), today())
            .expect("list")
            .into_iter()
            .map(|v| v.staff.record.name)
            .collect();
        assert_eq!(names.len(), 3, "{what}");
        assert!(names.contains(&"王芳".to_owned()), "{what}: {names:?}");
    }
}

#[test]
fn wrong_columns_are_refused_naming_what_is_missing() {
    let store = store();
    let table = read_table("名字,电话\n王芳,13800000000\n".as_bytes(), "x.csv").expect("table");
    let mapping = guess_mapping(ImportKind::Roster, &table.headers);
    let err = preview_roster(&store, 1, &table, &mapping, today()).expect_err("refused");
    let message = err.to_string();
    assert!(matches!(err, ImportError::MissingColumns { .. }));
    assert!(message.contains("wrong columns"), "{message}");
    assert!(message.contains("岗位 (role)"), "{message}");
    assert!(message.contains("入职日期 (start_date)"), "{message}");
    assert!(message.contains("电话"), "{message}");
    assert!(
        !message.contains("姓名 (name)"),
        "名字 is a name: {message}"
    );
    // A mapping chosen by hand may name a column the file lacks.
    let bad = vec![(Field::Name, Some(7))];
    let err = preview_roster(&store, 1, &table, &bad, today()).expect_err("refused");
    assert!(matches!(
        err,
        ImportError::BadMapping { index: 7, count: 2 }
    ));
    assert_eq!(counts(&store).0, 0);
}

#[test]
fn bad_dates_are_reported_by_row_and_nothing_is_written() {
    let mut store = store();
    let csv = "姓名,岗位,入职日期,离职日期\n\
        王芳,一线社工,2024-03-05,\n\
        李娜,一线社工,2024-13-01,\n\
        赵强,一线社工,2020-01-01,2019-01-01\n\
        周敏,一线社工,2024年2月30日,\n\
        吴刚,一线社工,,\n";
    let preview = roster_preview(&store, csv.as_bytes(), "r.csv");
    assert_eq!(
        codes(&preview),
        vec![
            "3: bad_date",
            "4: before_start",
            "5: bad_date",
            "6: required"
        ]
    );
    assert_eq!(preview.good.len(), 1);
    let line = preview.bad[0].to_string();
    assert_eq!(
        line,
        "row 3: 入职日期 \"2024-13-01\" is not a date (write it as 2024-03-05)"
    );
    let err = apply_roster(&mut store, &preview).expect_err("refused");
    assert!(matches!(err, ImportError::BadRows(_)));
    let message = err.to_string();
    assert!(message.starts_with("4 row(s) have problems; nothing was imported"));
    assert!(message.contains("row 3: 入职日期"), "{message}");
    assert_eq!(counts(&store).0, 0, "not even the good row");
}

#[test]
fn duplicate_names_in_the_file_or_on_the_staff_are_refused() {
    let mut store = store();
    add(&mut store, "王芳", "frontline");
    let before = counts(&store);
    let csv = "姓名,岗位,入职日期\n\
        王芳,一线社工,2024-03-05\n\
        李娜,一线社工,2024-03-05\n\
        李娜,一线社工,2024-04-01\n";
    let preview = roster_preview(&store, csv.as_bytes(), "r.csv");
    assert_eq!(
        codes(&preview),
        vec!["2: already_on_staff", "4: duplicate_in_file"]
    );
    assert!(preview.bad[0]
        .reason
        .contains("already on the station's staff"));
    assert_eq!(
        preview.bad[1].to_string(),
        "row 4: 姓名 \"李娜\" is also on row 3; each person is listed once"
    );
    assert!(apply_roster(&mut store, &preview).is_err());
    assert_eq!(counts(&store), before);
}

#[test]
fn a_change_since_the_preview_is_caught_inside_the_transaction() {
    let mut store = store();
    let preview = roster_preview(&store, GOOD_CSV.as_bytes(), "r.csv");
    assert!(preview.is_clean());
    add(&mut store, "李娜", "frontline");
    let err = apply_roster(&mut store, &preview).expect_err("refused");
    assert!(matches!(err, ImportError::Changed(_)), "{err}");
    assert!(err.to_string().contains("row 3: 姓名 \"李娜\""), "{err}");
    assert_eq!(counts(&store).0, 1, "only the one added by hand");
}

#[test]
fn an_empty_file_or_a_header_alone_is_refused() {
    for (bytes, name) in [
        (&b""[..], "empty.xlsx"),
        (&b"  \r\n"[..], "blank.csv"),
        ("姓名,岗位,入职日期\n".as_bytes(), "header.csv"),
        ("姓名,岗位,入职日期\n,,\n".as_bytes(), "blank-row.csv"),
    ] {
        let err = read_table(bytes, name).expect_err("refused");
        assert!(matches!(err, ImportError::Empty { .. }), "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
        assert!(err.to_string().contains("no data rows"), "{err}");
    }
    let header_only = xlsx(&[roster_header()]);
    let err = read_table(&header_only, "h.xlsx").expect_err("refused");
    assert!(matches!(err, ImportError::Empty { .. }), "{err}");
    let nothing = xlsx(&[]);
    let err = read_table(&nothing, "n.xlsx").expect_err("refused");
    assert!(matches!(err, ImportError::Empty { .. }), "{err}");
}

#[test]
fn a_file_that_is_not_a_spreadsheet_is_refused_by_name() {
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    let mut random = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        random.push((x >> 16) as u8);
    }
    let mut fake_zip = b"PK\x03\x04".to_vec();
    fake_zip.extend_from_slice(&random);
    for (bytes, name, says) in [
        (&pdf[..], "名册.xlsx", "PDF"),
        (&pdf[..], "名册.csv", "PDF"),
        (&random[..], "名册.xlsx", "not an Excel workbook"),
        (&random[..], "名册.csv", "not a spreadsheet"),
        (&fake_zip[..], "名册.xlsx", "zip archive"),
    ] {
        let err = read_table(bytes, name).expect_err("refused");
        let message = err.to_string();
        assert!(matches!(err, ImportError::NotATable { .. }), "{message}");
        assert!(message.contains(name), "{message}");
        assert!(message.contains(says), "{name}: {message}");
        assert!(message.contains("save it from Excel"), "{message}");
    }
}

#[test]
fn the_templates_read_back_as_one_good_example_row_refused_until_it_is_changed() {
    let store = store();
    let mut table =
        read_table(&roster_template_xlsx().expect("template"), "t.xlsx").expect("table");
    assert_eq!(
        table.headers,
        vec![
            "姓名",
            "岗位",
            "职业资格",
            "证书编号",
            "登记日期",
            "入职日期",
            "离职日期"
        ]
    );
    assert_eq!(table.rows[0][4], "2023-05-01", "a real date cell");
    let mapping = guess_mapping(ImportKind::Roster, &table.headers);
    assert!(mapping.iter().all(|(_, c)| c.is_some()));
    // Left in by mistake, the example row is refused (it would add 王芳);
    // written over with a real person, the same row is good.
    let p = preview_roster(&store, 1, &table, &mapping, today()).expect("preview");
    assert_eq!(codes(&p), vec!["2: template_example"]);
    table.rows[0][0] = "李娜".into();
    let p = preview_roster(&store, 1, &table, &mapping, today()).expect("preview");
    assert!(p.is_clean(), "{:?}", p.bad);
    let mut table: Table =
        read_table(&attendance_template_xlsx().expect("template"), "a.xlsx").expect("table");
    let mapping = guess_mapping(ImportKind::Attendance, &table.headers);
    assert!(mapping.iter().all(|(_, c)| c.is_some()), "{mapping:?}");
    let p = preview_attendance(&store, 1, &table, &mapping, today()).expect("preview");
    assert_eq!(codes(&p), vec!["2: template_example"]);
    // Another topic: the row names 王芳, who is not on this station's staff.
    table.rows[0][1] = "危机干预".into();
    let p = preview_attendance(&store, 1, &table, &mapping, today()).expect("preview");
    assert_eq!(codes(&p), vec!["2: unknown_staff"]);
}

fn attendance_header() -> Vec<Cell> {
    vec![
        T("姓名"),
        T("培训主题"),
        T("日期"),
        T("开始时间"),
        T("结束时间"),
        T("签到状态"),
        T("签到时间"),
        T("计入学时"),
        T("培训方式"),
    ]
}

#[test]
fn past_attendance_makes_one_session_per_title_and_time_with_hours_credited() {
    let mut store = store();
    for name in ["王芳", "李娜", "赵强", "周敏"] {
        add(&mut store, name, "frontline");
    }
    let bytes = xlsx(&[
        attendance_header(),
        vec![
            T("王芳"),
            T("个案预估方法"),
            D(2024, 3, 5),
            T("09:00"),
            T("11:00"),
            T("出席"),
        ],
        vec![
            T("李娜"),
            T("个案预估方法"),
            T("2024/3/5"),
            T("9:00"),
            T("11:00"),
            T("迟到"),
            T("09:30"),
            T("1.5"),
        ],
        vec![
            T("赵强"),
            T("个案预估方法"),
            T("2024年3月5日"),
            T("09:00"),
            T("11:00"),
            T("早退"),
            T(""),
            N(1.0),
        ],
        vec![
            T("周敏"),
            T("个案预估方法"),
            T("2024-03-05"),
            T("09:00"),
            T("11:00"),
            T("请假"),
        ],
        vec![
            T("王芳"),
            T("社工伦理"),
            T("2024-04-10"),
            T("14:00"),
            T("15:30"),
            T("present"),
            T(""),
            T(""),
            T("线上"),
        ],
    ]);
    let preview = attendance_preview(&store, &bytes, "签到.xlsx");
    assert!(preview.is_clean(), "{:?}", preview.bad);
    let hours: Vec<f64> = preview
        .good
        .iter()
        .map(|g| g.input.credited_hours)
        .collect();
    assert_eq!(hours, vec![2.0, 1.5, 1.0, 0.0, 1.5]);
    assert_eq!(
        preview.good[2].input.left, "10:00",
        "left early: the time the hours imply"
    );
    assert_eq!(counts(&store), (4, 0, 0));
    let done = apply_attendance(&mut store, &preview).expect("applied");
    assert_eq!(done.trainings.len(), 2);
    assert_eq!(done.sign_ins, 5);
    assert_eq!(counts(&store), (4, 2, 5));
    let first = store.training_view(done.trainings[0]).expect("view");
    assert_eq!(first.summary.title, "个案预估方法");
    assert_eq!(first.summary.hours, 2.0);
    assert_eq!(first.summary.attended, 3, "the excused one did not attend");
    let late = first
        .attendance
        .iter()
        .find(|a| a.name == "李娜")
        .expect("李娜");
    assert_eq!(late.status, SignIn::Late);
    assert_eq!(late.credited_hours, 1.5);
    assert_eq!(
        late.arrived.map(|t| t.to_string()).as_deref(),
        Some("09:30:00")
    );
    let second = store.training_view(done.trainings[1]).expect("view");
    assert_eq!(second.summary.method.code(), "online");
    // The same file again: every session is already recorded.
    let again = attendance_preview(&store, &bytes, "签到.xlsx");
    assert_eq!(again.good.len(), 0);
    assert!(again.bad.iter().all(|e| e.code == "already_recorded"));
    assert!(apply_attendance(&mut store, &again).is_err());
    assert_eq!(counts(&store), (4, 2, 5));
}

#[test]
fn bad_attendance_rows_are_each_reported_and_nothing_is_written() {
    let mut store = store();
    add(&mut store, "王芳", "frontline");
    add(&mut store, "李娜", "frontline");
    let before = counts(&store);
    let csv = "姓名,培训主题,日期,开始时间,结束时间,签到状态,签到时间,计入学时\n\
        王芳,督导入门,2024-03-05,09:00,11:00,出席,,2\n\
        陌生人,督导入门,2024-03-05,09:00,11:00,出席,,\n\
        李娜,督导入门,2024-03-05,09:00,11:00,迟到,09:30,2\n\
        王芳,督导入门,2024-03-05,09:00,11:00,出席,,\n\
        李娜,督导入门,2024-02-30,09:00,11:00,出席,,\n\
        李娜,督导入门,2024-03-06,11:00,09:00,出席,,\n\
        李娜,督导入门,2024-03-07,09:00,11:00,到场了,,\n\
        李娜,督导入门,2024-03-08,09:00,11:00,迟到,,\n\
        李娜,督导入门,2018-03-08,09:00,11:00,出席,,\n";
    let preview = attendance_preview(&store, csv.as_bytes(), "a.csv");
    assert_eq!(
        codes(&preview),
        vec![
            "3: unknown_staff",
            "4: hours_mismatch",
            "5: signed_in_twice",
            "6: bad_date",
            "7: end_before_start",
            "8: unknown_choice",
            "9: required",
            "10: not_on_staff_that_day",
        ]
    );
    let text: Vec<String> = preview.bad.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        text[1],
        "row 4: 计入学时 \"2\" does not match the sign-in: 迟到 09:30–11:00 credits 1.5 hours, not 2"
    );
    assert!(
        text[5].contains("write one of 出席、迟到、早退、缺席、请假"),
        "{}",
        text[5]
    );
    assert!(
        text[6].starts_with("row 9: 签到时间 is required"),
        "{}",
        text[6]
    );
    assert!(apply_attendance(&mut store, &preview).is_err());
    assert_eq!(counts(&store), before);
}

#[test]
fn cli_dry_run_writes_nothing_and_a_bad_file_fails_with_its_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("a.sqlite3");
    stationdesk(&db)
        .args(["demo", "--scale", "station", "--seed", "5"])
        .assert()
        .success();
    let staff = |db: &std::path::Path| -> usize {
        let out = stationdesk(db)
            .args(["staff", "list", "--format", "json"])
            .output()
            .expect("run");
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
        rows.len()
    };
    let before = staff(&db);
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "姓名,岗位,入职日期\n新同事甲,一线社工,2024-03-05\n新同事乙,社工,2024/3/6\n",
    )
    .expect("write");
    stationdesk(&db)
        .args(["import-xlsx", "roster"])
        .arg(&good)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains("姓名"))
        .stdout(predicate::str::contains(
            "2 row(s) good, 0 row(s) with problems",
        ))
        .stdout(predicate::str::contains(
            "dry run: 2 staff would be imported",
        ));
    assert_eq!(staff(&db), before, "a dry run writes nothing");

    let bad = dir.path().join("bad.xlsx");
    std::fs::write(
        &bad,
        xlsx(&[
            vec![T("姓名"), T("岗位"), T("入职日期")],
            vec![T("新同事丙"), T("一线社工"), T("2024-03-05")],
            vec![T("新同事丁"), T("一线社工"), T("2024-13-01")],
        ]),
    )
    .expect("write");
    stationdesk(&db)
        .args(["import-xlsx", "roster"])
        .arg(&bad)
        .assert()
        .failure()
        .stdout(predicate::str::contains(
            "1 row(s) good, 1 row(s) with problems",
        ))
        .stderr(predicate::str::contains(
            "row 3: 入职日期 \"2024-13-01\" is not a date",
        ))
        .stderr(predicate::str::contains("nothing was imported"));
    assert_eq!(staff(&db), before, "a bad file writes nothing");

    let pdf = dir.path().join("roster.xlsx");
    std::fs::write(&pdf, b"%PDF-1.4\n\x00\x01\x02").expect("write");
    stationdesk(&db)
        .args(["import-xlsx", "roster"])
        .arg(&pdf)
        .assert()
        .failure()
        .stderr(predicate::str::contains("is not a spreadsheet"));

    stationdesk(&db)
        .args(["import-xlsx", "roster"])
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains("imported 2 staff"));
    assert_eq!(staff(&db), before + 2);

    let template = dir.path().join("attendance-template.xlsx");
    stationdesk(&db)
        .args(["template", "attendance", "--out"])
        .arg(&template)
        .assert()
        .success();
    stationdesk(&db)
        .args(["import-xlsx", "attendance", "--dry-run"])
        .arg(&template)
        .assert()
        .failure()
        .stderr(predicate::str::contains("row 2: 姓名 \"王芳\""));
}
