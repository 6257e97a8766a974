//! `stationdesk print ...`: PDFs written whole or not at all.

use std::io::Write;

use chrono::NaiveDateTime;

use super::{CliError, PrintCommand};
use crate::pdf;
use crate::store::{AuditAction, RecordFilter, Store};

pub fn print(
    store: &Store,
    command: PrintCommand,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let printed_at = format!("打印于 {}", now.format("%Y-%m-%d %H:%M"));
    let detail = print_detail(&command);
    let (bytes, path) = match command {
        PrintCommand::Supervision { id, out } => {
            let record = store.record(id)?;
            (
                pdf::supervision_record_pdf(&pdf::record_sheet(&record, &printed_at))?,
                out,
            )
        }
        PrintCommand::Summary {
            supervisor,
            month,
            out,
        } => {
            let month = (month.year, month.month);
            let boss = store.staff_view(supervisor, now.date())?;
            let summary = store.month_summary(supervisor, month, now.date())?;
            let records = store.list_records(RecordFilter {
                supervisor_id: Some(supervisor),
                month: Some(month),
            })?;
            let sheet = pdf::summary_sheet(
                &boss.station_name,
                &boss.staff.record.name,
                month,
                &summary,
                &records,
                &printed_at,
            );
            (pdf::monthly_summary_pdf(&sheet)?, out)
        }
        PrintCommand::Signin { training_id, out } => {
            let view = store.training_view(training_id)?;
            let roster = store.training_roster(training_id)?;
            let sheet = pdf::signin_sheet(&view, &roster, &printed_at);
            (pdf::signin_pdf(&sheet)?, out)
        }
        PrintCommand::Hours {
            station,
            staff,
            as_of,
            out,
        } => {
            let as_of = as_of.unwrap_or(now.date());
            let sheet = match staff {
                Some(id) => {
                    let view = store.staff_view(id, as_of)?;
                    let (row, entries) = store.hours_detail(id, as_of)?.ok_or_else(|| {
                        CliError::Usage(match view.staff.record.left_date {
                            Some(left) if !view.staff.record.active() => format!(
                                "staff {id} ({}) left on {}: the hours ledger covers staff still on the station",
                                view.staff.record.name,
                                crate::model::format_date(left)
                            ),
                            _ => format!(
                                "staff {id} has no registration: continuing-education hours apply to certified workers"
                            ),
                        })
                    })?;
                    pdf::hours_certificate_sheet(
                        &view.station_name,
                        &row,
                        &entries,
                        as_of,
                        &printed_at,
                    )
                }
                None => {
                    let scope = match station {
                        Some(id) => store.station(id)?.name,
                        None => "全部站点".to_owned(),
                    };
                    let rows = store.hours_ledger(station, as_of)?;
                    pdf::hours_report_sheet(&scope, as_of, &rows, &printed_at)
                }
            };
            (pdf::hours_pdf(&sheet)?, out)
        }
        PrintCommand::Workload {
            month,
            station,
            out,
        } => {
            let scope = super::scope(store, None, station)?;
            let stations = store.station_names()?;
            let name = station
                .and_then(|id| stations.get(&id).cloned())
                .unwrap_or_else(|| "全部站点".to_owned());
            let rows = store.workload(scope, month, now.date())?;
            let sheet = pdf::workload_sheet(&name, month, &rows, &stations, &printed_at);
            (pdf::workload_pdf(&sheet)?, out)
        }
    };
    pdf::write_file(&path, &bytes)?;
    let mut detail = detail;
    detail["file"] = path.display().to_string().into();
    store.audit(AuditAction::Export, None, None, detail)?;
    writeln!(out, "wrote {} ({} bytes)", path.display(), bytes.len())?;
    Ok(())
}

/// What the audit log keeps of a print: the sheet and what it was of.
fn print_detail(command: &PrintCommand) -> serde_json::Value {
    use serde_json::json;
    match command {
        PrintCommand::Supervision { id, .. } => {
            json!({"kind": "pdf", "what": "supervision", "record_id": id})
        }
        PrintCommand::Summary {
            supervisor, month, ..
        } => json!({"kind": "pdf", "what": "summary", "supervisor_id": supervisor,
            "month": month.to_string()}),
        PrintCommand::Signin { training_id, .. } => {
            json!({"kind": "pdf", "what": "signin", "training_id": training_id})
        }
        PrintCommand::Hours { station, staff, .. } => {
            json!({"kind": "pdf", "what": "hours", "station_id": station, "staff_id": staff})
        }
        PrintCommand::Workload { month, station, .. } => json!({"kind": "pdf", "what": "workload",
            "month": month.to_string(), "station_id": station}),
    }
}
