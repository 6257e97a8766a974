//! `stationdesk supervision ...`

use std::io::Write;

use chrono::NaiveDate;
use serde::Serialize;

use super::{CliError, Format, SupervisionCommand};
use crate::model::{format_date, signature_overdue, Attendance, Function, Mode};
use crate::store::{RecordFilter, RecordSummary, RecordView, Store};

/// One record in `supervision list --format json`. Stable keys.
#[derive(Debug, Serialize)]
pub struct RecordSummaryJson {
    pub id: i64,
    pub year: i32,
    pub number: i64,
    pub date: String,
    pub start_time: String,
    pub end_time: String,
    pub hours: f64,
    pub mode: &'static str,
    pub supervisor_id: i64,
    pub supervisor_name: String,
    pub supervisees: Vec<String>,
    pub topic: String,
    pub signatures: usize,
    pub signers_needed: usize,
    pub fully_signed: bool,
    pub locked: bool,
    pub amended: bool,
    /// Not signed by everyone 7 days after the session (R19).
    pub signature_overdue: bool,
}

impl RecordSummaryJson {
    fn new(r: &RecordSummary, today: NaiveDate) -> Self {
        RecordSummaryJson {
            id: r.id,
            year: r.year,
            number: r.number,
            date: format_date(r.date),
            start_time: r.start_time.format("%H:%M").to_string(),
            end_time: r.end_time.format("%H:%M").to_string(),
            hours: r.hours(),
            mode: r.mode.code(),
            supervisor_id: r.supervisor_id,
            supervisor_name: r.supervisor_name.clone(),
            supervisees: r.supervisees.clone(),
            topic: r.topic.clone(),
            signatures: r.signatures,
            signers_needed: r.signers_needed,
            fully_signed: r.fully_signed(),
            locked: r.locked(),
            amended: r.amended,
            signature_overdue: signature_overdue(r.date, r.fully_signed(), today),
        }
    }
}

/// One record in full in `supervision show --format json`. Stable keys.
#[derive(Debug, Serialize)]
pub struct RecordJson {
    pub id: i64,
    pub year: i32,
    pub number: i64,
    pub station: String,
    pub supervisor_id: i64,
    pub supervisor_name: String,
    pub date: String,
    pub start_time: String,
    pub end_time: String,
    pub hours: f64,
    pub place: String,
    pub mode: &'static str,
    pub functions: Vec<&'static str>,
    pub supervisees: Vec<AttendeeJson>,
    pub cases: String,
    pub topic: String,
    pub previous_review: String,
    pub reported: String,
    pub findings: String,
    pub guidance: String,
    pub reflection: String,
    pub disagreement: String,
    pub action_items: Vec<ItemJson>,
    pub signatures: Vec<SignatureJson>,
    pub amendments: Vec<AmendmentJson>,
    pub locked: bool,
    pub fully_signed: bool,
}

