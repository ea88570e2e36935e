#!/usr/bin/env python3
"""Turns bench/run.sh's raw measurements into the summary and the table.

usage: report.py RAW.jsonl OUT.jsonl

Writes OUT.jsonl (and stdout): one JSON object per measurement, {"name", "value", "unit",
"ratio_to": {other measurement or "spec_target": value / other}, ...context}. Then prints the
human table to stdout. Every ratio is this value divided by the other, from the same run.
"""
import json
import statistics
import sys

# name -> the measurements it is compared with (value / other).
COMPARE = {
    "contrack_lib.append.1w": ["disk.fdatasync", "rocksdb_raw.append.1t", "postgres.append.1c",
                               "redis.xadd.1c"],
    "contrack_lib.append.1w.p50": ["disk.fdatasync.p50", "rocksdb_raw.append.1t.p50",
                                   "postgres.append.1c.p50", "redis.xadd.1c.p50"],
    "contrack_lib.append.1w.p99": ["rocksdb_raw.append.1t.p99", "postgres.append.1c.p99",
                                   "redis.xadd.1c.p99"],
    "contrack_lib.append.16w": ["disk.fdatasync", "contrack_lib.append.1w"],
    "contrack_lib.append.64w": ["postgres.append.64c", "redis.xadd.64c", "rocksdb_raw.append.64t",
                                "rocksdb_raw_5put.append.64t", "disk.fdatasync",
                                "contrack_lib.append.1w"],
    "contrack_lib.append_async.64w": ["postgres.append.64c", "redis.xadd.64c",
                                      "rocksdb_raw.append.64t", "rocksdb_raw_5put.append.64t",
                                      "contrack_lib.append.64w"],
    "contrack_lib.append_async.64w.p50": ["postgres.append.64c.p50", "redis.xadd.64c.p50",
                                          "rocksdb_raw.append.64t.p50"],
    "contrack_lib.append_async.64w.p99": ["postgres.append.64c.p99", "redis.xadd.64c.p99",
                                          "rocksdb_raw.append.64t.p99"],
    "contrack_lib.append.64w.p50": ["postgres.append.64c.p50", "redis.xadd.64c.p50",
                                    "rocksdb_raw.append.64t.p50"],
    "contrack_lib.append.64w.p99": ["postgres.append.64c.p99", "redis.xadd.64c.p99",
                                    "rocksdb_raw.append.64t.p99"],
    "contrack_http.append.64c": ["postgres.append.64c", "redis.xadd.64c", "contrack_lib.append.64w",
                                 "rocksdb_raw.append.64t"],
    "contrack_http.append.64c.p50": ["postgres.append.64c.p50", "redis.xadd.64c.p50"],
    "contrack_http.append.64c.p99": ["postgres.append.64c.p99", "redis.xadd.64c.p99"],
    "contrack_http.get_state.64c": ["contrack_http.get_state.64c.no_access_log"],
    "rocksdb_raw.append.1t": ["disk.fdatasync"],
    "rocksdb_raw.append.64t": ["disk.fdatasync"],
    "postgres.append.1c": ["disk.fdatasync"],
    "redis.xadd.1c": ["disk.fdatasync"],
    "postgres.append.64c": ["redis.xadd.64c"],
}

# SPEC "Performance targets": name -> (target, ">=" or "<=").
TARGETS = {
    "contrack_lib.append.64w": (100000, ">="),
    "contrack_lib.append_async.64w": (100000, ">="),
    "contrack_http.append.64c": (30000, ">="),
    "contrack_http.get_state.64c": (30000, ">="),
    "contrack_cli.rebuild": (1000000, ">="),
    "contrack_lib.alerts": (20, "<="),
}


def fmt(v, unit=""):
    if v is None:
        return "-"
    if unit == "ms":
        return "%.2f" % v if v < 10 else "%.0f" % v
    if abs(v) >= 100:
        return "{:,.0f}".format(v)
    return "%.2f" % v if abs(v) < 10 else "%.1f" % v


