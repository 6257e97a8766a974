//! Sync merges: three laptops converge; conflicts reach the review queue.
//!
//! Every station here is a database file (in `/dev/shm` when there is one),
//! so an edit the app has no screen for (a contact's note, deleting a
//! contact or a case) can be made with raw SQL on the same file: the sync
//! triggers stamp it like any other write. Each station keeps that second
//! connection open, but only ever runs single statements on it, so it never
//! holds a transaction while the store writes. The three stations' base
//! files are made once per run and copied for each lab.
//!
//! The property tests keep an oracle of what happened (each edit with the
//! edits its laptop had received) and check the converged stations and
//! their review queue against it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{Duration, NaiveDateTime};
use proptest::prelude::*;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{json, Value};
use stationdesk::model::{
    ActionItemInput, AttendeeInput, CaseInput, CaseRecord, ContactInput, IdentityInput, NewStation,
    RecordInput, StaffInput, StaffRecord,
};
use stationdesk::store::{ConflictView, ImportReport, Keep};
use stationdesk::sync::bundle::Bundle;
use stationdesk::sync::spec;
use stationdesk::Store;

use crate::fixture::{form, today};

type Snapshot = BTreeMap<String, (String, bool, Vec<Value>)>;

/// A minute of the test day, for `now` parameters.
fn at(minute: i64) -> NaiveDateTime {
    today().and_hms_opt(9, 0, 0).expect("time") + Duration::minutes(minute)
}

/// Lets the wall clock move on, so the next local write has a later
/// version than anything written so far (versions are milliseconds).
fn tick() {
    std::thread::sleep(std::time::Duration::from_millis(3));
}

// ---------------------------------------------------------------------------
// Stations
// ---------------------------------------------------------------------------

struct Station {
    store: Store,
    /// A second connection to the same file, for edits the store has no
    /// method for. Everything here runs one statement at a time, so it
    /// never holds a transaction open while the store writes.
    raw: Connection,
}

impl Station {
    fn open(path: &Path) -> Station {
        let store = Store::open(path).expect("open store");
        let raw = Connection::open(path).expect("raw connection");
        raw.busy_timeout(std::time::Duration::from_secs(5))
            .expect("busy timeout");
        raw.pragma_update(None, "foreign_keys", true)
            .expect("foreign keys");
        Station { store, raw }
    }

    /// The local rowid of a live row.
    fn rid(&self, uid: &str) -> Option<i64> {
        self.raw
            .prepare_cached("SELECT rid FROM sync_row WHERE uid = ?1")
            .expect("prepare")
            .query_row([uid], |r| r.get::<_, Option<i64>>(0))
            .optional()
            .expect("rid")
            .flatten()
    }

    fn uid(&self, table: &str, rid: i64) -> String {
        self.raw
            .query_row(
                "SELECT uid FROM sync_row WHERE tbl = ?1 AND rid = ?2",
                rusqlite::params![table, rid],
                |r| r.get(0),
            )
            .expect("uid of a local row")
    }

    /// The version a row's present life began with (its making, or for a
    /// tombstone its deletion).
    fn life(&self, uid: &str) -> (i64, String) {
        self.raw
            .query_row(
                "SELECT created, origin FROM sync_row WHERE uid = ?1",
                [uid],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("sync row")
    }

    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> usize {
        self.raw.execute(sql, params).expect("raw SQL")
    }

    /// The columns `like` names of a live row, read from its table; None
    /// when the row is not here. (Only for columns that are no foreign key.)
    fn field_value(&self, uid: &str, like: &Value) -> Option<Value> {
        let (table, rid): (String, Option<i64>) = self
            .raw
            .query_row("SELECT tbl, rid FROM sync_row WHERE uid = ?1", [uid], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .expect("sync row")?;
        let rid = rid?;
        let cols: Vec<&String> = like.as_object()?.keys().collect();
        let list = cols
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT {list} FROM {table} WHERE rowid = ?1");
        let values = self
            .raw
            .query_row(&sql, [rid], |r| {
                (0..cols.len())
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            ValueRef::Null => Value::Null,
                            ValueRef::Integer(n) => json!(n),
                            ValueRef::Real(f) => json!(f),
                            ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                            ValueRef::Blob(_) => Value::Null,
                        })
                    })
                    .collect::<rusqlite::Result<Vec<Value>>>()
            })
            .expect("field value");
        Some(Value::Object(
            cols.into_iter().cloned().zip(values).collect(),
        ))
    }

    fn snapshot(&self) -> Snapshot {
        self.store.sync_snapshot().expect("snapshot")
    }

    fn queue(&self) -> Vec<ConflictView> {
        self.store.conflicts(false).expect("queue")
    }

    fn open_queue(&self) -> Vec<ConflictView> {
        self.store.conflicts(true).expect("open queue")
    }

    /// One column of a live row, as the snapshot shows it.
    fn value(&self, uid: &str, col: &str) -> Value {
        let snap = self.snapshot();
        let (table, deleted, values) = snap.get(uid).expect("row in snapshot");
        assert!(!deleted, "row {uid} is deleted");
        let t = spec::table(table).expect("table");
        values[t.col_index(col).expect("column")].clone()
    }

    fn staff_record(&self, uid: &str) -> (i64, StaffRecord) {
        let id = self.rid(uid).expect("staff here");
        (id, self.store.staff(id).expect("staff").record)
    }

    /// Renames a member of staff through the store; false when they are
    /// not here or already have that name.
    fn rename(&mut self, uid: &str, name: &str) -> bool {
        let Some(id) = self.rid(uid) else {
            return false;
        };
        let rec = self.store.staff(id).expect("staff").record;
        if rec.name == name {
            return false;
        }
        let mut input = staff_input(&rec);
        input.name = name.into();
        self.store
            .update_staff(id, &input, today())
            .expect("rename");
        true
    }

    fn set_certificate(&mut self, uid: &str, cert: &str) -> bool {
        let (id, rec) = self.staff_record(uid);
        if rec.certificate_no.as_deref() == Some(cert) {
            return false;
        }
        let mut input = staff_input(&rec);
        input.certificate_no = cert.into();
        self.store
            .update_staff(id, &input, today())
            .expect("certificate");
        true
    }

    fn case_record(&self, uid: &str) -> (i64, CaseRecord) {
        let id = self.rid(uid).expect("case here");
        (id, self.store.case_view(id).expect("case").summary.case)
    }

    /// Changes a case's risk level through the store (which restarts
    /// `risk_since` today); false when it already has that level.
    fn set_risk(&mut self, uid: &str, risk: &str) -> bool {
        let (id, rec) = self.case_record(uid);
        if rec.risk.code() == risk {
            return false;
        }
        let mut input = case_input(&rec);
        input.risk = risk.into();
        self.store.update_case(id, &input, today()).expect("risk");
        true
    }

    fn set_stage(&mut self, uid: &str, stage: &str) {
        let (id, rec) = self.case_record(uid);
        let mut input = case_input(&rec);
        input.stage = stage.into();
        input.closed_on = match stage {
            "closed" | "follow_up" => rec.closed_on.unwrap_or(today()).to_string(),
            _ => String::new(),
        };
        self.store.update_case(id, &input, today()).expect("stage");
    }

    /// Logs a contact through the store; returns its uid.
    fn add_contact(&mut self, case: &str, staff: &str, kind: &str, note: &str) -> String {
        let case_id = self.rid(case).expect("case here");
        let staff_id = self.rid(staff).expect("staff here");
        let id = self
            .store
            .add_contact(
                case_id,
                &ContactInput {
                    date: today().to_string(),
                    kind: kind.into(),
                    staff_id,
                    note: note.into(),
                },
                today(),
            )
            .expect("contact");
        self.uid("case_contact", id)
    }

    /// Edits a contact's note with raw SQL; false when it is not here.
    fn set_note(&self, uid: &str, note: &str) -> bool {
        let Some(id) = self.rid(uid) else {
            return false;
        };
        self.exec(
            "UPDATE case_contact SET note = ?2 WHERE id = ?1",
            rusqlite::params![id, note],
        ) == 1
    }

    /// Deletes a contact with raw SQL; false when it is not here.
    fn delete_contact(&self, uid: &str) -> bool {
        let Some(id) = self.rid(uid) else {
            return false;
        };
        self.exec("DELETE FROM case_contact WHERE id = ?1", [id]) == 1
    }
}

fn staff_input(rec: &StaffRecord) -> StaffInput {
    StaffInput {
        station_id: rec.station_id,
        name: rec.name.clone(),
        role: rec.role.code().into(),
        qualification: rec.qualification.code().into(),
        certificate_no: rec.certificate_no.clone().unwrap_or_default(),
        registration_date: rec
            .registration_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
        start_date: rec.start_date.to_string(),
        active: rec.left_date.is_none(),
        left_date: rec.left_date.map(|d| d.to_string()).unwrap_or_default(),
    }
}

fn case_input(rec: &CaseRecord) -> CaseInput {
    CaseInput {
        code: rec.code.clone(),
        station_id: rec.station_id,
        owner_id: rec.owner_id,
        category: rec.category.code().into(),
        risk: rec.risk.code().into(),
        stage: rec.stage.code().into(),
        difficult: rec.difficult,
        opened_on: rec.opened_on.to_string(),
        closed_on: rec.closed_on.map(|d| d.to_string()).unwrap_or_default(),
        retain_until: rec.retain_until.to_string(),
    }
}

/// The rows every station starts from, by uid.
#[derive(Debug, Clone)]
struct Base {
    /// 0: supervisor, 1 and 2: assistant supervisors (all certified),
    /// 3: an uncertified frontline worker.
    staff: Vec<String>,
    cases: Vec<String>,
    contacts: Vec<String>,
    /// An unsigned supervision record of staff 0 with staff 1, one item.
    record: String,
}

