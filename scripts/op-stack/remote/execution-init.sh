# shellcheck shell=bash
# Initializes the execution client's datadir from genesis.json (`geth init` or `op-reth init`). Runs on
# every genesis change: on an empty datadir it writes the genesis; on a datadir of the same chain it
# changes nothing; on a datadir of another chain the client refuses (geth: "incompatible genesis",
# reth: GenesisHashMismatch) and so does this step, before the client is started.
# Needs: GENESIS_SHA256 DOCKER_RUN_ARGS (the `docker run` arguments, one per line)
mapfile -t args <<< "$DOCKER_RUN_ARGS"
docker run --rm "${args[@]}" >&2
echo "$GENESIS_SHA256"
