# shellcheck shell=bash
# Runs the bundled rail client (rail/cli.ts, components/ledger/bundle.ts) in a pinned Node container on the
# stack's Docker network, next to the L2. The keys and the L1 URL pass from this shell's environment into
# the container by name (`-e NAME`), so they are never on a command line. Prints the client's JSON.
# Needs: RAIL_BUNDLE NODE_IMAGE NETWORK RAIL_ARGS (one argument per line) ECP_DEPLOYER_KEY,
#        optionally ECP_WITNESS_KEYS and ECP_RELAYER_KEY (the smoke's throwaway keys), ECP_L1_RPC_URL, and
#        ARCHIVE_PATH (a .jsonl file or a directory of them, mounted read-only at /archive/in)
mapfile -t args <<< "$RAIL_ARGS"
mounts=(-v "$RAIL_BUNDLE:/rail/rail.mjs:ro")
if [ -n "${ARCHIVE_PATH:-}" ]; then
  if [ ! -r "$ARCHIVE_PATH" ]; then
    echo "the rail archive $ARCHIVE_PATH (ecp:rail.archiveDir) is not readable on this host (the NixOS module's archivePath grants the operator read access)." >&2
    exit 1
  fi
  mounts+=(-v "$ARCHIVE_PATH:/archive/in:ro")
fi
export ECP_L1_RPC_URL="${ECP_L1_RPC_URL:-}" ECP_WITNESS_KEYS="${ECP_WITNESS_KEYS:-}" ECP_RELAYER_KEY="${ECP_RELAYER_KEY:-}"
docker run --rm --network "$NETWORK" "${mounts[@]}" \
  -e ECP_DEPLOYER_KEY -e ECP_WITNESS_KEYS -e ECP_RELAYER_KEY -e ECP_L1_RPC_URL \
  --entrypoint node "$NODE_IMAGE" /rail/rail.mjs "${args[@]}"
