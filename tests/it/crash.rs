//! Crash safety (issue 8): a writer killed with SIGKILL at random points
//! loses nothing it reported committed and leaves nothing half-written; a
//! damaged file is named at start-up, with what to do.
//!
//! The writer is this test binary itself, run again on one test
//! (`crash::writer_child`) with `STATIONDESK_CRASH_WRITER` naming the
//! database: it then writes through the library's real `Store` methods
//! (staff, supervision records with attendees and action items, updates,
//! signatures, items done, cases and their contacts, drafts) and, in some
//! rounds, checkpoints the write-ahead log from a second connection. The
//! `stationdesk` command line was the other choice, but it writes one thing
//! per process and most of a run would be process start-up and opening;
//! a kill would rarely land inside a transaction, and it has no command for
//! drafts, contacts or checkpoints. Without the variable the test returns at
//! once, so a normal run passes it in no time.
//!
//! The writer prints, flushed, `TRY key digest` before each transaction
//! (the digest of the whole aggregate as it will be) and `OK key digest`
//! after its commit returned. After the kill the parent opens the file with
//! `Store::open` (which recovers from the write-ahead log), runs
//! `integrity_check`, the foreign-key check and the sync bookkeeping check,
//! and compares every aggregate in the file with what it knew before the
//! round plus every `OK`: each must match exactly, except the one
//! transaction in flight (the last `TRY` without its `OK`), which may be
//! there whole or not at all. An aggregate's digest covers all its parts (a
//! record's attendees and action items, a case's contacts), so a
//! half-applied transaction cannot match anything.
//!
//! SIGKILL ends the process, not the machine: what the kernel has accepted
//! is kept, so this checks SQLite's journal and recovery and that nothing
//! reports a commit early. Surviving a power cut rests on `synchronous =
//! FULL` (see `Store::prepare`), which a test cannot cut the power to check.
//!
//! Rounds: `STATIONDESK_CRASH_ROUNDS`, else 1,000 with `STATIONDESK_SLOW=1`,
//! else 20. `STATIONDESK_CRASH_SEED` repeats a run's choices (the seed is
//! printed when a round fails); the moment a kill lands depends on timing
//! too, so a repeat is close, not exact.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, NaiveDateTime};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use stationdesk::model::{
    ActionItemInput, AttendeeInput, CaseInput, Contact, ContactInput, NewStation, RecordContent,
    RecordInput, StaffRecord,
};
use stationdesk::store::{CaseFilter, RecordFilter};
use stationdesk::{Store, StoreError};

use crate::fixture::stationdesk;
use crate::fixture::{self, today};

const WRITER: &str = "STATIONDESK_CRASH_WRITER";
const WRITER_SEED: &str = "STATIONDESK_CRASH_WRITER_SEED";
const WRITER_CHECKPOINTS: &str = "STATIONDESK_CRASH_WRITER_CHECKPOINTS";
const MARK: &str = "@@crash ";
/// The digest of an aggregate that is not there (a deleted draft).
const ABSENT: &str = "absent";

fn now() -> NaiveDateTime {
    today().and_hms_opt(16, 0, 0).expect("a time")
}

