//! The `stationdesk` command-line tool, on the same library as the window.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Local, NaiveDateTime};
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::demo::{self, Scale};
use crate::model::format_date;
use crate::store::{
    default_db_path, file_kind, FileKind, Passphrase, StaffView, Store, StoreError,
};
use zeroize::Zeroizing;

mod audit;
mod backup;
mod cases;
mod import;
mod policy;
mod print;
mod records;
mod retention;
mod sync;
mod training;
mod verify;
mod workload;
use cases::{case, overdue, CaseCommand};
use print::print;
use records::supervision;

#[derive(Debug, Parser)]
#[command(
    name = "stationdesk",
    version,
    about = "社工站督导台 StationDesk: supervision records for township social-work stations"
)]
pub struct Cli {
    /// The database file [default: the per-user data directory]
    #[arg(long, global = true, env = "STATIONDESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Read the database's passphrase from the first line of FILE (scripts
    /// may set STATIONDESK_PASSPHRASE instead; never type it as an argument)
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Who the audit log records as doing what this command writes
    /// [default: $STATIONDESK_USER, else the OS user]
    #[arg(
        long = "as",
        global = true,
        env = "STATIONDESK_USER",
        value_name = "NAME"
    )]
    pub actor: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database (or bring its schema up to date) and say where it is
    Init,
    /// Encrypt a plain database with a new passphrase, or change the
    /// passphrase of an encrypted one (the current one is given as usual)
    Passphrase {
        /// Read the new passphrase from the first line of FILE [else
        /// STATIONDESK_NEW_PASSPHRASE]
        #[arg(long, value_name = "FILE")]
        new_file: Option<PathBuf>,
    },
    /// Fill an empty database with a made-up station or county
    Demo {
        #[arg(long, value_enum, default_value = "station")]
        scale: Scale,
        #[arg(long, default_value_t = demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Staff members
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Supervision records (督导记录)
    Supervision {
        #[command(subcommand)]
        command: SupervisionCommand,
    },
    /// Cases (个案)
    Case {
        #[command(subcommand)]
        command: CaseCommand,
    },
    /// What is overdue: the rules R3, R4, R8, R15–R20 and the follow-up and
    /// high-risk review checks, as of a day
    Overdue {
        /// The day to judge by [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        as_of: Option<chrono::NaiveDate>,
        /// Only this supervisor and the people they supervise
        #[arg(long, value_name = "ID")]
        supervisor: Option<i64>,
        /// Only this station's staff
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Retention: cases past their retain-until date, and purging a closed
    /// one's personal information for good (the code and dates stay)
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// Supervisors' workload for a month against R1–R7
    Workload {
        /// The month, as YYYY-MM [default: this month]
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
        month: Option<crate::model::Month>,
        /// Only this supervisor and the supervisors in their team
        #[arg(long, value_name = "ID")]
        supervisor: Option<i64>,
        /// Only this station's supervisors
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Export to an Excel workbook (.xlsx)
    ExportXlsx {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Training sessions and continuing-education hours (R11–R16)
    Training {
        #[command(subcommand)]
        command: training::TrainingCommand,
    },
    /// The figures the rules use: show them, change one, see every change
    Policy {
        #[command(subcommand)]
        command: policy::PolicyCommand,
    },
    /// Import a station's roster or past training attendance from .xlsx or
    /// .csv: shows the columns found and every bad row; writes all rows or
    /// none
    ImportXlsx {
        #[arg(value_enum)]
        kind: import::Kind,
        /// The .xlsx (or .xls, .ods) or .csv file
        file: PathBuf,
        /// The station [default: the only one]
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        /// Check every row and show what would be imported; write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Write an import template (.xlsx): the headings and an example row
    Template {
        #[arg(value_enum)]
        kind: import::Kind,
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
    /// Write a sync bundle (zstd, SHA-256) of the changes here, for
    /// another laptop or the county office
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        range: sync::Range,
    },
    /// Merge a sync bundle: all or nothing; the same bundle twice changes
    /// nothing; a value that loses a merge goes to the review queue
    Import {
        file: PathBuf,
        /// Show what would change (new, updated, unchanged, conflicts);
        /// write nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// The review queue of values that lost a merge
    Conflicts {
        #[command(subcommand)]
        command: sync::ConflictCommand,
    },
    /// Read the whole database file and check its structure (SQLite's quick
    /// check); a damaged file is named with what to do
    Check,
    /// Copy the database (encrypted like it) into the backups folder beside
    /// it, or to FILE
    Backup {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List the backups in the backups folder, newest first
    Backups {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Put a backup back in place of the database: it is checked first
    /// (integrity_check), and the database as it is now is backed up
    Restore { file: PathBuf },
    /// This laptop's sync identity, and what each peer has not had yet
    Sync {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Check the signed supervision records against their hash chains and
    /// name every record altered behind the program's back (exit code 3)
    Verify {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Print to PDF (A4, with an embedded Chinese font)
    Print {
        #[command(subcommand)]
        command: PrintCommand,
    },
    /// The audit log: who created, changed, deleted, signed, amended,
    /// exported or imported what, and when (never the values)
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The continuing-education hours ledger (R16), a row per certified worker
    Hours {
        /// Only this station's staff
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        /// Count up to this day [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
    /// The month's workload table, a row per supervisor
    Workload {
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
        month: crate::model::Month,
        /// Only this station's supervisors
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        #[arg(long, value_name = "FILE.xlsx")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PrintCommand {
    /// One supervision record as a 督导记录表 for signatures
    Supervision {
        id: i64,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// A training session's sign-in sheet (培训签到表), names filled in
    Signin {
        training_id: i64,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// Continuing-education hours: a station's report, or with --staff one
    /// worker's certificate (继续教育学时证明)
    Hours {
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        #[arg(long, value_name = "ID", conflicts_with = "station")]
        staff: Option<i64>,
        /// Count up to this day [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// The month's workload table (督导工作量月报表) for the upper office
    Workload {
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
        month: crate::model::Month,
        /// Only this station's supervisors
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// A supervisor's monthly supervision summary (督导月报)
    Summary {
        #[arg(long, value_name = "ID")]
        supervisor: i64,
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
        month: crate::model::Month,
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum SupervisionCommand {
    /// List records, newest first
    List {
        /// Only this supervisor's records
        #[arg(long, value_name = "ID")]
        supervisor: Option<i64>,
        /// Only this month, as YYYY-MM
        #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
        month: Option<crate::model::Month>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Show one record in full
    Show {
        id: i64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// Prints `value` as pretty JSON and a newline.
fn json<T: serde::Serialize>(value: &T, out: &mut dyn Write) -> Result<(), CliError> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// `--supervisor ID` or `--station ID` (not both), checked to exist.
fn scope(
    store: &Store,
    supervisor: Option<i64>,
    station: Option<i64>,
) -> Result<crate::store::Scope, CliError> {
    use crate::store::Scope;
    Ok(match (supervisor, station) {
        (Some(_), Some(_)) => {
            return Err(CliError::Usage(
                "give --supervisor or --station, not both".into(),
            ))
        }
        (Some(id), None) => {
            store.staff(id)?;
            Scope::Supervisor(id)
        }
        (None, Some(id)) => {
            store.station(id)?;
            Scope::Station(id)
        }
        (None, None) => Scope::All,
    })
}

/// Reads a day as people write it (2026-11-23, 2026/11/23, 2026年11月23日).
fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    crate::model::parse_user_date(text)
        .ok_or_else(|| format!("{text:?} is not a date: write it as YYYY-MM-DD, e.g. 2026-11-23"))
}

/// Reads `2026-11` (or `2026/11`, `2026年11月`).
fn parse_month(text: &str) -> Result<crate::model::Month, String> {
    crate::model::Month::parse(text)
        .ok_or_else(|| format!("{text:?} is not a month: write it as YYYY-MM, e.g. 2026-11"))
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// List staff, active first
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Only this station's staff
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// Why a command failed, for the message on stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot encode JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Print(#[from] crate::pdf::PrintError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error("cannot make the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("cannot read {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Bundle {
        path: PathBuf,
        source: crate::sync::bundle::BundleError,
    },
    #[error("cannot write {path}: {source}")]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{problems} problem(s) in {records} signed record(s): changed behind the program's back"
    )]
    Altered { problems: usize, records: usize },
}

impl CliError {
    /// The process's exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Altered { .. } => verify::ALTERED_EXIT,
            _ => 1,
        }
    }
}

/// One staff member in `staff list --format json`. The keys are a stable
/// interface for scripts: add new ones, never rename.
#[derive(Debug, Serialize)]
pub struct StaffJson {
    pub id: i64,
    pub station_id: i64,
    pub station_name: String,
    pub name: String,
    pub role: &'static str,
    pub qualification: &'static str,
    pub certificate_no: Option<String>,
    pub registration_date: Option<String>,
    pub registration_expiry: Option<String>,
    pub start_date: String,
    pub active: bool,
    pub left_date: Option<String>,
    pub supervisor_id: Option<i64>,
    pub supervisor_name: Option<String>,
}

impl From<&StaffView> for StaffJson {
    fn from(v: &StaffView) -> Self {
        let r = &v.staff.record;
        StaffJson {
            id: v.staff.id,
            station_id: r.station_id,
            station_name: v.station_name.clone(),
            name: r.name.clone(),
            role: r.role.code(),
            qualification: r.qualification.code(),
            certificate_no: r.certificate_no.clone(),
            registration_date: r.registration_date.map(format_date),
            registration_expiry: v.registration_expiry.map(format_date),
            start_date: format_date(r.start_date),
            active: r.active(),
            left_date: r.left_date.map(format_date),
            supervisor_id: v.supervisor.as_ref().map(|s| s.0),
            supervisor_name: v.supervisor.as_ref().map(|s| s.1.clone()),
        }
    }
}

/// A passphrase from the first line of `file`, else from the environment
/// variable `var`; `None` when neither is given.
fn read_passphrase(
    file: Option<&Path>,
    var: &str,
    option: &str,
) -> Result<Option<Zeroizing<String>>, CliError> {
    if let Some(file) = file {
        let text = Passphrase::from_file(file).map_err(|source| CliError::ReadFile {
            path: file.to_owned(),
            source,
        })?;
        if text.is_empty() {
            return Err(CliError::Usage(format!(
                "the first line of {} ({option}) is empty",
                file.display()
            )));
        }
        return Ok(Some(text));
    }
    match std::env::var(var) {
        Ok(text) if !text.is_empty() => Ok(Some(Zeroizing::new(text))),
        Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::Usage(format!("{var} is not valid UTF-8")))
        }
    }
}

/// Opens the database, encrypted when a passphrase is given.
pub(super) fn open_store(path: &Path, passphrase: Option<&Passphrase>) -> Result<Store, CliError> {
    let opened = match passphrase {
        Some(p) => Store::open_encrypted(path, p),
        None => Store::open(path),
    };
    opened.map_err(|e| match e {
        StoreError::NeedsPassphrase { path } => CliError::Usage(format!(
            "{} is encrypted (or is not a database at all): give its passphrase with \
             --passphrase-file FILE or the STATIONDESK_PASSPHRASE environment variable",
            path.display()
        )),
        StoreError::NotEncrypted { path } => CliError::Usage(format!(
            "the database {} is not encrypted, yet a passphrase was given; encrypt it with \
             `stationdesk passphrase --new-file FILE` (without a current passphrase)",
            path.display()
        )),
        e => e.into(),
    })
}

/// `stationdesk passphrase`: encrypts a plain (or new) database, or
/// re-keys an encrypted one.
fn set_passphrase(
    path: &Path,
    current: Option<&Passphrase>,
    new_file: Option<&Path>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let new = read_passphrase(new_file, "STATIONDESK_NEW_PASSPHRASE", "--new-file")?.ok_or_else(
        || {
            CliError::Usage(
                "give the new passphrase with --new-file FILE or STATIONDESK_NEW_PASSPHRASE".into(),
            )
        },
    )?;
    let again = new.clone();
    let new = Passphrase::choose(new.as_str(), &again).map_err(StoreError::from)?;
    match (current, file_kind(path)?) {
        (Some(current), FileKind::Encrypted) => {
            let mut store = open_store(path, Some(current))?;
            store.change_passphrase(&new)?;
            writeln!(out, "passphrase changed: {}", path.display())?;
        }
        (None, FileKind::Encrypted) => {
            open_store(path, None)?;
        }
        (_, FileKind::Plain) => {
            // Migrated first, so the encrypted copy is current.
            drop(open_store(path, None)?);
            Store::encrypt_file(path, &new)?;
            Store::open_encrypted(path, &new)?.audit_encrypted()?;
            writeln!(out, "encrypted: {}", path.display())?;
        }
        (_, FileKind::New) => {
            Store::open_encrypted(path, &new)?.audit_encrypted()?;
            writeln!(out, "encrypted database created: {}", path.display())?;
        }
    }
    Ok(())
}

/// Runs a parsed command; `now` is the caller's clock.
pub fn run(cli: Cli, now: NaiveDateTime, out: &mut dyn Write) -> Result<(), CliError> {
    let path = cli.db.unwrap_or_else(default_db_path);
    let passphrase = read_passphrase(
        cli.passphrase_file.as_deref(),
        "STATIONDESK_PASSPHRASE",
        "--passphrase-file",
    )?
    .map(|text| Passphrase::given(text.as_str()))
    .transpose()
    .map_err(StoreError::from)?;
    if let Command::Passphrase { new_file } = &cli.command {
        return set_passphrase(&path, passphrase.as_ref(), new_file.as_deref(), out);
    }
    if let Command::Restore { file } = &cli.command {
        // A damaged database cannot be opened: restoring must not need to.
        return backup::restore(&path, passphrase.as_ref(), file, now, out);
    }
    if let Command::Template { kind, out: file } = &cli.command {
        // A template holds no data: it needs no database and makes none,
        // but must not be written over one.
        crate::files::guard_database(&path);
        return import::template(*kind, file, out);
    }
    // Only these make a database where there is none. Any other command
    // on a mistyped --db would otherwise create an empty file there and
    // answer from it (an empty list, a clean check), or write into it.
    let may_create = matches!(
        cli.command,
        Command::Init | Command::Demo { .. } | Command::Import { .. }
    );
    if !may_create && (!path.exists() || no_data(&path)) {
        return Err(CliError::Usage(format!(
            "there is no database at {}{}: give the right file with --db (or \
             STATIONDESK_DB), or create one with `stationdesk init`",
            path.display(),
            if path.exists() {
                " (the file is empty)"
            } else {
                ""
            }
        )));
    }
    // Who is recorded in the append-only audit log: one short line.
    if let Some(actor) = &cli.actor {
        if actor.chars().any(char::is_control) || actor.trim().chars().count() > 40 {
            return Err(CliError::Usage(
                "--as takes a name: one line of at most 40 characters".into(),
            ));
        }
    }
    // A database this command makes (`init`, `demo` or `import` where
    // there was none) is taken away again when the command fails, or when
    // it only looked (`import --dry-run`): a mistyped --db leaves nothing.
    let made = Made::before(&path);
    let looked_only = matches!(cli.command, Command::Import { dry_run: true, .. });
    let result = open_store(&path, passphrase.as_ref()).and_then(|mut store| {
        if let Some(actor) = &cli.actor {
            store.set_actor(actor);
        }
        dispatch(&mut store, cli.command, &path, now, out)
    });
    let failed = result.as_ref().is_err_and(|e| !e.is_broken_pipe());
    if failed || looked_only {
        made.take_away(&path);
    }
    result
}

impl CliError {
    /// The output was cut off by its reader (a pipe into `head`), after
    /// the command's work was done.
    fn is_broken_pipe(&self) -> bool {
        let kind = match self {
            CliError::Output(e) => Some(e.kind()),
            CliError::Json(e) => e.io_error_kind(),
            _ => None,
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    }
}

/// An empty file with no write-ahead log beside it: not a database yet
/// (SQLite would make it one and answer from it).
fn no_data(db: &Path) -> bool {
    let len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
    db.is_file() && len(db) == 0 && len(&crate::files::beside(db, "-wal")) == 0
}

/// What was at a database's path before a command ran, so that what the
/// command made there can be taken away again.
struct Made {
    file: bool,
    folder: bool,
    backups: bool,
}

impl Made {
    fn before(db: &Path) -> Made {
        Made {
            file: db.exists(),
            folder: db
                .parent()
                .is_none_or(|d| d.as_os_str().is_empty() || d.exists()),
            backups: crate::store::backup::backup_dir(db).exists(),
        }
    }

    /// Removes the database the command made, with its journals, its
    /// backups folder and its folder when the command made them; nothing
    /// that was there before.
    fn take_away(&self, db: &Path) {
        if self.file {
            return;
        }
        let _ = std::fs::remove_file(db);
        for journal in crate::files::JOURNALS {
            let _ = std::fs::remove_file(crate::files::beside(db, journal));
        }
        if !self.backups {
            let _ = std::fs::remove_dir_all(crate::store::backup::backup_dir(db));
        }
        if !self.folder {
            if let Some(dir) = db.parent() {
                // Only when empty: remove_dir refuses anything else.
                let _ = std::fs::remove_dir(dir);
            }
        }
    }
}

/// Runs a command that needs the open store.
fn dispatch(
    store: &mut Store,
    command: Command,
    path: &Path,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let today = now.date();
    match command {
        Command::Init => writeln!(
            out,
            "database ready{}: {}",
            if store.is_encrypted() {
                " (encrypted)"
            } else {
                " (not encrypted: see `stationdesk passphrase`)"
            },
            path.display()
        )?,
        Command::Passphrase { .. } => unreachable!("handled before the store is opened"),
        Command::Demo { scale, seed } => {
            let demo = demo::generate(scale, seed, today);
            store.load_demo(&demo)?;
            writeln!(
                out,
                "loaded {} station(s) and {} staff into {}",
                demo.stations.len(),
                demo.staff.len(),
                path.display()
            )?;
        }
        Command::Staff {
            command: StaffCommand::List { format, station },
        } => {
            if let Some(id) = station {
                store.station(id)?;
            }
            let staff = store.list_staff(station, today)?;
            match format {
                Format::Json => {
                    let rows: Vec<StaffJson> = staff.iter().map(StaffJson::from).collect();
                    serde_json::to_writer_pretty(&mut *out, &rows)?;
                    writeln!(out)?;
                }
                Format::Table => write_table(&staff, out)?,
            }
        }
        Command::Supervision { command } => supervision(store, command, today, out)?,
        Command::Print { command } => print(store, command, now, out)?,
        Command::Case { command } => case(store, command, out)?,
        Command::Training { command } => training::training(store, command, today, out)?,
        Command::Retention { command } => retention::retention(store, command, today, out)?,
        Command::Policy { command } => policy::policy(store, command, now, out)?,
        Command::Overdue {
            as_of,
            supervisor,
            station,
            format,
        } => overdue(
            store,
            as_of.unwrap_or(today),
            supervisor,
            station,
            format,
            out,
        )?,
        Command::ExportXlsx {
            command:
                ExportCommand::Hours {
                    station,
                    as_of,
                    out: path,
                },
        } => training::export_hours(store, station, as_of.unwrap_or(today), &path, out)?,
        Command::ExportXlsx {
            command:
                ExportCommand::Workload {
                    month,
                    station,
                    out: path,
                },
        } => workload::export(store, month, station, &path, today, out)?,
        Command::ImportXlsx {
            kind,
            file,
            station,
            dry_run,
        } => import::import(store, kind, &file, station, dry_run, today, out)?,
        Command::Export { out: path, range } => sync::export(store, &path, range, now, out)?,
        Command::Import {
            file,
            dry_run,
            format,
        } => sync::import(store, &file, dry_run, format, now, out)?,
        Command::Conflicts { command } => sync::conflicts(store, command, now, out)?,
        Command::Sync { format } => sync::status(store, format, out)?,
        Command::Backup { out: file } => backup::backup(store, file.as_deref(), now, out)?,
        Command::Backups { format } => backup::list(path, format, out)?,
        Command::Check => {
            store.quick_check()?;
            writeln!(out, "ok: {} passed SQLite's quick check", path.display())?;
        }
        Command::Restore { .. } => unreachable!("handled before the store is opened"),
        Command::Verify { format } => verify::verify(store, format, out)?,
        Command::Audit { command } => audit::audit(store, command, out)?,
        Command::Template { .. } => unreachable!("handled before the store is opened"),
        Command::Workload {
            month,
            supervisor,
            station,
            format,
        } => workload::workload(store, month, supervisor, station, format, today, out)?,
    }
    Ok(())
}

fn write_table(staff: &[StaffView], out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header([
        "ID",
        "站点",
        "姓名",
        "岗位",
        "资格",
        "证书编号",
        "入职",
        "状态",
        "督导",
    ]);
    for v in staff {
        let r = &v.staff.record;
        table.add_row([
            v.staff.id.to_string(),
            v.station_name.clone(),
            r.name.clone(),
            r.role.label_zh().to_owned(),
            r.qualification.label_zh().to_owned(),
            r.certificate_no.clone().unwrap_or_default(),
            format_date(r.start_date),
            if r.active() {
                "在岗".to_owned()
            } else {
                format!("离职 {}", r.left_date.map(format_date).unwrap_or_default())
            },
            v.supervisor
                .as_ref()
                .map(|s| s.1.clone())
                .unwrap_or_default(),
        ]);
    }
    writeln!(out, "{table}")
}

/// The process entry: parses arguments, runs, prints errors precisely.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let now = Local::now().naive_local();
    let stdout = std::io::stdout();
    let db = cli.db.clone().unwrap_or_else(default_db_path);
    match run(cli, now, &mut stdout.lock()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader stopped reading (`stationdesk … | head`): the work is
        // done, and there is no one left to tell.
        Err(e) if e.is_broken_pipe() => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Any command that ran into a damaged page says what to do.
            let e = match e {
                CliError::Store(e) => CliError::Store(e.as_damage(&db)),
                e => e,
            };
            eprintln!("stationdesk: {e}");
            std::process::ExitCode::from(e.exit_code())
        }
    }
}
