#!/usr/bin/env bash
# PepperCache vs Redis under redis-benchmark and pepper-benchmark: throughput (ops/s), p99 latency and server CPU
# time per request.
# A measuring tool, not a test: nothing in the test suite runs it. See docs/benchmarks.md.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/compare.sh [--out FILE] [--docs] [--help]

Builds PepperCache and pepper-benchmark (Release), starts redis-server and one PepperCache node on 127.0.0.1 (and
Garnet when GARNET is set), warms each up once, then:
  1. CPU phase: redis-benchmark -t set / -t get at -P 1 and -P 16 on Redis and PepperCache in alternation for
     ROUNDS rounds; medians of ops/s and of server CPU microseconds per request.
  2. Profiles phase: the standard profiles (-c 50 -P 1, -c 50 -P 16, -c 1, mixed 80:20, -d 1024) with both
     redis-benchmark and pepper-benchmark (compare mode, --rounds ROUNDS) on every server: ops/s, p99, ratios,
     the latency percentile plot, and pepper-benchmark vs redis-benchmark against Redis (the generator check).
Every server it starts is stopped on exit, by pid.

  --out FILE   also write the CPU phase as markdown to FILE (machine, versions, commands, table, per-round figures)
  --docs       write the profiles phase into docs/benchmarks.md (between its generated-section markers, the rest of
               the page is kept) and the plots into docs/benchmarks/

Environment (defaults in brackets):
  PEPPER_PORT [9110]  PEPPER_ADMIN_PORT [18110]  REDIS_PORT [6410]
  ROUNDS [3]  N_P1 [300000]  N_P16 [2000000]  WARMUP_N_P1 [N_P1/3]  WARMUP_N_P16 [N_P16/4]
  CLIENTS [50]  DATA_SIZE [32]  KEYSPACE [100000]
  QUICK=1          smoke run: ROUNDS 1, N_P1 20000, N_P16 100000 (each still overridable)
  PEPPER_DLL=path  use this PepperCache.Server.dll instead of publishing one
  START_TIMEOUT [30] s for a server to answer PING; RUN_TIMEOUT [300] s per redis-benchmark run;
  BUILD_TIMEOUT [600] s for dotnet publish; KEEP_TMP=1 keeps the work directory (logs, raw results)
  CPU_PHASE [1]     0 skips phase 1;  PROFILES_PHASE [1]  0 skips phase 2
  N_C1 [N_P1/10]    requests per test for the -c 1 profile (N_P1 for mixed and -d 1024, N_P16 for -P 16)
  GARNET=path       also measure this garnet-server binary (dotnet tool install --tool-path DIR garnet-server)
  GARNET_PORT [6411]  PEPPER_BENCH_DLL=path  use this pepper-benchmark.dll instead of publishing one
TXT
}

OUT=""
DOCS=0
while (($#)); do
  case $1 in
    --out) [[ $# -ge 2 ]] || { echo "error: --out needs a file" >&2; exit 2; }; OUT=$2; shift 2 ;;
    --out=*) OUT=${1#--out=}; shift ;;
    --docs) DOCS=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$REPO/bench"

PEPPER_PORT=${PEPPER_PORT:-9110}
PEPPER_ADMIN_PORT=${PEPPER_ADMIN_PORT:-18110}
REDIS_PORT=${REDIS_PORT:-6410}
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  ROUNDS=${ROUNDS:-1}; N_P1=${N_P1:-20000}; N_P16=${N_P16:-100000}
else
  ROUNDS=${ROUNDS:-3}; N_P1=${N_P1:-300000}; N_P16=${N_P16:-2000000}
fi
WARMUP_N_P1=${WARMUP_N_P1:-$((N_P1 / 3))}
WARMUP_N_P16=${WARMUP_N_P16:-$((N_P16 / 4))}
CLIENTS=${CLIENTS:-50}
DATA_SIZE=${DATA_SIZE:-32}
KEYSPACE=${KEYSPACE:-100000}
START_TIMEOUT=${START_TIMEOUT:-30}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
BUILD_TIMEOUT=${BUILD_TIMEOUT:-600}
PEPPER_DLL=${PEPPER_DLL:-}
KEEP_TMP=${KEEP_TMP:-0}
CPU_PHASE=${CPU_PHASE:-1}
PROFILES_PHASE=${PROFILES_PHASE:-1}
N_C1=${N_C1:-$((N_P1 / 10))}
GARNET=${GARNET:-}
GARNET_PORT=${GARNET_PORT:-6411}
PEPPER_BENCH_DLL=${PEPPER_BENCH_DLL:-}

for v in PEPPER_PORT PEPPER_ADMIN_PORT REDIS_PORT ROUNDS N_P1 N_P16 WARMUP_N_P1 WARMUP_N_P16 CLIENTS DATA_SIZE \
         KEYSPACE START_TIMEOUT RUN_TIMEOUT BUILD_TIMEOUT N_C1 GARNET_PORT; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -gt 0 ]] || { echo "error: $v must be a positive integer (got '${!v}')" >&2; exit 2; }
