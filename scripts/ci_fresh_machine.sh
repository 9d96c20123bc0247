#!/usr/bin/env bash
# Rehearse CI on a "fresh machine" without disturbing this machine's engine.
#
# The fresh machine is a Debian bookworm root filesystem (exported from the
# suite's own base image) entered with pivot_root in new mount and PID namespaces,
# with full root capabilities, and in the *network namespace of an ordinary
# container* of the main engine: it has the network a container has (Debian
# mirror, PyPI with the host's CA bundle) and a firewall of its own, so the
# dockerd that .ci/run starts there cannot flush the main engine's iptables
# chains. (A `docker run --privileged` would be simpler, but this machine's
# bounding set lacks CAP_SYS_RESOURCE, and privileged containers fail to start.)
#
# In it: Python 3.11, pip, git and the host's docker client, no engine. Then
# `CI=true bash .ci/run` in a clone of HEAD: it must install docker.io,
# debootstrap, chromium, tini..., start its own dockerd, run `tox` and the
# engine passes (Engines 26 and 28), and stop that dockerd.
#
# Usage (root): bash scripts/ci_fresh_machine.sh      log: /tmp/mobygrade-ci-fresh.log
# MOBYGRADE_FRESH_CMD="bash -x .ci/run" (or any command) replaces `bash .ci/run`.
# Needs the base image: python -m fixtures.images --lab-images=local
# Everything it makes on the main engine carries mobygrade.run=<id> and is removed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_id="mgfresh$(date +%s)"
work="/var/tmp/mobygrade-fresh/$run_id"   # on disk: the inner data-root holds images
root="$work/rootfs"
log="${MOBYGRADE_FRESH_LOG:-/tmp/mobygrade-ci-fresh.log}"
ca="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
subnet="${MOBYGRADE_FRESH_SUBNET:-10.199.0.0/24}"  # away from the inner engine's 172.17+ pools

cleanup() {
    docker rm -f "$run_id-net" "$run_id-export" >/dev/null 2>&1 || true
    docker network rm "$run_id" >/dev/null 2>&1 || true
    # Mounts lived in the sandbox's own mount namespace and died with it.
    rm -rf "$work"
}
trap cleanup EXIT

image="$(docker images --filter label=mobygrade.image=base --format '{{.Repository}}:{{.Tag}}' | head -n1)"
[[ -n "$image" ]] || { echo "no base image: python -m fixtures.images --lab-images=local" >&2; exit 2; }
labels=(--label "mobygrade.run=$run_id" --label mobygrade.role=ci-fresh-machine)

echo "fresh machine: root filesystem from $image"
mkdir -p "$root"
docker create --name "$run_id-export" "${labels[@]}" "$image" true >/dev/null
docker export "$run_id-export" | tar -x -C "$root"
docker rm -f "$run_id-export" >/dev/null
cp "$(command -v docker)" "$root/usr/local/bin/docker"
cp "$ca" "$root/host-ca.crt"
cp /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q "$repo" "$root/root/ci"
[[ -f "$root/root/ci/README.md" ]] || echo "# mobygrade" >"$root/root/ci/README.md"  # until README lands

docker network create "${labels[@]}" --subnet "$subnet" "$run_id" >/dev/null
docker run -d --name "$run_id-net" "${labels[@]}" --network "$run_id" "$image" \
    busybox sleep 2147483647 >/dev/null
netns_pid="$(docker inspect -f '{{.State.Pid}}' "$run_id-net")"

echo "fresh machine: running .ci/run (log: $log)"
start=$(date +%s)
status=0
timeout 5400 nsenter --net="/proc/$netns_pid/ns/net" \
    unshare --mount --pid --fork --propagation private \
    env ROOT="$root" FRESH_CMD="${MOBYGRADE_FRESH_CMD:-}" bash -euo pipefail -c '
        mount --bind "$ROOT" "$ROOT"  # "/" must be a mount point: dockerd remounts it
        mount -t proc proc "$ROOT/proc"
        mount -t sysfs sysfs "$ROOT/sys"
        mount --rbind /sys/fs/cgroup "$ROOT/sys/fs/cgroup"
        mount --rbind /dev "$ROOT/dev"
        mount -t tmpfs tmpfs "$ROOT/run"
        mount -t tmpfs tmpfs "$ROOT/tmp"
        # pivot_root, not chroot: runc exec enters a container through its mount
        # namespace root, which under a chroot would be the host'"'"'s / (exec in
        # containers then sees the host'"'"'s files).
        cd "$ROOT"
        mkdir -p .oldroot
        pivot_root . .oldroot
        cd /
        umount -l /.oldroot
        rmdir /.oldroot
        exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 CI=true SSL_CERT_FILE=/host-ca.crt PIP_CERT=/host-ca.crt \
            REQUESTS_CA_BUNDLE=/host-ca.crt FRESH_CMD="$FRESH_CMD" bash -euo pipefail -c "
            export DEBIAN_FRONTEND=noninteractive
            apt-get -qq update
            apt-get -qq install -y --no-install-recommends git python3 python3-venv python3-pip \
                ca-certificates >/dev/null
            cd /root/ci
            echo \"fresh machine: engine before .ci/run: \$(docker info >/dev/null 2>&1 && echo yes || echo none)\"
            status=0
            \${FRESH_CMD:-bash .ci/run} </dev/null || status=\$?
            echo \"fresh machine: dockerd after .ci/run: \$(pidof dockerd || echo none)\"
            exit \$status
        "
    ' >"$log" 2>&1 || status=$?
echo "fresh machine: exited $status after $(($(date +%s) - start)) s"
grep -E '^(ci:|fresh machine:|mobygrade-ci:)' "$log" || true
exit "$status"
