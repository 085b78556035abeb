#!/usr/bin/env bash
# The DotNext Raft prototype (bench/RaftPrototype, outside the product): three Raft nodes on loopback in one
# process; prints election time, commit latency, bytes and CPU per committed change, idle heartbeat bytes, and time
# to a new leader after the leader is killed, for two election-timeout settings. Figures go in docs/cluster.md
# ("Gossip or Raft"). A measuring tool, not a test.
#   bench/raft.sh [rounds=5] [commits=200]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run -c Release --project bench/RaftPrototype -- "${1:-5}" "${2:-200}"
