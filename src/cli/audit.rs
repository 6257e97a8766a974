//! `stationdesk audit list|export`: the audit log, viewed and exported.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{json as print_json, parse_day, CliError, Format};
use crate::audit_csv::{action_label, csv_bytes, detail_text};
use crate::store::{AuditAction, AuditEntry, AuditFilter, Store};

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// The log, newest first
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// At most this many entries (0: all)
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Skip this many (the newest) first
        #[arg(long, default_value_t = 0)]
        offset: u32,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Write the log, oldest first, to a CSV file (UTF-8 with a BOM, so
    /// Excel reads the Chinese)
    Export {
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
        #[command(flatten)]
        filter: FilterArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// From this day (local time), included
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub from: Option<chrono::NaiveDate>,
    /// Up to this day (local time), included
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub to: Option<chrono::NaiveDate>,
    /// Only this action: create, update, delete, sign, amend, export,
    /// import, restore, passphrase, purge, backup
    #[arg(long, value_name = "ACTION", value_parser = parse_action)]
    pub action: Option<AuditAction>,
    /// Only what this person did
    #[arg(long = "actor", value_name = "NAME")]
    pub who: Option<String>,
    /// Only rows of this table (e.g. staff, client_case, supervision_record)
    #[arg(long, value_name = "TABLE")]
    pub table: Option<String>,
}

/// An action by its code (`export`) or as the table shows it (`导出`).
fn parse_action(text: &str) -> Result<AuditAction, String> {
    let text = text.trim();
    AuditAction::from_code(text)
        .or_else(|| {
            AuditAction::ALL
                .iter()
                .copied()
                .find(|a| a.label_zh() == text)
        })
        .ok_or_else(|| {
            let codes: Vec<&str> = AuditAction::ALL.iter().map(|a| a.code()).collect();
            format!("{text:?} is not an action: use one of {}", codes.join(", "))
        })
}

impl FilterArgs {
    fn filter(self) -> Result<AuditFilter, CliError> {
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                return Err(CliError::Usage("--from is after --to".into()));
            }
        }
        Ok(AuditFilter {
            actor: self.who.map(|a| a.trim().to_owned()),
            action: self.action,
            table: self.table.map(|t| t.trim().to_owned()),
            from: self.from,
            to: self.to,
            ..Default::default()
        })
    }
}

pub fn audit(store: &Store, command: AuditCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match command {
        AuditCommand::List {
            filter,
            limit,
            offset,
            format,
        } => {
            let filter = AuditFilter {
                limit: (limit > 0).then_some(limit),
                offset,
                ..filter.filter()?
            };
            let entries = store.audit_entries(&filter)?;
            match format {
                Format::Json => print_json(&entries, out)?,
                Format::Table => write_table(&entries, out)?,
            }
        }
        AuditCommand::Export { out: path, filter } => {
            let filter = AuditFilter {
                oldest_first: true,
                ..filter.filter()?
            };
            let entries = store.audit_entries(&filter)?;
            write_csv(&entries, &path)?;
            store.audit(
                AuditAction::Export,
                None,
                None,
                serde_json::json!({
                    "kind": "audit_csv",
                    "file": path.display().to_string(),
                    "rows": entries.len(),
                }),
            )?;
            let n = entries.len();
            let noun = if n == 1 { "entry" } else { "entries" };
            writeln!(out, "wrote {} ({n} {noun})", path.display())?;
        }
    }
    Ok(())
}

fn write_table(entries: &[AuditEntry], out: &mut dyn Write) -> std::io::Result<()> {
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    table.set_header(["ID", "时间", "操作人", "操作", "表", "行", "字段", "详情"]);
    for e in entries {
        table.add_row([
            e.id.to_string(),
            e.at.clone(),
            e.actor.clone(),
            action_label(&e.action).to_owned(),
            e.table.clone().unwrap_or_default(),
            e.row_id.map(|i| i.to_string()).unwrap_or_default(),
            e.fields.join(", "),
            detail_text(&e.detail),
        ]);
    }
    writeln!(out, "{table}")
}

/// Writes the entries as CSV (`audit_csv::csv_bytes`: a BOM, then a
/// header) to a temporary file beside `path`, renamed into place: a failed
/// export leaves no half file.
fn write_csv(entries: &[AuditEntry], path: &Path) -> Result<(), CliError> {
    let fail = |source: std::io::Error| CliError::WriteFile {
        path: path.to_owned(),
        source,
    };
    let bytes = csv_bytes(entries).map_err(|e| fail(std::io::Error::other(e)))?;
    crate::files::write_atomically(path, &bytes).map_err(fail)
}
