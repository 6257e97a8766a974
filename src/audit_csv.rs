//! The audit log as CSV (UTF-8 with a BOM, so Excel reads the Chinese):
//! the same file from the window's 导出 CSV and from `stationdesk audit
//! export`. Pure: entries in, bytes out; the callers write the file.

use crate::store::{AuditAction, AuditEntry};

/// The CSV's header, in the column order.
pub const CSV_HEADER: [&str; 10] = [
    "编号",
    "时间",
    "操作人",
    "操作",
    "操作代码",
    "表",
    "行号",
    "行标识",
    "字段",
    "详情",
];

/// The byte order mark every export starts with.
pub const BOM: &str = "\u{feff}";

/// An action's Chinese name from its stored code (an unknown code as is).
pub fn action_label(code: &str) -> &str {
    AuditAction::from_code(code).map_or(code, |a| a.label_zh())
}

/// An entry's detail as text: empty for `{}`, else its JSON.
pub fn detail_text(detail: &serde_json::Value) -> String {
    match detail.as_object() {
        Some(m) if m.is_empty() => String::new(),
        _ => detail.to_string(),
    }
}

/// The entries as a CSV file's bytes: a BOM, the header, one row each.
pub fn csv_bytes(entries: &[AuditEntry]) -> Result<Vec<u8>, csv::Error> {
    let mut out = BOM.as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(CSV_HEADER)?;
        for e in entries {
            w.write_record([
                e.id.to_string(),
                e.at.clone(),
                e.actor.clone(),
                action_label(&e.action).to_owned(),
                e.action.clone(),
                e.table.clone().unwrap_or_default(),
                e.row_id.map(|i| i.to_string()).unwrap_or_default(),
                e.row_uid.clone().unwrap_or_default(),
                e.fields.join(", "),
                detail_text(&e.detail),
            ])?;
        }
        w.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_starts_with_a_bom_and_the_chinese_header_and_quotes_commas() {
        let entry = AuditEntry {
            id: 7,
            at: "2026-03-05 09:30:00".into(),
            actor: "陈雪云".into(),
            action: "update".into(),
            table: Some("staff".into()),
            row_id: Some(3),
            row_uid: Some("u-3".into()),
            fields: vec!["name".into(), "phone".into()],
            detail: serde_json::json!({}),
        };
        let bytes = csv_bytes(&[entry]).expect("csv");
        let text = String::from_utf8(bytes).expect("utf-8");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("\u{feff}编号,时间,操作人,操作,操作代码,表,行号,行标识,字段,详情")
        );
        assert_eq!(
            lines.next(),
            Some("7,2026-03-05 09:30:00,陈雪云,修改,update,staff,3,u-3,\"name, phone\",")
        );
        assert_eq!(lines.next(), None);
    }
}
