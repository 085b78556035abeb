#!/usr/bin/env bash
# Runs every PepperCache test: the one command for developers and CI (.ci/run calls it).
#
#   ./test.sh                                  build (Release) and run all test projects
#   ./test.sh --filter-class <FullClassName>   extra arguments go to the test applications
#   ./test.sh --filter-method '*Signal*'       (a filter selects tests across every project)
#
# Needs only the .NET 10 SDK on Debian/Ubuntu. Some tests drive the real redis-cli, redis-benchmark and redis-py (RedisCluster), and the
# client library's tests run against a real redis-server, so Debian's redis-tools, redis-server and python3-redis packages are
# installed when they are missing (with sudo when not root), and so are Debian's nodejs and npm for the Node.js client
# and Kubernetes manifest tests (their npm packages come from test/node/package-lock.json through `npm ci`); no test
# is ever skipped for want of a tool.
# Prints "Tests: N passed, M failed" as its last line and exits non-zero when anything failed, did not build, ran
# past the time limit (TEST_TIMEOUT seconds, default 1800), or ran no tests: without a filter, a project that runs
# none is broken; with one, the projects it does not reach run none by design, and only a filter that matches no
# test in any project is an error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

readonly configuration=Release
readonly time_limit="${TEST_TIMEOUT:-1800}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

ensure_redis_tools() {
    if command -v redis-cli >/dev/null 2>&1 && command -v redis-benchmark >/dev/null 2>&1 \
        && command -v redis-server >/dev/null 2>&1 && /usr/bin/python3 -c 'import redis.cluster' >/dev/null 2>&1 \
        && command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
        return
    fi
    echo "test.sh: redis-cli/redis-benchmark/redis-server, redis-py or chromium/chromedriver not found; installing Debian's redis-tools, redis-server, python3-redis, chromium and chromium-driver (the dashboard's browser tests)"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools redis-server python3-redis chromium chromium-driver
    if ! command -v redis-cli >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1 \
        || ! command -v redis-server >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import redis.cluster' >/dev/null 2>&1 \
        || ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        echo "test.sh: redis-tools, redis-server, python3-redis, chromium and chromium-driver are installed but redis-cli/redis-benchmark/redis-server, /usr/bin/python3's redis module, chromium or chromedriver are still missing" >&2
        return 1
    fi
}

# The ecosystem tests run Node.js programs (test/node: ioredis, the Kubernetes manifest check) after `npm ci`.
ensure_node() {
    if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
        return
    fi
    echo "test.sh: node or npm not found; installing Debian's nodejs and npm"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        echo "test.sh: nodejs and npm are installed but node or npm is still missing" >&2
        return 1
    fi
}

ensure_redis_tools
ensure_node
if ! command -v dotnet >/dev/null 2>&1; then
    echo "test.sh: the .NET 10 SDK (dotnet) is required: https://dotnet.microsoft.com/download" >&2
    exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

# Microsoft.Testing.Platform exits 8 when a test application ran zero tests. With a filter, every project it does not
# reach would do so, so that exit code is ignored per project and the total is checked below instead.
filtered=false
platform_options=()
for argument in "$@"; do
    case "$argument" in
        --filter*|--treenode-filter*) filtered=true ;;
    esac
done
if [ "$filtered" = true ]; then
    platform_options=(--ignore-exit-code 8)
fi

started=$SECONDS
set +e
# timeout signals the whole process group, so test hosts and nodes they started go too.
timeout --kill-after=30 "$time_limit" \
    dotnet test --solution PepperCache.sln --configuration "$configuration" --no-ansi --no-progress \
        "${platform_options[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Microsoft.Testing.Platform ends with a summary over every test project ("total: 89", "failed: 0", "succeeded: 89").
count() { sed -n -E "s/^[[:space:]]*$1:[[:space:]]*([0-9]+)[[:space:]]*\$/\\1/p" "$log" | tail -n 1; }
total="$(count total)"
passed="$(count succeeded)"
failed="$(count failed)"
total="${total:-0}"
passed="${passed:-0}"
failed="${failed:-0}"

if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "test.sh: stopped after the ${time_limit}s time limit" >&2
elif [ "$status" -eq 0 ] && [ "$filtered" = true ] && [ "$total" -eq 0 ]; then
    echo "test.sh: the filter matched no test in any project" >&2
    status=8
elif [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "test.sh: dotnet test exited with $status without a failed test (build error, zero tests in a project, or a crashed test host; see above)" >&2
fi
# Microsoft.Testing.Platform prints each failure as "failed <test> (<time>)" with its message and stack indented below,
# then the test application's whole output, so in a long log the failure sits far above the end. Repeat the failures
# here, where the tail of a CI log shows them.
if [ "$failed" -gt 0 ]; then
    echo "test.sh: the failed tests, repeated from above (10 at most, 30 lines each):"
    awk '
        /^failed / { if (++shown > 10) exit; printing = 1; lines = 0; print; next }
        printing && /^  / && !/^  Standard output:/ && lines < 30 { print; lines++; next }
        { printing = 0 }
    ' "$log" | cut -c1-400
fi
echo "test.sh: $(( SECONDS - started ))s"
echo "Tests: ${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ]; then
    exit "$status"
fi
