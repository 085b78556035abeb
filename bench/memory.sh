#!/usr/bin/env bash
# The memory figures of issue 12, PepperCache beside Redis: RSS per key, RSS under maxmemory while writing far more
# than fits, SET p99 with and without eviction, and active expiry reclaiming keys nobody touches.
# A measuring tool, not a test: nothing in the test suite runs it. Figures go to docs/benchmarks.md ("Memory").
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/memory.sh [--help]

Builds PepperCache (Release) unless PEPPER_DLL is set, then, each on freshly started servers on 127.0.0.1:
  1. per-key   KEYS keys (16-byte keys, 32-byte values) written in bounded batches (bench/load_keys.py); RSS growth
               per key on Redis and PepperCache.
  2. bound     --maxmemory 64mb --maxmemory-policy allkeys-lru, then BOUND_KEYS x 1 KB values (1 GB by default):
               peak RSS against 64 MB x 1.3 + the idle RSS, every write answered +OK, the newest key readable.
  3. p99       redis-benchmark SET -d 1024 -c 50: keyspace that fits (no eviction) vs a node kept full by allkeys-lru
               (every write evicts): p99 ratio, medians of ROUNDS.
  4. expiry    KEYS keys with a 1 s TTL; seconds until used_memory is back to its start, and GET p99 of a concurrent
               load against the same load without expiring keys: ROUNDS of each on one server after a GET run that
               is not measured (a fresh node compiles its code in its first), medians.
Every server it starts is stopped on exit, by pid.

Environment (defaults in brackets): KEYS [1000000]  BOUND_KEYS [1000000]  P99_N [200000]  ROUNDS [3]
  PEPPER_PORT [9530]  REDIS_PORT [6530]  PHASES ["per-key bound p99 expiry"]  PEPPER_DLL=path
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEYS=${KEYS:-1000000}
BOUND_KEYS=${BOUND_KEYS:-1000000}
P99_N=${P99_N:-200000}
ROUNDS=${ROUNDS:-3}
PEPPER_PORT=${PEPPER_PORT:-9530}
REDIS_PORT=${REDIS_PORT:-6530}
PHASES=${PHASES:-per-key bound p99 expiry}
# TMP, PIDS and their cleanup, PEPPER_DLL (built unless given), rss, cpu_ticks, hz, wait_ping.
source "$REPO/bench/lib.sh"

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
info_field() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'; }

# wait_ping PORT PID: the server we started answers (a server someone else left on the port does not count).

# start_pepper ARGS...: sets SERVER_PID.
start_pepper() {
  rm -rf "$TMP/data"
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" --admin-port $((PEPPER_PORT + 9000)) \
    --dir "$TMP/data" --appendonly no "$@" </dev/null >"$TMP/pepper.log" 2>&1 &
  SERVER_PID=$!; PIDS+=("$SERVER_PID"); PORT=$PEPPER_PORT
  wait_ping "$PORT" "$SERVER_PID"
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" "$@" >"$TMP/redis.log" 2>&1 &
  SERVER_PID=$!; PIDS+=("$SERVER_PID"); PORT=$REDIS_PORT
  wait_ping "$PORT" "$SERVER_PID"
}

stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; }