fn digest(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

// What each aggregate is, as one text: the writer makes it from what it
// writes, the checker from what it reads back.

fn staff_print(record: &StaffRecord) -> String {
    format!("{record:?}")
}

/// The store lists a record's attendees and action items in its own
/// order: the order they were typed in is not part of what is compared.
fn record_print(content: &RecordContent, signers: &[i64]) -> String {
    let mut content = content.clone();
    content.supervisees.sort_by_key(|a| a.0);
    content
        .action_items
        .sort_by_cached_key(|item| format!("{item:?}"));
    let mut signers = signers.to_vec();
    signers.sort_unstable();
    format!("{content:?} signed by {signers:?}")
}

fn case_print(code: &str, contacts: &[Contact]) -> String {
    let mut contacts: Vec<String> = contacts.iter().map(|c| format!("{c:?}")).collect();
    contacts.sort();
    format!("{code} {contacts:?}")
}

fn read_staff(store: &Store, id: i64) -> String {
    staff_print(&store.staff(id).expect("staff").record)
}

fn read_record(store: &Store, id: i64) -> String {
    let view = store.record(id).expect("record");
    let signers: Vec<i64> = view.signatures.iter().map(|s| s.staff_id).collect();
    record_print(&view.content, &signers)
}

fn read_case(store: &Store, id: i64) -> String {
    let view = store.case_view(id).expect("case");
    let contacts: Vec<Contact> = view.contacts.into_iter().map(|c| c.contact).collect();
    case_print(&view.summary.case.code, &contacts)
}

/// Every aggregate in the file: key → its text.
fn snapshot(store: &Store) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for v in store.list_staff(None, today()).expect("staff") {
        out.insert(
            format!("staff:{}", v.staff.id),
            staff_print(&v.staff.record),
        );
    }
    for r in store
        .list_records(RecordFilter::default())
        .expect("records")
    {
        out.insert(format!("record:{}", r.id), read_record(store, r.id));
    }
    for c in store.list_cases(CaseFilter::default()).expect("cases") {
        out.insert(format!("case:{}", c.id), read_case(store, c.id));
    }
    for d in store.drafts("").expect("drafts") {
        out.insert(format!("draft:{}", d.key), d.body);
    }
    out
}

// 1. The writer ---------------------------------------------------------------

/// The writer's half: does nothing unless the crash test started it.
#[test]
fn writer_child() {
    let Some(db) = std::env::var_os(WRITER) else {
        return;
    };
    let seed = std::env::var(WRITER_SEED)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let checkpoints = std::env::var_os(WRITER_CHECKPOINTS).is_some();
    Writer::new(Path::new(&db), seed, checkpoints).run();
}

struct Writer {
    store: Store,
    /// A second connection, for checkpoints.
    side: Option<rusqlite::Connection>,
    rng: ChaCha8Rng,
    out: std::io::Stdout,
}

/// What went wrong in the writer: an `Invalid` input is refused (nothing
/// written) and the writer goes on; anything else ends it.
fn refused(e: &StoreError) -> bool {
    matches!(e, StoreError::Invalid(_))
}

const TEXT: &[char] = &[
    '督', '导', '记', '录', '家', '访', '社', '工', '站', '青', '溪', '镇', '服', '务', '对', '象',
    '跟', '进', '评', '估', '，', '。', 'a', 'b', 'c', '1', '2', ' ',
];

impl Writer {
    fn new(db: &Path, seed: u64, checkpoints: bool) -> Writer {
        let store = Store::open(db).expect("the writer opens the database");
        let side = checkpoints.then(|| {
            let conn = rusqlite::Connection::open(db).expect("a second connection");
            conn.busy_timeout(Duration::from_secs(5)).expect("timeout");
            conn
        });
        Writer {
            store,
            side,
            rng: ChaCha8Rng::seed_from_u64(seed),
            out: std::io::stdout(),
        }
    }

    fn say(&mut self, line: &str) {
        let mut out = self.out.lock();
        writeln!(out, "{MARK}{line}").expect("stdout");
        out.flush().expect("flush");
    }

    fn text(&mut self, max: usize) -> String {
        let len = self.rng.random_range(1..=max);
        (0..len)
            .map(|_| TEXT[self.rng.random_range(0..TEXT.len())])
            .collect()
    }

    fn day(&mut self) -> NaiveDate {
        today() - Days::new(self.rng.random_range(0..300))
    }

