//! `stationdesk import-xlsx roster|attendance FILE [--station ID] [--dry-run]`
//! and `stationdesk template roster|attendance --out FILE.xlsx`.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use clap::ValueEnum;

use super::CliError;
use crate::import::{
    apply_attendance, apply_roster, attendance_template_xlsx, guess_mapping, preview_attendance,
    preview_roster, read_table, roster_template_xlsx, ImportError, ImportKind, Mapping, Preview,
    Table,
};
use crate::store::Store;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// The station's staff (人员名册)
    Roster,
    /// Past training sessions with who attended (培训签到记录)
    Attendance,
}

impl From<Kind> for ImportKind {
    fn from(k: Kind) -> ImportKind {
        match k {
            Kind::Roster => ImportKind::Roster,
            Kind::Attendance => ImportKind::Attendance,
        }
    }
}

/// Reads the file, prints the columns found and the preview; writes
/// everything (one transaction) only when every row is good and this is
/// not a dry run. Any bad row fails the command, listing each.
pub fn import(
    store: &mut Store,
    kind: Kind,
    file: &Path,
    station: Option<i64>,
    dry_run: bool,
    today: NaiveDate,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let station_id = station_of(store, station)?;
    let name = file.display().to_string();
    let bytes = std::fs::read(file).map_err(|source| ImportError::Read {
        file: name.clone(),
        source,
    })?;
    let table = read_table(&bytes, &name)?;
    let kind = ImportKind::from(kind);
    let mapping = guess_mapping(kind, &table.headers);
    writeln!(
        out,
        "{name}: {} data row(s) under the header on row {}",
        table.rows.len(),
        table.header_row
    )?;
    write_mapping(&table, &mapping, out)?;
    match kind {
        ImportKind::Roster => {
            let preview = preview_roster(store, station_id, &table, &mapping, today)?;
            summary(&preview, out)?;
            if dry_run {
                return dry(&preview, "staff", out);
            }
            let ids = apply_roster(store, &preview)?;
            let station = store.station(station_id)?.name;
            writeln!(out, "imported {} staff into {station}", ids.len())?;
        }
        ImportKind::Attendance => {
            let preview = preview_attendance(store, station_id, &table, &mapping, today)?;
            summary(&preview, out)?;
            if dry_run {
                return dry(&preview, "sign-in(s)", out);
            }
            let done = apply_attendance(store, &preview)?;
            let station = store.station(station_id)?.name;
            writeln!(
                out,
                "imported {} training session(s) with {} sign-in(s) into {station}",
                done.trainings.len(),
                done.sign_ins
            )?;
        }
    }
    Ok(())
}

/// `--station`, or the only station there is.
fn station_of(store: &Store, station: Option<i64>) -> Result<i64, CliError> {
    if let Some(id) = station {
        store.station(id)?;
        return Ok(id);
    }
    let stations = store.list_stations()?;
    match stations.as_slice() {
        [only] => Ok(only.station.id),
        [] => Err(CliError::Usage(
            "the database has no station yet; create one first".into(),
        )),
        many => Err(CliError::Usage(format!(
            "the database has {} stations; say which with --station ID",
            many.len()
        ))),
    }
}

fn write_mapping(table: &Table, mapping: &Mapping, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "columns:")?;
    for (field, column) in mapping {
        let from = match column {
            Some(c) => format!(
                "column {} {:?}",
                column_letters(*c),
                table.headers.get(*c).map_or("", String::as_str)
            ),
            None => "(not in the file)".to_owned(),
        };
        let label = field.label_zh();
        // Chinese characters take two columns on a terminal.
        let width: usize = label
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum();
        let pad = " ".repeat(14usize.saturating_sub(width));
        writeln!(
            out,
            "  {label}{pad}{:<18} ← {from}",
            format!("({})", field.code())
        )?;
    }
    Ok(())
}

/// 0 → A, 25 → Z, 26 → AA.
fn column_letters(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// The counts; a preview with bad rows fails here with each of them.
fn summary<T>(preview: &Preview<T>, out: &mut dyn Write) -> Result<(), CliError> {
    let bad = preview.bad_rows().len();
    writeln!(
        out,
        "{} row(s) good, {bad} row(s) with problems",
        preview.good.len()
    )?;
    if preview.is_clean() {
        Ok(())
    } else {
        Err(ImportError::BadRows(preview.bad.clone()).into())
    }
}

fn dry<T>(preview: &Preview<T>, what: &str, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "dry run: {} {what} would be imported; nothing was written",
        preview.good.len()
    )?;
    Ok(())
}

/// `template roster|attendance --out FILE.xlsx`.
pub fn template(kind: Kind, path: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let bytes = match kind {
        Kind::Roster => roster_template_xlsx()?,
        Kind::Attendance => attendance_template_xlsx()?,
    };
    crate::pdf::write_file(path, &bytes)?;
    writeln!(out, "wrote {} ({} bytes)", path.display(), bytes.len())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_letters_count_like_excel() {
        assert_eq!(super::column_letters(0), "A");
        assert_eq!(super::column_letters(25), "Z");
        assert_eq!(super::column_letters(26), "AA");
        assert_eq!(super::column_letters(27), "AB");
        assert_eq!(super::column_letters(701), "ZZ");
        assert_eq!(super::column_letters(702), "AAA");
    }
}
