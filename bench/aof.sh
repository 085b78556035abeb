#!/usr/bin/env bash
# Append-only-file cost: SET throughput with appendonly no / everysec / always, PepperCache beside Redis with the
# same settings, and the time each takes to load an AOF of 1,000,000 keys. A measuring tool, not a test.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/aof.sh [--help]

For each mode (appendonly no, appendfsync everysec, appendfsync always; MODES may add fsync-no, appendonly yes
with appendfsync no) starts redis-server and a PepperCache node on 127.0.0.1, each with a fresh data directory, and
runs redis-benchmark SET with -c 50 at -P 1 and -P 16 against both, alternating, ROUNDS times; prints the median
ops/s per cell and each server's CPU time per request (utime + stime from /proc/PID/stat). With BASE_DLL, a second
PepperCache build (e.g. the commit before a change) runs beside them in every round, so a change is measured
against its base in one sitting. Then writes one AOF of LOAD_KEYS SET
records and times how long each server takes to load it (from their own "loaded" log lines; LOAD_KEYS=0 skips it).
Every server it starts is stopped on exit; the work directory is removed unless KEEP_TMP=1.

Environment (defaults in brackets):
  PEPPER_PORT [9210]  PEPPER_ADMIN_PORT [18210]  BASE_PORT [9211]  BASE_ADMIN_PORT [18211]  REDIS_PORT [6402]
  ROUNDS [3]  N_P1 [100000]  N_P16 [1000000]  CLIENTS [50]  DATA_SIZE [32]  KEYSPACE [100000]
  LOAD_KEYS [1000000]  MODES ["no everysec always"]
  PEPPER_DLL=path  use this PepperCache.Server.dll instead of publishing one
  BASE_DLL=path    also measure this PepperCache.Server.dll (column base_ops)
  PEPPER_ARGS, BASE_ARGS  more arguments for the node, and for the base (BASE_DLL=$PEPPER_DLL BASE_ARGS="--transport
                   sockets" measures a setting against the default with one build)
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEPPER_PORT=${PEPPER_PORT:-9210}
PEPPER_ADMIN_PORT=${PEPPER_ADMIN_PORT:-18210}
REDIS_PORT=${REDIS_PORT:-6402}
ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-100000}
N_P16=${N_P16:-1000000}
CLIENTS=${CLIENTS:-50}
DATA_SIZE=${DATA_SIZE:-32}
KEYSPACE=${KEYSPACE:-100000}
LOAD_KEYS=${LOAD_KEYS:-1000000}
PEPPER_DLL=${PEPPER_DLL:-}
BASE_DLL=${BASE_DLL:-}
PEPPER_ARGS=${PEPPER_ARGS:-}
BASE_ARGS=${BASE_ARGS:-}
BASE_PORT=${BASE_PORT:-9211}
BASE_ADMIN_PORT=${BASE_ADMIN_PORT:-18211}
MODES=${MODES:-no everysec always}
KEEP_TMP=${KEEP_TMP:-0}

