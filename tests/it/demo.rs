use std::collections::HashMap;

use stationdesk::demo::{generate, Scale};
use stationdesk::model::Role;
use stationdesk::Store;

use crate::fixture::today;

#[test]
fn the_same_seed_gives_the_same_station() {
    assert_eq!(
        generate(Scale::Station, 7, today()),
        generate(Scale::Station, 7, today())
    );
    assert_ne!(
        generate(Scale::Station, 7, today()),
        generate(Scale::Station, 8, today())
    );
}

#[test]
fn a_station_has_the_team_the_issue_describes() {
    let demo = generate(Scale::Station, 1, today());
    assert_eq!(demo.stations.len(), 1);
    let mut roles: HashMap<Role, usize> = HashMap::new();
    for p in &demo.staff {
        *roles.entry(p.role).or_default() += 1;
    }
    let supervisors = roles.get(&Role::JuniorSupervisor).copied().unwrap_or(0)
        + roles
            .get(&Role::IntermediateSupervisor)
            .copied()
            .unwrap_or(0);
    assert_eq!(supervisors, 1);
    assert_eq!(roles[&Role::AssistantSupervisor], 2);
    assert_eq!(roles[&Role::TraineeSupervisor], 1);
    assert!((18..=22).contains(&roles[&Role::Frontline]));
}

#[test]
fn a_county_has_the_scale_of_the_overdue_benchmark_and_its_rows_are_valid() {
    let mut demo = generate(Scale::County, 3, today());
    assert_eq!(demo.stations.len(), 50);
    assert_eq!(demo.staff.len(), 1000);
    // Each certificate number is one person's, as the store requires.
    let numbers: Vec<&String> = demo
        .staff
        .iter()
        .filter_map(|p| p.certificate_no.as_ref())
        .collect();
    let unique: std::collections::HashSet<&&String> = numbers.iter().collect();
    assert!(numbers.len() > 500);
    assert_eq!(unique.len(), numbers.len());
    let contacts: usize = demo.cases.iter().map(|c| c.contacts.len()).sum();
    let items: usize = demo
        .records
        .iter()
        .map(|r| r.content.action_items.len())
        .sum();
    for (what, got, want) in [
        ("cases", demo.cases.len(), 100_000),
        ("contacts", contacts, 1_000_000),
        ("supervision sessions", demo.records.len(), 200_000),
        ("action items", items, 400_000),
    ] {
        assert!(
            got * 100 >= want * 95 && got * 100 <= want * 110,
            "{what}: {got}, want about {want}"
        );
    }
    // Loading all of it takes a minute in a debug build (the benchmark
    // loads it whole, in release): store every person and link, and a
    // sample of the history.
    demo.cases.truncate(3000);
    demo.records.truncate(5000);
    let mut store = Store::open_in_memory().expect("store");
    store
        .load_demo(&demo)
        .expect("every generated row passes the store's checks");
    assert_eq!(store.list_staff(None, today()).expect("list").len(), 1000);
    assert_eq!(
        store
            .list_records(Default::default())
            .expect("records")
            .len(),
        5000
    );
    // Every active supervisee with a supervisor has one who ranks above them.
    for v in store.list_staff(None, today()).expect("list") {
        if let Some((boss, _)) = v.supervisor {
            let boss = store.staff(boss).expect("boss");
            assert!(boss.record.role.supervising_rank() > v.staff.record.role.supervising_rank());
        }
    }
}

#[test]
fn demo_staff_pass_the_same_checks_as_typed_ones() {
    for p in generate(Scale::Station, 11, today()).staff {
        let input = stationdesk::model::StaffInput {
            station_id: 1,
            name: p.name.clone(),
            role: p.role.code().into(),
            qualification: p.qualification.code().into(),
            certificate_no: p.certificate_no.clone().unwrap_or_default(),
            registration_date: p
                .registration_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            start_date: p.start_date.to_string(),
            active: p.left_date.is_none(),
            left_date: p.left_date.map(|d| d.to_string()).unwrap_or_default(),
        };
        let checked = input.validate(today()).expect("valid");
        assert_eq!(checked.name, p.name);
    }
}

#[test]
fn demo_goes_only_into_an_empty_database() {
    let mut store = Store::open_in_memory().expect("store");
    store
        .load_demo(&generate(Scale::Station, 1, today()))
        .expect("first");
    let err = store
        .load_demo(&generate(Scale::Station, 2, today()))
        .expect_err("second");
    assert!(err.to_string().contains("empty"), "{err}");
    assert_eq!(store.list_stations().expect("stations").len(), 1);
}

#[test]
fn six_months_of_records_with_some_overdue_and_unsigned() {
    let demo = generate(Scale::Station, 4, today());
    let mut store = Store::open_in_memory().expect("store");
    store.load_demo(&demo).expect("load");
    let records = store.list_records(Default::default()).expect("records");
    let oldest = records.iter().map(|r| r.date).min().expect("some");
    assert!(
        (today() - oldest).num_days() >= 140,
        "history goes back about six months"
    );
    assert!(
        records.iter().any(|r| !r.fully_signed()),
        "some records are unsigned"
    );
    assert!(records.iter().any(|r| r.fully_signed()));
    let open = store.action_items(None, true).expect("items");
    assert!(
        open.iter().any(|i| i.item.due < today()),
        "some action items are past due"
    );
    // Numbers follow the dates within each supervisor's year.
    let mut by_boss: HashMap<(i64, i32), Vec<(chrono::NaiveDate, i64)>> = HashMap::new();
    for r in &records {
        by_boss
            .entry((r.supervisor_id, r.year))
            .or_default()
            .push((r.date, r.number));
    }
    for list in by_boss.values_mut() {
        list.sort();
        let numbers: Vec<i64> = list.iter().map(|x| x.1).collect();
        assert_eq!(numbers, (1..=numbers.len() as i64).collect::<Vec<_>>());
    }
}
