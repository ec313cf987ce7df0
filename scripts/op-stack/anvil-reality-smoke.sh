#!/usr/bin/env bash
# ECP-0093's local smoke: archive-derived observations through the rail on a local anvil.
# A thin wrapper over the rail CLI; every flag goes through, for example:
#   scripts/op-stack/anvil-reality-smoke.sh --archive /var/lib/every-channel/archive.jsonl --mode witness-tx
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npx --no-install tsx rail/cli.ts smoke "$@"
