//! Fills the printed sheets from records: labels in Chinese, dates as
//! `YYYY-MM-DD`.

use std::collections::HashMap;

use super::{
    ActionRow, AmendmentRow, MonthlySummarySheet, SignatureRow, SigninSheet, SummaryRow,
    SupervisionSheet, WorkloadRow, WorkloadSheet,
};
use crate::model::{format_date, Function, Month, MonthSummary, SupervisorMonth, TrendPoint};
use crate::store::{RecordSummary, RecordView};
use crate::store::{RosterEntry, TrainingView};

/// The Chinese label of an amendable field.
fn field_label(field: &str) -> &str {
    match field {
        "place" => "地点",
        "cases" => "讨论个案",
        "topic" => "主题",
        "previous_review" => "上次行动项回顾",
        "reported" => "被督导者汇报",
        "findings" => "督导发现",
        "guidance" => "指导与决定",
        "reflection" => "反思",
        "disagreement" => "分歧",
        other => other,
    }
}

fn hours(h: f64) -> String {
    format!("{} 小时", (h * 100.0).round() / 100.0)
}

pub fn record_sheet(r: &RecordView, printed_at: &str) -> SupervisionSheet {
    let c = &r.content;
    let signed = |id: i64| r.signatures.iter().find(|s| s.staff_id == id);
    let mut signatures = vec![];
    for id in r.signers_needed() {
        let name = if id == c.supervisor_id {
            r.supervisor_name.clone()
        } else {
            r.attendees
                .iter()
                .find(|a| a.0 == id)
                .map(|a| a.1.clone())
                .unwrap_or_default()
        };
        signatures.push(SignatureRow {
            role: if id == c.supervisor_id {
                "督导"
            } else {
                "被督导者"
            }
            .to_owned(),
            name,
            signed_at: signed(id).map(|s| s.signed_at.format("%Y-%m-%d %H:%M").to_string()),
        });
    }
    SupervisionSheet {
        station: r.station_name.clone(),
        year: r.year,
        number_in_year: r.number as u32,
        date: format_date(c.date),
        start: c.start_time.format("%H:%M").to_string(),
        end: c.end_time.format("%H:%M").to_string(),
        duration: hours(c.hours()),
        place: c.place.clone(),
        mode: c.mode.label_zh().to_owned(),
        functions: c
            .functions
            .iter()
            .map(|f| Function::label_zh(*f))
            .collect::<Vec<_>>()
            .join("、"),
        supervisor: r.supervisor_name.clone(),
        supervisees: r
            .attendees
            .iter()
            .map(|a| (a.1.clone(), a.2.label_zh().to_owned()))
            .collect(),
        cases: c.cases.clone(),
        topic: c.topic.clone(),
        previous_items_review: c.previous_review.clone(),
        reported: c.reported.clone(),
        findings: c.findings.clone(),
        guidance: c.guidance.clone(),
        reflection: c.reflection.clone(),
        disagreement: c.disagreement.clone(),
        action_items: r
            .items
            .iter()
            .map(|i| ActionRow {
                what: i.item.what.clone(),
                owner: i.owner_name.clone(),
                due: format_date(i.item.due),
                done: i.item.done.map(format_date).unwrap_or_default(),
            })
            .collect(),
        signatures,
        amendments: r
            .amendments
            .iter()
            .map(|a| AmendmentRow {
                at: a.at.format("%Y-%m-%d %H:%M").to_string(),
                by: a.by_name.clone(),
                field: field_label(&a.field).to_owned(),
                reason: a.reason.clone(),
                original: a.original.clone(),
            })
            .collect(),
        amended_labels: r
            .amendments
            .iter()
            .map(|a| field_label(&a.field).to_owned())
            .collect(),
        printed_at: printed_at.to_owned(),
    }
}

