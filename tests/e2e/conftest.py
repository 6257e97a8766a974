"""End-to-end harness: the built app window, driven through tauri-driver and
WebKitWebDriver (run under Xvfb by scripts/test.sh). Each test gets its own
database file; a screenshot of every test lands in target/e2e-screenshots/."""

import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import mss
import mss.tools
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
# Every test database is encrypted with this (chosen on the lock screen at
# the first start, typed there again after each restart).
PASSPHRASE = "青溪镇社工站 e2e"
SHOTS = ROOT / "target" / "e2e-screenshots"


def pytest_addoption(parser):
    parser.addoption("--app", required=True, help="absolute path of the built stationdesk-app binary")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def export_dir(tmp_path_factory):
    """Where the app saves PDFs during the tests (never the real Documents)."""
    return tmp_path_factory.mktemp("exports")


@pytest.fixture(scope="session")
def tauri_driver(export_dir):
    port, native = free_port(), free_port()
    env = dict(os.environ, STATIONDESK_EXPORT_DIR=str(export_dir))
    proc = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(url + "/status", timeout=2):
                break
        except OSError:
            # The first request is refused while WebKitWebDriver starts.
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("tauri-driver did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


class App:
    """Opens the app on one database file, and again after a restart."""

    def __init__(self, url, binary, db):
        self.url, self.binary, self.db = url, binary, db
        self.driver = None

    def start(self, tab="staff", unlock=True):
        """Starts the app, passes the lock screen (it then opens on 今日) and
        goes to `tab`; with `unlock=False` it stays on the lock screen."""
        opts = ArgOptions()
        opts.set_capability("browserName", "wry")
        opts.set_capability("tauri:options", {"application": self.binary, "args": ["--db", str(self.db)]})
        self.driver = webdriver.Remote(command_executor=self.url, options=opts)
        self.driver.set_page_load_timeout(30)
        if not unlock:
            return self
        self.unlock()
        self.wait_for('[data-ready="true"]')
        if tab != "today":
            self.one(f'[data-testid="tab-{tab}"]').click()
        return self

    def lock_state(self):
        """What the lock screen asks for: new, plain, locked (or failed)."""
        screen = self.visible('[data-testid="lock-screen"]')
        WebDriverWait(self.driver, 20).until(lambda d: screen.get_attribute("data-state") != "unknown")
        return screen.get_attribute("data-state")

    def unlock(self, passphrase=PASSPHRASE):
        """Types the passphrase on the lock screen (twice when choosing it)."""
        state = self.lock_state()
        field = self.one('[data-testid="lock-passphrase"]')
        field.clear()
        field.send_keys(passphrase)
        if state in ("new", "plain"):
            self.one('[data-testid="lock-again"]').send_keys(passphrase)
        user = self.one('[data-testid="lock-user"]')
        if not user.get_attribute("value"):
            user.send_keys("测试督导")
        self.one('[data-testid="lock-submit"]').click()
        WebDriverWait(self.driver, 30).until(lambda d: not self.all('[data-testid="lock-screen"]'))

    def restart(self, tab="staff"):
        self.stop()
        return self.start(tab)

    def stop(self):
        if self.driver is not None:
            self.driver.quit()
            self.driver = None

    def wait_for(self, css, timeout=20):
        return WebDriverWait(self.driver, timeout).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, css))
        )

    def visible(self, css, timeout=20):
        return WebDriverWait(self.driver, timeout).until(
            EC.visibility_of_element_located((By.CSS_SELECTOR, css))
        )

    def all(self, css):
        # WebKitWebDriver can report a node going stale while the list it
        # belongs to re-renders: ask again.
        for _ in range(20):
            try:
                return self.driver.find_elements(By.CSS_SELECTOR, css)
            except StaleElementReferenceException:
                time.sleep(0.05)
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def one(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def shot(self, name):
        """Saves a screenshot of the window now, for a person to look at
        later. It is taken from the X display (Xvfb), as a person would see
        the window: WebKitWebDriver's own screenshot can wait forever when
        WebKit paints without GPU compositing, as the app does."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        rect = self.driver.get_window_rect()
        area = {"left": rect["x"], "top": rect["y"], "width": rect["width"], "height": rect["height"]}
        with mss.mss() as screen:
            whole = screen.monitors[1]
            area["width"] = max(1, min(area["width"], whole["width"] - area["left"]))
            area["height"] = max(1, min(area["height"], whole["height"] - area["top"]))
            image = screen.grab(area)
            mss.tools.to_png(image.rgb, image.size, output=str(SHOTS / f"{name}.png"))

    def names(self):
        return [e.text.strip() for e in self.all('[data-testid="staff-name"]')]


@pytest.fixture
def cli(request):
    """The `stationdesk` command line, built beside the window's binary."""
    path = Path(request.config.getoption("--app")).with_name("stationdesk")
    if not path.exists():
        pytest.fail(f"{path} is missing: build it with `cargo build --bin stationdesk` (same target dir as the app)")

    def run(*args):
        done = subprocess.run([str(path), *map(str, args)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


@pytest.fixture
def app(request, tauri_driver):
    binary = request.config.getoption("--app")
    with tempfile.TemporaryDirectory() as tmp:
        a = App(tauri_driver, binary, Path(tmp) / "station.sqlite3")
        a.start()
        yield a
        if a.driver is not None:
            a.shot(request.node.name)
        a.stop()
