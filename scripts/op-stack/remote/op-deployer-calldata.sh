# shellcheck shell=bash
# shellcheck disable=SC2154 # chain_id_hash and the functions come from op-deployer-lib.sh, which the stack puts in front
# The first half of a first deploy. op-deployer v0.7.1 cannot send its own deploy on post-Glamsterdam L1
# (its gas limit comes from a Cancun-era simulation; docs/research/2026-12-op-deployer-gas.md), so this runs
# `apply --deployment-target calldata` on a copy of the workdir, $WORKDIR.calldata: op-deployer simulates the
# deploy on a fork of L1's latest block, from the deployer's address (DEPLOYER_PRIVATE_KEY; the chain's
# addresses depend on it), sends nothing, and records the transaction (state.json `DeploymentCalldata`) and the
# addresses it creates. Prints one JSON line for scripts/op-stack/deploy-send.ts:
#   {"status":"deployed"}                      the workdir records the chain: nothing to do
#   {"status":"send", "l1ChainId", "deployer", "transactions", "contracts"}
# A copy whose contracts are on L1 already (the transaction landed, the run stopped after) is kept, never
# simulated again. Only a complete calldata run takes the name $WORKDIR.calldata; the one before it stays
# as $WORKDIR.calldata.prev. The deploy budget (ecp:minDeployerBalance) is checked here: this is the path
# that spends.
# Needs (and op-deployer-lib.sh): OP_DEPLOYER WORKDIR L1_CHAIN_ID L2_CHAIN_ID INTENT_TYPE INTENT_TOML
#        L1_RPC_URL DEPLOYER_PRIVATE_KEY DEPLOYER_ADDRESS MIN_BALANCE_WEI_HEX MIN_BALANCE_TEXT
umask 077
install -d -m 0750 "$WORKDIR"

if [ ! -f "$WORKDIR/state.json" ]; then
  # A fresh workdir needs init's state.json (it holds the chain's CREATE2 salt); its intent.toml is replaced.
  "$OP_DEPLOYER" init --l1-chain-id "$L1_CHAIN_ID" --l2-chain-ids "$L2_CHAIN_ID" \
    --workdir "$WORKDIR" --intent-type "$INTENT_TYPE" >&2 < /dev/null
fi

if chain_recorded "$WORKDIR/state.json"; then
  echo '{"status":"deployed"}'
  exit 0
fi

prepared="$WORKDIR.calldata"
if chain_recorded "$prepared/state.json" && has_code "$(system_config_proxy "$prepared/state.json")"; then
  if ! same_intent "$prepared"; then
    echo "the chain in $prepared is on L1, deployed from the intent it was simulated from, and the config's intent has changed since. Nothing was changed: restore the previous config and run \`pulumi up\` to finish the deploy, then change it (day 2 carries role and prestate changes; the rest is fixed at deploy)." >&2
    exit 1
  fi
  echo "the contracts of $prepared are on L1 already: keeping it, nothing is simulated again" >&2
else
  nonces=$(deployer_nonces) || exit 1
  if [ "${nonces%%:*}" != "${nonces##*:}" ]; then
    echo "the deployer $DEPLOYER_ADDRESS has a pending transaction on L1 (nonces $nonces), possibly an earlier deploy. Nothing was simulated: wait until it is mined or dropped, then run \`pulumi up\` again." >&2
    exit 1
  fi
  balance=$(l1_call "the deployer's balance before the first deploy" eth_getBalance "[\"$DEPLOYER_ADDRESS\",\"latest\"]") || exit 1
  if ! hex_ge "$balance" "$MIN_BALANCE_WEI_HEX"; then
    echo "the deployer $DEPLOYER_ADDRESS holds $balance wei on L1, below ecp:minDeployerBalance ($MIN_BALANCE_TEXT); the first deploy spends it. Nothing was deployed. Send it Sepolia ETH, or lower the minimum with \`pulumi config set ecp:minDeployerBalance \"1 ETH\"\`." >&2
    exit 1
  fi
  write_intent "$WORKDIR"
  rm -rf "$prepared.tmp"
  cp -a "$WORKDIR" "$prepared.tmp"
  if ! run_apply "$prepared.tmp" calldata calldata.log; then
    echo "Nothing was sent. Fix the cause and run \`pulumi up\` again." >&2
    exit 1
  fi
  if ! chain_recorded "$prepared.tmp/state.json" || ! jq -e '(.DeploymentCalldata // []) | length > 0' "$prepared.tmp/state.json" > /dev/null; then
    echo "op-deployer's calldata run recorded no deployment of chain $L2_CHAIN_ID in $prepared.tmp/state.json. Nothing was sent." >&2
    exit 1
  fi
  rm -rf "$prepared.prev"
  if [ -d "$prepared" ]; then mv "$prepared" "$prepared.prev"; fi
  mv "$prepared.tmp" "$prepared"
fi

jq -c --arg id "$chain_id_hash" --arg deployer "$DEPLOYER_ADDRESS" --argjson l1 "$L1_CHAIN_ID" '{
  status: "send", l1ChainId: $l1, deployer: $deployer, transactions: .DeploymentCalldata,
  contracts: (.opChainDeployments[] | select(.id == $id)
    | with_entries(select((.key | endswith("Proxy")) and (.value | type) == "string"
        and .value != "0x0000000000000000000000000000000000000000")))
}' "$prepared/state.json"
