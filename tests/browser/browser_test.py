#!/usr/bin/env python3
"""End-to-end tests of the web interface in a real browser: headless Chromium through
chromium-driver (Selenium), against the real contrackd on a loopback port with the demo data.

Run one test:  tests/browser/browser_test.py --build-dir build officer_exercises_option
Run them all:  tests/browser/browser_test.py --build-dir build
ctest runs each as its own test, Browser.<name> (CMakeLists.txt). Exit 0: passed; 1: failed;
77: skipped (no browser on this machine), which ctest reports as skipped. Screenshots go to
<build>/browser-screenshots/<test>/.
"""
import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import time
import traceback

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import harness as h  # noqa: E402

CRI = "LCC-DIP-CRI-2015"
TESTS = {}


def test(fn):
    TESTS[fn.__name__] = fn
    return fn


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def exercise_option(page, new_end, effective, reference):
    """Fills and submits the extension form of CRI; returns once the page settled."""
    page.goto(f"#/contracts/{CRI}/record")
    page.find("#record-form")
    page.select("#event-type", "extension")
    page.type("#p-new_end_date", new_end)
    page.type("#p-value_pence_added", "364,339.00")
    page.type("#c-effective_date", effective)
    page.type("#c-decision-reference", reference)
    page.type("#c-decision-maker", "Director of Environment & Housing")
    page.find("#record-submit").click()


@test
def officer_exercises_option(ctx):
    """An officer signs in, finds LCC-DIP-CRI-2015, exercises its first option through the form
    (effective 2016-03-01) and sees the new end 2016-09-30 and the event in the timeline; a third
    extension is refused with the server's message shown."""
    page = ctx.page()
    page.sign_in(h.OFFICER)
    # The token is in no URL, no browser storage and no readable cookie (the session cookie is
    # HttpOnly).
    check(h.OFFICER not in page.d.current_url, "the token is in the URL")
    check(page.d.execute_script("return localStorage.length + sessionStorage.length") == 0,
          "the page stored something in browser storage")
    check(page.d.execute_script("return document.cookie") == "", "a cookie is readable by script")
    page.type("#search", "CRI")
    link = page.find(f'#contracts-table a[href="#/contracts/{CRI}"]')
    page.shot("contracts-search")
    link.click()
    page.wait_text("#state-current_end_date", "2016-03-31")
    page.find("#record-link").click()
    page.find("#record-form")
    page.shot("record-form")
    exercise_option(page, "2016-09-30", "2016-03-01", "LCC-EXT-1")
    page.wait_text("#banner", "Recorded")
    check(page.text_of("#state-current_end_date") == "2016-09-30",
          "end date after the first option: " + page.text_of("#state-current_end_date"))
    timeline = page.text_of("#timeline")
    check("Extension or option exercise" in timeline and "2016-03-01" in timeline
          and "LCC-EXT-1" in timeline and h.OFFICER_PRINCIPAL in timeline,
          "the extension is not in the timeline:\n" + timeline)
    page.shot("contract-after-extension")
    exercise_option(page, "2017-03-31", "2016-09-01", "LCC-EXT-2")
    page.wait_text("#state-current_end_date", "2017-03-31")
    exercise_option(page, "2017-09-30", "2017-03-01", "LCC-EXT-3")
    summary = page.wait_text("#error-summary", "no_extension_option")
    check("has used 2 of 2 options" in summary and "2017-03-31" in summary,
          "the refusal's facts are not shown: " + summary)
    check(page.d.switch_to.active_element.get_attribute("id") == "error-summary",
          "the error summary does not take focus")
    page.shot("record-refused")


@test
def auditor_bitemporal_view(ctx):
    """An auditor signs in, sees no recording controls, opens the bitemporal view for 2016-06-30
    as known on 2016-03-01 and sees the end 2016-03-31."""
    # The extension is recorded now, so "as known on 2016-03-01" must come from the log's times.
    status, body = ctx.server.api("POST", f"/v1/contracts/{CRI}/events", h.OFFICER, {
        "expected_version": 2, "events": [{"effective_date": "2016-03-01",
                                           "decision": {"reference": "LCC-EXT-1"},
                                           "extension": {"new_end_date": "2016-09-30"}}]})
    check(status == 201, f"setup extension: {status} {body}")
    page = ctx.page()
    page.sign_in(h.AUDITOR)
    page.goto(f"#/contracts/{CRI}")
    page.wait_text("#state-current_end_date", "2016-09-30")
    check(not page.exists("#record-link"), "an auditor sees the Record a decision control")
    page.goto(f"#/contracts/{CRI}/record")
    page.wait_text("#read-only", "never record")
    check(not page.exists("#record-form"), "an auditor sees the recording form")
    page.goto(f"#/contracts/{CRI}")
    page.type("#as-of", "2016-06-30")
    page.type("#known-at", "2016-03-01")
    page.find("#bitemporal-show").click()
    end = page.wait_text("#bt-current_end_date", "2016-03-31")
    check(end.startswith("2016-03-31"), "bitemporal end: " + end)
    row = page.find("#bt-current_end_date").find_element("xpath", "./ancestor::div[1]")
    check("contrack-changed" in row.get_attribute("class"), "the changed end is not highlighted")
    page.shot("contract-bitemporal")
    status, body = ctx.server.api("POST", f"/v1/contracts/{CRI}/events", h.AUDITOR, {
        "events": [{"effective_date": "2016-09-01", "extension": {"new_end_date": "2017-03-31"}}]})
    check(status == 403, f"the API let an auditor write: {status} {body}")


