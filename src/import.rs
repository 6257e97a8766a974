//! Importing a station's roster and past training attendance from a
//! spreadsheet (`.xlsx`, `.xls`, `.ods` through calamine, or `.csv`).
//!
//! The steps, so the window can show each one: `read_table` (the file as
//! text cells), `guess_mapping` (which column holds which field; the user
//! may change it), `preview_roster` / `preview_attendance` (every row
//! checked with the same checks as the forms: good rows, and each bad row
//! with its row number and reason), then `apply_roster` /
//! `apply_attendance`, which refuse a preview with any bad row and write
//! all rows in one transaction or nothing.

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;

use crate::model::{
    format_date, parse_time, parse_user_date, Code, ContentArea, Invalid, Qualification, Role,
    SignIn, SignInInput, SignedIn, Staff, StaffInput, Training, TrainingInput, TrainingMethod,
};
use crate::store::{Store, StoreError, TrainingKey};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// The station's staff (人员名册).
    Roster,
    /// Past training sessions with who attended (培训签到记录).
    Attendance,
}

/// A field an import fills from a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Role,
    Qualification,
    CertificateNo,
    RegistrationDate,
    StartDate,
    LeftDate,
    Title,
    Date,
    Start,
    End,
    Status,
    Arrived,
    Left,
    Hours,
    Area,
    Method,
    Place,
    CountsCe,
}

const ROSTER_FIELDS: &[Field] = &[
    Field::Name,
    Field::Role,
    Field::Qualification,
    Field::CertificateNo,
    Field::RegistrationDate,
    Field::StartDate,
    Field::LeftDate,
];

const ATTENDANCE_FIELDS: &[Field] = &[
    Field::Name,
    Field::Title,
    Field::Date,
    Field::Start,
    Field::End,
    Field::Status,
    Field::Arrived,
    Field::Left,
    Field::Hours,
    Field::Area,
    Field::Method,
    Field::Place,
    Field::CountsCe,
];

impl ImportKind {
    /// The fields of this kind of file, in the template's column order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            ImportKind::Roster => ROSTER_FIELDS,
            ImportKind::Attendance => ATTENDANCE_FIELDS,
        }
    }

    /// The fields a file must have a column for.
    pub fn required(self) -> &'static [Field] {
        match self {
            ImportKind::Roster => &[Field::Name, Field::Role, Field::StartDate],
            ImportKind::Attendance => &[
                Field::Name,
                Field::Title,
                Field::Date,
                Field::Start,
                Field::End,
            ],
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Roster => "roster",
            ImportKind::Attendance => "attendance",
        }
    }
}

impl Field {
    pub fn code(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Role => "role",
            Field::Qualification => "qualification",
            Field::CertificateNo => "certificate_no",
            Field::RegistrationDate => "registration_date",
            Field::StartDate => "start_date",
            Field::LeftDate => "left_date",
            Field::Title => "title",
            Field::Date => "date",
            Field::Start => "start",
            Field::End => "end",
            Field::Status => "status",
            Field::Arrived => "arrived",
            Field::Left => "left",
            Field::Hours => "hours",
            Field::Area => "area",
            Field::Method => "method",
            Field::Place => "place",
            Field::CountsCe => "counts_ce",
        }
    }

    /// The column heading in the templates.
    pub fn label_zh(self) -> &'static str {
        match self {
            Field::Name => "姓名",
            Field::Role => "岗位",
            Field::Qualification => "职业资格",
            Field::CertificateNo => "证书编号",
            Field::RegistrationDate => "登记日期",
            Field::StartDate => "入职日期",
            Field::LeftDate => "离职日期",
            Field::Title => "培训主题",
            Field::Date => "培训日期",
            Field::Start => "开始时间",
            Field::End => "结束时间",
            Field::Status => "签到状态",
            Field::Arrived => "到达时间",
            Field::Left => "离开时间",
            Field::Hours => "计入学时",
            Field::Area => "内容领域",
            Field::Method => "培训方式",
            Field::Place => "地点",
            Field::CountsCe => "计入继续教育",
        }
    }

    /// Headings recognised for the field, written as `normalise_heading`
    /// leaves them (lower case, no spaces, `_` or `-`).
    fn headings(self) -> &'static [&'static str] {
        match self {
            Field::Name => &[
                "姓名",
                "名字",
                "员工姓名",
                "人员姓名",
                "社工姓名",
                "name",
                "fullname",
                "staffname",
            ],
            Field::Role => &[
                "岗位",
                "职位",
                "职务",
                "角色",
                "岗位类别",
                "role",
                "position",
                "post",
            ],
            Field::Qualification => &[
                "职业资格",
                "资格",
                "职业水平",
                "资格等级",
                "职业资格等级",
                "qualification",
            ],
            Field::CertificateNo => &[
                "证书编号",
                "证书号",
                "证书号码",
                "登记证书编号",
                "certificateno",
                "certificatenumber",
                "certificate",
                "certno",
            ],
            Field::RegistrationDate => &[
                "登记日期",
                "注册日期",
                "登记时间",
                "registrationdate",
                "registered",
                "registration",
            ],
            Field::StartDate => &[
                "入职日期",
                "入职时间",
                "到岗日期",
                "startdate",
                "start",
                "joined",
                "hiredate",
            ],
            Field::LeftDate => &[
                "离职日期",
                "离职时间",
                "leftdate",
                "leavingdate",
                "leftstation",
                "left",
                "enddate",
            ],
            Field::Title => &[
                "培训主题",
                "主题",
                "培训名称",
                "培训内容",
                "课程",
                "课程名称",
                "title",
                "topic",
                "training",
            ],
            Field::Date => &["培训日期", "日期", "date", "trainingdate"],
            Field::Start => &["开始时间", "开始", "起始时间", "starttime", "start", "from"],
            Field::End => &["结束时间", "结束", "endtime", "end", "to"],
            Field::Status => &[
                "签到状态",
                "签到",
                "状态",
                "出勤",
                "出勤情况",
                "考勤",
                "status",
                "attendance",
            ],
            Field::Arrived => &[
                "到达时间",
                "签到时间",
                "迟到时间",
                "arrived",
                "arrival",
                "arrivedat",
            ],
            Field::Left => &[
                "离开时间",
                "签退时间",
                "早退时间",
                "left",
                "leftat",
                "departure",
            ],
            Field::Hours => &[
                "计入学时",
                "学时",
                "学时数",
                "时长",
                "小时",
                "hours",
                "credited",
                "creditedhours",
            ],
            Field::Area => &[
                "内容领域",
                "领域",
                "培训类别",
                "类别",
                "area",
                "contentarea",
            ],
            Field::Method => &["培训方式", "方式", "形式", "培训形式", "method"],
            Field::Place => &["地点", "培训地点", "place", "location", "venue"],
            Field::CountsCe => &[
                "计入继续教育",
                "继续教育",
                "countsce",
                "ce",
                "continuingeducation",
            ],
        }
    }
}

/// A sheet as text: the header row and the data rows under it, every cell
/// trimmed; blank rows are left out. Row numbers are the ones the user
/// sees in Excel (the header is usually row 1, the first data row row 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub headers: Vec<String>,
    /// The sheet row number of the header.
    pub header_row: usize,
    pub rows: Vec<Vec<String>>,
    /// The sheet row number of each of `rows`.
    pub row_numbers: Vec<usize>,
}

impl Table {
    /// A table whose header is row 1 and whose rows follow it without gaps.
    pub fn new(headers: Vec<String>, rows: Vec<Vec<String>>) -> Table {
        let row_numbers = (2..rows.len() + 2).collect();
        Table {
            headers,
            header_row: 1,
            rows,
            row_numbers,
        }
    }
}

/// Which column (an index into `Table::headers`) fills each field; `None`
/// when the file has no column for it.
pub type Mapping = Vec<(Field, Option<usize>)>;

