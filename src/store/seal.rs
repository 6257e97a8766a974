//! Tamper evidence for signed supervision records (issue 8): every signing
//! and every amendment adds an entry to its supervisor's hash chain
//! (`record_seal`, migration 0007), and `Store::verify_seals` recomputes
//! every chain and names each record changed behind the program's back.
//!
//! # What is sealed
//!
//! An entry seals one event (`sign`: one person's signature; `amend`: one
//! amendment) together with the record's *locked content* as it stands:
//! the `supervision_record` row, its attendees and the locked parts of its
//! action items (exactly what the lock triggers of migrations 0002/0003
//! protect; an item's done date and note go on changing after signing and
//! are not sealed, nor are the derived `record_case` links, which sync may
//! still bring after signing). The record row never changes once signed
//! (amendments overlay it), so every entry of a record carries the same
//! content hash, and the events accumulate one entry each: the record as
//! shown (row, signatures, amendments) is covered in full.
//!
//! Sealing happens in the transaction that writes the event: a signature
//! (`insert_signature`: the window, the CLI and demo data), an amendment
//! (`amend_record`), a sync import (the signatures and amendments it
//! inserted, in the order they were made). Events from before migration
//! 0007 are listed by the migration in `seal_backlog` and sealed at the
//! next open. The chain is local: each laptop keeps its own.
//!
//! The chain has no secret key: it shows edits made to the file with other
//! tools, not an attacker who recomputes every hash after reading this.
//!
//! # The bytes (format v1; never change them: add a v2)
//!
//! A value ("cell") is written as `null`, `i` and the decimal integer,
//! `t` + the UTF-8 byte length + `:` + the text, `r` + the real's shortest
//! round-trip decimal, or `b` + the byte length + `:` + lowercase hex. A
//! field is the line `<column> <cell>\n`.
//!
//! The content bytes are
//!
//! ```text
//! stationdesk-seal-v1 content\n
//! record\n        then the fields of RECORD_COLUMNS, in that order
//! attendee\n      then ATTENDEE_COLUMNS; one block per attendee, by staff_id
//! item\n          then ITEM_COLUMNS; one block per action item, by position, id
//! ```
//!
//! and `content_hash` is the lowercase hex SHA-256 of them. An entry's
//! bytes are
//!
//! ```text
//! stationdesk-seal-v1 entry\n
//! prev <previous entry's hash, or 64 zeros for the first>\n
//! supervisor i<supervisor id>\n
//! seq i<1, 2, … in the supervisor's chain>\n
//! record i<record id>\n
//! sealed_at <cell>\n
//! content <content_hash>\n
//! event sign\n    then SIGNATURE_COLUMNS of the signature
//! event amend\n   or AMENDMENT_COLUMNS of the amendment
//! ```
//!
//! and `hash` is the lowercase hex SHA-256 of them. Values are read as
//! stored (dates and times as their text), never re-formatted.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Result, Store, StoreError};

/// The first line of both byte formats, without its suffix.
pub const SEAL_FORMAT: &str = "stationdesk-seal-v1";

/// The `prev` of a chain's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The record's own columns that a seal covers, in byte order: every
/// column the signature locks, and the id.
pub const RECORD_COLUMNS: &[&str] = &[
    "id",
    "supervisor_id",
    "year",
    "number",
    "date",
    "start_time",
    "end_time",
    "place",
    "mode",
    "functions",
    "cases",
    "topic",
    "previous_review",
    "reported",
    "findings",
    "guidance",
    "reflection",
    "disagreement",
    "created_at",
    "updated_at",
];

/// An attendee's locked columns (not the copied session date and mode).
pub const ATTENDEE_COLUMNS: &[&str] = &["staff_id", "attendance"];

/// An action item's locked columns (not its done date and note).
pub const ITEM_COLUMNS: &[&str] = &["position", "what", "owner_id", "due_date"];

pub const SIGNATURE_COLUMNS: &[&str] = &["staff_id", "role", "name", "signed_at"];

pub const AMENDMENT_COLUMNS: &[&str] = &[
    "id", "field", "original", "amended", "reason", "by_name", "at",
];

