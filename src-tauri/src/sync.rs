//! Sync between laptops by files, in the window: this laptop's status, a
//! bundle written (with progress) to a path the user chose or to the export
//! folder, a bundle previewed (a dry run) and then merged all or nothing, and
//! the review queue of values that lost a merge. Adapters only: bundles,
//! merging and the queue are `stationdesk::store::sync`'s.
//!
//! What is merged is what was previewed: the preview answers with the
//! file's SHA-256, and the merge reads the file again and refuses it when
//! its bytes are not those any more.
//!
//! Errors: a bundle refused by the library is `ErrorKind::Sync` with the
//! field `bundle` and `SyncError::code()`. The shell's own refusals are
//! `ErrorKind::Invalid` on the field `path`: `required` (no path typed),
//! `no_file` (nothing to read there), `is_dir` (a folder, not a file) and
//! `file_changed` (the file is not the one previewed).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};
use stationdesk::pdf;
use stationdesk::store::{ConflictView, ImportReport, Keep, PeerView, SyncStatus};
use stationdesk::sync::bundle::Bundle;
use stationdesk::sync::SyncError;
use stationdesk::{Store, StoreError};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

use crate::commands::{hold, now, Reply};
use crate::error::{CommandError, ErrorKind, FieldError};
use crate::App;

/// A peer this laptop has written bundles for.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PeerDto {
    pub peer: String,
    #[ts(type = "number")]
    pub exported_seq: i64,
    pub exported_at: String,
    /// Changes made here since the last bundle for this peer.
    #[ts(type = "number")]
    pub pending: i64,
}

/// This laptop's sync identity, its peers, the open review queue, and where
/// a bundle would be written if the user does not choose.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncStatusDto {
    pub origin: String,
    #[ts(type = "number")]
    pub seq: i64,
    #[ts(type = "number")]
    pub open_conflicts: i64,
    pub peers: Vec<PeerDto>,
    pub suggested_path: String,
}

/// How far an export, a preview or a merge has got. An export: rows read of
/// the rows to write. A preview or a merge: the first half of `total` is
/// reading this database's copies, the second half writing (rolled back
/// for a preview).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncProgressDto {
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// A bundle written.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportResultDto {
    pub path: String,
    /// Rows in the bundle, deletions included; 0: nothing new to send.
    #[ts(type = "number")]
    pub rows: u64,
    /// Deletions among them.
    #[ts(type = "number")]
    pub tombstones: u64,
    /// Rows per table.
    #[ts(type = "Record<string, number>")]
    pub counts: BTreeMap<String, u64>,
    pub origin: String,
    /// The peer it was written for (since the last bundle for them), or
    /// `null` for everything.
    pub peer: Option<String>,
    #[ts(type = "number")]
    pub since_seq: i64,
    #[ts(type = "number")]
    pub upto_seq: i64,
}

/// What a merge found, row by row.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncSummaryDto {
    #[ts(type = "number")]
    pub new: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub deleted: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    #[ts(type = "number")]
    pub conflicts: u64,
    /// Conflicts a person must decide (sensitive fields, signed records).
    #[ts(type = "number")]
    pub needs_decision: u64,
}

/// A bundle previewed (`applied: false`) or merged (`applied: true`).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncImportDto {
    pub path: String,
    /// The laptop that wrote the bundle, and when.
    pub origin: String,
    pub created_at: String,
    #[ts(type = "number")]
    pub rows: u64,
    pub summary: SyncSummaryDto,
    pub applied: bool,
    /// SHA-256 of the file's bytes (lowercase hex): what `apply_bundle`
    /// must find there to merge it.
    pub sha256: String,
}