log() { printf '[aof %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

TMP=$(mktemp -d /tmp/peppercache-aofbench.XXXXXX)
PIDS=()
stop_pid() {
  local pid=$1 deadline
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
stop_all() { local pid; for pid in "${PIDS[@]}"; do stop_pid "$pid"; done; PIDS=(); }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [[ $KEEP_TMP == 1 ]]; then log "work directory kept: $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ping_port() { timeout 2 redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null | grep -qx PONG; }
wait_for_ping() { # name port pid logfile
  local deadline=$((SECONDS + 120))
  until ping_port "$2"; do
    kill -0 "$3" 2>/dev/null || { tail -n 20 "$4" >&2; die "$1 exited during start-up"; }
    ((SECONDS < deadline)) || die "$1 did not answer PING in time"
    sleep 0.05
  done
}
for port in "$REDIS_PORT" "$PEPPER_PORT" "$BASE_PORT"; do ! ping_port "$port" || die "something already answers on 127.0.0.1:$port"; done
[[ -z $BASE_DLL || -f $BASE_DLL ]] || die "BASE_DLL $BASE_DLL does not exist"
for mode in $MODES; do [[ $mode =~ ^(no|everysec|always|fsync-no)$ ]] || die "unknown mode '$mode' in MODES"; done

if [[ -z $PEPPER_DLL ]]; then
  log "publishing PepperCache (Release)"
  timeout 600 dotnet publish "$REPO/src/PepperCache.Server/PepperCache.Server.csproj" -c Release -o "$TMP/pepper" --nologo -v quiet \
    >"$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log" >&2; die "build failed"; }
  PEPPER_DLL="$TMP/pepper/PepperCache.Server.dll"
fi

start_redis() { # appendonly fsync dir
  mkdir -p "$3"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly "$1" --appendfsync "$2" --dir "$3" \
    --logfile "$3/redis.log" </dev/null >/dev/null 2>&1 &
  REDIS_PID=$!; PIDS+=("$REDIS_PID")
  wait_for_ping redis-server "$REDIS_PORT" "$REDIS_PID" "$3/redis.log"
}
start_pepper() { # appendonly fsync dir [dll port admin-port extra-args]
  local dll=${4:-$PEPPER_DLL} port=${5:-$PEPPER_PORT} admin=${6:-$PEPPER_ADMIN_PORT} extra=${7-$PEPPER_ARGS} pid
  mkdir -p "$3"
  # shellcheck disable=SC2086 # extra arguments split on purpose
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$dll" --port "$port" --admin-port "$admin" \
    --appendonly "$1" --appendfsync "$2" --dir "$3" $extra </dev/null >"$3/pepper.log" 2>&1 &
  pid=$!; PIDS+=("$pid"); STARTED_PID=$pid
  wait_for_ping PepperCache "$port" "$pid" "$3/pepper.log"
}
ops() { # port pipeline n
  redis-benchmark -h 127.0.0.1 -p "$1" -t set -c "$CLIENTS" -P "$2" -d "$DATA_SIZE" -r "$KEYSPACE" -n "$3" --csv 2>/dev/null \
    | awk -F'","' '/^"SET"/ { print $2 }'
}
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of a process
measure() { # port pid pipeline n -> "ops/s cpu-us-per-request" (the server's own CPU, PERFORMANCE.md's measure)
  local before after o
  before=$(cpu_ticks "$2"); o=$(ops "$1" "$3" "$4"); after=$(cpu_ticks "$2")
  echo "$o $(awk -v d=$((after - before)) -v n="$4" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", d * 1e6 / hz / n }')"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# cpu_us: the server's CPU time (user + system) per request in microseconds, median of the rounds; less noisy than
# ops/s on a shared machine, since time spent waiting for a core is not counted.
if [[ -n $BASE_DLL ]]; then
  printf '%-10s %-4s %12s %12s %6s %12s %8s   %s\n' mode P redis_ops pepper_ops ratio base_ops vs_base "cpu_us redis/pepper/base"
else
  printf '%-10s %-4s %12s %12s %6s   %s\n' mode P redis_ops pepper_ops ratio "cpu_us redis/pepper"
fi
for mode in $MODES; do
  appendonly=yes; fsync=$mode
  [[ $mode == no ]] && { appendonly=no; fsync=everysec; }
  [[ $mode == fsync-no ]] && fsync=no
  start_redis "$appendonly" "$fsync" "$TMP/$mode/redis"
  start_pepper "$appendonly" "$fsync" "$TMP/$mode/pepper"; PEPPER_PID=$STARTED_PID
  [[ -z $BASE_DLL ]] || { start_pepper "$appendonly" "$fsync" "$TMP/$mode/base" "$BASE_DLL" "$BASE_PORT" "$BASE_ADMIN_PORT" "$BASE_ARGS"; BASE_PID=$STARTED_PID; }
  for pipeline in 1 16; do
    n=$N_P1; [[ $pipeline == 16 ]] && n=$N_P16
    ops "$REDIS_PORT" "$pipeline" $((n / 4)) >/dev/null; ops "$PEPPER_PORT" "$pipeline" $((n / 4)) >/dev/null # warm-up
    [[ -z $BASE_DLL ]] || ops "$BASE_PORT" "$pipeline" $((n / 4)) >/dev/null
    r=(); p=(); b=(); rc=(); pc=(); bc=()
    for ((round = 0; round < ROUNDS; round++)); do
      read -r o c < <(measure "$REDIS_PORT" "$REDIS_PID" "$pipeline" "$n"); r+=("$o"); rc+=("$c")
      read -r o c < <(measure "$PEPPER_PORT" "$PEPPER_PID" "$pipeline" "$n"); p+=("$o"); pc+=("$c")
      [[ -z $BASE_DLL ]] || { read -r o c < <(measure "$BASE_PORT" "$BASE_PID" "$pipeline" "$n"); b+=("$o"); bc+=("$c"); }
    done
    rm=$(median "${r[@]}"); pm=$(median "${p[@]}")
    if [[ -n $BASE_DLL ]]; then
      bm=$(median "${b[@]}")
      printf '%-10s %-4s %12s %12s %6.2f %12s %8.2f   %s/%s/%s   (redis: %s; pepper: %s; base: %s)\n' "$mode" "$pipeline" "$rm" "$pm" \
        "$(awk -v a="$pm" -v b="$rm" 'BEGIN { print a / b }')" "$bm" "$(awk -v a="$pm" -v b="$bm" 'BEGIN { print a / b }')" \
        "$(median "${rc[@]}")" "$(median "${pc[@]}")" "$(median "${bc[@]}")" "${r[*]}" "${p[*]}" "${b[*]}"
    else
      printf '%-10s %-4s %12s %12s %6.2f   %s/%s   (redis: %s; pepper: %s)\n' "$mode" "$pipeline" "$rm" "$pm" \
        "$(awk -v a="$pm" -v b="$rm" 'BEGIN { print a / b }')" "$(median "${rc[@]}")" "$(median "${pc[@]}")" "${r[*]}" "${p[*]}"
    fi
  done
  stop_all
done

[[ $LOAD_KEYS -gt 0 ]] || exit 0

log "writing an AOF of $LOAD_KEYS keys"
python3 - "$TMP/load.aof" "$LOAD_KEYS" "$DATA_SIZE" <<'PY'
import sys
path, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
value = b"v" * size
with open(path, "wb") as f:
    for i in range(count):
        key = b"key:%09d" % i
        f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
PY
ls -l "$TMP/load.aof" >&2
for server in redis pepper; do
  dir="$TMP/load/$server"; mkdir -p "$dir"; cp "$TMP/load.aof" "$dir/appendonly.aof"
  if [[ $server == redis ]]; then start_redis yes everysec "$dir"; else start_pepper yes everysec "$dir"; fi
  keys=$(redis-cli -p "$([[ $server == redis ]] && echo "$REDIS_PORT" || echo "$PEPPER_PORT")" DBSIZE)
  if [[ $server == redis ]]; then
    line=$(grep -h "DB loaded from" "$dir/redis.log" | tail -n 1)
  else
    line=$(grep -h "DB loaded from" "$dir/pepper.log" | tail -n 1)
  fi
  printf 'load %-6s keys=%s  %s\n' "$server" "$keys" "$line"
  stop_all
done
