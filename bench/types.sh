#!/usr/bin/env bash
# Issue 13's figures for the data types, PepperCache beside Redis: redis-benchmark's type tests with both servers up
# in one run (ops/s and server CPU per request, rounds alternated), and memory per element of one big hash, list,
# set and sorted set. A measuring tool, not a test: nothing in the test suite runs it. See docs/benchmarks.md.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/types.sh [--help]

Builds PepperCache (Release) unless PEPPER_DLL is set, then, on 127.0.0.1:
  1. speed    redis-benchmark -t TESTS -c CLIENTS -n N -r 100000 against redis-server and a node, ROUNDS rounds,
              servers alternated test by test; ops/s and server CPU (utime+stime of the process, /proc/PID/stat)
              per request, medians, and PepperCache's ratios to Redis.
  2. memory   on freshly started servers, ELEMENTS elements ('member:%d', 8-14 bytes; hash values and zset scores
              the element's number) added to one key of each type in commands of 1,000 whose replies are read
              before the next; RSS growth, used_memory growth and MEMORY USAGE per element, and the encoding.
Every server it starts is stopped on exit, by pid.

Environment (defaults in brackets): N [200000]  ROUNDS [3]  WARMUP [1] (0: no unmeasured pass of N/4 first)  CLIENTS [50]  ELEMENTS [1000000]
  TESTS ["lpush rpush lpop rpop sadd hset spop zadd zpopmin lrange_100 lrange_600"]
  TYPES ["hash list set zset"]  PHASES ["speed memory"]  PEPPER_PORT [9540]  REDIS_PORT [6540]  PEPPER_DLL=path
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-200000}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-1}
CLIENTS=${CLIENTS:-50}
ELEMENTS=${ELEMENTS:-1000000}
TESTS=${TESTS:-lpush rpush lpop rpop sadd hset spop zadd zpopmin lrange_100 lrange_600}
TYPES=${TYPES:-hash list set zset}
PHASES=${PHASES:-speed memory}
PEPPER_PORT=${PEPPER_PORT:-9540}
REDIS_PORT=${REDIS_PORT:-6540}
# TMP, PIDS and their cleanup, PEPPER_DLL (built unless given), rss, cpu_ticks, hz, wait_ping.
source "$REPO/bench/lib.sh"

info_field() { redis-cli -p "$1" info memory | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# --appendonly no on both: bench/aof.sh measures persistence.
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

echo "# bench/types.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(redis-server --version | cut -d' ' -f1-3)"

if [[ " $PHASES " == *" speed "* ]]; then
  echo; echo "## 1. redis-benchmark -c $CLIENTS -n $N -r 100000, $ROUNDS rounds"
  start_redis; start_pepper
  : >"$TMP/speed.tsv"
  # One unmeasured pass of every test on both servers first, as bench/compare.sh warms up: the node's first
  # requests run before the JIT has tiered its code (a cold LPUSH, the first test, measured 1.3x a warm one).
  if [[ $WARMUP == 1 ]]; then
    for test in $TESTS; do
      for port in "$REDIS_PORT" "$PEPPER_PORT"; do
        timeout 300 redis-benchmark -p "$port" -t "$test" -c "$CLIENTS" -n $((N / 4)) -r 100000 --csv -q >/dev/null
      done
    done
  fi
  for round in $(seq 1 "$ROUNDS"); do
    for test in $TESTS; do
      for server in redis pepper; do
        if [[ $server == redis ]]; then port=$REDIS_PORT; pid=$REDIS_PID; else port=$PEPPER_PORT; pid=$PEPPER_PID; fi
        before=$(cpu_ticks "$pid")
        ops=$(timeout 300 redis-benchmark -p "$port" -t "$test" -c "$CLIENTS" -n "$N" -r 100000 --csv -q | tail -n 1 | tr -d '"' | cut -d, -f2)
        after=$(cpu_ticks "$pid")
        us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$N" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')
        printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$server" "$test" "$ops" "$us" >>"$TMP/speed.tsv"
      done
    done
  done
  echo
  printf '| %-10s | %12s | %12s | %8s | %10s | %10s | %8s |\n' test "Redis ops/s" "Pepper ops/s" "ops x" "Redis us" "Pepper us" "CPU x"
  printf '|%s|\n' "------------|--------------|--------------|----------|------------|------------|---------"
  for test in $TESTS; do
    field() { awk -v s="$1" -v t="$test" -v c="$2" '$2 == s && $3 == t { print $c }' "$TMP/speed.tsv" | median; }
    r_ops=$(field redis 4); p_ops=$(field pepper 4); r_us=$(field redis 5); p_us=$(field pepper 5)
    awk -v t="$test" -v ro="$r_ops" -v po="$p_ops" -v ru="$r_us" -v pu="$p_us" 'BEGIN {
      printf "| %-10s | %12.0f | %12.0f | %7.2fx | %10.2f | %10.2f | %7.2fx |\n", t, ro, po, (ro > 0 ? po / ro : 0), ru, pu, (ru > 0 ? pu / ru : 0) }'
  done
  stop "$PEPPER_PID"; stop "$REDIS_PID"
fi

if [[ " $PHASES " == *" memory "* ]]; then
  echo; echo "## 2. one key of each type holding $ELEMENTS elements 'member:%d'"
  for type in $TYPES; do
    for server in redis pepper; do
      "start_$server"
      if [[ $server == redis ]]; then port=$REDIS_PORT; pid=$REDIS_PID; else port=$PEPPER_PORT; pid=$PEPPER_PID; fi
      sleep 1
      before=$(rss "$pid"); used_before=$(info_field "$port" used_memory)
      python3 - "$port" "$ELEMENTS" "$type" <<'PY'
import socket, sys
port, count, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sock = socket.create_connection(("127.0.0.1", port))
command = {"hash": b"HSET", "list": b"RPUSH", "set": b"SADD", "zset": b"ZADD"}[kind]
for start in range(0, count, 1000):
    words = [command, b"big"]
    for i in range(start, min(count, start + 1000)):
        member = b"member:%d" % i
        words += [member, b"%d" % i] if kind == "hash" else [b"%d" % i, member] if kind == "zset" else [member]
    sock.sendall(b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in words))
    reply = b""
    while not reply.endswith(b"\r\n"):
        data = sock.recv(4096)
        if not data:
            sys.exit("connection closed")
        reply += data
    if not reply.startswith(b":"):
        sys.exit("unexpected reply: %r" % reply[:100])
PY
      sleep 1
      after=$(rss "$pid"); used=$(info_field "$port" used_memory)
      usage=$(redis-cli -p "$port" memory usage big samples 0)
      printf '%-5s %-7s RSS growth %4d B/element, used_memory growth %4d B/element, MEMORY USAGE %4d B/element, encoding %s\n' \
        "$type" "$server" $(((after - before) / ELEMENTS)) $(((used - used_before) / ELEMENTS)) $((usage / ELEMENTS)) \
        "$(redis-cli -p "$port" object encoding big)"
      stop "$pid"
    done
  done
fi