p99_of() { tail -n 1 "$1" | tr -d '"' | awk -F, '{ print $7 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "# bench/memory.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(redis-server --version | cut -d' ' -f1-3)"

if [[ " $PHASES " == *" per-key "* ]]; then
  echo; echo "## 1. RSS per key: $KEYS keys, 16-byte keys, 32-byte values"
  for server in redis pepper; do
    "start_$server"; sleep 1
    before=$(rss "$SERVER_PID")
    python3 "$REPO/bench/load_keys.py" "$PORT" "$KEYS" 32
    sleep 1
    after=$(rss "$SERVER_PID")
    used=$(info_field "$PORT" used_memory)
    printf '%-7s idle RSS %s, after %s: %d B/key RSS growth, used_memory %d B/key\n' "$server" "$(mib "$before")" \
      "$(mib "$after")" $(((after - before) / KEYS)) $((used / KEYS))
    stop_server
  done
fi

if [[ " $PHASES " == *" bound "* ]]; then
  echo; echo "## 2. maxmemory 64mb allkeys-lru, $BOUND_KEYS x 1 KB values written"
  for server in redis pepper; do
    "start_$server" --maxmemory 64mb --maxmemory-policy allkeys-lru; sleep 1
    idle=$(rss "$SERVER_PID")
    python3 "$REPO/bench/load_keys.py" "$PORT" "$BOUND_KEYS" 1024 & loader=$!
    peak=$idle
    while kill -0 "$loader" 2>/dev/null; do
      now=$(rss "$SERVER_PID"); ((now > peak)) && peak=$now
      sleep 0.2
    done
    wait "$loader" && ok="every write +OK" || ok="WRITES FAILED"
    last=$(printf 'key:%012d' $((BOUND_KEYS - 1)))
    [[ $(redis-cli -p "$PORT" strlen "$last") == 1024 ]] && read="newest key read back" || read="NEWEST KEY MISSING"
    bound=$((64 * 1048576 * 13 / 10 + idle))
    printf '%-7s idle RSS %s, peak %s, bound 64 MiB x 1.3 + idle = %s: %s; %s, %s, evicted_keys %s\n' "$server" \
      "$(mib "$idle")" "$(mib "$peak")" "$(mib "$bound")" "$( ((peak <= bound)) && echo within || echo OVER)" "$ok" "$read" \
      "$(redis-cli -p "$PORT" info stats | tr -d '\r' | awk -F: '$1 == "evicted_keys" { print $2 }')"
    stop_server
  done
fi

if [[ " $PHASES " == *" p99 "* ]]; then
  echo; echo "## 3. SET -d 1024 -c 50 p99 (ms): no eviction vs every write evicting (medians of $ROUNDS)"
  for server in redis pepper; do
    : >"$TMP/plain"; : >"$TMP/evicting"
    for _ in $(seq 1 "$ROUNDS"); do
      "start_$server"
      redis-benchmark -p "$PORT" -t set -d 1024 -c 50 -r 20000 -n "$P99_N" --csv >"$TMP/out" 2>/dev/null
      p99_of "$TMP/out" >>"$TMP/plain"; stop_server
      "start_$server" --maxmemory 64mb --maxmemory-policy allkeys-lru
      python3 "$REPO/bench/load_keys.py" "$PORT" 100000 1024
      redis-benchmark -p "$PORT" -t set -d 1024 -c 50 -r 100000000 -n "$P99_N" --csv >"$TMP/out" 2>/dev/null
      p99_of "$TMP/out" >>"$TMP/evicting"; stop_server
    done
    plain=$(median <"$TMP/plain"); evicting=$(median <"$TMP/evicting")
    printf '%-7s p99 %s ms without eviction, %s ms evicting: %sx\n' "$server" "$plain" "$evicting" \
      "$(awk -v a="$evicting" -v b="$plain" 'BEGIN { printf "%.2f", a / b }')"
  done
fi

if [[ " $PHASES " == *" expiry "* ]]; then
  echo; echo "## 4. Active expiry: $KEYS keys with a 1 s TTL, nobody touching them; GET -c 50 load beside (medians of $ROUNDS)"
  for server in redis pepper; do
    "start_$server"
    python3 "$REPO/bench/load_keys.py" "$PORT" 10000 32 0 100000000   # keys the GET load reads, never expiring
    start_used=$(info_field "$PORT" used_memory)
    # Not measured: the first GET run of a fresh node also compiles its code, which would inflate the plain p99.
    redis-benchmark -p "$PORT" -t get -c 50 -n "$P99_N" >/dev/null 2>&1
    : >"$TMP/plain"; : >"$TMP/expiring"; : >"$TMP/reclaimed"
    for _ in $(seq 1 "$ROUNDS"); do
      # Both GET runs have INFO read beside them every 0.25 s over one connection (bench/poll_used_memory.py), so
      # the polling weighs on both p99s alike; the run with expiring keys also notes when used_memory came back
      # (and polls on after it until it has, so the next round starts from the baseline).
      redis-benchmark -p "$PORT" -t get -c 50 -n $((P99_N * 2)) --csv >"$TMP/get_plain" 2>/dev/null &
      bench=$!
      python3 "$REPO/bench/poll_used_memory.py" "$PORT" "$bench" -1 60 >/dev/null
      wait "$bench"
      p99_of "$TMP/get_plain" >>"$TMP/plain"
      python3 "$REPO/bench/load_keys.py" "$PORT" "$KEYS" 32 1000
      redis-benchmark -p "$PORT" -t get -c 50 -n $((P99_N * 2)) --csv >"$TMP/get_expiring" 2>/dev/null &
      bench=$!
      reclaimed=$(python3 "$REPO/bench/poll_used_memory.py" "$PORT" "$bench" $((start_used * 105 / 100 + 1048576)) 60)
      wait "$bench"
      p99_of "$TMP/get_expiring" >>"$TMP/expiring"
      echo "${reclaimed:-NOT within 60}" >>"$TMP/reclaimed"
    done
    plain=$(median <"$TMP/plain"); expiring=$(median <"$TMP/expiring")
    printf '%-7s used_memory back to start %s s after the load (TTL 1 s); GET p99 %s ms with expiry running, %s ms without: %sx (rounds: %s against %s)\n' \
      "$server" "$(tr '\n' ' ' <"$TMP/reclaimed" | sed 's/ $//')" "$expiring" "$plain" \
      "$(awk -v a="$expiring" -v b="$plain" 'BEGIN { printf "%.2f", a / b }')" \
      "$(tr '\n' ' ' <"$TMP/expiring" | sed 's/ $//')" "$(tr '\n' ' ' <"$TMP/plain" | sed 's/ $//')"
    stop_server
  done
fi