@test
def concurrent_edit_conflict(ctx):
    """Two browser sessions open the same contract's form; the second to submit gets the
    conflict message, and nothing of it is recorded."""
    first, second = ctx.page(), ctx.page()
    first.sign_in(h.OFFICER)
    second.sign_in(h.ADMIN)
    for p in (first, second):
        p.goto(f"#/contracts/{CRI}/record")
        p.find("#record-form")
    exercise_option(first, "2016-09-30", "2016-03-01", "LCC-EXT-1")
    first.wait_text("#banner", "Recorded")
    second.select("#event-type", "extension")
    second.type("#p-new_end_date", "2016-12-31")
    second.type("#c-effective_date", "2016-03-02")
    second.find("#record-submit").click()
    summary = second.wait_text("#error-summary", "version_conflict")
    check("now at version 3" in summary, "the conflict message does not name the version: " + summary)
    second.shot("record-conflict")
    status, state = ctx.server.api("GET", f"/v1/contracts/{CRI}", h.ADMIN)
    check(state["current_end_date"] == "2016-09-30", "the second edit overwrote the first: " + str(state))


@test
def xss_title_renders_as_text(ctx):
    """A title of <img src=x onerror=…> shows as text in the list and on the contract page, and
    the page shows no sign of script execution."""
    title = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'
    status, body = ctx.server.api("POST", "/v1/contracts/LCC-XSS-2016/events", h.OFFICER, {
        "expected_version": 0, "events": [{"effective_date": "2016-04-01", "award": {
            "authority": "Leeds City Council", "title": title,
            "supplier": {"name": "<b onmouseover=window.__xss=3>Supplier</b>"},
            "start_date": "2016-04-01", "end_date": "2017-03-31", "value_pence": 100000}}]})
    check(status == 201, f"setup award: {status} {body}")
    page = ctx.page()
    page.sign_in(h.OFFICER)
    page.type("#search", "XSS")
    page.wait_text("#contracts-table", title)
    page.find('#contracts-table a[href="#/contracts/LCC-XSS-2016"]').click()
    shown = page.wait_text("#contract-title", "<img")
    check(shown == title, "the title is not shown as text: " + shown)
    time.sleep(0.5)
    from selenium.common.exceptions import NoAlertPresentException
    try:
        page.d.switch_to.alert
        raise AssertionError("an alert opened: the title ran as script")
    except NoAlertPresentException:
        pass
    check(page.d.execute_script("return typeof window.__xss") == "undefined",
          "window.__xss is set: the title ran as script")
    check(page.d.execute_script("return document.querySelectorAll('img, script:not([src]), b').length") == 0,
          "the title became elements")
    page.shot("contract-xss")


@test
def csrf_header_required(ctx):
    """A state-changing request with the session cookie but without the CSRF header is refused
    (403), and with the header it is accepted."""
    page = ctx.page()
    page.sign_in(h.OFFICER)
    body = '{"events":[{"effective_date":"2015-04-01","funding":{"funder":"Leeds City Council","financial_year":"2015/16","amount_pence":100}}]}'
    script = ("const done = arguments[arguments.length - 1];"
              "fetch('/v1/contracts/" + CRI + "/events', {method: 'POST', credentials: 'same-origin',"
              " headers: Object.assign({'Content-Type': 'application/json'}, arguments[1]), body: arguments[0]})"
              ".then(r => r.text().then(t => done([r.status, t])), e => done([0, String(e)]));")
    status, text = page.d.execute_async_script(script, body, {})
    check(status == 403 and "X-CSRF-Token" in text, f"no CSRF header: {status} {text}")
    status, text = page.d.execute_async_script(script, body, {"X-CSRF-Token": "0" * 64})
    check(status == 403, f"a wrong CSRF token: {status} {text}")
    status, text = page.d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "import('/assets/js/api.js').then(m => m.call('POST', '/v1/contracts/" + CRI + "/events',"
        " JSON.parse(arguments[0]))).then(r => done([r.status, JSON.stringify(r.body)]));", body)
    check(status == 201, f"the page's own request with its CSRF token: {status} {text}")


