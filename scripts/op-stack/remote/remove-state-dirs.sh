# shellcheck shell=bash
# `pulumi destroy` with ecp:destroyRemovesState: removes the chain data (op-geth, op-node, op-challenger),
# the generated config, the JWT and the prestates. The containers wrote some of these files as root, so
# they are emptied from inside a container (CLEANUP_IMAGE, the pinned op-geth image, has a shell).
# op-deployer's workdir (state.json: the record of the L1 deployment, which cannot be undone) is moved
# aside, never deleted.
# Needs: STATE_DIR DIRS (lines of "<relative path> <mode>") CLEANUP_IMAGE
while read -r path _; do
  [ -n "$path" ] || continue
  dir="${STATE_DIR:?}/$path"
  [ -d "$dir" ] || continue
  if [ "$path" = deployer ]; then
    mv "$dir" "$dir.destroyed-$(date +%Y%m%dT%H%M%S)"
    continue
  fi
  docker run --rm --network none -v "$dir:/target" --entrypoint find "$CLEANUP_IMAGE" /target -mindepth 1 -delete
  rmdir "$dir"
  # A nested directory (monitoring/prometheus) leaves its parent behind once it is the last one removed.
  parent=$(dirname "$path")
  [ "$parent" = . ] || rmdir --ignore-fail-on-non-empty "$STATE_DIR/$parent"
done <<< "$DIRS"
