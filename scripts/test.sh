#!/usr/bin/env bash
# The one command that runs every TinyStack test: installs what the tests need (Debian packages),
# builds once in Release, runs unit and simulation tests first, then replay, then the live TAP
# suites one at a time, and ends with one line: "N passed, N failed, N skipped".
#
# Usage: sudo scripts/test.sh [--no-live] [--filter EXPR]
#   --no-live      skip the live suites (for a quick local loop; CI never passes it)
#   --filter EXPR  dotnet test filter applied to every project
set -uo pipefail
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"

live=1
filter=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-live) live=0 ;;
    --filter) shift; filter=(--filter "$1") ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (try --help)." ;;
  esac
  shift
done

# Live suites need root, /dev/net/tun and network namespaces: they must run, never skip silently.
[ $live -eq 1 ] && need_root "scripts/test.sh (live TAP tests)"
[ $live -eq 1 ] && [ ! -c /dev/net/tun ] && die "/dev/net/tun is missing: load the tun module (modprobe tun)."
ensure_prereqs

results="$TS_ROOT/out/test-results"
rm -rf "$results" && mkdir -p "$results"

echo "== build (Release)"
dotnet build "$TS_ROOT/TinyStack.sln" -c Release -v q -nologo >"$results/build.log" 2>&1 \
  || { grep -E ' error ' "$results/build.log" | sort -u | head -30; die "build failed (log: $results/build.log)"; }
touch "$TS_CLI_DLL" 2>/dev/null || true

# Order matters: fast, deterministic suites first; live suites last and one at a time.
projects=(TinyStack.Tests TinyStack.Simulation.Tests TinyStack.Replay.Tests)
[ $live -eq 1 ] && projects+=(TinyStack.Live.Tests)

status=0
for p in "${projects[@]}"; do
  dir="$TS_ROOT/tests/$p"
  [ -d "$dir" ] || continue
  echo "== $p"
  dotnet test "$dir" -c Release --no-build -nologo "${filter[@]}" \
    --logger "trx;LogFileName=$p.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" \
    || status=1
done

# Sum the counters of every .trx file into the closing line.
read -r passed failed skipped < <(
  for f in "$results"/*.trx; do
    [ -f "$f" ] || continue
    grep -o '<Counters [^>]*>' "$f"
  done | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"|\/|>/, "", kv[2]);
        if (kv[1] == "passed") p += kv[2]; else if (kv[1] == "failed") f += kv[2];
        else if (kv[1] == "notExecuted") s += kv[2]; } }
    END { print p + 0, f + 0, s + 0 }')

[ "$passed" -eq 0 ] && status=1
[ "$failed" -gt 0 ] && status=1
echo
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
