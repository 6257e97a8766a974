//! The workload engine at county scale (10 teams, 50 stations, ~800 staff,
//! ~200,000 supervision sessions over four years, 100,000 cases), against
//! one hand-written SQL query that produces the same figures from the same
//! file. Run: `cargo bench --bench workload`.
//!
//! Targets (the workload issue): a county month ≤ 1.5 × the SQL baseline
//! and ≤ 150 ms; one supervisor's dashboard (their month and their
//! 12-month trend) ≤ 50 ms; a 12-month trend ≤ 200 ms.

use std::time::Instant;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use rusqlite::Connection;
use stationdesk::demo::{generate, Scale, DEFAULT_SEED};
use stationdesk::model::{counting_day, team_of, LinkFact, Month, Role, SupervisorMonth};
use stationdesk::store::Scope;
use stationdesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default()
}

/// A complete month.
const MONTH: Month = Month {
    year: 2026,
    month: 10,
};

/// `expr` moved by `n` months, the day clamped to the month's end (as
/// chrono's `checked_add_months` does; SQLite's own '+n months' overflows
/// into the next month instead).
fn add_months(expr: &str, n: i32) -> String {
    format!(
        "min(date({expr}, 'start of month', '{n:+} months', '+' || (CAST(strftime('%d', {expr}) AS INTEGER) - 1) || ' days'),
             date({expr}, 'start of month', '{m:+} months', '-1 day'))",
        m = n + 1
    )
}

/// Minutes since midnight of an `HH:MM` column.
fn minutes(col: &str) -> String {
    format!("(CAST(substr({col}, 1, 2) AS INTEGER) * 60 + CAST(substr({col}, 4, 2) AS INTEGER))")
}