/// One refused row: its row number, the column, the cell and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    /// The column's heading in the file, or the field's Chinese name.
    pub field: String,
    /// The cell as it was in the file.
    pub value: String,
    /// A `Code` (`bad_date`, …) or one of the import's own: `duplicate_in_file`,
    /// `already_on_staff`, `unknown_staff`, `ambiguous_staff`,
    /// `not_on_staff_that_day`, `hours_mismatch`, `session_conflict`,
    /// `already_recorded`, `signed_in_twice`, `changed`, `template_example`.
    pub code: String,
    /// The reason in English, as the command line prints it.
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.value.is_empty() {
            write!(f, "row {}: {} {}", self.row, self.field, self.reason)
        } else {
            write!(
                f,
                "row {}: {} {:?} {}",
                self.row, self.field, self.value, self.reason
            )
        }
    }
}

/// A row that passed every check, with its row number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoodRow<T> {
    pub row: usize,
    pub input: T,
}

/// What an import would do: the good rows and every bad one. Only a
/// preview without bad rows can be applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview<T> {
    pub kind: ImportKind,
    pub station_id: i64,
    /// The day the checks ran as of (dates after it are refused).
    pub today: NaiveDate,
    pub good: Vec<GoodRow<T>>,
    pub bad: Vec<RowError>,
}

impl<T> Preview<T> {
    /// No bad row: the preview may be applied.
    pub fn is_clean(&self) -> bool {
        self.bad.is_empty()
    }

    /// Row numbers with at least one problem, in order.
    pub fn bad_rows(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = self.bad.iter().map(|e| e.row).collect();
        rows.dedup();
        rows
    }
}

/// One sign-in of a past session as read from a row, every field
/// normalised (dates `YYYY-MM-DD`, times `HH:MM`, choices as codes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttendanceInput {
    pub staff_id: i64,
    pub name: String,
    pub title: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub area: String,
    pub method: String,
    pub place: String,
    pub counts_ce: bool,
    pub status: String,
    pub arrived: String,
    pub left: String,
    /// The hours the sign-in credits (`SignInInput::validate`).
    pub credited_hours: f64,
}

impl AttendanceInput {
    pub fn training_input(&self, station_id: i64) -> TrainingInput {
        TrainingInput {
            station_id,
            title: self.title.clone(),
            area: self.area.clone(),
            method: self.method.clone(),
            trainer_id: None,
            date: self.date.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            place: self.place.clone(),
            counts_ce: self.counts_ce,
            plan_item_id: None,
        }
    }

    pub fn sign_in_input(&self) -> SignInInput {
        SignInInput {
            status: self.status.clone(),
            arrived: self.arrived.clone(),
            left: self.left.clone(),
        }
    }
}

/// What `apply_attendance` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttendanceApplied {
    /// The new sessions' ids.
    pub trainings: Vec<i64>,
    pub sign_ins: usize,
}

/// Why an import was refused. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error(
        "{file} is not a spreadsheet StationDesk can read: {reason}; \
         save it from Excel or WPS as .xlsx or .csv"
    )]
    NotATable { file: String, reason: String },
    #[error("{file} is empty: it has no data rows under a header row")]
    Empty { file: String },
    #[error(
        "wrong columns: no column for {} (required); the file's columns are: {}",
        .missing.join(", "),
        .found.join(", ")
    )]
    MissingColumns {
        missing: Vec<String>,
        found: Vec<String>,
    },
    #[error("the mapping names column {index}, but the file has {count} column(s)")]
    BadMapping { index: usize, count: usize },
    #[error("{} row(s) have problems; nothing was imported:\n{}", count_rows(.0), list(.0))]
    BadRows(Vec<RowError>),
    #[error(
        "the database changed since the preview; nothing was imported:\n{}",
        list(.0)
    )]
    Changed(Vec<RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot make the template: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

fn count_rows(errors: &[RowError]) -> usize {
    let mut rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
    rows.sort_unstable();
    rows.dedup();
    rows.len()
}

/// The first 50 problems, a line each.
fn list(errors: &[RowError]) -> String {
    const SHOWN: usize = 50;
    let mut lines: Vec<String> = errors
        .iter()
        .take(SHOWN)
        .map(|e| format!("  {e}"))
        .collect();
    if errors.len() > SHOWN {
        lines.push(format!("  … and {} more", errors.len() - SHOWN));
    }
    lines.join("\n")
}

// ---------------------------------------------------------------------------
// Reading a file

const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// Reads the first worksheet of a workbook, or a CSV file (UTF-8 with or
/// without BOM, UTF-16 with BOM, or GBK as Excel on Chinese Windows saves
/// it; comma-, tab- or semicolon-separated). Which one is decided by the
/// content, then the file name. The header is the first row with at least
/// two cells filled (a title row above it is skipped).
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Table, ImportError> {
    let file = file_name.to_owned();
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Empty { file });
    }
    let ext = std::path::Path::new(file_name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let grid = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        read_workbook(bytes, &file)?
    } else if WORKBOOK_EXTENSIONS.contains(&ext.as_str()) {
        return Err(ImportError::NotATable {
            reason: format!("{} (not an Excel workbook)", describe(bytes)),
            file,
        });
    } else {
        read_csv(bytes, &file)?
    };
    table_from_grid(grid, file)
}

/// What a file that is not a table seems to be, for the message.
fn describe(bytes: &[u8]) -> &'static str {
    let head = &bytes[..bytes.len().min(512)];
    let starts = |m: &[u8]| head.starts_with(m);
    let lower = String::from_utf8_lossy(head).to_lowercase();
    if starts(b"%PDF") {
        "it is a PDF document"
    } else if starts(b"{\\rtf") {
        "it is an RTF document"
    } else if lower.contains("<html") || lower.contains("<!doctype") {
        "it is a web page"
    } else if starts(&[0x89, b'P', b'N', b'G']) || starts(&[0xFF, 0xD8, 0xFF]) {
        "it is an image"
    } else if starts(b"PK\x03\x04") {
        "it is a zip archive but not a workbook"
    } else {
        "its content is not a spreadsheet"
    }
}

/// Rows of cells with their sheet row numbers (1-based).
type Grid = Vec<(usize, Vec<String>)>;

fn read_workbook(bytes: &[u8], file: &str) -> Result<Grid, ImportError> {
    use calamine::Reader;
    let not_a_table = |reason: String| ImportError::NotATable {
        file: file.to_owned(),
        reason,
    };
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        not_a_table(format!(
            "{} ({e})",
            if bytes.starts_with(b"PK") {
                describe(bytes)
            } else {
                "the workbook cannot be opened"
            }
        ))
    })?;
    let range = match book.worksheet_range_at(0) {
        None => {
            return Err(ImportError::Empty {
                file: file.to_owned(),
            })
        }
        Some(r) => r.map_err(|e| not_a_table(format!("its first sheet cannot be read ({e})")))?,
    };
    let Some((top, left)) = range.start() else {
        return Ok(vec![]);
    };
    let mut grid = Vec::with_capacity(range.height());
    for (i, row) in range.rows().enumerate() {
        let mut cells = vec![String::new(); left as usize];
        cells.extend(row.iter().map(cell_text));
        grid.push((top as usize + i + 1, cells));
    }
    Ok(grid)
}

