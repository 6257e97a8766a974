//! The continuing-education hours ledger at county scale (1,000 staff,
//! ~20,000 training sessions, ~300,000+ sign-ins from the county demo).
//! Run: `cargo bench --bench training`.
//!
//! Target (issue 6): the whole county's ledger ≤ 100 ms.

use std::time::Instant;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use rusqlite::Connection;
use stationdesk::demo::{generate, Scale, DEFAULT_SEED};
use stationdesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("county.sqlite3");
    let started = Instant::now();
    let mut store = Store::open(&path).expect("open");
    store
        .load_demo(&generate(Scale::County, DEFAULT_SEED, today()))
        .expect("demo");
    eprintln!("county demo stored in {:?}", started.elapsed());
    drop(store);
    let conn = Connection::open(&path).expect("raw");
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .expect("checkpoint");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).expect(sql) };
    eprintln!(
        "{} staff, {} sessions, {} sign-ins, {} assessments",
        count("SELECT count(*) FROM staff"),
        count("SELECT count(*) FROM training"),
        count("SELECT count(*) FROM training_attendance"),
        count("SELECT count(*) FROM assessment"),
    );
    let store = Store::open(&path).expect("reopen");
    let rows = store.hours_ledger(None, today()).expect("ledger");
    eprintln!(
        "{} certified staff in the ledger, {} behind",
        rows.len(),
        rows.iter().filter(|r| r.behind).count()
    );

    let mut group = c.benchmark_group("training, county");
    group.bench_function("hours ledger: whole county", |b| {
        b.iter(|| store.hours_ledger(None, today()).expect("ledger"))
    });
    group.bench_function("hours ledger: one station", |b| {
        b.iter(|| store.hours_ledger(Some(7), today()).expect("ledger"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