/// The baseline: every supervisor's figures for a month with the default
/// policy, in SQL alone. ?1 the month's first day, ?2 its last day, ?3 the
/// counting day (the last day, or today if the month is not over).
fn baseline_sql() -> String {
    let new_until = add_months("p.start_date", 6);
    let (start, end) = (minutes("start_time"), minutes("end_time"));
    format!(
        "WITH
         sup AS (
             SELECT id, role FROM staff
             WHERE role IN ('assistant_supervisor', 'trainee_supervisor', 'junior_supervisor',
                     'intermediate_supervisor', 'senior_supervisor')
               AND start_date <= ?3 AND (left_date IS NULL OR left_date > ?3)),
         -- The team on the counting day: one row per link, as the engine counts.
         team AS (
             SELECT l.supervisor_id AS sup_id, p.id, p.role,
                 max(?1, p.start_date) AS from_d,
                 min(?3, date({new_until}, '-1 day')) AS to_d
             FROM supervision_link l JOIN staff p ON p.id = l.supervisee_id
             WHERE l.from_date <= ?3 AND (l.to_date IS NULL OR l.to_date > ?3)
               AND p.start_date <= ?3 AND (p.left_date IS NULL OR p.left_date > ?3)
               AND l.supervisor_id IN (SELECT id FROM sup)),
         sess AS (
             SELECT supervisor_id, count(*) AS n, total(({end} - {start}) / 60.0) AS hours
             FROM supervision_record WHERE date >= ?1 AND date <= ?3
             GROUP BY supervisor_id),
         att AS (
             SELECT a.staff_id,
                 sum(r.mode <> 'written') AS f2f,
                 sum(r.mode = 'individual') AS ind,
                 sum(r.mode = 'group') AS grp
             FROM supervision_record r JOIN record_attendee a ON a.record_id = r.id
             WHERE r.date >= ?1 AND r.date <= ?3 AND a.attendance <> 'absent'
             GROUP BY a.staff_id),
         -- R3, or R18: one per started week of the month spent in the first
         -- six months.
         owed AS (
             SELECT sup_id, id, role,
                 CASE WHEN to_d < from_d THEN 1
                      ELSE max(1, (CAST(julianday(to_d) - julianday(from_d) AS INTEGER) + 7) / 7)
                 END AS owed
             FROM team),
         cov AS (
             SELECT o.sup_id, count(*) AS supervisees,
                 sum(coalesce(att.f2f, 0) >= o.owed) AS covered
             FROM owed o LEFT JOIN att ON att.staff_id = o.id
             GROUP BY o.sup_id),
         cl AS (
             SELECT owner_id AS id,
                 total(CASE risk WHEN 'high' THEN 3 WHEN 'priority' THEN 2 ELSE 1 END) AS load
             FROM client_case WHERE opened_on <= ?2 AND (closed_on IS NULL OR closed_on >= ?1)
             GROUP BY owner_id),
         gl AS (
             SELECT g.leader_id AS id, count(*) AS led,
                 sum(g.kind = 'group' AND s.date <= ?3) AS groups,
                 sum(g.kind = 'activity' AND s.date <= ?3) AS activities
             FROM group_session s JOIN group_work g ON g.id = s.group_id
             WHERE s.date >= ?1 AND s.date <= ?2
             GROUP BY g.leader_id),
         workload AS (
             SELECT p.id, coalesce(cl.load, 0) + coalesce(gl.led, 0) AS load,
                 coalesce(cl.load, 0) AS cases, coalesce(gl.groups, 0) AS groups,
                 coalesce(gl.activities, 0) AS activities
             FROM staff p LEFT JOIN cl ON cl.id = p.id LEFT JOIN gl ON gl.id = p.id),
         members AS (SELECT sup_id, id FROM team UNION SELECT id, id FROM sup),
         teamload AS (
             SELECT m.sup_id, total(w.cases) AS cases, sum(w.groups) AS groups,
                 sum(w.activities) AS activities
             FROM members m JOIN workload w ON w.id = m.id GROUP BY m.sup_id),
         frontline AS (
             SELECT t.sup_id, avg(w.load) AS average
             FROM team t JOIN workload w ON w.id = t.id WHERE t.role = 'frontline'
             GROUP BY t.sup_id),
         assistant AS (
             SELECT s.id, w.load AS own, coalesce(f.average, 0.0) AS average,
                 CASE WHEN coalesce(f.average, 0.0) > 0 THEN w.load * 100.0 / f.average
                      ELSE 100.0 END AS share
             FROM sup s JOIN workload w ON w.id = s.id LEFT JOIN frontline f ON f.sup_id = s.id
             WHERE s.role = 'assistant_supervisor'),
         trainee_groups AS (
             SELECT g.leader_id AS id, g.id AS group_id, g.kind, g.therapeutic, count(*) AS n
             FROM sup s JOIN group_work g ON g.leader_id = s.id
             JOIN group_session x ON x.group_id = g.id
             WHERE s.role = 'trainee_supervisor' AND x.date <= ?3
             GROUP BY g.id),
         trainee AS (
             SELECT s.id,
                 (SELECT count(*) FROM (
                     SELECT date FROM case_contact
                     WHERE staff_id = s.id AND date >= ?1 AND date <= ?3
                     UNION
                     SELECT x.date FROM group_work g JOIN group_session x ON x.group_id = g.id
                     WHERE g.leader_id = s.id AND x.date >= ?1 AND x.date <= ?3)) AS half_days,
                 (SELECT count(*) FROM client_case c WHERE c.owner_id = s.id AND c.difficult
                     AND (SELECT count(*) FROM case_contact k WHERE k.case_id = c.id
                          AND k.kind IN ('interview', 'home_visit')) >= 4) AS difficult,
                 (SELECT count(*) FROM trainee_groups t WHERE t.id = s.id AND t.kind = 'group'
                     AND t.therapeutic AND t.n >= 4) AS therapeutic,
                 (SELECT count(*) FROM trainee_groups t WHERE t.id = s.id AND t.kind = 'group'
                     AND NOT t.therapeutic AND t.n >= 4) AS other,
                 (SELECT count(*) FROM trainee_groups t WHERE t.id = s.id
                     AND t.kind = 'activity') AS activities
             FROM sup s WHERE s.role = 'trainee_supervisor')
         SELECT s.id,
             coalesce(c.supervisees, 0),
             CASE s.role WHEN 'assistant_supervisor' THEN 6
                 WHEN 'trainee_supervisor' THEN 14 WHEN 'junior_supervisor' THEN 14 END AS lim,
             coalesce(c.supervisees, 0) * 100.0 /
                 CASE s.role WHEN 'assistant_supervisor' THEN 6
                     WHEN 'trainee_supervisor' THEN 14 WHEN 'junior_supervisor' THEN 14 END,
             coalesce(x.n, 0), coalesce(x.hours, 0.0),
             coalesce(c.covered, 0),
             coalesce(tl.cases, 0.0), coalesce(tl.groups, 0), coalesce(tl.activities, 0),
             coalesce(a.ind, 0), coalesce(a.grp, 0),
             w.own, w.average, w.share, w.share + 1e-9 >= 80,
             t.half_days, t.difficult, t.therapeutic, t.other, t.activities,
             t.difficult >= 2 AND (t.therapeutic >= 1 OR t.other >= 2) AND t.activities >= 1
         FROM sup s
         LEFT JOIN cov c ON c.sup_id = s.id
         LEFT JOIN sess x ON x.supervisor_id = s.id
         LEFT JOIN teamload tl ON tl.sup_id = s.id
         LEFT JOIN att a ON a.staff_id = s.id
         LEFT JOIN assistant w ON w.id = s.id
         LEFT JOIN trainee t ON t.id = s.id"
    )
}

