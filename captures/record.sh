#!/usr/bin/env bash
# Re-records the replay fixtures in this folder from the real Linux kernel. Two private network
# namespaces joined by a veth pair: the "client" kernel at 10.0.0.1 and a "server" kernel at
# 10.0.0.2 with TinyStack's default MAC for that address (02:54:53:00:00:02), so TinyStack can be
# put in the server's place when a capture is replayed. Only the namespaces made here are touched.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" -eq 0 ] || { echo "error: record.sh needs root (network namespaces)." >&2; exit 1; }

a="ts-rec-a-$$" b="ts-rec-b-$$"
cleanup() { ip netns del "$a" 2>/dev/null || true; ip netns del "$b" 2>/dev/null || true; }
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add veth-a netns "$a" type veth peer name veth-b netns "$b"
for ns in "$a" "$b"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip netns exec "$ns" ip link set lo up
done
ip netns exec "$a" ip link set veth-a address 02:00:00:00:00:01
ip netns exec "$b" ip link set veth-b address 02:54:53:00:00:02
ip netns exec "$a" ip addr add 10.0.0.1/24 dev veth-a
ip netns exec "$b" ip addr add 10.0.0.2/24 dev veth-b
ip netns exec "$a" ip link set veth-a up
ip netns exec "$b" ip link set veth-b up
# Fixed IP IDs and timestamps are not needed: tests compare meaning, not bytes of kernel replies.
sleep 1

# record NAME COMMAND...: capture on the client's veth while COMMAND runs in the client namespace.
record() {
  local name="$1"; shift
  ip netns exec "$a" ip neigh flush dev veth-a
  ip netns exec "$b" ip neigh flush dev veth-b
  ip netns exec "$a" tshark -q -i veth-a -w "$name.pcap" -F pcap >/dev/null 2>&1 &
  local pid=$!
  sleep 1.5
  ip netns exec "$a" "$@" >/dev/null
  sleep 0.5
  kill -INT "$pid"; wait "$pid" || true
  echo "recorded $name.pcap: $(tshark -r "$name.pcap" 2>/dev/null | wc -l) frames"
}

record arp-who-has arping -c 2 -i veth-a 10.0.0.2
record ping ping -c 3 -i 0.2 10.0.0.2
record ping-fragmented ping -c 2 -i 0.2 -s 4000 10.0.0.2
