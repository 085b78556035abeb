#!/usr/bin/env bash
# Builds the tools the way the original's make.sh did: bin/server, bin/client and bin/benchmark. Each is a small
# launcher for a Release publish under publish/ (framework-dependent: needs the .NET 10 runtime, which the SDK
# includes).
#
#   ./build.sh && bin/server --help && bin/client --help && bin/benchmark --help
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

publish() { # project, output folder
    dotnet publish "src/$1" --configuration Release --output "publish/$2" --nologo --verbosity quiet
}

launcher() { # name, folder, dll, extra environment
    cat > "bin/$1" <<SCRIPT
#!/usr/bin/env bash
here="\$(cd "\$(dirname "\${BASH_SOURCE[0]}")/.." && pwd)"
$4exec dotnet "\$here/publish/$2/$3" "\$@"
SCRIPT
    chmod +x "bin/$1"
}

mkdir -p bin
publish PepperCache.Server server
publish PepperCache.Cli client
publish PepperCache.Benchmark benchmark
# The server and pepper-benchmark set DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 themselves, before their first
# socket (Program.cs, BenchmarkProgram.cs; docs/architecture.md), so the launchers need no environment.
launcher server server PepperCache.Server.dll ""
launcher client client pepper-cli.dll ""
launcher benchmark benchmark pepper-benchmark.dll ""
echo "built: bin/server bin/client bin/benchmark"
