# shellcheck shell=bash
# Writes the stack's intent.toml into op-deployer's workdir and runs `op-deployer apply` against Sepolia.
# apply reads L1_RPC_URL and DEPLOYER_PRIVATE_KEY from the environment (op-deployer/pkg/deployer/flags.go).
# state.json stays in the workdir; a re-run only deploys what state.json does not record yet.
# The full log goes to $WORKDIR/apply.log (mode 0600); on failure its tail is printed with the RPC URL
# and the key masked. Prints the sha256 of state.json.
# Before a first deploy (state.json records no deployment of L2_CHAIN_ID) it checks that the deployer holds
# at least MIN_BALANCE_WEI_HEX on L1: that is the only apply that spends. On a deployed chain apply deploys
# nothing (it only rewrites appliedIntent), so no balance is asked for.
# Needs: OP_DEPLOYER WORKDIR L1_CHAIN_ID L2_CHAIN_ID INTENT_TYPE INTENT_TOML L1_RPC_URL DEPLOYER_PRIVATE_KEY
#        DEPLOYER_ADDRESS MIN_BALANCE_WEI_HEX MIN_BALANCE_TEXT
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

shopt -s extglob
# a >= b for 0x-prefixed hex quantities of any size.
hex_ge() {
  local a=${1#0x} b=${2#0x}
  a=${a,,}; b=${b,,}
  a=${a##+(0)}; b=${b##+(0)}
  if [ "${#a}" -ne "${#b}" ]; then [ "${#a}" -gt "${#b}" ]; return; fi
  [ "$a" = "$b" ] || [[ "$a" > "$b" ]]
}

chain_id_hash=$(printf '0x%064x' "$L2_CHAIN_ID")
if ! jq -e --arg id "$chain_id_hash" '(.opChainDeployments // []) | map(select(.id == $id)) | length > 0' "$WORKDIR/state.json" > /dev/null; then
  request=$(printf '{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["%s","latest"]}' "$DEPLOYER_ADDRESS")
  if ! answer=$(curl --fail --silent --show-error --max-time 30 -H 'content-type: application/json' --data "$request" "$L1_RPC_URL" 2>&1); then
    echo "cannot read the deployer's balance before the first deploy: $(printf '%s\n' "$answer" | redact)" >&2
    exit 1
  fi
  balance=$(printf '%s' "$answer" | jq -r '.result // empty')
  if [ -z "$balance" ]; then
    echo "cannot read the deployer's balance before the first deploy: $(printf '%s\n' "$answer" | redact)" >&2
    exit 1
  fi
  if ! hex_ge "$balance" "$MIN_BALANCE_WEI_HEX"; then
    echo "the deployer $DEPLOYER_ADDRESS holds $balance wei on L1, below ecp:minDeployerBalance ($MIN_BALANCE_TEXT); the first deploy spends it. Nothing was deployed. Send it Sepolia ETH, or lower the minimum with \`pulumi config set ecp:minDeployerBalance \"1 ETH\"\`." >&2
    exit 1
  fi
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
