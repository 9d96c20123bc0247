#!/usr/bin/env bash
# Prepare Engine 28 (Debian sid's docker.io 28.5.2, containerd 2.1.9) beside the
# machine's own engine: see scripts/engine.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/engine.sh" 28 "$@"
