//! `stationdesk workload`.

use std::io::Write;

use super::{CliError, Format};
use crate::model::{Month, SupervisorMonth};
use crate::store::Store;
use chrono::NaiveDate;

pub fn workload(
    store: &Store,
    month: Option<Month>,
    supervisor: Option<i64>,
    station: Option<i64>,
    format: Format,
    today: NaiveDate,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let month = month.unwrap_or_else(|| Month::of(today));
    let scope = super::scope(store, supervisor, station)?;
    // JSON: `SupervisorMonth` as it is (keys in the README).
    let rows: Vec<SupervisorMonth> = store.workload(scope, month, today)?;
    match format {
        Format::Json => super::json(&rows, out)?,
        Format::Table => {
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
            t.set_header([
                "督导",
                "岗位",
                "被督导者",
                "负荷",
                "督导次数",
                "时长",
                "覆盖率",
                "R4 个别/小组",
                "备注",
            ]);
            for r in &rows {
                let role = r.role.label_zh();
                let note = crate::pdf::workload_note(r);
                t.add_row([
                    r.name.clone(),
                    role.to_owned(),
                    match r.ratio_limit {
                        Some(l) => format!("{}/{}", r.supervisees, l),
                        None => r.supervisees.to_string(),
                    },
                    r.load_pct.map(|p| format!("{p:.0}%")).unwrap_or_default(),
                    r.sessions.to_string(),
                    format!("{:.1} 小时", r.hours),
                    format!("{:.0}%", r.coverage_pct),
                    format!("{}/{}", r.received_individual, r.received_group),
                    note,
                ]);
            }
            writeln!(out, "{month} 督导工作量")?;
            writeln!(out, "{t}")?;
        }
    }
    Ok(())
}

/// `export-xlsx workload`: the month's table as a workbook, written whole or
/// not at all.
pub fn export(
    store: &Store,
    month: Month,
    station: Option<i64>,
    path: &std::path::Path,
    today: NaiveDate,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let scope = super::scope(store, None, station)?;
    let rows = store.workload(scope, month, today)?;
    let stations = store.station_names()?;
    let bytes = crate::xlsx::workload_xlsx(&rows, month, &stations)?;
    crate::pdf::write_file(path, &bytes)?;
    store.audit(crate::store::AuditAction::Export, None, None, serde_json::json!({"kind": "xlsx", "what": "workload", "month": month.to_string(), "station_id": station, "file": path.display().to_string()}))?;
    writeln!(
        out,
        "wrote {} ({} supervisors, {} bytes)",
        path.display(),
        rows.len(),
        bytes.len()
    )?;
    Ok(())
}
