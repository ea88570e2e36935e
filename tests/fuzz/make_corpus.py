#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ from the demo data and the tests' bodies.

Run from anywhere; rewrites the three corpus folders (deterministic output)."""
import json
import os
import random
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OFFICER = "fuzz-officer-leeds-0123456789"  # tests/fuzz/targets.h
AUDITOR = "fuzz-auditor-token-0123456789"
ADMIN = "fuzz-admin-token-0123456789ab"
LINE_FIELDS = ("contract_id", "expected_version", "recorded_at", "recorded_by")

TEST_BODIES = [
    # tests/support/test_support.h and tests/integration/server_test.cc
    '{"event_id":"11111111-1111-4111-8111-000000000001","decision":{"reference":"LCC-DDN-2015-02-23","maker":"Director of Environment & Housing","date":"2015-02-23","key_decision":true,"call_in_eligible":true},"waiver":{"authority":"Leeds City Council","rules":["CPR 9.1","CPR 9.2"],"justification":"continuity pending the DIP/IOM review","approved_by":"Director of Environment & Housing"}}',
    '{"event_id":"11111111-1111-4111-8111-000000000002","decision":{"reference":"LCC-DDN-2015-02-23","maker":"Director of Environment & Housing","date":"2015-02-23"},"award":{"authority":"Leeds City Council","title":"DIP/IOM interim contract","supplier":{"name":"CRI"},"procedure":"interim","start_date":"2015-04-01","end_date":"2016-03-31","value_pence":72867800,"annual_value_pence":72867800,"extension_options":[{"months":6},{"months":6}],"waiver_event_id":"11111111-1111-4111-8111-000000000001"}}',
    '{"effective_date":"2016-03-01","extension":{"new_end_date":"2016-09-30"}}',
    '{"effective_date":"2016-09-01","extension":{"new_end_date":"2017-03-31","value_pence_added":"36433900"}}',
    '{"funding":{"funder":"Leeds City Council","financial_year":"2015/16","amount_pence":100,"conditional_on_extension":true}}',
    '{"variation":{"description":"additional IOM caseload","value_delta_pence":-1500000,"new_end_date":"2017-01-31","legal_basis":"PCR 2015 reg 72(1)(b)"}}',
    '{"novation":{"supplier":{"name":"Forward Leeds","id":"12345678","sme":true},"reason":"merger"}}',
    '{"termination":{"termination_date":"2017-03-31","reason":"superseded","rule":"CPR 22.1"}}',
    '{"correction":{"corrects_event_id":"11111111-1111-4111-8111-000000000002","reason":"entered in error"}}',
    '{"note":"caf\u00e9 \\u20ac","award":{"authority":"Leicestershire County Council","title":"IPS","supplier":{"name":"Intuitive Thinking Skills"},"start_date":"2024-04-01","end_date":"2026-03-31","value_pence":41400000,"max_end_date":"2027-03-31","notice_period_days":30,"procurement_lead_days":180,"regime":"pa2023","category":"works","light_touch":true,"review_date":"2025-01-01"}}',
]


def demo_lines():
    with open(os.path.join(ROOT, "demo", "demo.jsonl"), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def api_body(line):
    return {k: v for k, v in line.items() if k not in LINE_FIELDS}


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(HERE, "corpus", target, name), "wb") as f:
        f.write(data)


def http(method, target, token=None, body=None, headers=()):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    lines.extend(headers)
    payload = b""
    if body is not None:
        payload = body.encode("utf-8")
        lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + payload


def main():
    for target in ("event_json", "lifecycle", "http_request"):
        path = os.path.join(HERE, "corpus", target)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
    lines = demo_lines()

    # event_json: each demo line as an import line, the API bodies, the tests' bodies.
    for i, line in enumerate(lines):
        write("event_json", f"demo-{i:02d}.json", json.dumps(line, ensure_ascii=False))
    for i in range(0, len(lines), 7):
        group = [api_body(l) for l in lines[i:i + 3]]
        write("event_json", f"append-demo-{i:02d}.json",
              json.dumps({"expected_version": 0, "events": group}, ensure_ascii=False))
    for i, b in enumerate(TEST_BODIES):
        write("event_json", f"test-body-{i:02d}.json", b)
        write("event_json", f"test-append-{i:02d}.json", '{"events":[' + b + "]}")

    # lifecycle: deterministic byte scripts.
    rng = random.Random(20150401)
    for i in range(24):
        write("lifecycle", f"script-{i:02d}.bin", bytes(rng.randrange(256) for _ in range(48 * (i % 6 + 1))))
    write("lifecycle", "zeros.bin", bytes(64))

    # http_request: appends of the demo contracts, every route with every role, hostile shapes.
    n = 0
    by_contract = {}
    for line in lines:
        by_contract.setdefault(line["contract_id"], []).append(api_body(line))
    for cid, events in by_contract.items():
        body = json.dumps({"events": events}, ensure_ascii=False)
        write("http_request", f"append-{n:02d}.http",
              http("POST", f"/v1/contracts/{cid}/events", ADMIN, body))
        n += 1
    cid = next(iter(by_contract))
    routes = [f"/v1/contracts/{cid}", f"/v1/contracts/{cid}?as_of=2016-01-01&known_at=2016-03-01T00:00:00Z",
              f"/v1/contracts/{cid}/events?after_version=1&limit=2", "/v1/contracts?authority=Leeds%20City%20Council&supplier=cri&status=active&limit=3",
              "/v1/feed?after=0&limit=5", "/v1/feed?after=999999&wait_ms=10", "/v1/verify", "/v1/verify?digest=1:" + "0" * 64,
              "/v1/alerts?as_of=2016-01-01&within_days=90", "/v1/reports/register.csv?as_of=2016-01-01",
              "/v1/reports/funding", f"/v1/ocds/{cid}", f"/v1/ocds/{cid}?record=true", "/healthz", "/metrics", "/nope"]
    for i, r in enumerate(routes):
        for j, token in enumerate((ADMIN, AUDITOR, OFFICER, None)):
            write("http_request", f"get-{i:02d}-{j}.http", http("GET", r, token))
    write("http_request", "sse.http", http("GET", "/v1/feed?after=0", AUDITOR, headers=["Accept: text/event-stream"]))
    write("http_request", "delete.http", http("DELETE", f"/v1/contracts/{cid}/events", ADMIN))
    ext = '{"expected_version":2,"events":[' + TEST_BODIES[2] + "]}"
    write("http_request", "officer-append.http",
          http("POST", "/v1/contracts/LCC-DIP-CRI-2015/events", OFFICER,
               '{"expected_version":0,"events":[' + TEST_BODIES[0] + "," + TEST_BODIES[1] + "]}") +
          http("POST", "/v1/contracts/LCC-DIP-CRI-2015/events", OFFICER, ext) +
          http("GET", "/v1/contracts/LCC-DIP-CRI-2015", OFFICER))
    write("http_request", "auditor-append.http", http("POST", "/v1/contracts/X-1/events", AUDITOR, ext))
    chunk = '{"events":[' + TEST_BODIES[4] + "]}"
    write("http_request", "chunked.http",
          ("POST /v1/contracts/LCC-DIP-CRI-2015/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + ADMIN +
           "\r\nTransfer-Encoding: chunked\r\n\r\n" + f"{len(chunk):x}\r\n{chunk}\r\n0\r\n\r\n").encode())
    write("http_request", "percent.http", http("GET", "/v1/contracts/LCC%2DDIP%2dCRI-2015?as_of=2016%2D01%2D01", ADMIN))

    # Request smuggling shapes (RFC 9112 sections 3.2, 6.1, 6.3): each carries a second request
    # hidden in its body, which must never be answered.
    hidden = "GET /v1/contracts HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + ADMIN + "\r\n\r\n"
    post = "POST /v1/contracts/LCC-SMUGGLE/events {}\r\nHost: t\r\nAuthorization: Bearer " + ADMIN + "\r\n"
    smuggling = {
        "te-xchunked": post.format("HTTP/1.1") + "Transfer-Encoding: xchunked\r\n\r\n" + hidden,
        "te-chunked-identity": post.format("HTTP/1.1") + "Transfer-Encoding: chunked, identity\r\n\r\n" + hidden,
        "te-identity": post.format("HTTP/1.1") + "Transfer-Encoding: identity\r\n\r\n" + hidden,
        "te-two-lines": post.format("HTTP/1.1") + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n" + hidden,
        "te-gzip-chunked": post.format("HTTP/1.1") + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + hidden,
        "te-http10": post.format("HTTP/1.0") + "Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden,
        "te-then-cl": post.format("HTTP/1.1") + "Transfer-Encoding: identity\r\nContent-Length: " + str(len(chunk)) + "\r\n\r\n" + chunk + hidden,
        "cl-then-te": post.format("HTTP/1.1") + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden,
        "no-host": "GET /healthz HTTP/1.1\r\n\r\n" + hidden,
        "two-hosts": "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + hidden,
        "two-authorizations": "GET /v1/contracts HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + ADMIN +
                              "\r\nAuthorization: Bearer " + AUDITOR + "\r\n\r\n" + hidden,
        "bearer-lower-case": "GET /v1/contracts HTTP/1.1\r\nHost: t\r\nAuthorization: bearer " + ADMIN + "\r\n\r\n",
        "feed-after-max": "GET /v1/feed?after=18446744073709551615 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + AUDITOR + "\r\n\r\n",
    }
    for name, text in smuggling.items():
        write("http_request", f"smuggle-{name}.http", text.encode())


if __name__ == "__main__":
    main()
