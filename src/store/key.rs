//! Encryption at rest with SQLCipher: opening a file with its passphrase,
//! encrypting a plain file the first time, and changing the passphrase.
//!
//! The key is derived by SQLCipher's own KDF (PBKDF2-HMAC-SHA512, 256,000
//! iterations in SQLCipher 4) from the passphrase given to `PRAGMA key`;
//! every page, the WAL included, is encrypted (AES-256) and authenticated.
//! StationDesk's files use larger pages and a faster page MAC than
//! SQLCipher's defaults ([`LAYOUT`]); a file made with the defaults (by the
//! first encrypting build) is converted when it is next opened.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode};
use zeroize::Zeroizing;

use super::{Result, Store, StoreError};
use crate::model::{Code, Invalid};

/// A passphrase, wiped from memory when dropped and never printed.
#[derive(Clone)]
pub struct Passphrase(Zeroizing<String>);

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

impl Passphrase {
    /// The fewest characters (not bytes: Chinese counts one per character)
    /// a new passphrase may have.
    pub const MIN_CHARS: usize = 8;

    /// A passphrase typed to open a file: anything non-empty is tried.
    pub fn given(text: impl Into<String>) -> Result<Passphrase, Invalid> {
        let text = Zeroizing::new(text.into());
        if text.is_empty() {
            return Err(Invalid::one("passphrase", Code::Required));
        }
        // SQLCipher's key is SQL text, which ends at a NUL.
        if text.contains('\0') {
            return Err(Invalid::one("passphrase", Code::BadCharacter));
        }
        Ok(Passphrase(text))
    }

    /// A new passphrase being chosen, typed twice.
    pub fn choose(text: impl Into<String>, again: &str) -> Result<Passphrase, Invalid> {
        let text = Zeroizing::new(text.into());
        if text.trim().is_empty() {
            return Err(Invalid::one("passphrase", Code::Required));
        }
        if text.contains('\0') {
            return Err(Invalid::one("passphrase", Code::BadCharacter));
        }
        if text.chars().count() < Self::MIN_CHARS {
            return Err(Invalid::one("passphrase", Code::PassphraseTooShort));
        }
        if text.as_str() != again {
            return Err(Invalid::one("again", Code::PassphraseMismatch));
        }
        Ok(Passphrase(text))
    }

    /// Reads a passphrase from the first line of a file (a trailing newline
    /// is not part of it), for scripts.
    pub fn from_file(path: &Path) -> std::io::Result<Zeroizing<String>> {
        let mut text = Zeroizing::new(String::new());
        File::open(path)?.read_to_string(&mut text)?;
        // A byte-order mark (Windows Notepad writes one) is not part of
        // the passphrase: nobody could type it on the lock screen.
        let line = text.lines().next().unwrap_or_default();
        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
        Ok(Zeroizing::new(line.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a database file holds, judged from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// No file, or an empty one: a new database.
    New,
    /// A plain (unencrypted) SQLite file.
    Plain,
    /// Anything else: an encrypted database (or not a database at all).
    Encrypted,
}

/// The first 16 bytes of every plain SQLite file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Looks at a database file's header without opening it.
pub fn file_kind(path: &Path) -> Result<FileKind> {
    let open_error = |source: std::io::Error| StoreError::Open {
        path: path.to_owned(),
        source: rusqlite::Error::ToSqlConversionFailure(Box::new(source)),
    };
    let head = match first_bytes(path) {
        Ok(head) => head,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::New),
        Err(e) => return Err(open_error(e)),
    };
    Ok(match head.len() {
        0 => FileKind::New,
        _ if head == SQLITE_MAGIC => FileKind::Plain,
        _ => FileKind::Encrypted,
    })
}

/// The file's first 16 bytes (fewer for a shorter file): what tells a
/// plain SQLite file, an encrypted one and other files apart.
fn first_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(16);
    File::open(path)?.take(16).read_to_end(&mut head)?;
    Ok(head)
}

/// A file that is not a database but was given as one (a workbook, a PDF,
/// a bundle), said as what it is instead of "encrypted, give its
/// passphrase": asked only once the file has failed to open, since an
/// encrypted database starts with random bytes that could, very rarely,
/// look like one of these.
pub(crate) fn not_a_database(path: &Path) -> Option<StoreError> {
    let head = first_bytes(path).ok()?;
    foreign(&head).map(|what| StoreError::NotADatabase {
        path: path.to_owned(),
        what,
    })
}

fn foreign(head: &[u8]) -> Option<&'static str> {
    const KINDS: &[(&[u8], &str)] = &[
        (
            b"PK\x03\x04",
            "a workbook or another zip file (.xlsx, .zip)",
        ),
        (b"%PDF", "a PDF"),
        (
            b"STATIONDESK-SYNC",
            "a sync bundle: bring it in with `stationdesk import`",
        ),
        (b"\xd0\xcf\x11\xe0", "an old Office file (.xls, .doc)"),
    ];
    KINDS
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, what)| *what)
}

