#!/usr/bin/env bash
# divvy serve's figures (issue 14): latency of `true` through the server against Process.Start in
# the caller, a job item's round trip with warm workers, requests per second with 8 clients.
#   bench/serve.sh [COUNT]     (default 500 requests per row; writes markdown rows on stdout)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-500}"
dotnet build src/Divvy.Cli -c Release -nologo -v q >/dev/null
dotnet build tests/Divvy.Tests.Jobs -c Release -nologo -v q >/dev/null
dotnet build bench/Divvy.Bench.Serve -c Release -nologo -v q >/dev/null
dir="$(mktemp -d /tmp/divvy-serve-bench-XXXXXX)"
server=""
cleanup() { [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
dotnet src/Divvy.Cli/bin/Release/net10.0/Divvy.Cli.dll serve -n 2 --socket "$dir/s.sock" \
  --job EchoJob tests/Divvy.Tests.Jobs/bin/Release/net10.0/Divvy.Tests.Jobs.dll >/dev/null 2>"$dir/server.log" &
server=$!
for _ in $(seq 100); do [[ -S "$dir/s.sock" ]] && break; sleep 0.1; done
echo "bench: divvy serve -n 2 (EchoJob), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "| what | p50 | p99 | per second |"
echo "| --- | ---: | ---: | ---: |"
dotnet bench/Divvy.Bench.Serve/bin/Release/net10.0/Divvy.Bench.Serve.dll "$dir/s.sock" "$count"