/// A stored value, as the bytes see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    fn read(v: ValueRef) -> Cell {
        match v {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(i) => Cell::Int(i),
            ValueRef::Real(f) => Cell::Real(f),
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => Cell::Text(s.to_owned()),
                Err(_) => Cell::Blob(t.to_vec()),
            },
            ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Cell::Null => out.extend_from_slice(b"null"),
            Cell::Int(i) => out.extend_from_slice(format!("i{i}").as_bytes()),
            Cell::Real(f) => out.extend_from_slice(format!("r{f:?}").as_bytes()),
            Cell::Text(t) => {
                out.extend_from_slice(format!("t{}:", t.len()).as_bytes());
                out.extend_from_slice(t.as_bytes());
            }
            Cell::Blob(b) => {
                out.extend_from_slice(format!("b{}:{}", b.len(), hex::encode(b)).as_bytes())
            }
        }
    }
}

/// One row's cells, in its column list's order.
pub type Cells = Vec<Cell>;

/// What a signature locks, as stored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SealContent {
    /// `RECORD_COLUMNS`
    pub record: Cells,
    /// `ATTENDEE_COLUMNS`, by staff id.
    pub attendees: Vec<Cells>,
    /// `ITEM_COLUMNS`, by position then id.
    pub items: Vec<Cells>,
}

/// What happened to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SealEvent {
    /// A signature; the entry's `ref` is the signer's staff id.
    Sign,
    /// An amendment; the entry's `ref` is the amendment's id.
    Amend,
}

impl SealEvent {
    pub fn code(self) -> &'static str {
        match self {
            SealEvent::Sign => "sign",
            SealEvent::Amend => "amend",
        }
    }

    fn from_code(code: &str) -> Option<SealEvent> {
        match code {
            "sign" => Some(SealEvent::Sign),
            "amend" => Some(SealEvent::Amend),
            _ => None,
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            SealEvent::Sign => SIGNATURE_COLUMNS,
            SealEvent::Amend => AMENDMENT_COLUMNS,
        }
    }
}

/// One chain entry's fields, as hashed.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryFields<'a> {
    pub prev_hash: &'a str,
    pub supervisor_id: i64,
    pub seq: i64,
    pub record_id: i64,
    pub sealed_at: &'a str,
    pub content_hash: &'a str,
    pub event: SealEvent,
    /// The signature's or the amendment's cells (`SIGNATURE_COLUMNS` or
    /// `AMENDMENT_COLUMNS`).
    pub event_cells: &'a [Cell],
}

fn fields(out: &mut Vec<u8>, columns: &[&str], cells: &[Cell]) {
    for (name, cell) in columns.iter().zip(cells) {
        out.extend_from_slice(name.as_bytes());
        out.push(b' ');
        cell.write(out);
        out.push(b'\n');
    }
}

/// The content bytes (see the module's documentation).
pub fn content_bytes(c: &SealContent) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(SEAL_FORMAT.as_bytes());
    out.extend_from_slice(b" content\nrecord\n");
    fields(&mut out, RECORD_COLUMNS, &c.record);
    for a in &c.attendees {
        out.extend_from_slice(b"attendee\n");
        fields(&mut out, ATTENDEE_COLUMNS, a);
    }
    for i in &c.items {
        out.extend_from_slice(b"item\n");
        fields(&mut out, ITEM_COLUMNS, i);
    }
    out
}

/// An entry's bytes (see the module's documentation).
pub fn entry_bytes(e: &EntryFields) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(SEAL_FORMAT.as_bytes());
    out.extend_from_slice(b" entry\n");
    out.extend_from_slice(format!("prev {}\n", e.prev_hash).as_bytes());
    out.extend_from_slice(format!("supervisor i{}\n", e.supervisor_id).as_bytes());
    out.extend_from_slice(format!("seq i{}\n", e.seq).as_bytes());
    out.extend_from_slice(format!("record i{}\n", e.record_id).as_bytes());
    out.extend_from_slice(b"sealed_at ");
    Cell::Text(e.sealed_at.to_owned()).write(&mut out);
    out.extend_from_slice(
        format!("\ncontent {}\nevent {}\n", e.content_hash, e.event.code()).as_bytes(),
    );
    fields(&mut out, e.event.columns(), e.event_cells);
    out
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes).as_slice())
}

