//! The lock: the database opens only with its passphrase, closes again when
//! the user locks the window (or is away), and is encrypted the first time
//! it is used. While closed no key and no connection stay in the process.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Local;
use serde::{Deserialize, Serialize};
use stationdesk::demo::{self, Scale};
use stationdesk::store::backup::{
    backup_dir, latest_good_backup, list_backups, restore_file, BackupInfo, Reason,
};
use stationdesk::store::AuditAction;
use stationdesk::store::{file_kind, FileKind, Passphrase};
use stationdesk::{Store, StoreError};
use tauri::{Emitter, State};
use ts_rs::TS;

use crate::commands::{hold, Reply};
use crate::error::CommandError;
use crate::App;

/// The database as the window holds it.
pub enum Vault {
    /// Not open: waiting for the passphrase (or for one to be chosen).
    Closed,
    Open(Store),
    /// Could not be opened for a reason a passphrase does not cure.
    Failed(String),
}

/// What the lock screen should ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum VaultState {
    /// No database yet: choose a passphrase; a demo station is loaded.
    New,
    /// A database from before encryption: choose a passphrase to encrypt it.
    Plain,
    /// Encrypted and closed: type the passphrase.
    Locked,
    Open,
    /// Cannot be opened at all; `failure` says why.
    Failed,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VaultStatusDto {
    pub state: VaultState,
    /// The database file, so the user knows which one is meant.
    pub path: String,
    pub failure: Option<String>,
    /// The fewest characters a new passphrase may have.
    pub min_chars: u32,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NewPassphraseForm {
    pub passphrase: String,
    pub again: String,
    /// Who is using the window: the audit log names them.
    pub user: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChangePassphraseForm {
    pub current: String,
    pub passphrase: String,
    pub again: String,
}

fn status_of(vault: &Vault, path: &std::path::Path) -> VaultStatusDto {
    let (state, failure) = match vault {
        Vault::Open(_) => (VaultState::Open, None),
        Vault::Failed(why) => (VaultState::Failed, Some(why.clone())),
        Vault::Closed => match file_kind(path) {
            Ok(FileKind::New) => (VaultState::New, None),
            Ok(FileKind::Plain) => (VaultState::Plain, None),
            Ok(FileKind::Encrypted) => (VaultState::Locked, None),
            Err(e) => (VaultState::Failed, Some(e.to_string())),
        },
    };
    VaultStatusDto {
        state,
        path: path.display().to_string(),
        failure,
        min_chars: Passphrase::MIN_CHARS as u32,
    }
}

#[tauri::command]
pub async fn vault_status(app: State<'_, App>) -> Reply<VaultStatusDto> {
    let held = hold(&app)?;
    Ok(status_of(held.vault(), &app.path))
}

/// Opens the encrypted database with its passphrase.
#[tauri::command]
pub async fn unlock<R: tauri::Runtime>(
    window: tauri::AppHandle<R>,
    app: State<'_, App>,
    passphrase: String,
    user: String,
) -> Reply<VaultStatusDto> {
    let mut held = hold(&app)?;
    if !matches!(held.vault(), Vault::Open(_)) {
        let key = Passphrase::given(passphrase).map_err(StoreError::from)?;
        let mut store = Store::open_encrypted(&app.path, &key).map_err(wrong_passphrase)?;
        if DAMAGE_FOUND.load(Ordering::SeqCst) {
            // The check behind an earlier unlock found damage: say it now,
            // before anything more is typed into the file.
            store.quick_check().map_err(wrong_passphrase)?;
            DAMAGE_FOUND.store(false, Ordering::SeqCst);
        } else if !CHECKED.swap(true, Ordering::SeqCst) {
            check_in_background(window.clone(), app.path.clone(), key.clone());
        }
        store.set_actor(&user);
        daily_backup(&store);
        held.set(Vault::Open(store));
    } else if let Ok(store) = held.get() {
        store.set_actor(&user);
    }
    Ok(status_of(held.vault(), &app.path))
}

/// Chooses the first passphrase: creates the encrypted database (with a
/// demo station, so a newcomer sees a living app) or encrypts the plain one.
#[tauri::command]
pub async fn set_up_passphrase(
    app: State<'_, App>,
    form: NewPassphraseForm,
) -> Reply<VaultStatusDto> {
    let mut held = hold(&app)?;
    let key = Passphrase::choose(form.passphrase, &form.again).map_err(StoreError::from)?;
    let path = app.path.clone();
    match file_kind(&path)? {
        FileKind::Encrypted => {
            return Err(StoreError::NotPlain { path }.into());
        }
        FileKind::Plain => {
            // Brought up to date first, so what is encrypted is current.
            drop(Store::open(&path)?);
            Store::encrypt_file(&path, &key)?;
        }
        FileKind::New => {}
    }
    let mut store = Store::open_encrypted(&path, &key)?;
    store.set_actor(&form.user);
    store.audit_encrypted()?;
    if store.is_empty()? {
        let today = Local::now().date_naive();
        store.load_demo(&demo::generate(Scale::Station, demo::DEFAULT_SEED, today))?;
    }
    daily_backup(&store);
    held.set(Vault::Open(store));
    Ok(status_of(held.vault(), &app.path))
}

/// Closes the database: the key and the connection leave the process.
#[tauri::command]
pub async fn lock(app: State<'_, App>) -> Reply<VaultStatusDto> {
    let mut held = hold(&app)?;
    if matches!(held.vault(), Vault::Open(_)) {
        held.set(Vault::Closed);
    }
    Ok(status_of(held.vault(), &app.path))
}

/// Re-keys the database, after the current passphrase is typed again.
#[tauri::command]
pub async fn change_passphrase(app: State<'_, App>, form: ChangePassphraseForm) -> Reply<()> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    let current = Passphrase::given(form.current).map_err(|_| invalid("current", "required"))?;
    store.check_passphrase(&current).map_err(|e| match e {
        StoreError::WrongPassphrase { .. } => invalid("current", "wrong_passphrase"),
        e => e.into(),
    })?;
    let new = Passphrase::choose(form.passphrase, &form.again).map_err(StoreError::from)?;
    store.change_passphrase(&new)?;
    Ok(())
}

fn invalid(field: &str, code: &str) -> CommandError {
    CommandError::invalid_field(field, code)
}

/// A wrong passphrase is a mistake in the form, shown beside the field; a
/// damaged file is said on the lock screen, which offers the latest backup.
fn wrong_passphrase(e: StoreError) -> CommandError {
    match e {
        StoreError::WrongPassphrase { .. } => invalid("passphrase", "wrong_passphrase"),
        StoreError::Damaged { .. } => {
            eprintln!("StationDesk: {e}");
            CommandError::damaged()
        }
        e => e.into(),
    }
}

/// Whether the start-up quick check has been started in this process.
static CHECKED: AtomicBool = AtomicBool::new(false);
/// Whether it found the file damaged.
static DAMAGE_FOUND: AtomicBool = AtomicBool::new(false);

/// The start-up check of the whole file (SQLite's quick check), on a
/// connection of its own beside the window's: a county-sized file takes
/// tens of seconds to read, and the user need not wait for it. Damage is
/// told to the window (`database-damaged`), which says what to do.
fn check_in_background<R: tauri::Runtime>(
    window: tauri::AppHandle<R>,
    path: PathBuf,
    key: Passphrase,
) {
    std::thread::spawn(move || {
        if let Err(e) = Store::quick_check_file(&path, Some(&key)) {
            eprintln!("StationDesk start-up check: {e}");
            if matches!(e, StoreError::Damaged { .. }) {
                DAMAGE_FOUND.store(true, Ordering::SeqCst);
                if let Err(e) = window.emit("database-damaged", ()) {
                    eprintln!("StationDesk cannot tell the window: {e}");
                }
            }
        }
    });
}

/// Puts the newest good backup in place of a damaged database (which is
/// kept beside it), then opens it.
#[tauri::command]
pub async fn restore_latest(
    app: State<'_, App>,
    passphrase: String,
    user: String,
) -> Reply<VaultStatusDto> {
    let mut held = hold(&app)?;
    if matches!(held.vault(), Vault::Open(_)) {
        return Err(StoreError::NotPlain {
            path: app.path.clone(),
        }
        .into());
    }
    let key = Passphrase::given(passphrase).map_err(StoreError::from)?;
    // The passphrase must open the damaged file's backups, whatever the
    // damaged file itself still says.
    let Some(latest) = latest_good_backup(&app.path, Some(&key))? else {
        return Err(invalid("passphrase", "no_backup"));
    };
    let now = Local::now().naive_local();
    let kept = restore_file(&app.path, &latest.path, Some(&key), now)?;
    let mut store = Store::open_encrypted(&app.path, &key).map_err(wrong_passphrase)?;
    store.quick_check().map_err(wrong_passphrase)?;
    CHECKED.store(true, Ordering::SeqCst);
    DAMAGE_FOUND.store(false, Ordering::SeqCst);
    store.set_actor(&user);
    store.audit(
        AuditAction::Restore,
        None,
        None,
        serde_json::json!({
            "file": latest.path.display().to_string(),
            "damaged_kept_as": kept.map(|p| p.display().to_string()),
        }),
    )?;
    held.set(Vault::Open(store));
    Ok(status_of(held.vault(), &app.path))
}

/// Where the window's database is, decided once at start.
pub fn initial(path: PathBuf) -> (Vault, PathBuf) {
    // A file that is there but unreadable is said at once; everything else
    // waits for the lock screen.
    let vault = match file_kind(&path) {
        Ok(_) => Vault::Closed,
        Err(e) => {
            eprintln!("StationDesk cannot read its database: {e}");
            Vault::Failed(e.to_string())
        }
    };
    (vault, path)
}

/// One backup in the backups folder.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackupDto {
    pub path: String,
    /// `YYYY-MM-DD HH:MM:SS`, local time.
    pub made_at: String,
    /// daily, migration, import, restore or manual.
    pub reason: String,
    #[ts(type = "number")]
    pub bytes: u64,
}

impl From<&BackupInfo> for BackupDto {
    fn from(b: &BackupInfo) -> Self {
        BackupDto {
            path: b.path.display().to_string(),
            made_at: b.made_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            reason: b.reason.code().to_owned(),
            bytes: b.bytes,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackupsDto {
    /// The folder they are in.
    pub folder: String,
    /// Newest first.
    pub backups: Vec<BackupDto>,
}

fn backups_of(path: &std::path::Path) -> Reply<BackupsDto> {
    Ok(BackupsDto {
        folder: backup_dir(path).display().to_string(),
        backups: list_backups(path)?.iter().map(BackupDto::from).collect(),
    })
}

/// The backups beside the database, newest first.
#[tauri::command]
pub async fn list_backups_cmd(app: State<'_, App>) -> Reply<BackupsDto> {
    let mut held = hold(&app)?;
    held.get()?;
    backups_of(&app.path)
}

/// A backup now, into the backups folder.
#[tauri::command]
pub async fn make_backup(app: State<'_, App>) -> Reply<BackupsDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    store.backup(Reason::Manual, Local::now().naive_local(), &mut |_, _| {})?;
    backups_of(&app.path)
}

/// Puts a backup from the backups folder back in place of the database
/// (checked first; the database as it is now is backed up before).
#[tauri::command]
pub async fn restore_backup(app: State<'_, App>, path: String) -> Reply<BackupsDto> {
    let mut held = hold(&app)?;
    let store = held.get()?;
    // A damaged file is restored from the lock screen, which sets it aside.
    store.quick_check().map_err(wrong_passphrase)?;
    // Only a file the list offered: the window restores nothing else.
    let known = list_backups(&app.path)?
        .iter()
        .any(|b| b.path.display().to_string() == path);
    if !known {
        return Err(invalid("backup", "bad_backup"));
    }
    store
        .restore_from(
            std::path::Path::new(&path),
            Local::now().naive_local(),
            &mut |_, _| {},
        )
        .map_err(|e| match e {
            StoreError::BadBackup { .. } | StoreError::WrongPassphrase { .. } => {
                eprintln!("StationDesk restore refused: {e}");
                invalid("backup", "bad_backup")
            }
            e => e.into(),
        })?;
    backups_of(&app.path)
}

/// The day's backup, once the database is open; a failure is logged and
/// does not keep the user out.
fn daily_backup(store: &Store) {
    if let Err(e) = store.backup_daily(Local::now().naive_local()) {
        eprintln!("StationDesk could not make the daily backup: {e}");
    }
}