/// A cell as the text the checks read: dates `YYYY-MM-DD`, times `HH:MM`,
/// whole numbers without `.0`.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(dt) if dt.is_duration() => {
            let minutes = (dt.as_f64() * 1440.0).round() as i64;
            format!("{:02}:{:02}", minutes / 60, minutes % 60)
        }
        Data::DateTime(dt) => {
            let v = dt.as_f64();
            let minutes = ((v - v.floor()) * 1440.0).round() as u32;
            let time = format!("{:02}:{:02}", minutes / 60 % 24, minutes % 60);
            if v < 1.0 {
                return time;
            }
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            let date = format!("{y:04}-{m:02}-{d:02}");
            if minutes == 0 {
                date
            } else {
                format!("{date} {time}")
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().replacen('T', " ", 1),
        Data::Error(e) => e.to_string(),
    }
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn read_csv(bytes: &[u8], file: &str) -> Result<Grid, ImportError> {
    let not_a_table = |reason: &str| ImportError::NotATable {
        file: file.to_owned(),
        reason: reason.to_owned(),
    };
    if bytes.starts_with(b"%PDF") || bytes.starts_with(b"PK") {
        return Err(not_a_table(describe(bytes)));
    }
    let text: std::borrow::Cow<str> = if bytes.starts_with(&[0xFF, 0xFE]) {
        encoding_rs::UTF_16LE.decode_with_bom_removal(bytes).0
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        encoding_rs::UTF_16BE.decode_with_bom_removal(bytes).0
    } else {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(body) {
            Ok(t) => t.into(),
            Err(_) => encoding_rs::GBK
                .decode_without_bom_handling_and_without_replacement(body)
                .ok_or_else(|| {
                    not_a_table(&format!(
                        "{}; it is neither UTF-8 nor GBK text",
                        describe(bytes)
                    ))
                })?,
        }
    };
    let binary = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
        .count();
    if binary > 0 {
        return Err(not_a_table(&format!(
            "{}; it holds binary data",
            describe(bytes)
        )));
    }
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .filter(|d| first_line.bytes().any(|b| b == *d))
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        // `\n` ends a row (a `\r` before it is trimmed with the cell), so
        // the line numbers are right for CRLF files too.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    // The reader skips empty lines, and a record's position may lie before
    // them: count the lines up to the record's first character.
    let (mut line, mut counted_to) = (1, 0);
    for record in reader.records() {
        let record = record.map_err(|e| not_a_table(&format!("the CSV cannot be read ({e})")))?;
        let mut at = record
            .position()
            .map_or(counted_to, |p| p.byte() as usize)
            .clamp(counted_to, text.len());
        while matches!(text.as_bytes().get(at), Some(b'\r' | b'\n')) {
            at += 1;
        }
        line += text.as_bytes()[counted_to..at]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = at;
        grid.push((line, record.iter().map(|c| c.trim().to_owned()).collect()));
    }
    Ok(grid)
}

fn table_from_grid(grid: Grid, file: String) -> Result<Table, ImportError> {
    let filled = |cells: &Vec<String>| cells.iter().filter(|c| !c.is_empty()).count();
    let nonblank: Vec<&(usize, Vec<String>)> =
        grid.iter().filter(|(_, cells)| filled(cells) > 0).collect();
    // The header: the first row with two cells or more, among the first
    // few (a title such as 青溪镇社工站人员名册 may stand above it).
    let header_at = nonblank
        .iter()
        .take(10)
        .position(|(_, cells)| filled(cells) >= 2)
        .unwrap_or(0);
    let Some((header_row, header)) = nonblank.get(header_at) else {
        return Err(ImportError::Empty { file });
    };
    let mut headers = header.clone();
    while headers.last().is_some_and(String::is_empty) {
        headers.pop();
    }
    let (row_numbers, rows): (Vec<usize>, Vec<Vec<String>>) = nonblank[header_at + 1..]
        .iter()
        .map(|(n, cells)| (*n, cells.clone()))
        .unzip();
    if rows.is_empty() {
        return Err(ImportError::Empty { file });
    }
    Ok(Table {
        headers,
        header_row: *header_row,
        rows,
        row_numbers,
    })
}

// ---------------------------------------------------------------------------
// Mapping columns to fields

/// A heading as compared: lower case, without spaces, `_`, `-`, `*`, a
/// trailing colon, or a note in brackets (`入职日期（必填）`).
fn normalise_heading(h: &str) -> String {
    let cut = h.find(['(', '（', '[', '【']).unwrap_or(h.len());
    h[..cut]
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | ':' | '：'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Guesses which column holds each field of `kind` from the headings, in
/// Chinese or English. Each column fills at most one field.
pub fn guess_mapping(kind: ImportKind, headers: &[String]) -> Mapping {
    let norm: Vec<String> = headers.iter().map(|h| normalise_heading(h)).collect();
    let mut used = vec![false; headers.len()];
    let mut mapping: Mapping = kind.fields().iter().map(|f| (*f, None)).collect();
    // Exact headings first, for every field; then a heading that contains a
    // Chinese one (培训日期（年月日） → 培训日期).
    for (field, column) in mapping.iter_mut() {
        for heading in field.headings() {
            if let Some(i) = (0..norm.len()).find(|&i| !used[i] && norm[i] == *heading) {
                *column = Some(i);
                used[i] = true;
                break;
            }
        }
    }
    for (field, column) in mapping.iter_mut().filter(|(_, c)| c.is_none()) {
        let chinese = field.headings().iter().filter(|h| !h.is_ascii());
        for heading in chinese {
            if let Some(i) = (0..norm.len()).find(|&i| !used[i] && norm[i].contains(heading)) {
                *column = Some(i);
                used[i] = true;
                break;
            }
        }
    }
    mapping
}

/// Refuses a mapping that leaves a required field without a column or
/// names a column the table does not have.
pub fn check_mapping(
    kind: ImportKind,
    table: &Table,
    mapping: &Mapping,
) -> Result<(), ImportError> {
    for (_, column) in mapping {
        if let Some(index) = *column {
            if index >= table.headers.len() {
                return Err(ImportError::BadMapping {
                    index,
                    count: table.headers.len(),
                });
            }
        }
    }
    let missing: Vec<String> = kind
        .required()
        .iter()
        .filter(|f| !mapping.iter().any(|(g, c)| g == *f && c.is_some()))
        .map(|f| format!("{} ({})", f.label_zh(), f.code()))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ImportError::MissingColumns {
            missing,
            found: table
                .headers
                .iter()
                .filter(|h| !h.is_empty())
                .cloned()
                .collect(),
        })
    }
}

/// One row's cells by field.
struct Cells<'a> {
    table: &'a Table,
    mapping: &'a Mapping,
    cells: &'a [String],
    row: usize,
    errors: Vec<RowError>,
}

impl<'a> Cells<'a> {
    fn column(&self, field: Field) -> Option<usize> {
        self.mapping
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, c)| *c)
    }

    fn mapped(&self, field: Field) -> bool {
        self.column(field).is_some()
    }

    fn get(&self, field: Field) -> &'a str {
        self.column(field)
            .and_then(|c| self.cells.get(c))
            .map_or("", |s| s.as_str())
    }

    /// The column's heading in the file, else the field's Chinese name.
    fn heading(&self, field: Field) -> String {
        self.column(field)
            .and_then(|c| self.table.headers.get(c))
            .filter(|h| !h.is_empty())
            .cloned()
            .unwrap_or_else(|| field.label_zh().to_owned())
    }

    /// Whether the row is the template's example row (`roster_example`,
    /// `attendance_example`) left in by mistake, every cell as it came;
    /// if so it is refused.
    fn refuse_example(&mut self, kind: ImportKind, example: &[Example]) -> bool {
        let is = kind
            .fields()
            .iter()
            .zip(example)
            .all(|(f, e)| date_text(self.get(*f)) == e.text());
        if is {
            self.fail(
                Field::Name,
                "template_example",
                "is the template's example row; delete that row before importing".into(),
            );
        }
        is
    }

    fn fail(&mut self, field: Field, code: &str, reason: String) {
        let value = self.get(field).to_owned();
        self.errors.push(RowError {
            row: self.row,
            field: self.heading(field),
            value,
            code: code.to_owned(),
            reason,
        });
    }

    fn fail_code(&mut self, field: Field, code: Code) {
        let reason = match code {
            Code::UnknownRole => format!(
                "{} ({})",
                code.sentence(),
                choices(Role::ALL.map(Role::label_zh))
            ),
            Code::UnknownQualification => format!(
                "{} ({})",
                code.sentence(),
                choices(Qualification::ALL.map(Qualification::label_zh))
            ),
            _ => code.sentence().to_owned(),
        };
        self.fail(field, code.as_str(), reason);
    }

    /// The fields of a form's refusal, under their columns.
    fn fail_invalid(&mut self, invalid: &Invalid, field_of: impl Fn(&str) -> Field) {
        for e in &invalid.0 {
            let field = field_of(e.field);
            if e.code == Code::UnknownChoice {
                let hint = match field {
                    Field::Status => choices(SignIn::ALL.iter().map(|x| x.label_zh())),
                    Field::Area => choices(ContentArea::ALL.iter().map(|x| x.label_zh())),
                    Field::Method => choices(TrainingMethod::ALL.iter().map(|x| x.label_zh())),
                    _ => String::new(),
                };
                self.fail(
                    field,
                    e.code.as_str(),
                    format!("{} ({hint})", e.code.sentence()),
                );
            } else {
                self.fail_code(field, e.code);
            }
        }
    }
}

