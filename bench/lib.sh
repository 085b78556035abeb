# Sourced by the bench scripts after they set REPO: a work directory ($TMP) removed on exit together with every
# server whose pid is in PIDS, a Release build of the server unless PEPPER_DLL names one, and small probes.

TMP=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

if [[ -z ${PEPPER_DLL:-} ]]; then
  echo "building PepperCache (Release)..." >&2
  dotnet publish "$REPO/src/PepperCache.Server/PepperCache.Server.csproj" -c Release -o "$TMP/pepper" -v q --nologo >/dev/null
  PEPPER_DLL="$TMP/pepper/PepperCache.Server.dll"
fi

# Resident set size of pid $1, in bytes.
rss() { awk '/VmRSS/ { print $2 * 1024 }' "/proc/$1/status"; }
# User + system CPU of pid $1, in clock ticks ($hz a second).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# wait_ping PORT PID: until the server on PORT answers PING (30 s at most), or fail if PID has exited.
wait_ping() {
  for _ in $(seq 1 150); do
    kill -0 "$2" 2>/dev/null || { echo "error: the server for port $1 exited (port in use?)" >&2; exit 1; }
    [[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.2
  done
  echo "error: server on port $1 did not answer PING" >&2; exit 1
}
