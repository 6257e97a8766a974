//! Excel workbooks for the upper office (rust_xlsxwriter).

use std::collections::HashMap;

use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use crate::model::{Month, SupervisorMonth};

/// The sheet's name, also what readers look for.
pub const WORKLOAD_SHEET: &str = "督导工作量";

/// The column headings of the workload sheet, in order.
pub const WORKLOAD_COLUMNS: [&str; 19] = [
    "站点",
    "督导",
    "岗位",
    "被督导者",
    "比例上限",
    "负荷（%）",
    "督导次数",
    "督导时长（小时）",
    "已按规定督导人数",
    "覆盖率（%）",
    "团队个案负荷",
    "小组节数",
    "活动场数",
    "接受个别督导（R4）",
    "接受小组督导（R4）",
    "督导助理承担组均工作量（%，R7）",
    "R7 达标",
    "见习督导一线实务节数（R5）",
    "R6 达标",
];

/// One sheet: a title row, the headings, a row per supervisor.
pub fn workload_xlsx(
    rows: &[SupervisorMonth],
    month: Month,
    stations: &HashMap<i64, String>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(WORKLOAD_SHEET)?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color("#DCEFED");
    let one = Format::new().set_num_format("0.0");
    sheet.write_string_with_format(0, 0, format!("{month} 督导工作量"), &title)?;
    for (c, h) in WORKLOAD_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, if c < 3 { 14 } else { 11 })?;
    }
    sheet.set_row_height(1, 45)?;
    sheet.set_freeze_panes(2, 2)?;
    let yes = |b: bool| if b { "是" } else { "否" };
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string(
            row,
            0,
            stations.get(&r.station_id).map_or("", String::as_str),
        )?;
        sheet.write_string(row, 1, &r.name)?;
        sheet.write_string(row, 2, r.role.label_zh())?;
        sheet.write_number(row, 3, r.supervisees)?;
        if let Some(limit) = r.ratio_limit {
            sheet.write_number(row, 4, limit)?;
        }
        if let Some(load) = r.load_pct {
            sheet.write_number_with_format(row, 5, load, &one)?;
        }
        sheet.write_number(row, 6, r.sessions)?;
        sheet.write_number_with_format(row, 7, r.hours, &one)?;
        sheet.write_number(row, 8, r.covered)?;
        sheet.write_number_with_format(row, 9, r.coverage_pct, &one)?;
        sheet.write_number_with_format(row, 10, r.team_case_load, &one)?;
        sheet.write_number(row, 11, r.team_group_sessions)?;
        sheet.write_number(row, 12, r.team_activities)?;
        sheet.write_number(row, 13, r.received_individual)?;
        sheet.write_number(row, 14, r.received_group)?;
        if let Some(a) = &r.assistant {
            sheet.write_number_with_format(row, 15, a.share_pct, &one)?;
            sheet.write_string(row, 16, yes(a.meets_r7))?;
        }
        if let Some(t) = &r.trainee {
            sheet.write_number(row, 17, t.half_days)?;
            sheet.write_string(row, 18, yes(t.meets_r6))?;
        }
    }
    book.save_to_buffer()
}

/// The sheet of the hours ledger.
pub const HOURS_SHEET: &str = "继续教育学时";

/// The column headings of the hours ledger sheet, in order.
pub const HOURS_COLUMNS: [&str; 11] = [
    "姓名",
    "资格",
    "注册期起",
    "注册期止",
    "应修学时",
    "已修学时",
    "本年学时",
    "按期应达",
    "落后",
    "续期起始日",
    "已到期",
];

/// The continuing-education ledger (R16) as of a day, a row per certified
/// member of staff.
pub fn hours_xlsx(
    rows: &[crate::model::LedgerRow],
    scope: &str,
    as_of: chrono::NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(HOURS_SHEET)?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_background_color("#DCEFED");
    let one = Format::new().set_num_format("0.0");
    sheet.write_string_with_format(
        0,
        0,
        format!("{scope} 继续教育学时台账（截至 {as_of}）"),
        &title,
    )?;
    for (c, h) in HOURS_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(1, c as u16, *h, &head)?;
        sheet.set_column_width(c as u16, 12)?;
    }
    sheet.set_freeze_panes(2, 1)?;
    let yes = |b: bool| if b { "是" } else { "否" };
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        sheet.write_string(row, 0, &r.name)?;
        sheet.write_string(row, 1, r.qualification.label_zh())?;
        sheet.write_string(row, 2, r.period_start.to_string())?;
        sheet.write_string(row, 3, r.period_end.to_string())?;
        sheet.write_number_with_format(row, 4, r.required_hours, &one)?;
        sheet.write_number_with_format(row, 5, r.earned_hours, &one)?;
        sheet.write_number_with_format(row, 6, r.year_hours, &one)?;
        sheet.write_number_with_format(row, 7, r.prorated_target, &one)?;
        sheet.write_string(row, 8, yes(r.behind))?;
        sheet.write_string(row, 9, r.renew_from.to_string())?;
        sheet.write_string(row, 10, yes(r.expired))?;
    }
    book.save_to_buffer()
}