/// A float as micro-units, so that summation order does not matter.
fn micro(x: f64) -> i64 {
    (x * 1e6).round() as i64
}

/// One supervisor's figures in a comparable form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    supervisor_id: i64,
    supervisees: u32,
    ratio_limit: Option<u32>,
    load_pct: Option<i64>,
    sessions: u32,
    hours: i64,
    covered: u32,
    team_case_load: i64,
    team_group_sessions: u32,
    team_activities: u32,
    received_individual: u32,
    received_group: u32,
    /// own workload, group average, share, meets R7
    assistant: Option<(i64, i64, i64, bool)>,
    /// half-days, difficult cases, therapeutic groups, other groups,
    /// activities, meets R6
    trainee: Option<(u32, u32, u32, u32, u32, bool)>,
}

fn baseline(conn: &Connection, sql: &str, month: Month, today: NaiveDate) -> Vec<Row> {
    let mut stmt = conn.prepare_cached(sql).expect("baseline SQL");
    let rows = stmt
        .query_map(
            (month.first(), month.last(), counting_day(month, today)),
            |r| {
                let own: Option<f64> = r.get(12)?;
                let half_days: Option<u32> = r.get(16)?;
                Ok(Row {
                    supervisor_id: r.get(0)?,
                    supervisees: r.get(1)?,
                    ratio_limit: r.get(2)?,
                    load_pct: r.get::<_, Option<f64>>(3)?.map(micro),
                    sessions: r.get(4)?,
                    hours: micro(r.get(5)?),
                    covered: r.get(6)?,
                    team_case_load: micro(r.get(7)?),
                    team_group_sessions: r.get(8)?,
                    team_activities: r.get(9)?,
                    received_individual: r.get(10)?,
                    received_group: r.get(11)?,
                    assistant: match own {
                        Some(own) => {
                            Some((micro(own), micro(r.get(13)?), micro(r.get(14)?), r.get(15)?))
                        }
                        None => None,
                    },
                    trainee: match half_days {
                        Some(h) => Some((
                            h,
                            r.get(17)?,
                            r.get(18)?,
                            r.get(19)?,
                            r.get(20)?,
                            r.get(21)?,
                        )),
                        None => None,
                    },
                })
            },
        )
        .expect("query");
    rows.collect::<rusqlite::Result<_>>().expect("rows")
}

fn engine_rows(rows: &[SupervisorMonth]) -> Vec<Row> {
    rows.iter()
        .map(|s| Row {
            supervisor_id: s.supervisor_id,
            supervisees: s.supervisees,
            ratio_limit: s.ratio_limit,
            load_pct: s.load_pct.map(micro),
            sessions: s.sessions,
            hours: micro(s.hours),
            covered: s.covered,
            team_case_load: micro(s.team_case_load),
            team_group_sessions: s.team_group_sessions,
            team_activities: s.team_activities,
            received_individual: s.received_individual,
            received_group: s.received_group,
            assistant: s.assistant.as_ref().map(|a| {
                (
                    micro(a.own_workload),
                    micro(a.group_average),
                    micro(a.share_pct),
                    a.meets_r7,
                )
            }),
            trainee: s.trainee.as_ref().map(|t| {
                (
                    t.half_days,
                    t.difficult_cases,
                    t.therapeutic_groups,
                    t.other_groups,
                    t.activities,
                    t.meets_r6,
                )
            }),
        })
        .collect()
}

