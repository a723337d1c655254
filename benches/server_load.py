#!/usr/bin/env python3
"""Load benchmark of `catalog-filter-server` (issue 28): requests/s, p50,
p99, p99.9 and the server's peak memory, on loopback, the server pinned to
one core and the load generator to another.

    cargo build --release --features server --bin catalog-filter-server
    cargo install oha --locked          # the GET load generator
    python3 benches/gen_catalog.py 1000000
    python3 benches/server_load.py [--pg postgres://postgres@127.0.0.1:5432/db]

GETs (`/healthz`, the preview) are driven by `oha` (64 connections, a fixed
duration). Detaches are driven by this script (64 threads, one keep-alive
connection each), because each request must differ: request k detaches the
product `SKU-k` from the four hierarchies, so every one changes the store
and is journaled. Afterwards every answer is checked (200, the same body)
and the store is asked whether each of those products has lost every
membership: no request lost, none applied twice (a second apply would
answer `nodes_detached` 4 too, but the journal's length is checked as
well for the embedded store).

Each group of scenarios runs on a fresh server and state directory, so the
peak memory (VmHWM) is that group's. Prints a Markdown table.
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

FIVE = ("eq(status,live):like(name,*Shoe*):like(sku,SKU-0*):like(sku,*1*):"
        "gt(id,40000000-0000-4000-8000-000000000000)")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def start(server, config_text, core):
    state = tempfile.mkdtemp(prefix="cf-load-")
    config = os.path.join(state, "config.toml")
    with open(config, "w") as f:
        f.write(config_text)
    log = open(os.path.join(state, "server.log"), "w")
    proc = subprocess.Popen(
        ["taskset", "-c", str(core), server, "--config", config,
         "--state", os.path.join(state, "state"), "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=log, text=True,
        env={**os.environ, "RUST_LOG": "warn"})
    line = proc.stdout.readline().strip()
    prefix = "catalog-filter-server listening on "
    if not line.startswith(prefix):
        proc.kill()
        sys.exit(f"the server did not start: {line!r}; see {state}/server.log")
    return proc, line[len(prefix):], state


def stop(proc, state):
    proc.terminate()
    proc.wait(timeout=600)
    shutil.rmtree(state, ignore_errors=True)


def peak_mb(proc):
    """The server's peak resident memory so far, and now (MB)."""
    found = {}
    with open(f"/proc/{proc.pid}/status") as f:
        for line in f:
            key = line.split(":")[0]
            if key in ("VmHWM", "VmRSS"):
                found[key] = int(line.split()[1]) / 1024
    return found.get("VmHWM", float("nan")), found.get("VmRSS", float("nan"))


def oha(args, url, token, core):
    out = subprocess.run(
        ["taskset", "-c", str(core), args.oha, "-z", f"{args.seconds}s", "-c",
         str(args.connections), "--no-tui", "--output-format", "json",
         "-H", f"Authorization: Bearer {token}", url],
        check=True, capture_output=True, text=True).stdout
    data = json.loads(out)
    statuses = data.get("statusCodeDistribution", {})
    p = data["latencyPercentiles"]
    return {
        "rps": data["summary"]["requestsPerSec"],
        "p50": p["p50"] * 1000, "p99": p["p99"] * 1000, "p999": p["p99.9"] * 1000,
        "statuses": statuses,
        "errors": data.get("errorDistribution", {}),
    }


def get(base, path, token, timeout=600):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, json.loads(body)


def detaches(base, token, first, count, connections):
    """`count` detaches, request k (from `first`) of `SKU-k`, over
    `connections` threads; latencies (ms) and answers by k."""
    u = urllib.parse.urlsplit(base)
    answers = {}
    latencies = []
    lock = threading.Lock()
    next_k = [first]

    def worker():
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        while True:
            with lock:
                k = next_k[0]
                if k >= first + count:
                    break
                next_k[0] += 1
            body = json.dumps({"data": {"filter": f"eq(sku,SKU-{k:07d})",
                                        "node_ids": ["h0", "h1", "h2", "h3"]}})
            t0 = time.perf_counter()
            conn.request("POST", "/pcm/products/detach_nodes", body=body,
                         headers={"Authorization": f"Bearer {token}",
                                  "Content-Type": "application/json"})
            r = conn.getresponse()
            text = r.read()
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(dt)
                answers[k] = (r.status, text)
        conn.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()

    def pct(q):
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {"rps": count / wall, "p50": pct(0.50), "p99": pct(0.99),
            "p999": pct(0.999), "answers": answers}


