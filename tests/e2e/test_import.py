"""Importing a roster in the real window: a file with a bad date and a
name twice is previewed with each bad row's number and reason, and cannot
be imported; the corrected file imports every row, and the staff list
shows them; a file that is not a spreadsheet is refused in Chinese."""

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import WebDriverWait


def until(app, condition, timeout=10):
    return WebDriverWait(app.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)


HEAD = "姓名,岗位,职业资格,证书编号,登记日期,入职日期\n"


def test_a_roster_imports_only_when_every_row_is_right(app, tmp_path):
    bad = tmp_path / "名册.csv"
    bad.write_text(
        HEAD
        + "欧阳晓,一线社工,无,,,2025-03-01\n"
        + "司马青,一线社工,无,,,2025-13-01\n"
        + "欧阳晓,一线社工,无,,,2025-04-01\n",
        encoding="utf-8",
    )
    # The app runs on this machine: type the path, do not upload the file.
    app.driver.file_detector = UselessFileDetector()
    app.one('[data-testid="tab-training"]').click()
    app.wait_for('[data-testid="training-page"][data-loaded="true"]')
    app.one('[data-testid="open-import"]').click()
    app.visible('[data-testid="import-panel"]')
    app.one('[data-testid="import-file"]').send_keys(str(bad))
    until(app, lambda d: app.all('[data-testid="import-summary"]'))
    rows = {r.get_attribute("data-row") for r in app.all('[data-testid="bad-row"]')}
    assert {"3", "4"} <= rows, rows
    text = app.one('[data-testid="import-bad"]').text
    assert "入职日期" in text and "文件中重复出现" in text, text
    assert not app.one('[data-testid="import-apply"]').is_enabled(), "a bad file cannot be imported"
    app.shot("import_preview")

    good = tmp_path / "名册2.csv"
    good.write_text(
        HEAD + "欧阳晓,一线社工,无,,,2025-03-01\n" + "司马青,一线社工,无,,,2025-04-01\n",
        encoding="utf-8",
    )
    app.one('[data-testid="import-file"]').send_keys(str(good))
    until(app, lambda d: app.one('[data-testid="import-apply"]').is_enabled())
    app.one('[data-testid="import-apply"]').click()
    assert "已导入 2 行" in app.visible('[data-testid="import-notice"]').text

    junk = tmp_path / "假的.xlsx"
    junk.write_bytes(b"%PDF-1.4 not a workbook")
    app.one('[data-testid="import-file"]').send_keys(str(junk))
    assert "不是能读取的 Excel" in app.visible('[data-testid="import-error"]').text

    app.one('[data-testid="tab-staff"]').click()
    until(app, lambda d: "欧阳晓" in app.names() and "司马青" in app.names())
