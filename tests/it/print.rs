//! PDFs as a person gets them: text extracted with poppler's pdftotext,
//! fonts checked with pdffonts, page 1 rendered to PNG under
//! target/print-samples/ for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use stationdesk::pdf::{
    monthly_summary_pdf, supervision_record_pdf, ActionRow, AmendmentRow, MonthlySummarySheet,
    SignatureRow, SummaryRow, SupervisionSheet,
};

fn samples() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/print-samples");
    std::fs::create_dir_all(&dir).expect("samples dir");
    dir
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} (poppler-utils, installed by scripts/setup.sh test) is needed: {e}")
    });
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = samples().join(name);
    std::fs::write(&path, bytes).expect("write pdf");
    let png = samples().join(name.trim_end_matches(".pdf"));
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            path.to_str().expect("utf-8"),
            png.to_str().expect("utf-8"),
        ],
    );
    path
}

fn sheet() -> SupervisionSheet {
    SupervisionSheet {
        station: "青溪镇社工站".into(),
        year: 2026,
        number_in_year: 3,
        date: "2026-11-02".into(),
        start: "09:00".into(),
        end: "10:30".into(),
        duration: "1.5 小时".into(),
        place: "青溪镇社工站会议室".into(),
        mode: "个别督导".into(),
        functions: "行政、教育".into(),
        supervisor: "陈雪云".into(),
        supervisees: vec![("王芳".into(), "出席".into())],
        cases: "QX-2026-014".into(),
        topic: "高风险个案的家访安排".into(),
        previous_items_review: "上次的两项已完成一项。".into(),
        reported: "本月完成家访六次，其中两户情况有变化。".repeat(90),
        findings: "预估记录较完整，但风险评估缺少依据。".into(),
        guidance: "高风险个案每周至少联系一次，理由：确保安全。".into(),
        reflection: "督导者反思：应更早介入。".into(),
        disagreement: "无".into(),
        action_items: vec![
            ActionRow {
                what: "补全本月家访记录".into(),
                owner: "王芳".into(),
                due: "2026-11-09".into(),
                done: String::new(),
            },
            ActionRow {
                what: "修改服务计划目标".into(),
                owner: "王芳".into(),
                due: "2026-11-16".into(),
                done: "2026-11-12".into(),
            },
        ],
        signatures: vec![
            SignatureRow {
                role: "督导".into(),
                name: "陈雪云".into(),
                signed_at: Some("2026-11-02 17:30".into()),
            },
            SignatureRow {
                role: "被督导者".into(),
                name: "王芳".into(),
                signed_at: None,
            },
        ],
        amendments: vec![AmendmentRow {
            at: "2026-11-03 09:00".into(),
            by: "陈雪云".into(),
            field: "督导发现".into(),
            reason: "笔误更正".into(),
            original: "记录不完整".into(),
        }],
        amended_labels: vec!["督导发现".into()],
        printed_at: "打印于 2026-11-22 10:05".into(),
    }
}