/// One entry of the review queue. `winnerValue` and `loserValue` are JSON
/// objects (column → value) as text.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConflictDto {
    #[ts(type = "number")]
    pub id: i64,
    pub table: String,
    pub row_uid: String,
    /// The field (a group's first column), or `*` for the whole row.
    pub field: String,
    /// `field`, `signed` or `deleted`.
    pub kind: String,
    /// A person must decide (a sensitive field or a signed record).
    pub sensitive: bool,
    pub winner_value: String,
    pub loser_value: String,
    pub winner_origin: String,
    pub loser_origin: String,
    pub detected_at: String,
    /// `open`, `kept_winner` or `kept_loser`.
    pub status: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<String>,
    /// What a person recognises the row by (a name, a case code, a date);
    /// may be empty.
    pub label: String,
}

impl From<PeerView> for PeerDto {
    fn from(p: PeerView) -> Self {
        PeerDto {
            peer: p.peer,
            exported_seq: p.exported_seq,
            exported_at: p.exported_at,
            pending: p.pending,
        }
    }
}

impl From<ConflictView> for ConflictDto {
    fn from(c: ConflictView) -> Self {
        ConflictDto {
            id: c.id,
            table: c.table,
            row_uid: c.row_uid,
            field: c.field,
            kind: c.kind,
            sensitive: c.sensitive,
            winner_value: c.winner_value,
            loser_value: c.loser_value,
            winner_origin: c.winner_origin,
            loser_origin: c.loser_origin,
            detected_at: c.detected_at,
            status: c.status,
            resolved_by: c.resolved_by,
            resolved_at: c.resolved_at,
            label: c.label,
        }
    }
}

fn import_dto(file: &BundleFile, r: ImportReport) -> SyncImportDto {
    let s = r.summary;
    SyncImportDto {
        path: file.path.display().to_string(),
        origin: r.origin,
        created_at: file.bundle.manifest.created_at.clone(),
        rows: r.rows,
        summary: SyncSummaryDto {
            new: s.new,
            updated: s.updated,
            deleted: s.deleted,
            unchanged: s.unchanged,
            conflicts: s.conflicts,
            needs_decision: s.needs_decision,
        },
        applied: r.applied,
        sha256: file.sha256.clone(),
    }
}

fn invalid(field: &str, code: &str) -> CommandError {
    CommandError {
        kind: ErrorKind::Invalid,
        message: format!("{field}: {code}"),
        fields: vec![FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
        }],
    }
}

fn sync_error(e: impl Into<SyncError>) -> CommandError {
    StoreError::Sync(e.into()).into()
}

/// Keeps a name usable in a file name on every system.
fn file_safe(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    cleaned.trim_matches('.').to_owned()
}

/// `同步包-<station>-<YYYYMMDD-HHMM>.sdsync`: the station's name when the
/// database holds one station, else this laptop's sync origin.
fn default_name(store: &Store, origin: &str) -> Reply<String> {
    let stations = store.list_stations()?;
    let who = match stations.as_slice() {
        [one] => file_safe(&one.station.name),
        _ => String::new(),
    };
    let who = if who.is_empty() {
        file_safe(origin)
    } else {
        who
    };
    Ok(format!(
        "同步包-{who}-{}.sdsync",
        now().format("%Y%m%d-%H%M")
    ))
}

/// The default name in `dir`, with `-2`, `-3`, … when a bundle of the same
/// minute is already there: a second export never replaces the first.
fn fresh_path(store: &Store, origin: &str, dir: &Path) -> Reply<PathBuf> {
    Ok(fresh_in(dir, &default_name(store, origin)?))
}

fn fresh_in(dir: &Path, name: &str) -> PathBuf {
    let stem = name.trim_end_matches(".sdsync");
    let mut path = dir.join(name);
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("{stem}-{n}.sdsync"));
        n += 1;
    }
    path
}