/// What `Store::verify_seals` found wrong with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SealProblemKind {
    /// The record's fields, attendees or action items differ from what was
    /// signed.
    ContentChanged,
    /// A sealed signature or amendment (or its seal entry) was edited.
    EventChanged,
    /// A sealed signature or amendment was removed.
    EventMissing,
    /// The signed record itself was removed.
    RecordMissing,
    /// A signature or amendment has no seal: it was added, or its seal
    /// entry removed, behind the program's back.
    SealMissing,
    /// An entry does not follow the one before it in its supervisor's chain:
    /// an entry was removed, inserted or reordered.
    ChainBroken,
}

impl SealProblemKind {
    pub fn code(self) -> &'static str {
        match self {
            SealProblemKind::ContentChanged => "content_changed",
            SealProblemKind::EventChanged => "event_changed",
            SealProblemKind::EventMissing => "event_missing",
            SealProblemKind::RecordMissing => "record_missing",
            SealProblemKind::SealMissing => "seal_missing",
            SealProblemKind::ChainBroken => "chain_broken",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            SealProblemKind::ContentChanged => "内容被改动",
            SealProblemKind::EventChanged => "签名或修订被改动",
            SealProblemKind::EventMissing => "签名或修订被删除",
            SealProblemKind::RecordMissing => "记录被删除",
            SealProblemKind::SealMissing => "缺少封存",
            SealProblemKind::ChainBroken => "链条断裂",
        }
    }
}

/// One thing wrong, named by its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealProblem {
    pub record_id: i64,
    /// The record's year and number (第 n 次), when the record is still there.
    pub year: Option<i32>,
    pub number: Option<i64>,
    pub supervisor_id: i64,
    pub supervisor_name: String,
    pub kind: SealProblemKind,
    /// Which signature, amendment or entry, in words.
    pub detail: String,
}

/// One supervisor's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainView {
    pub supervisor_id: i64,
    pub supervisor_name: String,
    pub entries: i64,
    /// The last entry's hash: write it down, and a rewritten chain shows.
    pub head: String,
}

/// What `Store::verify_seals` found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SealReport {
    /// Signed records checked.
    pub records: usize,
    /// Seal entries checked.
    pub entries: usize,
    pub chains: Vec<ChainView>,
    /// Empty when nothing was altered.
    pub problems: Vec<SealProblem>,
}

impl SealReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The records named by a problem, each once.
    pub fn altered_records(&self) -> Vec<i64> {
        let ids: BTreeSet<i64> = self.problems.iter().map(|p| p.record_id).collect();
        ids.into_iter().collect()
    }
}

/// The record's supervisor and locked content; None when it is gone.
fn read_content(conn: &Connection, record_id: i64) -> Result<Option<(i64, SealContent)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM supervision_record WHERE id = ?1",
        RECORD_COLUMNS.join(", ")
    ))?;
    let record: Option<Cells> = stmt
        .query_row([record_id], |r| {
            (0..RECORD_COLUMNS.len())
                .map(|i| r.get_ref(i).map(Cell::read))
                .collect()
        })
        .optional()?;
    let Some(record) = record else {
        return Ok(None);
    };
    let supervisor_id = match record.get(1) {
        Some(Cell::Int(id)) => *id,
        _ => 0,
    };
    let rows = |sql: String, n: usize| -> Result<Vec<Cells>> {
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([record_id], |r| {
            (0..n).map(|i| r.get_ref(i).map(Cell::read)).collect()
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    };
    let attendees = rows(
        format!(
            "SELECT {} FROM record_attendee WHERE record_id = ?1 ORDER BY staff_id",
            ATTENDEE_COLUMNS.join(", ")
        ),
        ATTENDEE_COLUMNS.len(),
    )?;
    let items = rows(
        format!(
            "SELECT {} FROM action_item WHERE record_id = ?1 ORDER BY position, id",
            ITEM_COLUMNS.join(", ")
        ),
        ITEM_COLUMNS.len(),
    )?;
    Ok(Some((
        supervisor_id,
        SealContent {
            record,
            attendees,
            items,
        },
    )))
}

/// The signature's or amendment's cells; None when it is gone.
fn read_event(
    conn: &Connection,
    record_id: i64,
    event: SealEvent,
    reference: i64,
) -> Result<Option<Cells>> {
    let sql = match event {
        SealEvent::Sign => format!(
            "SELECT {} FROM record_signature WHERE record_id = ?1 AND staff_id = ?2",
            SIGNATURE_COLUMNS.join(", ")
        ),
        SealEvent::Amend => format!(
            "SELECT {} FROM record_amendment WHERE record_id = ?1 AND id = ?2",
            AMENDMENT_COLUMNS.join(", ")
        ),
    };
    let n = event.columns().len();
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([record_id, reference], |r| {
            (0..n).map(|i| r.get_ref(i).map(Cell::read)).collect()
        })
        .optional()?)
}