/// How StationDesk lays out an encrypted file, beyond SQLCipher 4's
/// defaults (AES-256-CBC, a key from PBKDF2-HMAC-SHA512 with 256,000
/// rounds, which stay):
///
/// - pages of 16 KiB instead of 4 KiB: each page read or written costs a
///   fixed setup (an IV, a MAC begun and finished) besides its bytes, so
///   fewer, larger pages cost less;
/// - each page authenticated with HMAC-SHA256 instead of HMAC-SHA512,
///   which the processor's SHA extensions compute several times faster.
///
/// Measured on the county file (about 1.4 GB) on the 2-core machine: a
/// backup went from 17.8 s to 8.2 s and a quick check from 12.4 s to 5.1 s.
/// Both settings must be given after the key and before the first page is
/// read, on every connection; a file made with other settings does not
/// open with them.
const LAYOUT: [(&str, &str); 2] = [
    ("cipher_page_size", "16384"),
    ("cipher_hmac_algorithm", "HMAC_SHA256"),
];

/// The layout of an encrypted file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// [`LAYOUT`]: every file StationDesk makes.
    Stationdesk,
    /// SQLCipher 4's defaults, as the first encrypting build made files.
    Sqlcipher4,
}

/// Sets [`LAYOUT`] on the database `schema` of a keyed connection (`main`,
/// or an attached file about to be written).
fn set_layout(conn: &Connection, schema: &str) -> rusqlite::Result<()> {
    for (pragma, value) in LAYOUT {
        conn.pragma_update(Some(schema), pragma, value)?;
    }
    Ok(())
}

/// Gives a fresh connection its key and checks that the key opens the file.
/// A file in SQLCipher's default layout (made by the first encrypting
/// build) is answered [`StoreError::OldLayout`] when the passphrase opens
/// it that way.
pub(super) fn apply_key(conn: &Connection, path: &Path, key: &Passphrase) -> Result<()> {
    match apply_key_as(conn, path, key, Layout::Stationdesk) {
        Err(StoreError::WrongPassphrase { .. }) if opens_as_sqlcipher4(path, key) => {
            Err(StoreError::OldLayout {
                path: path.to_owned(),
            })
        }
        other => other,
    }
}

/// True when `key` opens `path` in SQLCipher's default layout.
fn opens_as_sqlcipher4(path: &Path, key: &Passphrase) -> bool {
    Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(StoreError::from)
        .and_then(|conn| apply_key_as(&conn, path, key, Layout::Sqlcipher4))
        .is_ok()
}

/// Keys a fresh connection for a file in `layout` and checks that the key
/// opens it.
pub(super) fn apply_key_as(
    conn: &Connection,
    path: &Path,
    key: &Passphrase,
    layout: Layout,
) -> Result<()> {
    // A wrong key is answered by an error, not by SQLCipher's log lines on
    // stderr.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    conn.pragma_update(None, "key", key.as_str())?;
    if layout == Layout::Stationdesk {
        set_layout(conn, "main")?;
    }
    // The key is only tried when a page is read.
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, message)) => {
            // A wrong key fails every page, the first included; a damaged
            // file opened with the right key fails only some. A damaged
            // page of the schema itself may come back as any error (SQLCipher
            // hands back a zeroed page first), so SQLCipher's own check of
            // every page decides.
            let failed = cipher_failures(conn);
            let first_page = |l: &String| {
                let words: Vec<&str> = l.split_whitespace().collect();
                words.windows(2).any(|w| w == ["page", "1"])
            };
            // "Out of memory" is how SQLCipher's pager reports a page that
            // failed its check after the first (see `damage_in`).
            let damage_code = matches!(
                e.code,
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt | ErrorCode::OutOfMemory
            );
            if failed.iter().any(first_page)
                || (failed.is_empty() && e.code == ErrorCode::NotADatabase)
            {
                Err(not_a_database(path).unwrap_or(StoreError::WrongPassphrase {
                    path: path.to_owned(),
                }))
            } else if damage_code || !failed.is_empty() {
                Err(damaged(path, &failed))
            } else {
                Err(rusqlite::Error::SqliteFailure(e, message).into())
            }
        }
        Err(e) => Err(e.into()),
    }
}

