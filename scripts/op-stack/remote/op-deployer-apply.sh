# shellcheck shell=bash
# shellcheck disable=SC2154 # chain_id_hash and the functions come from op-deployer-lib.sh, which the stack puts in front
# Runs `op-deployer apply --deployment-target live` for the chain and prints the sha256 of state.json.
# apply reads L1_RPC_URL and DEPLOYER_PRIVATE_KEY from the environment (op-deployer/pkg/deployer/flags.go).
# - The workdir records the chain: it is the chain's record and is not written. The config's intent is never
#   written there (op-deployer would copy it into appliedIntent, and `inspect rollup` renders rollup.json from
#   appliedIntent: a changed batcher would give a rollup.json that no longer matches the genesis the chain
#   started from). Only an apply that never completed (appliedIntent null) is resumed, from the workdir's own
#   intent.toml.
# - Otherwise this finishes a first deploy that remote/op-deployer-calldata.sh prepared in $WORKDIR.calldata
#   and scripts/op-stack/deploy-send.ts sent. It checks that L1 has code at the prepared SystemConfigProxy,
#   waits until L1 has finalized a block that holds the deploy, records that finalized block as the chain's
#   start block (the simulation's was from before the deploy; L1's latest could still be reorged out, and
#   rollup.json's genesis.l1 would then name a block op-node cannot find), and runs a live apply there. That
#   apply sends nothing: the chain is recorded, its L2 genesis is written, and the start block is kept
#   (op-deployer v0.7.1 pipeline/start_block.go reads one only when none is set). The finished copy then
#   becomes the workdir; the workdir before it stays as $WORKDIR.before-deploy.
# The full log goes to apply.log (0600) in the workdir; on failure its tail is printed masked.
# The prepared copy must have been simulated from INTENT_TOML (an intent changed after the deploy is refused,
# not merged), and the deployer's nonces must not move during that apply.
# Needs (and op-deployer-lib.sh): OP_DEPLOYER WORKDIR L2_CHAIN_ID INTENT_TOML L1_RPC_URL DEPLOYER_PRIVATE_KEY
#        DEPLOYER_ADDRESS DEPLOY_BLOCK (the block deploy-send saw the deploy in; 0 when it sent nothing)
# Optional: START_BLOCK_WAIT_SECONDS (how long to wait for finality, default 1800), START_BLOCK_POLL_SECONDS (12)
umask 077
prepared="$WORKDIR.calldata"

if chain_recorded "$WORKDIR/state.json"; then
  if ! same_intent "$WORKDIR"; then
    echo "the config's intent differs from the one chain $L2_CHAIN_ID was deployed from; it is not written to $WORKDIR (day 2 carries role and prestate changes; the rest is fixed at deploy)" >&2
  fi
  if ! jq -e '.appliedIntent != null' "$WORKDIR/state.json" > /dev/null; then
    run_apply "$WORKDIR" live apply.log || { echo "Fix the cause and run \`pulumi up\` again: apply resumes from state.json." >&2; exit 1; }
  fi
elif chain_recorded "$prepared/state.json"; then
  proxy=$(system_config_proxy "$prepared/state.json")
  if ! has_code "$proxy"; then
    echo "the prepared deploy in $prepared is not on L1: no code at its SystemConfigProxy $proxy. Nothing was applied; run \`pulumi up\` again, which sends the deploy transaction first." >&2
    exit 1
  fi
  if ! same_intent "$prepared"; then
    echo "the chain in $prepared is on L1, deployed from the intent it was simulated from, and the config's intent has changed since. Nothing was applied: restore the previous config and run \`pulumi up\` to finish the deploy, then change it (day 2 carries role and prestate changes; the rest is fixed at deploy)." >&2
    exit 1
  fi
  start=$(finalized_start_block "$proxy") || exit 1
  before=$(deployer_nonces) || exit 1
  jq --arg id "$chain_id_hash" --argjson b "$start" '(.opChainDeployments[] | select(.id == $id) | .startBlock) = $b' "$prepared/state.json" > "$prepared/state.json.tmp"
  mv -f "$prepared/state.json.tmp" "$prepared/state.json"
  applied=0
  run_apply "$prepared" live apply.log || applied=$?
  after=$(deployer_nonces) || exit 1
  if [ "$before" != "$after" ]; then
    echo "op-deployer's live apply on $prepared sent a transaction (deployer nonces $before -> $after), which it should not on a recorded chain. Do not start the chain; read $prepared/apply.log." >&2
    exit 1
  fi
  if [ "$applied" -ne 0 ]; then
    echo "Nothing was sent. Fix the cause and run \`pulumi up\` again: the deploy is on L1 and apply resumes from $prepared." >&2
    exit 1
  fi
  recorded=$(jq -c --arg id "$chain_id_hash" '.opChainDeployments[] | select(.id == $id) | .startBlock' "$prepared/state.json")
  if [ "$(jq -r .hash <<< "$recorded")" != "$(jq -r .hash <<< "$start")" ]; then
    echo "op-deployer's live apply on $prepared changed the start block from the finalized block $(jq -c . <<< "$start") to $recorded. Do not start the chain; run \`pulumi up\` again." >&2
    exit 1
  fi
  # Resumable: a run cut short between the two moves finds no workdir and moves the copy in.
  if [ -e "$WORKDIR" ]; then
    rm -rf "$WORKDIR.before-deploy"
    mv "$WORKDIR" "$WORKDIR.before-deploy"
  fi
  mv "$prepared" "$WORKDIR"
  echo "the deploy is recorded in $WORKDIR; the workdir before it is $WORKDIR.before-deploy" >&2
else
  echo "chain $L2_CHAIN_ID is not deployed and no deploy is prepared in $prepared: the stack's deploy-calldata and deploy-send steps run before apply. Run \`pulumi up\` again." >&2
  exit 1
fi
sha256sum "$WORKDIR/state.json" | cut -d' ' -f1