/// Appends the entry sealing one event to its supervisor's chain. Does
/// nothing when that event is sealed already.
pub(super) fn seal_event(
    conn: &Connection,
    record_id: i64,
    event: SealEvent,
    reference: i64,
    sealed_at: &str,
) -> Result<()> {
    let sealed = conn
        .prepare_cached(
            "SELECT 1 FROM record_seal WHERE record_id = ?1 AND event = ?2 AND ref = ?3",
        )?
        .query_row(params![record_id, event.code(), reference], |_| Ok(()))
        .optional()?
        .is_some();
    if sealed {
        return Ok(());
    }
    let (supervisor_id, content) = read_content(conn, record_id)?.ok_or(StoreError::NotFound {
        what: "supervision record",
        id: record_id,
    })?;
    let cells = read_event(conn, record_id, event, reference)?.ok_or(StoreError::NotFound {
        what: match event {
            SealEvent::Sign => "signature of staff",
            SealEvent::Amend => "amendment",
        },
        id: reference,
    })?;
    let (last, prev): (i64, String) = conn
        .prepare_cached(
            "SELECT seq, hash FROM record_seal WHERE supervisor_id = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([supervisor_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or_else(|| (0, GENESIS.to_owned()));
    let content_hash = sha256_hex(&content_bytes(&content));
    let fields = EntryFields {
        prev_hash: &prev,
        supervisor_id,
        seq: last + 1,
        record_id,
        sealed_at,
        content_hash: &content_hash,
        event,
        event_cells: &cells,
    };
    let hash = sha256_hex(&entry_bytes(&fields));
    conn.prepare_cached(
        "INSERT INTO record_seal (supervisor_id, seq, record_id, event, ref, sealed_at,
             content_hash, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        supervisor_id,
        last + 1,
        record_id,
        event.code(),
        reference,
        sealed_at,
        content_hash,
        prev,
        hash
    ])?;
    Ok(())
}

