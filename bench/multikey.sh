#!/usr/bin/env bash
# Commands over several keys (the ExecuteOnKeys runner) and the blocking sorted-set pop when it need not block:
# ops/s and server CPU microseconds per request (utime+stime from /proc/PID/stat) on redis-server, a PepperCache
# node, and optionally a second node of another build (BASE_DLL, e.g. main's) to compare before and after a change.
# A measuring tool, not a test. See docs/benchmarks.md ("Multi-key commands").
#
# Usage: bench/multikey.sh   (env: ROUNDS [2], N [100000], CLIENTS [50], REDIS_PORT [6433], PEPPER_PORT [9133],
#                             BASE_PORT [9134], PEPPER_DLL [the Release build of the worktree], BASE_DLL [none])
# Starts the servers on 127.0.0.1, runs each command on each in alternation, stops them by pid.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-2}; N=${N:-100000}; CLIENTS=${CLIENTS:-50}
REDIS_PORT=${REDIS_PORT:-6433}; PEPPER_PORT=${PEPPER_PORT:-9133}; BASE_PORT=${BASE_PORT:-9134}
PEPPER_DLL=${PEPPER_DLL:-$REPO/src/PepperCache.Server/bin/Release/net10.0/PepperCache.Server.dll}
BASE_DLL=${BASE_DLL:-}
TMP=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" --logfile "$TMP/redis.log" &
PIDS+=($!); declare -A PID=([redis]=$! ) PORT=([redis]=$REDIS_PORT)
SERVERS=(redis peppercache)
start_node() { # name dll port
  mkdir -p "$TMP/$1"
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$2" --port "$3" --admin-port $((10000 + $3)) \
    --appendonly no --dir "$TMP/$1" >"$TMP/$1.log" 2>&1 &
  PIDS+=($!); PID[$1]=$!; PORT[$1]=$3
}
start_node peppercache "$PEPPER_DLL" "$PEPPER_PORT"
if [[ -n $BASE_DLL ]]; then start_node base "$BASE_DLL" "$BASE_PORT"; SERVERS+=(base); fi
for s in "${SERVERS[@]}"; do
  for _ in $(seq 1 300); do redis-cli -p "${PORT[$s]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

# Each command with the set-up that gives it work for N requests; {t} keeps the keys in one slot.
setup() { # port command-name
  local p=$1
  redis-cli -p "$p" flushall >/dev/null
  case $2 in
    lmove|lmove_rotate) redis-benchmark -p "$p" -c "$CLIENTS" -n $((N + 10000)) -q RPUSH '{t}a' x >/dev/null ;;
    smove) redis-cli -p "$p" SADD '{t}s' m >/dev/null ;;
    zunionstore) redis-cli -p "$p" ZADD '{t}z1' 1 a 2 b 3 c >/dev/null; redis-cli -p "$p" ZADD '{t}z2' 1 b 2 c 3 d >/dev/null ;;
    bzpopmin) redis-benchmark -p "$p" -c "$CLIENTS" -n $((N + 10000)) -r 100000000 -q ZADD '{t}z' __rand_int__ __rand_int__ >/dev/null ;;
  esac
}
declare -A CMD=(
  [lmove]="LMOVE {t}a {t}b LEFT RIGHT"
  [lmove_rotate]="LMOVE {t}a {t}a LEFT RIGHT"
  [smove]="SMOVE {t}s {t}s m"
  [zunionstore]="ZUNIONSTORE {t}d 2 {t}z1 {t}z2"
  [bzpopmin]="BZPOPMIN {t}none {t}z 0"
)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
echo "machine: $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg); $(redis-server --version | cut -d' ' -f3)"
echo "command,server,round,ops,cpu_us_per_req"
for round in $(seq 1 "$ROUNDS"); do
  for name in lmove lmove_rotate smove zunionstore bzpopmin; do
    for s in "${SERVERS[@]}"; do
      setup "${PORT[$s]}" "$name"
      before=$(cpu_ticks "${PID[$s]}")
      # shellcheck disable=SC2086
      # A build without the command answers an error: the row says so rather than ending the run.
      ops=$(redis-benchmark -p "${PORT[$s]}" -c "$CLIENTS" -n "$N" -q ${CMD[$name]} 2>/dev/null | tr '\r' '\n' | grep -o "[0-9.]* requests per second" | tail -n 1 | cut -d' ' -f1 || true)
      after=$(cpu_ticks "${PID[$s]}")
      cpu=$(awk -v t=$((after - before)) -v hz="$TICK" -v n="$N" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
      echo "$name,$s,$round,${ops:-error},$cpu"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
