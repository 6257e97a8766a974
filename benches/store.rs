//! Store benchmarks at county scale (50 stations, 1,000 staff, 100,000
//! cases, ~200,000 supervision records), fed by the
//! demo generator. Run: `cargo bench --bench store`.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use stationdesk::demo::{generate, Scale, DEFAULT_SEED};
use stationdesk::store::RecordFilter;
use stationdesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

fn county_store() -> Store {
    let mut store = Store::open_in_memory().expect("open");
    store
        .load_demo(&generate(Scale::County, DEFAULT_SEED, today()))
        .expect("demo");
    store
}

fn bench(c: &mut Criterion) {
    c.bench_function("generate county", |b| {
        b.iter(|| generate(Scale::County, DEFAULT_SEED, today()))
    });
    // A county is ~1.6 million rows: stored once and timed, not sampled.
    let started = std::time::Instant::now();
    let store = county_store();
    eprintln!("load county demo: {:?}", started.elapsed());
    c.bench_function("list one station's staff (county db)", |b| {
        b.iter(|| store.list_staff(Some(7), today()).expect("list"))
    });
    c.bench_function("list all 1,000 staff", |b| {
        b.iter(|| store.list_staff(None, today()).expect("list"))
    });
    c.bench_function("list stations", |b| {
        b.iter(|| store.list_stations().expect("list"))
    });
    let boss = store.supervisors(today()).expect("supervisors")[0].staff.id;
    c.bench_function("list one supervisor's records (county db)", |b| {
        b.iter(|| {
            store
                .list_records(RecordFilter {
                    supervisor_id: Some(boss),
                    month: None,
                })
                .expect("records")
        })
    });
    let id = store
        .list_records(RecordFilter::default())
        .expect("records")[0]
        .id;
    c.bench_function("read one whole record (county db)", |b| {
        b.iter(|| store.record(id).expect("record"))
    });
    let record = store.record(id).expect("record");
    let sheet = stationdesk::pdf::record_sheet(&record, "打印于 2026-11-22 10:00");
    let bytes = stationdesk::pdf::supervision_record_pdf(&sheet).expect("pdf");
    eprintln!("one supervision-record PDF: {} bytes", bytes.len());
    c.bench_function("supervision-record PDF", |b| {
        b.iter(|| stationdesk::pdf::supervision_record_pdf(&sheet).expect("pdf"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
