//! `stationdesk export|import|conflicts|sync`: change bundles between
//! laptops, and the review queue of values that lost a merge.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{json as print_json, CliError, Format};
use crate::store::{ImportReport, Keep, Store};
use crate::sync::bundle::Bundle;

#[derive(Debug, clap::Args)]
#[group(required = false, multiple = false)]
pub struct Range {
    /// Every row, tombstones included (the default)
    #[arg(long)]
    pub all: bool,
    /// Only what changed here since the last bundle for this peer (a name
    /// you choose: a laptop, the county office); the next one starts after
    /// this one
    #[arg(long, value_name = "PEER")]
    pub since_last: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum ConflictCommand {
    /// The review queue (open entries; `--all` for settled ones too)
    List {
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Settle an entry: keep the value that won or the one that lost
    Keep {
        id: i64,
        #[arg(value_enum)]
        side: Side,
        /// Who decides
        #[arg(long, value_name = "NAME")]
        by: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Side {
    Winner,
    Loser,
}

pub fn export(
    store: &mut Store,
    path: &Path,
    range: Range,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let peer = range.since_last.as_deref().map(str::trim);
    if peer == Some("") {
        return Err(CliError::Usage("--since-last needs a peer name".into()));
    }
    if peer.is_some_and(|p| p.chars().count() > 60 || p.chars().any(char::is_control)) {
        return Err(CliError::Usage(
            "--since-last takes a peer's name: one line of at most 60 characters".into(),
        ));
    }
    let m = store.export_to(path, peer, now, &mut |_, _| {})?;
    writeln!(
        out,
        "wrote {}: {} row(s) ({} deleted) from {}, changes {}..{}",
        path.display(),
        m.rows(),
        m.tombstones,
        m.origin,
        m.since_seq,
        m.upto_seq
    )?;
    Ok(())
}

/// What `import --format json` prints.
#[derive(Serialize)]
struct ImportJson<'a> {
    file: String,
    #[serde(flatten)]
    report: &'a ImportReport,
}

pub fn import(
    store: &mut Store,
    path: &PathBuf,
    dry_run: bool,
    format: Format,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::ReadFile {
        path: path.clone(),
        source,
    })?;
    let bundle = Bundle::decode(&bytes).map_err(|e| CliError::Bundle {
        path: path.clone(),
        source: e,
    })?;
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let report = store.import_file(
        &bundle,
        &path.display().to_string(),
        &sha,
        dry_run,
        now,
        &mut |_, _| {},
    )?;
    match format {
        Format::Json => print_json(
            &ImportJson {
                file: path.display().to_string(),
                report: &report,
            },
            out,
        )?,
        Format::Table => {
            let s = &report.summary;
            writeln!(
                out,
                "{} {} row(s) from {}: {} new, {} updated, {} deleted, {} unchanged, {} conflict(s) ({} need a decision)",
                if dry_run { "would merge" } else { "merged" },
                report.rows,
                report.origin,
                s.new,
                s.updated,
                s.deleted,
                s.unchanged,
                s.conflicts,
                s.needs_decision
            )?;
        }
    }
    Ok(())
}

pub fn conflicts(
    store: &mut Store,
    command: ConflictCommand,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        ConflictCommand::List { all, format } => {
            let list = store.conflicts(!all)?;
            match format {
                Format::Json => print_json(&list, out)?,
                Format::Table => {
                    let mut table = comfy_table::Table::new();
                    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                    // In Chinese, as every other table; `--format json` keeps
                    // the stable keys.
                    table.set_header([
                        "编号",
                        "类型",
                        "表",
                        "记录",
                        "字段",
                        "保留的值",
                        "落选的值",
                        "须人决定",
                        "状态",
                    ]);
                    for c in &list {
                        table.add_row([
                            c.id.to_string(),
                            c.kind.clone(),
                            c.table.clone(),
                            if c.label.is_empty() {
                                c.row_uid.clone()
                            } else {
                                c.label.clone()
                            },
                            c.field.clone(),
                            c.winner_value.clone(),
                            c.loser_value.clone(),
                            if c.sensitive { "是" } else { "" }.to_string(),
                            c.status.clone(),
                        ]);
                    }
                    writeln!(out, "{table}")?;
                }
            }
        }
        ConflictCommand::Keep { id, side, by } => {
            let keep = match side {
                Side::Winner => Keep::Winner,
                Side::Loser => Keep::Loser,
            };
            store.resolve_conflict(id, keep, &by, now)?;
            writeln!(out, "conflict {id} settled")?;
        }
    }
    Ok(())
}

pub fn status(store: &Store, format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    let s = store.sync_status()?;
    match format {
        Format::Json => print_json(&s, out)?,
        Format::Table => {
            writeln!(
                out,
                "this laptop: {} (change {}), {} open conflict(s)",
                s.origin, s.seq, s.open_conflicts
            )?;
            for p in &s.peers {
                writeln!(
                    out,
                    "  {}: last bundle {} (change {}), {} change(s) since",
                    p.peer, p.exported_at, p.exported_seq, p.pending
                )?;
            }
        }
    }
    Ok(())
}
