#!/usr/bin/env bash
# The set figures of issue 13, PepperCache beside Redis: redis-benchmark -t sadd,spop (ops/s and server CPU per
# request, both servers up in one run, rounds alternated), and memory per element of a 1M-member set.
# A measuring tool, not a test: nothing in the test suite runs it. Figures go to docs/benchmarks.md ("Sets").
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/sets.sh [--help]

Builds PepperCache (Release) unless PEPPER_DLL is set, starts it and Redis on 127.0.0.1, then:
  1. speed    ROUNDS rounds of `redis-benchmark -t sadd,spop -c 50 -n N -r 100000` against each server in turn;
              per run ops/s and the server's utime+stime per request (/proc/PID/stat); medians printed.
  2. memory   on freshly started servers, MEMBERS members ('member:%d', 8-14 bytes) added to one set in SADDs of
              1,000 whose replies are read before the next; RSS growth, used_memory and MEMORY USAGE per member.
Every server it starts is stopped on exit, by pid.

Environment (defaults in brackets): N [300000]  ROUNDS [3]  MEMBERS [1000000]  PEPPER_PORT [9540]
  REDIS_PORT [6540]  PHASES ["speed memory"]  PEPPER_DLL=path
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-300000}
ROUNDS=${ROUNDS:-3}
MEMBERS=${MEMBERS:-1000000}
PEPPER_PORT=${PEPPER_PORT:-9540}
REDIS_PORT=${REDIS_PORT:-6540}
PHASES=${PHASES:-speed memory}
TMP=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

if [[ -z ${PEPPER_DLL:-} ]]; then
  echo "building PepperCache (Release)..." >&2
  timeout 600 dotnet publish "$REPO/src/PepperCache.Server/PepperCache.Server.csproj" -c Release -o "$TMP/pepper" -v q --nologo >/dev/null
  PEPPER_DLL="$TMP/pepper/PepperCache.Server.dll"
fi

rss() { awk '/VmRSS/ { print $2 * 1024 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
info_field() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

wait_ping() {
  for _ in $(seq 1 150); do
    kill -0 "$2" 2>/dev/null || { echo "error: the server for port $1 exited (port in use?)" >&2; exit 1; }
    [[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.2
  done
  echo "error: server on port $1 did not answer PING" >&2; exit 1
}

start_pepper() {
  rm -rf "$TMP/data"
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" --admin-port $((PEPPER_PORT + 9000)) \
    --dir "$TMP/data" --appendonly no </dev/null >"$TMP/pepper.log" 2>&1 &
  PEPPER_PID=$!; PIDS+=("$PEPPER_PID")
  wait_ping "$PEPPER_PORT" "$PEPPER_PID"
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
  REDIS_PID=$!; PIDS+=("$REDIS_PID")
  wait_ping "$REDIS_PORT" "$REDIS_PID"
}

stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

hz=$(getconf CLK_TCK)
echo "# bench/sets.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(redis-server --version | cut -d' ' -f1-3)"

if [[ " $PHASES " == *" speed "* ]]; then
  echo; echo "## 1. redis-benchmark -t sadd,spop -c 50 -n $N -r 100000, $ROUNDS rounds"
  start_redis; start_pepper
  : >"$TMP/speed.tsv"
  for round in $(seq 1 "$ROUNDS"); do
    for server in redis pepper; do
      if [[ $server == redis ]]; then port=$REDIS_PORT; pid=$REDIS_PID; else port=$PEPPER_PORT; pid=$PEPPER_PID; fi
      for test in sadd spop; do
        before=$(cpu_ticks "$pid")
        ops=$(timeout 300 redis-benchmark -p "$port" -t "$test" -c 50 -n "$N" -r 100000 --csv -q | tail -n 1 | tr -d '"' | cut -d, -f2)
        after=$(cpu_ticks "$pid")
        us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$N" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
        printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$server" "$test" "$ops" "$us" | tee -a "$TMP/speed.tsv"
      done
    done
  done
  echo
  printf '%-6s %-8s %12s %14s\n' test server "ops/s" "CPU us/req"
  for test in sadd spop; do
    for server in redis pepper; do
      ops=$(awk -v s=$server -v t=$test '$2 == s && $3 == t { print $4 }' "$TMP/speed.tsv" | median)
      us=$(awk -v s=$server -v t=$test '$2 == s && $3 == t { print $5 }' "$TMP/speed.tsv" | median)
      printf '%-6s %-8s %12s %14s\n' "$test" "$server" "$ops" "$us"
    done
  done
  stop "$PEPPER_PID"; stop "$REDIS_PID"
fi

if [[ " $PHASES " == *" memory "* ]]; then
  echo; echo "## 2. one set of $MEMBERS members 'member:%d'"
  for server in redis pepper; do
    "start_$server"
    if [[ $server == redis ]]; then port=$REDIS_PORT; pid=$REDIS_PID; else port=$PEPPER_PORT; pid=$PEPPER_PID; fi
    sleep 1
    before=$(rss "$pid"); used_before=$(info_field "$port" used_memory)
    python3 - "$port" "$MEMBERS" <<'PY'
import socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
sock = socket.create_connection(("127.0.0.1", port))
for start in range(0, count, 1000):
    members = [b"member:%d" % i for i in range(start, min(count, start + 1000))]
    parts = [b"*%d\r\n$4\r\nSADD\r\n$3\r\nbig\r\n" % (len(members) + 2)] + [b"$%d\r\n%s\r\n" % (len(m), m) for m in members]
    sock.sendall(b"".join(parts))
    reply = b""
    while not reply.endswith(b"\r\n"):
        data = sock.recv(4096)
        if not data:
            sys.exit("connection closed")
        reply += data
    if reply != b":%d\r\n" % len(members):
        sys.exit("unexpected reply: %r" % reply[:100])
PY
    sleep 1
    after=$(rss "$pid"); used=$(info_field "$port" used_memory)
    usage=$(redis-cli -p "$port" memory usage big samples 0)
    printf '%-7s RSS growth %d B/member, used_memory growth %d B/member, MEMORY USAGE %d B/member, encoding %s\n' "$server" \
      $(((after - before) / MEMBERS)) $(((used - used_before) / MEMBERS)) $((usage / MEMBERS)) "$(redis-cli -p "$port" object encoding big)"
    stop "$pid"
  done
fi