def check_detached(base, token, answers):
    """Every answer a 200 with the same body; each product now in no node."""
    bad = {k: a for k, a in answers.items() if a[0] != 200}
    if bad:
        k, a = next(iter(bad.items()))
        return f"{len(bad)} answers not 200 (SKU-{k}: {a})"
    bodies = {a[1] for a in answers.values()}
    if len(bodies) != 1:
        return f"{len(bodies)} different bodies"
    for k in list(answers)[:: max(1, len(answers) // 100)]:
        status, page = get(base, f"/pcm/products?filter=eq(sku,SKU-{k:07d})", token)
        items = page.get("data", [])
        if status != 200 or len(items) != 1 or items[0]["attributes"]["node_ids"] != []:
            return f"SKU-{k}: {status} {items[:1]}"
    return "ok"


def fmt(name, r, mem, note=""):
    return (f"| {name} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
            f"{r['p999']:.2f} | {mem[0]:,.0f} / {mem[1]:,.0f} | {note} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default=os.path.join(ROOT, "target/release/catalog-filter-server"))
    ap.add_argument("--oha", default=shutil.which("oha") or os.path.expanduser("~/.cargo/bin/oha"))
    ap.add_argument("--catalog", default="/tmp/cf-catalog-1000000.json")
    ap.add_argument("--pg", help="an empty PostgreSQL database's URL (the 1M catalog is loaded into it)")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--detaches", type=int, default=1000)
    ap.add_argument("--only", default="sample,big,pg")
    ap.add_argument("--compact-after", type=int, help="the config's server.compact_after (default: the server's)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    rows = []
    preview = "/pcm/products?filter=" + urllib.parse.quote(FIVE, safe="(),:*")
    tokens = '[[tokens]]\ntoken = "t"\nstore = "s"\n'
    server = "" if args.compact_after is None else f"[server]\ncompact_after = {args.compact_after}\n"

    if "sample" in only:
        proc, base, state = start(args.server, f"""{server}
[[stores]]
name = "s"
vendor = "elasticpath"
snapshot = "sample:catalog.json"
{tokens}""", 0)
        h = oha(args, base + "/healthz", "t", 1)
        rows.append(fmt("GET /healthz", h, peak_mb(proc), f"{h['statuses']} {h['errors'] or ''}"))
        p = oha(args, base + preview, "t", 1)
        rows.append(fmt("preview, sample catalog", p, peak_mb(proc),
                        f"{p['statuses']} {p['errors'] or ''}; {p['rps'] / h['rps']:.2f}x healthz"))
        stop(proc, state)

    if "big" in only:
        proc, base, state = start(args.server, f"""{server}
[[stores]]
name = "s"
vendor = "elasticpath"
snapshot = "{args.catalog}"
{tokens}""", 0)
        p = oha(args, base + preview, "t", 1)
        rows.append(fmt("preview, 1M catalog, embedded", p, peak_mb(proc), f"{p['statuses']} {p['errors'] or ''}"))
        one = detaches(base, "t", 0, args.detaches // 4, 1)
        rows.append(fmt("detach, 1M, embedded, 1 connection", one, peak_mb(proc),
                        check_detached(base, "t", one["answers"])))
        many = detaches(base, "t", 100000, args.detaches, args.connections)
        rows.append(fmt(f"detach, 1M, embedded, {args.connections} connections", many,
                        peak_mb(proc), check_detached(base, "t", many["answers"])))
        stop(proc, state)

    if "pg" in only and args.pg:
        proc, base, state = start(args.server, f"""{server}
[[stores]]
name = "s"
vendor = "elasticpath"
backend = "{args.pg}"
snapshot = "{args.catalog}"
{tokens}""", 0)
        t0 = time.perf_counter()
        while get(base, "/pcm/products?page[limit]=0", "t")[0] != 200:
            time.sleep(1)
        print(f"PostgreSQL: set up in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        p = oha(args, base + preview, "t", 1)
        rows.append(fmt("preview, 1M catalog, PostgreSQL", p, peak_mb(proc), f"{p['statuses']} {p['errors'] or ''}"))
        one = detaches(base, "t", 0, args.detaches // 4, 1)
        rows.append(fmt("detach, 1M, PostgreSQL, 1 connection", one, peak_mb(proc),
                        check_detached(base, "t", one["answers"])))
        many = detaches(base, "t", 100000, args.detaches, args.connections)
        rows.append(fmt(f"detach, 1M, PostgreSQL, {args.connections} connections", many,
                        peak_mb(proc), check_detached(base, "t", many["answers"])))
        stop(proc, state)

    print("| scenario | requests/s | p50 ms | p99 ms | p99.9 ms | server MB, peak / now | check |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