/// "write one of 一线社工、督导助理、…" for a hint.
fn choices(labels: impl IntoIterator<Item = &'static str>) -> String {
    let labels: Vec<&str> = labels.into_iter().collect();
    format!("write one of {}", labels.join("、"))
}

/// A choice as people write it: the code, the Chinese label, or a common
/// other word, without spaces and in any case.
fn choice<T: Copy>(
    text: &str,
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    other: &[(&str, T)],
) -> Option<T> {
    let key: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .map(|c| if c == '-' { '_' } else { c })
        .collect();
    let squeezed = key.replace('_', "");
    all.iter()
        .copied()
        .find(|x| code(*x) == key || code(*x).replace('_', "") == squeezed || label(*x) == key)
        .or_else(|| other.iter().find(|(w, _)| *w == key).map(|(_, x)| *x))
}

fn parse_role(text: &str) -> Option<Role> {
    use Role::*;
    choice(
        text,
        &Role::ALL,
        Role::code,
        Role::label_zh,
        &[
            ("社工", Frontline),
            ("一线", Frontline),
            ("一线社工师", Frontline),
            ("社会工作者", Frontline),
            ("frontline_worker", Frontline),
            ("站点负责人", StationHead),
            ("负责人", StationHead),
            ("head", StationHead),
        ],
    )
}

fn parse_qualification(text: &str) -> Option<Qualification> {
    use Qualification::*;
    choice(
        text,
        &Qualification::ALL,
        Qualification::code,
        Qualification::label_zh,
        &[
            ("没有", None),
            ("暂无", None),
            ("/", None),
            ("助理社工师", AssistantSocialWorker),
            ("初级", AssistantSocialWorker),
            ("初级社会工作师", AssistantSocialWorker),
            ("社工师", SocialWorker),
            ("中级", SocialWorker),
            ("中级社会工作师", SocialWorker),
            ("高级社工师", SeniorSocialWorker),
            ("高级", SeniorSocialWorker),
        ],
    )
}

fn parse_status(text: &str) -> Option<SignIn> {
    use SignIn::*;
    choice(
        text,
        SignIn::ALL,
        SignIn::code,
        SignIn::label_zh,
        &[
            ("到", Present),
            ("已到", Present),
            ("已签到", Present),
            ("签到", Present),
            ("出勤", Present),
            ("√", Present),
            ("✓", Present),
            ("缺勤", Absent),
            ("未到", Absent),
            ("旷课", Absent),
            ("×", Absent),
            ("事假", Excused),
            ("病假", Excused),
            ("leftearly", LeftEarly),
        ],
    )
}

fn parse_area(text: &str) -> Option<ContentArea> {
    use ContentArea::*;
    choice(
        text,
        ContentArea::ALL,
        ContentArea::code,
        ContentArea::label_zh,
        &[
            ("知识", Knowledge),
            ("理论", Knowledge),
            ("技能", Skills),
            ("实务技能", Skills),
            ("职业道德", Ethics),
            ("伦理", Ethics),
            ("团队合作", Ethics),
        ],
    )
}

fn parse_method(text: &str) -> Option<TrainingMethod> {
    use TrainingMethod::*;
    choice(
        text,
        TrainingMethod::ALL,
        TrainingMethod::code,
        TrainingMethod::label_zh,
        &[
            ("讲座", Lecture),
            ("内训", Lecture),
            ("案例讨论", CaseDiscussion),
            ("外出培训", Course),
            ("课程", Course),
            ("线上", Online),
            ("在线", Online),
            ("网络学习", Online),
        ],
    )
}

fn parse_yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "" | "是" | "计入" | "yes" | "y" | "true" | "1" | "√" | "✓" => Some(true),
        "否" | "不计入" | "no" | "n" | "false" | "0" | "×" => Some(false),
        _ => None,
    }
}

/// A date cell as `parse_user_date` reads it: a time after the date
/// (`2024-03-05 00:00:00`, as CSVs from Excel have it) is dropped, and an
/// Excel serial number (a date column formatted as a number) becomes the
/// date.
fn date_text(raw: &str) -> String {
    let t = raw.trim();
    if let Some((day, time)) = t.split_once([' ', 'T']) {
        if parse_user_date(day).is_some() && parse_time(&time_text(time)).is_ok() {
            return day.to_owned();
        }
    }
    if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(serial) = t.parse::<i64>() {
            if let Some(d) = NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(serial)))
            {
                return format_date(d);
            }
        }
    }
    t.to_owned()
}

/// A time cell as `parse_time` reads it: `9:00:00` → `9:00`, and an Excel
/// fraction of a day (`0.375`) → `09:00`.
fn time_text(raw: &str) -> String {
    let t = raw.trim();
    if let Some(hm) = t
        .strip_suffix(":00")
        .filter(|hm| hm.matches(':').count() == 1)
    {
        return hm.to_owned();
    }
    if let Ok(f) = t.parse::<f64>() {
        if t.contains('.') && (0.0..1.0).contains(&f) {
            let minutes = (f * 1440.0).round() as u32;
            return format!("{:02}:{:02}", minutes / 60, minutes % 60);
        }
    }
    t.to_owned()
}

/// Hours as written: `1.5`, `1.5小时`, `2 学时`, `1.5h`.
fn parse_hours(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = ["小时", "学时", "hours", "hrs", "h"]
        .iter()
        .fold(t.to_lowercase(), |t, unit| {
            t.trim_end_matches(unit).trim().to_owned()
        });
    t.parse::<f64>().ok().filter(|h| h.is_finite() && *h >= 0.0)
}

// ---------------------------------------------------------------------------
// The roster

