"""redis-py's RedisCluster (Debian's python3-redis) reading and writing its keys while the cluster changes.

    /usr/bin/python3 cluster_churn.py HOST PORT PREFIX COUNT STOP_FILE READY_FILE MAX_SECONDS

Passes of "SET every key to key|generation, then GET every key" run until STOP_FILE exists (or MAX_SECONDS pass);
READY_FILE is made after the first pass. Then passes run until one is clean (no error, nil or wrong value), at
most 15 s. Prints one JSON report, judged as test/PepperCache.Server.Tests/Ecosystem/ChurnLedger.cs judges:
a read is right when it names its own key and a generation between the last acknowledged SET and the last
attempted one; nil after an acknowledged SET is a lost key.
"""
import json
import os
import sys
import time

from redis.cluster import RedisCluster

host, port, prefix, count, stop_file, ready_file, max_seconds = sys.argv[1:8]
keys = ["%s:%d" % (prefix, i) for i in range(int(count))]
acked = [0] * len(keys)
attempted = [0] * len(keys)
report = {"client": "redis-py", "passes": 0, "setOk": 0, "getOk": 0, "errorCount": 0, "errors": [], "nils": [],
          "wrongCount": 0, "wrong": [], "firstBadMs": 0, "lastBadMs": 0, "finalClean": False}
state = {"clean": True}


def now():
    return int(time.time() * 1000)


def bad():
    state["clean"] = False
    report["lastBadMs"] = now()
    if report["firstBadMs"] == 0:
        report["firstBadMs"] = report["lastBadMs"]


def error(e):
    report["errorCount"] += 1
    if len(report["errors"]) < 5:
        report["errors"].append(("%s: %s" % (type(e).__name__, e))[:200])
    bad()


def judge(i, value):
    if value is None:
        if acked[i] > 0:
            report["nils"].append(keys[i])
            bad()
        else:
            report["getOk"] += 1
        return
    text = value.decode("utf-8", "replace")
    name, _, generation = text.rpartition("|")
    if name == keys[i] and generation.isdigit() and acked[i] <= int(generation) <= attempted[i]:
        report["getOk"] += 1
        return
    report["wrongCount"] += 1
    if len(report["wrong"]) < 5:
        report["wrong"].append("%s read '%s' (acknowledged %d, attempted %d)" % (keys[i], text, acked[i], attempted[i]))
    bad()


def cut(started):
    """A pass stops after 10 s (a client stuck on timeouts): what it did not reach is neither written nor read."""
    if time.monotonic() - started < 10:
        return False
    error(RuntimeError("pass cut after 10 s"))
    return True


def one_pass(client, generation):
    state["clean"] = True
    started = time.monotonic()
    for i, key in enumerate(keys):
        if cut(started):
            break
        attempted[i] = generation
        try:
            if client.set(key, "%s|%d" % (key, generation)):
                acked[i] = generation
                report["setOk"] += 1
            else:
                error(RuntimeError("SET answered no"))
        except Exception as e:  # any client error is counted, never fatal: the next pass retries
            error(e)
    for i, key in enumerate(keys):
        if cut(started):
            break
        try:
            judge(i, client.get(key))
        except Exception as e:
            error(e)
    report["passes"] += 1
    return state["clean"]


# Short timeouts: a request to a killed node must fail fast, not stall the pass.
rc = RedisCluster(host=host, port=int(port), socket_timeout=2, socket_connect_timeout=1)
started = time.monotonic()
generation = 0
while not os.path.exists(stop_file) and time.monotonic() - started < float(max_seconds):
    generation += 1
    one_pass(rc, generation)
    if generation == 1:
        open(ready_file, "w").close()
    time.sleep(0.1)

final_started = time.monotonic()
for _ in range(50):
    generation += 1
    if one_pass(rc, generation):
        report["finalClean"] = True
        break
    if time.monotonic() - final_started > 15:
        break
    time.sleep(0.2)

print(json.dumps(report))
