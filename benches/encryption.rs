//! What encryption at rest costs (issue 8), at county scale, in one run:
//! the overdue engine and the workload engine on the same county data in a
//! plain file and in a SQLCipher file; unlocking (the key derivation and
//! the first read); and a backup of the encrypted county file.
//!
//! Targets: encryption costs ≤ 25 % on the overdue and workload figures,
//! unlock ≤ 1 s, a county backup ≤ 10 s.
//!
//! `cargo bench --bench encryption`. The county is generated once (a few
//! minutes; or copied from the plain file named by
//! `STATIONDESK_BENCH_COUNTY`), then copied and encrypted with
//! `Store::encrypt_file`.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use stationdesk::demo::{generate, Scale, DEFAULT_SEED};
use stationdesk::model::Month;
use stationdesk::store::{Passphrase, Scope};
use stationdesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

const MONTH: Month = Month {
    year: 2026,
    month: 10,
};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.sqlite3");
    let encrypted = dir.path().join("encrypted.sqlite3");
    let key = Passphrase::given("县级基准 benchmark passphrase").expect("passphrase");
    let started = Instant::now();
    match std::env::var_os("STATIONDESK_BENCH_COUNTY") {
        // A county made earlier by `stationdesk demo --scale county`
        // (plain), copied: saves the two minutes of generating it.
        Some(made) => {
            std::fs::copy(&made, &plain).expect("copy the county given");
        }
        None => {
            let mut store = Store::open(&plain).expect("open");
            store
                .load_demo(&generate(Scale::County, DEFAULT_SEED, today()))
                .expect("demo");
        }
    }
    eprintln!("county demo ready in {:?}", started.elapsed());
    std::fs::copy(&plain, &encrypted).expect("copy");
    let started = Instant::now();
    Store::encrypt_file(&encrypted, &key).expect("encrypt");
    eprintln!("the county file encrypted in {:?}", started.elapsed());

    let stores = [
        ("plain", Store::open(&plain).expect("plain")),
        (
            "encrypted",
            Store::open_encrypted(&encrypted, &key).expect("encrypted"),
        ),
    ];
    // The same answers from both before their times mean anything.
    assert_eq!(
        stores[0]
            .1
            .overdue(Scope::All, today())
            .expect("overdue")
            .len(),
        stores[1]
            .1
            .overdue(Scope::All, today())
            .expect("overdue")
            .len()
    );

    let mut group = c.benchmark_group("encryption, county");
    for (name, store) in &stores {
        group.bench_function(format!("overdue_all/{name}"), |b| {
            b.iter(|| store.overdue(Scope::All, today()).expect("overdue"))
        });
        group.bench_function(format!("workload_month/{name}"), |b| {
            b.iter(|| {
                store
                    .workload(Scope::All, MONTH, today())
                    .expect("workload")
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("encryption, once");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    // What the lock screen waits for: the key derived from the passphrase
    // (SQLCipher's PBKDF2, 256,000 rounds), the schema read and checked.
    group.bench_function("unlock_county", |b| {
        b.iter(|| Store::open_encrypted(&encrypted, &key).expect("unlock"))
    });
    let backup = dir.path().join("backup.sqlite3");
    group.bench_function("backup_county_encrypted", |b| {
        b.iter(|| {
            stores[1]
                .1
                .backup_to(&backup, &mut |_, _| {})
                .expect("backup")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