pub fn summary_sheet(
    station: &str,
    supervisor: &str,
    month: (i32, u32),
    s: &MonthSummary,
    records: &[RecordSummary],
    printed_at: &str,
) -> MonthlySummarySheet {
    let mut rows: Vec<&RecordSummary> = records.iter().collect();
    rows.sort_by_key(|r| (r.date, r.start_time));
    MonthlySummarySheet {
        station: station.to_owned(),
        supervisor: supervisor.to_owned(),
        month: format!("{}-{:02}", month.0, month.1),
        sessions: s.sessions,
        hours: hours(s.hours),
        supervisees_total: s.supervisees_total,
        supervisees_covered: s.supervisees_covered,
        open_items: s.open_items,
        overdue_items: s.overdue_items,
        rows: rows
            .into_iter()
            .map(|r| SummaryRow {
                number: format!("第{}次", r.number),
                date: format_date(r.date),
                mode: r.mode.label_zh().to_owned(),
                supervisees: r.supervisees.join("、"),
                topic: r.topic.clone(),
                hours: format!("{}", (r.hours() * 100.0).round() / 100.0),
                signed: if r.fully_signed() {
                    "已签".to_owned()
                } else {
                    format!("{}/{}", r.signatures, r.signers_needed)
                },
            })
            .collect(),
        printed_at: printed_at.to_owned(),
    }
}

/// R7 for an assistant, R5/R6 for a trainee, in one line of Chinese.
pub fn workload_note(r: &SupervisorMonth) -> String {
    let mut note = vec![];
    if let Some(a) = &r.assistant {
        note.push(format!(
            "R7 承担组均 {:.0}%{}",
            a.share_pct,
            if a.meets_r7 { "" } else { "（不足）" }
        ));
    }
    if let Some(t) = &r.trainee {
        note.push(format!(
            "R5 实务 {}/{} 节；R6 疑难个案 {}/{}，治疗小组 {}，其他小组 {}，活动 {}{}",
            t.half_days,
            t.half_days_target,
            t.difficult_cases,
            t.difficult_cases_target,
            t.therapeutic_groups,
            t.other_groups,
            t.activities,
            if t.meets_r6 { "（已达标）" } else { "" }
        ));
    }
    note.join("；")
}

fn one(x: f64) -> String {
    format!("{x:.1}")
}

pub fn workload_sheet(
    scope: &str,
    month: Month,
    rows: &[SupervisorMonth],
    stations: &HashMap<i64, String>,
    printed_at: &str,
) -> WorkloadSheet {
    let t = TrendPoint::of(month, rows);
    WorkloadSheet {
        scope: scope.to_owned(),
        month: month.to_string(),
        rows: rows
            .iter()
            .map(|r| WorkloadRow {
                station: stations.get(&r.station_id).cloned().unwrap_or_default(),
                name: r.name.clone(),
                role: r.role.label_zh().to_owned(),
                supervisees: match r.ratio_limit {
                    Some(l) => format!("{}/{l}", r.supervisees),
                    None => r.supervisees.to_string(),
                },
                load: r.load_pct.map(|p| format!("{p:.0}%")).unwrap_or_default(),
                sessions: r.sessions.to_string(),
                hours: one(r.hours),
                coverage: format!("{:.0}%", r.coverage_pct),
                case_load: one(r.team_case_load),
                received: format!("{}/{}", r.received_individual, r.received_group),
                note: workload_note(r),
            })
            .collect(),
        totals: format!(
            "合计：督导 {} 人，督导 {} 次、{} 小时；被督导者 {} 人，按规定得到督导 {} 人（{:.0}%）。",
            rows.len(),
            t.sessions,
            one(t.hours),
            t.supervisees,
            t.covered,
            t.coverage_pct
        ),
        printed_at: printed_at.to_owned(),
    }
}

