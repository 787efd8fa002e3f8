#!/usr/bin/env bash
# The TinyStack lab: an isolated network namespace holding one Ethernet segment (a bridge) where
# the Linux kernel has 10.0.0.1/24 and TAP devices wait for TinyStack instances (server 10.0.0.2,
# clients 10.0.0.3, .4, ...). Nothing touches the host's own interfaces.
#
#   scripts/lab.sh up [--taps N] [--name NAME]   create the lab (prints its name)
#   scripts/lab.sh exec CMD [ARGS...]             run CMD inside the lab (e.g. ping 10.0.0.2)
#   scripts/lab.sh down                           remove the lab and everything in it
#   scripts/lab.sh name                           print the current lab's name
#
# The current lab's name is kept in $TS_LAB_STATE (default /tmp/tinystack-lab.name); set TS_LAB
# to address a specific lab (tests do, so parallel runs never collide).
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib/common.sh"

state="${TS_LAB_STATE:-/tmp/tinystack-lab.name}"

current() {
  if [ -n "${TS_LAB:-}" ]; then echo "$TS_LAB"; return; fi
  [ -f "$state" ] || die "no lab is up: run 'scripts/lab.sh up' first."
  cat "$state"
}

up() {
  local taps=1 name=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --taps) shift; taps="$1" ;;
      --name) shift; name="$1" ;;
      *) die "unknown option '$1' for 'lab.sh up' (use --taps N, --name NAME)." ;;
    esac
    shift
  done
  [[ "$taps" =~ ^[1-9][0-9]?$ ]] || die "--taps takes a number from 1 to 99."
  need_root "scripts/lab.sh up"
  [ -n "$name" ] || name="ts-lab-$$-$RANDOM"
  ip netns add "$name" || die "could not create network namespace '$name'."
  # From here on, undo everything if a step fails.
  trap 'ip netns del "$name" 2>/dev/null' ERR
  local n="ip netns exec $name"
  $n ip link set lo up
  # The lab speaks IPv4 only, so captures stay focused on what TinyStack implements.
  $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  # Answer ARP only for addresses on the interface asked (the TAPs belong to TinyStack).
  $n sysctl -qw net.ipv4.conf.all.arp_ignore=1
  # Frames crossing the lab's bridge need no iptables/arptables pass (br_netfilter, when loaded,
  # otherwise runs the IP hooks on every bridged frame: ~5% of the stack thread's time under wrk).
  $n sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-arptables=0 2>/dev/null || true
  $n ip link add br0 type bridge stp_state 0 forward_delay 0
  $n ip addr add 10.0.0.1/24 dev br0
  for ((i = 0; i < taps; i++)); do
    $n ip tuntap add dev "tap$i" mode tap
    $n ip link set "tap$i" master br0
    $n ip link set "tap$i" up
  done
  $n ip link set br0 up
  trap - ERR
  [ -n "${TS_LAB:-}" ] || echo "$name" >"$state"
  echo "$name"
}

down() {
  local name
  name="$(current)"
  # Stop anything still running inside the lab, then remove it (TAPs and bridge go with it).
  local pids
  pids="$(ip netns pids "$name" 2>/dev/null || true)"
  [ -n "$pids" ] && kill $pids 2>/dev/null && sleep 0.3 && kill -9 $pids 2>/dev/null
  ip netns del "$name" 2>/dev/null || true
  if [ -z "${TS_LAB:-}" ] && [ -f "$state" ] && [ "$(cat "$state")" = "$name" ]; then rm -f "$state"; fi
  echo "lab $name removed"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  name) current ;;
  exec) [ $# -gt 0 ] || die "usage: scripts/lab.sh exec CMD [ARGS...]"; exec ip netns exec "$(current)" "$@" ;;
  *) sed -n '2,13p' "$0"; [ -z "$cmd" ] && exit 0; die "unknown command '$cmd'." ;;
esac
