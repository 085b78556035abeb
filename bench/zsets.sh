#!/usr/bin/env bash
# ZADD and ZPOPMIN under redis-benchmark (-t zadd,zpopmin -c 50) against redis-server and one PepperCache node,
# interleaved for ROUNDS rounds: ops/s and server CPU microseconds per request (utime+stime from /proc/PID/stat).
# A measuring tool, not a test. See docs/benchmarks.md ("Sorted sets").
# Environment: PEPPER_DLL [src/PepperCache.Server/bin/Release/net10.0/PepperCache.Server.dll] ROUNDS [3] N [200000]
#              PEPPER_PORT [9120] PEPPER_ADMIN_PORT [18120] REDIS_PORT [6420]
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEPPER_DLL=${PEPPER_DLL:-$REPO/src/PepperCache.Server/bin/Release/net10.0/PepperCache.Server.dll}
ROUNDS=${ROUNDS:-3}
N=${N:-200000}
PEPPER_PORT=${PEPPER_PORT:-9120}
PEPPER_ADMIN_PORT=${PEPPER_ADMIN_PORT:-18120}
REDIS_PORT=${REDIS_PORT:-6420}
TMP=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" --logfile "$TMP/redis.log" &
PIDS+=($!); REDIS_PID=$!
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" --admin-port "$PEPPER_ADMIN_PORT" \
  --appendonly no --dir "$TMP/pepper" </dev/null >"$TMP/pepper.log" 2>&1 &
PIDS+=($!); PEPPER_PID=$!
for port in "$REDIS_PORT" "$PEPPER_PORT"; do
  for _ in $(seq 1 60); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.5; done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
run() { # name port pid test
  local before after ops
  [[ $4 == zadd ]] && redis-cli -p "$2" flushall >/dev/null
  before=$(cpu_ticks "$3")
  ops=$(redis-benchmark -p "$2" -t "$4" -c 50 -n "$N" -r 100000 -q 2>/dev/null | tr '\r' '\n' | grep -i "requests per second" | tail -1 | awk '{print $2}')
  after=$(cpu_ticks "$3")
  printf '%s\t%s\t%s\t%.2f\n' "$1" "$4" "$ops" "$(echo "($after - $before) * 1000000 / $hz / $N" | bc -l)"
}

printf 'server\ttest\tops/s\tcpu_us_per_req\n'
for round in $(seq 1 "$ROUNDS"); do
  for t in zadd zpopmin; do
    run redis "$REDIS_PORT" "$REDIS_PID" "$t"
    run pepper "$PEPPER_PORT" "$PEPPER_PID" "$t"
  done
done