/// The time an entry is sealed at, as stored.
pub(super) fn seal_time(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Seals the signatures and amendments a sync import inserted (by their
/// rowids), in the order they were made.
pub(super) fn seal_imported(
    conn: &Connection,
    signatures: &[i64],
    amendments: &[i64],
    sealed_at: &str,
) -> Result<()> {
    let mut events: Vec<(String, SealEvent, i64, i64)> = Vec::new();
    for &rowid in signatures {
        let row = conn
            .prepare_cached(
                "SELECT signed_at, record_id, staff_id FROM record_signature WHERE rowid = ?1",
            )?
            .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((at, record, staff)) = row {
            events.push((at, SealEvent::Sign, record, staff));
        }
    }
    for &rowid in amendments {
        let row = conn
            .prepare_cached("SELECT at, record_id, id FROM record_amendment WHERE rowid = ?1")?
            .query_row([rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((at, record, id)) = row {
            events.push((at, SealEvent::Amend, record, id));
        }
    }
    // When they were made; a signature before an amendment made with it.
    events.sort();
    for (_, event, record, reference) in events {
        seal_event(conn, record, event, reference, sealed_at)?;
    }
    Ok(())
}

/// Seals what migration 0007 found signed or amended, oldest first, and
/// empties the backlog. Called at every open; costs one query when empty.
pub(super) fn seal_backlog(conn: &mut Connection) -> Result<()> {
    let pending: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM seal_backlog)", [], |r| {
        r.get(0)
    })?;
    if !pending {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let backlog: Vec<(String, i64, i64, String)> = tx
        .prepare(
            "SELECT event, record_id, ref, at FROM seal_backlog
             ORDER BY at, event DESC, record_id, ref",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (event, record_id, reference, at) in backlog {
        if let Some(event) = SealEvent::from_code(&event) {
            seal_event(&tx, record_id, event, reference, &at)?;
        }
    }
    tx.execute("DELETE FROM seal_backlog", [])?;
    tx.commit()?;
    Ok(())
}

/// One stored entry.
struct Stored {
    supervisor_id: i64,
    seq: i64,
    record_id: i64,
    event: String,
    reference: i64,
    sealed_at: String,
    content_hash: String,
    prev_hash: String,
    hash: String,
}

impl Store {
    /// Recomputes every supervisor's chain against the records as they are
    /// now and names each record altered behind the program's back.
    pub fn verify_seals(&self) -> Result<SealReport> {
        let conn = &self.conn;
        let stored: Vec<Stored> = conn
            .prepare(
                "SELECT supervisor_id, seq, record_id, event, ref, sealed_at, content_hash,
                        prev_hash, hash
                 FROM record_seal ORDER BY supervisor_id, seq",
            )?
            .query_map([], |r| {
                Ok(Stored {
                    supervisor_id: r.get(0)?,
                    seq: r.get(1)?,
                    record_id: r.get(2)?,
                    event: r.get(3)?,
                    reference: r.get(4)?,
                    sealed_at: r.get(5)?,
                    content_hash: r.get(6)?,
                    prev_hash: r.get(7)?,
                    hash: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let names: HashMap<i64, String> = conn
            .prepare("SELECT id, name FROM staff")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let keys: HashMap<i64, (i64, i32, i64)> = conn
            .prepare(
                "SELECT id, supervisor_id, year, number FROM supervision_record r
                 WHERE EXISTS (SELECT 1 FROM record_seal e WHERE e.record_id = r.id)
                    OR EXISTS (SELECT 1 FROM record_signature s WHERE s.record_id = r.id)",
            )?
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?
            .collect::<rusqlite::Result<_>>()?;
        let mut problems: BTreeMap<(i64, SealProblemKind, String), i64> = BTreeMap::new();
        let mut records: BTreeSet<i64> = BTreeSet::new();
        // The content hash of each record as it is now (None: gone).
        let mut contents: HashMap<i64, Option<String>> = HashMap::new();
        let mut chains: Vec<ChainView> = Vec::new();
        let mut prev = GENESIS.to_owned();
        let mut next_seq = 1;
        for (i, e) in stored.iter().enumerate() {
            records.insert(e.record_id);
            if i == 0 || stored[i - 1].supervisor_id != e.supervisor_id {
                prev = GENESIS.to_owned();
                next_seq = 1;
                chains.push(ChainView {
                    supervisor_id: e.supervisor_id,
                    supervisor_name: names.get(&e.supervisor_id).cloned().unwrap_or_default(),
                    entries: 0,
                    head: String::new(),
                });
            }
            if let Some(chain) = chains.last_mut() {
                chain.entries += 1;
                chain.head.clone_from(&e.hash);
            }
            let mut problem = |kind, detail: String| {
                problems.insert((e.record_id, kind, detail), e.supervisor_id);
            };
            if e.seq != next_seq || e.prev_hash != prev {
                problem(
                    SealProblemKind::ChainBroken,
                    if e.seq != next_seq {
                        format!(
                            "entry {} of the chain follows entry {}",
                            e.seq,
                            next_seq - 1
                        )
                    } else {
                        format!("entry {} does not follow the entry before it", e.seq)
                    },
                );
            }
            prev.clone_from(&e.hash);
            next_seq = e.seq + 1;
            let Some(event) = SealEvent::from_code(&e.event) else {
                problem(
                    SealProblemKind::EventChanged,
                    format!("entry {} names no known event", e.seq),
                );
                continue;
            };
            let what = describe(event, e.reference, &names);
            let content_hash = match contents.get(&e.record_id) {
                Some(h) => h.clone(),
                None => {
                    let h = read_content(conn, e.record_id)?
                        .map(|(_, c)| sha256_hex(&content_bytes(&c)));
                    contents.insert(e.record_id, h.clone());
                    h
                }
            };
            let Some(content_hash) = content_hash else {
                problem(
                    SealProblemKind::RecordMissing,
                    "the signed record is gone".to_owned(),
                );
                continue;
            };
            let Some(cells) = read_event(conn, e.record_id, event, e.reference)? else {
                problem(SealProblemKind::EventMissing, format!("{what} is gone"));
                continue;
            };
            let hash_with = |content: &str| {
                sha256_hex(&entry_bytes(&EntryFields {
                    prev_hash: &e.prev_hash,
                    supervisor_id: e.supervisor_id,
                    seq: e.seq,
                    record_id: e.record_id,
                    sealed_at: &e.sealed_at,
                    content_hash: content,
                    event,
                    event_cells: &cells,
                }))
            };
            if hash_with(&content_hash) == e.hash {
                continue;
            }
            if content_hash != e.content_hash {
                problem(
                    SealProblemKind::ContentChanged,
                    "the record's text, attendees or action items differ from what was signed"
                        .to_owned(),
                );
            } else {
                problem(
                    SealProblemKind::EventChanged,
                    format!("{what} (or its seal entry {}) was edited", e.seq),
                );
            }
        }
        // Signatures and amendments without an entry.
        let unsealed: Vec<(i64, &'static str, i64)> = conn
            .prepare(
                "SELECT s.record_id, 'sign', s.staff_id FROM record_signature s
                 WHERE NOT EXISTS (SELECT 1 FROM record_seal e WHERE e.record_id = s.record_id
                                   AND e.event = 'sign' AND e.ref = s.staff_id)
                 UNION ALL
                 SELECT m.record_id, 'amend', m.id FROM record_amendment m
                 WHERE NOT EXISTS (SELECT 1 FROM record_seal e WHERE e.record_id = m.record_id
                                   AND e.event = 'amend' AND e.ref = m.id)",
            )?
            .query_map([], |r| {
                let event: String = r.get(1)?;
                Ok((
                    r.get(0)?,
                    if event == "sign" { "sign" } else { "amend" },
                    r.get(2)?,
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (record_id, event, reference) in unsealed {
            records.insert(record_id);
            let event = SealEvent::from_code(event).unwrap_or(SealEvent::Sign);
            let supervisor_id = keys.get(&record_id).map(|k| k.0).unwrap_or_default();
            problems.insert(
                (
                    record_id,
                    SealProblemKind::SealMissing,
                    format!("{} has no seal", describe(event, reference, &names)),
                ),
                supervisor_id,
            );
        }
        let problems = problems
            .into_iter()
            .map(|((record_id, kind, detail), supervisor_id)| {
                let key = keys.get(&record_id);
                SealProblem {
                    record_id,
                    year: key.map(|k| k.1),
                    number: key.map(|k| k.2),
                    supervisor_id,
                    supervisor_name: names.get(&supervisor_id).cloned().unwrap_or_default(),
                    kind,
                    detail,
                }
            })
            .collect();
        Ok(SealReport {
            records: records.len(),
            entries: stored.len(),
            chains,
            problems,
        })
    }
}

/// "the signature of 王芳 (staff 7)" or "amendment 3".
fn describe(event: SealEvent, reference: i64, names: &HashMap<i64, String>) -> String {
    match event {
        SealEvent::Sign => format!(
            "the signature of {} (staff {reference})",
            names.get(&reference).map(String::as_str).unwrap_or("?")
        ),
        SealEvent::Amend => format!("amendment {reference}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    /// A fixed record: its bytes and hashes are pinned, so the format
    /// cannot drift without this test failing (then make a v2 instead).
    fn fixed() -> SealContent {
        SealContent {
            record: vec![
                Cell::Int(12),
                Cell::Int(3),
                Cell::Int(2026),
                Cell::Int(4),
                text("2026-03-05"),
                text("09:00"),
                text("10:30"),
                text("站内会议室"),
                text("individual"),
                text("administrative,educational"),
                text("QX-2026-001"),
                text("个案评估"),
                text(""),
                text("汇报了个案进展"),
                text("评估不完整"),
                text("补充家庭支持评估"),
                text("需要加强"),
                text(""),
                text("2026-03-05T18:00:00"),
                text("2026-03-05T18:00:00"),
            ],
            attendees: vec![vec![Cell::Int(7), text("present")]],
            items: vec![vec![
                Cell::Int(0),
                text("完成评估"),
                Cell::Int(7),
                text("2026-03-20"),
            ]],
        }
    }

    #[test]
    fn the_content_bytes_are_pinned() {
        let bytes = content_bytes(&fixed());
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        assert!(text.starts_with(
            "stationdesk-seal-v1 content\nrecord\nid i12\nsupervisor_id i3\nyear i2026\n"
        ));
        assert!(text.contains("place t15:站内会议室\n"), "{text}");
        assert!(text.contains("previous_review t0:\n"));
        assert!(text.ends_with(
            "attendee\nstaff_id i7\nattendance t7:present\n\
             item\nposition i0\nwhat t12:完成评估\nowner_id i7\ndue_date t10:2026-03-20\n"
        ));
        assert_eq!(
            sha256_hex(&bytes),
            "3c2166149ddf9b45a237686d27bc463fa293f4e9957d41293bae4532820bf768"
        );
    }

    #[test]
    fn the_entry_bytes_are_pinned() {
        let content = sha256_hex(&content_bytes(&fixed()));
        let cells = vec![
            Cell::Int(3),
            text("supervisor"),
            text("李华"),
            text("2026-03-05T18:30:00"),
        ];
        let e = EntryFields {
            prev_hash: GENESIS,
            supervisor_id: 3,
            seq: 1,
            record_id: 12,
            sealed_at: "2026-03-05 18:30:00",
            content_hash: &content,
            event: SealEvent::Sign,
            event_cells: &cells,
        };
        let bytes = entry_bytes(&e);
        assert_eq!(
            String::from_utf8(bytes.clone()).expect("utf-8"),
            format!(
                "stationdesk-seal-v1 entry\nprev {GENESIS}\nsupervisor i3\nseq i1\nrecord i12\n\
                 sealed_at t19:2026-03-05 18:30:00\ncontent {content}\nevent sign\n\
                 staff_id i3\nrole t10:supervisor\nname t6:李华\nsigned_at t19:2026-03-05T18:30:00\n"
            )
        );
        assert_eq!(
            sha256_hex(&bytes),
            "af6af1737db8b8dd5f9162dcefcb65773484cee825123fae41dcb0c540b431f2"
        );
        // Any change to what is sealed changes the hash.
        let mut other = cells.clone();
        other[3] = text("2026-03-05T18:31:00");
        assert_ne!(
            sha256_hex(&entry_bytes(&EntryFields {
                event_cells: &other,
                ..e.clone()
            })),
            sha256_hex(&bytes)
        );
    }

    #[test]
    fn cells_are_length_prefixed_so_no_two_contents_share_bytes() {
        let mut a = fixed();
        let mut b = fixed();
        a.record[11] = text("a\nguidance t1:b");
        b.record[11] = text("a");
        b.record[16] = text("b");
        assert_ne!(content_bytes(&a), content_bytes(&b));
        let mut n = Vec::new();
        Cell::Null.write(&mut n);
        let mut t = Vec::new();
        text("null").write(&mut t);
        assert_ne!(n, t);
    }

    #[test]
    fn the_seal_covers_every_column_a_signature_locks() {
        use crate::sync::spec::table;
        let record = table("supervision_record").expect("spec");
        for col in record.locked {
            assert!(
                RECORD_COLUMNS.contains(col),
                "record column {col} is not sealed"
            );
        }
        for (name, cols) in [
            ("record_attendee", ATTENDEE_COLUMNS),
            ("action_item", ITEM_COLUMNS),
        ] {
            for col in table(name).expect("spec").locked {
                assert!(
                    *col == "record_id" || cols.contains(col),
                    "{name}.{col} is locked but not sealed"
                );
            }
        }
        let signature = table("record_signature").expect("spec");
        for col in signature.cols {
            assert!(col.name == "record_id" || SIGNATURE_COLUMNS.contains(&col.name));
        }
        let amendment = table("record_amendment").expect("spec");
        for col in amendment.cols {
            assert!(col.name == "record_id" || AMENDMENT_COLUMNS.contains(&col.name));
        }
    }
}