fn damaged(path: &Path, failed: &[String]) -> StoreError {
    let mut detail = failed
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if failed.len() > 3 {
        detail.push_str(&format!("; {} pages in all", failed.len()));
    }
    if detail.is_empty() {
        detail = "SQLite: database disk image is malformed".into();
    }
    StoreError::Damaged {
        path: path.display().to_string(),
        detail,
    }
}

/// What a failed quick check of `path` means: damage when SQLite says so,
/// or, for an encrypted file, when SQLCipher's own check of every page
/// finds one that fails (a damaged page comes back zeroed the first time
/// and may then be read as anything, "SQL logic error" included); any
/// other error stays as it is.
pub(super) fn check_failed(
    conn: &Connection,
    path: &Path,
    encrypted: bool,
    e: rusqlite::Error,
) -> StoreError {
    let e = StoreError::from(e).as_damage(path);
    if matches!(e, StoreError::Damaged { .. }) || !encrypted {
        return e;
    }
    let failed = cipher_failures(conn);
    if failed.is_empty() {
        e
    } else {
        damaged(path, &failed)
    }
}

/// SQLCipher's own check of every page's authentication code: the pages
/// that fail (empty when it cannot even start).
fn cipher_failures(conn: &Connection) -> Vec<String> {
    let Ok(mut stmt) = conn.prepare("PRAGMA cipher_integrity_check") else {
        return vec![];
    };
    let Ok(rows) = stmt.query_map([], |r| r.get::<_, String>(0)) else {
        return vec![];
    };
    rows.flatten().collect()
}

/// A sibling of `path` with another suffix: `station.sqlite3.encrypting`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

impl Store {
    /// Opens (creating if needed) an encrypted database with its
    /// passphrase, and migrates it. A plain file is refused
    /// ([`StoreError::NotEncrypted`]): encrypt it with [`Store::encrypt_file`].
    pub fn open_encrypted(path: &Path, key: &Passphrase) -> Result<Store> {
        if file_kind(path)? == FileKind::Plain {
            return Err(StoreError::NotEncrypted {
                path: path.to_owned(),
            });
        }
        Store::open_with(path, Some(key))
    }

    /// Encrypts a plain database file in place with a new passphrase: the
    /// whole database is copied into an encrypted file beside it, which then
    /// replaces the plain one in one rename. A crash leaves either the plain
    /// file or the encrypted one, never half of each.
    pub fn encrypt_file(path: &Path, key: &Passphrase) -> Result<()> {
        if file_kind(path)? != FileKind::Plain {
            return Err(StoreError::NotPlain {
                path: path.to_owned(),
            });
        }
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        replace_encrypted(conn, path, key)
    }
}

/// Converts a file in SQLCipher's default layout to [`LAYOUT`] in place,
/// the same way a plain file is encrypted.
pub(super) fn relayout_file(path: &Path, key: &Passphrase) -> Result<()> {
    replace_encrypted(open_sqlcipher4(path, key)?, path, key)
}

/// Writes a copy of `from`, in SQLCipher's default layout, into a new file
/// `to` in [`LAYOUT`]; `from` is only read.
pub(super) fn relayout_copy(from: &Path, to: &Path, key: &Passphrase) -> Result<()> {
    export_encrypted(&open_sqlcipher4(from, key)?, to, key)
}

fn open_sqlcipher4(path: &Path, key: &Passphrase) -> Result<Connection> {
    // Read and write: the file is only read, but a read-only connection
    // could not write the attached copy.
    let conn = Connection::open(path).map_err(|source| StoreError::Open {
        path: path.to_owned(),
        source,
    })?;
    apply_key_as(&conn, path, key, Layout::Sqlcipher4)?;
    Ok(conn)
}