/// Checks every row of a roster against the staff form's checks, the
/// file's other rows and the station's staff. A person already on the
/// station's staff — active, or left with the same start date — is not
/// added a second time.
pub fn preview_roster(
    store: &Store,
    station_id: i64,
    table: &Table,
    mapping: &Mapping,
    today: NaiveDate,
) -> Result<Preview<StaffInput>, ImportError> {
    check_mapping(ImportKind::Roster, table, mapping)?;
    store.station(station_id)?;
    let existing = store.station_staff(station_id)?;
    let mut good = Vec::new();
    let mut bad = Vec::new();
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    let mut first_row_of_certificate: HashMap<String, (usize, crate::model::StaffRecord)> =
        HashMap::new();
    for (cells, &row) in table.rows.iter().zip(&table.row_numbers) {
        let mut c = Cells {
            table,
            mapping,
            cells,
            row,
            errors: vec![],
        };
        if c.refuse_example(ImportKind::Roster, &roster_example()) {
            bad.append(&mut c.errors);
            continue;
        }
        let qualification = c.get(Field::Qualification);
        let left = c.get(Field::LeftDate);
        let input = StaffInput {
            station_id,
            name: c.get(Field::Name).trim().to_owned(),
            role: parse_role(c.get(Field::Role))
                .map_or_else(|| c.get(Field::Role).to_owned(), |r| r.code().to_owned()),
            qualification: if qualification.is_empty() {
                Qualification::None.code().to_owned()
            } else {
                parse_qualification(qualification)
                    .map_or_else(|| qualification.to_owned(), |q| q.code().to_owned())
            },
            certificate_no: c.get(Field::CertificateNo).to_owned(),
            registration_date: date_text(c.get(Field::RegistrationDate)),
            start_date: date_text(c.get(Field::StartDate)),
            active: left.is_empty(),
            left_date: date_text(left),
        };
        match input.validate(today) {
            Ok(record) => {
                if let Some(first) = first_row_of.get(&record.name) {
                    c.fail(
                        Field::Name,
                        "duplicate_in_file",
                        format!("is also on row {first}; each person is listed once"),
                    );
                } else {
                    first_row_of.insert(record.name.clone(), row);
                }
                if let Some(who) = same_person(&existing, &record.name, record.start_date) {
                    c.fail(Field::Name, "already_on_staff", already_on_staff(who));
                } else if let Some(who) = store.certificate_holder(&record, None)? {
                    c.fail(
                        Field::CertificateNo,
                        Code::CertificateTaken.as_str(),
                        format!(
                            "is the certificate number of {} (id {}); each person has their own",
                            who.record.name, who.id
                        ),
                    );
                }
                if let Some(cert) = &record.certificate_no {
                    match first_row_of_certificate.get(cert) {
                        Some((first, other)) if !other.may_share_certificate(&record) => {
                            c.fail(
                                Field::CertificateNo,
                                Code::CertificateTaken.as_str(),
                                format!(
                                    "is also on row {first} ({}); each person has their own",
                                    other.name
                                ),
                            );
                        }
                        Some(_) => {}
                        None => {
                            first_row_of_certificate.insert(cert.clone(), (row, record.clone()));
                        }
                    }
                }
            }
            Err(invalid) => c.fail_invalid(&invalid, roster_field),
        }
        if c.errors.is_empty() {
            good.push(GoodRow { row, input });
        } else {
            bad.append(&mut c.errors);
        }
    }
    Ok(Preview {
        kind: ImportKind::Roster,
        station_id,
        today,
        good,
        bad,
    })
}

fn roster_field(name: &str) -> Field {
    match name {
        "role" => Field::Role,
        "qualification" => Field::Qualification,
        "certificate_no" => Field::CertificateNo,
        "registration_date" => Field::RegistrationDate,
        "start_date" => Field::StartDate,
        "left_date" => Field::LeftDate,
        _ => Field::Name,
    }
}

/// The member of staff an imported person would duplicate: same name and
/// still active, or same name and the same start date.
fn same_person<'a>(existing: &'a [Staff], name: &str, start: NaiveDate) -> Option<&'a Staff> {
    existing
        .iter()
        .find(|s| s.record.name == name && (s.record.active() || s.record.start_date == start))
}

fn already_on_staff(who: &Staff) -> String {
    format!(
        "is already on the station's staff (id {}{}); a second person of the same name is not created",
        who.id,
        if who.record.active() {
            String::new()
        } else {
            format!(
                ", left {}",
                who.record.left_date.map(format_date).unwrap_or_default()
            )
        }
    )
}

/// Adds every person of a clean preview in one transaction, or nobody.
/// The rows are checked again, and so is the station's staff inside the
/// transaction, in case it changed since the preview. Returns the new ids
/// in row order.
pub fn apply_roster(
    store: &mut Store,
    preview: &Preview<StaffInput>,
) -> Result<Vec<i64>, ImportError> {
    if !preview.is_clean() {
        return Err(ImportError::BadRows(preview.bad.clone()));
    }
    let mut records = Vec::with_capacity(preview.good.len());
    let mut bad = Vec::new();
    for g in &preview.good {
        let mut input = g.input.clone();
        input.station_id = preview.station_id;
        match input.validate(preview.today) {
            Ok(r) => records.push(r),
            Err(invalid) => bad.extend(invalid.0.iter().map(|e| RowError {
                row: g.row,
                field: roster_field(e.field).label_zh().to_owned(),
                value: String::new(),
                code: e.code.as_str().to_owned(),
                reason: e.code.sentence().to_owned(),
            })),
        }
    }
    if !bad.is_empty() {
        return Err(ImportError::BadRows(bad));
    }
    store.insert_staff_batch(preview.station_id, &records, |existing| {
        let mut changed = Vec::new();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (g, r) in preview.good.iter().zip(&records) {
            let mut fail = |code: &str, reason: String| {
                changed.push(RowError {
                    row: g.row,
                    field: Field::Name.label_zh().to_owned(),
                    value: r.name.clone(),
                    code: code.to_owned(),
                    reason,
                })
            };
            if let Some(who) = same_person(existing, &r.name, r.start_date) {
                fail("already_on_staff", already_on_staff(who));
            }
            if let Some(first) = seen.insert(&r.name, g.row) {
                fail("duplicate_in_file", format!("is also on row {first}"));
            }
        }
        if changed.is_empty() {
            Ok(())
        } else {
            Err(ImportError::Changed(changed))
        }
    })
}

// ---------------------------------------------------------------------------
// Past training attendance

/// Who signed in, how, and when (the session's start).
type StaffSignIn = (i64, SignedIn, NaiveDateTime);

/// A session as an import groups rows: title, day, start and end.
type SessionKey = (String, NaiveDate, NaiveTime, NaiveTime);

fn key_of(t: &Training) -> SessionKey {
    (t.title.clone(), t.date, t.start, t.end)
}

/// Whether the person was on the station's staff on the day.
fn on_staff(s: &Staff, day: NaiveDate) -> bool {
    s.record.start_date <= day && s.record.left_date.is_none_or(|l| l > day)
}

