#!/usr/bin/env bash
# Times a rebalance: 3 in-process nodes on loopback hold N keys (default 1,000,000), a 4th joins; prints slots and
# keys moved, keys/s, and client GET throughput before and during the move. Figures go in docs/cluster.md
# ("Rebalance" > "Figures"). Uses the test membership until membership is merged (see RebalanceBenchmark.cs).
set -euo pipefail
cd "$(dirname "$0")/.."
keys="${1:-1000000}"
dotnet build -c Release test/PepperCache.Microbenchmarks >/dev/null
exec test/PepperCache.Microbenchmarks/bin/Release/net10.0/PepperCache.Microbenchmarks rebalance "$keys" \
  | grep -v ' moved to \|Cache \|Admin Port\|Ready to accept'
