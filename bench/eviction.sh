#!/usr/bin/env bash
# Eviction quality (issue 12): hit ratio of a cache-aside workload (GET; on a miss SET) with Zipf-distributed keys,
# against redis-server and PepperCache with maxmemory set to about CACHE_PERCENT % of the keys, per policy, beside an
# exact LRU (and LFU) simulated offline over the same trace. A measuring tool, not a test. See docs/benchmarks.md.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/eviction.sh [--help]

  1. Publishes pepper-benchmark and PepperCache.Server (Release) to a temporary directory.
  2. Finds the memory for C = KEYS * CACHE_PERCENT / 100 keys: a redis-server without maxmemory is loaded with
     exactly C keys of the benchmark's form (key:NNNNNNNNNNNN, DATA_SIZE-byte values); M = its used_memory then
     (INFO memory: the empty server's own memory plus C keys). MAXMEMORY=bytes skips this.
  3. Simulates the trace offline: pepper-benchmark --simulate-lru C --simulate-lfu C (same -r, --key-distribution,
     --seed, -n, --warmup-requests as the live runs).
  4. For each policy in POLICIES: redis-server --maxmemory M --maxmemory-policy P --save '' --appendonly no, then
     pepper-benchmark --cache-aside (WARMUP_OPS unmeasured lookups, then OPS measured); reads the hit ratio, the keys
     held at the end (DBSIZE) and evicted_keys, and simulates an exact LRU of as many keys as the server held.
     Turnover is how long the server takes to replace its whole cache at the measured miss rate (keys held x
     seconds / misses): Redis's LRU clock ticks once a second, so its allkeys-lru can only tell keys apart by
     recency when turnover is several seconds; faster than that it evicts nearly at random among its samples.
     Use CLIENTS/PIPELINE to change the request rate (CLIENTS=1 PIPELINE=1 is the slow end).
     Then the same against PepperCache started with --maxmemory M --maxmemory-policy P --appendonly no. A build
     that does not know those flags exits 2 at start-up; the script then prints
     "PepperCache: maxmemory not supported by this build" and goes on.
  5. Prints a markdown table (hit ratios in %, differences in percentage points).
Every server it starts is stopped on exit, by pid; the work directory is removed unless KEEP_TMP=1.

Environment (defaults in brackets):
  KEYS [1000000]  keyspace (-r)             OPS [2*KEYS]  measured lookups (-n)   WARMUP_OPS [KEYS]
  CACHE_PERCENT [10]  ZIPF [0.99]  DATA_SIZE [32]  CLIENTS [10]  PIPELINE [16]  SEED [1]
  POLICIES ["allkeys-lru allkeys-lfu"]   (allkeys-random works too; volatile-* need TTLs, which this workload
                                          does not set: without TTLs they evict nothing and SETs fail with OOM)
  MAXMEMORY [measured]  bytes for both servers
  PEPPER [1]  0 skips the PepperCache side (no server build)
  REDIS_PORT [6420]  PEPPER_PORT [9120]  PEPPER_ADMIN_PORT [18120]
  PEPPER_DLL=path  PEPPER_BENCH_DLL=path   use these builds instead of publishing
  START_TIMEOUT [30] s per server start; RUN_TIMEOUT [900] s per benchmark run; BUILD_TIMEOUT [600] s per publish
Quick run: KEYS=100000 bench/eviction.sh  (about a minute after the build)
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEYS=${KEYS:-1000000}
OPS=${OPS:-$((2 * KEYS))}
WARMUP_OPS=${WARMUP_OPS:-$KEYS}
CACHE_PERCENT=${CACHE_PERCENT:-10}
ZIPF=${ZIPF:-0.99}
DATA_SIZE=${DATA_SIZE:-32}
CLIENTS=${CLIENTS:-10}
PIPELINE=${PIPELINE:-16}
SEED=${SEED:-1}
POLICIES=${POLICIES:-allkeys-lru allkeys-lfu}
MAXMEMORY=${MAXMEMORY:-}
PEPPER=${PEPPER:-1}
REDIS_PORT=${REDIS_PORT:-6420}
PEPPER_PORT=${PEPPER_PORT:-9120}
PEPPER_ADMIN_PORT=${PEPPER_ADMIN_PORT:-18120}
PEPPER_DLL=${PEPPER_DLL:-}
PEPPER_BENCH_DLL=${PEPPER_BENCH_DLL:-}
START_TIMEOUT=${START_TIMEOUT:-30}
RUN_TIMEOUT=${RUN_TIMEOUT:-900}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-600}
KEEP_TMP=${KEEP_TMP:-0}