    fn run(&mut self) {
        self.say("READY");
        // A limit, in case the parent is gone and nobody kills this process.
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            let staff = self.store.list_staff(None, today()).expect("staff");
            if staff.len() < 4 {
                self.add_staff();
                continue;
            }
            let pick = self.rng.random_range(0..20);
            match pick {
                0 => self.add_staff(),
                1..=3 => self.new_record(),
                4..=5 => self.update_record(),
                6..=7 => self.sign(),
                8 => self.item_done(),
                9 => self.new_case(),
                10..=11 => self.contact(),
                12..=14 => self.draft(),
                15 => self.delete_draft(),
                _ if self.side.is_some() => self.checkpoint(),
                _ => self.draft(),
            }
        }
    }

    /// Announces, runs and reports one write. `write` returns the key the
    /// aggregate ended under (its new id for a creation); after the
    /// commit, what the store reads back must be what was announced.
    fn write<T>(
        &mut self,
        key: &str,
        expected: &str,
        write: impl FnOnce(&mut Store) -> Result<T, StoreError>,
        key_of: impl FnOnce(&T) -> String,
    ) {
        let d = if expected == ABSENT {
            ABSENT.to_string()
        } else {
            digest(expected)
        };
        self.say(&format!("TRY {key} {d}"));
        match write(&mut self.store) {
            Ok(value) => {
                let key = key_of(&value);
                self.say(&format!("OK {key} {d}"));
                let back = snapshot_one(&self.store, &key);
                assert_eq!(back, expected, "{key} reads back as written");
            }
            Err(e) if refused(&e) => self.say(&format!("REFUSED {e}")),
            Err(e) => panic!("{key}: {e}"),
        }
    }

    fn add_staff(&mut self) {
        let roles = ["junior_supervisor", "assistant_supervisor", "frontline"];
        let role = roles[self.rng.random_range(0..roles.len())];
        let name = format!("员工{}", self.rng.random_range(0..100_000));
        let input = fixture::form(&name, role);
        let expected = staff_print(&input.validate(today()).expect("a valid form"));
        self.write(
            "staff:new",
            &expected,
            |s| s.create_staff(&input, today()),
            |staff| format!("staff:{}", staff.id),
        );
    }

    fn record_input(&mut self) -> RecordInput {
        let staff = self.store.list_staff(None, today()).expect("staff");
        let bosses: Vec<i64> = staff
            .iter()
            .filter(|v| v.staff.record.role.supervising_rank().is_some())
            .map(|v| v.staff.id)
            .collect();
        let boss = if bosses.is_empty() {
            staff[0].staff.id
        } else {
            bosses[self.rng.random_range(0..bosses.len())]
        };
        let mut others: Vec<i64> = staff
            .iter()
            .map(|v| v.staff.id)
            .filter(|id| *id != boss)
            .collect();
        let count = self.rng.random_range(1..=3.min(others.len()));
        let mut supervisees = vec![];
        for _ in 0..count {
            let id = others.swap_remove(self.rng.random_range(0..others.len()));
            let attendance = ["present", "present", "late", "absent"][self.rng.random_range(0..4)];
            supervisees.push(AttendeeInput {
                staff_id: id,
                attendance: attendance.into(),
            });
        }
        let owners: Vec<i64> = supervisees.iter().map(|a| a.staff_id).collect();
        let items = (0..self.rng.random_range(0..=4))
            .map(|_| ActionItemInput {
                what: self.text(60),
                owner_id: Some(owners[self.rng.random_range(0..owners.len())]),
                due: (today() + Days::new(self.rng.random_range(0..60))).to_string(),
                ..Default::default()
            })
            .collect();
        let mode = if supervisees.len() > 1 {
            "group"
        } else {
            "individual"
        };
        RecordInput {
            supervisor_id: boss,
            date: self.day().to_string(),
            start_time: "09:00".into(),
            end_time: "10:30".into(),
            place: "会议室".into(),
            mode: mode.into(),
            functions: vec!["educational".into()],
            supervisees,
            topic: self.text(80),
            findings: self.text(3000),
            guidance: self.text(1500),
            action_items: items,
            ..Default::default()
        }
    }

    fn new_record(&mut self) {
        let input = self.record_input();
        let Ok(content) = input.validate(today()) else {
            self.say("REFUSED a form");
            return;
        };
        self.write(
            "record:new",
            &record_print(&content, &[]),
            |s| s.create_record(&input, today(), now()),
            |id| format!("record:{id}"),
        );
    }

    fn records(&self) -> Vec<stationdesk::store::RecordSummary> {
        self.store
            .list_records(RecordFilter::default())
            .expect("records")
    }

    fn update_record(&mut self) {
        let unsigned: Vec<i64> = self
            .records()
            .into_iter()
            .filter(|r| r.signatures == 0)
            .map(|r| r.id)
            .collect();
        if unsigned.is_empty() {
            return self.new_record();
        }
        let id = unsigned[self.rng.random_range(0..unsigned.len())];
        let input = self.record_input();
        let Ok(content) = input.validate(today()) else {
            self.say("REFUSED a form");
            return;
        };
        self.write(
            &format!("record:{id}"),
            &record_print(&content, &[]),
            |s| s.update_record(id, &input, today(), now()),
            |()| format!("record:{id}"),
        );
    }

    fn sign(&mut self) {
        let waiting: Vec<i64> = self
            .records()
            .into_iter()
            .filter(|r| !r.fully_signed())
            .map(|r| r.id)
            .collect();
        if waiting.is_empty() {
            return self.new_record();
        }
        let id = waiting[self.rng.random_range(0..waiting.len())];
        let view = self.store.record(id).expect("record");
        let mut signers: Vec<i64> = view.signatures.iter().map(|s| s.staff_id).collect();
        let Some(&who) = view.signers_needed().iter().find(|w| !signers.contains(w)) else {
            return;
        };
        signers.push(who);
        self.write(
            &format!("record:{id}"),
            &record_print(&view.content, &signers),
            |s| s.sign_record(id, who, now()),
            |()| format!("record:{id}"),
        );
    }

    fn item_done(&mut self) {
        let signed: Vec<i64> = self
            .records()
            .into_iter()
            .filter(|r| r.signatures > 0)
            .map(|r| r.id)
            .collect();
        if signed.is_empty() {
            return self.sign();
        }
        let id = signed[self.rng.random_range(0..signed.len())];
        let view = self.store.record(id).expect("record");
        if view.items.is_empty() {
            return;
        }
        let n = self.rng.random_range(0..view.items.len());
        let item_id = view.items[n].id;
        let done = self.day();
        let note = self.text(200);
        let mut content = view.content.clone();
        let item = content
            .action_items
            .iter_mut()
            .find(|i| **i == view.items[n].item)
            .expect("the item in the record's content");
        item.done = Some(done);
        item.note = note.trim().to_string();
        let signers: Vec<i64> = view.signatures.iter().map(|s| s.staff_id).collect();
        self.write(
            &format!("record:{id}"),
            &record_print(&content, &signers),
            |s| s.set_item_done(item_id, &done.to_string(), &note),
            |()| format!("record:{id}"),
        );
    }

    fn new_case(&mut self) {
        let staff = self.store.list_staff(None, today()).expect("staff");
        let owner = staff[self.rng.random_range(0..staff.len())].staff.id;
        let code = format!("CR-{}", self.rng.random_range(0..1_000_000));
        let input = CaseInput {
            code: code.clone(),
            station_id: 1,
            owner_id: owner,
            category: "children".into(),
            risk: ["low", "medium", "high"][self.rng.random_range(0..3)].into(),
            stage: "intervention".into(),
            difficult: false,
            opened_on: "2026-01-05".into(),
            closed_on: String::new(),
            retain_until: "2036-01-01".into(),
        };
        self.write(
            "case:new",
            &case_print(&code, &[]),
            |s| s.create_case(&input, None, today()),
            |id| format!("case:{id}"),
        );
    }

    fn contact(&mut self) {
        let cases = self.store.list_cases(CaseFilter::default()).expect("cases");
        if cases.is_empty() {
            return self.new_case();
        }
        let id = cases[self.rng.random_range(0..cases.len())].id;
        let view = self.store.case_view(id).expect("case");
        let staff = self.store.list_staff(None, today()).expect("staff");
        let kinds = ["intake", "interview", "home_visit", "phone"];
        let input = ContactInput {
            date: self.day().to_string(),
            kind: kinds[self.rng.random_range(0..kinds.len())].into(),
            staff_id: staff[self.rng.random_range(0..staff.len())].staff.id,
            note: self.text(400),
        };
        let Ok(contact) = input.validate(view.summary.case.opened_on, today()) else {
            self.say("REFUSED a contact");
            return;
        };
        let mut contacts: Vec<Contact> = view.contacts.into_iter().map(|c| c.contact).collect();
        contacts.push(contact);
        self.write(
            &format!("case:{id}"),
            &case_print(&view.summary.case.code, &contacts),
            |s| s.add_contact(id, &input, today()),
            |_| format!("case:{id}"),
        );
    }

    fn draft(&mut self) {
        let key = format!("supervision:{}", self.rng.random_range(0..20));
        // Up to ~60 KB: a draft may span many overflow pages.
        let body = self.text(20_000);
        self.write(
            &format!("draft:{key}"),
            &body,
            |s| s.save_draft(&key, &body, now()),
            |()| format!("draft:{key}"),
        );
    }

    fn delete_draft(&mut self) {
        let key = format!("supervision:{}", self.rng.random_range(0..20));
        self.write(
            &format!("draft:{key}"),
            ABSENT,
            |s| s.delete_draft(&key),
            |()| format!("draft:{key}"),
        );
    }

    /// A checkpoint from the second connection: the log's pages are copied
    /// into the database file, and for RESTART and TRUNCATE the log starts
    /// over. The store's own connection checkpoints only after 1,000 pages.
    fn checkpoint(&mut self) {
        let modes = ["PASSIVE", "FULL", "RESTART", "TRUNCATE"];
        let mode = modes[self.rng.random_range(0..modes.len())];
        self.say(&format!("CKPT {mode}"));
        if let Some(side) = &self.side {
            side.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |_| Ok(()))
                .expect("checkpoint");
        }
        self.say("CKPT-DONE");
    }
}

