//! `stationdesk print ...`: PDFs written whole or not at all.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDateTime;

use super::{CliError, PrintCommand};
use crate::pdf;
use crate::store::{RecordFilter, Store};

pub fn print(
    store: &Store,
    command: PrintCommand,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let printed_at = format!("打印于 {}", now.format("%Y-%m-%d %H:%M"));
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
    };
    write_whole(&path, &bytes)?;
    writeln!(out, "wrote {} ({} bytes)", path.display(), bytes.len())?;
    Ok(())
}

/// Writes to a temporary file beside `path`, then renames it into place:
/// an interrupted write never leaves a half PDF under the real name.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let fail = |source| CliError::WriteFile {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