/// Checks every row of past attendance: the session's fields as the
/// training form checks them, the sign-in as the sign-in desk checks it
/// (the hours it credits; a `计入学时` column, when there is one, must agree
/// or gives the late arrival or early leaving time when it is missing),
/// the person (exactly one member of the station's staff of that name, on
/// the staff that day), and the rows of one session against each other.
/// Rows with the same title, day and times are one session; a session
/// already recorded for the station is refused (imported twice).
pub fn preview_attendance(
    store: &Store,
    station_id: i64,
    table: &Table,
    mapping: &Mapping,
    today: NaiveDate,
) -> Result<Preview<AttendanceInput>, ImportError> {
    check_mapping(ImportKind::Attendance, table, mapping)?;
    store.station(station_id)?;
    let staff = store.station_staff(station_id)?;
    let keys = store.training_keys(station_id)?;
    let mut by_name: HashMap<&str, Vec<&Staff>> = HashMap::new();
    for s in &staff {
        by_name.entry(s.record.name.as_str()).or_default().push(s);
    }
    let recorded: HashMap<SessionKey, i64> = keys
        .iter()
        .map(|k| ((k.title.clone(), k.date, k.start, k.end), k.id))
        .collect();
    // Per session: its first row, its checked fields, who signed in (row).
    let mut sessions: HashMap<SessionKey, (usize, Training, HashMap<i64, usize>)> = HashMap::new();
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for (cells, &row) in table.rows.iter().zip(&table.row_numbers) {
        let mut c = Cells {
            table,
            mapping,
            cells,
            row,
            errors: vec![],
        };
        if c.refuse_example(ImportKind::Attendance, &attendance_example()) {
            bad.append(&mut c.errors);
            continue;
        }
        let area_text = c.get(Field::Area);
        let method_text = c.get(Field::Method);
        let counts_ce = match parse_yes_no(c.get(Field::CountsCe)) {
            Some(b) => b,
            None => {
                c.fail(
                    Field::CountsCe,
                    Code::UnknownChoice.as_str(),
                    format!("{} (write 是 or 否)", Code::UnknownChoice.sentence()),
                );
                true
            }
        };
        let training_input = TrainingInput {
            station_id,
            title: c.get(Field::Title).to_owned(),
            // Old sheets seldom say; the defaults are the usual case.
            area: if area_text.is_empty() {
                ContentArea::Knowledge.code().to_owned()
            } else {
                parse_area(area_text).map_or_else(|| area_text.to_owned(), |a| a.code().to_owned())
            },
            method: if method_text.is_empty() {
                TrainingMethod::Lecture.code().to_owned()
            } else {
                parse_method(method_text)
                    .map_or_else(|| method_text.to_owned(), |m| m.code().to_owned())
            },
            trainer_id: None,
            date: date_text(c.get(Field::Date)),
            start: time_text(c.get(Field::Start)),
            end: time_text(c.get(Field::End)),
            place: c.get(Field::Place).to_owned(),
            counts_ce,
            plan_item_id: None,
        };
        let training = match training_input.validate(today) {
            Ok(t) => Some(t),
            Err(invalid) => {
                c.fail_invalid(&invalid, |f| match f {
                    "title" => Field::Title,
                    "area" => Field::Area,
                    "method" => Field::Method,
                    "date" => Field::Date,
                    "start" => Field::Start,
                    "end" => Field::End,
                    _ => Field::Place,
                });
                None
            }
        };
        // The person.
        let name = c.get(Field::Name).trim().to_owned();
        let mut person: Option<&Staff> = None;
        if name.is_empty() {
            c.fail_code(Field::Name, Code::Required);
        } else {
            let named = by_name.get(name.as_str()).map_or(&[][..], Vec::as_slice);
            let that_day: Vec<&Staff> = match &training {
                Some(t) => named
                    .iter()
                    .copied()
                    .filter(|s| on_staff(s, t.date))
                    .collect(),
                None => named.to_vec(),
            };
            match (named.len(), that_day.len()) {
                (0, _) => c.fail(
                    Field::Name,
                    "unknown_staff",
                    "is not on the station's staff (import the roster first)".into(),
                ),
                (_, 1) => person = Some(that_day[0]),
                (1, 0) => c.fail(
                    Field::Name,
                    "not_on_staff_that_day",
                    format!(
                        "was not on the station's staff on {} ({})",
                        training
                            .as_ref()
                            .map(|t| format_date(t.date))
                            .unwrap_or_default(),
                        match named[0].record.left_date {
                            Some(left) if training.as_ref().is_some_and(|t| t.date > left) => {
                                format!("left {}", format_date(left))
                            }
                            _ => format!("started {}", format_date(named[0].record.start_date)),
                        }
                    ),
                ),
                (n, _) => c.fail(
                    Field::Name,
                    "ambiguous_staff",
                    format!(
                        "names {n} members of the station's staff; tell them apart in the \
                         roster first"
                    ),
                ),
            }
        }
        // The sign-in.
        let status_text = c.get(Field::Status);
        let status = if !c.mapped(Field::Status) {
            SignIn::Present.code().to_owned()
        } else {
            parse_status(status_text)
                .map_or_else(|| status_text.to_owned(), |s| s.code().to_owned())
        };
        let hours_text = c.get(Field::Hours);
        let hours = if hours_text.is_empty() {
            None
        } else {
            let h = parse_hours(hours_text);
            if h.is_none() {
                c.fail(
                    Field::Hours,
                    "bad_hours",
                    "is not a number of hours (write it as 1.5)".into(),
                );
            }
            h
        };
        let mut sign_in = SignInInput {
            status,
            arrived: time_text(c.get(Field::Arrived)),
            left: time_text(c.get(Field::Left)),
        };
        let mut signed: Option<SignedIn> = None;
        if let Some(t) = &training {
            let too_many = hours.filter(|h| *h > t.hours + 0.005);
            if too_many.is_some() {
                c.fail(
                    Field::Hours,
                    "hours_mismatch",
                    format!("is more than the session's {} hours", t.hours),
                );
            } else if let Some(h) = hours {
                // The time the hours imply, when the sheet gives hours only.
                let minutes = chrono::Duration::minutes((h * 60.0).round() as i64);
                match parse_status(&sign_in.status) {
                    Some(SignIn::Late) if sign_in.arrived.is_empty() => {
                        sign_in.arrived = (t.end - minutes).format("%H:%M").to_string();
                    }
                    Some(SignIn::LeftEarly) if sign_in.left.is_empty() => {
                        sign_in.left = (t.start + minutes).format("%H:%M").to_string();
                    }
                    _ => {}
                }
            }
            match sign_in.validate(t.start, t.end) {
                Ok(a) => {
                    if let Some(h) = hours.filter(|h| (h - a.credited_hours).abs() > 0.005) {
                        if too_many.is_none() {
                            c.fail(
                                Field::Hours,
                                "hours_mismatch",
                                format!(
                                    "does not match the sign-in: {} {}–{} credits {} hours, not {h}",
                                    a.status.label_zh(),
                                    a.arrived.unwrap_or(t.start).format("%H:%M"),
                                    a.left.unwrap_or(t.end).format("%H:%M"),
                                    a.credited_hours
                                ),
                            );
                        }
                    }
                    signed = Some(a);
                }
                Err(invalid) => c.fail_invalid(&invalid, |f| match f {
                    "arrived" => Field::Arrived,
                    "left" => Field::Left,
                    _ => Field::Status,
                }),
            }
        }
        // The session against those recorded and the file's other rows.
        if let (Some(t), Some(p), true) = (&training, person, c.errors.is_empty()) {
            let key = key_of(t);
            if let Some(id) = recorded.get(&key) {
                c.fail(
                    Field::Title,
                    "already_recorded",
                    format!(
                        "on {} {}–{} is already recorded (training {id}); it is not imported twice",
                        format_date(t.date),
                        t.start.format("%H:%M"),
                        t.end.format("%H:%M")
                    ),
                );
            }
            match sessions.get_mut(&key) {
                None => {
                    sessions.insert(key, (row, t.clone(), HashMap::from([(p.id, row)])));
                }
                Some((first, first_t, people)) => {
                    let first = *first;
                    for (field, same) in [
                        (Field::Area, first_t.area == t.area),
                        (Field::Method, first_t.method == t.method),
                        (Field::Place, first_t.place == t.place),
                        (Field::CountsCe, first_t.counts_ce == t.counts_ce),
                    ] {
                        if !same {
                            c.fail(
                                field,
                                "session_conflict",
                                format!("differs from row {first}, which is the same session"),
                            );
                        }
                    }
                    if let Some(other) = people.insert(p.id, row) {
                        people.insert(p.id, other);
                        c.fail(
                            Field::Name,
                            "signed_in_twice",
                            format!("is already signed in to this session on row {other}"),
                        );
                    }
                }
            }
        }
        match (training, person, signed) {
            (Some(t), Some(p), Some(a)) if c.errors.is_empty() => good.push(GoodRow {
                row,
                input: AttendanceInput {
                    staff_id: p.id,
                    name: p.record.name.clone(),
                    title: t.title,
                    date: format_date(t.date),
                    start: t.start.format("%H:%M").to_string(),
                    end: t.end.format("%H:%M").to_string(),
                    area: t.area.code().to_owned(),
                    method: t.method.code().to_owned(),
                    place: t.place,
                    counts_ce: t.counts_ce,
                    status: a.status.code().to_owned(),
                    arrived: a
                        .arrived
                        .map(|x| x.format("%H:%M").to_string())
                        .unwrap_or_default(),
                    left: a
                        .left
                        .map(|x| x.format("%H:%M").to_string())
                        .unwrap_or_default(),
                    credited_hours: a.credited_hours,
                },
            }),
            _ => bad.append(&mut c.errors),
        }
    }
    Ok(Preview {
        kind: ImportKind::Attendance,
        station_id,
        today,
        good,
        bad,
    })
}

