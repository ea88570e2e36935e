#!/usr/bin/env python3
"""The layers' dependency rule, checked on every #include of the project's own sources.

A file may include headers of its own layer and of the layers below it (docs/architecture.md):
    proto < domain < storage < services/views < services/api < tools, services/contrackd.cc
services/views (pure reports) may not include storage; the network layer (services/api/server.*
net.h, tls.*) sees only the API, never storage. tests/ and bench/ may include anything.
Exits 1 naming each include that breaks the rule, with the file and line.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOMAIN = "domain"  # the domain layer's folder

# Layer of a path (a file or an included header), and what each layer may include.
LAYERS = [
    ("proto/", "proto"),
    (DOMAIN + "/", "domain"),
    ("storage/", "storage"),
    ("services/views/", "views"),
    ("services/api/", "api"),
    ("services/contrackd.cc", "main"),
    ("tools/", "tools"),
]
ALLOWED = {
    "proto": {"proto"},
    "domain": {"proto", "domain"},
    "storage": {"proto", "domain", "storage"},
    "views": {"proto", "domain", "views"},
    "api": {"proto", "domain", "storage", "views", "api"},
    "main": {"proto", "domain", "storage", "views", "api", "main"},
    "tools": {"proto", "domain", "storage", "views", "api", "tools"},
}
NETWORK = re.compile(r"^services/api/(server\.(h|cc)|net\.h|tls\.(h|cc))$")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    for prefix, name in LAYERS:
        if path == prefix or path.startswith(prefix):
            return name
    return None


def violations():
    out = []
    for f in sorted(ROOT.rglob("*")):
        if f.suffix not in (".h", ".cc") or not f.is_file():
            continue
        rel = f.relative_to(ROOT).as_posix()
        if rel.startswith(("build", "tests/", "bench/", ".git")):
            continue
        mine = layer_of(rel)
        if mine is None:
            continue
        for n, line in enumerate(f.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            theirs = layer_of(inc)
            if theirs is None:
                continue
            if theirs not in ALLOWED[mine]:
                out.append(f"{rel}:{n}: the {mine} layer includes {inc} ({theirs}, a layer above it)")
            elif NETWORK.match(rel) and theirs == "storage":
                out.append(f"{rel}:{n}: the network layer includes {inc}; it may see only the API")
    return out


def self_test():
    """The check itself must catch a breach: a domain file including storage, a session storage."""
    assert "storage" not in ALLOWED[layer_of(DOMAIN + "/lifecycle.cc")]
    assert NETWORK.match("services/api/server.cc") and layer_of("storage/event_log.h") == "storage"
    assert "storage" not in ALLOWED[layer_of("services/views/ocds.cc")]


if __name__ == "__main__":
    self_test()
    bad = violations()
    for v in bad:
        print(v)
    if bad:
        sys.exit(1)
    print("layering: every include goes down the layers")
