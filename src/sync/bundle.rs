//! The bundle file: what one laptop hands another.
//!
//! ```text
//! "STATIONDESK-SYNC\n"              magic
//! u32 LE, manifest (JSON)           format and schema versions, origin, range, counts
//! u64 LE, payload (zstd of JSON)    the rows, table by table, parents first
//! 32 bytes                          SHA-256 of everything before it
//! ```
//!
//! The manifest is readable without unpacking the rows; the checksum is
//! checked before anything is parsed.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::spec::{self, Table};

pub const MAGIC: &[u8] = b"STATIONDESK-SYNC\n";
/// The bundle layout this program writes and the newest it reads.
pub const FORMAT: u32 = 1;
const SUM: usize = 32;
/// No version is later than 2200-01-01: a bundle claiming one is damaged
/// (or hostile) and would push the clock to its limit.
pub const LATEST_VERSION: i64 = 7_258_118_400_000 << 16;

/// Why a file cannot be imported. Each names the problem plainly.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BundleError {
    #[error("this is not a StationDesk sync bundle (it does not start with the bundle mark)")]
    NotABundle,
    #[error("the bundle is truncated: {found} bytes where {expected} were written; copy it again")]
    Truncated { expected: u64, found: u64 },
    #[error(
        "the bundle's checksum does not match its contents (damaged in transfer); copy it again"
    )]
    Checksum,
    #[error(
        "the bundle was written in format {found} by a newer StationDesk (this program reads up to {known}); update this program"
    )]
    NewerFormat { found: u32, known: u32 },
    #[error(
        "the bundle's rows are at schema version {found}, newer than this program's {known}; update this program"
    )]
    NewerSchema { found: u32, known: u32 },
    #[error("the bundle is damaged: {0}")]
    Corrupt(String),
}

/// A version: the hybrid logical clock value and the device that made it.
/// Versions are totally ordered by clock, then origin.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dot(pub i64, pub String);

/// What the file says about itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The rows' schema (`spec::ROWS_SCHEMA`), not the number of migrations.
    pub schema: u32,
    /// The device (sync origin) that wrote the bundle.
    pub origin: String,
    pub created_at: String,
    /// The peer it was written for (`--since-last PEER`), if any.
    pub peer: Option<String>,
    /// Local changes after `since_seq` up to and including `upto_seq`.
    pub since_seq: i64,
    pub upto_seq: i64,
    /// The newest version in the bundle.
    pub max_hlc: i64,
    /// Rows per table, tombstones included.
    pub counts: BTreeMap<String, u64>,
    pub tombstones: u64,
}

impl Manifest {
    pub fn rows(&self) -> u64 {
        self.counts.values().sum()
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A version vector: the latest version seen from each origin. A flat
/// sorted list, not a tree: it nearly always holds one or two origins, and
/// a large bundle holds a million of them.
pub type VersionVector = litemap::LiteMap<String, i64>;

/// The versions of the fields edited after their row was made.
pub type FieldVersions = litemap::LiteMap<String, Dot>;

/// One row: identity, versions, and the values of the table's columns in
/// `spec` order (a foreign key as the uid of the row it points to).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub uid: String,
    /// The device that made the row, and when: the version of every field
    /// not in `dots`.
    pub origin: String,
    pub created: i64,
    /// The row's latest version.
    pub hlc: i64,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
    /// A supervision record (or part of one) that is signed at the sender.
    #[serde(default, skip_serializing_if = "is_false")]
    pub locked: bool,
    /// Version vector: the latest version seen from each origin.
    pub vv: VersionVector,
    /// Fields edited after the row was made, with their versions.
    #[serde(default, skip_serializing_if = "FieldVersions::is_empty")]
    pub dots: FieldVersions,
    /// Empty for a tombstone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<serde_json::Value>,
}

impl Row {
    /// The version of a field.
    pub fn dot(&self, field: &str) -> Dot {
        self.dots
            .get(field)
            .cloned()
            .unwrap_or_else(|| Dot(self.created, self.origin.clone()))
    }

