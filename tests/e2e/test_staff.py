"""What a supervisor does on the staff screen, in the real window."""

import subprocess
from pathlib import Path

from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait


def fill(app, field, text):
    box = app.one(f'[data-testid="field-{field}"]')
    box.clear()
    box.send_keys(text)


def open_new_form(app):
    app.one('[data-testid="add-staff"]').click()
    app.visible('[data-testid="staff-form"]')


def test_first_run_opens_on_a_demo_station(app):
    stations = app.all('[data-testid="station-item"]')
    assert len(stations) == 1
    assert "社工站" in stations[0].text
    assert len(app.all('[data-testid="staff-row"]')) >= 20
    assert "社工站督导台" in app.driver.find_element("tag name", "body").text


def test_the_window_paints_without_gpu_compositing(app):
    """The app turns WebKit's GPU compositing off for its web process (it
    keeps about 95 MiB less idle; issue 2's memory figure), and the staff
    list is painted that way."""
    found = subprocess.run(["pgrep", "-f", "-n", str(app.db)], capture_output=True, text=True)
    pid = found.stdout.split()[0]

    def web_process_env(proc):
        """The environment of a web process under the app (None otherwise,
        or when it ended while being read)."""
        try:
            if not (proc / "comm").read_text().startswith("WebKitWebProces"):
                return None
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[1] != pid:
                return None
            return (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            return None

    envs = [e for p in Path("/proc").iterdir() if p.name.isdigit() and (e := web_process_env(p)) is not None]
    assert envs, "no web process under the app"
    for env in envs:
        assert b"WEBKIT_DISABLE_COMPOSITING_MODE=1" in env
    assert len(app.names()) >= 20


def test_added_staff_is_listed_and_survives_a_restart(app):
    open_new_form(app)
    fill(app, "name", "测试员甲")
    Select(app.one('[data-testid="field-role"]')).select_by_value("frontline")
    Select(app.one('[data-testid="field-qualification"]')).select_by_value("assistant_social_worker")
    fill(app, "certificateNo", "SG2024000123")
    fill(app, "registrationDate", "2024/5/6")
    fill(app, "startDate", "2024年3月1日")
    app.one('[data-testid="save-staff"]').click()
    app.visible('[data-testid="saved-notice"]')
    WebDriverWait(app.driver, 10).until(lambda d: "测试员甲" in app.names())

    app.restart()
    assert "测试员甲" in app.names()


def test_a_bad_date_is_refused_in_chinese_and_nothing_is_saved(app):
    before = len(app.all('[data-testid="staff-row"]'))
    open_new_form(app)
    fill(app, "name", "测试员乙")
    Select(app.one('[data-testid="field-role"]')).select_by_value("frontline")
    Select(app.one('[data-testid="field-qualification"]')).select_by_value("none")
    fill(app, "startDate", "2024-13-45")
    app.one('[data-testid="save-staff"]').click()
    error = app.visible('.field-error[data-field="startDate"]')
    app.shot("bad_date_error_in_chinese")
    assert "日期" in error.text, error.text
    assert not any(c.isascii() and c.isalpha() for c in error.text.replace("2024", "")), error.text
    # What was typed is kept for correcting.
    assert app.one('[data-testid="field-name"]').get_attribute("value") == "测试员乙"
    app.one('[data-testid="cancel-staff"]').click()
    assert "测试员乙" not in app.names()
    assert len(app.all('[data-testid="staff-row"]')) == before
    app.restart()
    assert "测试员乙" not in app.names()


def test_editing_and_assigning_a_supervisor_keeps_history(app):
    row = [r for r in app.all('[data-testid="staff-row"]') if "一线社工" in r.text and "在岗" in r.text][-1]
    staff_id = row.get_attribute("data-staff-id")
    name = row.find_element("css selector", '[data-testid="staff-name"]').text.strip()
    current = row.find_elements("css selector", "td")[-1].text.strip()
    row.find_element("css selector", '[data-testid="staff-name"]').click()
    app.visible('[data-testid="staff-form"]')
    assert app.one('[data-testid="field-name"]').get_attribute("value") == name
    WebDriverWait(app.driver, 10).until(lambda d: app.all('[data-testid="history-item"]'))
    before = len(app.all('[data-testid="history-item"]'))
    select = Select(app.visible('[data-testid="assign-supervisor-select"]'))
    choices = [
        o for o in select.options
        if o.get_attribute("value") not in ("", "none") and not o.text.startswith(current)
    ]
    assert choices, "the demo station has other supervisors to choose from"
    new_name = choices[0].text.split()[0]
    select.select_by_value(choices[0].get_attribute("value"))
    # The from date defaults to today.
    app.one('[data-testid="assign-submit"]').click()
    WebDriverWait(app.driver, 10).until(lambda d: len(app.all('[data-testid="history-item"]')) == before + 1)
    newest = app.all('[data-testid="history-item"]')[0].text
    assert new_name in newest and name in newest, newest
    # The old link is kept, closed today.
    assert any(current in h.text for h in app.all('[data-testid="history-item"]')[1:])
    app.one('[data-testid="cancel-staff"]').click()
    row = app.one(f'[data-testid="staff-row"][data-staff-id="{staff_id}"]')
    WebDriverWait(app.driver, 10).until(lambda d: row.find_elements("css selector", "td")[-1].text.strip() == new_name)


def test_the_language_switch_turns_the_screen_english(app):
    app.one('[data-testid="lang-switch"]').click()
    WebDriverWait(app.driver, 10).until(
        lambda d: "Staff" in d.find_element("tag name", "body").text
        or "staff" in d.find_element("tag name", "body").text
    )
    app.one('[data-testid="lang-switch"]').click()
    WebDriverWait(app.driver, 10).until(lambda d: "社工站督导台" in d.find_element("tag name", "body").text)


def test_escape_closes_the_form_without_saving(app):
    before = app.names()
    open_new_form(app)
    fill(app, "name", "测试员丙")
    app.one('[data-testid="field-name"]').send_keys(Keys.ESCAPE)
    WebDriverWait(app.driver, 10).until(lambda d: not app.all('[data-testid="staff-form"]'))
    assert app.names() == before


def test_an_unreadable_database_is_refused_in_chinese_and_left_as_it_was(app):
    app.stop()
    app.db = app.db.with_name("notes.sqlite3")
    app.db.write_text("这不是数据库 — a note someone saved with the wrong name\n" * 50, encoding="utf-8")
    before = app.db.read_bytes()
    app.start(unlock=False)
    # Not a plain SQLite file: it may be encrypted, so the passphrase is asked.
    assert app.lock_state() == "locked"
    app.one('[data-testid="lock-passphrase"]').send_keys("whatever it is")
    app.one('[data-testid="lock-submit"]').click()
    error = app.visible('[data-testid="lock-error"]')
    assert "数据文件" in error.text, error.text
    assert app.all('[data-testid="lock-screen"]'), "still locked"
    assert app.db.read_bytes() == before, "the file is left as it was"
