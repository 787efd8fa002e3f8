#!/usr/bin/env bash
# Runs the BenchmarkDotNet suites (tests/TinyStack.Benchmarks) in Release and exits non-zero if the
# build fails, a benchmark fails, or nothing matched. Installs nothing: it needs the .NET 10 SDK.
#
# Usage: scripts/bench.sh [BenchmarkDotNet arguments]      (default: every benchmark)
#   scripts/bench.sh --filter '*Checksum*'    the checksum benchmarks only
#   scripts/bench.sh --filter '*Parse*'       the frame-parsing benchmarks only
#   scripts/bench.sh --list flat              list the benchmarks
# Every class uses the ShortRun job (see BenchmarkConfig.cs). Reports (markdown, csv, html) land in
# BenchmarkDotNet.Artifacts/results/ at the repository root.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
project="$root/tests/TinyStack.Benchmarks/TinyStack.Benchmarks.csproj"

case "${1:-}" in
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
esac

command -v dotnet >/dev/null || { echo "error: the .NET SDK 10 is required (dotnet not found on PATH)." >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Without arguments BenchmarkSwitcher would ask interactively which benchmark to run.
[ $# -eq 0 ] && set -- --filter '*'

cd "$root"
echo "== build (Release)"
dotnet build "$project" -c Release -nologo -v q
echo "== run: $*"
dotnet run -c Release --no-build --project "$project" -- --artifacts "$root/BenchmarkDotNet.Artifacts" "$@"