#[derive(Debug, Serialize)]
pub struct AttendeeJson {
    pub staff_id: i64,
    pub name: String,
    pub attendance: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ItemJson {
    pub id: i64,
    pub what: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub due: String,
    pub done: Option<String>,
    pub note: String,
}

#[derive(Debug, Serialize)]
pub struct SignatureJson {
    pub staff_id: i64,
    pub role: String,
    pub name: String,
    pub signed_at: String,
}

#[derive(Debug, Serialize)]
pub struct AmendmentJson {
    pub field: String,
    pub original: String,
    pub amended: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

impl From<&RecordView> for RecordJson {
    fn from(r: &RecordView) -> Self {
        let c = &r.content;
        RecordJson {
            id: r.id,
            year: r.year,
            number: r.number,
            station: r.station_name.clone(),
            supervisor_id: c.supervisor_id,
            supervisor_name: r.supervisor_name.clone(),
            date: format_date(c.date),
            start_time: c.start_time.format("%H:%M").to_string(),
            end_time: c.end_time.format("%H:%M").to_string(),
            hours: c.hours(),
            place: c.place.clone(),
            mode: c.mode.code(),
            functions: c.functions.iter().map(|f| f.code()).collect(),
            supervisees: r
                .attendees
                .iter()
                .map(|(id, name, a)| AttendeeJson {
                    staff_id: *id,
                    name: name.clone(),
                    attendance: a.code(),
                })
                .collect(),
            cases: c.cases.clone(),
            topic: c.topic.clone(),
            previous_review: c.previous_review.clone(),
            reported: c.reported.clone(),
            findings: c.findings.clone(),
            guidance: c.guidance.clone(),
            reflection: c.reflection.clone(),
            disagreement: c.disagreement.clone(),
            action_items: r
                .items
                .iter()
                .map(|i| ItemJson {
                    id: i.id,
                    what: i.item.what.clone(),
                    owner_id: i.item.owner_id,
                    owner_name: i.owner_name.clone(),
                    due: format_date(i.item.due),
                    done: i.item.done.map(format_date),
                    note: i.item.note.clone(),
                })
                .collect(),
            signatures: r
                .signatures
                .iter()
                .map(|s| SignatureJson {
                    staff_id: s.staff_id,
                    role: s.role.clone(),
                    name: s.name.clone(),
                    signed_at: s.signed_at.format("%Y-%m-%d %H:%M").to_string(),
                })
                .collect(),
            amendments: r
                .amendments
                .iter()
                .map(|a| AmendmentJson {
                    field: a.field.clone(),
                    original: a.original.clone(),
                    amended: a.amended.clone(),
                    reason: a.reason.clone(),
                    by: a.by_name.clone(),
                    at: a.at.format("%Y-%m-%d %H:%M").to_string(),
                })
                .collect(),
            locked: r.locked(),
            fully_signed: r.fully_signed(),
        }
    }
}

pub fn supervision(
    store: &Store,
    command: SupervisionCommand,
    today: NaiveDate,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    match command {
        SupervisionCommand::List {
            supervisor,
            month,
            format,
        } => {
            if let Some(id) = supervisor {
                store.staff(id)?;
            }
            let rows = store.list_records(RecordFilter {
                supervisor_id: supervisor,
                month: month.map(|m| (m.year, m.month)),
            })?;
            match format {
                Format::Json => {
                    let rows: Vec<_> = rows
                        .iter()
                        .map(|r| RecordSummaryJson::new(r, today))
                        .collect();
                    serde_json::to_writer_pretty(&mut *out, &rows)?;
                    writeln!(out)?;
                }
                Format::Table => {
                    let mut table = comfy_table::Table::new();
                    table.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                    table.set_header([
                        "ID",
                        "编号",
                        "日期",
                        "时长",
                        "方式",
                        "督导",
                        "被督导者",
                        "主题",
                        "签名",
                    ]);
                    for r in &rows {
                        let signed = if r.fully_signed() {
                            "已签".to_owned()
                        } else if signature_overdue(r.date, false, today) {
                            format!("{}/{} 逾期未签", r.signatures, r.signers_needed)
                        } else {
                            format!("{}/{}", r.signatures, r.signers_needed)
                        };
                        table.add_row([
                            r.id.to_string(),
                            format!("{}年第{}次", r.year, r.number),
                            format_date(r.date),
                            format!("{:.1} 小时", r.hours()),
                            r.mode.label_zh().to_owned(),
                            r.supervisor_name.clone(),
                            r.supervisees.join("、"),
                            r.topic.clone(),
                            signed,
                        ]);
                    }
                    writeln!(out, "{table}")?;
                }
            }
        }
        SupervisionCommand::Show { id, format } => {
            let record = store.record(id)?;
            let json = RecordJson::from(&record);
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &json)?;
                    writeln!(out)?;
                }
                Format::Table => write_record(&json, out)?,
            }
        }
    }
    Ok(())
}

fn write_record(r: &RecordJson, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} 督导记录  {}年 第 {} 次{}",
        r.station,
        r.year,
        r.number,
        if r.amendments.is_empty() {
            ""
        } else {
            "（已修订）"
        }
    )?;
    let names: Vec<String> = r
        .supervisees
        .iter()
        .map(|a| {
            format!(
                "{}（{}）",
                a.name,
                label(Attendance::from_code(a.attendance).map(Attendance::label_zh))
            )
        })
        .collect();
    let functions: Vec<&str> = r
        .functions
        .iter()
        .filter_map(|f| Function::from_code(f))
        .map(Function::label_zh)
        .collect();
    for (label, value) in [
        (
            "日期",
            format!(
                "{} {}–{}（{:.1} 小时）",
                r.date, r.start_time, r.end_time, r.hours
            ),
        ),
        ("地点", r.place.clone()),
        ("方式", label(Mode::from_code(r.mode).map(Mode::label_zh))),
        ("功能", functions.join("、")),
        ("督导", r.supervisor_name.clone()),
        ("被督导者", names.join("、")),
        ("讨论个案", r.cases.clone()),
        ("主题", r.topic.clone()),
        ("上次行动项回顾", r.previous_review.clone()),
        ("被督导者汇报", r.reported.clone()),
        ("督导发现", r.findings.clone()),
        ("指导与决定", r.guidance.clone()),
        ("反思", r.reflection.clone()),
        ("分歧", r.disagreement.clone()),
    ] {
        writeln!(out, "{label}：{value}")?;
    }
    for i in &r.action_items {
        writeln!(
            out,
            "行动项：{}（{}，{} 前{}）",
            i.what,
            i.owner_name,
            i.due,
            i.done
                .as_ref()
                .map(|d| format!("，{d} 完成"))
                .unwrap_or_default()
        )?;
    }
    for s in &r.signatures {
        let role = if s.role == "supervisor" {
            "督导"
        } else {
            "被督导者"
        };
        writeln!(out, "签名：{}（{role}）{}", s.name, s.signed_at)?;
    }
    for a in &r.amendments {
        writeln!(
            out,
            "修订：{} {} 改 {}，原因：{}；原文：{}",
            a.at, a.by, a.field, a.reason, a.original
        )?;
    }
    Ok(())
}

fn label(l: Option<&'static str>) -> String {
    l.unwrap_or_default().to_owned()
}
