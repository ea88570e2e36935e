#!/usr/bin/env python3
"""Reads deadlines calendars (GET /v1/calendar.ics, `contrack calendar`) back with the
icalendar package (Debian python3-icalendar) and checks them against what the API answered.

usage: calendar_check.py EXPECTED.json ICS [ICS ...]

EXPECTED.json: {"public_url": "http://127.0.0.1:8080",
                "events": [{"contract_id": ..., "kind": action or notice_type,
                            "date": "YYYY-MM-DD", "title": ...}, ...]}

Every ICS must hold exactly the expected events (as a multiset of contract, kind and date), each
an all-day event (DTSTART a date, DTEND the next day) whose SUMMARY ends with "TITLE (ID)", whose
URL is the contract's page and whose UID is unique; every ICS must have the same UIDs for the same
events. Exits 0 when all hold, 1 naming the first that does not, 77 (skipped) when the icalendar
package is missing.
"""
import collections
import datetime
import json
import sys
import urllib.parse

try:
    import icalendar
except ImportError:
    print("calendar_check: SKIPPED: the icalendar package (python3-icalendar) is not installed")
    sys.exit(77)


def fail(message):
    print("calendar_check: FAILED: " + message)
    sys.exit(1)


def kind_of(description):
    first = description.split("\n", 1)[0]
    for prefix in ("Decision: ", "Notice: "):
        if first.startswith(prefix):
            return first[len(prefix):]
    fail("DESCRIPTION does not start with Decision: or Notice: %r" % first)


def read(path, public_url):
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.endswith(b"\r\n"):
        fail("%s: does not end with CRLF" % path)
    for line in raw.split(b"\r\n"):
        if b"\r" in line or b"\n" in line:
            fail("%s: a stray CR or LF (every line ends CRLF): %r" % (path, line))
        if len(line) > 75:
            fail("%s: a line of %d octets (RFC 5545 folds at 75): %r" % (path, len(line), line))
    cal = icalendar.Calendar.from_ical(raw)
    for name, want in (("VERSION", "2.0"), ("CALSCALE", "GREGORIAN"), ("METHOD", "PUBLISH")):
        if str(cal.get(name)) != want:
            fail("%s: %s is %r, not %r" % (path, name, cal.get(name), want))
    for name in ("PRODID", "X-WR-CALNAME"):
        if not str(cal.get(name, "")):
            fail("%s: no %s" % (path, name))
    prefix = public_url + "/#/contracts/"
    events = {}
    for ev in cal.walk("VEVENT"):
        uid = str(ev.get("UID", ""))
        if not uid.endswith("@contrack") or len(uid) != 64 + len("@contrack"):
            fail("%s: UID %r is not hex SHA-256@contrack" % (path, uid))
        if uid in events:
            fail("%s: the UID %s is repeated" % (path, uid))
        start = ev.decoded("DTSTART")
        end = ev.decoded("DTEND")
        if isinstance(start, datetime.datetime) or not isinstance(start, datetime.date):
            fail("%s: %s: DTSTART %r is not a date" % (path, uid, start))
        if end != start + datetime.timedelta(days=1):
            fail("%s: %s: DTEND %r is not the day after %r" % (path, uid, end, start))
        if ev.get("DTSTAMP") is None:
            fail("%s: %s: no DTSTAMP" % (path, uid))
        url = str(ev.get("URL", ""))
        if not url.startswith(prefix):
            fail("%s: %s: URL %r is not under %r" % (path, uid, url, prefix))
        contract_id = urllib.parse.unquote(url[len(prefix):])
        summary = str(ev.get("SUMMARY", ""))
        kind = kind_of(str(ev.get("DESCRIPTION", "")))
        events[uid] = (contract_id, kind, start.isoformat(), summary)
    return events


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    with open(sys.argv[1]) as f:
        expected = json.load(f)
    public_url = expected["public_url"]
    want = collections.Counter(
        (e["contract_id"], e["kind"], e["date"]) for e in expected["events"])
    titles = {e["contract_id"]: e["title"] for e in expected["events"]}
    first = None
    for path in sys.argv[2:]:
        events = read(path, public_url)
        if len(events) != sum(want.values()):
            fail("%s: %d VEVENTs, expected %d" % (path, len(events), sum(want.values())))
        got = collections.Counter(v[:3] for v in events.values())
        if got != want:
            fail("%s: events differ: missing %r, unexpected %r" %
                 (path, sorted((want - got).elements()), sorted((got - want).elements())))
        for uid, (contract_id, kind, day, summary) in events.items():
            tail = ": %s (%s)" % (titles[contract_id], contract_id)
            if not summary.endswith(tail):
                fail("%s: %s: SUMMARY %r does not end with %r" % (path, uid, summary, tail))
        keyed = {uid: v[:3] for uid, v in events.items()}
        if first is None:
            first = keyed
        elif keyed != first:
            fail("%s: UIDs differ from %s's" % (path, sys.argv[2]))
    print("calendar_check: %d calendars, %d events each: OK" % (len(sys.argv) - 2, sum(want.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