/// One aggregate's text as the store reads it; `ABSENT` when it is not
/// there (only drafts are ever deleted).
fn snapshot_one(store: &Store, key: &str) -> String {
    let (kind, id) = key.split_once(':').expect("a key");
    match kind {
        "staff" => read_staff(store, id.parse().expect("an id")),
        "record" => read_record(store, id.parse().expect("an id")),
        "case" => read_case(store, id.parse().expect("an id")),
        "draft" => store
            .drafts(id)
            .expect("drafts")
            .into_iter()
            .find(|d| d.key == id)
            .map_or_else(|| ABSENT.to_string(), |d| d.body),
        _ => panic!("unknown key {key}"),
    }
}

// 2. The parent ---------------------------------------------------------------

/// Kills and reaps the writer if the test ends early.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn rounds() -> u64 {
    env_number("STATIONDESK_CRASH_ROUNDS").unwrap_or(
        if std::env::var("STATIONDESK_SLOW").is_ok_and(|v| v == "1") {
            1000
        } else {
            20
        },
    )
}

/// A fresh database file with the one station every form names.
fn fresh(dir: &Path, generation: u64) -> PathBuf {
    let db = dir.join(format!("crash-{generation}.sqlite3"));
    let mut store = Store::open(&db).expect("create the database");
    store
        .add_station(&NewStation {
            name: "青溪镇社工站".into(),
            township: "青溪镇".into(),
            county: "宁远县".into(),
        })
        .expect("station");
    db
}