/// Records every session and sign-in of a clean preview in one
/// transaction, or nothing. Rows of one session (same title, day and
/// times) make one `training` row, created once; each row makes one
/// sign-in with the hours `SignInInput::validate` credits, signed at the
/// session's start. The rows are checked again, and so are the station's
/// staff and sessions inside the transaction.
pub fn apply_attendance(
    store: &mut Store,
    preview: &Preview<AttendanceInput>,
) -> Result<AttendanceApplied, ImportError> {
    if !preview.is_clean() {
        return Err(ImportError::BadRows(preview.bad.clone()));
    }
    let mut order: Vec<SessionKey> = Vec::new();
    let mut sessions: HashMap<SessionKey, (Training, Vec<StaffSignIn>)> = HashMap::new();
    let mut rows_of: Vec<(usize, SessionKey, i64, String)> = Vec::new();
    let mut bad = Vec::new();
    for g in &preview.good {
        let checked = g
            .input
            .training_input(preview.station_id)
            .validate(preview.today)
            .and_then(|t| {
                let a = g.input.sign_in_input().validate(t.start, t.end)?;
                Ok((t, a))
            });
        let (t, a) = match checked {
            Ok(x) => x,
            Err(invalid) => {
                bad.extend(invalid.0.iter().map(|e| RowError {
                    row: g.row,
                    field: e.field.to_owned(),
                    value: String::new(),
                    code: e.code.as_str().to_owned(),
                    reason: e.code.sentence().to_owned(),
                }));
                continue;
            }
        };
        let key = key_of(&t);
        let signed_at = t.date.and_time(t.start);
        rows_of.push((g.row, key.clone(), g.input.staff_id, g.input.name.clone()));
        let entry = sessions.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            (t, Vec::new())
        });
        entry.1.push((g.input.staff_id, a, signed_at));
    }
    if !bad.is_empty() {
        return Err(ImportError::BadRows(bad));
    }
    let batch: Vec<(Training, Vec<StaffSignIn>)> =
        order.iter().filter_map(|k| sessions.remove(k)).collect();
    let sign_ins = batch.iter().map(|(_, a)| a.len()).sum();
    let trainings = store.insert_sessions_batch(
        preview.station_id,
        &batch,
        |staff: &[Staff], keys: &[TrainingKey]| {
            let changed = recheck_attendance(&rows_of, staff, keys);
            if changed.is_empty() {
                Ok(())
            } else {
                Err(ImportError::Changed(changed))
            }
        },
    )?;
    Ok(AttendanceApplied {
        trainings,
        sign_ins,
    })
}

/// The checks that depend on the database, again: each person still on
/// the station's staff under the same name that day, each session not yet
/// recorded, nobody twice in a session.
fn recheck_attendance(
    rows: &[(usize, SessionKey, i64, String)],
    staff: &[Staff],
    keys: &[TrainingKey],
) -> Vec<RowError> {
    let by_id: HashMap<i64, &Staff> = staff.iter().map(|s| (s.id, s)).collect();
    let recorded: HashMap<SessionKey, i64> = keys
        .iter()
        .map(|k| ((k.title.clone(), k.date, k.start, k.end), k.id))
        .collect();
    let mut seen: HashMap<(&SessionKey, i64), usize> = HashMap::new();
    let mut errors = Vec::new();
    for (row, key, staff_id, name) in rows {
        let mut fail = |field: Field, value: &str, code: &str, reason: String| {
            errors.push(RowError {
                row: *row,
                field: field.label_zh().to_owned(),
                value: value.to_owned(),
                code: code.to_owned(),
                reason,
            })
        };
        match by_id.get(staff_id) {
            Some(s) if s.record.name == *name && on_staff(s, key.1) => {}
            _ => fail(
                Field::Name,
                name,
                "changed",
                "is no longer on the station's staff that day".into(),
            ),
        }
        if let Some(id) = recorded.get(key) {
            fail(
                Field::Title,
                &key.0,
                "already_recorded",
                format!("is already recorded (training {id})"),
            );
        }
        if let Some(first) = seen.insert((key, *staff_id), *row) {
            fail(
                Field::Name,
                name,
                "signed_in_twice",
                format!("is already signed in to this session on row {first}"),
            );
        }
    }
    errors
}

// ---------------------------------------------------------------------------
// Templates

/// The roster template: the headings in Chinese, one example row, drop-down
/// lists for 岗位 and 职业资格, and a second sheet that explains each column.
pub fn roster_template_xlsx() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let example = roster_example();
    let lists: Vec<(Field, Vec<&str>)> = vec![
        (
            Field::Role,
            Role::ALL.iter().map(|r| r.label_zh()).collect(),
        ),
        (
            Field::Qualification,
            Qualification::ALL.iter().map(|q| q.label_zh()).collect(),
        ),
    ];
    template(
        ImportKind::Roster,
        "人员名册",
        &example,
        &lists,
        ROSTER_NOTES,
    )
}

/// The attendance template: a row per person per session.
pub fn attendance_template_xlsx() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let example = attendance_example();
    let lists: Vec<(Field, Vec<&str>)> = vec![
        (
            Field::Status,
            SignIn::ALL.iter().map(|s| s.label_zh()).collect(),
        ),
        (
            Field::Area,
            ContentArea::ALL.iter().map(|a| a.label_zh()).collect(),
        ),
        (
            Field::Method,
            TrainingMethod::ALL.iter().map(|m| m.label_zh()).collect(),
        ),
        (Field::CountsCe, vec!["是", "否"]),
    ];
    template(
        ImportKind::Attendance,
        "培训签到记录",
        &example,
        &lists,
        ATTENDANCE_NOTES,
    )
}

/// The roster template's example row, a cell per `ImportKind::fields`.
fn roster_example() -> [Example; 7] {
    [
        Example::Text("王芳"),
        Example::Text(Role::AssistantSupervisor.label_zh()),
        Example::Text(Qualification::AssistantSocialWorker.label_zh()),
        Example::Text("ZS2021-0042"),
        Example::Date(2023, 5, 1),
        Example::Date(2020, 3, 1),
        Example::Text(""),
    ]
}

/// The attendance template's example row.
fn attendance_example() -> [Example; 13] {
    [
        Example::Text("王芳"),
        Example::Text("个案预估方法"),
        Example::Date(2024, 3, 5),
        Example::Text("09:00"),
        Example::Text("11:00"),
        Example::Text(SignIn::Late.label_zh()),
        Example::Text("09:30"),
        Example::Text(""),
        Example::Number(1.5),
        Example::Text(ContentArea::Skills.label_zh()),
        Example::Text(TrainingMethod::Lecture.label_zh()),
        Example::Text("社工站会议室"),
        Example::Text("是"),
    ]
}

