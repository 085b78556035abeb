#!/usr/bin/env python3
"""Turns compare.sh's profile runs (redis-benchmark TSV + pepper-benchmark JSON) into markdown.

rb.tsv: profile, server, test, round, ops, p99_us (one line per redis-benchmark run).
pb-<profile>-r<round>.json: pepper-benchmark --json output for one profile and round (all targets).
meta.tsv: key<TAB>value lines (machine, versions, commands).
With --docs FILE the markdown replaces the text between the compare.sh markers in FILE (appended if absent).
"""

import argparse
import csv
import json
import os
import statistics

BEGIN = "<!-- compare.sh profiles: begin (generated; edit bench/report.py, not this section) -->"
END = "<!-- compare.sh profiles: end -->"
PROFILES = [
    ("c50-P1", "-c 50 -P 1"),
    ("c50-P16", "-c 50 -P 16"),
    ("c1", "-c 1 -P 1 (latency)"),
    ("mixed", "mixed 80:20, -c 50 -P 1"),
    ("d1024", "-c 50 -P 1 -d 1024"),
]


def read_meta(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in f if "\t" in line]


def read_rb(path):
    runs = {}
    if not os.path.exists(path):
        return runs
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["profile"], row["test"], row["server"])
            runs.setdefault(key, []).append((float(row["ops"]), float(row["p99_us"])))
    return {k: (statistics.median(v[0] for v in vs), statistics.median(v[1] for v in vs), len(vs)) for k, vs in runs.items()}


def read_pb(directory):
    """pb-<profile>-r<round>.json, one per round: medians over rounds, ratio of medians to the first target."""
    runs, servers = {}, []
    for profile, _ in PROFILES:
        for name in sorted(os.listdir(directory)):
            if not (name.startswith(f"pb-{profile}-r") and name.endswith(".json")):
                continue
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                doc = json.load(f)
            for target in doc["options"]["targets"]:
                if target["name"] not in servers:
                    servers.append(target["name"])
            for r in doc["results"]:
                runs.setdefault((profile, r["test"], r["target"]), []).append(r)
    results = {}
    for key, rs in runs.items():
        results[key] = {
            "ops_per_sec": statistics.median(r["ops_per_sec"] for r in rs),
            "latency_us": {"p99": statistics.median(r["latency_us"]["p99"] for r in rs)},
            "rounds": len(rs),
        }
    for (profile, test, target), r in results.items():
        first = results.get((profile, test, servers[0]))
        if first and first["ops_per_sec"] > 0 and len(servers) > 1:
            r["ratio"] = r["ops_per_sec"] / first["ops_per_sec"]
    return results, servers


def fmt_ops(v):
    return f"{v:,.0f}" if v is not None else "n/a"


def fmt_us(v):
    return f"{v:,.0f}" if v is not None else "n/a"


def markdown(meta, rb, pb, servers, svgs):
    m = dict(meta)
    out = [BEGIN, "", "## Side by side: redis-benchmark and pepper-benchmark on the standard profiles", ""]
    out.append(f"Measured {m.get('date', '?')} by `bench/compare.sh` (PepperCache commit {m.get('commit', '?')}).")
    out.append("")
    out.append(f"- Machine: {m.get('nproc', '?')} CPUs, {m.get('cpu', '?')}, {m.get('kernel', '?')}; load average "
               f"(1/5/15 min) {m.get('loadavg_profiles', '?')}")
    out.append(f"- {m.get('redis', '?')}; {m.get('redis-benchmark', '?')}; .NET SDK {m.get('dotnet', '?')}"
               + (f"; Garnet: {m['garnet']}" if 'garnet' in m else ""))
    out.append(f"- Medians over {m.get('rounds', '?')} round(s). Each round runs every profile with redis-benchmark "
               "(servers one after the other), then with pepper-benchmark in compare mode (it alternates the targets "
               "itself), so drift lands on both generators and every server. Every figure shares the machine's 2 "
               "cores with the load generator, as redis-benchmark's own figures do.")
    out.append("")
    out.append("Commands (`<port>` is each server's port; pepper-benchmark gets every server as a `--target`):")
    out.append("")
    out.append("```sh")
    out.extend(v for k, v in meta if k == "profile_command")
    out.append("```")
    out.append("")
    header = ["Profile", "Test", "Server", "redis-benchmark ops/s", "p99 µs", "vs first", "pepper-benchmark ops/s",
              "p99 µs", "vs first"]
    out.append("| " + " | ".join(header) + " |")
    out.append("|---|---|---|" + "---:|" * (len(header) - 3))
    for profile, label in PROFILES:
        tests = sorted({t for (p, t, _) in list(pb) + list(rb) if p == profile}, key=lambda t: (t != "SET", t))
        for test in tests:
            for server in servers:
                r = rb.get((profile, test, server))
                p = pb.get((profile, test, server))
                if r is None and p is None:
                    continue
                ratio = f"{p['ratio']:.2f}x" if p is not None and "ratio" in p else ""
                base = rb.get((profile, test, servers[0]))
                rb_ratio = f"{r[0] / base[0]:.2f}x" if r and base and base[0] > 0 else ""
                out.append("| " + " | ".join([
                    label, test, server,
                    fmt_ops(r[0] if r else None), fmt_us(r[1] if r else None), rb_ratio,
                    fmt_ops(p["ops_per_sec"] if p else None), fmt_us(p["latency_us"]["p99"] if p else None), ratio,
                ]) + " |")
    out.append("")
    out.append("\"vs first\" is each server's ops/s over the first server's (Redis), per load generator. "
               "redis-benchmark has no mixed workload, hence n/a there. In the mixed rows, hits and misses are in "
               "the JSON that compare.sh keeps in its work directory with `KEEP_TMP=1`.")
    out.append("")
    first = servers[0] if servers else "redis"
    out.append(f"### The load generator against {first}: pepper-benchmark / redis-benchmark")
    out.append("")
    out.append("The same profile against the same server, so the ratio is the generators' difference (the issue asks "
               "for pepper-benchmark within 10% of redis-benchmark):")
    out.append("")
    out.append("| Profile | Test | redis-benchmark ops/s | pepper-benchmark ops/s | ratio |")
    out.append("|---|---|---:|---:|---:|")
    for profile, label in PROFILES:
        for test in ("SET", "GET"):
            r = rb.get((profile, test, first))
            p = pb.get((profile, test, first))
            if r and p:
                out.append(f"| {label} | {test} | {r[0]:,.0f} | {p['ops_per_sec']:,.0f} | {p['ops_per_sec'] / r[0]:.2f}x |")
    out.append("")
    for name, path in svgs:
        out.append(f"![pepper-benchmark latency percentiles, {name}]({path})")
        out.append("")
    out.append(END)
    return "\n".join(out) + "\n"


def splice(docs, section):
    text = open(docs, encoding="utf-8").read() if os.path.exists(docs) else ""
    if BEGIN in text and END in text:
        before = text[:text.index(BEGIN)]
        after = text[text.index(END) + len(END):].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(docs, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir")
    parser.add_argument("meta")
    parser.add_argument("--docs")
    parser.add_argument("--svg", action="append", default=[], help="NAME=PATH (relative to the docs file)")
    args = parser.parse_args()
    rb = read_rb(os.path.join(args.workdir, "rb.tsv"))
    pb, servers = read_pb(args.workdir)
    svgs = [tuple(s.split("=", 1)) for s in args.svg]
    section = markdown(read_meta(args.meta), rb, pb, servers, svgs)
    print(section)
    if args.docs:
        splice(args.docs, section)


if __name__ == "__main__":
    main()
