#!/usr/bin/env bash
# PepperCache vs Redis on the list tests of redis-benchmark: ops/s and server CPU microseconds per request.
# A measuring tool, not a test. See docs/benchmarks.md ("Lists").
#
# Usage: bench/lists.sh   (env: ROUNDS [2], N [200000], CLIENTS [50], REDIS_PORT [6431], PEPPER_PORT [9131],
#                          PEPPER_ADMIN_PORT [18131], PEPPER_DLL [the Release build of the worktree])
# Starts redis-server and one node on 127.0.0.1, runs each test on both in alternation, stops both by pid.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-2}; N=${N:-200000}; CLIENTS=${CLIENTS:-50}
REDIS_PORT=${REDIS_PORT:-6431}; PEPPER_PORT=${PEPPER_PORT:-9131}; PEPPER_ADMIN_PORT=${PEPPER_ADMIN_PORT:-18131}
PEPPER_DLL=${PEPPER_DLL:-$REPO/src/PepperCache.Server/bin/Release/net10.0/PepperCache.Server.dll}
TESTS=(lpush rpush lpop rpop lrange_100 lrange_600)
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" --logfile "$TMP/redis.log" &
PIDS+=($!); REDIS_PID=$!
# --appendonly no: compared with a Redis that has no AOF either (bench/aof.sh measures persistence).
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" --admin-port "$PEPPER_ADMIN_PORT" \
  --appendonly no --dir "$TMP/pepper" >"$TMP/pepper.log" 2>&1 &
PIDS+=($!); PEPPER_PID=$!
for port in "$REDIS_PORT" "$PEPPER_PORT"; do
  for _ in $(seq 1 300); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
echo "machine: $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); $(redis-server --version | cut -d' ' -f3)"
echo "test,server,round,ops,cpu_us_per_req"
for round in $(seq 1 "$ROUNDS"); do
  for test in "${TESTS[@]}"; do
    for server in redis peppercache; do
      if [[ $server == redis ]]; then port=$REDIS_PORT; pid=$REDIS_PID; else port=$PEPPER_PORT; pid=$PEPPER_PID; fi
      # As redis-benchmark -t lpush,rpush,lpop,rpop runs them: the pops take what the pushes left (2N elements).
      [[ $test == lpush || $test == lrange_* ]] && redis-cli -p "$port" flushall >/dev/null
      before=$(cpu_ticks "$pid")
      # An LRANGE test first fills its list with LPUSH, counted here too (its row is the LRANGE one).
      out=$(redis-benchmark -h 127.0.0.1 -p "$port" -t "$test" -c "$CLIENTS" -n "$N" --csv)
      if [[ $test == lrange_* ]]; then line=$(grep -i "LRANGE_${test#lrange_}" <<<"$out" | head -1); else line=$(grep -i "^\"${test}" <<<"$out" | head -1); fi
      after=$(cpu_ticks "$pid")
      ops=$(cut -d, -f2 <<<"$line" | tr -d '"')
      cpu=$(awk -v t=$((after - before)) -v hz="$TICK" -v n="$N" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
      echo "$test,$server,$round,$ops,$cpu"
    done
  done
done
for port in "$REDIS_PORT" "$PEPPER_PORT"; do echo "port $port: LLEN mylist after the round: $(redis-cli -p "$port" llen mylist)"; done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