for v in KEYS OPS CACHE_PERCENT DATA_SIZE CLIENTS PIPELINE REDIS_PORT PEPPER_PORT PEPPER_ADMIN_PORT START_TIMEOUT \
         RUN_TIMEOUT BUILD_TIMEOUT; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -gt 0 ]] || { echo "error: $v must be a positive integer (got '${!v}')" >&2; exit 2; }
done
[[ $WARMUP_OPS =~ ^[0-9]+$ ]] || { echo "error: WARMUP_OPS must be a number (got '$WARMUP_OPS')" >&2; exit 2; }
[[ $SEED =~ ^-?[0-9]+$ ]] || { echo "error: SEED must be an integer (got '$SEED')" >&2; exit 2; }
[[ -z $MAXMEMORY || $MAXMEMORY =~ ^[0-9]+$ ]] || { echo "error: MAXMEMORY must be a number of bytes (got '$MAXMEMORY')" >&2; exit 2; }
((CACHE_PERCENT <= 100)) || { echo "error: CACHE_PERCENT must be 1-100" >&2; exit 2; }
CAPACITY=$((KEYS * CACHE_PERCENT / 100))
((CAPACITY > 0)) || { echo "error: KEYS * CACHE_PERCENT / 100 is 0" >&2; exit 2; }
DISTRIBUTION="zipf:$ZIPF"

log() { printf '[eviction %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in redis-server redis-cli dotnet awk; do command -v "$tool" >/dev/null || die "$tool is not on PATH"; done

# ---- servers we start, and their guaranteed end -------------------------------------------------------------
TMP=$(mktemp -d /tmp/peppercache-eviction.XXXXXX)
PIDS=()
FAILED=1
stop_pid() {
  local pid=$1 deadline
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
stop_all() { local pid; for pid in "${PIDS[@]}"; do stop_pid "$pid"; done; PIDS=(); }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [[ $FAILED == 1 || $KEEP_TMP == 1 ]]; then log "work directory kept: $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

ping_port() { timeout 2 redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null | grep -qx PONG; }
for port in "$REDIS_PORT" "$PEPPER_PORT"; do
  ! ping_port "$port" || die "something already answers on 127.0.0.1:$port; stop it or choose other ports"
done

# ---- build ----------------------------------------------------------------------------------------------------
if [[ -z $PEPPER_BENCH_DLL ]]; then
  log "publishing pepper-benchmark (Release)"
  timeout "$BUILD_TIMEOUT" dotnet publish "$REPO/src/PepperCache.Benchmark/PepperCache.Benchmark.csproj" -c Release \
    -o "$TMP/benchmark" --nologo -v quiet >"$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log" >&2; die "build failed"; }
  PEPPER_BENCH_DLL="$TMP/benchmark/pepper-benchmark.dll"
fi
[[ -f $PEPPER_BENCH_DLL ]] || die "no such file: $PEPPER_BENCH_DLL"
if [[ $PEPPER == 1 && -z $PEPPER_DLL ]]; then
  log "publishing PepperCache (Release)"
  timeout "$BUILD_TIMEOUT" dotnet publish "$REPO/src/PepperCache.Server/PepperCache.Server.csproj" -c Release \
    -o "$TMP/pepper" --nologo -v quiet >>"$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log" >&2; die "build failed"; }
  PEPPER_DLL="$TMP/pepper/PepperCache.Server.dll"
fi
[[ $PEPPER == 0 || -f $PEPPER_DLL ]] || die "no such file: $PEPPER_DLL"

bench() { timeout "$RUN_TIMEOUT" dotnet "$PEPPER_BENCH_DLL" "$@"; }
# A field of a pepper-benchmark CSV row, by column name: csv_field FILE ROW-PREFIX COLUMN
csv_field() {
  awk -F, -v prefix="$2" -v name="$3" \
    'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next } index($0, prefix) == 1 { print $c; exit }' "$1"
}
info_field() { redis-cli -h 127.0.0.1 -p "$1" INFO "$2" | tr -d '\r' | awk -F: -v k="$3" '$1 == k { print $2 }'; }

