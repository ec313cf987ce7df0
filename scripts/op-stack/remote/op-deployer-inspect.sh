# shellcheck shell=bash
# Writes genesis.json, rollup.json and l1.json for the services into CONFIG_DIR (atomically), then prints
# one JSON object: the sha256 of genesis.json and rollup.json, rollup.json itself, l1.json, and state.json
# without its bulky parts (L2 allocs, L1 state dump, calldata).
# Needs: OP_DEPLOYER WORKDIR CONFIG_DIR L2_CHAIN_ID
install -d -m 0755 "$CONFIG_DIR"
for what in genesis rollup l1; do
  "$OP_DEPLOYER" inspect "$what" --workdir "$WORKDIR" --outfile "$CONFIG_DIR/$what.json.tmp" "$L2_CHAIN_ID"
  chmod 0644 "$CONFIG_DIR/$what.json.tmp"
  mv -f "$CONFIG_DIR/$what.json.tmp" "$CONFIG_DIR/$what.json"
done
jq -c -n \
  --arg genesisSha256 "$(sha256sum "$CONFIG_DIR/genesis.json" | cut -d' ' -f1)" \
  --arg rollupSha256 "$(sha256sum "$CONFIG_DIR/rollup.json" | cut -d' ' -f1)" \
  --slurpfile rollup "$CONFIG_DIR/rollup.json" \
  --slurpfile l1 "$CONFIG_DIR/l1.json" \
  --slurpfile state "$WORKDIR/state.json" \
  '{genesisSha256: $genesisSha256, rollupSha256: $rollupSha256, rollup: $rollup[0], l1: $l1[0],
    state: ($state[0] | del(.l1StateDump, .DeploymentCalldata) | .opChainDeployments |= map(del(.allocs)))}'