/// The sign-in sheet of a session: the station's staff by name, and blank
/// lines for outsiders.
pub fn signin_sheet(t: &TrainingView, roster: &[RosterEntry], printed_at: &str) -> SigninSheet {
    let s = &t.summary;
    SigninSheet {
        station: t.station_name.clone(),
        title: s.title.clone(),
        when: format!(
            "{} {}–{}",
            format_date(s.date),
            s.start.format("%H:%M"),
            s.end.format("%H:%M")
        ),
        place: s.place.clone(),
        trainer: s.trainer.clone().unwrap_or_default(),
        hours: format!(
            "{}{}",
            s.hours,
            if s.counts_ce {
                ""
            } else {
                "（不计入继续教育）"
            }
        ),
        method: format!("{}（{}）", s.method.label_zh(), s.area.label_zh()),
        names: roster.iter().map(|r| r.name.clone()).collect(),
        blank_lines: 5,
        printed_at: printed_at.to_owned(),
    }
}

const HOURS_NOTE: &str = "继续教育学时按注册期（登记日起 3 年）累计：助理社会工作师不少于 72 学时，社会工作师、高级社会工作师不少于 90 学时（R16）。迟到、早退按实际参加时间计。";

fn state(r: &crate::model::LedgerRow) -> &'static str {
    if r.expired {
        "注册已到期"
    } else if r.behind {
        "落后"
    } else {
        "正常"
    }
}

/// A station's (or the county's) ledger as a report.
pub fn hours_report_sheet(
    scope: &str,
    as_of: chrono::NaiveDate,
    rows: &[crate::model::LedgerRow],
    printed_at: &str,
) -> super::HoursSheet {
    let behind = rows.iter().filter(|r| r.behind).count();
    super::HoursSheet {
        title: format!("{scope} 继续教育学时统计表"),
        info: vec![
            ("截至".into(), format_date(as_of)),
            (
                "持证人数".into(),
                format!("{} 人，其中落后 {behind} 人", rows.len()),
            ),
        ],
        columns: [
            ("姓名", 1.2),
            ("资格", 1.6),
            ("注册期", 2.6),
            ("应修", 0.8),
            ("已修", 0.8),
            ("本年", 0.8),
            ("按期应达", 1.0),
            ("状态", 1.1),
        ]
        .iter()
        .map(|(h, w)| ((*h).to_owned(), *w))
        .collect(),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.name.clone(),
                    r.qualification.label_zh().to_owned(),
                    format!(
                        "{}～{}",
                        format_date(r.period_start),
                        format_date(r.period_end)
                    ),
                    format!("{}", r.required_hours),
                    format!("{}", r.earned_hours),
                    format!("{}", r.year_hours),
                    format!("{}", r.prorated_target),
                    state(r).to_owned(),
                ]
            })
            .collect(),
        note: HOURS_NOTE.to_owned(),
        printed_at: printed_at.to_owned(),
    }
}

/// One worker's hours certificate: the ledger line and each session.
pub fn hours_certificate_sheet(
    station: &str,
    row: &crate::model::LedgerRow,
    entries: &[crate::store::HoursEntry],
    as_of: chrono::NaiveDate,
    printed_at: &str,
) -> super::HoursSheet {
    super::HoursSheet {
        title: format!("{station} 继续教育学时证明"),
        info: vec![
            ("姓名".into(), row.name.clone()),
            ("资格".into(), row.qualification.label_zh().to_owned()),
            (
                "注册期".into(),
                format!(
                    "{}～{}",
                    format_date(row.period_start),
                    format_date(row.period_end)
                ),
            ),
            ("截至".into(), format_date(as_of)),
            ("应修学时".into(), format!("{}", row.required_hours)),
            (
                "已修学时".into(),
                format!(
                    "{}（按期应达 {}，{}）",
                    row.earned_hours,
                    row.prorated_target,
                    state(row)
                ),
            ),
        ],
        columns: [
            ("日期", 1.0),
            ("培训主题", 3.0),
            ("方式", 1.2),
            ("学时", 0.7),
        ]
        .iter()
        .map(|(h, w)| ((*h).to_owned(), *w))
        .collect(),
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    format_date(e.date),
                    e.title.clone(),
                    e.method.label_zh().to_owned(),
                    format!("{}", e.hours),
                ]
            })
            .collect(),
        note: HOURS_NOTE.to_owned(),
        printed_at: printed_at.to_owned(),
    }
}
