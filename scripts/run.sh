#!/usr/bin/env bash
# The one command that runs TinyStack: installs missing prerequisites, builds, creates an isolated
# lab (a network namespace where the kernel is 10.0.0.1/24 on a bridge with a TAP), and runs the
# stack at 10.0.0.2 on that TAP in the foreground. Ctrl-C stops it and removes the lab.
#
# Usage: sudo scripts/run.sh [extra 'tinystack run' options, e.g. --capture /tmp/ts.pcapng --drop 0.1]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"

need_root "scripts/run.sh"
ensure_prereqs
ensure_built

export TS_LAB="ts-lab-run-$$"
"$TS_ROOT/scripts/lab.sh" up --taps 1 --name "$TS_LAB" >/dev/null
trap '"$TS_ROOT/scripts/lab.sh" down >/dev/null 2>&1 || true' EXIT
echo "$TS_LAB" >"${TS_LAB_STATE:-/tmp/tinystack-lab.name}"

cat <<TXT
Lab '$TS_LAB' is up: the kernel is 10.0.0.1/24 on br0; TinyStack will be 10.0.0.2 on tap0.
From another terminal, talk to TinyStack from the kernel side:
  sudo scripts/lab.sh exec ping 10.0.0.2
  sudo scripts/lab.sh exec arping -c 3 -i br0 10.0.0.2
  sudo scripts/lab.sh exec curl http://10.0.0.2/stats
Press Ctrl-C to stop TinyStack and remove the lab.

TXT
# Not exec: the EXIT trap must remove the lab after the stack stops.
ip netns exec "$TS_LAB" dotnet "$TS_CLI_DLL" run --tap tap0 --ip 10.0.0.2/24 --gateway 10.0.0.1 "$@" || true