/// Writes the database open on `conn` (plain, or keyed) into a new file
/// `to` encrypted with `key` in [`LAYOUT`], with SQLCipher's
/// `sqlcipher_export`.
pub(super) fn export_encrypted(conn: &Connection, to: &Path, key: &Passphrase) -> Result<()> {
    let io = |source: std::io::Error| StoreError::Io {
        path: to.to_owned(),
        source,
    };
    match std::fs::remove_file(to) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
        _ => {}
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let to_text = to.to_str().ok_or_else(|| StoreError::Open {
        path: to.to_owned(),
        source: rusqlite::Error::InvalidPath(to.to_owned()),
    })?;
    conn.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        rusqlite::params![to_text, key.as_str()],
    )?;
    let exported = set_layout(conn, "encrypted")
        .and_then(|()| conn.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(())))
        .and_then(|()| conn.pragma_update(Some("encrypted"), "user_version", version));
    conn.execute("DETACH DATABASE encrypted", [])?;
    exported?;
    File::open(to).and_then(|f| f.sync_all()).map_err(io)?;
    Ok(())
}

/// Replaces the file `path`, open on `conn`, by an encrypted copy made
/// beside it, in one rename: a crash leaves one or the other whole.
fn replace_encrypted(conn: Connection, path: &Path, key: &Passphrase) -> Result<()> {
    let tmp = sibling(path, ".encrypting");
    let io = |source: std::io::Error| StoreError::Io {
        path: tmp.clone(),
        source,
    };
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Everything in the WAL goes into the main file first, and the WAL is
    // removed when this connection closes.
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    export_encrypted(&conn, &tmp, key)?;
    drop(conn);
    std::fs::rename(&tmp, path).map_err(io)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself must reach the disk.
        File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
    }
    Ok(())
}

impl Store {
    /// Re-keys this (encrypted) database with a new passphrase: every page
    /// is rewritten under the new key in one transaction.
    pub fn change_passphrase(&mut self, new: &Passphrase) -> Result<()> {
        if self.key.is_none() {
            return Err(StoreError::NotEncrypted {
                path: PathBuf::from(&self.path),
            });
        }
        self.conn.pragma_update(None, "rekey", new.as_str())?;
        self.key = Some(new.clone());
        self.audit(
            super::AuditAction::Passphrase,
            None,
            None,
            serde_json::json!({ "changed": true }),
        )?;
        Ok(())
    }

    /// Logs that this file was just encrypted (by [`Store::encrypt_file`]
    /// or created encrypted).
    pub fn audit_encrypted(&self) -> Result<()> {
        self.audit(
            super::AuditAction::Passphrase,
            None,
            None,
            serde_json::json!({ "encrypted": true }),
        )?;
        Ok(())
    }

    /// Checks a passphrase against this database's file without touching
    /// the open connection: [`StoreError::WrongPassphrase`] when it does not
    /// open it.
    pub fn check_passphrase(&self, key: &Passphrase) -> Result<()> {
        let path = PathBuf::from(&self.path);
        let conn = Connection::open(&path).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        apply_key(&conn, &path, key)
    }

    /// SQLite's quick check of a database file on a connection of its own
    /// (read only), so it can run beside an open store.
    pub fn quick_check_file(path: &Path, key: Option<&Passphrase>) -> Result<()> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source,
            })?;
        if let Some(key) = key {
            apply_key(&conn, path, key)?;
        }
        let found: Vec<String> = conn
            .prepare("PRAGMA quick_check(5)")
            .and_then(|mut stmt| stmt.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| check_failed(&conn, path, key.is_some(), e))?;
        if found.len() == 1 && found[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::Damaged {
                path: path.display().to_string(),
                detail: format!("SQLite's quick check: {}", found.join("; ")),
            })
        }
    }

    /// True when the file is encrypted (opened with a passphrase).
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_passphrase_is_long_enough_and_typed_twice_alike() {
        assert!(Passphrase::choose("秘密秘密秘密秘密", "秘密秘密秘密秘密").is_ok());
        let short = Passphrase::choose("秘密", "秘密").expect_err("short");
        assert_eq!(short.0[0].code, Code::PassphraseTooShort);
        let differ = Passphrase::choose("correct horse", "correct h0rse").expect_err("differ");
        assert_eq!(differ.0[0].field, "again");
        assert_eq!(differ.0[0].code, Code::PassphraseMismatch);
        let blank = Passphrase::choose("         ", "         ").expect_err("blank");
        assert_eq!(blank.0[0].code, Code::Required);
        assert!(Passphrase::given("").is_err());
        assert_eq!(
            format!("{:?}", Passphrase::given("hunter22").expect("given")),
            "Passphrase(…)"
        );
    }
}
