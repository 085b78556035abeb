#!/usr/bin/env bash
# Issue 13's "APPEND/SETRANGE/SETBIT copy the whole value": what a write into a big string costs, PepperCache beside
# Redis, and optionally beside an older PepperCache build (BEFORE_DLL) that copied the whole value per write.
# A measuring tool, not a test: nothing in the test suite runs it. See docs/benchmarks.md.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/string-writes.sh [--help]

Builds PepperCache (Release) unless PEPPER_DLL is set, then for each server (redis-server, PepperCache, and the
PepperCache at BEFORE_DLL when set) on 127.0.0.1, fresh per server, runs each scenario as one redis-cli --pipe of
generated commands (random offsets and elements, the same for every server) and prints ops/s (wall clock of the pipe)
and server CPU per request (utime+stime of the process from /proc/PID/stat):
  setbit    SETBIT at random offsets, random bit, into a 16 MB bitmap          (N ops)
  append    APPEND of 16 bytes, building a 4 MB value from nothing             (262144 ops)
  pfadd     PFADD of one random element to a dense HyperLogLog (12 KB)         (N ops)
  setrange  SETRANGE of 16 bytes at random offsets in a 1 MB value             (N ops)
A server that copies the value per write runs a share of the ops (BEFORE_SHARE_*: a 1/k prefix); its figures are
per op over that share (for append: the first 1/k of the build, so the value is smaller than 4 MB then).
Every server it starts is stopped on exit, by pid.

Environment (defaults in brackets): N [200000]  SCENARIOS ["setbit append pfadd setrange"]
  PEPPER_PORT [9560]  REDIS_PORT [6560]  PEPPER_DLL=path  BEFORE_DLL=path
  BEFORE_SHARE_SETBIT [100]  BEFORE_SHARE_APPEND [8]  BEFORE_SHARE_PFADD [1]  BEFORE_SHARE_SETRANGE [20]
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-200000}
SCENARIOS=${SCENARIOS:-setbit append pfadd setrange}
PEPPER_PORT=${PEPPER_PORT:-9560}
REDIS_PORT=${REDIS_PORT:-6560}
# TMP, PIDS and their cleanup, PEPPER_DLL (built unless given), rss, cpu_ticks, hz, wait_ping.
source "$REPO/bench/lib.sh"

# start_server NAME: sets PORT and PID.
start_server() {
  case $1 in
    redis)
      PORT=$REDIS_PORT
      redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
      ;;
    *)
      PORT=$PEPPER_PORT
      local dll=$PEPPER_DLL
      [[ $1 == before ]] && dll=$BEFORE_DLL
      rm -rf "$TMP/data"
      DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$dll" --port "$PORT" --admin-port $((PORT + 9000)) \
        --dir "$TMP/data" --appendonly no </dev/null >"$TMP/$1.log" 2>&1 &
      ;;
  esac
  PID=$!; PIDS+=("$PID")
  wait_ping "$PORT" "$PID"
}

# gen SCENARIO COUNT FILE: the commands, from a fixed seed, so every server gets the same ones.
gen() {
  python3 - "$1" "$2" "$3" <<'PY'
import random, sys
scenario, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(13)
def cmd(*words):
    return b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in words)
with open(path, "wb") as out:
    for i in range(count):
        if scenario == "setbit":
            out.write(cmd(b"SETBIT", b"bm", b"%d" % rng.randrange(16 * 1024 * 1024 * 8), b"%d" % rng.randrange(2)))
        elif scenario == "append":
            out.write(cmd(b"APPEND", b"log", b"%016d" % i))
        elif scenario == "pfadd":
            out.write(cmd(b"PFADD", b"hll", b"element:%d" % rng.randrange(1 << 40)))
        else:
            out.write(cmd(b"SETRANGE", b"r", b"%d" % rng.randrange(1024 * 1024 - 16), b"%016d" % i))
PY
}

setup() {
  local cli=(redis-cli -p "$PORT")
  case $1 in
    setbit) "${cli[@]}" setbit bm $((16 * 1024 * 1024 * 8 - 1)) 0 >/dev/null ;;
    append) "${cli[@]}" del log >/dev/null ;;
    pfadd)
      "${cli[@]}" config set hll-sparse-max-bytes 0 >/dev/null
      "${cli[@]}" pfadd hll seed >/dev/null ;;
    setrange) "${cli[@]}" setrange r $((1024 * 1024 - 1)) x >/dev/null ;;
  esac
}

share() {
  [[ $1 != before ]] && { echo 1; return; }
  local name="BEFORE_SHARE_${2^^}"
  case $2 in setbit) echo "${!name:-100}" ;; append) echo "${!name:-8}" ;; pfadd) echo "${!name:-1}" ;; *) echo "${!name:-20}" ;; esac
}

count_of() { [[ $1 == append ]] && echo 262144 || echo "$N"; }

echo "# bench/string-writes.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(redis-server --version | cut -d' ' -f1-3)"
servers="redis pepper"
[[ -n ${BEFORE_DLL:-} ]] && servers="redis before pepper"
: >"$TMP/results.tsv"
for server in $servers; do
  start_server "$server"
  for scenario in $SCENARIOS; do
    count=$(( $(count_of "$scenario") / $(share "$server" "$scenario") ))
    file="$TMP/$scenario.$count.resp"
    [[ -f $file ]] || gen "$scenario" "$count" "$file"
    setup "$scenario"
    before=$(cpu_ticks "$PID"); start=$(date +%s.%N)
    out=$(redis-cli -p "$PORT" --pipe <"$file" 2>&1)
    end=$(date +%s.%N); after=$(cpu_ticks "$PID")
    grep -q "errors: 0, replies: $count" <<<"$out" || { echo "error: $server $scenario: $out" >&2; exit 1; }
    length=$(redis-cli -p "$PORT" strlen "$(case $scenario in setbit) echo bm ;; append) echo log ;; pfadd) echo hll ;; *) echo r ;; esac)")
    redis-cli -p "$PORT" flushall >/dev/null
    awk -v s="$server" -v c="$scenario" -v n="$count" -v t0="$start" -v t1="$end" -v ticks=$((after - before)) -v hz="$hz" -v len="$length" \
      'BEGIN { printf "%s\t%s\t%d\t%.0f\t%.2f\t%d\n", s, c, n, n / (t1 - t0), ticks / hz * 1e6 / n, len }' >>"$TMP/results.tsv"
  done
  kill "$PID"; wait "$PID" 2>/dev/null || true
done

echo
printf '| %-9s | %-7s | %8s | %12s | %14s | %12s |\n' scenario server ops "ops/s" "CPU us/request" "value bytes"
printf '|%s|\n' "-----------|---------|----------|--------------|----------------|-------------"
for scenario in $SCENARIOS; do
  for server in $servers; do
    awk -F'\t' -v s="$server" -v c="$scenario" '$1 == s && $2 == c {
      printf "| %-9s | %-7s | %8d | %12d | %14.2f | %12d |\n", c, s, $3, $4, $5, $6 }' "$TMP/results.tsv"
  done
done