done

log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- servers we start, and their guaranteed end -------------------------------------------------------------
PIDS=()
TMP=$(mktemp -d /tmp/peppercache-bench.XXXXXX)
FAILED=1

stop_pid() {
  local pid=$1 deadline
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIGTERM for 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ ($FAILED == 1 || $KEEP_TMP == 1) && -n $(ls -A "$TMP") ]]; then
    log "work directory kept: $TMP (server logs, raw results)"
  else
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# ---- prerequisites ------------------------------------------------------------------------------------------
if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null || ! command -v redis-cli >/dev/null; then
  [[ $(id -u) == 0 ]] || die "redis-server/redis-tools are missing; install them (apt-get install redis-server redis-tools) or run as root"
  log "installing redis-server and redis-tools with apt-get"
  timeout 300 apt-get update -qq
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -qq redis-server redis-tools >/dev/null
fi
command -v dotnet >/dev/null || die "dotnet is not on PATH"
command -v python3 >/dev/null || die "python3 is not on PATH"
CLK_TCK=$(getconf CLK_TCK)

ping_port() { timeout 2 redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null | grep -qx PONG; }

[[ -z $GARNET || -x $GARNET ]] || die "GARNET=$GARNET is not an executable"
for port in "$REDIS_PORT" "$PEPPER_PORT" ${GARNET:+"$GARNET_PORT"}; do
  # Otherwise a leftover server on the port would answer, and we would measure the wrong process.
  ! ping_port "$port" || die "something already answers on 127.0.0.1:$port; stop it or choose other ports"
done

# ---- build ----------------------------------------------------------------------------------------------------
if [[ -z $PEPPER_DLL ]]; then
  log "publishing PepperCache (Release) to $TMP/pepper"
  timeout "$BUILD_TIMEOUT" dotnet publish "$REPO/src/PepperCache.Server/PepperCache.Server.csproj" -c Release \
    -o "$TMP/pepper" --nologo -v quiet >"$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log" >&2; die "build failed"; }
  PEPPER_DLL="$TMP/pepper/PepperCache.Server.dll"
fi
[[ -f $PEPPER_DLL ]] || die "no such file: $PEPPER_DLL"
if [[ $PROFILES_PHASE == 1 && -z $PEPPER_BENCH_DLL ]]; then
  log "publishing pepper-benchmark (Release) to $TMP/benchmark"
  timeout "$BUILD_TIMEOUT" dotnet publish "$REPO/src/PepperCache.Benchmark/PepperCache.Benchmark.csproj" -c Release \
    -o "$TMP/benchmark" --nologo -v quiet >>"$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log" >&2; die "build failed"; }
  PEPPER_BENCH_DLL="$TMP/benchmark/pepper-benchmark.dll"
fi
[[ $PROFILES_PHASE == 0 || -f $PEPPER_BENCH_DLL ]] || die "no such file: $PEPPER_BENCH_DLL"

