//! `stationdesk verify`: recomputes the signed records' hash chains and
//! names every record altered behind the program's back.

use std::io::Write;

use serde::Serialize;

use super::{json as print_json, CliError, Format};
use crate::store::{SealReport, Store};

/// The exit code of `verify` when anything was altered.
pub const ALTERED_EXIT: u8 = 3;

/// What `verify --format json` prints. The keys are a stable interface for
/// scripts: add new ones, never rename.
#[derive(Debug, Serialize)]
struct VerifyJson<'a> {
    ok: bool,
    records: usize,
    entries: usize,
    chains: Vec<ChainJson<'a>>,
    problems: Vec<ProblemJson<'a>>,
}

#[derive(Debug, Serialize)]
struct ChainJson<'a> {
    supervisor_id: i64,
    supervisor_name: &'a str,
    entries: i64,
    head: &'a str,
}

#[derive(Debug, Serialize)]
struct ProblemJson<'a> {
    record_id: i64,
    year: Option<i32>,
    number: Option<i64>,
    supervisor_id: i64,
    supervisor_name: &'a str,
    kind: &'static str,
    detail: &'a str,
}

fn to_json(r: &SealReport) -> VerifyJson<'_> {
    VerifyJson {
        ok: r.ok(),
        records: r.records,
        entries: r.entries,
        chains: r
            .chains
            .iter()
            .map(|c| ChainJson {
                supervisor_id: c.supervisor_id,
                supervisor_name: &c.supervisor_name,
                entries: c.entries,
                head: &c.head,
            })
            .collect(),
        problems: r
            .problems
            .iter()
            .map(|p| ProblemJson {
                record_id: p.record_id,
                year: p.year,
                number: p.number,
                supervisor_id: p.supervisor_id,
                supervisor_name: &p.supervisor_name,
                kind: p.kind.code(),
                detail: &p.detail,
            })
            .collect(),
    }
}

/// Prints the report; `CliError::Altered` (exit code 3) when anything was.
pub fn verify(store: &Store, format: Format, out: &mut dyn Write) -> Result<(), CliError> {
    let report = store.verify_seals()?;
    match format {
        Format::Json => print_json(&to_json(&report), out)?,
        Format::Table => {
            if !report.problems.is_empty() {
                let mut table = comfy_table::Table::new();
                table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                table.set_header(["记录 ID", "编号", "督导", "问题", "详情"]);
                for p in &report.problems {
                    table.add_row([
                        p.record_id.to_string(),
                        match (p.year, p.number) {
                            (Some(y), Some(n)) => format!("{y}年第{n}次"),
                            _ => String::new(),
                        },
                        p.supervisor_name.clone(),
                        format!("{} ({})", p.kind.label_zh(), p.kind.code()),
                        p.detail.clone(),
                    ]);
                }
                writeln!(out, "{table}")?;
            }
            let mut table = comfy_table::Table::new();
            table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
            table.set_header(["督导 ID", "督导", "封存条目", "链头 (SHA-256)"]);
            for c in &report.chains {
                table.add_row([
                    c.supervisor_id.to_string(),
                    c.supervisor_name.clone(),
                    c.entries.to_string(),
                    c.head.clone(),
                ]);
            }
            writeln!(out, "{table}")?;
            if report.ok() {
                writeln!(
                    out,
                    "OK: {} signed record(s), {} seal entries in {} chain(s); nothing altered",
                    report.records,
                    report.entries,
                    report.chains.len()
                )?;
            } else {
                writeln!(
                    out,
                    "ALTERED: {} problem(s) in {} record(s)",
                    report.problems.len(),
                    report.altered_records().len()
                )?;
            }
        }
    }
    if report.ok() {
        Ok(())
    } else {
        Err(CliError::Altered {
            problems: report.problems.len(),
            records: report.altered_records().len(),
        })
    }
}