/// Where to write: the path typed (a folder gets a fresh default name inside
/// it, a bare name goes to the export folder), or a fresh default name in
/// the export folder.
fn export_path(store: &Store, origin: &str, typed: Option<&str>) -> Reply<PathBuf> {
    let typed = typed.map(str::trim).filter(|p| !p.is_empty());
    let path = match typed {
        Some(p) => {
            let p = PathBuf::from(p);
            let p = if p.is_relative() {
                pdf::export_dir().join(p)
            } else {
                p
            };
            if p.is_dir() {
                fresh_path(store, origin, &p)?
            } else {
                p
            }
        }
        None => fresh_path(store, origin, &pdf::export_dir())?,
    };
    // The export folder is ours to make; any other folder must exist.
    if path.parent() == Some(pdf::export_dir().as_path()) {
        std::fs::create_dir_all(pdf::export_dir()).map_err(|e| {
            sync_error(SyncError::Write {
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        })?;
    }
    Ok(path)
}

/// A bundle read from a file, with the SHA-256 of the bytes it came from.
#[derive(Debug)]
struct BundleFile {
    path: PathBuf,
    sha256: String,
    bundle: Bundle,
}

/// Reads and checks a bundle file; refusals name the problem by code.
/// `expected`: the SHA-256 the file must still have (the one previewed);
/// other bytes are refused as `file_changed` before they are decoded.
fn read_bundle(path: &str, expected: Option<&str>) -> Reply<BundleFile> {
    let path = path.trim();
    if path.is_empty() {
        return Err(invalid("path", "required"));
    }
    let path = PathBuf::from(path);
    if path.is_dir() {
        return Err(invalid("path", "is_dir"));
    }
    let bytes = std::fs::read(&path).map_err(|_| invalid("path", "no_file"))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    if let Some(expected) = expected {
        if !expected.trim().eq_ignore_ascii_case(&sha256) {
            return Err(invalid("path", "file_changed"));
        }
    }
    let bundle = Bundle::decode(&bytes).map_err(sync_error)?;
    Ok(BundleFile {
        path,
        sha256,
        bundle,
    })
}

/// Sends progress to the window each time `done` moves.
fn progress_to(channel: &Channel<SyncProgressDto>) -> impl FnMut(u64, u64) + '_ {
    let mut last = None;
    move |done, total| {
        if last != Some(done) {
            last = Some(done);
            // A window closed midway does not stop the work.
            let _ = channel.send(SyncProgressDto { done, total });
        }
    }
}

fn status_dto(store: &Store) -> Reply<SyncStatusDto> {
    let SyncStatus {
        origin,
        seq,
        open_conflicts,
        peers,
    } = store.sync_status()?;
    let suggested = fresh_path(store, &origin, &pdf::export_dir())?;
    Ok(SyncStatusDto {
        origin,
        seq,
        open_conflicts,
        peers: peers.into_iter().map(Into::into).collect(),
        suggested_path: suggested.display().to_string(),
    })
}

#[tauri::command]
pub async fn sync_status(app: State<'_, App>) -> Reply<SyncStatusDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    status_dto(store)
}

/// Writes a bundle: everything (`peer` null or blank), or what changed here
/// since the last bundle for `peer`. `path` null or blank: the export
/// folder with a fresh default name. Progress goes to `on_progress`.
#[tauri::command]
pub async fn export_bundle(
    app: State<'_, App>,
    path: Option<String>,
    peer: Option<String>,
    on_progress: Channel<SyncProgressDto>,
) -> Reply<ExportResultDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let origin = store.sync_status()?.origin;
    let path = export_path(store, &origin, path.as_deref())?;
    let peer = peer
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    let manifest = store.export_to(
        &path,
        peer.as_deref(),
        now(),
        &mut progress_to(&on_progress),
    )?;
    Ok(ExportResultDto {
        path: path.display().to_string(),
        rows: manifest.rows(),
        tombstones: manifest.tombstones,
        counts: manifest.counts.clone(),
        origin: manifest.origin,
        peer: manifest.peer,
        since_seq: manifest.since_seq,
        upto_seq: manifest.upto_seq,
    })
}

