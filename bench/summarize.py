#!/usr/bin/env python3
"""Turns compare.sh's raw results into the comparison table (console) and, with --out, a markdown report.

results.tsv: round, profile, server, test, requests, ops, cpu_ticks (one line per redis-benchmark run).
meta.tsv: key<TAB>value lines (machine, versions, commands); keys may repeat.
Medians are taken over rounds, separately for ops/s and for CPU microseconds per request.
"""

import argparse
import csv
import statistics
import sys

SERVERS = ("redis", "peppercache")


def read_meta(path):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("\t")
            pairs.append((key, value))
    return pairs


def read_results(path, clk_tck):
    runs = {}  # (profile, test, server) -> list of (round, ops, cpu_us_per_request)
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            cpu_us = int(row["cpu_ticks"]) / clk_tck * 1e6 / int(row["requests"])
            key = (row["profile"], row["test"], row["server"])
            runs.setdefault(key, []).append((row["round"], float(row["ops"]), cpu_us))
    return runs


def ordered_cases(runs):
    cases = []
    for profile, test, _ in runs:
        if (profile, test) not in cases:
            cases.append((profile, test))
    return sorted(cases, key=lambda c: (int(c[0].lstrip("P")), c[1] != "SET"))


def summary_rows(runs):
    rows = []
    for profile, test in ordered_cases(runs):
        redis = runs.get((profile, test, "redis"), [])
        pepper = runs.get((profile, test, "peppercache"), [])
        if not redis or not pepper:
            continue
        r_ops = statistics.median(r[1] for r in redis)
        p_ops = statistics.median(r[1] for r in pepper)
        r_cpu = statistics.median(r[2] for r in redis)
        p_cpu = statistics.median(r[2] for r in pepper)
        rows.append([
            f"-P {profile[1:]}", test,
            f"{r_ops:,.0f}", f"{p_ops:,.0f}", f"{p_ops / r_ops:.2f}x",
            f"{r_cpu:.2f}", f"{p_cpu:.2f}", f"{p_cpu / r_cpu:.2f}x" if r_cpu > 0 else "n/a",
        ])
    return rows


HEADER = ["Profile", "Test", "Redis ops/s", "PepperCache ops/s", "Pepper/Redis",
          "Redis CPU µs/req", "Pepper CPU µs/req", "CPU Pepper/Redis"]
NUMERIC = {2, 3, 4, 5, 6, 7}


def text_table(header, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows)]
    def fmt(cells):
        return "  ".join(str(c).rjust(w) if i in NUMERIC else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([fmt(header), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows])


def markdown_table(header, rows, numeric):
    align = ["---:" if i in numeric else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def per_round_rows(runs):
    rows = []
    for profile, test in ordered_cases(runs):
        for server in SERVERS:
            for rnd, ops, cpu in runs.get((profile, test, server), []):
                rows.append([f"-P {profile[1:]}", test, server, rnd, f"{ops:,.0f}", f"{cpu:.2f}"])
    return rows


def markdown(meta, rows, runs):
    get = dict(meta)
    commands = [v for k, v in meta if k == "command"]
    warmups = [v for k, v in meta if k == "warmup"]
    out = [
        f"Measured {get.get('date', '?')} by `bench/compare.sh` (PepperCache commit {get.get('commit', '?')}).",
        "",
        f"- Machine: {get.get('nproc', '?')} CPUs, {get.get('cpu', '?')}, {get.get('kernel', '?')}",
        f"- Load average (1/5/15 min): {get.get('loadavg', '?')}",
        f"- {get.get('redis', '?')}; {get.get('redis-benchmark', '?')}; .NET SDK {get.get('dotnet', '?')}",
        f"- Medians over {get.get('rounds', '?')} round(s), servers alternated profile by profile, after one "
        f"warm-up pass per server ({'; '.join(warmups)}).",
        "",
        "Commands (`<port>` is Redis's or PepperCache's port):",
        "",
        "```sh",
        *commands,
        "```",
        "",
        markdown_table(HEADER, rows, NUMERIC),
        "",
        "<details><summary>Per round</summary>",
        "",
        markdown_table(["Profile", "Test", "Server", "Round", "ops/s", "CPU µs/req"], per_round_rows(runs), {4, 5}),
        "",
        "</details>",
        "",
    ]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results")
    parser.add_argument("meta")
    parser.add_argument("--out")
    args = parser.parse_args()

    meta = read_meta(args.meta)
    runs = read_results(args.results, int(dict(meta).get("clk_tck", "100")))
    rows = summary_rows(runs)
    if not rows:
        print("no results to summarize", file=sys.stderr)
        return 1
    print(text_table(HEADER, rows))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(markdown(meta, rows, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
