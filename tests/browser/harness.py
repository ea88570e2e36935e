"""The browser tests' harness: a real contrackd on a loopback port with the demo data, and
headless Chromium driven through chromium-driver (Selenium). No network beyond loopback.

A test that cannot run (no chromium, chromium-driver or python3-selenium) exits SKIP (77), which
ctest reports as skipped (SKIP_RETURN_CODE), never as passed.
"""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77

OFFICER = "officer-browser-test-token-0001"
OFFICER_PRINCIPAL = "leeds-officer"
AUDITOR = "auditor-browser-test-token-0001"
AUDITOR_PRINCIPAL = "internal-audit"
ADMIN = "admin-browser-test-token-00001"
LEICS = "officer-leics-browser-token-001"

HERE = pathlib.Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe-core" / "axe.min.js"


def skip(reason):
    print(f"SKIPPED: {reason}")
    sys.exit(SKIP)


def find_tools():
    """The chromium and chromedriver binaries, or a skip naming what is missing."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        skip("python3-selenium is not installed (tools/install-deps.sh installs it)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium:
        skip("chromium is not installed (tools/install-deps.sh installs it)")
    if not driver:
        skip("chromedriver is not installed (package chromium-driver)")
    return chromium, driver


class Server:
    """contrackd on 127.0.0.1:0 over a fresh copy of the demo data."""

    def __init__(self, build_dir, work_dir, extra=()):
        self.build = pathlib.Path(build_dir)
        self.dir = pathlib.Path(work_dir)
        self.data = self.dir / "data"
        self.tokens = self.dir / "tokens.json"
        self.log_path = self.dir / "contrackd.log"
        subprocess.run([str(self.build / "contrack"), "--data", str(self.data), "demo"],
                       check=True, stdout=subprocess.DEVNULL)
        old = os.umask(0o077)
        try:
            self.tokens.write_text(json.dumps({"tokens": [
                {"token": OFFICER, "principal": OFFICER_PRINCIPAL, "role": "officer",
                 "authorities": ["Leeds City Council"]},
                {"token": LEICS, "principal": "leics-officer", "role": "officer",
                 "authorities": ["Leicestershire County Council"]},
                {"token": AUDITOR, "principal": AUDITOR_PRINCIPAL, "role": "auditor"},
                {"token": ADMIN, "principal": "operator", "role": "admin", "authorities": ["*"]},
            ]}))
        finally:
            os.umask(old)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(self.build / "contrackd"), "--listen", "127.0.0.1:0", "--data", str(self.data),
             "--tokens", str(self.tokens), "--threads", "2", "--writer-threads", "2", *extra],
            stdout=subprocess.PIPE, stderr=self.log)
        deadline = time.time() + 30
        self.port = None
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            m = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
            if not line and self.proc.poll() is not None:
                break
        if self.port is None:
            self.stop()
            raise RuntimeError("contrackd did not start:\n" + self.log_path.read_text())
        self.scheme = "https" if "--tls-cert" in extra else "http"
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"

    def api(self, method, path, token, body=None):
        """One API request with a bearer token (urllib; plain HTTP only). (status, parsed body)"""
        import urllib.request
        import urllib.error
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def stop(self):
        """Stops contrackd with SIGTERM; returns its exit status (0: a clean stop; under the
        sanitizers a report makes it non-zero)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()
        return self.proc.returncode

    def access_log(self):
        return self.log_path.read_text(errors="replace")


def browser(chromium, driver_path, extra_args=()):
    """A headless Chromium session. --no-sandbox: the tests run as root in CI containers, where
    Chromium's sandbox cannot start; the pages are the service's own."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1000", "--no-first-run", "--disable-extensions",
              "--disable-background-networking", "--lang=en-GB", *extra_args):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(driver_path), options=opts)
    d.set_page_load_timeout(60)
    d.set_script_timeout(60)
    return d


class Page:
    """Helpers over one driver: waits, typing, reading text."""

    def __init__(self, driver, base_url, shots_dir):
        self.d = driver
        self.url = base_url
        self.shots = pathlib.Path(shots_dir)
        self.shots.mkdir(parents=True, exist_ok=True)

    def wait(self, cond, timeout=20, what="condition"):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.d, timeout).until(cond, message=f"timed out waiting for {what}")

    def find(self, css, timeout=20):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        return self.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout, css)

    def exists(self, css):
        from selenium.webdriver.common.by import By
        return len(self.d.find_elements(By.CSS_SELECTOR, css)) > 0

    def text_of(self, css):
        return self.find(css).text

    def wait_text(self, css, needle, timeout=20):
        from selenium.webdriver.common.by import By

        def has(d):
            els = d.find_elements(By.CSS_SELECTOR, css)
            return els and needle in els[0].text
        self.wait(has, timeout, f"{needle!r} in {css}")
        return self.text_of(css)

    def type(self, css, value):
        e = self.find(css)
        e.clear()
        e.send_keys(value)
        return e

    def select(self, css, value):
        from selenium.webdriver.support.ui import Select
        Select(self.find(css)).select_by_value(value)

    def open(self, hash_=""):
        self.d.get(self.url + "/" + hash_)

    def sign_in(self, token):
        self.open("#/signin")
        self.type("#token", token)
        self.find("#sign-in").click()
        self.find("#nav")
        self.wait_text("#who", "Signed in as")

    def goto(self, hash_):
        """Navigates within the signed-in page (the session stays in memory)."""
        self.d.execute_script("location.hash = arguments[0]", hash_)

    def shot(self, name):
        path = self.shots / f"{name}.png"
        # The whole page: the height of the document, at the window's width.
        h = self.d.execute_script("return document.documentElement.scrollHeight")
        self.d.set_window_size(1280, max(1000, min(int(h) + 40, 6000)))
        self.d.save_screenshot(str(path))
        self.d.set_window_size(1280, 1000)
        return path

    def axe(self):
        """Runs axe-core in the page; returns its serious and critical violations."""
        if not self.d.execute_script("return typeof window.axe !== 'undefined'"):
            self.d.execute_script(AXE.read_text())
        result = self.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
            ".then(r => done(r.violations), e => done([{id: 'axe-error', impact: 'critical', "
            "help: String(e), nodes: []}]));")
        return [v for v in result if v.get("impact") in ("serious", "critical")]

    def console_errors(self):
        try:
            return [e for e in self.d.get_log("browser") if e.get("level") == "SEVERE"]
        except Exception:  # noqa: BLE001 - not every driver keeps the log
            return []


def workdir(build_dir, name):
    root = pathlib.Path(build_dir) / "browser-tests"
    root.mkdir(parents=True, exist_ok=True)
    return tempfile.mkdtemp(prefix=name + "-", dir=root)
