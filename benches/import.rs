//! Importing a 5,000-row roster from .xlsx (issue 6: ≤ 2 s including
//! validation). Run: `cargo bench --bench import`.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use stationdesk::import::{apply_roster, guess_mapping, preview_roster, read_table, ImportKind};
use stationdesk::model::NewStation;
use stationdesk::Store;

const ROWS: usize = 5_000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

/// A roster as a station keeps it: Chinese headings and labels, real date
/// cells; one in ten a certified assistant supervisor, one in seven left.
fn roster_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let headings = [
        "姓名",
        "岗位",
        "职业资格",
        "证书编号",
        "登记日期",
        "入职日期",
        "离职日期",
    ];
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("heading");
    }
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    for i in 0..ROWS {
        let r = i as u32 + 1;
        let day = |y: u16| {
            ExcelDateTime::from_ymd(y, (i % 12) as u8 + 1, (i % 28) as u8 + 1).expect("date")
        };
        let name = format!("{}社工{i:04}", surnames[i % surnames.len()]);
        sheet.write_string(r, 0, name).expect("cell");
        if i % 10 == 0 {
            sheet.write_string(r, 1, "督导助理").expect("cell");
            sheet.write_string(r, 2, "助理社会工作师").expect("cell");
            sheet
                .write_string(r, 3, format!("ZS2021-{i:04}"))
                .expect("cell");
            sheet
                .write_datetime_with_format(r, 4, day(2022), &date)
                .expect("cell");
        } else {
            sheet.write_string(r, 1, "一线社工").expect("cell");
            sheet.write_string(r, 2, "无").expect("cell");
        }
        sheet
            .write_datetime_with_format(r, 5, day(2018), &date)
            .expect("cell");
        if i % 7 == 0 {
            sheet
                .write_datetime_with_format(r, 6, day(2024), &date)
                .expect("cell");
        }
    }
    book.save_to_buffer().expect("workbook")
}

/// A database file with one empty station, as on the laptop.
fn fresh_store(dir: &std::path::Path, n: usize) -> Store {
    let mut store = Store::open(&dir.join(format!("import-{n}.sqlite3"))).expect("open");
    store
        .add_station(&NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
    store
}

/// Read, map, check every row, write them all in one transaction.
fn import(store: &mut Store, bytes: &[u8]) -> usize {
    let table = read_table(bytes, "名册.xlsx").expect("table");
    let mapping = guess_mapping(ImportKind::Roster, &table.headers);
    let preview = preview_roster(store, 1, &table, &mapping, today()).expect("preview");
    assert!(preview.is_clean(), "{:?}", &preview.bad[..1]);
    apply_roster(store, &preview).expect("applied").len()
}

fn bench(c: &mut Criterion) {
    let bytes = roster_xlsx();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut n = 0;
    let mut store = fresh_store(dir.path(), n);
    let started = std::time::Instant::now();
    assert_eq!(import(&mut store, &bytes), ROWS);
    eprintln!(
        "import {ROWS}-row roster ({} bytes) into a new database file: {:?}",
        bytes.len(),
        started.elapsed()
    );
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("read 5,000-row roster xlsx", |b| {
        b.iter(|| read_table(&bytes, "名册.xlsx").expect("table"))
    });
    let empty = fresh_store(dir.path(), usize::MAX);
    let table = read_table(&bytes, "名册.xlsx").expect("table");
    let mapping = guess_mapping(ImportKind::Roster, &table.headers);
    group.bench_function("check 5,000 roster rows", |b| {
        b.iter(|| preview_roster(&empty, 1, &table, &mapping, today()).expect("preview"))
    });
    group.bench_function("import 5,000-row roster xlsx (read, check, write)", |b| {
        b.iter_batched(
            || {
                n += 1;
                fresh_store(dir.path(), n)
            },
            |mut store| import(&mut store, &bytes),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
