"""Sync in the real window: a bundle exported to a path typed in the page
(a folder that does not exist is refused in Chinese; the file is a bundle,
and the count shown is the count in it, with the progress bar full), then an
export since the last one for the same peer has no new changes. A second
laptop is made with the `stationdesk` command line from that bundle; the
same person is renamed there (raw SQL: the triggers stamp the change) and in
the window, so the two edits are concurrent. The second laptop's bundle is
previewed in the window (one conflict), merged, and the conflict settled by
switching to the value that lost: the staff list shows it. A file that is
not a bundle, and a bundle cut short, are refused in Chinese beside the
field, and change nothing; so is a bundle replaced by another between its
preview and the merge (what is merged is what was previewed)."""

import json
import sqlite3
import struct
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.file_detector import UselessFileDetector
from selenium.webdriver.support.ui import WebDriverWait

MAGIC = b"STATIONDESK-SYNC\n"
PEER = "县社工总站"


def until(app, condition, timeout=10):
    """Waits for `condition`, asking again when a re-render made a node stale."""
    return WebDriverWait(app.driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def retype(field, text):
    """Replaces a field's text the way a person does: select all, type."""
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.BACKSPACE)
    if text:
        field.send_keys(text)


def manifest_rows(path):
    """Rows in a bundle by its manifest: magic, u32 LE length, JSON."""
    data = Path(path).read_bytes()
    assert data.startswith(MAGIC), data[:32]
    (length,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    manifest = json.loads(data[start : start + length])
    return sum(manifest["counts"].values())


def open_sync(app):
    # The app runs on this machine: a typed path is text, not a file to upload.
    app.driver.file_detector = UselessFileDetector()
    app.one('[data-testid="tab-sync"]').click()
    app.wait_for('[data-testid="sync-page"][data-loaded="true"]')
    app.wait_for('[data-testid="conflict-queue"][data-loaded="true"]')


def export(app, path, since_last):
    peer = app.visible('[data-testid="sync-peer"]')
    retype(peer, PEER)
    app.one('[data-testid="sync-range-since"]' if since_last else '[data-testid="sync-range-all"]').click()
    retype(app.one('[data-testid="sync-out-path"]'), str(path))
    app.one('[data-testid="sync-export-submit"]').click()
    until(app, lambda d: app.all('[data-testid="sync-exported"]') and str(path) in app.one('[data-testid="sync-exported-path"]').text)
    shown = app.one('[data-testid="sync-exported"]')
    return int(shown.get_attribute("data-rows")), app.one('[data-testid="sync-exported-count"]').text


def preview(app, path):
    field = app.one('[data-testid="sync-in-path"]')
    retype(field, str(path))
    field.send_keys(Keys.ENTER)


def rename_in_window(app, old, new):
    app.one('[data-testid="tab-staff"]').click()
    until(app, lambda d: old in app.names())
    row = next(r for r in app.all('[data-testid="staff-row"]') if r.find_element("css selector", '[data-testid="staff-name"]').text.strip() == old)
    row.find_element("css selector", '[data-testid="staff-name"]').click()
    field = app.visible('[data-testid="field-name"]')
    retype(field, new)
    app.one('[data-testid="save-staff"]').click()
    until(app, lambda d: new in app.names())


def test_bundles_go_out_and_come_back_with_a_conflict_to_review(app, cli, tmp_path, export_dir):
    # Someone to rename on both laptops: an active frontline worker.
    row = [r for r in app.all('[data-testid="staff-row"]') if "一线社工" in r.text and "在岗" in r.text][-1]
    name = row.find_element("css selector", '[data-testid="staff-name"]').text.strip()

    # 1. Export from the window to a path typed in the page; a folder that
    # does not exist is refused beside the field.
    open_sync(app)
    assert app.one('[data-testid="sync-out-path"]').get_attribute("value").endswith(".sdsync"), "prefilled"
    retype(app.one('[data-testid="sync-out-path"]'), str(tmp_path / "没有这个文件夹" / "x.sdsync"))
    app.one('[data-testid="sync-range-all"]').click()
    app.one('[data-testid="sync-export-submit"]').click()
    assert "无法在这个位置保存文件" in app.visible('[data-testid="sync-export-error"]').text
    first = tmp_path / "出" / "第一次.sdsync"
    first.parent.mkdir()
    rows, text = export(app, first, since_last=True)
    assert first.read_bytes().startswith(MAGIC)
    assert rows > 0 and rows == manifest_rows(first), (rows, text)
    assert f"已导出 {rows} 条更改" in text, text
    # The progress came through the channel as the rows were read: full now.
    until(app, lambda d: app.one('[data-testid="sync-progress-bar"]').get_attribute("value") == str(rows))
    assert app.one('[data-testid="sync-progress-bar"]').get_attribute("max") == str(rows)
    app.shot("sync_exported")

    # 2. Nothing changed since: the next bundle for the same peer is empty.
    again = tmp_path / "出" / "第二次.sdsync"
    rows, text = export(app, again, since_last=True)
    assert rows == 0 and "没有新的更改" in text, (rows, text)
    assert manifest_rows(again) == 0

    # The prefilled path: the export folder, and a second bundle of the same
    # minute never replaces the first.
    open_sync(app)
    shown = []
    for _ in range(2):
        assert app.one('[data-testid="sync-out-path"]').get_attribute("value").startswith(str(export_dir))
        app.one('[data-testid="sync-range-all"]').click()
        app.one('[data-testid="sync-export-submit"]').click()
        until(app, lambda d: app.all('[data-testid="sync-exported-path"]')
              and app.one('[data-testid="sync-exported-path"]').text not in shown)
        shown.append(app.one('[data-testid="sync-exported-path"]').text)
    bundles = sorted(Path(export_dir).glob("同步包-*.sdsync"))
    assert len(bundles) >= 2 and all(manifest_rows(b) > 0 for b in bundles), bundles

    # 3. The second laptop: the bundle imported by the command line, then the
    # same person renamed there with plain SQL.
    other = tmp_path / "乙.sqlite3"
    cli("--db", other, "import", first)
    with sqlite3.connect(other) as db:
        changed = db.execute("UPDATE staff SET name = ? WHERE name = ?", ("乙机改名", name)).rowcount
    assert changed == 1, name
    # ... and in the window, not knowing of it.
    rename_in_window(app, name, "甲机改名")
    back = tmp_path / "回" / "乙机.sdsync"
    back.parent.mkdir()
    cli("--db", other, "export", "--out", back, "--all")

    # 4. A file that is not a bundle, and one cut short: refused beside the
    # field in Chinese, and nothing is merged.
    open_sync(app)
    junk = tmp_path / "不是同步包.sdsync"
    junk.write_bytes(b"PK\x03\x04 a zip, not a bundle")
    preview(app, junk)
    error = app.visible('[data-testid="sync-import-error"]')
    assert "不是督导台的同步包" in error.text, error.text
    assert not app.all('[data-testid="sync-preview-table"]')
    cut = tmp_path / "拷了一半.sdsync"
    cut.write_bytes(back.read_bytes()[: back.stat().st_size // 2])
    preview(app, cut)
    until(app, lambda d: "文件不完整" in app.one('[data-testid="sync-import-error"]').text)
    assert "重新拷贝" in app.one('[data-testid="sync-import-error"]').text
    app.shot("sync_refused")
    assert app.all('[data-testid="conflict-empty"]'), "nothing merged"
    assert not app.all('[data-testid="sync-count"]')

    # A bundle previewed (an empty one: nothing to merge), then the second
    # laptop's copied over it before the merge: the merge is refused in
    # Chinese, the stale preview goes, and its conflict is not merged.
    swapped = tmp_path / "换过的.sdsync"
    swapped.write_bytes(again.read_bytes())
    preview(app, swapped)
    until(app, lambda d: app.all('[data-testid="sync-preview-table"]'))
    assert app.one('[data-testid="sync-count-conflicts"]').text == "0"
    swapped.write_bytes(back.read_bytes())
    app.one('[data-testid="sync-apply"]').click()
    until(app, lambda d: app.all('[data-testid="sync-import-error"]')
          and "预览之后被改动或替换" in app.one('[data-testid="sync-import-error"]').text)
    assert "重新预览" in app.one('[data-testid="sync-import-error"]').text
    assert not app.all('[data-testid="sync-preview-table"]'), "preview again"
    assert not app.all('[data-testid="sync-applied"]')
    assert app.all('[data-testid="conflict-empty"]'), "nothing merged"
    assert not app.all('[data-testid="sync-count"]')

    # 5. The second laptop's bundle: previewed (one concurrent edit), merged.
    preview(app, back)
    until(app, lambda d: app.all('[data-testid="sync-preview-table"]'))
    assert not app.all('[data-testid="sync-import-error"]')
    assert app.one('[data-testid="sync-count-conflicts"]').text == "1"
    assert app.one('[data-testid="sync-count-needsDecision"]').text == "0"
    assert app.all('[data-testid="conflict-empty"]'), "a preview writes nothing"
    app.one('[data-testid="sync-apply"]').click()
    app.visible('[data-testid="sync-applied"]')
    until(app, lambda d: len(app.all('[data-testid="conflict-row"]')) == 1)
    assert app.one('[data-testid="sync-count"]').text == "1", "the tab shows the open conflicts"

    # 6. The review queue names the person and the field, with both values.
    entry = app.one('[data-testid="conflict-row"]')
    assert entry.get_attribute("data-kind") == "field"
    assert "人员" in entry.find_element("css selector", '[data-testid="conflict-record"]').text
    assert entry.find_element("css selector", '[data-testid="conflict-field"]').text == "姓名"
    kept = entry.find_element("css selector", '[data-testid="conflict-winner"]').text
    lost = entry.find_element("css selector", '[data-testid="conflict-loser"]').text
    assert {kept, lost} == {"甲机改名", "乙机改名"}, (kept, lost)
    app.shot("sync_conflict_queue")

    # Switch to the value that lost; who decides is asked, Enter confirms.
    entry.find_element("css selector", '[data-testid="conflict-use-loser"]').click()
    by = app.visible('[data-testid="conflict-by"]')
    retype(by, "王督导")
    by.send_keys(Keys.ENTER)
    until(app, lambda d: app.all('[data-testid="conflict-empty"]'))
    until(app, lambda d: not app.all('[data-testid="sync-count"]'))
    assert "姓名" in app.visible('[data-testid="conflict-notice"]').text

    # The settled entry is kept, with who decided.
    app.one('[data-testid="conflict-show-settled"]').click()
    until(app, lambda d: app.all('[data-testid="conflict-row"][data-status="kept_loser"]'))
    assert "王督导" in app.one('[data-testid="conflict-row"]').text

    # 7. The staff list shows the value chosen.
    app.one('[data-testid="tab-staff"]').click()
    until(app, lambda d: lost in app.names())
    assert kept not in app.names()
