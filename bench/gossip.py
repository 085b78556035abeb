#!/usr/bin/env python3
"""Today's gossip, measured on real processes (issue 15, "Gossip or Raft" in docs/cluster.md).

    bench/gossip.py [rounds] [node-timeout-ms]      (defaults: 3 rounds, 2000 ms; needs a Release build)

Starts 3 PepperCache.Server processes on 127.0.0.1 (RESP 19501-19503, admin 19601-19603, --appendonly no, each in
its own temporary directory), waits until they settle, then prints:
- the bytes of one gossip message: the full state (what a pull, a join or a differing digest brings: member table,
  slot table, plan, suspects) and the steady-state message (the same without the slot table, as an exchange carries
  it when digests agree), measured on the JSON a member answers to POST /cluster/gossip with pull;
- the exchanges per second the cluster makes while nothing changes, and the CPU the 3 processes use per second idle;
- per round: kill -9 of the third node -> every slot served by a survivor in both survivors' views (GET
  /cluster/nodes), then a fresh node joins in its place (for the next round) -> settled again.
Every process it starts is killed by pid on exit. A measuring tool, not a test.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVER = os.environ.get("PEPPER_SERVER", os.path.join(REPO, "src/PepperCache.Server/bin/Release/net10.0/PepperCache.Server"))
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
node_timeout = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
work = tempfile.mkdtemp(prefix="peppercache-gossip-")
procs = {}


def start(index, seed_admin=None):
    folder = os.path.join(work, "node%d-%d" % (index, time.time_ns()))
    os.makedirs(folder)
    args = [SERVER, "--port", str(19500 + index), "--admin-port", str(19600 + index), "--node", "127.0.0.1",
            "--appendonly", "no", "--dir", folder, "--node-timeout", str(node_timeout)]
    if seed_admin:
        args += ["--cluster", "127.0.0.1:%d" % seed_admin]
    log = open(os.path.join(folder, "log"), "w")
    procs[index] = subprocess.Popen(args, cwd=folder, stdout=log, stderr=subprocess.STDOUT)


def nodes(index):
    with urllib.request.urlopen("http://127.0.0.1:%d/cluster/nodes" % (19600 + index), timeout=5) as reply:
        return json.load(reply)


def served_by(index, alive_ports):
    """True when node index sees exactly alive_ports alive, serving all 16384 slots as its plan says."""
    try:
        rows = nodes(index)
    except OSError:
        return False
    alive = [r for r in rows if r["state"] == "alive"]
    return (sorted(r["port"] for r in alive) == sorted(alive_ports) and sum(r["slots"] for r in alive) == 16384
            and all(r["slotRanges"] == r["plannedSlotRanges"] for r in alive))


def wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting until " + what)
        time.sleep(0.02)


def cpu_seconds():
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for proc in procs.values():
        with open("/proc/%d/stat" % proc.pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


try:
    if not os.path.exists(SERVER):
        raise SystemExit("no server at %s: build Release first (dotnet build -c Release)" % SERVER)
    start(1)
    time.sleep(1)
    start(2, 19601)
    start(3, 19601)
    ports = [19501, 19502, 19503]
    wait(lambda: all(served_by(i, ports) for i in (1, 2, 3)), 60, "3 nodes settle")

    body = json.dumps({"from": "gossip-bench", "members": [], "slotsDigest": "", "pull": True}).encode()
    request = urllib.request.Request("http://127.0.0.1:19601/cluster/gossip", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as reply:
        raw = reply.read()
    message = json.loads(raw)
    steady = dict(message, slots=None)
    steady_bytes = len(json.dumps(steady, separators=(",", ":")).encode())
    interval = min(1.0, max(0.05, node_timeout / 4 / 1000))
    exchanges = 3 * 2 / interval
    print("## Gossip, 3 processes, node-timeout %d ms" % node_timeout)
    print("| what | measured |")
    print("|---|---|")
    print("| full state message (pull reply: members, slot table, plan, suspects) | %d bytes of JSON |" % len(raw))
    print("| of which the slot table (Brotli, base64) | %d bytes |" % len(json.dumps(message.get("slots"), separators=(",", ":"))))
    print("| of which the plan (ranges) | %d bytes |" % len(json.dumps(message.get("target"), separators=(",", ":"))))
    print("| steady-state message (no slot table) | %d bytes of JSON, each way, plus HTTP/1.1 headers |" % steady_bytes)
    print("| exchanges per second, whole cluster, nothing changing | %.0f (every member with every other every %d ms) |" % (exchanges, interval * 1000))
    print("| idle gossip bytes per second, whole cluster (JSON only) | ~%d |" % (exchanges * 2 * steady_bytes))
    before = cpu_seconds()
    time.sleep(5)
    print("| CPU of the 3 processes idle (gossip, timers, GC) | %.1f ms per second |" % ((cpu_seconds() - before) / 5 * 1000))

    for round_ in range(rounds):
        os.kill(procs[3].pid, signal.SIGKILL)
        procs[3].wait()
        killed = time.monotonic()
        wait(lambda: served_by(1, ports[:2]) and served_by(2, ports[:2]), node_timeout / 1000 + 30, "survivors serve every slot")
        served = time.monotonic()
        start(3, 19601)
        wait(lambda: all(served_by(i, ports) for i in (1, 2, 3)), 60, "the new third node settles")
        joined = time.monotonic()
        print("| round %d: kill -9 -> every slot served by the survivors | %d ms (then a fresh node joined and settled in %d ms) |"
              % (round_ + 1, (served - killed) * 1000, (joined - served) * 1000))
finally:
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if os.environ.get("KEEP_TMP") != "1":
        shutil.rmtree(work, ignore_errors=True)
