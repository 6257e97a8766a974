"""The audit log and the seal check in the window (issue 8, items 5 and 6):
设置 shows who did what (names, never values), filters it, refuses a bad
date in Chinese, exports it as CSV for Excel; 核验签名记录 says all is well,
or names in red each signed record altered behind the program's back."""

import sqlite3

from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import App

BOM = "\ufeff".encode()
HEADER = "编号,时间,操作人,操作,操作代码,表,行号,行标识,字段,详情"


def open_audit(app):
    app.one('[data-testid="tab-settings"]').click()
    app.wait_for('[data-testid="audit-log"][data-loaded="true"]')
    log = app.one('[data-testid="audit-log"]')
    app.driver.execute_script("arguments[0].scrollIntoView()", log)
    return log


def rows(app):
    return app.all('[data-testid="audit-row"]')


def wait_rows(app, test, timeout=10):
    """Waits until the table's rows pass `test` (it re-renders on each filter)."""
    WebDriverWait(app.driver, timeout).until(lambda d: test(rows(app)))
    return rows(app)


def type_in(app, testid, text):
    box = app.one(f'[data-testid="{testid}"]')
    box.clear()
    box.send_keys(text)


def add_staff(app, name):
    app.one('[data-testid="add-staff"]').click()
    app.visible('[data-testid="staff-form"]')
    type_in(app, "field-name", name)
    Select(app.one('[data-testid="field-role"]')).select_by_value("frontline")
    Select(app.one('[data-testid="field-qualification"]')).select_by_value("none")
    type_in(app, "field-startDate", "2024年3月1日")
    app.one('[data-testid="save-staff"]').click()
    app.visible('[data-testid="saved-notice"]')
    WebDriverWait(app.driver, 10).until(lambda d: name in app.names())


def test_the_log_shows_who_did_what_filters_exports_and_the_seals_check_out(app, export_dir):
    add_staff(app, "审计测试员")
    open_audit(app)
    app.shot("audit_log")
    assert "审计日志" in app.one('[data-testid="audit-log"]').text

    # Newest first: the staff member just added, then the day's backup,
    # then the demo station loaded at the first start.
    shown = rows(app)
    actions = [r.get_attribute("data-action") for r in shown]
    staff_rows = [r for r in shown if r.get_attribute("data-action") == "create" and r.get_attribute("data-table") == "staff"]
    assert staff_rows, actions
    first = staff_rows[0]
    assert first.find_element("css selector", '[data-testid="audit-row-action"]').text == "新增"
    assert first.find_element("css selector", '[data-testid="audit-row-table"]').text == "人员"
    assert "审计测试员" not in app.one('[data-testid="audit-table"]').text, "names of rows, never values"
    assert "backup" in actions
    demo = [r for r in shown if r.get_attribute("data-action") == "create" and r.get_attribute("data-table") == ""]
    assert demo and "示例数据" in demo[-1].text and "整个数据库" in demo[-1].text
    assert shown.index(staff_rows[0]) < shown.index(demo[-1]), "newest first"

    # Filter by action: only the backups.
    Select(app.one('[data-testid="audit-action"]')).select_by_value("backup")
    only = wait_rows(app, lambda rs: rs and all(r.get_attribute("data-action") == "backup" for r in rs))
    assert all(r.find_element("css selector", '[data-testid="audit-row-action"]').text == "备份" for r in only)

    # A date that cannot be read is refused beside its field, in Chinese.
    type_in(app, "audit-from", "2024-13-45")
    app.one('[data-testid="audit-apply"]').click()
    assert "日期格式不对" in app.visible('[data-testid="audit-from-error"]').text
    # A date as people write it is read; an end before the start is refused.
    type_in(app, "audit-from", "2024年3月5日")
    type_in(app, "audit-to", "2024/3/1")
    app.one('[data-testid="audit-apply"]').click()
    assert "不能早于" in app.visible('[data-testid="audit-to-error"]').text
    app.one('[data-testid="audit-clear"]').click()
    WebDriverWait(app.driver, 10).until(lambda d: not app.all('[data-testid="audit-to-error"]'))
    wait_rows(app, lambda rs: any(r.get_attribute("data-action") == "create" for r in rs))

    # 导出 CSV: the file is in the export folder, UTF-8 with a BOM, the
    # Chinese header first; the export is logged too.
    Select(app.one('[data-testid="audit-action"]')).select_by_value("create")
    wait_rows(app, lambda rs: rs and all(r.get_attribute("data-action") == "create" for r in rs))
    app.one('[data-testid="audit-export"]').click()
    saved = app.visible('[data-testid="audit-exported"]').text
    csvs = list(export_dir.glob("审计日志-*.csv"))
    assert len(csvs) == 1 and csvs[0].name in saved, saved
    data = csvs[0].read_bytes()
    assert data.startswith(BOM)
    lines = data[len(BOM):].decode("utf-8").splitlines()
    assert lines[0] == HEADER
    assert len(lines) >= 3 and all(",新增,create," in line for line in lines[1:]), lines
    assert any(",staff," in line for line in lines[1:])
    Select(app.one('[data-testid="audit-action"]')).select_by_value("export")
    wait_rows(app, lambda rs: rs and all(r.get_attribute("data-action") == "export" for r in rs))

    # 核验签名记录: the demo's signed records are as they were signed.
    app.one('[data-testid="seal-verify"]').click()
    ok = app.visible('[data-testid="seal-ok"]', timeout=60).text
    assert ok.startswith("全部 ") and "份已签名记录核验无误" in ok, ok
    assert not app.all('[data-testid="seal-altered"]')
    app.shot("audit_seal_ok")