# ---- start the servers ------------------------------------------------------------------------------------------
wait_for_ping() { # name port pid logfile
  local deadline=$((SECONDS + START_TIMEOUT))
  until ping_port "$2"; do
    kill -0 "$3" 2>/dev/null || { tail -n 20 "$4" >&2; die "$1 (pid $3) exited during start-up"; }
    ((SECONDS < deadline)) || { tail -n 20 "$4" >&2; die "$1 did not answer PING within ${START_TIMEOUT}s"; }
    sleep 0.2
  done
}

REDIS_CMD=(redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" --logfile "$TMP/redis.log")
# A simple command run with & is exec'd by the forked shell, so $! is the server process itself.
"${REDIS_CMD[@]}" </dev/null >/dev/null 2>&1 &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
wait_for_ping redis-server "$REDIS_PORT" "$REDIS_PID" "$TMP/redis.log"

# --appendonly no: compared with a Redis that has no AOF either (bench/aof.sh measures persistence).
PEPPER_CMD=(dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" --admin-port "$PEPPER_ADMIN_PORT" --appendonly no)
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 "${PEPPER_CMD[@]}" </dev/null >"$TMP/pepper.log" 2>&1 &
PEPPER_PID=$!
PIDS+=("$PEPPER_PID")
wait_for_ping PepperCache "$PEPPER_PORT" "$PEPPER_PID" "$TMP/pepper.log"

# CPU is read from /proc/PID/stat, so PID must be the process doing the work. `dotnet x.dll` loads the runtime
# into the dotnet host process itself (no child process); check that rather than assume it.
verify_server_pid() { # name pid exe-pattern cmdline-substring port
  local exe cmdline children
  exe=$(basename "$(readlink "/proc/$2/exe")")
  cmdline=$(tr -s '\0 ' ' ' <"/proc/$2/cmdline")
  children=$(ps -o pid= --ppid "$2" | tr -s ' \n' ' ' || true)
  [[ $exe =~ ^($3)$ ]] || die "$1 pid $2 runs '$exe', expected '$3'"
  [[ $cmdline == *"$4"* ]] || die "$1 pid $2 has command line '$cmdline'"
  [[ -z ${children// /} ]] || die "$1 pid $2 has child processes ($children); their CPU would be missed"
  log "$1: pid $2 ($exe; $cmdline) answers PING on 127.0.0.1:$5"
}
# Debian's /usr/bin/redis-server is a symlink to redis-check-rdb, which checks argv[0].
verify_server_pid redis-server "$REDIS_PID" 'redis-server|redis-check-rdb' "$REDIS_PORT" "$REDIS_PORT"
verify_server_pid PepperCache "$PEPPER_PID" dotnet PepperCache.Server.dll "$PEPPER_PORT"
tr '\0' '\n' <"/proc/$PEPPER_PID/environ" | grep -qx 'DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1' \
  || die "PepperCache pid $PEPPER_PID lacks DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 in its environment"

if [[ -n $GARNET ]]; then
  "$GARNET" --port "$GARNET_PORT" --bind 127.0.0.1 </dev/null >"$TMP/garnet.log" 2>&1 &
  GARNET_PID=$!
  PIDS+=("$GARNET_PID")
  wait_for_ping garnet-server "$GARNET_PORT" "$GARNET_PID" "$TMP/garnet.log"
fi

sanity_check() { # name port: SET then GET must round-trip, or ops/s would count error replies
  local got
  timeout 5 redis-cli -h 127.0.0.1 -p "$2" SET bench:sanity v-$$ >/dev/null
  got=$(timeout 5 redis-cli -h 127.0.0.1 -p "$2" GET bench:sanity)
  [[ $got == "v-$$" ]] || die "$1: GET bench:sanity returned '$got' after SET"
  timeout 5 redis-cli -h 127.0.0.1 -p "$2" DEL bench:sanity >/dev/null || true
}
sanity_check redis-server "$REDIS_PORT"
sanity_check PepperCache "$PEPPER_PORT"
[[ -z $GARNET ]] || sanity_check garnet-server "$GARNET_PORT"

# ---- measuring ------------------------------------------------------------------------------------------------
cpu_ticks() { # utime + stime (fields 14, 15) of a process, in clock ticks; comm (field 2) may hold spaces
  local stat f
  stat=$(<"/proc/$1/stat")
  stat=${stat##*) }
  read -r -a f <<<"$stat"
  echo $((f[11] + f[12]))
}

RESULTS="$TMP/results.tsv"
printf 'round\tprofile\tserver\ttest\trequests\tops\tcpu_ticks\n' >"$RESULTS"

bench_cmd() { # port pipeline test n -> prints the redis-benchmark command line
  echo "redis-benchmark -h 127.0.0.1 -p $1 -t $3 -c $CLIENTS -P $2 -d $DATA_SIZE -r $KEYSPACE -n $4 --csv"
}

run_one() { # round server port pid pipeline test n
  local round=$1 server=$2 port=$3 pid=$4 pipeline=$5 test=$6 n=$7 before after out ops upper
  kill -0 "$pid" 2>/dev/null || die "$server (pid $pid) is no longer running"
  before=$(cpu_ticks "$pid")
  # shellcheck disable=SC2046 # word splitting of the generated command line is intended
  out=$(timeout "$RUN_TIMEOUT" $(bench_cmd "$port" "$pipeline" "$test" "$n") 2>>"$TMP/redis-benchmark.err") \
    || die "redis-benchmark against $server failed or exceeded ${RUN_TIMEOUT}s (see $TMP/redis-benchmark.err)"
  after=$(cpu_ticks "$pid")
  upper=${test^^}
  ops=$(awk -F',' -v t="\"$upper\"" '$1 == t { gsub(/"/, "", $2); print $2 }' <<<"$out")
  [[ $ops =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "could not read ops/s for $upper from redis-benchmark output: $out"
  if [[ $round != warmup ]]; then
    printf '%s\tP%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$pipeline" "$server" "$upper" "$n" "$ops" "$((after - before))" >>"$RESULTS"
  fi
  log "$(printf '%-7s P%-2s %-11s %-3s n=%-8s %12s ops/s  %6.2f us CPU/req' "$round" "$pipeline" "$server" "$upper" "$n" "$ops" \
    "$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { print t / hz * 1e6 / n }')")"
}

PROFILES=("1 $N_P1 $WARMUP_N_P1" "16 $N_P16 $WARMUP_N_P16")
SERVERS=("redis $REDIS_PORT $REDIS_PID" "peppercache $PEPPER_PORT $PEPPER_PID")

run_pass() { # round server port pid (warm-up uses the smaller request counts)
  local p pipeline n warm
  for p in "${PROFILES[@]}"; do
    read -r pipeline n warm <<<"$p"
    [[ $1 == warmup ]] && n=$warm
    run_one "$1" "$2" "$3" "$4" "$pipeline" set "$n"
    run_one "$1" "$2" "$3" "$4" "$pipeline" get "$n"
  done
}

cpu_phase() {
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
STARTED=$SECONDS
log "warm-up: one pass per server (tiered JIT settles, keyspace filled)"
for s in "${SERVERS[@]}"; do
  read -r name port pid <<<"$s"
  run_pass warmup "$name" "$port" "$pid"
done

# Alternate the servers profile by profile within each round, so drift on a shared machine hits both alike.
for ((round = 1; round <= ROUNDS; round++)); do
  for p in "${PROFILES[@]}"; do
    read -r pipeline n _ <<<"$p"
    for s in "${SERVERS[@]}"; do
      read -r name port pid <<<"$s"
      run_one "$round" "$name" "$port" "$pid" "$pipeline" set "$n"
      run_one "$round" "$name" "$port" "$pid" "$pipeline" get "$n"
    done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
log "measured in $((SECONDS - STARTED)) s"

# ---- report -----------------------------------------------------------------------------------------------------
META="$TMP/meta.tsv"
{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'redis\t%s\n' "$(redis-server --version | awk '{ print $1, $2, $3; exit }')"
  printf 'redis-benchmark\t%s\n' "$(redis-benchmark --version | head -n 1)"
  printf 'dotnet\t%s\n' "$(dotnet --version)"
  printf 'commit\t%s\n' "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')"
  printf 'loadavg\t%s before, %s after\n' "$LOAD_BEFORE" "$LOAD_AFTER"
  printf 'clk_tck\t%s\n' "$CLK_TCK"
  printf 'rounds\t%s\n' "$ROUNDS"
  printf 'command\t%s\n' "redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --dir <tmp> --logfile <tmp>/redis.log"
  printf 'command\tDOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet <publish dir>/PepperCache.Server.dll --port %s --admin-port %s\n' \
    "$PEPPER_PORT" "$PEPPER_ADMIN_PORT"
  for p in "${PROFILES[@]}"; do
    read -r pipeline n warm <<<"$p"
    printf 'command\t%s\n' "$(bench_cmd '<port>' "$pipeline" set "$n")"
    printf 'command\t%s\n' "$(bench_cmd '<port>' "$pipeline" get "$n")"
    printf 'warmup\tP%s: -n %s\n' "$pipeline" "$warm"
  done
} >"$META"

python3 "$BENCH_DIR/summarize.py" "$RESULTS" "$META" ${OUT:+--out "$OUT"}
[[ -n $OUT ]] && log "markdown written to $OUT"
return 0
}

# ---- phase 2: standard profiles with both load generators ---------------------------------------------------------
# name | redis-benchmark tests and options (empty: it has no such workload) | pepper-benchmark tests and options | -n
PROFILE_DEFS=(
  "c50-P1|set,get|-c $CLIENTS -P 1 -d $DATA_SIZE|set,get|-c $CLIENTS -P 1 -d $DATA_SIZE|$N_P1"
  "c50-P16|set,get|-c $CLIENTS -P 16 -d $DATA_SIZE|set,get|-c $CLIENTS -P 16 -d $DATA_SIZE|$N_P16"
  "c1|set,get|-c 1 -P 1 -d $DATA_SIZE|set,get|-c 1 -P 1 -d $DATA_SIZE|$N_C1"
  "mixed|||mixed|-c $CLIENTS -P 1 -d $DATA_SIZE --ratio 80:20|$N_P1"
  "d1024|set,get|-c $CLIENTS -P 1 -d 1024|set,get|-c $CLIENTS -P 1 -d 1024|$N_P1"
)
PROFILE_SERVERS=("redis $REDIS_PORT $REDIS_PID" "peppercache $PEPPER_PORT $PEPPER_PID")
[[ -z $GARNET ]] || PROFILE_SERVERS+=("garnet $GARNET_PORT $GARNET_PID")

rb_profile() { # round profile server port pid test options n
  local out line
  kill -0 "$5" 2>/dev/null || die "$3 (pid $5) is no longer running"
  # shellcheck disable=SC2086 # options are words
  out=$(timeout "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$4" -t "$6" $7 -r "$KEYSPACE" -n "$8" --csv 2>>"$TMP/redis-benchmark.err") \
    || die "redis-benchmark against $3 failed or exceeded ${RUN_TIMEOUT}s (see $TMP/redis-benchmark.err)"
  # "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  while IFS= read -r line; do
    awk -F',' -v p="$2" -v s="$3" -v r="$1" '{ gsub(/"/, ""); if ($1 != "test") printf "%s\t%s\t%s\t%s\t%s\t%.0f\n", p, s, $1, r, $2, $7 * 1000 }' \
      <<<"$line" >>"$TMP/rb.tsv"
  done <<<"$out"
  log "$(printf 'round %s %-8s %-11s redis-benchmark -t %s: %s' "$1" "$2" "$3" "$6" "$(tr '\n' ' ' <<<"$out" | tr -d '"')")"
}

profiles_phase() {
  local round def name rb_tests rb_opts pb_tests pb_opts n s sname sport spid targets=()
  printf 'profile\tserver\ttest\tround\tops\tp99_us\n' >"$TMP/rb.tsv"
  for s in "${PROFILE_SERVERS[@]}"; do
    read -r sname sport _ <<<"$s"
    targets+=(--target "$sname=127.0.0.1:$sport")
  done
  local load_before
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  # Each round runs every profile with redis-benchmark, then with pepper-benchmark (one round of its own compare
  # mode, which alternates the targets), so drift on a shared machine lands on both generators and every server.
  for ((round = 1; round <= ROUNDS; round++)); do
    for def in "${PROFILE_DEFS[@]}"; do
      IFS='|' read -r name rb_tests rb_opts pb_tests pb_opts n <<<"$def"
      if [[ -n $rb_tests ]]; then
        for s in "${PROFILE_SERVERS[@]}"; do
          read -r sname sport spid <<<"$s"
          rb_profile "$round" "$name" "$sname" "$sport" "$spid" "$rb_tests" "$rb_opts" "$n"
        done
      fi
      # shellcheck disable=SC2086 # options are words
      timeout "$((RUN_TIMEOUT * ${#PROFILE_SERVERS[@]}))" dotnet "$PEPPER_BENCH_DLL" "${targets[@]}" -t "$pb_tests" $pb_opts \
        -r "$KEYSPACE" -n "$n" --warmup 1 -q --json "$TMP/pb-$name-r$round.json" --plot "$TMP/pb-$name.svg" \
        >"$TMP/pb-$name-r$round.txt" 2>>"$TMP/pepper-benchmark.err" \
        || { cat "$TMP/pepper-benchmark.err" >&2; die "pepper-benchmark $name failed"; }
      log "round $round $name pepper-benchmark -t $pb_tests:"
      cat "$TMP/pb-$name-r$round.txt" >&2
    done
  done
  {
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'nproc\t%s\n' "$(nproc)"
    printf 'cpu\t%s\n' "$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    printf 'kernel\t%s\n' "$(uname -sr)"
    printf 'redis\t%s\n' "$(redis-server --version | awk '{ print $1, $2, $3; exit }')"
    printf 'redis-benchmark\t%s\n' "$(redis-benchmark --version | head -n 1)"
    printf 'dotnet\t%s\n' "$(dotnet --version)"
    [[ -z $GARNET ]] || printf 'garnet\t%s\n' "$GARNET"
    printf 'commit\t%s\n' "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (uncommitted changes)')"
    printf 'loadavg_profiles\t%s before, %s after\n' "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'rounds\t%s\n' "$ROUNDS"
    for def in "${PROFILE_DEFS[@]}"; do
      IFS='|' read -r name rb_tests rb_opts pb_tests pb_opts n <<<"$def"
      [[ -z $rb_tests ]] || printf 'profile_command\tredis-benchmark -h 127.0.0.1 -p <port> -t %s %s -r %s -n %s --csv\n' "$rb_tests" "$rb_opts" "$KEYSPACE" "$n"
      printf 'profile_command\tpepper-benchmark --target redis=127.0.0.1:%s --target peppercache=127.0.0.1:%s%s -t %s %s -r %s -n %s --warmup 1 --json pb-%s-rROUND.json --plot pb-%s.svg\n' \
        "$REDIS_PORT" "$PEPPER_PORT" "${GARNET:+ --target garnet=127.0.0.1:$GARNET_PORT}" "$pb_tests" "$pb_opts" "$KEYSPACE" "$n" "$name" "$name"
    done
  } >"$TMP/meta-profiles.tsv"
  local report=(python3 "$BENCH_DIR/report.py" "$TMP" "$TMP/meta-profiles.tsv")
  if [[ $DOCS == 1 ]]; then
    mkdir -p "$REPO/docs/benchmarks"
    cp "$TMP/pb-c50-P1.svg" "$REPO/docs/benchmarks/latency-c50-P1.svg"
    cp "$TMP/pb-c50-P16.svg" "$REPO/docs/benchmarks/latency-c50-P16.svg"
    report+=(--docs "$REPO/docs/benchmarks.md" --svg "-c 50 -P 1=benchmarks/latency-c50-P1.svg" --svg "-c 50 -P 16=benchmarks/latency-c50-P16.svg")
  fi
  "${report[@]}"
  [[ $DOCS == 0 ]] || log "docs/benchmarks.md and docs/benchmarks/*.svg updated"
}

[[ $CPU_PHASE == 0 ]] || cpu_phase
[[ $PROFILES_PHASE == 0 ]] || profiles_phase
FAILED=0