# ---- servers --------------------------------------------------------------------------------------------------
wait_for_ping() { # name port pid logfile; returns 2 when the process exited with 2 (a flag it does not know)
  local deadline=$((SECONDS + START_TIMEOUT)) rc
  until ping_port "$2"; do
    if ! kill -0 "$3" 2>/dev/null; then
      rc=0; wait "$3" || rc=$?
      [[ $rc == 2 ]] && return 2
      tail -n 20 "$4" >&2; die "$1 (pid $3) exited during start-up with $rc"
    fi
    ((SECONDS < deadline)) || { tail -n 20 "$4" >&2; die "$1 did not answer PING within ${START_TIMEOUT}s"; }
    sleep 0.1
  done
}
start_redis() { # log-name [extra args...]
  local name=$1; shift
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no "$@" --logfile "$TMP/$name.log" \
    </dev/null >/dev/null 2>&1 &
  SERVER_PID=$!; PIDS+=("$SERVER_PID")
  wait_for_ping redis-server "$REDIS_PORT" "$SERVER_PID" "$TMP/$name.log"
}
start_pepper() { # log-name [extra args...]; returns 2 when the build refuses an argument
  local name=$1 rc=0; shift
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" --admin-port "$PEPPER_ADMIN_PORT" \
    --appendonly no --dir "$TMP/$name-data" "$@" </dev/null >"$TMP/$name.log" 2>&1 &
  SERVER_PID=$!; PIDS+=("$SERVER_PID")
  wait_for_ping PepperCache "$PEPPER_PORT" "$SERVER_PID" "$TMP/$name.log" || rc=$?
  return "$rc"
}