def main():
    raw, out_path = sys.argv[1], sys.argv[2]
    lines = [json.loads(l) for l in open(raw) if l.strip()]
    # A figure measured in several rounds is the median of its rounds (all kept in "rounds").
    ms, by = [], {}
    for m in lines:
        if m["name"] not in by:
            by[m["name"]] = dict(m, _all=[])
            ms.append(by[m["name"]])
        by[m["name"]]["_all"].append(m)
    for m in ms:
        rs = m.pop("_all")
        m.pop("round", None)
        if len(rs) > 1:
            m["value"] = statistics.median(r["value"] for r in rs)
            m["rounds"] = [r["value"] for r in rs]
            m["load1"] = [r["load1"] for r in rs]
    val = lambda n: by[n]["value"] if n in by else None

    with open(out_path, "w") as out:
        for m in ms:
            r = {}
            for o in COMPARE.get(m["name"], []):
                if val(o):
                    r[o] = round(m["value"] / val(o), 3)
            if m["name"] in TARGETS:
                t, op = TARGETS[m["name"]]
                m["spec_target"] = {"value": t, "op": op}
                r["spec_target"] = round(m["value"] / t, 3)
            m["ratio_to"] = r
            line = json.dumps(m)
            out.write(line + "\n")
            print(line)

    p = print
    mc = by.get("machine.cores", {})
    p()
    p("contrack benchmarks, %s: %s x %s cores, %s RAM, %s (%s), kernel %s" % (
        mc.get("date", "?"), mc.get("cpu", "?"), mc.get("value", "?"), mc.get("mem_total", "?"),
        mc.get("disk", "?"), mc.get("fs", "?"), mc.get("kernel", "?")))
    p("build %s s, whole run %s s; event: %s-byte JSON body, %s bytes stored" % (
        mc.get("build_seconds", "?"), fmt(val("run.seconds")), fmt(val("event.json_bytes")),
        fmt(val("event.stored_bytes"))))
    p("throughput and latency figures: median of %s interleaved rounds of %s s each" % (
        mc.get("round_count", mc.get("rounds", "?")), mc.get("seconds_per_round", "?")))
    loads = [x for m in ms for x in (m["load1"] if isinstance(m.get("load1"), list) else
                                     [m.get("load1", 0)])]
    if loads:
        p("1-minute load average during the run: %.1f to %.1f (2 cores: above 2 means other work "
          "competed)" % (min(loads), max(loads)))

    def cell(n):
        if val(n) is None:
            return "-"
        s = fmt(val(n))
        if val(n + ".p50") is not None:
            s += " (%s/%s)" % (fmt(val(n + ".p50"), "ms"), fmt(val(n + ".p99"), "ms"))
        return s

    p()
    p("Durable appends, events/s (p50/p99 latency, ms)")
    p("%-30s %-24s %-24s %-24s" % ("", "1 writer/client", "16 writers", "64 writers/connections"))
    rows = [
        ("contrack, library", "contrack_lib.append.1w", "contrack_lib.append.16w",
         "contrack_lib.append.64w"),
        ("contrack, library, async", None, None, "contrack_lib.append_async.64w"),
        ("contrack, HTTP (wrk)", None, None, "contrack_http.append.64c"),
        ("PostgreSQL, Message DB", "postgres.append.1c", None, "postgres.append.64c"),
        ("Redis Streams, fsync always", "redis.xadd.1c", None, "redis.xadd.64c"),
        ("raw RocksDB, 1 put", "rocksdb_raw.append.1t", None, "rocksdb_raw.append.64t"),
        ("raw RocksDB, an append's 5 puts", None, None, "rocksdb_raw_5put.append.64t"),
    ]
    for label, *names in rows:
        p("%-30s %-24s %-24s %-24s" % (label, *[cell(n) if n else "-" for n in names]))
    p("%-30s %s" % ("disk fdatasync (fio)", cell("disk.fdatasync") + " fsyncs/s"))
    p("  (library: 1/16/64 threads each calling Append; async: 64 appends in flight from 2 threads")
    p("   with AppendAsync, as pgbench -c 64 -j 2 and redis-benchmark -c 64 drive the peers)")
    p("events per synced write: library %s / %s / %s, async %s; HTTP %s" % tuple(
        fmt(val(n)) for n in ["contrack_lib.append.1w.events_per_synced_write",
                              "contrack_lib.append.16w.events_per_synced_write",
                              "contrack_lib.append.64w.events_per_synced_write",
                              "contrack_lib.append_async.64w.events_per_synced_write",
                              "contrack_http.append.64c.events_per_synced_write"]))

    p()
    p("Per-round values of the throughput figures (events/s or req/s; the median is used)")
    for m in ms:
        if "rounds" in m and m["unit"] in ("events/s", "req/s", "fsyncs/s"):
            p("  %-40s %s" % (m["name"], "  ".join(fmt(v) for v in m["rounds"])))

    p()
    p("Ratios against the peers and raw RocksDB (same run)")

    def ratio(label, a, b, need):
        if val(a) is None or not val(b):
            p("  %-58s %s" % (label, "not measured"))
            return
        r = val(a) / val(b)
        verdict = "" if need is None else ("  met" if r >= need else "  NOT met")
        p("  %-58s %6.2fx  (needs %s)%s" % (label, r, ">= %.1fx" % need if need else "-", verdict))

    p("  (64 in flight from 2 client threads; pgbench -c 64 -j 2, redis-benchmark -c 64 on 1)")
    ratio("library async 64 in flight / PostgreSQL 64 clients", "contrack_lib.append_async.64w",
          "postgres.append.64c", 3.0)
    ratio("library async 64 in flight / Redis 64 clients", "contrack_lib.append_async.64w",
          "redis.xadd.64c", 1.0)
    ratio("library async 64 in flight / raw RocksDB 64 threads (within 2x)",
          "contrack_lib.append_async.64w", "rocksdb_raw.append.64t", 0.5)
    p("  (64 threads each blocked in Append: a context switch per append the peers' clients avoid)")
    ratio("library 64 writers / PostgreSQL 64 clients", "contrack_lib.append.64w",
          "postgres.append.64c", 3.0)
    ratio("library 64 writers / Redis 64 clients", "contrack_lib.append.64w", "redis.xadd.64c", 1.0)
    ratio("library 64 writers / raw RocksDB 64 threads (within 2x)", "contrack_lib.append.64w",
          "rocksdb_raw.append.64t", 0.5)
    ratio("library 64 writers / raw RocksDB, an append's 5 puts", "contrack_lib.append.64w",
          "rocksdb_raw_5put.append.64t", None)
    ratio("library 1 writer / disk fdatasync rate (1 append ~ 1 fsync)", "contrack_lib.append.1w",
          "disk.fdatasync", None)
    ratio("library 1 writer / raw RocksDB 1 thread", "contrack_lib.append.1w",
          "rocksdb_raw.append.1t", None)
    ratio("HTTP 64 connections / PostgreSQL 64 clients", "contrack_http.append.64c",
          "postgres.append.64c", None)
    ratio("HTTP 64 connections / Redis 64 clients", "contrack_http.append.64c", "redis.xadd.64c",
          None)
    ratio("HTTP 64 connections / library 64 writers", "contrack_http.append.64c",
          "contrack_lib.append.64w", None)

    p()
    p("Reads, rebuild, alerts, memory")
    p("  %-44s %s req/s" % ("HTTP state reads, 64 conns, access log on", cell("contrack_http.get_state.64c")))
    p("  %-44s %s req/s" % ("HTTP state reads, 64 conns, no access log",
                            cell("contrack_http.get_state.64c.no_access_log")))
    big = by.get("contrack_cli.rebuild", {})
    p("  %-44s %s req/s" % ("HTTP state reads over the large log", cell("contrack_http.get_state_large.64c")))
    bl = by.get("contrack_lib.build_log", {})
    p("  %-44s %s events/s (%s events, %s contracts, %s s)" % (
        "building the large log (library, 64 writers)", fmt(bl.get("value")), fmt(bl.get("events")),
        fmt(bl.get("contracts")), bl.get("seconds", "-")))
    full = big.get("full_size_events")
    note = ""
    if big and full and big.get("events", 0) < full:
        note = "; SMALLER than the full size, %s (BENCH_REBUILD_EVENTS=%d)" % (
            fmt(full), full)
    p("  %-44s %s events/s (%s events in %s s%s)" % (
        "contrack rebuild", fmt(val("contrack_cli.rebuild")), fmt(big.get("events")),
        big.get("seconds", "-"), note))
    p("  %-44s %s events/s" % ("GET /v1/verify over the large log", fmt(val("contrack_http.verify"))))
    al = by.get("contrack_lib.alerts", {})
    p("  %-44s %s ms warm, %s ms cold; %s listed, %s index entries read (of %s contracts)" % (
        "alerts(as_of %s, 90 days)" % al.get("as_of", "?"), fmt(val("contrack_lib.alerts"), "ms"),
        fmt(val("contrack_lib.alerts.cold"), "ms"), fmt(val("contrack_lib.alerts.listed")),
        fmt(val("contrack_lib.alerts.index_entries_read")), fmt(al.get("contracts"))))
    rs = by.get("contrackd.rss", {})
    p("  %-44s %s MiB (peak %s MiB; block cache %s MiB; log %s MiB on disk)" % (
        "contrackd resident memory, large log", fmt(val("contrackd.rss")),
        fmt(val("contrackd.rss_peak")), rs.get("block_cache_mb", "?"),
        fmt(rs.get("log_bytes", 0) / 2**20 if rs else None)))

    p()
    p("SPEC targets")
    for n, (t, op) in TARGETS.items():
        v = val(n)
        if v is None:
            p("  %-32s %s %-10s not measured" % (n, op, fmt(t)))
            continue
        ok = v >= t if op == ">=" else v <= t
        p("  %-32s %s %-10s %-12s %s" % (n, op, fmt(t), fmt(v), "met" if ok else "NOT met"))
    p("  %-32s    %-10s %-12s %s" % ("contrack_lib.append.1w.p50", "~1 fsync",
                                     fmt(val("contrack_lib.append.1w.p50"), "ms") + " ms",
                                     "fdatasync p50 %s ms" % fmt(val("disk.fdatasync.p50"), "ms")))


if __name__ == "__main__":
    main()
