#!/usr/bin/env bash
# Prepare Engine 26 (Debian trixie's docker.io 26.1.5) beside the machine's own
# engine, without installing anything:
#   - `apt-get download` docker.io, containerd and tini from trixie, using a
#     private apt state (sources list, lists, cache) under the cache dir: the
#     machine's apt sources and dpkg database are never touched;
#   - `dpkg -x` them into $MOBYGRADE_ENGINE26_DIR/root (default
#     /var/cache/mobygrade/engine26/root);
#   - check that the binaries run on this machine and report 26.x.
# dockerd, docker-proxy and containerd 1.7 (+ shims) come from trixie; runc
# stays the machine's (trixie's runc needs glibc 2.38; bookworm has 2.36);
# docker-init is trixie's static tini. selftest/engines.py runs the result
# with --version=26. Idempotent: a prepared dir is checked and kept.
set -euo pipefail

readonly DIR="${MOBYGRADE_ENGINE26_DIR:-/var/cache/mobygrade/engine26}"
readonly MIRROR="${MOBYGRADE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
readonly PACKAGES=(docker.io containerd tini)
readonly ROOT="$DIR/root"

log() { printf 'engine26: %s\n' "$*"; }
die() { printf 'engine26: error: %s\n' "$*" >&2; exit 2; }

check() {
    local version
    version="$("$ROOT/usr/sbin/dockerd" --version 2>&1)" || die "dockerd 26 does not run here: $version"
    [[ "$version" == "Docker version 26."* ]] || die "unexpected dockerd version: $version"
    "$ROOT/usr/bin/containerd" --version >/dev/null 2>&1 || die "trixie's containerd does not run here"
    [[ -x "$ROOT/usr/bin/docker-init" ]] || die "docker-init missing in $ROOT/usr/bin"
    command -v runc >/dev/null 2>&1 || [[ -x /usr/sbin/runc ]] \
        || die "runc is missing: apt-get install runc (bookworm's; trixie's needs a newer glibc)"
    log "ready: $version ($ROOT)"
}

if [[ -x "$ROOT/usr/sbin/dockerd" && -f "$DIR/.complete" ]]; then
    check
    exit 0
fi

command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "needs apt-get and dpkg (Debian)"
[[ -r "$KEYRING" ]] || die "$KEYRING is missing: apt-get install debian-archive-keyring"

start=$(date +%s)
apt_dir="$DIR/apt"
rm -rf "$apt_dir" "$ROOT" "$DIR/.complete" "$DIR/debs"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$DIR/debs"
echo "deb [signed-by=$KEYRING] $MIRROR trixie main" >"$apt_dir/sources.list"
: >"$apt_dir/status"
apt_opts=(
    -o "Dir::State=$apt_dir" -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::State::status=$apt_dir/status" -o "Dir::Cache=$apt_dir"
    -o "Dir::Cache::archives=$apt_dir/archives"
    -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/parts"
    -o "Dir::Etc::Preferences=$apt_dir/parts/none" -o "Dir::Etc::PreferencesParts=$apt_dir/parts"
    -o "APT::Sandbox::User=root" -o "Acquire::Languages=none"
    -o "Acquire::Retries=3" -o "Acquire::http::Timeout=30" -q
)
log "apt-get update (trixie, private state in $apt_dir)"
timeout 300 apt-get "${apt_opts[@]}" update >"$DIR/apt-update.log" 2>&1 \
    || { tail -n 5 "$DIR/apt-update.log" >&2; die "apt-get update against trixie failed (log: $DIR/apt-update.log)"; }
log "apt-get download ${PACKAGES[*]}"
(cd "$DIR/debs" && timeout 600 apt-get "${apt_opts[@]}" download "${PACKAGES[@]}") >"$DIR/apt-download.log" 2>&1 \
    || { tail -n 5 "$DIR/apt-download.log" >&2; die "apt-get download failed (log: $DIR/apt-download.log)"; }
mkdir -p "$ROOT"
for deb in "$DIR"/debs/*.deb; do
    log "dpkg -x $(basename "$deb")"
    dpkg -x "$deb" "$ROOT"
done
# docker.io ships docker-init as a relative link to tini-static, which the tini
# package puts in usr/bin: both are now in $ROOT/usr/bin.
rm -rf "$apt_dir/lists" "$apt_dir/archives" "$DIR/debs"
touch "$DIR/.complete"
log "prepared in $(($(date +%s) - start)) s"
check