/// What one round saw: the protocol lines the writer finished, and how it
/// ended.
struct Round {
    lines: Vec<String>,
    killed_running: bool,
    stderr: String,
}

/// When to kill the writer: after its n-th line (0: as soon as it starts),
/// or after the n-th time it says a checkpoint begins; then that many
/// microseconds later.
#[derive(Debug, Clone, Copy)]
enum Kill {
    AfterLine(usize, u64),
    AfterCheckpoint(usize, u64),
}

fn run_writer(db: &Path, dir: &Path, seed: u64, checkpoints: bool, kill_at: Kill) -> Round {
    let (after_lines, after_checkpoints, then_micros) = match kill_at {
        Kill::AfterLine(n, us) => (n, usize::MAX, us),
        Kill::AfterCheckpoint(n, us) => (usize::MAX, n, us),
    };
    let mut checkpoints_seen = 0;
    let err_path = dir.join("writer-stderr.txt");
    let err_file = std::fs::File::create(&err_path).expect("stderr file");
    let mut cmd = Command::new(std::env::current_exe().expect("this test binary"));
    cmd.args(["crash::writer_child", "--exact", "--nocapture"])
        .env(WRITER, db)
        .env(WRITER_SEED, seed.to_string())
        .env_remove(WRITER_CHECKPOINTS)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(err_file);
    if checkpoints {
        cmd.env(WRITER_CHECKPOINTS, "1");
    }
    let mut child = Reaper(cmd.spawn().expect("start the writer"));
    let mut out = BufReader::new(child.0.stdout.take().expect("the writer's stdout"));
    let mut lines = vec![];
    let mut killed_running = false;
    let mut killed = false;
    let mut kill = |child: &mut Reaper| {
        if std::mem::replace(&mut killed, true) {
            return;
        }
        std::thread::sleep(Duration::from_micros(then_micros));
        killed_running = child.0.try_wait().expect("poll").is_none();
        // SIGKILL: no destructor, no rollback, no checkpoint runs.
        let _ = child.0.kill();
    };
    if after_lines == 0 {
        kill(&mut child);
    }
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).expect("read the writer") == 0 {
            break;
        }
        // A line cut short by the kill reports nothing.
        let Some(body) = line.strip_suffix('\n') else {
            continue;
        };
        let Some(at) = body.find(MARK) else {
            continue;
        };
        let said = &body[at + MARK.len()..];
        checkpoints_seen += usize::from(said.starts_with("CKPT "));
        lines.push(said.to_string());
        if lines.len() == after_lines || checkpoints_seen == after_checkpoints {
            kill(&mut child);
        }
    }
    let status = child.0.wait().expect("reap the writer");
    let mut stderr = String::new();
    std::fs::File::open(&err_path)
        .and_then(|mut f| f.read_to_string(&mut stderr))
        .expect("the writer's stderr");
    assert!(
        status.code().is_none(),
        "the writer ended by itself ({status}) before its kill:\n{stderr}"
    );
    Round {
        lines,
        killed_running,
        stderr,
    }
}

