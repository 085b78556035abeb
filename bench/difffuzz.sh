#!/usr/bin/env bash
# Random command scripts on redis-server and a PepperCache node at once, replies compared (bench/difffuzz.py).
# A finding tool, not a test: nothing in the test suite runs it. See docs/testing.md, "Differential fuzzing".
set -euo pipefail

usage() {
  cat <<'TXT'
Usage: bench/difffuzz.sh [--help]

Builds PepperCache (Release) unless PEPPER_DLL is set, starts it and redis-server on 127.0.0.1, then runs
bench/difffuzz.py over SEEDS, COMMANDS commands each, and stops both servers (by pid). Exit status 1 if a seed
found a difference. Every seed is bounded by its command count; the whole run by TIMEOUT seconds.

Environment (defaults in brackets): SEEDS [1-40]  COMMANDS [2000]  STATE [0] (1: compare every key after every
command)  RESP3 [0] (1: HELLO 3 first)  VERBOSE [1]  TIMEOUT [1200]  PEPPER_PORT [9550]  REDIS_PORT [6550]  PEPPER_DLL=path
TXT
}
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
[[ $# -eq 0 ]] || { echo "error: unknown argument '$1' (see --help)" >&2; exit 2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEEDS=${SEEDS:-1-40}
COMMANDS=${COMMANDS:-2000}
STATE=${STATE:-0}
RESP3=${RESP3:-0}
VERBOSE=${VERBOSE:-1}
TIMEOUT=${TIMEOUT:-1200}
PEPPER_PORT=${PEPPER_PORT:-9550}
REDIS_PORT=${REDIS_PORT:-6550}
source "$REPO/bench/lib.sh"

dotnet "$PEPPER_DLL" --port "$PEPPER_PORT" --admin-port $((PEPPER_PORT + 9000)) --dir "$TMP/data" --appendonly no \
  </dev/null >"$TMP/pepper.log" 2>&1 &
PIDS+=("$!"); wait_ping "$PEPPER_PORT" "$!"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
PIDS+=("$!"); wait_ping "$REDIS_PORT" "$!"

args=(--pepper-port "$PEPPER_PORT" --redis-port "$REDIS_PORT" --seeds "$SEEDS" --commands "$COMMANDS")
[[ $STATE == 1 ]] && args+=(--state)
[[ $RESP3 == 1 ]] && args+=(--resp3)
[[ $VERBOSE == 1 ]] && args+=(--verbose)
echo "# bench/difffuzz.sh, $(date -u '+%Y-%m-%d %H:%M') UTC, seeds $SEEDS, $COMMANDS commands each, $(redis-server --version | awk '{print $3}')"
timeout "$TIMEOUT" python3 "$REPO/bench/difffuzz.py" "${args[@]}"