/// Both sides, sorted, must be equal; on a difference, the first rows that
/// differ are shown.
fn assert_same(month: Month, ours: &[SupervisorMonth], theirs: Vec<Row>) {
    let mut ours = engine_rows(ours);
    let mut theirs = theirs;
    ours.sort();
    theirs.sort();
    let differ: Vec<_> = ours
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| a != b)
        .take(5)
        .collect();
    assert!(
        ours.len() == theirs.len() && differ.is_empty(),
        "{month}: engine ({} rows) and SQL ({} rows) differ:\n{differ:#?}",
        ours.len(),
        theirs.len()
    );
}

fn rows_links(store: &Store) -> Vec<LinkFact> {
    store.workload_facts(MONTH, MONTH).expect("facts").links
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("county.sqlite3");
    let started = Instant::now();
    let mut store = Store::open(&path).expect("open");
    store
        .load_demo(&generate(Scale::County, DEFAULT_SEED, today()))
        .expect("demo");
    eprintln!(
        "county demo generated and stored in {:?}",
        started.elapsed()
    );
    // Measure the file as the app finds it the next morning: checkpointed,
    // opened afresh. The baseline gets the same connection settings.
    drop(store);
    let conn = Connection::open(&path).expect("second connection");
    conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
        .expect("checkpoint");
    conn.pragma_update(None, "mmap_size", stationdesk::store::MMAP_BYTES)
        .expect("mmap");
    let store = Store::open(&path).expect("reopen");
    let sql = baseline_sql();

    // Both must give the same figures before their times mean anything:
    // the benchmarked month, and a few more (one not yet over).
    let mut checked = 0;
    for m in MONTH.trailing(6).into_iter().chain([MONTH.next()]) {
        let ours = store.workload(Scope::All, m, today()).expect("workload");
        assert_same(m, &ours, baseline(&conn, &sql, m, today()));
        checked += ours.len();
    }
    let rows = store
        .workload(Scope::All, MONTH, today())
        .expect("workload");
    eprintln!(
        "{} supervisors in {MONTH}; {checked} supervisor-months the same from both",
        rows.len()
    );

    // One junior or intermediate supervisor with the largest team.
    let boss = rows
        .iter()
        .filter(|r| {
            matches!(
                r.role,
                Role::JuniorSupervisor | Role::IntermediateSupervisor
            )
        })
        .max_by_key(|r| (r.supervisees, std::cmp::Reverse(r.supervisor_id)))
        .expect("a supervisor in the demo");
    let (boss, station) = (boss.supervisor_id, boss.station_id);
    eprintln!("dashboard of supervisor {boss}, trend of station {station}");
    // A scope reads only its own facts: the same rows as the county's.
    let team = team_of(&rows_links(&store), boss, counting_day(MONTH, today()));
    let want = |keep: &dyn Fn(&SupervisorMonth) -> bool| -> Vec<SupervisorMonth> {
        rows.iter().filter(|r| keep(r)).cloned().collect()
    };
    assert_eq!(
        store
            .workload(Scope::Supervisor(boss), MONTH, today())
            .expect("workload"),
        want(&|r| team.contains(&r.supervisor_id))
    );
    assert_eq!(
        store
            .workload(Scope::Station(station), MONTH, today())
            .expect("workload"),
        want(&|r| r.station_id == station)
    );

    let mut group = c.benchmark_group("workload");
    group.bench_function("county_month_engine", |b| {
        b.iter(|| {
            store
                .workload(Scope::All, MONTH, today())
                .expect("workload")
        })
    });
    group.bench_function("county_month_sql", |b| {
        b.iter(|| baseline(&conn, &sql, MONTH, today()))
    });
    group.bench_function("dashboard_supervisor", |b| {
        b.iter(|| {
            let month = store
                .workload(Scope::Supervisor(boss), MONTH, today())
                .expect("workload");
            let trend = store
                .workload_trend(Scope::Supervisor(boss), MONTH, 12, today())
                .expect("trend");
            (month, trend)
        })
    });
    group.bench_function("trend_12_months_station", |b| {
        b.iter(|| {
            store
                .workload_trend(Scope::Station(station), MONTH, 12, today())
                .expect("trend")
        })
    });
    group.bench_function("trend_12_months_county", |b| {
        b.iter(|| {
            store
                .workload_trend(Scope::All, MONTH, 12, today())
                .expect("trend")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