/// The checks after a kill; `known` is every aggregate's digest before the
/// round, and becomes what the file holds now.
fn check_after_kill(
    db: &Path,
    known: &mut BTreeMap<String, String>,
    round: &Round,
) -> Result<(), String> {
    let store = Store::open(db).map_err(|e| format!("reopen: {e}"))?;
    store
        .quick_check()
        .map_err(|e| format!("quick check: {e}"))?;
    {
        let conn = rusqlite::Connection::open(db).map_err(|e| e.to_string())?;
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| e.to_string())?;
        if check != "ok" {
            return Err(format!("integrity check: {check}"));
        }
        let broken: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .map_err(|e| e.to_string())?;
        if broken != 0 {
            return Err(format!("{broken} broken foreign key(s)"));
        }
    }
    crate::sync::consistent(db)?;

    let mut expected = known.clone();
    let mut pending: Option<(String, String)> = None;
    for line in &round.lines {
        let mut words = line.split(' ');
        match words.next() {
            Some("TRY") => {
                let key = words.next().unwrap_or_default().to_string();
                pending = Some((key, words.next().unwrap_or_default().to_string()));
            }
            Some("OK") => {
                let key = words.next().unwrap_or_default().to_string();
                expected.insert(key, words.next().unwrap_or_default().to_string());
                pending = None;
            }
            Some("REFUSED") => pending = None,
            _ => {}
        }
    }
    expected.retain(|_, d| d != ABSENT);

    let found: BTreeMap<String, (String, String)> = snapshot(&store)
        .into_iter()
        .map(|(k, text)| (k, (digest(&text), text)))
        .collect();
    let mut in_flight_taken = false;
    let keys: std::collections::BTreeSet<&String> = expected.keys().chain(found.keys()).collect();
    for key in keys {
        let want = expected.get(key).map_or(ABSENT, String::as_str);
        let (got, text) = found
            .get(key)
            .map_or((ABSENT, ""), |(d, t)| (d.as_str(), t.as_str()));
        if got == want {
            continue;
        }
        // The transaction in flight at the kill: whole, or not at all.
        if let Some((pk, pd)) = &pending {
            let same = pk == key
                || (pk.ends_with(":new")
                    && want == ABSENT
                    && key.starts_with(pk.trim_end_matches("new")));
            if same && pd == got && !in_flight_taken {
                in_flight_taken = true;
                continue;
            }
        }
        let mentions: Vec<&String> = round
            .lines
            .iter()
            .filter(|l| l.split(' ').nth(1) == Some(key.as_str()))
            .collect();
        return Err(format!(
            "{key}: the file holds {got} ({}), expected {want}; before the round {:?}; \
             this round: {mentions:?}; in flight: {pending:?}",
            text.chars().take(300).collect::<String>(),
            known.get(key),
        ));
    }
    *known = found.into_iter().map(|(k, (d, _))| (k, d)).collect();
    Ok(())
}