@test
def alerts_page(ctx):
    """The alerts page lists the demo's option decisions for 2016-01-01 within 90 days."""
    page = ctx.page()
    page.sign_in(h.AUDITOR)
    page.goto("#/alerts?as_of=2016-01-01&within_days=90")
    text = page.wait_text("#alerts-near", "LCC-DIP-CRI-2015")
    for c in ("LCC-DIP-CASMACO-2015", "LCC-DIP-CRI-2015", "LCC-DIP-DISC-2015"):
        check(c in text, f"{c} missing from the alerts:\n{text}")
    check(text.count("exercise or decline option") == 3, "expected 3 option decisions:\n" + text)
    check("Decisions needed within 90 days of 2016-01-01: 3" in text, text)
    page.find(f'#alerts-near a[href="#/contracts/{CRI}"]')
    check(page.find("#register-link").get_attribute("href").endswith("/v1/reports/register.csv"),
          "no register download")
    page.find("#funding-report")
    page.shot("alerts")


@test
def verify_and_live_feed(ctx):
    """An auditor checks the head digest against the log, and the live feed (EventSource with
    the session cookie) shows an event an officer records meanwhile."""
    page = ctx.page()
    page.sign_in(h.AUDITOR)
    page.goto("#/verify")
    digest = page.text_of("#head-digest")
    check(re.match(r"^\d+:[0-9a-f]{64}$", digest), "head digest: " + digest)
    page.wait_text("#feed-state", "Waiting for new events")
    page.type("#earlier-digest", digest)
    page.find("#digest-check").click()
    page.wait_text("#digest-result", "The log still holds this digest")
    page.type("#earlier-digest", digest.split(":")[0] + ":" + "0" * 64)
    page.find("#digest-check").click()
    page.wait_text("#digest-result", "does NOT hold")
    status, body = ctx.server.api("POST", f"/v1/contracts/{CRI}/events", h.OFFICER, {
        "events": [{"effective_date": "2016-03-01", "extension": {"new_end_date": "2016-09-30"}}]})
    check(status == 201, f"append: {status} {body}")
    feed = page.wait_text("#feed", CRI)
    check(h.OFFICER_PRINCIPAL in feed and "Extension" in feed, "the feed: " + feed)
    page.shot("verify-feed")


PAGES = [
    ("sign-in", None, "#/signin", "#sign-in-form"),
    ("contracts", h.OFFICER, "#/contracts", "#contracts-table"),
    ("contract", h.OFFICER, f"#/contracts/{CRI}", "#timeline"),
    ("contract-bitemporal", h.AUDITOR, f"#/contracts/{CRI}?as_of=2016-06-30&known_at=2016-03-01", "#bt-current_end_date"),
    ("record", h.OFFICER, f"#/contracts/{CRI}/record", "#record-form"),
    ("alerts", h.AUDITOR, "#/alerts?as_of=2016-01-01&within_days=90", "#alerts-near"),
    ("verify", h.AUDITOR, "#/verify", "#feed-state"),
]


def visit(ctx, pages_by_token, name, token, hash_, ready):
    page = pages_by_token.get(token)
    if page is None:
        page = ctx.page()
        if token:
            page.sign_in(token)
        pages_by_token[token] = page
    if token:
        page.goto(hash_)
    else:
        page.open(hash_)
    page.find(ready)
    return page


@test
def accessibility(ctx):
    """axe-core (WCAG 2.0-2.2 A and AA rules) in each page: no serious or critical violations;
    also the record form's error summary."""
    pages, failures = {}, []
    for name, token, hash_, ready in PAGES:
        page = visit(ctx, pages, name, token, hash_, ready)
        for v in page.axe():
            failures.append(f"{name}: {v['id']} ({v['impact']}): {v['help']} at "
                            + "; ".join(str(n.get('target')) for n in v.get('nodes', [])[:3]))
    page = pages[h.OFFICER]
    page.goto(f"#/contracts/{CRI}/record")
    page.find("#record-submit").click()
    page.find("#error-summary")
    for v in page.axe():
        failures.append(f"record errors: {v['id']} ({v['impact']}): {v['help']} at "
                        + "; ".join(str(n.get('target')) + ' ' + str(n.get('failureSummary', ''))[:200]
                                    for n in v.get('nodes', [])[:3]))
    check(not failures, "accessibility violations:\n" + "\n".join(failures))