    /// Whether this row's author had seen `dot` when it last wrote.
    pub fn has_seen(&self, dot: &Dot) -> bool {
        self.vv.get(&dot.1).is_some_and(|&h| h >= dot.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub table: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub manifest: Manifest,
    pub sections: Vec<Section>,
}

impl Bundle {
    /// The file's bytes: zstd at `level` (3 is quick and small).
    pub fn encode(&self, level: i32) -> Result<Vec<u8>, BundleError> {
        let mut encoder = compressor(level)?;
        // Streamed into the compressor: the rows' JSON is never held whole.
        serde_json::to_writer(std::io::BufWriter::new(&mut encoder), &self.sections)
            .map_err(|e| BundleError::Corrupt(e.to_string()))?;
        frame(&self.manifest, &encoder.finish().map_err(io_fail)?)
    }

    /// Reads only the manifest, after checking the file is whole.
    /// The newest version any row carries (the manifest's figure is not
    /// trusted for the clock).
    pub fn max_version(&self) -> i64 {
        self.sections
            .iter()
            .flat_map(|s| &s.rows)
            .flat_map(|r| {
                [r.created, r.hlc]
                    .into_iter()
                    .chain(r.vv.values().copied())
                    .chain(r.dots.values().map(|d| d.0))
            })
            .max()
            .unwrap_or(0)
    }

    pub fn manifest(bytes: &[u8]) -> Result<Manifest, BundleError> {
        let (manifest, _) = split(bytes)?;
        Ok(manifest)
    }

    /// Reads and checks a whole file: the mark, the lengths, the checksum,
    /// the versions, then the rows against the tables this program knows.
    pub fn decode(bytes: &[u8]) -> Result<Bundle, BundleError> {
        let (manifest, payload) = split(bytes)?;
        let json = zstd::stream::decode_all(payload)
            .map_err(|e| BundleError::Corrupt(format!("cannot unpack the rows ({e})")))?;
        let sections: Vec<Section> = serde_json::from_slice(&json)
            .map_err(|e| BundleError::Corrupt(format!("cannot read the rows ({e})")))?;
        let bundle = Bundle { manifest, sections };
        bundle.check()?;
        Ok(bundle)
    }

    fn check(&self) -> Result<(), BundleError> {
        let corrupt = |m: String| Err(BundleError::Corrupt(m));
        let mut counts = BTreeMap::new();
        let mut uids = foldhash::HashSet::default();
        let mut tombstones = 0u64;
        let mut last = None;
        for s in &self.sections {
            let Some(pos) = spec::TABLES.iter().position(|t| t.name == s.table) else {
                return corrupt(format!("unknown table {:?}", s.table));
            };
            if last.is_some_and(|l| l >= pos) {
                return corrupt(format!("table {} is out of order", s.table));
            }
            last = Some(pos);
            let t = &spec::TABLES[pos];
            let expected: Vec<&str> = t.cols.iter().map(|c| c.name).collect();
            if s.columns != expected {
                return corrupt(format!(
                    "table {} has columns {:?}, expected {:?}",
                    s.table, s.columns, expected
                ));
            }
            let fields: Vec<&str> = t.fields().into_iter().map(|(f, _)| f).collect();
            for r in &s.rows {
                if r.uid.is_empty() || r.origin.is_empty() {
                    return corrupt(format!("a row of {} has no uid or origin", s.table));
                }
                if !uids.insert(r.uid.as_str()) {
                    return corrupt(format!("row {} appears twice", r.uid));
                }
                let want = if r.deleted { 0 } else { t.cols.len() };
                if r.values.len() != want {
                    return corrupt(format!(
                        "row {} of {} has {} values, expected {want}",
                        r.uid,
                        s.table,
                        r.values.len()
                    ));
                }
                for field in r.dots.keys() {
                    if !fields.contains(&field.as_str()) {
                        return corrupt(format!(
                            "row {} of {} names field {field:?}",
                            r.uid, s.table
                        ));
                    }
                }
                let versions = [r.created, r.hlc]
                    .into_iter()
                    .chain(r.vv.values().copied())
                    .chain(r.dots.values().map(|d| d.0));
                for v in versions {
                    if !(0..=LATEST_VERSION).contains(&v) {
                        return corrupt(format!(
                            "row {} of {} carries an impossible version {v}",
                            r.uid, s.table
                        ));
                    }
                }
                tombstones += u64::from(r.deleted);
            }
            counts.insert(s.table.clone(), s.rows.len() as u64);
        }
        counts.retain(|_, n| *n > 0);
        let mut said = self.manifest.counts.clone();
        said.retain(|_, n| *n > 0);
        if counts != said {
            return corrupt(format!(
                "the manifest counts {said:?} rows but the bundle holds {counts:?}"
            ));
        }
        if tombstones != self.manifest.tombstones {
            return corrupt(format!(
                "the manifest counts {} deleted rows but the bundle holds {tombstones}",
                self.manifest.tombstones
            ));
        }
        Ok(())
    }
}

fn io_fail(e: std::io::Error) -> BundleError {
    BundleError::Corrupt(e.to_string())
}

/// The payload's compressor: zstd at `level` (3 is quick and small), with
/// one worker thread compressing while the caller writes the JSON.
fn compressor(level: i32) -> Result<zstd::Encoder<'static, Vec<u8>>, BundleError> {
    let mut encoder = zstd::Encoder::new(Vec::new(), level).map_err(io_fail)?;
    encoder.multithread(1).map_err(io_fail)?;
    Ok(encoder)
}

/// The file's bytes around a compressed payload: the mark, the manifest,
/// the payload and the checksum of all of it.
fn frame(manifest: &Manifest, payload: &[u8]) -> Result<Vec<u8>, BundleError> {
    let manifest = serde_json::to_vec(manifest).map_err(|e| BundleError::Corrupt(e.to_string()))?;
    let mut out = Vec::with_capacity(MAGIC.len() + 12 + manifest.len() + payload.len() + SUM);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(manifest.len() as u32).to_le_bytes());
    out.extend_from_slice(&manifest);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    Ok(out)
}

/// Writes a bundle row by row, as they are read: the rows' JSON goes
/// straight into the compressor and only the compressed payload is held,
/// so exporting a county does not need the county in memory. Rows come
/// table by table, in `spec::TABLES` order; the payload is the JSON of the
/// bundle's sections, byte for byte as `Bundle::encode` writes it.
pub struct Packer {
    json: std::io::BufWriter<zstd::Encoder<'static, Vec<u8>>>,
    table: Option<&'static str>,
    first_row: bool,
}

impl Packer {
    /// zstd at `level` (3 is quick and small).
    pub fn new(level: i32) -> Result<Packer, BundleError> {
        let mut json = std::io::BufWriter::with_capacity(1 << 16, compressor(level)?);
        json.write_all(b"[").map_err(io_fail)?;
        Ok(Packer {
            json,
            table: None,
            first_row: true,
        })
    }