/// Merges (or, `dry_run`, previews) a bundle read from a file.
fn import_file(
    store: &mut Store,
    file: &BundleFile,
    dry_run: bool,
    on_progress: &Channel<SyncProgressDto>,
) -> Reply<SyncImportDto> {
    let report = store.import_file(
        &file.bundle,
        &file.path.display().to_string(),
        &file.sha256,
        dry_run,
        now(),
        &mut progress_to(on_progress),
    )?;
    Ok(import_dto(file, report))
}

/// What merging the bundle at `path` would do; nothing is written. The
/// answer carries the file's SHA-256 for `apply_bundle`. Progress goes to
/// `on_progress`.
#[tauri::command]
pub async fn preview_bundle(
    app: State<'_, App>,
    path: String,
    on_progress: Channel<SyncProgressDto>,
) -> Reply<SyncImportDto> {
    let file = read_bundle(&path, None)?;
    let mut held = hold(&app)?;
    let store = held.get()?;
    import_file(store, &file, true, &on_progress)
}

/// Merges the bundle at `path` in one transaction: all of it or nothing.
/// `sha256`: the preview's; a file whose bytes differ now (changed or
/// replaced since) is refused as `file_changed` and nothing is written.
/// Progress goes to `on_progress`.
#[tauri::command]
pub async fn apply_bundle(
    app: State<'_, App>,
    path: String,
    sha256: String,
    on_progress: Channel<SyncProgressDto>,
) -> Reply<SyncImportDto> {
    let file = read_bundle(&path, Some(&sha256))?;
    let mut held = hold(&app)?;
    let store = held.get()?;
    import_file(store, &file, false, &on_progress)
}

/// The review queue: open entries (`all`: settled ones too, after them).
#[tauri::command]
pub async fn list_conflicts(app: State<'_, App>, all: bool) -> Reply<Vec<ConflictDto>> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    Ok(store.conflicts(!all)?.into_iter().map(Into::into).collect())
}