#[test]
fn a_supervision_record_prints_in_chinese_with_an_embedded_subset_font() {
    let bytes = supervision_record_pdf(&sheet()).expect("pdf");
    assert!(bytes.starts_with(b"%PDF"));
    assert!(bytes.len() <= 300 * 1024, "{} bytes", bytes.len());
    let path = write("supervision-record.pdf", &bytes);
    let text = tool(
        "pdftotext",
        &["-layout", path.to_str().expect("utf-8"), "-"],
    );
    for expected in [
        "青溪镇社工站 督导记录表（已修订）",
        "2026年 第 3 次",
        "日期",
        "2026-11-02",
        "督导方式",
        "个别督导",
        "被督导者及出席",
        "王芳（出席）",
        "督导发现*",
        "指导与决定",
        "补全本月家访记录",
        "2026-11-09",
        "修订记录",
        "笔误更正",
        "督导签名",
        "被督导者签名",
        "打印于 2026-11-22 10:05",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The long report runs over onto page 2; every page is numbered.
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    for (i, page) in pages.iter().enumerate() {
        let label = format!("第{}页，共{}页", i + 1, pages.len());
        assert!(page.contains(&label), "page {} lacks {label:?}", i + 1);
    }
    assert!(
        pages.len() >= 2 && pages[1].contains("两户情况有变化"),
        "{text}"
    );
    let fonts = tool("pdffonts", &[path.to_str().expect("utf-8")]);
    let font = fonts
        .lines()
        .find(|l| l.contains("NotoSansCJK"))
        .expect("the CJK font is listed");
    assert!(
        font.split('+').next().is_some_and(|tag| tag.len() == 6),
        "subset tag: {font}"
    );
    assert!(font.contains("yes yes"), "embedded and subset: {font}");
}

#[test]
fn characters_outside_the_font_do_not_break_printing() {
    let mut s = sheet();
    s.topic = "罕见字 𠀀 and emoji 🙂".into();
    let bytes = supervision_record_pdf(&s).expect("pdf");
    assert!(bytes.starts_with(b"%PDF"));
}

#[test]
fn the_monthly_summary_prints_its_figures_and_sessions() {
    let sheet = MonthlySummarySheet {
        station: "青溪镇社工站".into(),
        supervisor: "陈雪云".into(),
        month: "2026-11".into(),
        sessions: 2,
        hours: "2.5 小时".into(),
        supervisees_total: 3,
        supervisees_covered: 2,
        open_items: 4,
        overdue_items: 1,
        rows: (1..=60)
            .map(|n| SummaryRow {
                number: format!("第{n}次"),
                date: "2026-11-02".into(),
                mode: "个别督导".into(),
                supervisees: "王芳".into(),
                topic: "家访安全".into(),
                hours: "1.5".into(),
                signed: "已签".into(),
            })
            .collect(),
        printed_at: "打印于 2026-11-22 10:05".into(),
    };
    let bytes = monthly_summary_pdf(&sheet).expect("pdf");
    let path = write("monthly-summary.pdf", &bytes);
    let text = tool(
        "pdftotext",
        &["-layout", path.to_str().expect("utf-8"), "-"],
    );
    for expected in [
        "青溪镇社工站 督导月报 2026-11",
        "督导次数",
        "3 人，本月已督导 2 人",
        "未完成 4 项，其中逾期 1 项",
        "第60次",
        "共3页",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn a_long_record_with_many_action_items_repeats_the_table_header() {
    let mut s = sheet();
    s.topic = "罕见字 𠀀 and emoji 🙂 结束；人名 堃喆珺琤昇玥镕赟瑄".into();
    s.findings = "风险评估缺少依据，需补充（家访记录、电话记录）。".repeat(25);
    s.action_items = (1..=40)
        .map(|n| ActionRow {
            what: format!("第{n}项：补全本月家访记录并与家属确认下一步安排"),
            owner: "王芳".into(),
            due: "2026-11-09".into(),
            done: String::new(),
        })
        .collect();
    let bytes = supervision_record_pdf(&s).expect("pdf");
    let path = samples().join("long-record.pdf");
    std::fs::write(&path, &bytes).expect("write");
    let text = tool(
        "pdftotext",
        &["-layout", path.to_str().expect("utf-8"), "-"],
    );
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let with_header = pages.iter().filter(|p| p.contains("完成期限")).count();
    assert!(with_header >= 2, "{text}");
    assert!(text.contains("（续）"), "{text}");
    assert!(
        text.contains("罕见字 □ and emoji □ 结束；人名 堃喆珺琤昇玥镕赟瑄"),
        "{text}"
    );
}

#[test]
fn the_workload_report_prints_every_supervisor_with_totals_and_signature_lines() {
    use stationdesk::demo::{generate, Scale};
    use stationdesk::model::Month;
    use stationdesk::store::Scope;

    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("day");
    let mut store = stationdesk::Store::open_in_memory().expect("store");
    store
        .load_demo(&generate(Scale::Station, 7, today))
        .expect("demo");
    let month = Month::of(today).prev();
    let rows = store.workload(Scope::All, month, today).expect("workload");
    assert!(
        rows.len() >= 4,
        "a head, a supervisor, assistants, a trainee"
    );
    let stations = store.station_names().expect("stations");
    let station = stations.values().next().expect("a station").clone();
    let sheet = stationdesk::pdf::workload_sheet(
        &station,
        month,
        &rows,
        &stations,
        "打印于 2026-11-22 10:05",
    );
    let bytes = stationdesk::pdf::workload_pdf(&sheet).expect("pdf");
    assert!(bytes.starts_with(b"%PDF"));
    let path = write("workload.pdf", &bytes);
    let text = tool(
        "pdftotext",
        &["-layout", path.to_str().expect("utf-8"), "-"],
    );
    assert!(
        text.contains(&format!("{station} 督导工作量月报表 {month}")),
        "{text}"
    );
    for r in &rows {
        assert!(text.contains(&r.name), "{} missing:\n{text}", r.name);
    }
    let sessions: u32 = rows.iter().map(|r| r.sessions).sum();
    assert!(
        text.contains(&format!("合计：督导 {} 人，督导 {sessions} 次", rows.len())),
        "{text}"
    );
    for expected in [
        "被督导者",
        "覆盖率",
        "填报人（签名）",
        "审核人（签名）",
        "第1页，共1页",
    ] {
        assert!(text.contains(expected), "{expected} missing:\n{text}");
    }
    let fonts = tool("pdffonts", &[path.to_str().expect("utf-8")]);
    assert!(fonts.contains("yes yes"), "embedded subset font:\n{fonts}");
}

#[test]
fn the_signin_sheet_prints_the_session_and_every_name() {
    use stationdesk::demo::{generate, Scale};
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("day");
    let mut store = stationdesk::Store::open_in_memory().expect("store");
    store
        .load_demo(&generate(Scale::Station, 3, today))
        .expect("demo");
    let t = store.list_trainings(None, None).expect("list")[0].id;
    let view = store.training_view(t).expect("view");
    let roster = store.training_roster(t).expect("roster");
    let sheet = stationdesk::pdf::signin_sheet(&view, &roster, "打印于 2026-11-22 10:05");
    let bytes = stationdesk::pdf::signin_pdf(&sheet).expect("pdf");
    let path = write("signin.pdf", &bytes);
    let text = tool(
        "pdftotext",
        &["-layout", path.to_str().expect("utf-8"), "-"],
    );
    assert!(
        text.contains(&format!("{} 培训签到表", view.station_name)),
        "{text}"
    );
    assert!(text.contains(&view.summary.title));
    for r in &roster {
        assert!(text.contains(&r.name), "{} missing:\n{text}", r.name);
    }
    for head in ["序号", "签名", "签到时间", "签退时间"] {
        assert!(text.contains(head), "{head}");
    }
}

#[test]
fn the_hours_certificate_lists_each_session_that_counted() {
    use stationdesk::demo::{generate, Scale};
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("day");
    let mut store = stationdesk::Store::open_in_memory().expect("store");
    store
        .load_demo(&generate(Scale::Station, 3, today))
        .expect("demo");
    let ledger = store.hours_ledger(None, today).expect("ledger");
    let first = &ledger[0];
    let (row, entries) = store
        .hours_detail(first.staff_id, today)
        .expect("detail")
        .expect("certified");
    assert_eq!(&row, first);
    let sum: f64 = entries.iter().map(|e| e.hours).sum();
    assert!(
        (sum - row.earned_hours).abs() < 0.01,
        "{sum} vs {}",
        row.earned_hours
    );
    let sheet = stationdesk::pdf::hours_certificate_sheet(
        "青溪镇社工站",
        &row,
        &entries,
        today,
        "打印于 2026-11-22 10:05",
    );
    let path = write(
        "hours-certificate.pdf",
        &stationdesk::pdf::hours_pdf(&sheet).expect("pdf"),
    );
    let text = tool(
        "pdftotext",
        &["-layout", path.to_str().expect("utf-8"), "-"],
    );
    assert!(text.contains("青溪镇社工站 继续教育学时证明"), "{text}");
    assert!(text.contains(&row.name));
    for e in entries.iter().take(3) {
        assert!(text.contains(&e.title), "{} missing", e.title);
    }
    let report = stationdesk::pdf::hours_report_sheet("青溪镇社工站", today, &ledger, "打印于");
    let path = write(
        "hours-report.pdf",
        &stationdesk::pdf::hours_pdf(&report).expect("pdf"),
    );
    let text = tool(
        "pdftotext",
        &["-layout", path.to_str().expect("utf-8"), "-"],
    );
    assert!(text.contains("继续教育学时统计表"));
    for r in &ledger {
        assert!(text.contains(&r.name), "{} missing", r.name);
    }
}
