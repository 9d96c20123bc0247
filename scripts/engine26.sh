#!/usr/bin/env bash
# Prepare Engine 26 (Debian trixie's docker.io 26.1.5) beside the machine's own
# engine: see scripts/engine.sh (kept for existing callers).
exec bash "$(dirname "${BASH_SOURCE[0]}")/engine.sh" 26 "$@"
