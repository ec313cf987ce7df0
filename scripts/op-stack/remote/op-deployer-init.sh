# shellcheck shell=bash
# Prints the intent.toml that `op-deployer init` writes for this chain. The stack keeps the fields init
# decides (OPCM address, contract locators, version string) and builds the rest from its config.
# Needs: OP_DEPLOYER L1_CHAIN_ID L2_CHAIN_ID INTENT_TYPE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$OP_DEPLOYER" init --l1-chain-id "$L1_CHAIN_ID" --l2-chain-ids "$L2_CHAIN_ID" \
  --workdir "$tmp" --intent-type "$INTENT_TYPE" >&2
cat "$tmp/intent.toml"