#[test]
fn a_writer_killed_at_random_points_keeps_every_reported_commit_whole() {
    let rounds = rounds();
    let seed = env_number("STATIONDESK_CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    // Rounds go on in the same file, so the later ones write into a grown
    // database with a log left behind by a kill, and checkpoint many pages;
    // every 50 rounds a new file starts, so that checking every aggregate
    // after each kill stays quick in the 1,000-round run.
    const GENERATION: u64 = 50;
    let started = Instant::now();
    let mut db = PathBuf::new();
    let mut known = BTreeMap::new();
    let (mut commits, mut in_flight, mut running, mut checkpoint_kills) = (0, 0, 0, 0);
    for round in 0..rounds {
        if round % GENERATION == 0 {
            db = fresh(dir.path(), round / GENERATION);
            known = snapshot(&Store::open(&db).expect("open"))
                .into_iter()
                .map(|(k, t)| (k, digest(&t)))
                .collect();
        }
        let checkpoints = rng.random_bool(0.4);
        // Kill after the writer's n-th line (0: while it starts), or, in
        // half the rounds that checkpoint, after its n-th checkpoint began;
        // then a little later still: inside a transaction, its commit, or a
        // checkpoint.
        let kill = if checkpoints && rng.random_bool(0.5) {
            Kill::AfterCheckpoint(rng.random_range(1..4), rng.random_range(0..2_000))
        } else {
            let n = rng.random_range(0..60);
            Kill::AfterLine(n, rng.random_range(0..if n == 0 { 30_000 } else { 3_000 }))
        };
        let writer_seed = rng.random();
        let seen = run_writer(&db, dir.path(), writer_seed, checkpoints, kill);
        running += u32::from(seen.killed_running);
        commits += seen.lines.iter().filter(|l| l.starts_with("OK ")).count();
        match seen
            .lines
            .iter()
            .rev()
            .find(|l| !l.starts_with("CKPT-DONE"))
        {
            Some(l) if l.starts_with("TRY ") => in_flight += 1,
            Some(l) if l.starts_with("CKPT ") => checkpoint_kills += 1,
            _ => {}
        }
        if let Err(problem) = check_after_kill(&db, &mut known, &seen) {
            panic!(
                "round {round} (STATIONDESK_CRASH_SEED={seed}, {kill:?}, checkpoints \
                 {checkpoints}): {problem}\nthe writer's lines: {:?}\n\
                 writer's stderr:\n{}",
                &seen.lines, seen.stderr
            );
        }
    }
    eprintln!(
        "crash: {rounds} round(s) in {:?} (seed {seed}): {running} killed while running, \
         {commits} commits reported and found, {in_flight} killed with a transaction \
         announced and unreported, {checkpoint_kills} during a checkpoint",
        started.elapsed()
    );
}

// 3. A damaged file at start-up ----------------------------------------------

/// A closed database file holding the station demo, and its page size.
fn demo_file(dir: &Path) -> (PathBuf, u64) {
    let db = dir.join("damaged.sqlite3");
    let mut store = Store::open(&db).expect("create");
    store
        .load_demo(&stationdesk::demo::generate(
            stationdesk::demo::Scale::Station,
            3,
            today(),
        ))
        .expect("demo");
    let page: u32 = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("page size");
    drop(store);
    assert!(
        !Path::new(&format!("{}-wal", db.display())).exists(),
        "closing checkpoints the log into the file"
    );
    (db, page.into())
}

/// Writes noise over `len` bytes at `offset`.
fn scribble(db: &Path, offset: u64, len: u64) {
    use std::io::{Seek, SeekFrom};
    let mut rng = ChaCha8Rng::seed_from_u64(offset);
    let noise: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(db)
        .expect("open the file");
    f.seek(SeekFrom::Start(offset)).expect("seek");
    f.write_all(&noise).expect("scribble");
    f.sync_all().expect("sync");
}

fn plain_advice(message: &str) {
    for words in [
        "is damaged",
        "Do not keep working in it",
        "restore the latest backup",
        "the backups folder next to the database",
    ] {
        assert!(message.contains(words), "{words:?} missing from: {message}");
    }
}

#[test]
fn a_damaged_page_is_found_at_start_up_and_the_message_says_restore_the_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, page) = demo_file(dir.path());
    let started = Instant::now();
    Store::open_checked(&db).expect("a whole file passes");
    eprintln!(
        "open and quick check of the station demo ({} KiB): {:?}",
        std::fs::metadata(&db).expect("size").len() / 1024,
        started.elapsed()
    );
    stationdesk(&db).args(["staff", "list"]).assert().success();

    // Garbage over the root page of the contacts (an interior page of a
    // table in use; not page 1, which holds the schema).
    let root: u32 = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'case_contact'",
            [],
            |r| r.get(0),
        )
        .expect("the contacts' root page");
    assert!(root > 1);
    scribble(&db, u64::from(root - 1) * page, page);

    let store = Store::open(&db).expect("the schema on page 1 still reads");
    match store.quick_check() {
        Err(e @ StoreError::Damaged { .. }) => plain_advice(&e.to_string()),
        other => panic!(
            "expected Damaged, got {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    drop(store);
    match Store::open_checked(&db) {
        Err(e @ StoreError::Damaged { .. }) => plain_advice(&e.to_string()),
        other => panic!(
            "expected Damaged, got {:?}",
            other.err().map(|e| e.to_string())
        ),
    }
    let out = stationdesk(&db).arg("check").output().expect("run");
    assert!(
        !out.status.success(),
        "the command line's check refuses the file"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    plain_advice(&stderr);
    // A command that reads the damaged page says the same.
    let out = stationdesk(&db)
        .args(["case", "show", "1"])
        .output()
        .expect("run");
    assert!(!out.status.success(), "the command line refuses the file");
    let stderr = String::from_utf8_lossy(&out.stderr);
    plain_advice(&stderr);
    assert!(stderr.contains(&db.display().to_string()), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing printed as if the data were whole"
    );
}

#[test]
fn a_file_whose_header_is_garbage_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (db, _) = demo_file(dir.path());
    scribble(&db, 0, 100);
    let before = std::fs::read(&db).expect("bytes");
    // Without SQLite's header the file may as well be encrypted: it is
    // refused as needing a passphrase, and any passphrase is refused.
    match Store::open(&db) {
        Err(StoreError::NeedsPassphrase { .. }) => {}
        other => panic!(
            "expected NeedsPassphrase, got {:?}",
            other.err().map(|e| e.to_string())
        ),
    }
    let out = stationdesk(&db).arg("init").output().expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a database"), "{stderr}");
    assert_eq!(std::fs::read(&db).expect("bytes"), before, "left as it was");
}