struct Lab {
    _dir: tempfile::TempDir,
    st: Vec<Station>,
    base: Base,
}

fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new()
            .prefix("sync-merge")
            .tempdir_in(shm)
        {
            return dir;
        }
    }
    tempfile::tempdir().expect("temp dir")
}

fn record_input(boss: i64, worker: i64, topic: &str, item: &str) -> RecordInput {
    RecordInput {
        supervisor_id: boss,
        date: "2026-11-20".into(),
        start_time: "09:00".into(),
        end_time: "10:30".into(),
        place: "会议室".into(),
        mode: "individual".into(),
        functions: vec!["educational".into()],
        supervisees: vec![AttendeeInput {
            staff_id: worker,
            attendance: "present".into(),
        }],
        topic: topic.into(),
        findings: "记录不完整".into(),
        action_items: vec![ActionItemInput {
            what: item.into(),
            owner_id: Some(worker),
            due: "2026-11-30".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Station 0 gets the base data; the others import its bundle. Built once
/// per test run; each lab starts from copies of the files.
fn template() -> &'static (Vec<Vec<u8>>, Base) {
    static TEMPLATE: OnceLock<(Vec<Vec<u8>>, Base)> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = scratch_dir();
        let paths: Vec<PathBuf> = (0..3)
            .map(|i| dir.path().join(format!("station{i}.sqlite3")))
            .collect();
        let mut st: Vec<Station> = paths.iter().map(|p| Station::open(p)).collect();
        let base = base_data(&mut st[0]);
        let bundle = export(&st[0], None, at(1));
        for s in st.iter_mut().skip(1) {
            import(s, &bundle, at(1));
        }
        for s in &st {
            s.raw
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .expect("checkpoint");
        }
        drop(st);
        let files = paths
            .iter()
            .map(|p| std::fs::read(p).expect("template file"))
            .collect();
        (files, base)
    })
}

fn lab(n: usize) -> Lab {
    let (files, base) = template();
    let dir = scratch_dir();
    let st = files
        .iter()
        .take(n)
        .enumerate()
        .map(|(i, bytes)| {
            let path = dir.path().join(format!("station{i}.sqlite3"));
            std::fs::write(&path, bytes).expect("copy template");
            Station::open(&path)
        })
        .collect();
    Lab {
        _dir: dir,
        st,
        base: base.clone(),
    }
}

/// A station, four staff, two cases with a contact each, an unsigned
/// supervision record.
fn base_data(a: &mut Station) -> Base {
    a.store
        .add_station(&NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
    let mut staff = Vec::new();
    for (name, role) in [
        ("陈雪云", "junior_supervisor"),
        ("王芳", "assistant_supervisor"),
        ("周敏", "assistant_supervisor"),
        ("李强", "frontline"),
    ] {
        let id = a
            .store
            .create_staff(&form(name, role), today())
            .expect("staff")
            .id;
        staff.push(id);
    }
    let mut cases = Vec::new();
    let mut contacts = Vec::new();
    for code in ["QX-2026-001", "QX-2026-002"] {
        let id = a
            .store
            .create_case(
                &CaseInput {
                    code: code.into(),
                    station_id: 1,
                    owner_id: staff[1],
                    category: "children".into(),
                    risk: "general".into(),
                    stage: "intervention".into(),
                    difficult: false,
                    opened_on: "2026-03-01".into(),
                    closed_on: String::new(),
                    retain_until: "2036-01-01".into(),
                },
                None,
                today(),
            )
            .expect("case");
        cases.push(id);
        let contact = a
            .store
            .add_contact(
                id,
                &ContactInput {
                    date: "2026-11-01".into(),
                    kind: "home_visit".into(),
                    staff_id: staff[1],
                    note: "首次家访".into(),
                },
                today(),
            )
            .expect("contact");
        contacts.push(contact);
    }
    let record = a
        .store
        .create_record(
            &record_input(staff[0], staff[1], "家访安全", "补全家访记录"),
            today(),
            at(0),
        )
        .expect("record");
    Base {
        staff: staff.iter().map(|&id| a.uid("staff", id)).collect(),
        cases: cases.iter().map(|&id| a.uid("client_case", id)).collect(),
        contacts: contacts
            .iter()
            .map(|&id| a.uid("case_contact", id))
            .collect(),
        record: a.uid("supervision_record", record),
    }
}

fn export(s: &Station, peer: Option<&str>, now: NaiveDateTime) -> Bundle {
    s.store
        .export_bundle(peer, now, &mut |_, _| {})
        .expect("export")
}

fn import(s: &mut Station, bundle: &Bundle, now: NaiveDateTime) -> ImportReport {
    s.store
        .import_bundle(bundle, "test bundle", false, now)
        .expect("import")
}

impl Lab {
    /// Exports from `from` (everything, or since the last bundle for `to`)
    /// and imports into `to`. A since-last bundle goes through the file
    /// format once.
    fn send(
        &mut self,
        from: usize,
        to: usize,
        since_last: bool,
        now: NaiveDateTime,
    ) -> ImportReport {
        let peer = format!("station{to}");
        let mut bundle = export(&self.st[from], since_last.then_some(peer.as_str()), now);
        if since_last {
            self.st[from]
                .store
                .mark_exported(&bundle.manifest, "memory", "", now)
                .expect("mark exported");
            let bytes = bundle.encode(1).expect("encode");
            let decoded = Bundle::decode(&bytes).expect("decode");
            assert_eq!(decoded, bundle, "a bundle reads back as written");
            bundle = decoded;
        }
        import(&mut self.st[to], &bundle, now)
    }

    /// Both ways between two stations.
    fn swap(&mut self, a: usize, b: usize, now: NaiveDateTime) {
        self.send(a, b, false, now);
        self.send(b, a, false, now);
    }

    /// Everyone sends everything to everyone, `rounds` times.
    fn all_to_all(&mut self, rounds: usize, now: NaiveDateTime) {
        let n = self.st.len();
        for _ in 0..rounds {
            for from in 0..n {
                for to in 0..n {
                    if from != to {
                        self.send(from, to, false, now);
                    }
                }
            }
        }
    }

    fn assert_converged(&self) {
        let first = self.st[0].snapshot();
        for (i, s) in self.st.iter().enumerate().skip(1) {
            if let Some(d) = diff(&first, &s.snapshot()) {
                panic!("station 0 and station {i} differ: {d}");
            }
        }
    }
}

/// The first difference between two snapshots, readably.
fn diff(a: &Snapshot, b: &Snapshot) -> Option<String> {
    for (uid, row) in a {
        match b.get(uid) {
            None => return Some(format!("{uid} ({}) only in the first", row.0)),
            Some(other) if other != row => {
                return Some(format!("{uid}: {row:?} vs {other:?}"));
            }
            _ => {}
        }
    }
    b.keys()
        .find(|uid| !a.contains_key(*uid))
        .map(|uid| format!("{uid} ({}) only in the second", b[uid].0))
}

/// The snapshot without the review queue.
fn data_only(s: &Snapshot) -> Snapshot {
    s.iter()
        .filter(|(_, (t, _, _))| t != "sync_conflict")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON value")
}

/// Whether a conflict's loser holds `value` in every column `value` names.
fn loser_is(c: &ConflictView, value: &Value) -> bool {
    let loser = parse(&c.loser_value);
    value
        .as_object()
        .expect("object")
        .iter()
        .all(|(k, v)| loser.get(k) == Some(v))
}

// ---------------------------------------------------------------------------
// The property: three stations, random edits and exchanges
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Step {
    Rename {
        at: usize,
        staff: usize,
    },
    Certificate {
        at: usize,
        staff: usize,
    },
    Risk {
        at: usize,
        case: usize,
        risk: usize,
    },
    Stage {
        at: usize,
        case: usize,
        stage: usize,
    },
    AddContact {
        at: usize,
        case: usize,
    },
    Note {
        at: usize,
        contact: usize,
    },
    Delete {
        at: usize,
        contact: usize,
    },
    /// Deletes a case with raw SQL; its contacts go with it (the foreign
    /// key cascades). No screen does this yet.
    DeleteCase {
        at: usize,
        case: usize,
    },
    /// Adds staff 2 to the base record's attendees, or takes them off
    /// (an attendee's uid is its natural key, so it can come back).
    Attend {
        at: usize,
    },
    /// Settles an open queue entry: keeps the loser or the winner.
    Resolve {
        at: usize,
        pick: usize,
        loser: bool,
    },
    Send {
        from: usize,
        to: usize,
        since_last: bool,
    },
}

/// A random step; `attend` adds the steps that take staff 2 off the
/// base record and put them back, `cases` those that delete a case.
fn step(attend: bool, cases: bool) -> impl Strategy<Value = Step> {
    let at = || 0..3usize;
    let mut options: Vec<(u32, BoxedStrategy<Step>)> = vec![
        (
            3,
            (at(), 0..4usize)
                .prop_map(|(at, staff)| Step::Rename { at, staff })
                .boxed(),
        ),
        (
            2,
            (at(), 0..3usize)
                .prop_map(|(at, staff)| Step::Certificate { at, staff })
                .boxed(),
        ),
        (
            3,
            (at(), 0..2usize, 0..3usize)
                .prop_map(|(at, case, risk)| Step::Risk { at, case, risk })
                .boxed(),
        ),
        (
            1,
            (at(), 0..2usize, 0..3usize)
                .prop_map(|(at, case, stage)| Step::Stage { at, case, stage })
                .boxed(),
        ),
        (
            2,
            (at(), 0..2usize)
                .prop_map(|(at, case)| Step::AddContact { at, case })
                .boxed(),
        ),
        (
            3,
            (at(), 0..16usize)
                .prop_map(|(at, contact)| Step::Note { at, contact })
                .boxed(),
        ),
        (
            1,
            (at(), 0..16usize)
                .prop_map(|(at, contact)| Step::Delete { at, contact })
                .boxed(),
        ),
        (
            1,
            (at(), 0..8usize, any::<bool>())
                .prop_map(|(at, pick, loser)| Step::Resolve { at, pick, loser })
                .boxed(),
        ),
        (
            6,
            (at(), at(), any::<bool>())
                .prop_map(|(from, to, since_last)| Step::Send {
                    from,
                    to,
                    since_last,
                })
                .boxed(),
        ),
    ];
    if cases {
        options.push((
            1,
            (at(), 0..2usize)
                .prop_map(|(at, case)| Step::DeleteCase { at, case })
                .boxed(),
        ));
    }
    if attend {
        options.push((2, at().prop_map(|at| Step::Attend { at }).boxed()));
    }
    proptest::strategy::Union::new_weighted(options)
}

const RISKS: [&str; 3] = ["high", "priority", "general"];
const STAGES: [&str; 3] = ["assessment", "evaluation", "closed"];

/// One edit of one field, with what its station knew of the others.
#[derive(Debug)]
struct Event {
    row: String,
    field: String,
    value: Value,
    /// Ids of the events the station had received when it made this one.
    seen: BTreeSet<usize>,
}

#[derive(Debug)]
struct Deletion {
    row: String,
    seen: BTreeSet<usize>,
}

/// Staff 2 put on (`live`) or taken off the base record: a new life of
/// the attendee row, with its version and the presence changes the
/// station had received.
#[derive(Debug)]
struct Presence {
    live: bool,
    version: (i64, String),
    seen: BTreeSet<usize>,
}

/// What happened, independently of the code under test.
#[derive(Debug, Default)]
struct Oracle {
    events: Vec<Event>,
    deletions: Vec<Deletion>,
    knows: [BTreeSet<usize>; 3],
    presence: Vec<Presence>,
    knows_presence: [BTreeSet<usize>; 3],
    /// The uid of staff 2's attendance of the base record.
    attendee: String,
    /// Each contact's case.
    parent: BTreeMap<String, String>,
}

impl Oracle {
    fn edit(&mut self, station: usize, row: &str, field: &str, value: Value) {
        let id = self.events.len();
        self.events.push(Event {
            row: row.to_string(),
            field: field.to_string(),
            value,
            seen: self.knows[station].clone(),
        });
        self.knows[station].insert(id);
    }

    fn delete(&mut self, station: usize, row: &str) {
        self.deletions.push(Deletion {
            row: row.to_string(),
            seen: self.knows[station].clone(),
        });
    }

    fn attend(&mut self, station: usize, live: bool, version: (i64, String)) {
        let id = self.presence.len();
        self.presence.push(Presence {
            live,
            version,
            seen: self.knows_presence[station].clone(),
        });
        self.knows_presence[station].insert(id);
    }

    /// A full or since-last bundle carries everything the sender knows:
    /// each earlier since-last bundle to the same peer was imported.
    fn exchange(&mut self, from: usize, to: usize) {
        let known = self.knows[from].clone();
        self.knows[to].extend(known);
        let known = self.knows_presence[from].clone();
        self.knows_presence[to].extend(known);
    }

    /// The deletions that took a row: its own, and its case's.
    fn deletions_of(&self, row: &str) -> Vec<&Deletion> {
        let parent = self.parent.get(row);
        self.deletions
            .iter()
            .filter(|d| d.row == row || parent == Some(&d.row))
            .collect()
    }

    fn concurrent(&self, a: usize, b: usize) -> bool {
        a != b && !self.events[a].seen.contains(&b) && !self.events[b].seen.contains(&a)
    }

    /// Checks the converged snapshot and queue against what happened.
    fn check(&self, snap: &Snapshot, queue: &[ConflictView]) -> Result<(), String> {
        let mut keys: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for (id, e) in self.events.iter().enumerate() {
            keys.entry((&e.row, &e.field)).or_default().push(id);
        }
        for ((row, field), ids) in &keys {
            let (table, deleted, values) = snap
                .get(*row)
                .ok_or_else(|| format!("row {row} is missing"))?;
            let heads: Vec<usize> = ids
                .iter()
                .copied()
                .filter(|&e| !ids.iter().any(|&o| self.events[o].seen.contains(&e)))
                .collect();
            if *deleted {
                // Edits no deletion had seen must reach the queue, at least
                // the latest of them (the heads among them).
                let dels = self.deletions_of(row);
                if dels.is_empty() {
                    return Err(format!("row {row} is deleted but nobody deleted it"));
                }
                let lost: Vec<usize> = ids
                    .iter()
                    .copied()
                    .filter(|&e| dels.iter().all(|d| !d.seen.contains(&e)))
                    .collect();
                // As for fields: an edit whose value a deletion had seen
                // made elsewhere too (the same value) is not lost.
                let seen_elsewhere = |e: usize| {
                    ids.iter().any(|&g| {
                        g != e
                            && self.events[g].value == self.events[e].value
                            && dels.iter().any(|d| d.seen.contains(&g))
                    })
                };
                for &h in lost.iter().filter(|&&e| {
                    !lost.iter().any(|&o| self.events[o].seen.contains(&e)) && !seen_elsewhere(e)
                }) {
                    let v = &self.events[h].value;
                    if !queue.iter().any(|c| c.row_uid == *row && loser_is(c, v)) {
                        return Err(format!(
                            "{table} {row}: the edit {field} = {v} was lost to a deletion \
                             that had not seen it, and is not in the queue: {queue:#?}"
                        ));
                    }
                }
                continue;
            }
            let t = spec::table(table).ok_or("unknown table")?;
            let sample = &self.events[ids[0]].value;
            let mut fin = serde_json::Map::new();
            for col in sample.as_object().ok_or("object")?.keys() {
                let i = t.col_index(col).ok_or("unknown column")?;
                fin.insert(col.clone(), values[i].clone());
            }
            let fin = Value::Object(fin);
            if !heads.iter().any(|&h| self.events[h].value == fin) {
                return Err(format!(
                    "{table} {row} {field}: final value {fin} is none of the latest edits {:?}",
                    heads
                        .iter()
                        .map(|&h| &self.events[h].value)
                        .collect::<Vec<_>>()
                ));
            }
            let distinct: BTreeSet<String> = heads
                .iter()
                .map(|&h| self.events[h].value.to_string())
                .collect();
            if distinct.len() >= 2 {
                for &h in &heads {
                    let v = &self.events[h].value;
                    // A value someone replaced knowingly (the same value
                    // set elsewhere too) need not be queued.
                    let replaced = ids
                        .iter()
                        .any(|&g| g != h && self.events[g].value == *v && !heads.contains(&g));
                    if *v == fin || replaced {
                        continue;
                    }
                    let found = queue.iter().any(|c| {
                        c.row_uid == *row
                            && c.field == *field
                            && c.kind == "field"
                            && loser_is(c, v)
                    });
                    if !found {
                        return Err(format!(
                            "{table} {row} {field}: concurrent value {v} lost to {fin} \
                             but is not in the queue: {queue:#?}"
                        ));
                    }
                }
            }
        }
        // Staff 2's attendance: each change is a new life of the row, and
        // the latest life stands everywhere; a return that a later removal
        // had not seen is queued.
        if let Some(last) = (0..self.presence.len()).max_by_key(|&p| &self.presence[p].version) {
            let live = self.presence[last].live;
            let (_, deleted, _) = snap
                .get(&self.attendee)
                .ok_or("the attendee row is missing")?;
            if *deleted == live {
                return Err(format!(
                    "staff 2 should {}be on the record after {:?}",
                    if live { "" } else { "not " },
                    self.presence
                ));
            }
            // A latest change of the other kind, which nobody had seen,
            // lost: it is queued (a removal with a null loser).
            let ids = 0..self.presence.len();
            let head = |p: usize| !ids.clone().any(|o| self.presence[o].seen.contains(&p));
            // As for fields: a change someone replaced knowingly (the same
            // change made elsewhere too, and seen) need not be queued.
            let lost = ids.clone().any(|p| {
                self.presence[p].live != live
                    && head(p)
                    && !ids.clone().any(|g| {
                        g != p && self.presence[g].live == self.presence[p].live && !head(g)
                    })
            });
            let queued = queue.iter().any(|c| {
                c.row_uid == self.attendee
                    && c.kind == "deleted"
                    && (c.loser_value == "null") == live
            });
            if lost && !queued {
                return Err(format!(
                    "staff 2's {} lost to a later change and is not queued: {queue:#?}",
                    if live { "removal" } else { "return" }
                ));
            }
        }
        // No false positives: every entry is about two edits neither had
        // seen (with different values), or an edit a deletion had not seen.
        for c in queue {
            match c.kind.as_str() {
                "field" => {
                    let ids = keys
                        .get(&(c.row_uid.as_str(), c.field.as_str()))
                        .ok_or_else(|| format!("a conflict on a field nobody edited: {c:#?}"))?;
                    let ok = ids.iter().any(|&e| {
                        loser_is(c, &self.events[e].value)
                            && ids.iter().any(|&o| {
                                self.concurrent(e, o)
                                    && self.events[o].value != self.events[e].value
                            })
                    });
                    if !ok {
                        return Err(format!(
                            "a conflict whose loser was not a concurrent edit: {c:#?}"
                        ));
                    }
                }
                "deleted" if c.row_uid == self.attendee => {
                    // A return beaten by a later removal that had not seen
                    // it, or (the loser null) a removal beaten so.
                    // (Known bug, see a_row_made_again_after_seeing_its_deletion_
                    // queues_nothing: a removal is also queued when the return
                    // had seen it but not a life the removal had beaten; so
                    // for a removal only a later return is asked for here.)
                    let removal_lost = c.loser_value == "null";
                    let n = self.presence.len();
                    let ok = (0..n).any(|x| {
                        self.presence[x].live != removal_lost
                            && (0..n).any(|y| {
                                self.presence[y].live == removal_lost
                                    && (removal_lost || !self.presence[y].seen.contains(&x))
                                    && self.presence[y].version > self.presence[x].version
                            })
                    });
                    if !ok {
                        return Err(format!(
                            "an attendance conflict without a concurrent removal: {c:#?}"
                        ));
                    }
                }
                "deleted" => {
                    // (Known bug, see deleting_a_case_queues_nothing_for_
                    // contacts_nobody_changed: a contact of a deleted case is
                    // queued even when the deletion had seen it; tolerated
                    // here so the rest stays checked.)
                    let orphan = self
                        .parent
                        .get(&c.row_uid)
                        .is_some_and(|case| self.deletions.iter().any(|d| d.row == *case));
                    let ok = orphan
                        || self.deletions_of(&c.row_uid).iter().any(|d| {
                            self.events
                                .iter()
                                .enumerate()
                                .any(|(e, ev)| ev.row == c.row_uid && !d.seen.contains(&e))
                        });
                    if !ok {
                        return Err(format!(
                            "a deletion conflict without an unseen edit: {c:#?}"
                        ));
                    }
                }
                _ => return Err(format!("unexpected conflict kind: {c:#?}")),
            }
        }
        Ok(())
    }
}

/// PROPTEST_CASES, or 24.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

/// Puts staff 2 on the base record or takes them off; returns whether
/// they are on it now.
fn toggle_attendee(st: &mut Station, base: &Base, now: NaiveDateTime) -> bool {
    let rec = st.rid(&base.record).expect("record");
    let boss = st.rid(&base.staff[0]).expect("boss");
    let worker = st.rid(&base.staff[1]).expect("worker");
    let other = st.rid(&base.staff[2]).expect("staff 2");
    let view = st.store.record(rec).expect("record");
    let on = view.attendees.iter().any(|a| a.0 == other);
    let mut input = record_input(boss, worker, "家访安全", "补全家访记录");
    if !on {
        input.supervisees.push(AttendeeInput {
            staff_id: other,
            attendance: "present".into(),
        });
    }
    st.store
        .update_record(rec, &input, today(), now)
        .expect("edit the record");
    !on
}

fn run(steps: &[Step], order: &[usize]) -> Result<(), TestCaseError> {
    let mut lab = lab(3);
    let base = lab.base.clone();
    let mut oracle = Oracle {
        attendee: format!("{}~{}", base.record, base.staff[2]),
        parent: base
            .contacts
            .iter()
            .cloned()
            .zip(base.cases.iter().cloned())
            .collect(),
        ..Oracle::default()
    };
    let mut contacts = base.contacts.clone();
    for (n, s) in steps.iter().enumerate() {
        let now = at(10 + n as i64);
        match *s {
            Step::Rename { at, staff } => {
                let name = format!("名{n}");
                if lab.st[at].rename(&base.staff[staff], &name) {
                    oracle.edit(at, &base.staff[staff], "name", json!({ "name": name }));
                }
            }
            Step::Certificate { at, staff } => {
                let cert = format!("SG-{n:04}");
                if lab.st[at].set_certificate(&base.staff[staff], &cert) {
                    oracle.edit(
                        at,
                        &base.staff[staff],
                        "certificate_no",
                        json!({ "certificate_no": cert }),
                    );
                }
            }
            Step::Risk { case, at, .. }
            | Step::Stage { case, at, .. }
            | Step::AddContact { case, at }
                if lab.st[at].rid(&base.cases[case]).is_none() => {}
            Step::Risk { at, case, risk } => {
                let r = RISKS[risk];
                if lab.st[at].set_risk(&base.cases[case], r) {
                    oracle.edit(
                        at,
                        &base.cases[case],
                        "risk",
                        json!({ "risk": r, "risk_since": today().to_string() }),
                    );
                }
            }
            Step::Stage { at, case, stage } => {
                let stage = STAGES[stage];
                let value = json!({
                    "stage": stage,
                    "closed_on": (stage == "closed").then(|| today().to_string()),
                });
                let uid = &base.cases[case];
                if lab.st[at].field_value(uid, &value).as_ref() != Some(&value) {
                    lab.st[at].set_stage(uid, stage);
                    oracle.edit(at, uid, "stage", value);
                }
            }
            Step::AddContact { at, case } => {
                let note = format!("电话{n}");
                let uid = lab.st[at].add_contact(&base.cases[case], &base.staff[1], "phone", &note);
                // Its making is the note's first version.
                oracle.edit(at, &uid, "note", json!({ "note": note }));
                oracle.parent.insert(uid.clone(), base.cases[case].clone());
                contacts.push(uid);
            }
            Step::DeleteCase { at, case } => {
                let uid = &base.cases[case];
                if let Some(id) = lab.st[at].rid(uid) {
                    let kids: Vec<&String> = contacts
                        .iter()
                        .filter(|c| {
                            oracle.parent.get(*c) == Some(uid) && lab.st[at].rid(c).is_some()
                        })
                        .collect();
                    lab.st[at].exec("DELETE FROM client_case WHERE id = ?1", [id]);
                    oracle.delete(at, uid);
                    for k in kids {
                        prop_assert!(lab.st[at].rid(k).is_none(), "cascaded");
                        oracle.delete(at, k);
                    }
                }
            }
            Step::Note { at, contact } => {
                let uid = contacts[contact % contacts.len()].clone();
                let note = format!("备注{n}");
                if lab.st[at].set_note(&uid, &note) {
                    oracle.edit(at, &uid, "note", json!({ "note": note }));
                }
            }
            Step::Delete { at, contact } => {
                let uid = contacts[contact % contacts.len()].clone();
                if lab.st[at].delete_contact(&uid) {
                    oracle.delete(at, &uid);
                }
            }
            Step::Attend { at } => {
                let live = toggle_attendee(&mut lab.st[at], &base, now);
                let version = lab.st[at].life(&oracle.attendee);
                oracle.attend(at, live, version);
                let stamp = now.format("%Y-%m-%d %H:%M:%S").to_string();
                oracle.edit(
                    at,
                    &base.record,
                    "updated_at",
                    json!({ "updated_at": stamp }),
                );
            }
            Step::Resolve { at, pick, loser } => {
                let open = lab.st[at].open_queue();
                if open.is_empty() {
                    continue;
                }
                let c = &open[pick % open.len()];
                if loser && c.kind == "field" {
                    let value = parse(&c.loser_value);
                    let before = lab.st[at].field_value(&c.row_uid, &value);
                    let done = lab.st[at]
                        .store
                        .resolve_conflict(c.id, Keep::Loser, "站长", now);
                    match (done, before) {
                        (Ok(()), Some(before)) => {
                            if before != value {
                                oracle.edit(at, &c.row_uid, &c.field, value);
                            }
                        }
                        (Err(e), None) => {
                            prop_assert!(e.to_string().contains("no longer exists"), "{e}");
                        }
                        (done, before) => {
                            return Err(TestCaseError::fail(format!(
                                "keeping the loser of {c:?} with the row {before:?} gave {done:?}"
                            )));
                        }
                    }
                } else {
                    lab.st[at]
                        .store
                        .resolve_conflict(c.id, Keep::Winner, "站长", now)
                        .expect("keep the winner");
                }
            }
            Step::Send {
                from,
                to,
                since_last,
            } => {
                if from != to {
                    lab.send(from, to, since_last, now);
                    oracle.exchange(from, to);
                }
            }
        }
    }
    // Order independence: the same bundles, in two orders, into fresh
    // databases.
    let bundles: Vec<Bundle> = lab.st.iter().map(|s| export(s, None, at(500))).collect();
    let mut fresh = Vec::new();
    for ord in [vec![0, 1, 2], order.to_vec()] {
        let mut s = Store::open_in_memory().expect("fresh store");
        for &i in &ord {
            s.import_bundle(&bundles[i], "fresh", false, at(501))
                .expect("import into a fresh store");
        }
        fresh.push(s.sync_snapshot().expect("snapshot"));
    }
    if let Some(d) = diff(&data_only(&fresh[0]), &data_only(&fresh[1])) {
        return Err(TestCaseError::fail(format!(
            "the same bundles in orders [0, 1, 2] and {order:?} give different data: {d}"
        )));
    }
    // Converge: everyone sends everything to everyone until quiet.
    lab.all_to_all(3, at(600));
    for from in 0..3 {
        for to in 0..3 {
            oracle.exchange(from, to);
        }
    }
    let snaps: Vec<Snapshot> = lab.st.iter().map(Station::snapshot).collect();
    for i in 1..3 {
        if let Some(d) = diff(&snaps[0], &snaps[i]) {
            return Err(TestCaseError::fail(format!(
                "station 0 and station {i} did not converge: {d}"
            )));
        }
    }
    if let Some(d) = diff(&data_only(&snaps[0]), &data_only(&fresh[0])) {
        return Err(TestCaseError::fail(format!(
            "the converged stations and a fresh copy fed the same bundles differ: {d}"
        )));
    }
    let queue = lab.st[0].queue();
    oracle
        .check(&snaps[0], &queue)
        .map_err(TestCaseError::fail)?;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Three stations share a base, edit and exchange at random, then
    /// exchange until quiet: they hold the same rows and the same queue,
    /// every lost concurrent value is in the queue, nothing else is, and
    /// the order bundles arrive in does not change the data.
    #[test]
    fn three_stations_converge_and_queue_every_lost_value(
        steps in proptest::collection::vec(step(false, false), 1..40),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
    ) {
        run(&steps, &order)?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases().div_ceil(2),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The same with cases deleted (and their contacts with them) while
    /// other laptops edit them and add contacts.
    #[test]
    fn three_stations_converge_with_cases_deleted(
        steps in proptest::collection::vec(step(false, true), 1..40),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
    ) {
        run(&steps, &order)?;
    }

    /// The same with an attendee taken off a record and put back (a row
    /// with a natural uid, deleted and made again).
    #[test]
    fn three_stations_converge_with_attendees_taken_off_and_put_back(
        steps in proptest::collection::vec(step(true, false), 1..40),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
    ) {
        run(&steps, &order)?;
    }
}

// ---------------------------------------------------------------------------
// Deterministic cases
// ---------------------------------------------------------------------------

#[test]
fn concurrent_edits_of_one_field_pick_one_winner_and_queue_the_other() {
    let mut lab = lab(2);
    let staff = lab.base.staff[2].clone();
    assert!(lab.st[0].rename(&staff, "周敏甲"));
    tick();
    assert!(lab.st[1].rename(&staff, "周敏乙"));
    let ab = lab.send(0, 1, false, at(10));
    assert_eq!(ab.summary.conflicts, 1);
    assert_eq!(ab.summary.needs_decision, 0, "a name is not sensitive");
    // Station 1's merged copy has seen both edits, so station 0 finds no
    // conflict of its own: the entry station 1 made travels with it.
    lab.send(1, 0, false, at(11));
    // The later edit wins (station 1 wrote last), on both.
    let (winner, loser) = ("周敏乙", "周敏甲");
    assert_eq!(lab.st[0].value(&staff, "name"), winner);
    assert_eq!(lab.st[1].value(&staff, "name"), winner);
    lab.all_to_all(1, at(12));
    lab.assert_converged();
    for s in &lab.st {
        let q = s.queue();
        assert_eq!(q.len(), 1, "{q:#?}");
        let c = &q[0];
        assert_eq!(
            (c.table.as_str(), c.row_uid.as_str(), c.field.as_str()),
            ("staff", staff.as_str(), "name")
        );
        assert_eq!(c.kind, "field");
        assert!(!c.sensitive);
        assert_eq!(c.status, "open");
        assert_eq!(parse(&c.loser_value), json!({ "name": loser }));
        assert_eq!(parse(&c.winner_value), json!({ "name": winner }));
        assert_eq!(c.label, winner);
    }
}

#[test]
fn an_edit_made_after_receiving_the_other_is_no_conflict() {
    let mut lab = lab(3);
    let staff = lab.base.staff[1].clone();
    assert!(lab.st[0].rename(&staff, "王芳一"));
    lab.send(0, 1, true, at(10));
    assert!(lab.st[1].rename(&staff, "王芳二"));
    // Station 2 gets the later edit first, then the earlier one.
    let r = lab.send(1, 2, true, at(11));
    assert_eq!(r.summary.conflicts, 0);
    let r = lab.send(0, 2, true, at(12));
    assert_eq!(r.summary.conflicts, 0);
    assert_eq!(lab.st[2].value(&staff, "name"), "王芳二");
    lab.all_to_all(2, at(13));
    lab.assert_converged();
    assert!(lab.st[0].queue().is_empty());
    assert_eq!(lab.st[0].value(&staff, "name"), "王芳二");
}

#[test]
fn different_fields_of_one_row_merge_without_conflict() {
    let mut lab = lab(2);
    let staff = lab.base.staff[0].clone();
    assert!(lab.st[0].rename(&staff, "陈雪云新"));
    tick();
    assert!(lab.st[1].set_certificate(&staff, "SG-2099"));
    let case = lab.base.cases[0].clone();
    assert!(lab.st[0].set_risk(&case, "high"));
    lab.st[1].set_stage(&case, "evaluation");
    let r1 = lab.send(0, 1, false, at(10));
    let r2 = lab.send(1, 0, false, at(11));
    assert_eq!((r1.summary.conflicts, r2.summary.conflicts), (0, 0));
    assert_eq!(r1.summary.updated, 2, "{:?}", r1.summary);
    lab.assert_converged();
    for s in &lab.st {
        assert_eq!(s.value(&staff, "name"), "陈雪云新");
        assert_eq!(s.value(&staff, "certificate_no"), "SG-2099");
        assert_eq!(s.value(&case, "risk"), "high");
        assert_eq!(s.value(&case, "stage"), "evaluation");
        assert!(s.queue().is_empty());
    }
}

#[test]
fn a_risk_conflict_is_sensitive_and_needs_a_decision() {
    let mut lab = lab(2);
    let case = lab.base.cases[1].clone();
    assert!(lab.st[0].set_risk(&case, "high"));
    tick();
    assert!(lab.st[1].set_risk(&case, "priority"));
    // A dry run says so and writes nothing.
    let before = lab.st[0].snapshot();
    let theirs = export(&lab.st[1], None, at(9));
    let dry = lab.st[0]
        .store
        .import_bundle(&theirs, "dry", true, at(9))
        .expect("dry run");
    assert!(!dry.applied);
    assert_eq!((dry.summary.conflicts, dry.summary.needs_decision), (1, 1));
    assert_eq!(lab.st[0].snapshot(), before);
    assert!(lab.st[0].queue().is_empty());

    let r = lab.send(1, 0, false, at(10));
    assert_eq!(r.summary.conflicts, 1);
    assert_eq!(r.summary.needs_decision, 1);
    let q = lab.st[0].open_queue();
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(q[0].field, "risk");
    assert!(q[0].sensitive);
    assert_eq!(q[0].label, "QX-2026-002");
    // The field is risk with the day it took effect: one unit.
    assert_eq!(
        parse(&q[0].loser_value),
        json!({ "risk": "high", "risk_since": today().to_string() })
    );
    assert_eq!(
        parse(&q[0].winner_value),
        json!({ "risk": "priority", "risk_since": today().to_string() })
    );
    lab.swap(0, 1, at(11));
    lab.assert_converged();
    assert_eq!(lab.st[1].value(&case, "risk"), "priority");
}

#[test]
fn a_stage_conflict_carries_its_closing_date_and_is_sensitive() {
    let mut lab = lab(2);
    let case = lab.base.cases[0].clone();
    let worker = lab.base.staff[1].clone();
    // Station 0 closes the case with a closing contact; station 1 moves it
    // to evaluation.
    lab.st[0].add_contact(&case, &worker, "closing", "结案面谈");
    tick();
    lab.st[1].set_stage(&case, "evaluation");
    let r = lab.send(1, 0, false, at(10));
    assert_eq!((r.summary.conflicts, r.summary.needs_decision), (1, 1));
    lab.swap(0, 1, at(11));
    lab.assert_converged();
    let q = lab.st[1].queue();
    assert_eq!(q.len(), 1, "{q:#?}");
    assert_eq!(q[0].field, "stage");
    assert!(q[0].sensitive);
    assert_eq!(
        parse(&q[0].loser_value),
        json!({ "stage": "closed", "closed_on": today().to_string() })
    );
    // The CHECK tying stage and closed_on holds on both (the case reads).
    for s in &lab.st {
        assert_eq!(s.value(&case, "stage"), "evaluation");
        assert_eq!(s.value(&case, "closed_on"), Value::Null);
        let (_, rec) = s.case_record(&case);
        assert_eq!(rec.closed_on, None);
    }
}

#[test]
fn keeping_the_loser_writes_it_everywhere_without_a_new_conflict() {
    let mut lab = lab(2);
    let staff = lab.base.staff[3].clone();
    assert!(lab.st[0].rename(&staff, "李强甲"));
    tick();
    assert!(lab.st[1].rename(&staff, "李强乙"));
    lab.swap(0, 1, at(10));
    lab.assert_converged();
    assert_eq!(lab.st[0].value(&staff, "name"), "李强乙");
    tick();
    let id = lab.st[0].open_queue()[0].id;
    lab.st[0]
        .store
        .resolve_conflict(id, Keep::Loser, "站长", at(20))
        .expect("keep the loser");
    assert_eq!(lab.st[0].value(&staff, "name"), "李强甲");
    let settled = lab.st[0]
        .store
        .resolve_conflict(id, Keep::Winner, "站长", at(21))
        .expect_err("settled once");
    assert!(settled.to_string().contains("already settled"), "{settled}");
    let r1 = lab.send(0, 1, false, at(22));
    let r2 = lab.send(1, 0, false, at(23));
    assert_eq!((r1.summary.conflicts, r2.summary.conflicts), (0, 0));
    lab.assert_converged();
    for s in &lab.st {
        assert_eq!(s.value(&staff, "name"), "李强甲");
        let q = s.queue();
        assert_eq!(q.len(), 1, "{q:#?}");
        assert_eq!(q[0].status, "kept_loser");
        assert_eq!(q[0].resolved_by.as_deref(), Some("站长"));
        assert!(s.open_queue().is_empty());
    }
}

#[test]
fn a_deletion_wins_over_a_concurrent_edit_which_is_queued() {
    let mut lab = lab(2);
    let contact = lab.base.contacts[0].clone();
    assert!(lab.st[0].delete_contact(&contact));
    tick();
    assert!(lab.st[1].set_note(&contact, "家访后电话跟进"));
    let r = lab.send(0, 1, false, at(10));
    assert_eq!(r.summary.deleted, 1);
    assert_eq!(r.summary.conflicts, 1);
    // Station 1 now holds the tombstone too; its queue entry travels.
    lab.send(1, 0, false, at(11));
    assert_eq!(lab.st[0].open_queue().len(), 1);
    lab.all_to_all(1, at(12));
    lab.assert_converged();
    for s in &lab.st {
        assert!(s.rid(&contact).is_none(), "the contact is gone");
        assert!(s.snapshot()[&contact].1, "a tombstone stays");
        let q = s.queue();
        assert_eq!(q.len(), 1, "{q:#?}");
        assert_eq!(q[0].kind, "deleted");
        assert_eq!(q[0].field, "*");
        assert_eq!(parse(&q[0].loser_value)["note"], "家访后电话跟进");
        assert_eq!(q[0].status, "open");
    }
    // Only the deletion can stand.
    let id = lab.st[1].open_queue()[0].id;
    let err = lab.st[1]
        .store
        .resolve_conflict(id, Keep::Loser, "站长", at(13))
        .expect_err("a deletion stands");
    assert!(err.to_string().contains("standing copy"), "{err}");
}

#[test]
fn a_deletion_that_had_seen_the_edit_is_no_conflict() {
    let mut lab = lab(2);
    let contact = lab.base.contacts[1].clone();
    assert!(lab.st[1].set_note(&contact, "改过的备注"));
    lab.send(1, 0, true, at(10));
    assert!(lab.st[0].delete_contact(&contact));
    let r = lab.send(0, 1, true, at(11));
    assert_eq!((r.summary.deleted, r.summary.conflicts), (1, 0));
    lab.all_to_all(1, at(12));
    lab.assert_converged();
    assert!(lab.st[0].queue().is_empty());
    assert!(lab.st[1].rid(&contact).is_none());
}

/// Station 0 deletes case 1 with raw SQL (its contacts go with it by the
/// foreign key's cascade); station 1 logs a new contact on it meanwhile.
/// Returns the new contact's uid.
fn case_deleted_vs_contact_added(lab: &mut Lab) -> String {
    let case = lab.base.cases[1].clone();
    let worker = lab.base.staff[1].clone();
    let id = lab.st[0].rid(&case).expect("case");
    assert_eq!(
        lab.st[0].exec("DELETE FROM client_case WHERE id = ?1", [id]),
        1
    );
    assert!(lab.st[0].rid(&lab.base.contacts[1]).is_none(), "cascaded");
    lab.st[1].add_contact(&case, &worker, "phone", "电话随访")
}

#[test]
fn a_contact_added_to_a_case_deleted_elsewhere_is_queued_not_lost() {
    let mut lab = lab(2);
    let contact = case_deleted_vs_contact_added(&mut lab);
    // The laptop that added the contact imports the deletion first.
    let r = lab.send(0, 1, false, at(10));
    assert_eq!(r.summary.deleted, 2, "the case and its old contact");
    lab.send(1, 0, false, at(11));
    lab.all_to_all(1, at(12));
    lab.assert_converged();
    assert!(lab.st[1].rid(&contact).is_none(), "the deletion wins");
    let q = lab.st[0].queue();
    assert!(
        q.iter().any(|c| c.row_uid == contact
            && c.kind == "deleted"
            && parse(&c.loser_value)["note"] == "电话随访"),
        "the contact the deleting laptop never saw is queued: {q:#?}"
    );
}

#[test]
fn the_deleting_laptop_can_import_a_contact_added_to_the_deleted_case() {
    let mut lab = lab(2);
    let contact = case_deleted_vs_contact_added(&mut lab);
    // The laptop that deleted the case imports the new contact first.
    let from1 = export(&lab.st[1], None, at(10));
    let r = lab.st[0].store.import_bundle(&from1, "t", false, at(10));
    assert!(r.is_ok(), "{r:?}");
    lab.send(0, 1, false, at(11));
    lab.all_to_all(1, at(12));
    lab.assert_converged();
    assert!(lab.st[0].rid(&contact).is_none(), "the deletion wins");
    let q = lab.st[0].queue();
    assert!(
        q.iter()
            .any(|c| c.row_uid == contact && c.kind == "deleted"),
        "the new contact is queued: {q:#?}"
    );
}

/// Station 0 signs the record; station 1 edits its unsigned copy.
fn signed_vs_edited(lab: &mut Lab) -> (i64, i64) {
    let record = lab.base.record.clone();
    let boss0 = lab.st[0].rid(&lab.base.staff[0]).expect("boss");
    let rec0 = lab.st[0].rid(&record).expect("record");
    lab.st[0]
        .store
        .sign_record(rec0, boss0, at(10))
        .expect("sign");
    tick();
    let boss1 = lab.st[1].rid(&lab.base.staff[0]).expect("boss");
    let worker1 = lab.st[1].rid(&lab.base.staff[1]).expect("worker");
    let rec1 = lab.st[1].rid(&record).expect("record");
    lab.st[1]
        .store
        .update_record(
            rec1,
            &record_input(boss1, worker1, "家访安全与记录", "补全家访记录并复核"),
            today(),
            at(11),
        )
        .expect("edit unsigned copy");
    (rec0, rec1)
}

#[test]
fn a_signed_record_is_never_overwritten_by_a_concurrent_edit() {
    let mut lab = lab(2);
    let record = lab.base.record.clone();
    let (rec0, rec1) = signed_vs_edited(&mut lab);
    let r = lab.send(1, 0, false, at(12));
    assert!(r.summary.needs_decision >= 1, "{:?}", r.summary);
    lab.send(0, 1, false, at(13));
    lab.all_to_all(1, at(14));
    lab.assert_converged();
    assert_eq!(lab.st[0].value(&record, "topic"), "家访安全");
    assert_eq!(lab.st[1].value(&record, "topic"), "家访安全");
    let view0 = lab.st[0].store.record(rec0).expect("record");
    let view1 = lab.st[1].store.record(rec1).expect("record");
    assert_eq!(view0.signatures.len(), 1);
    assert_eq!(view1.signatures.len(), 1, "the signature travelled");
    assert_eq!(view1.content.topic, view0.content.topic);
    assert_eq!(view1.content.action_items, view0.content.action_items);
    for s in &lab.st {
        let q = s.queue();
        let topic = q
            .iter()
            .find(|c| c.row_uid == record && c.field == "topic")
            .unwrap_or_else(|| panic!("the edit of the topic is queued: {q:#?}"));
        assert_eq!(topic.kind, "signed");
        assert!(topic.sensitive);
        assert_eq!(
            parse(&topic.loser_value),
            json!({ "topic": "家访安全与记录" })
        );
        assert_eq!(parse(&topic.winner_value), json!({ "topic": "家访安全" }));
        assert!(s.rid(&lab.base.record).is_some());
    }
    // Only the signed copy can stand.
    let id = lab.st[1]
        .queue()
        .iter()
        .find(|c| c.row_uid == record && c.field == "topic")
        .map(|c| c.id)
        .expect("entry");
    let err = lab.st[1]
        .store
        .resolve_conflict(id, Keep::Loser, "站长", at(14))
        .expect_err("a signed record stands");
    assert!(err.to_string().contains("standing copy"), "{err}");
}

#[test]
fn a_signed_record_keeps_its_own_parts_everywhere() {
    let mut lab = lab(2);
    let record = lab.base.record.clone();
    let (rec0, rec1) = signed_vs_edited(&mut lab);
    lab.send(1, 0, false, at(12));
    lab.send(0, 1, false, at(13));
    lab.all_to_all(1, at(14));
    let items0: Vec<String> = lab.st[0]
        .store
        .record(rec0)
        .expect("record")
        .items
        .iter()
        .map(|i| i.item.what.clone())
        .collect();
    let items1: Vec<String> = lab.st[1]
        .store
        .record(rec1)
        .expect("record")
        .items
        .iter()
        .map(|i| i.item.what.clone())
        .collect();
    assert_eq!(items0, vec!["补全家访记录".to_string()]);
    assert_eq!(
        items1, items0,
        "the signed record {record} has the same action items on both laptops"
    );
    lab.assert_converged();
}

#[test]
fn importing_the_same_bundle_twice_changes_nothing() {
    let mut lab = lab(2);
    let staff = lab.base.staff[2].clone();
    assert!(lab.st[0].rename(&staff, "周敏丙"));
    tick();
    assert!(lab.st[1].rename(&staff, "周敏丁"));
    let contact = lab.st[1].add_contact(&lab.base.cases[0], &lab.base.staff[1], "phone", "电话");
    let bundle = export(&lab.st[1], None, at(10));
    let first = import(&mut lab.st[0], &bundle, at(10));
    assert_eq!(first.summary.new, 1);
    assert_eq!(first.summary.conflicts, 1);
    let snap = lab.st[0].snapshot();
    let status = lab.st[0].store.sync_status().expect("status");
    let second = import(&mut lab.st[0], &bundle, at(11));
    assert_eq!(
        (
            second.summary.new,
            second.summary.updated,
            second.summary.deleted,
            second.summary.conflicts
        ),
        (0, 0, 0, 0),
        "{:?}",
        second.summary
    );
    assert_eq!(lab.st[0].snapshot(), snap);
    assert_eq!(lab.st[0].queue().len(), 1);
    assert!(lab.st[0].rid(&contact).is_some());
    let after = lab.st[0].store.sync_status().expect("status");
    assert_eq!(after.seq, status.seq, "nothing new to send after a repeat");
    // And an old bundle after a newer one changes nothing either.
    assert!(lab.st[1].rename(&staff, "周敏戊"));
    lab.send(1, 0, false, at(12));
    let snap = lab.st[0].snapshot();
    import(&mut lab.st[0], &bundle, at(13));
    assert_eq!(lab.st[0].snapshot(), snap);
}

#[test]
fn a_since_last_bundle_carries_only_what_changed() {
    let mut lab = lab(2);
    let first = lab.send(0, 1, true, at(10));
    assert_eq!(first.summary.new, 0);
    let staff = lab.base.staff[0].clone();
    assert!(lab.st[0].rename(&staff, "陈雪云二"));
    let bundle = export(&lab.st[0], Some("station1"), at(11));
    assert_eq!(bundle.manifest.rows(), 1, "{:?}", bundle.manifest);
    let r = import(&mut lab.st[1], &bundle, at(11));
    assert_eq!(r.summary.updated, 1);
    assert_eq!(lab.st[1].value(&staff, "name"), "陈雪云二");
}

#[test]
fn the_same_bundles_in_any_order_give_the_same_queue() {
    let mut lab = lab(3);
    let staff = lab.base.staff[1].clone();
    for (i, name) in ["王芳甲", "王芳乙", "王芳丙"].iter().enumerate() {
        tick();
        assert!(lab.st[i].rename(&staff, name));
    }
    let bundles: Vec<Bundle> = lab.st.iter().map(|s| export(s, None, at(10))).collect();
    let mut snaps = Vec::new();
    for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2]] {
        let mut s = Store::open_in_memory().expect("fresh");
        for i in order {
            s.import_bundle(&bundles[i], "fresh", false, at(11))
                .expect("import");
        }
        snaps.push(s.sync_snapshot().expect("snapshot"));
    }
    for s in &snaps[1..] {
        if let Some(d) = diff(&snaps[0], s) {
            panic!("orders differ: {d}");
        }
    }
}

#[test]
fn a_settled_conflict_stays_settled_when_another_laptop_finds_it_later() {
    let mut lab = lab(2);
    let staff = lab.base.staff[0].clone();
    assert!(lab.st[0].rename(&staff, "陈一"));
    tick();
    assert!(lab.st[1].rename(&staff, "陈二"));
    let from0 = export(&lab.st[0], None, at(10));
    lab.send(1, 0, false, at(10));
    let id = lab.st[0].open_queue()[0].id;
    lab.st[0]
        .store
        .resolve_conflict(id, Keep::Winner, "站长", at(11))
        .expect("settle");
    // Station 1 goes on working, then imports the morning's bundle.
    tick();
    assert!(lab.st[1].rename(&lab.base.staff[3], "李强新"));
    import(&mut lab.st[1], &from0, at(12));
    lab.all_to_all(2, at(13));
    lab.assert_converged();
    for s in &lab.st {
        assert!(
            s.open_queue().is_empty(),
            "the entry settled on station 0 is open again: {:#?}",
            s.queue()
        );
    }
}

#[test]
fn a_row_made_again_after_its_deletion_survives_in_any_order() {
    let mut lab = lab(3);
    let base = lab.base.clone();
    let attendee = format!("{}~{}", base.record, base.staff[2]);
    // Station 1 puts staff 2 on the record, station 0 does too (the same
    // natural uid); station 1 takes them off again.
    assert!(toggle_attendee(&mut lab.st[1], &base, at(10)));
    assert!(toggle_attendee(&mut lab.st[0], &base, at(11)));
    assert!(!toggle_attendee(&mut lab.st[1], &base, at(12)));
    // Station 2 learns of the removal and puts staff 2 back.
    lab.send(1, 2, false, at(13));
    assert!(toggle_attendee(&mut lab.st[2], &base, at(14)));
    let bundles: Vec<Bundle> = lab.st.iter().map(|s| export(s, None, at(20))).collect();
    let mut live = Vec::new();
    for order in [[0, 1, 2], [2, 1, 0]] {
        let mut s = Store::open_in_memory().expect("fresh");
        for i in order {
            s.import_bundle(&bundles[i], "fresh", false, at(21))
                .expect("import");
        }
        let snap = s.sync_snapshot().expect("snapshot");
        live.push(!snap[&attendee].1);
    }
    // The last word at every station was "staff 2 attends".
    assert_eq!(
        live,
        vec![true, true],
        "staff 2 attends, whatever the order"
    );
}

fn identity(phone: &str, guardian: &str) -> IdentityInput {
    IdentityInput {
        real_name: "张小明".into(),
        phone: phone.into(),
        guardian: guardian.into(),
        ..Default::default()
    }
}

#[test]
fn different_fields_of_a_clients_identity_merge_without_conflict() {
    let mut lab = lab(2);
    let case = lab.base.cases[0].clone();
    let id0 = lab.st[0].rid(&case).expect("case");
    lab.st[0]
        .store
        .set_identity(id0, &identity("13800000000", "张父"), today())
        .expect("identity");
    lab.send(0, 1, false, at(10));
    let id1 = lab.st[1].rid(&case).expect("case");
    // Station 0 corrects the phone, station 1 the guardian.
    tick();
    lab.st[0]
        .store
        .set_identity(id0, &identity("13900000000", "张父"), today())
        .expect("phone");
    tick();
    lab.st[1]
        .store
        .set_identity(id1, &identity("13800000000", "张母"), today())
        .expect("guardian");
    lab.swap(0, 1, at(11));
    lab.assert_converged();
    let uid = format!("{case}~identity");
    for s in &lab.st {
        assert_eq!(s.value(&uid, "phone"), "13900000000");
        assert_eq!(s.value(&uid, "guardian"), "张母");
        assert!(s.queue().is_empty(), "{:#?}", s.queue());
    }
}

#[test]
fn two_laptops_settling_one_entry_differently_do_not_silently_disagree() {
    let mut lab = lab(2);
    let staff = lab.base.staff[1].clone();
    assert!(lab.st[0].rename(&staff, "王芳甲"));
    tick();
    assert!(lab.st[1].rename(&staff, "王芳乙"));
    lab.swap(0, 1, at(10));
    lab.assert_converged();
    // Station 1 keeps the losing name; a little later station 0, not yet
    // knowing, keeps the winning one.
    tick();
    let id1 = lab.st[1].open_queue()[0].id;
    lab.st[1]
        .store
        .resolve_conflict(id1, Keep::Loser, "王站长", at(11))
        .expect("keep the loser");
    tick();
    let id0 = lab.st[0].open_queue()[0].id;
    lab.st[0]
        .store
        .resolve_conflict(id0, Keep::Winner, "李站长", at(12))
        .expect("keep the winner");
    lab.swap(0, 1, at(13));
    lab.swap(0, 1, at(14));
    lab.assert_converged();
    let name = lab.st[0].value(&staff, "name");
    let q = lab.st[0].queue();
    let settled_as_loser = q.iter().any(|c| c.status == "kept_loser");
    let open = q.iter().any(|c| c.status == "open");
    assert!(
        open || (name == "王芳甲") == settled_as_loser,
        "the name is {name} but the queue says {q:#?}"
    );
}

#[test]
fn keeping_a_losing_reference_maps_its_uid_to_the_local_row() {
    let mut lab = lab(2);
    let case = lab.base.cases[0].clone();
    // Station 1 has a member of staff station 0 lacks, so local ids differ.
    let extra = lab.st[1]
        .store
        .create_staff(&form("赵新", "assistant_supervisor"), today())
        .expect("staff")
        .id;
    let extra = lab.st[1].uid("staff", extra);
    lab.send(1, 0, false, at(10));
    let owner_for = |s: &Station, uid: &str| s.rid(uid).expect("staff here");
    let set_owner = |s: &mut Station, owner: &str| {
        let owner = owner_for(s, owner);
        let (id, rec) = s.case_record(&case);
        let mut input = case_input(&rec);
        input.owner_id = owner;
        s.store.update_case(id, &input, today()).expect("owner");
    };
    set_owner(&mut lab.st[0], &extra);
    tick();
    let other = lab.base.staff[2].clone();
    set_owner(&mut lab.st[1], &other);
    lab.swap(0, 1, at(11));
    lab.assert_converged();
    assert_eq!(lab.st[0].value(&case, "owner_id"), other.as_str());
    let c = lab.st[0].open_queue()[0].clone();
    assert_eq!(c.field, "owner_id");
    assert_eq!(parse(&c.loser_value), json!({ "owner_id": extra }));
    lab.st[0]
        .store
        .resolve_conflict(c.id, Keep::Loser, "站长", at(12))
        .expect("keep the loser");
    lab.swap(0, 1, at(13));
    lab.assert_converged();
    for s in &lab.st {
        assert_eq!(s.value(&case, "owner_id"), extra.as_str());
        let (_, rec) = s.case_record(&case);
        assert_eq!(rec.owner_id, s.rid(&extra).expect("staff here"));
    }
}

#[test]
fn importing_a_laptops_own_bundle_changes_nothing() {
    let mut lab = lab(2);
    assert!(lab.st[0].rename(&lab.base.staff[0], "陈雪云改"));
    lab.st[1].set_risk(&lab.base.cases[0], "high");
    lab.swap(0, 1, at(10));
    let snap = lab.st[0].snapshot();
    let own = export(&lab.st[0], None, at(11));
    let r = import(&mut lab.st[0], &own, at(11));
    assert_eq!(
        (
            r.summary.new,
            r.summary.updated,
            r.summary.deleted,
            r.summary.conflicts
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(lab.st[0].snapshot(), snap);
}

#[test]
fn a_row_made_again_after_seeing_its_deletion_queues_nothing() {
    let mut lab = lab(3);
    let base = lab.base.clone();
    let attendee = format!("{}~{}", base.record, base.staff[2]);
    // Station 0 puts staff 2 on the record; station 2 does too, takes them
    // off, tells station 0 (whose addition loses to that later removal),
    // and puts them back.
    assert!(toggle_attendee(&mut lab.st[0], &base, at(10)));
    tick();
    assert!(toggle_attendee(&mut lab.st[2], &base, at(11)));
    tick();
    assert!(!toggle_attendee(&mut lab.st[2], &base, at(12)));
    lab.send(2, 0, false, at(13));
    let on_attendee = |s: &Station| -> Vec<ConflictView> {
        s.queue()
            .into_iter()
            .filter(|c| c.row_uid == attendee)
            .collect()
    };
    let q = on_attendee(&lab.st[0]);
    assert_eq!(q.len(), 1, "station 0's addition lost: {q:#?}");
    assert_ne!(q[0].loser_value, "null");
    tick();
    assert!(toggle_attendee(&mut lab.st[2], &base, at(14)));
    lab.all_to_all(2, at(15));
    lab.assert_converged();
    assert!(!lab.st[0].snapshot()[&attendee].1, "staff 2 attends");
    let q = on_attendee(&lab.st[0]);
    assert!(
        q.iter().all(|c| c.loser_value != "null"),
        "station 2 put staff 2 back after its own removal, which lost to nobody: {q:#?}"
    );
}

#[test]
fn deleting_a_case_queues_nothing_for_contacts_nobody_changed() {
    let mut lab = lab(2);
    let case = lab.base.cases[0].clone();
    let contact = lab.base.contacts[0].clone();
    let id = lab.st[1].rid(&case).expect("case");
    assert_eq!(
        lab.st[1].exec("DELETE FROM client_case WHERE id = ?1", [id]),
        1
    );
    // Station 0 has not heard of the deletion yet and sends everything.
    let r = lab.send(0, 1, false, at(10));
    assert_eq!(r.summary.conflicts, 0, "{:?}", r.summary);
    lab.swap(1, 0, at(11));
    lab.assert_converged();
    assert!(
        lab.st[0].rid(&contact).is_none(),
        "the contact went with its case"
    );
    assert!(lab.st[0].queue().is_empty(), "{:#?}", lab.st[0].queue());
}

#[test]
fn an_entry_reopened_by_two_settlements_can_be_settled_again() {
    let mut lab = lab(2);
    let staff = lab.base.staff[1].clone();
    assert!(lab.st[0].rename(&staff, "王芳甲"));
    tick();
    assert!(lab.st[1].rename(&staff, "王芳乙"));
    lab.swap(0, 1, at(10));
    tick();
    let id1 = lab.st[1].open_queue()[0].id;
    lab.st[1]
        .store
        .resolve_conflict(id1, Keep::Winner, "王站长", at(11))
        .expect("settle");
    tick();
    let id0 = lab.st[0].open_queue()[0].id;
    lab.st[0]
        .store
        .resolve_conflict(id0, Keep::Loser, "李站长", at(12))
        .expect("settle differently");
    lab.swap(0, 1, at(13));
    lab.assert_converged();
    assert_eq!(lab.st[0].open_queue().len(), 1, "two settlements reopen it");
    // Station 0 settles it once more, and says so to station 1.
    tick();
    let id0 = lab.st[0].open_queue()[0].id;
    lab.st[0]
        .store
        .resolve_conflict(id0, Keep::Winner, "李站长", at(14))
        .expect("settle again");
    lab.swap(0, 1, at(15));
    lab.swap(0, 1, at(16));
    lab.assert_converged();
    for s in &lab.st {
        assert!(
            s.open_queue().is_empty(),
            "settled once more after the reopening: {:#?}",
            s.queue()
        );
    }
}

#[test]
fn an_import_says_how_many_entries_it_brings_that_need_a_decision() {
    let mut lab = lab(2);
    let case = lab.base.cases[0].clone();
    assert!(lab.st[0].set_risk(&case, "high"));
    tick();
    assert!(lab.st[1].set_risk(&case, "priority"));
    let r = lab.send(0, 1, false, at(10));
    assert_eq!(r.summary.needs_decision, 1);
    let before = lab.st[0].open_queue().len();
    let r = lab.send(1, 0, false, at(11));
    let opened = lab.st[0].open_queue().len() - before;
    assert_eq!(opened, 1, "a sensitive entry arrived");
    assert_eq!(
        r.summary.needs_decision, 1,
        "the report tells of it: {:?}",
        r.summary
    );
}

/// Station 0 signs the base record; station 1 changes the parts of its
/// unsigned copy with `change`.
fn signed_vs_parts(lab: &mut Lab, change: impl FnOnce(&mut RecordInput, i64)) -> (i64, i64) {
    let boss0 = lab.st[0].rid(&lab.base.staff[0]).expect("boss");
    let rec0 = lab.st[0].rid(&lab.base.record).expect("record");
    lab.st[0]
        .store
        .sign_record(rec0, boss0, at(10))
        .expect("sign");
    tick();
    let st = &mut lab.st[1];
    let boss = st.rid(&lab.base.staff[0]).expect("boss");
    let worker = st.rid(&lab.base.staff[1]).expect("worker");
    let other = st.rid(&lab.base.staff[2]).expect("other");
    let rec1 = st.rid(&lab.base.record).expect("record");
    let mut input = record_input(boss, worker, "家访安全", "补全家访记录");
    change(&mut input, other);
    st.store
        .update_record(rec1, &input, today(), at(11))
        .expect("edit the unsigned copy");
    let from1 = export(&lab.st[1], None, at(12));
    let there = lab.st[0].store.import_bundle(&from1, "t", false, at(12));
    assert!(
        there.is_ok(),
        "the signer's laptop takes the bundle: {there:?}"
    );
    lab.send(0, 1, false, at(12));
    lab.all_to_all(2, at(13));
    (rec0, rec1)
}

fn parts(s: &Station, rec: i64) -> (Vec<String>, Vec<String>, usize) {
    let view = s.store.record(rec).expect("record");
    (
        view.attendees.iter().map(|a| a.1.clone()).collect(),
        view.items.iter().map(|i| i.item.what.clone()).collect(),
        view.signatures.len(),
    )
}

/// Known limitation (see the note on issue 7): the adder keeps the parts it
/// added to its unsigned copy; the signer keeps exactly what was signed
/// and queues the additions for a person to review.
#[test]
fn parts_added_to_an_unsigned_copy_are_queued_on_the_signed_record() {
    let mut lab = lab(2);
    let (rec0, _) = signed_vs_parts(&mut lab, |input, other| {
        input.supervisees.push(AttendeeInput {
            staff_id: other,
            attendance: "present".into(),
        });
        input.action_items.push(ActionItemInput {
            what: "联系学校社工".into(),
            owner_id: Some(other),
            due: "2026-12-05".into(),
            ..Default::default()
        });
    });
    assert_eq!(
        parts(&lab.st[0], rec0),
        (
            vec!["王芳".to_string()],
            vec!["补全家访记录".to_string()],
            1
        ),
        "the signer holds what was signed"
    );
    let q = lab.st[0].queue();
    assert!(
        q.iter().filter(|c| c.kind == "signed").count() >= 2,
        "the additions are queued on the signer's laptop: {q:#?}"
    );
}

#[test]
fn parts_removed_from_an_unsigned_copy_stay_on_the_signed_record() {
    let mut lab = lab(2);
    let (rec0, rec1) = signed_vs_parts(&mut lab, |input, _| {
        input.action_items.clear();
    });
    let signed = parts(&lab.st[0], rec0);
    assert_eq!(signed.1, vec!["补全家访记录".to_string()]);
    assert_eq!(parts(&lab.st[1], rec1), signed, "both hold what was signed");
    lab.assert_converged();
}

/// The data never depends on the order bundles arrive in. (Known
/// limitation, see the note on issue 7: here station 1's first name, which
/// station 1 itself replaced, is queued only in one order, so the queues
/// may differ by that harmless entry.)
#[test]
fn the_same_bundles_in_either_order_give_the_same_data() {
    let mut lab = lab(3);
    let staff = lab.base.staff[3].clone();
    // Station 1 renames, station 0 renames concurrently, station 2 gets
    // station 1's first name, then station 1 renames again.
    assert!(lab.st[1].rename(&staff, "李强一"));
    tick();
    assert!(lab.st[0].rename(&staff, "李强零"));
    lab.send(1, 2, false, at(10));
    tick();
    assert!(lab.st[1].rename(&staff, "李强二"));
    let bundles: Vec<Bundle> = lab.st.iter().map(|s| export(s, None, at(20))).collect();
    let mut snaps = Vec::new();
    for order in [[0, 1, 2], [0, 2, 1]] {
        let mut s = Store::open_in_memory().expect("fresh");
        for i in order {
            s.import_bundle(&bundles[i], "fresh", false, at(21))
                .expect("import");
        }
        snaps.push(s.sync_snapshot().expect("snapshot"));
    }
    assert_eq!(diff(&data_only(&snaps[0]), &data_only(&snaps[1])), None);
    // Either way the name that lost between the two laptops is queued.
    for snap in &snaps {
        let queued = snap.values().any(|(t, _, v)| {
            t == "sync_conflict"
                && v.iter()
                    .any(|x| x.as_str().is_some_and(|s| s.contains("李强")))
        });
        assert!(queued, "a lost name is in the queue");
    }
}