/// Settles a queue entry: `keep` is `winner` (the value that stands) or
/// `loser` (written as a new local edit; only for a field conflict). `by`:
/// who decided. Answers with the status (the queue's new count).
#[tauri::command]
pub async fn resolve_conflict(
    app: State<'_, App>,
    id: i64,
    keep: String,
    by: String,
) -> Reply<SyncStatusDto> {
    let keep = match keep.as_str() {
        "winner" => Keep::Winner,
        "loser" => Keep::Loser,
        _ => return Err(invalid("keep", "unknown_choice")),
    };
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.resolve_conflict(id, keep, &by, now())?;
    status_dto(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_the_characters_no_system_allows() {
        assert_eq!(file_safe(" 城关/镇:社工站 "), "城关_镇_社工站");
        assert_eq!(file_safe(".."), "");
    }

    #[test]
    fn a_default_name_never_replaces_a_bundle_already_there() {
        let dir = std::env::temp_dir().join(format!("sd-sync-fresh-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let name = "同步包-站-20260301-0930.sdsync";
        assert_eq!(fresh_in(&dir, name), dir.join(name));
        std::fs::write(dir.join(name), b"first").expect("write");
        assert_eq!(
            fresh_in(&dir, name),
            dir.join("同步包-站-20260301-0930-2.sdsync")
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_missing_or_empty_path_is_refused_on_the_path_field() {
        let e = read_bundle("  ", None).expect_err("empty");
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(e.fields[0].field, "path");
        assert_eq!(e.fields[0].code, "required");
        let e = read_bundle("/no/such/dir/x.sdsync", None).expect_err("missing");
        assert_eq!(e.fields[0].code, "no_file");
    }

    #[test]
    fn a_file_that_is_not_a_bundle_is_a_sync_error_with_its_code() {
        let dir = std::env::temp_dir().join(format!("sd-sync-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("junk.sdsync");
        std::fs::write(&file, b"PK not a bundle").expect("write");
        let e = read_bundle(file.to_str().expect("utf-8"), None).expect_err("junk");
        assert_eq!(e.kind, ErrorKind::Sync);
        assert_eq!(e.fields[0].field, "bundle");
        assert_eq!(e.fields[0].code, "not_a_bundle");
        let e = read_bundle(dir.to_str().expect("utf-8"), None).expect_err("a folder");
        assert_eq!(e.fields[0].code, "is_dir");
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A store with one station, so that its bundle has rows.
    fn one_station(name: &str) -> Store {
        let mut store = Store::open_in_memory().expect("store");
        store
            .add_station(&stationdesk::model::NewStation {
                name: name.into(),
                township: "青溪镇".into(),
                county: "宁远县".into(),
            })
            .expect("station");
        store
    }

    fn bundle_bytes(store: &Store) -> Vec<u8> {
        let bundle = store
            .export_bundle(None, now(), &mut |_, _| {})
            .expect("bundle");
        bundle.encode(3).expect("encode")
    }

    /// `(done, total)` as the window would receive them.
    type Seen = std::sync::Arc<std::sync::Mutex<Vec<(u64, u64)>>>;

    /// A channel that keeps what it is sent.
    fn recorder() -> (Channel<SyncProgressDto>, Seen) {
        let seen = Seen::default();
        let into = seen.clone();
        let channel = Channel::new(move |body| {
            if let tauri::ipc::InvokeResponseBody::Json(text) = body {
                let p: serde_json::Value = serde_json::from_str(&text).expect("json");
                let n = |k: &str| p[k].as_u64().expect("a count");
                into.lock().expect("lock").push((n("done"), n("total")));
            }
            Ok(())
        });
        (channel, seen)
    }

    #[test]
    fn a_bundle_replaced_after_its_preview_is_refused_and_nothing_is_merged() {
        let dir = std::env::temp_dir().join(format!("sd-sync-swap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("乙机.sdsync");
        let path = file.to_str().expect("utf-8");
        let previewed_bytes = bundle_bytes(&one_station("乙站"));
        std::fs::write(&file, &previewed_bytes).expect("write");

        let mut here = Store::open_in_memory().expect("store");
        let (silent, _) = recorder();
        let read = read_bundle(path, None).expect("a bundle");
        let preview = import_file(&mut here, &read, true, &silent).expect("preview");
        assert!(!preview.applied);
        assert_eq!(preview.summary.new, 1);
        assert_eq!(
            preview.sha256,
            hex::encode(Sha256::digest(&previewed_bytes))
        );
        assert_eq!(preview.sha256.len(), 64);

        // Another laptop's bundle, or anything else, in its place: refused
        // before it is decoded, on the path field.
        for other in [bundle_bytes(&one_station("丙站")), b"PK junk".to_vec()] {
            std::fs::write(&file, &other).expect("replace");
            let e = read_bundle(path, Some(&preview.sha256)).expect_err("replaced");
            assert_eq!(e.kind, ErrorKind::Invalid);
            assert_eq!(e.fields[0].field, "path");
            assert_eq!(e.fields[0].code, "file_changed");
        }
        assert!(
            here.list_stations().expect("list").is_empty(),
            "nothing merged"
        );

        // The previewed bytes again: merged, with progress through the
        // channel (each `done` once, up to the total).
        std::fs::write(&file, &previewed_bytes).expect("restore");
        let read = read_bundle(path, Some(&preview.sha256.to_uppercase())).expect("same bytes");
        let (channel, seen) = recorder();
        let merged = import_file(&mut here, &read, false, &channel).expect("merge");
        assert!(merged.applied);
        assert_eq!(merged.sha256, preview.sha256);
        assert_eq!(here.list_stations().expect("list").len(), 1);
        let seen = seen.lock().expect("lock").clone();
        let total = 2 * read.bundle.manifest.rows();
        assert_eq!(seen.first(), Some(&(0, total)));
        assert_eq!(seen.last(), Some(&(total, total)));
        assert!(seen.windows(2).all(|w| w[0].0 != w[1].0), "{seen:?}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
