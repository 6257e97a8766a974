"""Supervision records in the real window: a draft survives a killed app,
signing locks the record, an amendment keeps the original."""

import os
import signal
import subprocess
import time

from selenium.webdriver.support.ui import Select, WebDriverWait


def open_records(app):
    app.one('[data-testid="tab-records"]').click()
    app.visible('[data-testid="new-record"]')


def kill_app(app):
    """SIGKILL, as a power cut or a crash would end it: no chance to save."""
    pids = subprocess.run(["pgrep", "-f", str(app.db)], capture_output=True, text=True).stdout.split()
    assert pids, "the app is running on this database"
    for pid in pids:
        os.kill(int(pid), signal.SIGKILL)
    try:
        app.driver.quit()
    except Exception:  # the session died with the app
        pass
    app.driver = None


def test_a_draft_survives_a_killed_app_then_signing_locks_the_record(app, export_dir):
    open_records(app)
    before = len(app.all('[data-testid="record-row"]'))
    app.one('[data-testid="new-record"]').click()
    app.visible('[data-testid="record-form"]')
    WebDriverWait(app.driver, 10).until(lambda d: app.all('[data-testid="record-supervisee"]'))
    app.one('[data-testid="record-startTime"]').send_keys("09:00")
    app.one('[data-testid="record-endTime"]').send_keys("10:30")
    app.one('[data-testid="record-place"]').send_keys("社工站会议室")
    app.one('[data-testid="record-function-educational"]').click()
    app.one('[data-testid="record-topic"]').send_keys("断电前写下的主题")
    app.one('[data-testid="record-findings"]').send_keys("家访记录不完整，需要补齐。")
    WebDriverWait(app.driver, 5).until(lambda d: app.all('[data-testid="draft-status"]'))
    time.sleep(1.0)
    kill_app(app)

    app.start()
    open_records(app)
    offer = app.visible('[data-testid="draft-offer"]')
    app.shot("draft_offered_after_kill")
    offer.find_element("css selector", '[data-testid="draft-resume"]').click()
    app.visible('[data-testid="record-form"]')
    assert app.one('[data-testid="record-topic"]').get_attribute("value") == "断电前写下的主题"
    assert app.one('[data-testid="record-findings"]').get_attribute("value") == "家访记录不完整，需要补齐。"

    # A bad time is refused beside its field, in Chinese, and nothing is saved.
    end = app.one('[data-testid="record-endTime"]')
    end.clear()
    end.send_keys("08:00")
    app.one('[data-testid="save-record"]').click()
    error = app.visible('.field-error[data-field="endTime"]')
    assert "结束时间" in error.text, error.text
    end.clear()
    end.send_keys("10:30")
    app.one('[data-testid="save-record"]').click()

    detail = app.visible('[data-testid="record-detail"]')
    assert detail.get_attribute("data-locked") == "false"
    sheet = app.one('[data-testid="print-sheet"]').text
    assert "督导记录表" in sheet and "断电前写下的主题" in sheet
    for _ in range(len(app.all('[data-testid="sign"]'))):
        app.all('[data-testid="sign"]')[0].click()
        time.sleep(0.3)
    WebDriverWait(app.driver, 10).until(
        lambda d: app.one('[data-testid="record-detail"]').get_attribute("data-locked") == "true"
        and not app.all('[data-testid="sign"]')
    )
    assert not app.all('[data-testid="edit-record"]'), "a signed record offers no edit"
    assert "锁定" in app.one('[data-testid="lock-state"]').text
    app.shot("record_signed_and_locked")

    # An amendment without a reason is refused; with one it keeps the original.
    app.one('[data-testid="amend-record"]').click()
    app.visible('[data-testid="amend-form"]')
    Select(app.one('[data-testid="amend-field"]')).select_by_value("findings")
    text = app.one('[data-testid="amend-text"]')
    text.clear()
    text.send_keys("家访记录基本完整。")
    app.one('[data-testid="amend-submit"]').click()
    assert "原因" in app.visible('.field-error[data-field="reason"]').text
    app.one('[data-testid="amend-reason"]').send_keys("笔误更正")
    app.one('[data-testid="amend-submit"]').click()
    WebDriverWait(app.driver, 10).until(lambda d: "笔误更正" in app.one('[data-testid="print-sheet"]').text)
    sheet = app.one('[data-testid="print-sheet"]').text
    assert "家访记录基本完整。" in sheet and "家访记录不完整，需要补齐。" in sheet and "已修订" in sheet

    app.one('[data-testid="export-pdf"]').click()
    saved = app.visible('[data-testid="exported"]').text
    pdfs = list(export_dir.glob("*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].name in saved, saved
    assert pdfs[0].read_bytes().startswith(b"%PDF")

    app.one('[data-testid="print-preview"]').click()
    app.visible('[data-testid="print-now"]')
    app.shot("print_preview")
    app.one('[data-testid="close-preview"]').click()

    app.restart()
    open_records(app)
    assert len(app.all('[data-testid="record-row"]')) == before + 1
    assert not app.all('[data-testid="draft-offer"]'), "the saved draft is gone"


def test_open_action_items_are_listed_across_records_and_can_be_closed(app):
    open_records(app)
    app.one('[data-testid="toggle-items"]').click()
    app.visible('[data-testid="action-items"]')
    WebDriverWait(app.driver, 10).until(lambda d: app.all('[data-testid="action-item"]'))
    rows = app.all('[data-testid="action-item"]')
    assert any("已逾期" in r.text for r in rows), "the demo has overdue items"
    before = len(rows)
    first = rows[0].text
    rows[0].find_element("css selector", '[data-testid="mark-done"]').click()
    WebDriverWait(app.driver, 10).until(lambda d: len(app.all('[data-testid="action-item"]')) == before - 1)
    app.shot("open_action_items")
    assert app.all('[data-testid="action-item"]')[0].text != first or before == 1
