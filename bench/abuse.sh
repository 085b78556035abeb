#!/usr/bin/env bash
# The abuse figures of issue 14 ("Safe by default"), PepperCache beside Redis: a connection flood at the open-files
# limit, a client that pipelines GETs and never reads the replies, and one giant value.
# A measuring tool, not a test: the test suite runs small versions (DescriptorLimitProcessTests, ConnectionLimitsTests).
# Figures go to docs/benchmarks.md ("Abuse").
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/abuse.sh [--help]

Builds PepperCache (Release) unless PEPPER_DLL is set, then, each on freshly started servers on 127.0.0.1:
  1. flood     each server under `prlimit --nofile=FD_LIMIT`: FLOOD clients connect and PING (30 s at most), then the
               server's CPU over two 3 s windows while they stay connected, 200 served ones close and a new client is
               timed until served.
  2. emfile    each server with HOLD clients, then its soft limit lowered under it to exactly the descriptors it holds
               (prlimit --pid): accept fails with EMFILE. FLOOD more clients, the same figures, then the HOLD
               clients leave and a new client is timed until served.
  3. unread    one client pipelines GETS GETs of a VALUE-byte value and reads nothing for 5 s: peak RSS growth, and
               whether the server stopped reading (the client's send stalled).
  4. giant     SET of a GIANT_MB value, then DEL: peak RSS, RSS after the SET and 3 s after the DEL; with the
               append-only file off, then on (appendfsync everysec) on both servers.
Every server it starts is stopped on exit, by pid; every client loop is bounded in count and time (bench/abuse.py).

Environment (defaults in brackets): FD_LIMIT [1024]  FLOOD [1100]  HOLD [100]  GETS [1000000]  VALUE [4096]
  GIANT_MB [500]  PEPPER_PORT [9540]  REDIS_PORT [6540]  PHASES ["flood emfile unread giant"]  PEPPER_DLL=path
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FD_LIMIT=${FD_LIMIT:-1024}
FLOOD=${FLOOD:-1100}
HOLD=${HOLD:-100}
GETS=${GETS:-1000000}
VALUE=${VALUE:-4096}
GIANT_MB=${GIANT_MB:-500}
PEPPER_PORT=${PEPPER_PORT:-9540}
REDIS_PORT=${REDIS_PORT:-6540}
PHASES=${PHASES:-flood emfile unread giant}
HARD_LIMIT=$(ulimit -Hn)   # the other phases run under the hard limit: prlimit may not raise it
# TMP, PIDS and their cleanup, PEPPER_DLL (built unless given), rss, cpu_ticks, hz, wait_ping.
source "$REPO/bench/lib.sh"

# wait_ping PORT PID: the server we started answers (a server someone else left on the port does not count).

# start_pepper LIMIT ARGS...: under `prlimit --nofile=LIMIT:LIMIT` (prlimit execs, so $! is the server); sets SERVER_PID.
start_pepper() {
  local limit=$1; shift
  rm -rf "$TMP/data"
  DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 prlimit --nofile="$limit:$limit" dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" \
    --admin-port $((PEPPER_PORT + 9000)) --dir "$TMP/data" "$@" </dev/null >"$TMP/pepper.log" 2>&1 &
  SERVER_PID=$!; PIDS+=("$SERVER_PID"); PORT=$PEPPER_PORT
  wait_ping "$PORT" "$SERVER_PID"
}

start_redis() {
  local limit=$1; shift
  rm -rf "$TMP/redis"; mkdir -p "$TMP/redis"
  prlimit --nofile="$limit:$limit" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --dir "$TMP/redis" "$@" \
    >"$TMP/redis.log" 2>&1 &
  SERVER_PID=$!; PIDS+=("$SERVER_PID"); PORT=$REDIS_PORT
  wait_ping "$PORT" "$SERVER_PID"
}

stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
log_of() { [[ $1 == pepper ]] && echo "$TMP/pepper.log" || echo "$TMP/redis.log"; }
abuse() { timeout 600 python3 "$REPO/bench/abuse.py" "$@"; }

echo "# bench/abuse.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(redis-server --version | cut -d' ' -f1-3)"

if [[ " $PHASES " == *" flood "* ]]; then
  echo; echo "## 1. $FLOOD clients against a server under an open-files limit of $FD_LIMIT"
  for server in redis pepper; do
    "start_$server" "$FD_LIMIT" --appendonly no
    printf '%-7s maxclients %s: ' "$server" "$(redis-cli -p "$PORT" config get maxclients | tail -n 1)"
    abuse flood "$PORT" "$SERVER_PID" "$FLOOD"
    grep -E "maxclients has been reduced|Accepting client connection" "$(log_of "$server")" | sed 's/^/        log: /' | head -n 3 || true
    stop_server
  done
fi

if [[ " $PHASES " == *" emfile "* ]]; then
  echo; echo "## 2. $HOLD clients held, the soft limit lowered to the descriptors in use, then $FLOOD more clients"
  for server in redis pepper; do
    "start_$server" "$HARD_LIMIT" --appendonly no
    exec {hold}< <(python3 - "$PORT" "$HOLD" <<'PY'
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(int(sys.argv[2]))]
print("held", flush=True)
time.sleep(120)
PY
)
    holder=$!
    read -r -t 60 _ <&"$hold"
    inuse=$(ls "/proc/$SERVER_PID/fd" | wc -l)
    prlimit --pid "$SERVER_PID" --nofile="$inuse:"
    printf '%-7s %s descriptors in use, soft limit now %s: ' "$server" "$inuse" "$inuse"
    abuse flood "$PORT" "$SERVER_PID" "$FLOOD"
    kill "$holder" 2>/dev/null || true
    exec {hold}<&-
    printf '        '; abuse probe "$PORT" "$SERVER_PID"
    grep -E "Accepting client connection|Room for" "$(log_of "$server")" | sed 's/^/        log: /' | head -n 3 || true
    stop_server
  done
fi

if [[ " $PHASES " == *" unread "* ]]; then
  echo; echo "## 3. $GETS pipelined GETs of a $VALUE-byte value, replies never read"
  for server in redis pepper; do
    "start_$server" "$HARD_LIMIT" --appendonly no
    printf '%-7s ' "$server"
    abuse unread "$PORT" "$SERVER_PID" "$GETS" "$VALUE"
    stop_server
  done
fi

if [[ " $PHASES " == *" giant "* ]]; then
  for aof in no yes; do
    echo; echo "## 4. One SET of $GIANT_MB MB, then DEL (appendonly $aof)"
    for server in redis pepper; do
      "start_$server" "$HARD_LIMIT" --appendonly "$aof"
      printf '%-7s ' "$server"
      abuse giant "$PORT" "$SERVER_PID" "$GIANT_MB"
      stop_server
    done
  done
fi
