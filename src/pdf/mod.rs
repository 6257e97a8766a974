//! PDFs made in Rust, offline, with an embedded subset of a CJK font: the
//! A4 supervision record (督导记录表) and the monthly supervision summary.
//! The sheets are plain display text; `sheets.rs` fills them from records.

mod layout;
mod sheets;

use std::path::{Path, PathBuf};

pub use sheets::{
    hours_certificate_sheet, hours_report_sheet, record_sheet, signin_sheet, summary_sheet,
    workload_note, workload_sheet,
};

use layout::{Align, Doc, CONTENT_W};

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the embedded font could not be read; the program is damaged, reinstall it")]
    Font,
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where the window saves PDFs: `STATIONDESK_EXPORT_DIR`, else the user's
/// Documents folder (else home), in a `StationDesk` subfolder.
pub fn export_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STATIONDESK_EXPORT_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::UserDirs::new()
        .map(|u| u.document_dir().unwrap_or(u.home_dir()).to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."))
        .join("StationDesk")
}

/// Writes the file whole or not at all (`files::write_atomically`): an
/// interrupted write never leaves a half PDF under the real name.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), PrintError> {
    crate::files::write_atomically(path, bytes).map_err(|source| PrintError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Everything printed on one supervision record, as display text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SupervisionSheet {
    pub station: String,
    pub year: i32,
    pub number_in_year: u32,
    pub date: String,
    pub start: String,
    pub end: String,
    pub duration: String,
    pub place: String,
    pub mode: String,
    pub functions: String,
    pub supervisor: String,
    /// (name, attendance)
    pub supervisees: Vec<(String, String)>,
    pub cases: String,
    pub topic: String,
    pub previous_items_review: String,
    pub reported: String,
    pub findings: String,
    pub guidance: String,
    pub reflection: String,
    pub disagreement: String,
    pub action_items: Vec<ActionRow>,
    pub signatures: Vec<SignatureRow>,
    pub amendments: Vec<AmendmentRow>,
    /// Field labels that were amended, marked with "*" on the sheet.
    pub amended_labels: Vec<String>,
    pub printed_at: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionRow {
    pub what: String,
    pub owner: String,
    pub due: String,
    pub done: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignatureRow {
    /// "督导" or "被督导者"
    pub role: String,
    pub name: String,
    pub signed_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AmendmentRow {
    pub at: String,
    pub by: String,
    pub field: String,
    pub reason: String,
    pub original: String,
}

/// The monthly supervision summary for the upper office.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthlySummarySheet {
    pub station: String,
    pub supervisor: String,
    pub month: String,
    pub sessions: u32,
    pub hours: String,
    pub supervisees_total: u32,
    pub supervisees_covered: u32,
    pub open_items: u32,
    pub overdue_items: u32,
    pub rows: Vec<SummaryRow>,
    pub printed_at: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummaryRow {
    pub number: String,
    pub date: String,
    pub mode: String,
    pub supervisees: String,
    pub topic: String,
    pub hours: String,
    pub signed: String,
}

/// The month's workload table for the upper office (督导工作量月报表).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkloadSheet {
    /// The station, or "全部站点".
    pub scope: String,
    pub month: String,
    pub rows: Vec<WorkloadRow>,
    /// One line of totals under the table.
    pub totals: String,
    pub printed_at: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkloadRow {
    pub station: String,
    pub name: String,
    pub role: String,
    pub supervisees: String,
    pub load: String,
    pub sessions: String,
    pub hours: String,
    pub coverage: String,
    pub case_load: String,
    pub received: String,
    pub note: String,
}

/// The column headings of the printed workload table.
pub const WORKLOAD_HEADINGS: [&str; 11] = [
    "站点",
    "督导",
    "岗位",
    "被督导者/上限",
    "负荷",
    "督导次数",
    "小时数",
    "覆盖率",
    "团队个案负荷",
    "接受督导 个别/小组",
    "备注（R5–R7）",
];

/// A training session's sign-in sheet (培训签到表).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SigninSheet {
    pub station: String,
    pub title: String,
    /// `2026-11-20 14:00–16:30`
    pub when: String,
    pub place: String,
    pub trainer: String,
    pub hours: String,
    pub method: String,
    /// Names printed in advance; blank lines follow for others.
    pub names: Vec<String>,
    pub blank_lines: usize,
    pub printed_at: String,
}

const BODY: f32 = 10.0;
const LABEL_W: f32 = 84.0;

fn page_label(page: usize, pages: usize) -> String {
    format!("第{page}页，共{pages}页")
}

/// The A4 督导记录表 as PDF bytes.
pub fn supervision_record_pdf(s: &SupervisionSheet) -> Result<Vec<u8>, PrintError> {
    let mut doc = Doc::new(&format!("{} 督导记录表", s.station), &s.printed_at)?;
    let amended = if s.amendments.is_empty() {
        ""
    } else {
        "（已修订）"
    };
    doc.paragraph(
        &format!("{} 督导记录表{amended}", s.station),
        16.0,
        Align::Center,
    );
    doc.gap(2.0);
    doc.paragraph(
        &format!("{}年 第 {} 次", s.year, s.number_in_year),
        BODY,
        Align::Right,
    );
    doc.gap(4.0);
    let half = (CONTENT_W - 2.0 * LABEL_W) / 2.0;
    let pair = [LABEL_W, half, LABEL_W, half];
    let people: Vec<String> = s
        .supervisees
        .iter()
        .map(|(n, a)| format!("{n}（{a}）"))
        .collect();
    doc.row(
        &pair,
        &[
            "日期",
            &s.date,
            "时间",
            &format!("{}–{}（{}）", s.start, s.end, s.duration),
        ],
        BODY,
        0.0,
    );
    doc.row(
        &pair,
        &["督导方式", &s.mode, "督导功能", &s.functions],
        BODY,
        0.0,
    );
    doc.row(
        &pair,
        &[
            "督导者",
            &s.supervisor,
            "被督导者及出席",
            &people.join("、"),
        ],
        BODY,
        0.0,
    );
    let wide = [LABEL_W, CONTENT_W - LABEL_W];
    let mark = |label: &str| {
        if s.amended_labels.iter().any(|l| l == label) {
            format!("{label}*")
        } else {
            label.to_owned()
        }
    };
    for (label, value, min) in [
        ("地点", &s.place, 0.0),
        ("讨论个案", &s.cases, 0.0),
        ("主题", &s.topic, 0.0),
        ("上次行动项回顾", &s.previous_items_review, 40.0),
        ("被督导者汇报", &s.reported, 56.0),
        ("督导发现", &s.findings, 56.0),
        ("指导与决定", &s.guidance, 56.0),
        ("反思", &s.reflection, 40.0),
        ("分歧", &s.disagreement, 28.0),
    ] {
        doc.row(&wide, &[&mark(label), value], BODY, min);
    }
    doc.gap(10.0);
    doc.ensure(60.0);
    doc.paragraph("行动项", 11.0, Align::Left);
    doc.gap(2.0);
    let items = [CONTENT_W - 3.0 * 78.0, 78.0, 78.0, 78.0];
    doc.table_header(&items, &["事项", "负责人", "完成期限", "完成日期"], BODY);
    for i in &s.action_items {
        doc.row(&items, &[&i.what, &i.owner, &i.due, &i.done], BODY, 0.0);
    }
    doc.end_table();
    if !s.amendments.is_empty() {
        doc.gap(10.0);
        doc.ensure(60.0);
        doc.paragraph("修订记录", 11.0, Align::Left);
        doc.gap(2.0);
        let cols = [92.0, 56.0, 72.0, 110.0, CONTENT_W - 330.0];
        doc.table_header(&cols, &["时间", "修订人", "字段", "原因", "原文"], 9.0);
        for a in &s.amendments {
            doc.row(
                &cols,
                &[&a.at, &a.by, &a.field, &a.reason, &a.original],
                9.0,
                0.0,
            );
        }
        doc.end_table();
    }
    doc.gap(18.0);
    doc.ensure(30.0 * s.signatures.len() as f32);
    for sig in &s.signatures {
        let name = if sig.signed_at.is_some() {
            sig.name.as_str()
        } else {
            ""
        };
        let when = sig.signed_at.as_deref().unwrap_or("");
        let y = doc.y;
        doc.text_at(layout::MARGIN, y, BODY, &format!("{}签名：", sig.role));
        doc.text_at(layout::MARGIN + 78.0, y, BODY, name);
        doc.line(
            layout::MARGIN + 74.0,
            y + 14.0,
            layout::MARGIN + 230.0,
            y + 14.0,
            0.6,
        );
        doc.text_at(layout::MARGIN + 250.0, y, BODY, "日期：");
        doc.text_at(layout::MARGIN + 284.0, y, BODY, when);
        doc.line(
            layout::MARGIN + 280.0,
            y + 14.0,
            layout::MARGIN + CONTENT_W,
            y + 14.0,
            0.6,
        );
        doc.gap(30.0);
    }
    Ok(doc.finish(page_label))
}

/// The monthly supervision summary as PDF bytes.
pub fn monthly_summary_pdf(s: &MonthlySummarySheet) -> Result<Vec<u8>, PrintError> {
    let mut doc = Doc::new(
        &format!("{} 督导月报 {}", s.station, s.month),
        &s.printed_at,
    )?;
    doc.paragraph(
        &format!("{} 督导月报 {}", s.station, s.month),
        16.0,
        Align::Center,
    );
    doc.gap(6.0);
    let half = (CONTENT_W - 2.0 * LABEL_W) / 2.0;
    let pair = [LABEL_W, half, LABEL_W, half];
    doc.row(&pair, &["督导", &s.supervisor, "月份", &s.month], BODY, 0.0);
    doc.row(
        &pair,
        &["督导次数", &s.sessions.to_string(), "督导时长", &s.hours],
        BODY,
        0.0,
    );
    doc.row(
        &pair,
        &[
            "被督导者",
            &format!(
                "{} 人，本月已督导 {} 人",
                s.supervisees_total, s.supervisees_covered
            ),
            "行动项",
            &format!(
                "未完成 {} 项，其中逾期 {} 项",
                s.open_items, s.overdue_items
            ),
        ],
        BODY,
        0.0,
    );
    doc.gap(10.0);
    doc.paragraph("本月督导记录", 11.0, Align::Left);
    doc.gap(2.0);
    let cols = [
        62.0,
        64.0,
        56.0,
        90.0,
        CONTENT_W - 62.0 - 64.0 - 56.0 - 90.0 - 40.0 - 48.0,
        40.0,
        48.0,
    ];
    doc.table_header(
        &cols,
        &["编号", "日期", "方式", "被督导者", "主题", "时长", "签名"],
        9.0,
    );
    for r in &s.rows {
        doc.row(
            &cols,
            &[
                &r.number,
                &r.date,
                &r.mode,
                &r.supervisees,
                &r.topic,
                &r.hours,
                &r.signed,
            ],
            9.0,
            0.0,
        );
    }
    doc.end_table();
    Ok(doc.finish(page_label))
}

/// The month's workload table as A4 PDF bytes, with lines for the
/// preparer's and the reviewer's signatures.
pub fn workload_pdf(s: &WorkloadSheet) -> Result<Vec<u8>, PrintError> {
    let title = format!("{} 督导工作量月报表 {}", s.scope, s.month);
    let mut doc = Doc::new(&title, &s.printed_at)?;
    doc.paragraph(&title, 15.0, Align::Center);
    doc.gap(6.0);
    let fixed = [52.0, 44.0, 40.0, 40.0, 30.0, 30.0, 34.0, 34.0, 36.0, 40.0];
    let mut cols = fixed.to_vec();
    cols.push(CONTENT_W - fixed.iter().sum::<f32>());
    doc.table_header(&cols, &WORKLOAD_HEADINGS, 7.5);
    for r in &s.rows {
        doc.row(
            &cols,
            &[
                &r.station,
                &r.name,
                &r.role,
                &r.supervisees,
                &r.load,
                &r.sessions,
                &r.hours,
                &r.coverage,
                &r.case_load,
                &r.received,
                &r.note,
            ],
            7.5,
            0.0,
        );
    }
    doc.end_table();
    doc.gap(6.0);
    doc.paragraph(&s.totals, 9.0, Align::Left);
    doc.paragraph(
        "负荷：被督导者人数占比例上限（R1 见习、初级督导 1:14；R2 督导助理 1:6）的百分比。覆盖率：本月按规定得到督导（R3 每月面对面；R18 新入职每周）的被督导者占比。",
        8.0,
        Align::Left,
    );
    doc.gap(24.0);
    doc.paragraph(
        "填报人（签名）：____________    审核人（签名）：____________    日期：____________",
        10.0,
        Align::Left,
    );
    Ok(doc.finish(page_label))
}

/// The sign-in sheet as A4 PDF bytes: the session, then a numbered line per
/// person with room to sign and to write the times of arrival and leaving.
pub fn signin_pdf(s: &SigninSheet) -> Result<Vec<u8>, PrintError> {
    let title = format!("{} 培训签到表", s.station);
    let mut doc = Doc::new(&title, &s.printed_at)?;
    doc.paragraph(&title, 16.0, Align::Center);
    doc.gap(6.0);
    let half = (CONTENT_W - 2.0 * LABEL_W) / 2.0;
    let pair = [LABEL_W, half, LABEL_W, half];
    doc.row(
        &pair,
        &["培训主题", &s.title, "培训方式", &s.method],
        BODY,
        0.0,
    );
    doc.row(&pair, &["时间", &s.when, "学时", &s.hours], BODY, 0.0);
    doc.row(&pair, &["地点", &s.place, "讲师", &s.trainer], BODY, 0.0);
    doc.gap(8.0);
    let cols = [
        36.0,
        90.0,
        130.0,
        62.0,
        62.0,
        CONTENT_W - 36.0 - 90.0 - 130.0 - 124.0,
    ];
    doc.table_header(
        &cols,
        &[
            "序号",
            "姓名",
            "签名",
            "签到时间",
            "签退时间",
            "备注（单位）",
        ],
        BODY,
    );
    let total = s.names.len() + s.blank_lines;
    for i in 0..total {
        let name = s.names.get(i).map_or("", String::as_str);
        doc.row(
            &cols,
            &[&(i + 1).to_string(), name, "", "", "", ""],
            BODY,
            24.0,
        );
    }
    doc.end_table();
    doc.gap(6.0);
    doc.paragraph(
        "迟到、早退请写明实际签到、签退时间，按实际参加时间计入继续教育学时。",
        9.0,
        Align::Left,
    );
    Ok(doc.finish(page_label))
}

/// A continuing-education hours report: a station's ledger, or one
/// worker's certificate with the sessions that counted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HoursSheet {
    pub title: String,
    /// Label–value pairs printed two to a row above the table.
    pub info: Vec<(String, String)>,
    /// Column headings and their share of the width.
    pub columns: Vec<(String, f32)>,
    pub rows: Vec<Vec<String>>,
    pub note: String,
    pub printed_at: String,
}

/// The hours report as A4 PDF bytes, with lines for signature and seal.
pub fn hours_pdf(s: &HoursSheet) -> Result<Vec<u8>, PrintError> {
    let mut doc = Doc::new(&s.title, &s.printed_at)?;
    doc.paragraph(&s.title, 16.0, Align::Center);
    doc.gap(6.0);
    let half = (CONTENT_W - 2.0 * LABEL_W) / 2.0;
    for pair in s.info.chunks(2) {
        let (a, b) = (&pair[0], pair.get(1));
        let empty = (String::new(), String::new());
        let b = b.unwrap_or(&empty);
        doc.row(
            &[LABEL_W, half, LABEL_W, half],
            &[&a.0, &a.1, &b.0, &b.1],
            BODY,
            0.0,
        );
    }
    doc.gap(8.0);
    let total: f32 = s.columns.iter().map(|c| c.1).sum::<f32>().max(1.0);
    let widths: Vec<f32> = s.columns.iter().map(|c| c.1 / total * CONTENT_W).collect();
    let heads: Vec<&str> = s.columns.iter().map(|c| c.0.as_str()).collect();
    doc.table_header(&widths, &heads, 9.0);
    for r in &s.rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        doc.row(&widths, &cells, 9.0, 0.0);
    }
    doc.end_table();
    doc.gap(6.0);
    doc.paragraph(&s.note, 8.5, Align::Left);
    doc.gap(24.0);
    doc.paragraph(
        "经办人（签名）：____________    负责人（签名）：____________    （盖章）    日期：____________",
        10.0,
        Align::Left,
    );
    Ok(doc.finish(page_label))
}
