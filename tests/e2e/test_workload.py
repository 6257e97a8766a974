"""The workload dashboard and the rule settings in the real window: a row
per supervisor with charts drawn, scope and month switched, the table
exported to Excel and PDF, a bad month refused in Chinese; a policy change
refused when bad, kept with who made it when good, and used by the
dashboard from its month on (the month before keeps the old figure)."""

import time
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


def until(app, condition, timeout=10):
    """Waits for `condition`, asking again when a re-render made a node stale."""
    return WebDriverWait(app.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def open_dashboard(app):
    app.one('[data-testid="tab-workload"]').click()
    return wait_loaded(app)


def wait_loaded(app):
    app.wait_for('[data-testid="workload-page"][data-loaded="true"]')
    until(app, timeout=20, condition=lambda d: app.all('[data-testid="workload-row"]'))
    return app.all('[data-testid="workload-row"]')


def month_input(app):
    return app.one('[data-testid="workload-month"]')


def retype(field, text):
    """Replaces a field's text the way a person does: select all, type."""
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.BACKSPACE)
    if text:
        field.send_keys(text)


def test_the_dashboard_shows_each_supervisor_with_charts_and_exports(app, export_dir):
    rows = open_dashboard(app)
    roles = [r.get_attribute("data-role") for r in rows]
    assert "trainee_supervisor" in roles and "assistant_supervisor" in roles, roles
    # Charts are drawn as SVG by the bundled ECharts: one bar per
    # supervisor with a ratio, and 12 months on the trend's axis.
    until(app, timeout=10, condition=lambda d: app.all('[data-testid="load-chart"] svg path'))
    trend = app.one('[data-testid="trend-chart"] svg').get_attribute("textContent")
    this_month = month_input(app).get_attribute("value")
    assert this_month in trend, trend
    assert app.visible('[data-testid="trainee-progress"]').text.startswith("见习督导")
    app.shot("workload_dashboard")

    # Last month, then back by keyboard.
    app.one('[data-testid="month-prev"]').click()
    until(app, timeout=10, condition=lambda d: month_input(app).get_attribute("value") != this_month)
    wait_loaded(app)
    field = month_input(app)
    retype(field, this_month + Keys.ENTER)
    until(app, timeout=10, condition=lambda d: month_input(app).get_attribute("value") == this_month)

    # A month that does not exist: refused beside the field, in Chinese.
    field = month_input(app)
    retype(field, "2026-13" + Keys.ENTER)
    error = app.visible('.field-error[data-field="month"]')
    assert "月份格式不对" in error.text, error.text
    retype(field, this_month + Keys.ENTER)
    until(app, timeout=10, condition=lambda d: not app.all('.field-error[data-field="month"]'))

    # One supervisor's team only.
    trainee = next(r for r in app.all('[data-testid="workload-row"]') if r.get_attribute("data-role") == "trainee_supervisor")
    trainee_id = trainee.get_attribute("data-supervisor-id")
    Select(app.one('[data-testid="workload-supervisor"]')).select_by_value(trainee_id)
    until(app, timeout=10, condition=
        lambda d: [r.get_attribute("data-supervisor-id") for r in app.all('[data-testid="workload-row"]')] == [trainee_id]
    )

    before = set(Path(export_dir).iterdir())
    app.one('[data-testid="export-xlsx"]').click()
    app.visible('[data-testid="workload-exported"]')
    app.one('[data-testid="export-workload-pdf"]').click()
    until(app, timeout=10, condition=
        lambda d: app.one('[data-testid="workload-exported"]').text.endswith(".pdf")
    )
    new = {p.suffix: p for p in set(Path(export_dir).iterdir()) - before}
    assert new[".xlsx"].read_bytes().startswith(b"PK"), "an xlsx is a zip"
    assert new[".pdf"].read_bytes().startswith(b"%PDF")


def policy_row(app, key):
    return app.one(f'[data-testid="policy-row"][data-key="{key}"]')


def test_a_policy_change_is_checked_kept_and_used_from_its_month(app):
    app.one('[data-testid="tab-settings"]').click()
    app.wait_for('[data-testid="settings-page"][data-loaded="true"]')
    assert len(app.all('[data-testid="policy-row"]')) >= 30
    row = policy_row(app, "ratio_supervisor")
    assert "市督导工作手册第八条" in row.text and "R1" in row.text
    assert app.all('[data-testid="policy-history-empty"]')

    row.find_element("css selector", '[data-testid="policy-edit"]').click()
    retype(app.visible('[data-testid="policy-value"]'), "0")
    retype(app.one('[data-testid="policy-by"]'), "")
    app.one('[data-testid="policy-save"]').click()
    assert "整数" in app.visible('.field-error[data-field="value"]').text
    assert "必填" in app.visible('.field-error[data-field="changedBy"]').text
    assert app.all('[data-testid="policy-history-empty"]'), "nothing saved"

    # Esc leaves the form without saving.
    value = app.one('[data-testid="policy-value"]')
    value.send_keys(Keys.ESCAPE)
    until(app, timeout=5, condition=lambda d: not app.all('[data-testid="policy-form"]'))

    policy_row(app, "ratio_supervisor").find_element("css selector", '[data-testid="policy-edit"]').click()
    retype(app.visible('[data-testid="policy-value"]'), "10")
    retype(app.one('[data-testid="policy-by"]'), "王督导")
    app.one('[data-testid="policy-note"]').send_keys("县里新要求", Keys.ENTER)
    assert "10" in app.visible('[data-testid="settings-saved"]').text
    change = app.visible('[data-testid="policy-change"]')
    assert "王督导" in change.text and "县里新要求" in change.text, change.text
    assert policy_row(app, "ratio_supervisor").find_element(
        "css selector", '[data-testid="policy-value-cell"]').text == "10"
    app.shot("policy_settings")

    # The dashboard counts this month against 1:10, last month against 1:14.
    rows = open_dashboard(app)
    trainee = next(r for r in rows if r.get_attribute("data-role") == "trainee_supervisor")
    assert trainee.find_element("css selector", '[data-testid="cell-supervisees"]').text.endswith("/10")
    app.one('[data-testid="month-prev"]').click()
    until(app, timeout=10, condition=
        lambda d: any(
            r.get_attribute("data-role") == "trainee_supervisor"
            and r.find_element("css selector", '[data-testid="cell-supervisees"]').text.endswith("/14")
            for r in app.all('[data-testid="workload-row"]')
        )
    )

    # The change outlives a restart, with who made it.
    app.restart(tab="settings")
    app.wait_for('[data-testid="settings-page"][data-loaded="true"]')
    assert "王督导" in app.visible('[data-testid="policy-change"]').text
    # The form remembers the name for the next change.
    policy_row(app, "ratio_assistant").find_element("css selector", '[data-testid="policy-edit"]').click()
    assert app.visible('[data-testid="policy-by"]').get_attribute("value") == "王督导"