    /// Adds a row of `t` (the last row's table, or one after it).
    pub fn row(&mut self, t: &'static Table, row: &Row) -> Result<(), BundleError> {
        let ser = |e: serde_json::Error| BundleError::Corrupt(e.to_string());
        if self.table != Some(t.name) {
            if self.table.is_some() {
                self.json.write_all(b"]},").map_err(io_fail)?;
            }
            self.json.write_all(b"{\"table\":").map_err(io_fail)?;
            serde_json::to_writer(&mut self.json, t.name).map_err(ser)?;
            self.json.write_all(b",\"columns\":").map_err(io_fail)?;
            let columns: Vec<&str> = t.cols.iter().map(|c| c.name).collect();
            serde_json::to_writer(&mut self.json, &columns).map_err(ser)?;
            self.json.write_all(b",\"rows\":[").map_err(io_fail)?;
            self.table = Some(t.name);
            self.first_row = true;
        }
        if !self.first_row {
            self.json.write_all(b",").map_err(io_fail)?;
        }
        self.first_row = false;
        serde_json::to_writer(&mut self.json, row).map_err(ser)
    }

    /// The file's bytes: the manifest, the payload and the checksum.
    pub fn finish(mut self, manifest: &Manifest) -> Result<Vec<u8>, BundleError> {
        if self.table.is_some() {
            self.json.write_all(b"]}").map_err(io_fail)?;
        }
        self.json.write_all(b"]").map_err(io_fail)?;
        let encoder = self
            .json
            .into_inner()
            .map_err(|e| io_fail(e.into_error()))?;
        frame(manifest, &encoder.finish().map_err(io_fail)?)
    }
}

fn split(bytes: &[u8]) -> Result<(Manifest, &[u8]), BundleError> {
    if !bytes.starts_with(MAGIC) {
        return Err(BundleError::NotABundle);
    }
    let len = bytes.len() as u64;
    let mut at = MAGIC.len();
    let short = |expected: u64| BundleError::Truncated {
        expected,
        found: len,
    };
    let head = bytes
        .get(at..at + 4)
        .ok_or_else(|| short((at + 4 + 8 + SUM) as u64))?;
    let mlen = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as u64;
    at += 4;
    let plen_at = at as u64 + mlen;
    let plen_bytes = bytes
        .get(plen_at as usize..plen_at as usize + 8)
        .ok_or_else(|| short(plen_at + 8 + SUM as u64))?;
    let mut b = [0u8; 8];
    b.copy_from_slice(plen_bytes);
    let plen = u64::from_le_bytes(b);
    let total = (plen_at + 8)
        .checked_add(plen)
        .and_then(|n| n.checked_add(SUM as u64))
        .ok_or_else(|| BundleError::Corrupt("impossible payload length".into()))?;
    if len < total {
        return Err(short(total));
    }
    if len > total {
        return Err(BundleError::Corrupt(format!(
            "{} bytes after the end of the bundle",
            len - total
        )));
    }
    let body = &bytes[..(total as usize - SUM)];
    if Sha256::digest(body).as_slice() != &bytes[total as usize - SUM..] {
        return Err(BundleError::Checksum);
    }
    let manifest_bytes = &bytes[at..plen_at as usize];
    // The versions first: a newer manifest may not parse as this one.
    let probe: serde_json::Value = serde_json::from_slice(manifest_bytes)
        .map_err(|e| BundleError::Corrupt(format!("cannot read the manifest ({e})")))?;
    let known_schema = super::spec::ROWS_SCHEMA;
    let number = |key: &str| probe.get(key).and_then(|v| v.as_u64()).map(|v| v as u32);
    match number("format") {
        Some(f) if f > FORMAT => {
            return Err(BundleError::NewerFormat {
                found: f,
                known: FORMAT,
            })
        }
        None => return Err(BundleError::Corrupt("the manifest has no format".into())),
        _ => {}
    }
    match number("schema") {
        Some(s) if s > known_schema => {
            return Err(BundleError::NewerSchema {
                found: s,
                known: known_schema,
            })
        }
        None => {
            return Err(BundleError::Corrupt(
                "the manifest has no schema version".into(),
            ))
        }
        _ => {}
    }
    let manifest: Manifest = serde_json::from_value(probe)
        .map_err(|e| BundleError::Corrupt(format!("cannot read the manifest ({e})")))?;
    Ok((manifest, &bytes[plen_at as usize + 8..total as usize - SUM]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        let row = Row {
            uid: "u1".into(),
            origin: "a".into(),
            created: 5,
            hlc: 5,
            deleted: false,
            locked: false,
            vv: VersionVector::from_iter([("a".into(), 5)]),
            dots: FieldVersions::new(),
            values: vec!["站".into(), "镇".into(), "县".into()],
        };
        Bundle {
            manifest: Manifest {
                format: FORMAT,
                schema: crate::sync::spec::ROWS_SCHEMA,
                origin: "a".into(),
                created_at: "2026-11-23 10:00".into(),
                peer: None,
                since_seq: 0,
                upto_seq: 1,
                max_hlc: 5,
                counts: BTreeMap::from([("station".into(), 1)]),
                tombstones: 0,
            },
            sections: vec![Section {
                table: "station".into(),
                columns: vec!["name".into(), "township".into(), "county".into()],
                rows: vec![row],
            }],
        }
    }

    #[test]
    fn round_trip() {
        let b = sample();
        let bytes = b.encode(3).expect("test value");
        assert_eq!(Bundle::decode(&bytes).expect("test value"), b);
    }

    #[test]
    fn every_damage_is_named() {
        let bytes = sample().encode(3).expect("test value");
        assert_eq!(
            Bundle::decode(b"PK\x03\x04 zip file"),
            Err(BundleError::NotABundle)
        );
        assert!(matches!(
            Bundle::decode(&bytes[..bytes.len() - 10]),
            Err(BundleError::Truncated { .. })
        ));
        assert!(matches!(
            Bundle::decode(&bytes[..MAGIC.len() + 2]),
            Err(BundleError::Truncated { .. })
        ));
        let mut flipped = bytes.clone();
        let mid = bytes.len() - 40;
        flipped[mid] ^= 0x55;
        assert_eq!(Bundle::decode(&flipped), Err(BundleError::Checksum));

        let mut newer = sample();
        newer.manifest.format = FORMAT + 1;
        assert!(matches!(
            Bundle::decode(&newer.encode(3).expect("test value")),
            Err(BundleError::NewerFormat { .. })
        ));
        let mut newer = sample();
        newer.manifest.schema = 99;
        assert!(matches!(
            Bundle::decode(&newer.encode(3).expect("test value")),
            Err(BundleError::NewerSchema { found: 99, .. })
        ));
        let mut lying = sample();
        lying.manifest.counts.insert("station".into(), 2);
        assert!(matches!(
            Bundle::decode(&lying.encode(3).expect("test value")),
            Err(BundleError::Corrupt(_))
        ));
        let mut short_row = sample();
        short_row.sections[0].rows[0].values.pop();
        assert!(matches!(
            Bundle::decode(&short_row.encode(3).expect("test value")),
            Err(BundleError::Corrupt(_))
        ));
    }
}
