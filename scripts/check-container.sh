#!/usr/bin/env bash
# Checks Dockerfile and docker-compose.yml where no registry is reachable: the compose file parses
# (docker compose config, or a YAML check without the plugin) and the Dockerfile's build steps run
# as a script, then the image's CMD starts, passes its HEALTHCHECK and stops cleanly on SIGTERM.
# CHECK_CONTAINER_FAST=1 reuses this checkout's node_modules instead of `npm ci` (and skips `npm prune`).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node scripts/check-container.mjs
