# Shared helpers for TinyStack scripts. Source it: . "$(dirname "$0")/lib/common.sh"
# shellcheck shell=bash

TS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export TS_ROOT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian packages the stack, its tests and its lab use. Later issues append to this list.
TS_APT_PACKAGES=(libpcap0.8 tshark python3-scapy curl wrk iproute2 iputils-ping arping socat
  netcat-openbsd apache2-utils nftables procps openssl chromium fonts-dejavu-core nginx)

die() { echo "error: $*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (it creates network namespaces and TAP devices): run it with sudo."
}

# Installs the Debian packages in TS_APT_PACKAGES that are missing. Quiet when all are present.
ensure_prereqs() {
  command -v dotnet >/dev/null || die "the .NET SDK 10 is required (dotnet not found on PATH)."
  local missing=()
  for p in "${TS_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root "installing ${missing[*]}"
  echo "Installing missing packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  # nginx is only a yardstick that the live tests start inside a lab namespace: its package must
  # not start a system-wide server on the host. Where no policy says so, deny service starts
  # for the duration of the install (invoke-rc.d asks /usr/sbin/policy-rc.d; 101 = not allowed).
  local policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  fi
  local installed=1
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/tinystack-apt.log 2>&1; then
    apt-get update -q >>/tmp/tinystack-apt.log 2>&1 || true
    apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/tinystack-apt.log 2>&1 || installed=0
  fi
  [ -n "$policy" ] && rm -f "$policy"
  [ $installed -eq 1 ] || { tail -20 /tmp/tinystack-apt.log >&2; die "apt-get could not install ${missing[*]} (log: /tmp/tinystack-apt.log)."; }
}

# Builds the solution in Release unless the build is newer than every source file.
TS_CLI_DLL="$TS_ROOT/src/TinyStack.Cli/bin/Release/net10.0/TinyStack.Cli.dll"
ensure_built() {
  local stamp="$TS_CLI_DLL"
  if [ -f "$stamp" ] && [ -z "$(find "$TS_ROOT/src" "$TS_ROOT/Directory.Build.props" "$TS_ROOT/Directory.Packages.props" \
      \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -path '*/wwwroot/*' \) -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  echo "Building TinyStack (Release)..." >&2
  dotnet build "$TS_ROOT/src/TinyStack.Cli/TinyStack.Cli.csproj" -c Release -v q -nologo >/tmp/tinystack-build.log 2>&1 \
    || { grep -E 'error|Error' /tmp/tinystack-build.log | head -20 >&2; die "build failed (log: /tmp/tinystack-build.log)."; }
  touch "$stamp"
}