@test
def screenshots(ctx):
    """Screenshots of each page in the test's output folder (docs/web-contract.png is the
    contract page's)."""
    pages = {}
    for name, token, hash_, ready in PAGES:
        page = visit(ctx, pages, name, token, hash_, ready)
        time.sleep(0.3)
        path = page.shot(name)
        check(path.stat().st_size > 5000, f"{path} is too small to be a page")
        # No script error and no Content-Security-Policy violation on any page (the API's
        # expected refusals, e.g. the 401 of the sign-in page's session check, are not errors).
        bad = [e["message"] for e in page.console_errors()
               if "Content Security Policy" in e["message"] or "Uncaught" in e["message"]]
        check(not bad, f"{name}: console errors: {bad}")
    print("screenshots in", ctx.shots)


@test
def https_sign_in(ctx):
    """The same sign-in over HTTPS with a certificate made now (openssl req -x509): the session
    cookie is Secure (and __Host-), responses carry Strict-Transport-Security.
    --ignore-certificate-errors is passed to this test's browser only: trusting a made-up CA would
    need certutil and an NSS database in the browser profile, which adds nothing to what is
    tested (the server's TLS, the cookie's attributes)."""
    cert, key = ctx.dir / "cert.pem", ctx.dir / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx.restart(["--tls-cert", str(cert), "--tls-key", str(key)])
    check(ctx.server.url.startswith("https://"), ctx.server.url)
    page = ctx.page(["--ignore-certificate-errors"])
    page.sign_in(h.OFFICER)
    page.goto(f"#/contracts/{CRI}")
    page.wait_text("#state-current_end_date", "2016-03-31")
    cookies = page.d.get_cookies()
    session = [c for c in cookies if "contrack_session" in c["name"]]
    check(len(session) == 1, f"cookies: {cookies}")
    c = session[0]
    check(c["name"] == "__Host-contrack_session" and c.get("secure") and c.get("httpOnly")
          and c.get("sameSite") == "Strict" and c.get("path") == "/", f"cookie attributes: {c}")
    hsts = page.d.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/healthz').then(r => done(r.headers.get('Strict-Transport-Security')));")
    check(hsts and "max-age=" in hsts, f"no HSTS: {hsts}")
    page.shot("https-contract")


class Ctx:
    def __init__(self, build_dir, name, chromium, driver):
        self.build = build_dir
        self.name = name
        self.chromium, self.driver = chromium, driver
        self.dir = pathlib.Path(h.workdir(build_dir, name))
        self.shots = pathlib.Path(build_dir) / "browser-screenshots" / name
        shutil.rmtree(self.shots, ignore_errors=True)  # this run's screenshots only
        self.server = h.Server(build_dir, self.dir / "server")
        self.drivers = []

    def restart(self, extra):
        self.stop_server()
        self.server = h.Server(self.build, self.dir / "server-tls", extra)

    def stop_server(self):
        rc = self.server.stop()
        if rc != 0:
            raise AssertionError(f"contrackd exited with {rc} when stopped:\n"
                                 + self.server.access_log()[-4000:])

    def page(self, extra_args=()):
        d = h.browser(self.chromium, self.driver, extra_args)
        self.drivers.append(d)
        return h.Page(d, self.server.url, self.shots)

    def close(self, ok):
        for d in self.drivers:
            if not ok:
                try:
                    h.Page(d, self.server.url, self.shots).shot(f"failure-{self.drivers.index(d)}")
                except Exception:  # noqa: BLE001 - best effort
                    pass
            try:
                d.quit()
            except Exception:  # noqa: BLE001
                pass
        self.stop_server()
        log = self.server.access_log()
        for secret in (h.OFFICER, h.AUDITOR, h.ADMIN):
            if secret in log:
                raise AssertionError("a bearer token appears in contrackd's log")
        if ok:  # a failed test's data and logs stay for a look
            shutil.rmtree(self.dir, ignore_errors=True)


def run(build_dir, name):
    chromium, driver = h.find_tools()
    (pathlib.Path(build_dir) / "browser-tests").mkdir(parents=True, exist_ok=True)
    ctx = Ctx(build_dir, name, chromium, driver)
    ok = False
    try:
        TESTS[name](ctx)
        ok = True
    finally:
        ctx.close(ok)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("tests", nargs="*", help="names (default: all): " + ", ".join(TESTS))
    args = ap.parse_args()
    names = args.tests or list(TESTS)
    failed = []
    for name in names:
        if name not in TESTS:
            print(f"unknown test {name}; known: {', '.join(TESTS)}")
            return 2
        started = time.time()
        try:
            run(args.build_dir, name)
            print(f"PASSED {name} ({time.time() - started:.1f}s)")
        except SystemExit:
            raise
        except Exception:  # noqa: BLE001 - report and go on
            traceback.print_exc()
            print(f"FAILED {name} ({time.time() - started:.1f}s)")
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
