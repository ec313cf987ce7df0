# shellcheck shell=bash
# `geth init` of op-geth's datadir from genesis.json. Runs on every genesis change: on an empty datadir
# it writes the genesis; on a datadir of the same chain it changes nothing; on a datadir of another
# chain geth refuses ("incompatible genesis") and so does this step, before op-geth is started.
# Needs: GENESIS_SHA256 DOCKER_RUN_ARGS (the `docker run` arguments, one per line)
mapfile -t args <<< "$DOCKER_RUN_ARGS"
docker run --rm "${args[@]}" >&2
echo "$GENESIS_SHA256"
