# shellcheck shell=bash
# Writes the stack's intent.toml into op-deployer's workdir and runs `op-deployer apply` against Sepolia.
# apply reads L1_RPC_URL and DEPLOYER_PRIVATE_KEY from the environment (op-deployer/pkg/deployer/flags.go).
# state.json stays in the workdir; a re-run only deploys what state.json does not record yet.
# The full log goes to $WORKDIR/apply.log (mode 0600); on failure its tail is printed with the RPC URL
# and the key masked. Prints the sha256 of state.json.
# Needs: OP_DEPLOYER WORKDIR L1_CHAIN_ID L2_CHAIN_ID INTENT_TYPE INTENT_TOML L1_RPC_URL DEPLOYER_PRIVATE_KEY
umask 077
install -d -m 0750 "$WORKDIR"

redact() {
  local line
  while IFS= read -r line; do
    line=${line//"$L1_RPC_URL"/<l1-rpc-url>}
    line=${line//"${DEPLOYER_PRIVATE_KEY#0x}"/<deployer-key>}
    printf '%s\n' "$line"
  done
}

if [ ! -f "$WORKDIR/state.json" ]; then
  # A fresh workdir needs init's state.json; its intent.toml is replaced right below.
  "$OP_DEPLOYER" init --l1-chain-id "$L1_CHAIN_ID" --l2-chain-ids "$L2_CHAIN_ID" \
    --workdir "$WORKDIR" --intent-type "$INTENT_TYPE" >&2
fi

printf '%s\n' "$INTENT_TOML" > "$WORKDIR/intent.toml.tmp"
mv -f "$WORKDIR/intent.toml.tmp" "$WORKDIR/intent.toml"

log="$WORKDIR/apply.log"
if ! "$OP_DEPLOYER" apply --workdir "$WORKDIR" --deployment-target live > "$log" 2>&1; then
  echo "op-deployer apply failed; the last lines of $log:" >&2
  tail -n 40 "$log" | redact >&2
  echo "Fix the cause and run \`pulumi up\` again: apply resumes from state.json." >&2
  exit 1
fi
sha256sum "$WORKDIR/state.json" | cut -d' ' -f1
