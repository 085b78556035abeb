#!/usr/bin/env bash
# TLS cost: redis-benchmark SET and GET on the plain and the TLS port of one PepperCache node, and of a redis-server
# set up alike (both serve both ports, client certificates required), printing ops/s and the TLS/plain ratios.
# A measuring tool, not a test.
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/tls.sh [--help]

Makes a throwaway CA, server and client certificate (openssl, ECDSA P-256) in a work directory; starts redis-server
and a PepperCache node on 127.0.0.1, each with a plain port and a TLS port (--tls-port, tls-auth-clients yes,
appendonly no); runs redis-benchmark (with --tls for the TLS ports; new connections are made once, at the start)
-t set,get -c CLIENTS at -P 1 and -P 16 against the four ports, alternating, ROUNDS times; prints the median ops/s
per cell, each server's CPU time per request (utime + stime from /proc/PID/stat), and the ratios TLS/plain and
PepperCache/Redis. Every server it starts is stopped on exit; the work directory is removed unless KEEP_TMP=1.

Environment (defaults in brackets):
  PEPPER_PORT [9220]  PEPPER_TLS_PORT [9221]  PEPPER_ADMIN_PORT [18220]  REDIS_PORT [6412]  REDIS_TLS_PORT [6413]
  ROUNDS [3]  N_P1 [100000]  N_P16 [1000000]  CLIENTS [50]  DATA_SIZE [32]  KEYSPACE [100000]
  PEPPER_DLL=path  use this PepperCache.Server.dll instead of publishing one
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEPPER_PORT=${PEPPER_PORT:-9220}
PEPPER_TLS_PORT=${PEPPER_TLS_PORT:-9221}
PEPPER_ADMIN_PORT=${PEPPER_ADMIN_PORT:-18220}
REDIS_PORT=${REDIS_PORT:-6412}
REDIS_TLS_PORT=${REDIS_TLS_PORT:-6413}
ROUNDS=${ROUNDS:-3}
N_P1=${N_P1:-100000}
N_P16=${N_P16:-1000000}
CLIENTS=${CLIENTS:-50}
DATA_SIZE=${DATA_SIZE:-32}
KEYSPACE=${KEYSPACE:-100000}
PEPPER_DLL=${PEPPER_DLL:-}
KEEP_TMP=${KEEP_TMP:-0}

