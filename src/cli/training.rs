//! `stationdesk training list|show|hours`.

use std::io::Write;

use chrono::NaiveDate;

use super::{CliError, Format};
use crate::store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum TrainingCommand {
    /// Training sessions, newest first
    List {
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        #[arg(long, value_name = "YYYY")]
        year: Option<i32>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// One session with its sign-ins and assessments
    Show {
        id: i64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Continuing-education hours per certified worker for the registration
    /// period (R16)
    Hours {
        /// The day to count up to [default: today]
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_day)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    t
}

pub fn training(
    store: &Store,
    command: TrainingCommand,
    today: NaiveDate,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        TrainingCommand::List {
            station,
            year,
            format,
        } => {
            if let Some(id) = station {
                store.station(id)?;
            }
            let rows = store.list_trainings(station, year)?;
            match format {
                Format::Json => super::json(&rows, out)?,
                Format::Table => {
                    let mut t = table(&[
                        "ID", "日期", "时间", "主题", "内容", "方式", "讲师", "学时", "出席",
                    ]);
                    for r in &rows {
                        t.add_row([
                            r.id.to_string(),
                            r.date.to_string(),
                            format!("{}–{}", r.start.format("%H:%M"), r.end.format("%H:%M")),
                            r.title.clone(),
                            r.area.label_zh().to_owned(),
                            r.method.label_zh().to_owned(),
                            r.trainer.clone().unwrap_or_default(),
                            format!(
                                "{}{}",
                                r.hours,
                                if r.counts_ce {
                                    ""
                                } else {
                                    "（不计继续教育）"
                                }
                            ),
                            r.attended.to_string(),
                        ]);
                    }
                    writeln!(out, "{t}")?;
                }
            }
        }
        TrainingCommand::Show { id, format } => {
            let v = store.training_view(id)?;
            match format {
                Format::Json => super::json(&v, out)?,
                Format::Table => {
                    let s = &v.summary;
                    writeln!(
                        out,
                        "{} {}（{}，{}）{} {}–{}，{} 学时，讲师 {}",
                        v.station_name,
                        s.title,
                        s.area.label_zh(),
                        s.method.label_zh(),
                        s.date,
                        s.start.format("%H:%M"),
                        s.end.format("%H:%M"),
                        s.hours,
                        s.trainer.as_deref().unwrap_or("—")
                    )?;
                    let mut t = table(&["姓名", "单位", "签到", "到", "离", "计入学时"]);
                    for a in &v.attendance {
                        let hm = |x: Option<chrono::NaiveTime>| {
                            x.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
                        };
                        t.add_row([
                            a.name.clone(),
                            a.unit.clone(),
                            a.status.label_zh().to_owned(),
                            hm(a.arrived),
                            hm(a.left),
                            a.credited_hours.to_string(),
                        ]);
                    }
                    writeln!(out, "{t}")?;
                    if !v.assessments.is_empty() {
                        let mut t = table(&["姓名", "考核方式", "分数", "结果"]);
                        for a in &v.assessments {
                            t.add_row([
                                a.name.clone(),
                                a.kind.label_zh().to_owned(),
                                a.score.map(|s| s.to_string()).unwrap_or_default(),
                                if a.passed { "合格" } else { "不合格" }.to_owned(),
                            ]);
                        }
                        writeln!(out, "{t}")?;
                    }
                }
            }
        }
        TrainingCommand::Hours {
            as_of,
            station,
            format,
        } => {
            if let Some(id) = station {
                store.station(id)?;
            }
            let rows = store.hours_ledger(station, as_of.unwrap_or(today))?;
            match format {
                Format::Json => super::json(&rows, out)?,
                Format::Table => {
                    let mut t = table(&[
                        "ID",
                        "姓名",
                        "资格",
                        "注册期",
                        "应修",
                        "已修",
                        "本年",
                        "按期应达",
                        "状态",
                    ]);
                    for r in &rows {
                        t.add_row([
                            r.staff_id.to_string(),
                            r.name.clone(),
                            r.qualification.label_zh().to_owned(),
                            format!("{}～{}", r.period_start, r.period_end),
                            format!("{}", r.required_hours),
                            format!("{}", r.earned_hours),
                            format!("{}", r.year_hours),
                            format!("{}", r.prorated_target),
                            if r.expired {
                                "注册已到期".to_owned()
                            } else if r.behind {
                                "落后".to_owned()
                            } else {
                                "正常".to_owned()
                            },
                        ]);
                    }
                    writeln!(out, "{t}")?;
                }
            }
        }
    }
    Ok(())
}

/// `export-xlsx hours`: the ledger as a workbook, written whole or not at all.
pub fn export_hours(
    store: &Store,
    station: Option<i64>,
    as_of: NaiveDate,
    path: &std::path::Path,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let scope = match station {
        Some(id) => store.station(id)?.name,
        None => "全部站点".to_owned(),
    };
    let rows = store.hours_ledger(station, as_of)?;
    let bytes = crate::xlsx::hours_xlsx(&rows, &scope, as_of)?;
    crate::pdf::write_file(path, &bytes)?;
    store.audit(crate::store::AuditAction::Export, None, None, serde_json::json!({"kind": "xlsx", "what": "hours", "station_id": station, "as_of": as_of.to_string(), "file": path.display().to_string()}))?;
    writeln!(
        out,
        "wrote {} ({} staff, {} bytes)",
        path.display(),
        rows.len(),
        bytes.len()
    )?;
    Ok(())
}