# ---- 1. memory for C keys ---------------------------------------------------------------------------------------
if [[ -z $MAXMEMORY ]]; then
  log "measuring redis-server's memory for $CAPACITY keys of $DATA_SIZE-byte values"
  start_redis redis-sizing
  empty=$(info_field "$REDIS_PORT" memory used_memory)
  awk -v n="$CAPACITY" -v d="$DATA_SIZE" 'BEGIN {
      v = sprintf("%*s", d, ""); gsub(/ /, "x", v)
      for (i = 0; i < n; i++) printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$%d\r\n%s\r\n", i, d, v
    }' | timeout "$RUN_TIMEOUT" redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --pipe >"$TMP/load.log" 2>&1 \
    || { cat "$TMP/load.log" >&2; die "loading $CAPACITY keys failed"; }
  [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" DBSIZE) == "$CAPACITY" ]] || die "redis-server does not hold $CAPACITY keys after loading"
  MAXMEMORY=$(info_field "$REDIS_PORT" memory used_memory)
  SIZING="redis-server used_memory with exactly $CAPACITY keys loaded: $MAXMEMORY bytes ($empty empty, $(( (MAXMEMORY - empty) / CAPACITY )) bytes per key)"
  stop_all
else
  SIZING="MAXMEMORY=$MAXMEMORY given"
fi
log "maxmemory $MAXMEMORY bytes ($SIZING)"

# ---- 2. offline simulation ----------------------------------------------------------------------------------------
TRACE=(-r "$KEYS" --key-distribution "$DISTRIBUTION" --seed "$SEED" -n "$OPS" --warmup-requests "$WARMUP_OPS")
log "simulating exact LRU and LFU of $CAPACITY keys over the trace"
bench "${TRACE[@]}" --simulate-lru "$CAPACITY" --simulate-lfu "$CAPACITY" --csv >"$TMP/simulation.csv"
SIM_LRU=$(csv_field "$TMP/simulation.csv" lru, hit_ratio)
SIM_LFU=$(csv_field "$TMP/simulation.csv" lfu, hit_ratio)
SIM_IDEAL=$(csv_field "$TMP/simulation.csv" ideal, hit_ratio)

# ---- 3. live runs -------------------------------------------------------------------------------------------------
ROWS=()
NOTES=()
measure() { # server policy port
  local csv="$TMP/$1-$2.csv" ratio hits misses ops requests held evicted lru_held turnover
  bench -h 127.0.0.1 -p "$3" --cache-aside "${TRACE[@]}" -c "$CLIENTS" -P "$PIPELINE" -d "$DATA_SIZE" -q --csv \
    >"$csv" 2>"$TMP/$1-$2.err" || { cat "$TMP/$1-$2.err" >&2; die "pepper-benchmark against $1 ($2) failed"; }
  ratio=$(csv_field "$csv" CACHE-ASIDE, hit_ratio)
  hits=$(csv_field "$csv" CACHE-ASIDE, hits)
  misses=$(csv_field "$csv" CACHE-ASIDE, misses)
  ops=$(csv_field "$csv" CACHE-ASIDE, ops_per_sec)
  requests=$(csv_field "$csv" CACHE-ASIDE, requests)
  held=$(redis-cli -h 127.0.0.1 -p "$3" DBSIZE)
  evicted=$(info_field "$3" stats evicted_keys)
  lru_held=""
  if [[ $held =~ ^[0-9]+$ && $held -gt 0 ]]; then
    lru_held=$(bench "${TRACE[@]}" --simulate-lru "$held" --csv | awk -F, '$1 == "lru" { print $NF }')
  fi
  # requests / ops_per_sec is the measured run's length; GETs and SETs both count as requests.
  turnover=$(awk -v h="$held" -v r="$requests" -v o="$ops" -v m="$misses" 'BEGIN { if (m > 0 && o > 0) printf "%.1f", h * (r / o) / m; else print "n/a" }')
  log "$1 $2: hit ratio $ratio ($hits hits, $misses misses), $held keys held, ${evicted:-?} evicted, $ops requests/s, turnover ${turnover} s"
  ROWS+=("$1|$2|$ratio|$held|${evicted:-n/a}|$lru_held|$ops|$turnover")
}

for policy in $POLICIES; do
  log "redis-server, $policy"
  start_redis "redis-$policy" --maxmemory "$MAXMEMORY" --maxmemory-policy "$policy"
  measure redis "$policy" "$REDIS_PORT"
  stop_all
done

if [[ $PEPPER == 1 ]]; then
  for policy in $POLICIES; do
    log "PepperCache, $policy"
    rc=0
    start_pepper "pepper-$policy" --maxmemory "$MAXMEMORY" --maxmemory-policy "$policy" || rc=$?
    if [[ $rc == 2 ]]; then
      PIDS=()
      if grep -q -- 'not defined: -maxmemory' "$TMP/pepper-$policy.log"; then
        NOTES+=("PepperCache: maxmemory not supported by this build")
        echo "PepperCache: maxmemory not supported by this build" >&2
        break
      fi
      NOTES+=("PepperCache: $policy refused: $(head -n 1 "$TMP/pepper-$policy.log")")
      echo "PepperCache: $policy refused: $(head -n 1 "$TMP/pepper-$policy.log")" >&2
      continue
    fi
    measure peppercache "$policy" "$PEPPER_PORT"
    stop_all
  done
fi

# ---- 4. report ----------------------------------------------------------------------------------------------------
pct() { awk -v r="$1" 'BEGIN { if (r == "") print "n/a"; else printf "%.2f%%", 100 * r }'; }
pp() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%+.2f", 100 * (a - b) }'; }
FAILED=0
echo
echo "Eviction quality: cache-aside (GET; on a miss SET), $DISTRIBUTION over $KEYS keys, $DATA_SIZE-byte values;"
echo "maxmemory $MAXMEMORY bytes for both servers, sized for $CAPACITY keys ($CACHE_PERCENT%): $SIZING."
echo "$WARMUP_OPS warm-up lookups, then $OPS measured; -c $CLIENTS -P $PIPELINE; --seed $SEED."
echo "Machine: $(nproc) CPUs, $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg); $(redis-server --version | awk '{ print $1, $2, $3 }');"
echo "PepperCache commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')."
echo
echo "Simulated over the single-stream trace, $CAPACITY keys: exact LRU $(pct "$SIM_LRU"), exact LFU $(pct "$SIM_LFU");"
echo "ideal (the $CAPACITY most probable keys always held) $(pct "$SIM_IDEAL")."
echo
echo "| server | policy | hit ratio | vs exact LRU ($CAPACITY keys), pp | keys held at end | exact LRU of keys held | vs it, pp | evicted | requests/s | turnover s |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for row in "${ROWS[@]}"; do
  IFS='|' read -r server policy ratio held evicted lru_held ops turnover <<<"$row"
  echo "| $server | $policy | $(pct "$ratio") | $(pp "$ratio" "$SIM_LRU") | $held | $(pct "$lru_held") | $(pp "$ratio" "$lru_held") | $evicted | $(printf '%.0f' "$ops") | $turnover |"
done
for note in "${NOTES[@]}"; do echo; echo "$note"; done
