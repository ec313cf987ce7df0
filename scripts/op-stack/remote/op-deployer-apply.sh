# shellcheck shell=bash
# shellcheck disable=SC2154 # chain_id_hash and the functions come from op-deployer-lib.sh, which the stack puts in front
# Runs `op-deployer apply --deployment-target live` for the chain and prints the sha256 of state.json.
# apply reads L1_RPC_URL and DEPLOYER_PRIVATE_KEY from the environment (op-deployer/pkg/deployer/flags.go).
# - The workdir records the chain: apply deploys nothing (it only rewrites appliedIntent).
# - Otherwise this finishes a first deploy that remote/op-deployer-calldata.sh prepared in $WORKDIR.calldata
#   and scripts/op-stack/deploy-send.ts sent. It checks that L1 has code at the prepared SystemConfigProxy,
#   clears the start block the simulation recorded (a block from before the deploy), and runs a live apply
#   there. That apply sends nothing: the chain is recorded, its L2 genesis is written, and only the start
#   block is read again (L1's latest block, now after the deploy). The finished copy then becomes the
#   workdir; the workdir before it stays as $WORKDIR.before-deploy.
# The full log goes to apply.log (0600) in the workdir; on failure its tail is printed masked.
# The prepared copy must have been simulated from INTENT_TOML (an intent changed after the deploy is refused,
# not merged), and the deployer's nonces must not move during that apply.
# Needs (and op-deployer-lib.sh): OP_DEPLOYER WORKDIR L2_CHAIN_ID INTENT_TOML L1_RPC_URL DEPLOYER_PRIVATE_KEY
#        DEPLOYER_ADDRESS DEPLOY_BLOCK (the block deploy-send saw the deploy in; 0 when it sent nothing)
umask 077
prepared="$WORKDIR.calldata"

if chain_recorded "$WORKDIR/state.json"; then
  write_intent "$WORKDIR"
  run_apply "$WORKDIR" live apply.log || { echo "Fix the cause and run \`pulumi up\` again: apply resumes from state.json." >&2; exit 1; }
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
  before=$(deployer_nonces) || exit 1
  jq --arg id "$chain_id_hash" '(.opChainDeployments[] | select(.id == $id) | .startBlock) = null' "$prepared/state.json" > "$prepared/state.json.tmp"
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
  if ! start=$(jq -er --arg id "$chain_id_hash" '.opChainDeployments[] | select(.id == $id) | .startBlock.number' "$prepared/state.json"); then
    echo "op-deployer's live apply on $prepared recorded no start block for chain $L2_CHAIN_ID. Run \`pulumi up\` again." >&2
    exit 1
  fi
  # The start block is L1's "latest" as the RPC answered; a lagging backend could answer with a block from
  # before the deploy. The next run clears it again.
  if [ "${DEPLOY_BLOCK:-0}" != 0 ] && [ "$((start))" -lt "$DEPLOY_BLOCK" ]; then
    echo "the start block op-deployer recorded ($((start))) is before the deploy's block ($DEPLOY_BLOCK): the L1 RPC answered with an older latest block. Nothing was sent; run \`pulumi up\` again." >&2
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