log() { printf '[tls %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

redis-benchmark --help 2>&1 | grep -q -- '--tls' || die "this redis-benchmark was built without TLS"
TMP=$(mktemp -d /tmp/peppercache-tlsbench.XXXXXX)
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
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if [[ $KEEP_TMP == 1 ]]; then log "work directory kept: $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The certificates: a CA, a server certificate for 127.0.0.1, a client certificate.
CERTS="$TMP/certs"; mkdir -p "$CERTS"
(
  cd "$CERTS"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 1 -subj /CN=bench-ca
  for name in server client; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$name"
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" -days 1 -extfile "$name.ext"
  done
) >"$TMP/openssl.log" 2>&1 || { cat "$TMP/openssl.log" >&2; die "openssl failed"; }
TLS_CLIENT=(--tls --cacert "$CERTS/ca.crt" --cert "$CERTS/client.crt" --key "$CERTS/client.key")

ping_port() { timeout 2 redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null | grep -qx PONG; }
wait_for_ping() { # name port pid logfile
  local deadline=$((SECONDS + 120))
  until ping_port "$2"; do
    kill -0 "$3" 2>/dev/null || { tail -n 20 "$4" >&2; die "$1 exited during start-up"; }
    ((SECONDS < deadline)) || die "$1 did not answer PING in time"
    sleep 0.05
  done
}
for port in "$REDIS_PORT" "$PEPPER_PORT"; do ! ping_port "$port" || die "something already answers on 127.0.0.1:$port"; done

if [[ -z $PEPPER_DLL ]]; then
  log "publishing PepperCache (Release)"
  timeout 600 dotnet publish "$REPO/src/PepperCache.Server/PepperCache.Server.csproj" -c Release -o "$TMP/pepper" --nologo -v quiet \
    >"$TMP/build.log" 2>&1 || { tail -n 30 "$TMP/build.log" >&2; die "build failed"; }
  PEPPER_DLL="$TMP/pepper/PepperCache.Server.dll"
fi

mkdir -p "$TMP/redis" "$TMP/node"
redis-server --port "$REDIS_PORT" --tls-port "$REDIS_TLS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP/redis" \
  --tls-cert-file "$CERTS/server.crt" --tls-key-file "$CERTS/server.key" --tls-ca-cert-file "$CERTS/ca.crt" \
  --logfile "$TMP/redis/redis.log" </dev/null >/dev/null 2>&1 &
REDIS_PID=$!; PIDS+=("$REDIS_PID")
wait_for_ping redis-server "$REDIS_PORT" "$REDIS_PID" "$TMP/redis/redis.log"
DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" --tls-port "$PEPPER_TLS_PORT" \
  --admin-port "$PEPPER_ADMIN_PORT" --appendonly no --dir "$TMP/node" \
  --tls-cert-file "$CERTS/server.crt" --tls-key-file "$CERTS/server.key" --tls-ca-cert-file "$CERTS/ca.crt" \
  </dev/null >"$TMP/node/pepper.log" 2>&1 &
PEPPER_PID=$!; PIDS+=("$PEPPER_PID")
wait_for_ping PepperCache "$PEPPER_PORT" "$PEPPER_PID" "$TMP/node/pepper.log"
timeout 5 redis-cli "${TLS_CLIENT[@]}" -p "$PEPPER_TLS_PORT" PING | grep -qx PONG || die "PepperCache's TLS port does not answer"
timeout 5 redis-cli "${TLS_CLIENT[@]}" -p "$REDIS_TLS_PORT" PING | grep -qx PONG || die "redis-server's TLS port does not answer"

ops() { # port tls(0/1) pipeline n -> "set_ops get_ops"
  local tls=()
  [[ $2 == 1 ]] && tls=("${TLS_CLIENT[@]}")
  redis-benchmark -h 127.0.0.1 -p "$1" "${tls[@]}" -t set,get -c "$CLIENTS" -P "$3" -d "$DATA_SIZE" -r "$KEYSPACE" -n "$4" --csv 2>/dev/null \
    | awk -F'","' '/^"SET"/ { s = $2 } /^"GET"/ { g = $2 } END { print s, g }'
}
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
measure() { # port tls pid pipeline n -> "set_ops get_ops cpu_us_per_request"
  local before after o
  before=$(cpu_ticks "$3"); o=$(ops "$1" "$2" "$4" "$5"); after=$(cpu_ticks "$3")
  echo "$o $(awk -v d=$((after - before)) -v n="$5" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", d * 1e6 / hz / (2 * n) }')"
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

printf '%-4s %-7s %12s %12s %12s %12s %7s %7s %12s   %s\n' P test redis_plain redis_tls pepper_plain pepper_tls r_tls/pl p_tls/pl pepper/redis \
  "cpu_us redis plain/tls, pepper plain/tls"
declare -A S G C
for pipeline in 1 16; do
  n=$N_P1; [[ $pipeline == 16 ]] && n=$N_P16
  targets=("redis_plain $REDIS_PORT 0 $REDIS_PID" "redis_tls $REDIS_TLS_PORT 1 $REDIS_PID" \
           "pepper_plain $PEPPER_PORT 0 $PEPPER_PID" "pepper_tls $PEPPER_TLS_PORT 1 $PEPPER_PID")
  for t in "${targets[@]}"; do read -r name port tls pid <<<"$t"; ops "$port" "$tls" "$pipeline" $((n / 4)) >/dev/null; done # warm-up
  for t in "${targets[@]}"; do read -r name _ <<<"$t"; S[$name]=""; G[$name]=""; C[$name]=""; done
  for ((round = 0; round < ROUNDS; round++)); do
    for t in "${targets[@]}"; do
      read -r name port tls pid <<<"$t"
      read -r s g c < <(measure "$port" "$tls" "$pid" "$pipeline" "$n")
      S[$name]+="$s "; G[$name]+="$g "; C[$name]+="$c "
    done
  done
  for test in SET GET; do
    declare -A M=()
    for t in "${targets[@]}"; do
      read -r name _ <<<"$t"
      # shellcheck disable=SC2086
      if [[ $test == SET ]]; then M[$name]=$(median ${S[$name]}); else M[$name]=$(median ${G[$name]}); fi
    done
    # shellcheck disable=SC2086
    printf '%-4s %-7s %12s %12s %12s %12s %7s %7s %12s   %s/%s %s/%s\n' "$pipeline" "$test" \
      "${M[redis_plain]}" "${M[redis_tls]}" "${M[pepper_plain]}" "${M[pepper_tls]}" \
      "$(ratio "${M[redis_tls]}" "${M[redis_plain]}")" "$(ratio "${M[pepper_tls]}" "${M[pepper_plain]}")" \
      "$(ratio "${M[pepper_tls]}" "${M[redis_tls]}")" \
      "$(median ${C[redis_plain]})" "$(median ${C[redis_tls]})" "$(median ${C[pepper_plain]})" "$(median ${C[pepper_tls]})"
  done
done
