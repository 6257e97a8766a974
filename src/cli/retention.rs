//! `stationdesk retention list|purge`: cases past their retain-until date,
//! and purging a closed one's personal information for good.

use std::io::Write;

use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;

use super::{json, parse_day, CliError, Format};
use crate::model::format_date;
use crate::store::{PurgeReport, RetentionDue, Store};

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Cases whose retain-until date has passed, longest past first (open
    /// ones too, marked: they cannot be purged until closed)
    List {
        /// The day to judge by [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Purge a closed case past its date: its client's identity, consents
    /// and review-queue values are deleted for good (other laptops delete
    /// them at their next import); the case code and dates stay
    Purge {
        /// The case's id or code
        case: String,
        /// The case code typed again, to confirm
        #[arg(long, value_name = "CODE")]
        confirm: String,
        /// Who purges (for the record)
        #[arg(long, value_name = "NAME")]
        by: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// One case in `retention list --format json`. Stable keys.
#[derive(Debug, Serialize)]
pub struct RetentionJson {
    pub case_id: i64,
    pub code: String,
    pub station_id: i64,
    pub station: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub stage: &'static str,
    pub closed_on: Option<String>,
    pub retain_until: String,
    pub days_past: i64,
    pub has_identity: bool,
    pub consents: i64,
    pub holds_personal: bool,
    pub purgeable: bool,
    pub purged_on: Option<String>,
    pub purged_by: Option<String>,
}

impl From<&RetentionDue> for RetentionJson {
    fn from(r: &RetentionDue) -> Self {
        RetentionJson {
            case_id: r.case_id,
            code: r.code.clone(),
            station_id: r.station_id,
            station: r.station_name.clone(),
            owner_id: r.owner_id,
            owner_name: r.owner_name.clone(),
            stage: r.stage.code(),
            closed_on: r.closed_on.map(format_date),
            retain_until: format_date(r.retain_until),
            days_past: r.days_past,
            has_identity: r.has_identity,
            consents: r.consents,
            holds_personal: r.holds_personal(),
            purgeable: r.purgeable(),
            purged_on: r.purged.as_ref().map(|p| format_date(p.0)),
            purged_by: r.purged.as_ref().map(|p| p.1.clone()),
        }
    }
}

/// `retention purge --format json`. Stable keys.
#[derive(Debug, Serialize)]
pub struct PurgeJson {
    pub case_id: i64,
    pub code: String,
    pub identity_removed: bool,
    pub consents_removed: i64,
    pub queue_entries_removed: i64,
    pub checkpointed: bool,
}

impl From<&PurgeReport> for PurgeJson {
    fn from(r: &PurgeReport) -> Self {
        PurgeJson {
            case_id: r.case_id,
            code: r.code.clone(),
            identity_removed: r.identity_removed,
            consents_removed: r.consents_removed,
            queue_entries_removed: r.queue_entries_removed,
            checkpointed: r.checkpointed,
        }
    }
}

pub fn retention(
    store: &mut Store,
    command: RetentionCommand,
    today: NaiveDate,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        RetentionCommand::List { as_of, format } => {
            let as_of = as_of.unwrap_or(today);
            let due = store.past_retention(as_of)?;
            match format {
                Format::Json => {
                    let rows: Vec<RetentionJson> = due.iter().map(RetentionJson::from).collect();
                    json(&rows, out)?;
                }
                Format::Table => {
                    let mut t = comfy_table::Table::new();
                    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                    t.set_header([
                        "ID",
                        "个案编号",
                        "站点",
                        "负责社工",
                        "阶段",
                        "保存至",
                        "已过天数",
                        "敏感信息",
                    ]);
                    for r in &due {
                        let held = match (r.holds_personal(), &r.purged) {
                            (true, _) if !r.purgeable() => "仍保存（未结案，不可清除）".to_owned(),
                            (true, _) => "仍保存".to_owned(),
                            (false, Some((on, by))) => {
                                format!("已清除（{} {}）", format_date(*on), by)
                            }
                            (false, None) => "无".to_owned(),
                        };
                        t.add_row([
                            r.case_id.to_string(),
                            r.code.clone(),
                            r.station_name.clone(),
                            r.owner_name.clone(),
                            r.stage.label_zh().to_owned(),
                            format_date(r.retain_until),
                            r.days_past.to_string(),
                            held,
                        ]);
                    }
                    writeln!(out, "{t}")?;
                    writeln!(
                        out,
                        "共 {} 个个案已过保存期限，{} 个仍保存敏感信息（截至 {}）",
                        due.len(),
                        due.iter().filter(|r| r.holds_personal()).count(),
                        format_date(as_of)
                    )?;
                }
            }
        }
        RetentionCommand::Purge {
            case,
            confirm,
            by,
            format,
        } => {
            let id = match case.trim().parse::<i64>() {
                Ok(id) => id,
                Err(_) => store
                    .case_id(&case)?
                    .ok_or_else(|| CliError::Usage(format!("no case has the code {case:?}")))?,
            };
            let report = store.purge_case(id, &confirm, &by, today)?;
            match format {
                Format::Json => json(&PurgeJson::from(&report), out)?,
                Format::Table => {
                    writeln!(
                        out,
                        "个案 {} 的敏感信息已清除：身份信息 {}，同意记录 {} 条，待复核队列 {} 条",
                        report.code,
                        if report.identity_removed {
                            "已删除"
                        } else {
                            "原本没有"
                        },
                        report.consents_removed,
                        report.queue_entries_removed
                    )?;
                    if !report.checkpointed {
                        writeln!(
                            out,
                            "注意：另一程序正在读取数据库，旧数据页将在其关闭后被覆盖"
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}
