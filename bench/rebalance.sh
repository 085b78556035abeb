#!/usr/bin/env bash
# Times a rebalance on real processes: 3 PepperCache.Server processes on 127.0.0.1 hold N keys (default 1,000,000),
# a 4th joins; readers do pipelined GETs throughout. Prints how long the move took, keys/s, GET/s before, during and after,
# misses (must be 0), keys after (must be N), CPU and GC collections per node. Figures go in docs/cluster.md
# ("Rebalance" > "Figures").
# A measuring tool, not a test. The driver is test/PepperCache.Microbenchmarks/Rebalance/.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/rebalance.sh [keys] [--help]

Builds Release, then starts 4 servers (RESP 19301-19304, admin 19401-19404, --appendonly no, a fresh --dir each
under a temporary directory): 3 first, keys loaded, then the 4th joining. Every server it starts is killed (by pid)
on exit, also on failure; the work directory (logs) is removed unless KEEP_TMP=1. Exits 1 when a reader saw a
miss or a wrong value, or the keys after the move do not add up to N.

Environment: READERS [4] and READ_PIPELINE [32] (GETs in flight per reader; READERS=0 moves without clients),
READ_MODE=window to follow each answered GET with the next at once (as concurrent callers of one multiplexed client
send them) instead of batches of READ_PIPELINE sent together and all awaited, where one GET held by a frozen slot
or sent on by a MOVED holds up its whole batch,
READER=client to read through PepperCache.Client's ClusterClient instead of the driver's lean MOVED-following
router, PEPPER_SERVER=path to run that PepperCache.Server build (say, an older commit's) instead of this tree's,
SETTLE_SECONDS [0] to let the three first nodes serve the readers and gossip that long before the baseline and
the join (a long-running cluster's old owners have compiled their steady code at tier 1; nodes seconds old have
not), R2R=1 to run the nodes from a self-contained composite ReadyToRun publish of this tree (the node and the .NET
runtime precompiled together, as deploy/Dockerfile ships it: far less JIT during the move, on the joiner above all;
the publish takes a minute or two), PEPPER_SERVER_ARGS="..." extra arguments for every node (KEEP_TMP=1 PEPPER_SERVER_ARGS=
--Serilog:MinimumLevel:Override:PepperCache.Server.Cluster=Debug logs each batch's freeze time, event 4104),
RUNS [1] to repeat the whole benchmark (fresh processes each time) and end with a table of the runs and their medians:
on two cores one run's keys/s and GET share move by half between runs, so compare medians of several.
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
keys=${1:-1000000}
[[ $keys =~ ^[0-9]+$ ]] || { echo "error: keys must be a number (see --help)" >&2; exit 2; }

RUNS=${RUNS:-1}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "error: RUNS must be a positive number (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEEP_TMP=${KEEP_TMP:-0}
R2R=${R2R:-0}
SERVER=${PEPPER_SERVER:-$REPO/src/PepperCache.Server/bin/Release/net10.0/PepperCache.Server}
DRIVER="$REPO/test/PepperCache.Microbenchmarks/bin/Release/net10.0/PepperCache.Microbenchmarks"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log() { printf '[rebalance %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

for port in 19301 19302 19303 19304 19401 19402 19403 19404; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    log "error: something already listens on 127.0.0.1:$port"; exit 1
  fi
done

TMP=$(mktemp -d /tmp/peppercache-rebalance.XXXXXX)
PIDS="$TMP/pids"
: >"$PIDS"
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  # Only the pids the driver wrote down, and only while they still run our server binary (pids are reused).
  while read -r pid; do
    [[ -n $pid ]] || continue
    if grep -qa PepperCache.Server "/proc/$pid/cmdline" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  done <"$PIDS"
  if [[ $KEEP_TMP == 1 ]]; then log "work directory kept: $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building Release"
(cd "$REPO" && timeout 900 dotnet build -c Release src/PepperCache.Server >"$TMP/build.log" 2>&1 \
  && timeout 900 dotnet build -c Release test/PepperCache.Microbenchmarks >>"$TMP/build.log" 2>&1) \
  || { tail -n 30 "$TMP/build.log" >&2; log "error: build failed"; exit 1; }

if [[ $R2R == 1 && -z ${PEPPER_SERVER:-} ]]; then
  case $(uname -m) in x86_64) rid=linux-x64 ;; aarch64) rid=linux-arm64 ;; *) log "error: R2R=1 knows x86_64 and aarch64 only"; exit 1 ;; esac
  log "publishing self-contained composite ReadyToRun ($rid), as deploy/Dockerfile does"
  (cd "$REPO" && timeout 900 dotnet publish src/PepperCache.Server -c Release -r "$rid" --self-contained true \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$TMP/r2r" >>"$TMP/build.log" 2>&1) \
    || { tail -n 30 "$TMP/build.log" >&2; log "error: ReadyToRun publish failed"; exit 1; }
  SERVER="$TMP/r2r/PepperCache.Server"
fi

log "uname: $(uname -srm); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for ((run = 1; run <= RUNS; run++)); do
  work=$TMP
  if ((RUNS > 1)); then
    work="$TMP/run$run"
    mkdir -p "$work"
    log "run $run of $RUNS"
  fi
  set +e
  timeout 1800 "$DRIVER" rebalance "$SERVER" "$work" "$PIDS" "$keys" | tee "$work/report.txt"
  run_status=${PIPESTATUS[0]}
  set -e
  ((run_status == 0)) || status=$run_status

  echo
  echo "  server log lines about the rebalance (4101 start, 4102 done, 4103 failed target):"
  for dir in "$work"/node*; do
    grep -hE 'Rebalance (started|done)|failed, keeping them' "$dir/server.log" 2>/dev/null | sed "s|^|    $(basename "$dir"): |" || true
  done
done

if ((RUNS > 1)); then
  # One row per run from its report, then the medians; "both" marks a run that met issue 15's two targets at once
  # (100,000 keys/s and GETs during the move at 50 % of before).
  echo
  echo "  $RUNS runs ($keys keys):"
  for ((run = 1; run <= RUNS; run++)); do
    report="$TMP/run$run/report.txt"
    rate=$(grep -m1 'keys/s moved' "$report" | awk '{print $NF}' | tr -d ,)
    share=$(grep -m1 'GET/s during the move' "$report" | sed -nE 's/.*\(([0-9]+) % of before\).*/\1/p')
    cpu=$(grep -m1 'CPU µs per key moved' "$report" | awk '{print $NF}')
    misses=$(grep -m1 'misses / wrong values / errors' "$report" | awk '{print $(NF-4) "/" $(NF-2) "/" $NF}')
    after=$(grep -m1 'GET/s after, 4 nodes settled' "$report" | sed -nE 's/.*\(([0-9]+) % of before\).*/\1/p')
    echo "${rate:-0} ${share:-0} ${cpu:-0} ${misses:-?} ${after:-0}"
  done | awk '
    { rate[NR] = $1; share[NR] = $2; cpu[NR] = $3; after[NR] = $5; both += ($1 >= 100000 && $2 >= 50)
      fast += ($1 >= 100000); kept += ($2 >= 50)
      printf "    run %d: %9d keys/s  GETs %3d %% of before (%3d %% after it)  %6.1f µs CPU per key  misses/wrong/errors %s\n", NR, $1, $2, $5, $3, $4 }
    function median(a, n,   i, j, t, b) { for (i = 1; i <= n; i++) b[i] = a[i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
      return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2 }
    END { printf "    median: %9d keys/s  GETs %3d %% of before (%3d %% after it)  %6.1f µs CPU per key; both of issue 15%s targets met in %d of %d runs\n",
            median(rate, NR), median(share, NR), median(after, NR), median(cpu, NR), "\047s", both, NR
          printf "    100,000 keys/s or more in %d of %d runs; GETs at 50 %% of before or more in %d of %d\n", fast, NR, kept, NR }'
fi
exit "$status"