enum Example {
    Text(&'static str),
    Date(u16, u8, u8),
    Number(f64),
}

impl Example {
    /// The cell as a file read back gives it.
    fn text(&self) -> String {
        match self {
            Example::Text(s) => (*s).to_owned(),
            Example::Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
            Example::Number(n) => n.to_string(),
        }
    }
}

const ROSTER_NOTES: &[(&str, &str)] = &[
    ("姓名", "必填；同一站点不重复"),
    (
        "岗位",
        "必填：一线社工、督导助理、见习督导、初级督导、中级督导、高级督导、站长",
    ),
    (
        "职业资格",
        "无、助理社会工作师、社会工作师、高级社会工作师；空着即为无；督导岗位须助理社会工作师以上",
    ),
    ("证书编号", "有职业资格时必填；字母、数字和 -"),
    ("登记日期", "有职业资格时必填，如 2023-05-01"),
    (
        "入职日期",
        "必填，如 2020-03-01 或 2020/3/1 或 2020年3月1日",
    ),
    ("离职日期", "已离职时填写；在岗空着"),
];

const ATTENDANCE_NOTES: &[(&str, &str)] = &[
    ("姓名", "必填；须是本站人员名册中的人"),
    ("培训主题", "必填；主题、日期和起止时间相同的行算同一场培训"),
    ("培训日期", "必填，如 2024-03-05"),
    ("开始时间", "必填，如 09:00"),
    ("结束时间", "必填，晚于开始时间"),
    ("签到状态", "出席、迟到、早退、缺席、请假；不设此列即为出席"),
    ("到达时间", "迟到时填写（或只填计入学时）"),
    ("离开时间", "早退时填写（或只填计入学时）"),
    ("计入学时", "可不填；填写时须与签到状态和时间相符"),
    (
        "内容领域",
        "专业知识、服务技能、职业道德与团队合作；空着即为专业知识",
    ),
    (
        "培训方式",
        "内部讲座、案例研讨、学习小组、外出培训课程、研讨会、会议、线上学习；空着即为内部讲座",
    ),
    ("地点", "可不填"),
    ("计入继续教育", "是或否；空着即为是"),
];

fn template(
    kind: ImportKind,
    sheet_name: &str,
    example: &[Example],
    lists: &[(Field, Vec<&str>)],
    notes: &[(&str, &str)],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{DataValidation, Format, Workbook};
    let mut book = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DCEFED");
    let required = Format::new()
        .set_bold()
        .set_background_color("#DCEFED")
        .set_font_color("#B00020");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let fields = kind.fields();
    for (c, field) in fields.iter().enumerate() {
        let col = c as u16;
        let format = if kind.required().contains(field) {
            &required
        } else {
            &head
        };
        sheet.write_string_with_format(0, col, field.label_zh(), format)?;
        sheet.set_column_width(col, 14)?;
        match &example[c] {
            Example::Text(s) => {
                sheet.write_string_with_format(1, col, *s, &text)?;
            }
            Example::Date(y, m, d) => {
                let d = rust_xlsxwriter::ExcelDateTime::from_ymd(*y, *m, *d)?;
                sheet.write_datetime_with_format(1, col, &d, &date)?;
            }
            Example::Number(n) => {
                sheet.write_number(1, col, *n)?;
            }
        }
        if let Some((_, values)) = lists.iter().find(|(f, _)| f == field) {
            let rule = DataValidation::new().allow_list_strings(values)?;
            sheet.add_data_validation(1, col, 5000, col, &rule)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let help = book.add_worksheet();
    help.set_name("填写说明")?;
    help.write_string_with_format(0, 0, "列", &head)?;
    help.write_string_with_format(0, 1, "怎么填", &head)?;
    help.set_column_width(0, 14)?;
    help.set_column_width(1, 80)?;
    for (i, (column, note)) in notes.iter().enumerate() {
        help.write_string(i as u32 + 1, 0, *column)?;
        help.write_string(i as u32 + 1, 1, *note)?;
    }
    let last = notes.len() as u32 + 2;
    help.write_string(
        last,
        0,
        "第一张表的第 1 行是表头，第 2 行是示例，导入前请删掉示例行。有任何一行不对时，整份文件都不导入。",
    )?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headings_in_chinese_and_english_are_recognised() {
        let m = guess_mapping(
            ImportKind::Roster,
            &headers(&[
                "序号",
                "姓名*",
                "岗位",
                "职业资格",
                "证书编号",
                "登记日期",
                "入职日期（必填）",
                "离职日期",
            ]),
        );
        assert_eq!(
            m,
            vec![
                (Field::Name, Some(1)),
                (Field::Role, Some(2)),
                (Field::Qualification, Some(3)),
                (Field::CertificateNo, Some(4)),
                (Field::RegistrationDate, Some(5)),
                (Field::StartDate, Some(6)),
                (Field::LeftDate, Some(7)),
            ]
        );
        let m = guess_mapping(
            ImportKind::Roster,
            &headers(&["Name", "Role", "Start date", "Certificate No"]),
        );
        assert_eq!(m[0], (Field::Name, Some(0)));
        assert_eq!(m[1], (Field::Role, Some(1)));
        assert_eq!(m[3], (Field::CertificateNo, Some(3)));
        assert_eq!(m[5], (Field::StartDate, Some(2)));
        assert_eq!(m[2], (Field::Qualification, None));
        let m = guess_mapping(
            ImportKind::Attendance,
            &headers(&[
                "姓名",
                "培训主题",
                "日期",
                "开始时间",
                "结束时间",
                "签到状态",
                "学时",
            ]),
        );
        let col = |f: Field| m.iter().find(|(g, _)| *g == f).and_then(|(_, c)| *c);
        assert_eq!(col(Field::Date), Some(2));
        assert_eq!(col(Field::Status), Some(5));
        assert_eq!(col(Field::Hours), Some(6));
        assert_eq!(col(Field::Arrived), None);
    }

    #[test]
    fn choices_are_read_as_people_write_them() {
        assert_eq!(parse_role("督导助理"), Some(Role::AssistantSupervisor));
        assert_eq!(
            parse_role("Assistant Supervisor"),
            Some(Role::AssistantSupervisor)
        );
        assert_eq!(
            parse_role("junior-supervisor"),
            Some(Role::JuniorSupervisor)
        );
        assert_eq!(parse_role("社工"), Some(Role::Frontline));
        assert_eq!(parse_role("老板"), None);
        assert_eq!(
            parse_qualification("社工师"),
            Some(Qualification::SocialWorker)
        );
        assert_eq!(parse_status("早退"), Some(SignIn::LeftEarly));
        assert_eq!(parse_status("left early"), Some(SignIn::LeftEarly));
        assert_eq!(parse_method("线上"), Some(TrainingMethod::Online));
        assert_eq!(parse_hours("1.5小时"), Some(1.5));
        assert_eq!(parse_hours("两小时"), None);
    }

    #[test]
    fn dates_and_times_from_spreadsheets() {
        assert_eq!(date_text("2024-03-05 00:00:00"), "2024-03-05");
        assert_eq!(date_text("2024/3/5 0:00"), "2024/3/5");
        assert_eq!(date_text("45356"), "2024-03-05");
        assert_eq!(date_text("2024-13-01"), "2024-13-01");
        assert_eq!(time_text("9:00:00"), "9:00");
        assert_eq!(time_text("0.375"), "09:00");
        assert_eq!(time_text("09:30"), "09:30");
    }

    #[test]
    fn a_csv_in_gbk_or_with_a_bom_reads_the_same() {
        let text = "姓名,岗位\r\n王芳,一线社工\r\n";
        let utf8 = read_table(text.as_bytes(), "a.csv").expect("utf-8");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(text.as_bytes());
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert_eq!(read_table(&bom, "a.csv").expect("bom"), utf8);
        assert_eq!(read_table(&gbk, "a.csv").expect("gbk"), utf8);
        assert_eq!(utf8.headers, vec!["姓名", "岗位"]);
        assert_eq!(utf8.row_numbers, vec![2]);
    }

    #[test]
    fn a_title_row_above_the_header_is_skipped() {
        let t = read_table(
            "青溪镇社工站人员名册\n\n姓名,岗位\n王芳,社工\n,\n李娜,社工\n".as_bytes(),
            "x.csv",
        )
        .expect("table");
        assert_eq!(t.header_row, 3);
        assert_eq!(t.headers, vec!["姓名", "岗位"]);
        assert_eq!(t.row_numbers, vec![4, 6]);
    }
}
