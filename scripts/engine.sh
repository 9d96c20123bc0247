#!/usr/bin/env bash
# Prepare a newer Docker Engine beside the machine's own one, without
# installing anything:
#
#   bash scripts/engine.sh 26    Debian trixie's docker.io 26.1.5 + containerd 1.7
#   bash scripts/engine.sh 28    Debian sid's docker.io 28.5.2 + containerd 2.1.9
#
#   - `apt-get download` the packages from that suite, using a private apt
#     state (sources list, lists, cache, empty dpkg status) under the cache
#     dir: the machine's apt sources and dpkg database are never touched;
#   - `dpkg -x` them into $DIR/root (DIR: $MOBYGRADE_ENGINE<N>_DIR, default
#     /var/cache/mobygrade/engine<N>);
#   - check that the binaries run on this machine and report the version.
#
# dockerd, docker-proxy and containerd (+ shims) come from the suite; runc
# stays the machine's (trixie's and sid's need a newer glibc than bookworm's
# 2.36). docker-init: trixie's static tini for 26; for 28 bookworm's
# /usr/bin/tini-static (package tini), linked into $DIR/root/usr/bin.
# selftest/engines.py runs the result with --version=N. Idempotent: a
# prepared dir is checked and kept.
#
# Knobs: MOBYGRADE_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# MOBYGRADE_ENGINE<N>_DIR.
set -euo pipefail

readonly VERSION="${1:-}"
case "$VERSION" in
    26)
        SUITE=trixie
        PACKAGES=(docker.io containerd tini)
        TINI=""  # trixie's tini-static comes with the packages
        ;;
    28)
        SUITE=sid
        # Not pinned to a Debian revision (sid drops old ones from the mirror);
        # check() insists on dockerd 28.x and containerd 2.x.
        PACKAGES=(docker.io containerd)
        TINI=/usr/bin/tini-static  # bookworm's (apt-get install tini)
        ;;
    *)
        printf 'usage: bash scripts/engine.sh 26|28\n' >&2
        exit 2
        ;;
esac
readonly SUITE TINI
dir_var="MOBYGRADE_ENGINE${VERSION}_DIR"
readonly DIR="${!dir_var:-/var/cache/mobygrade/engine$VERSION}"
readonly MIRROR="${MOBYGRADE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
readonly ROOT="$DIR/root"

log() { printf 'engine%s: %s\n' "$VERSION" "$*"; }
die() { printf 'engine%s: error: %s\n' "$VERSION" "$*" >&2; exit 2; }

check() {
    local version
    version="$("$ROOT/usr/sbin/dockerd" --version 2>&1)" \
        || die "dockerd $VERSION does not run here: $version"
    [[ "$version" == "Docker version $VERSION."* ]] || die "unexpected dockerd version: $version"
    local containerd
    containerd="$("$ROOT/usr/bin/containerd" --version 2>&1)" \
        || die "$SUITE's containerd does not run here: $containerd"
    containerd="$(awk '{print $3}' <<<"$containerd")"
    if [[ "$VERSION" == 28 && "$containerd" != 2.* ]]; then
        die "unexpected containerd for Engine 28: $containerd"
    fi
    [[ -x "$ROOT/usr/bin/docker-init" ]] || die "docker-init missing or dangling in $ROOT/usr/bin"
    "$ROOT/usr/bin/docker-init" --version >/dev/null 2>&1 || die "docker-init does not run here"
    command -v runc >/dev/null 2>&1 || [[ -x /usr/sbin/runc ]] \
        || die "runc is missing: apt-get install runc (bookworm's; $SUITE's needs a newer glibc)"
    log "ready: $version; containerd $containerd ($ROOT)"
}

if [[ -x "$ROOT/usr/sbin/dockerd" && -f "$DIR/.complete" ]]; then
    check
    exit 0
fi

command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "needs apt-get and dpkg (Debian)"
[[ -r "$KEYRING" ]] || die "$KEYRING is missing: apt-get install debian-archive-keyring"
if [[ -n "$TINI" && ! -x "$TINI" ]]; then
    die "$TINI is missing: apt-get install tini (bookworm's static tini is docker-init)"
fi

start=$(date +%s)
apt_dir="$DIR/apt"
rm -rf "$apt_dir" "$ROOT" "$DIR/.complete" "$DIR/debs"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/parts" "$DIR/debs"
echo "deb [signed-by=$KEYRING] $MIRROR $SUITE main" >"$apt_dir/sources.list"
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
log "apt-get update ($SUITE, private state in $apt_dir)"
timeout 300 apt-get "${apt_opts[@]}" update >"$DIR/apt-update.log" 2>&1 \
    || { tail -n 5 "$DIR/apt-update.log" >&2; die "apt-get update against $SUITE failed (log: $DIR/apt-update.log)"; }
log "apt-get download ${PACKAGES[*]}"
if ! (cd "$DIR/debs" && timeout 600 apt-get "${apt_opts[@]}" download "${PACKAGES[@]}") \
        >"$DIR/apt-download.log" 2>&1; then
    tail -n 5 "$DIR/apt-download.log" >&2
    die "apt-get download failed (log: $DIR/apt-download.log)"
fi
mkdir -p "$ROOT"
for deb in "$DIR"/debs/*.deb; do
    log "dpkg -x $(basename "$deb")"
    dpkg -x "$deb" "$ROOT"
done
if [[ -n "$TINI" ]]; then
    # docker.io ships docker-init as a link to tini-static, which would come from
    # the suite's tini package; bookworm's static tini runs anywhere.
    ln -sfn "$TINI" "$ROOT/usr/bin/docker-init"
fi
rm -rf "$apt_dir/lists" "$apt_dir/archives" "$DIR/debs"
touch "$DIR/.complete"
log "prepared in $(($(date +%s) - start)) s"
check
