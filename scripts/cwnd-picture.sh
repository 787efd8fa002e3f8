#!/usr/bin/env bash
# Redraws the README's congestion-window picture from a real run: TinyStack serves chargen to the
# lab's kernel through a 200 Mbit/s bottleneck with a drop-tail queue of about one bandwidth-delay
# product (200 Mbit/s x 2 ms round trip = 50 kB, 34 frames) and no random loss, so every loss is the
# queue overflowing. The connection's trace (--trace-dir) is drawn with `tinystack plot`.
#
# Usage: sudo scripts/cwnd-picture.sh [--cc cubic|newreno] [--bytes N] [-o FILE.svg]
#        (defaults: cubic, 50 MiB, docs/cwnd-bottleneck-cubic.svg)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"

cc=cubic bytes=$((50 * 1024 * 1024)) out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cc) shift; cc="$1" ;;
    --bytes) shift; bytes="$1" ;;
    -o) shift; out="$1" ;;
    *) die "unknown option '$1' (use --cc ALGORITHM, --bytes N, -o FILE.svg)." ;;
  esac
  shift
done
[ -n "$out" ] || out="$TS_ROOT/docs/cwnd-bottleneck-$cc.svg"

need_root "scripts/cwnd-picture.sh"
ensure_prereqs
ensure_built

export TS_LAB="ts-lab-cwnd-$$"
work="$(mktemp -d /tmp/ts-cwnd-XXXXXX)"
stack=""
cleanup() {
  [ -n "$stack" ] && kill -TERM "$stack" 2>/dev/null && wait "$stack" 2>/dev/null
  "$TS_ROOT/scripts/lab.sh" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$TS_ROOT/scripts/lab.sh" up --taps 1 --name "$TS_LAB" >/dev/null

ip netns exec "$TS_LAB" dotnet "$TS_CLI_DLL" run --tap tap0 --ip 10.0.0.2/24 \
  --rate 200mbit --queue 34 --delay 1ms --cc "$cc" --trace-dir "$work/traces" >"$work/stack.log" 2>&1 &
stack=$!
for _ in $(seq 300); do grep -q ' on tap0' "$work/stack.log" && break; sleep 0.1; done
grep -q ' on tap0' "$work/stack.log" || { cat "$work/stack.log" >&2; die "tinystack did not start."; }

# The kernel reads the bytes and checks them against the RFC 864 pattern.
ip netns exec "$TS_LAB" /usr/bin/python3 "$TS_ROOT/tests/TinyStack.Live.Tests/Tcp/tcpclient.py" chargen 10.0.0.2 "$bytes"
kill -TERM "$stack"; wait "$stack" 2>/dev/null || true; stack=""
grep -E 'fault injector' "$work/stack.log" || true

dotnet "$TS_CLI_DLL" plot "$work"/traces/*.csv -o "$out"