def test_a_signed_record_altered_behind_the_programs_back_is_named_in_red(request, tauri_driver, cli, tmp_path):
    # A plain demo database made by the command line, so Python's sqlite3
    # can alter a signed record the way someone with a database tool would
    # (the window's own files are encrypted); the window then encrypts it.
    db = tmp_path / "plain.sqlite3"
    cli("--db", db, "demo")
    conn = sqlite3.connect(db)
    record_id, year, number = conn.execute(
        "SELECT r.id, r.year, r.number FROM supervision_record r "
        "WHERE EXISTS (SELECT 1 FROM record_signature s WHERE s.record_id = r.id) ORDER BY r.id LIMIT 1"
    ).fetchone()
    (lock,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'signed_record_no_update'").fetchone()
    with conn:
        conn.execute("DROP TRIGGER signed_record_no_update")
        conn.execute("UPDATE supervision_record SET findings = findings || '（事后改动）' WHERE id = ?", (record_id,))
        conn.execute(lock)
    conn.close()

    app = App(tauri_driver, request.config.getoption("--app"), db)
    try:
        app.start(tab="staff")  # the lock screen asks for a passphrase and encrypts the file
        assert not db.read_bytes().startswith(b"SQLite format 3")
        open_audit(app)
        app.one('[data-testid="seal-verify"]').click()
        altered = app.visible('[data-testid="seal-altered"]', timeout=60)
        app.driver.execute_script("arguments[0].scrollIntoView()", altered)
        app.shot("audit_seal_altered")
        assert not app.all('[data-testid="seal-ok"]')
        problems = app.all('[data-testid="seal-problem"]')
        assert {p.get_attribute("data-record") for p in problems} == {str(record_id)}
        assert problems[0].get_attribute("data-kind") == "content_changed"
        assert f"{year} 年第 {number} 次" in problems[0].text and "内容被改动" in problems[0].text
        assert "与签名时不一致" in problems[0].text
        assert "发现 1 份已签名记录被改动" in altered.text

        # The log names the change, by someone outside the program.
        Select(app.one('[data-testid="audit-action"]')).select_by_value("update")
        found = wait_rows(app, lambda rs: any(r.get_attribute("data-table") == "supervision_record" for r in rs))
        outside = [r for r in found if r.get_attribute("data-table") == "supervision_record"]
        assert "(外部写入)" in outside[0].text and "督导记录" in outside[0].text, outside[0].text
        assert "事后改动" not in app.one('[data-testid="audit-table"]').text
    finally:
        app.stop()
