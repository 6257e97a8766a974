"""Measures the release app: cold start to the first painted staff list, and
idle memory of the app with its WebKit processes. Run by scripts/measure.sh
under Xvfb with tauri-driver on PATH.

The app opens on its lock screen (the database is encrypted), so a start is
measured in two parts: from the WebDriver "new session" request (which
launches the app) to the lock screen painted, and from pressing 解锁 with the
passphrase typed to the moment the UI marks `data-ready="true"` after
painting the first staff list (the key derivation, opening and the first
list). Their sum is an upper bound on what a user waits, less the typing.
Memory is the sum of PSS (proportional set size, so shared libraries are not
counted twice) over the app process and every process under it, after 5 s
idle on the unlocked staff list."""

import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

binary = str(Path(sys.argv[1]).resolve())
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def children(pid):
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    pairs = [tuple(map(int, line.split())) for line in out.splitlines() if line.strip()]
    found, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        found.append(p)
        frontier += [c for c, parent in pairs if parent == p]
    return found


def pss_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


PASSPHRASE = "measure 测量 passphrase"


def unlock(d, first):
    """Types the passphrase on the lock screen (twice, with a user name, the
    first time) and presses the button; answers when it was pressed."""
    # The lock screen asks the shell what to show before its form appears.
    field = (By.CSS_SELECTOR, '[data-testid="lock-passphrase"]')
    WebDriverWait(d, 30).until(EC.presence_of_element_located(field))
    d.find_element(*field).send_keys(PASSPHRASE)
    if first:
        d.find_element(By.CSS_SELECTOR, '[data-testid="lock-again"]').send_keys(PASSPHRASE)
    user = d.find_element(By.CSS_SELECTOR, '[data-testid="lock-user"]')
    if not user.get_attribute("value"):
        user.send_keys("测量")
    button = d.find_element(By.CSS_SELECTOR, '[data-testid="lock-submit"]')
    t = time.perf_counter()
    button.click()
    return t


def comm(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def app_pid():
    out = subprocess.run(["pgrep", "-f", "-n", binary], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


driver_proc = subprocess.Popen(["tauri-driver", "--port", "4455", "--native-port", "4456"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        try:
            urllib.request.urlopen("http://127.0.0.1:4455/status", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    starts, unlocks, memories = [], [], []
    lock_screen = (By.CSS_SELECTOR, '[data-testid="lock-screen"]')
    ready = (By.CSS_SELECTOR, '[data-ready="true"]')
    for i in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "m.sqlite3"
            # Choose the passphrase and load the demo first so the measured
            # start is a normal start, not the first run.
            opts = ArgOptions()
            opts.set_capability("browserName", "wry")
            opts.set_capability("tauri:options", {"application": binary, "args": ["--db", str(db)]})
            d = webdriver.Remote(command_executor="http://127.0.0.1:4455", options=opts)
            WebDriverWait(d, 30).until(EC.presence_of_element_located(lock_screen))
            unlock(d, first=True)
            WebDriverWait(d, 60).until(EC.presence_of_element_located(ready))
            d.quit()
            t0 = time.perf_counter()
            d = webdriver.Remote(command_executor="http://127.0.0.1:4455", options=opts)
            WebDriverWait(d, 30, poll_frequency=0.01).until(EC.presence_of_element_located(lock_screen))
            starts.append(time.perf_counter() - t0)
            t1 = unlock(d, first=False)
            WebDriverWait(d, 30, poll_frequency=0.01).until(EC.presence_of_element_located(ready))
            unlocks.append(time.perf_counter() - t1)
            time.sleep(5)
            pid = app_pid()
            procs = children(pid) if pid else []
            memories.append(sum(pss_kib(p) for p in procs) / 1024)
            parts = ", ".join(f"{comm(p)} {pss_kib(p) / 1024:.0f}" for p in procs)
            d.quit()
            print(f"run {i + 1}: start to lock screen {starts[-1]:.3f} s, unlock to list "
                  f"{unlocks[-1]:.3f} s, idle memory {memories[-1]:.1f} MiB ({parts})")
    print(f"cold start to the lock screen: median {statistics.median(starts):.3f} s, "
          f"max {max(starts):.3f} s over {runs} runs")
    print(f"unlock to the first painted list: median {statistics.median(unlocks):.3f} s, "
          f"max {max(unlocks):.3f} s")
    print(f"idle memory (PSS, app + WebKit processes): median {statistics.median(memories):.1f} MiB, "
          f"max {max(memories):.1f} MiB")
finally:
    driver_proc.terminate()
