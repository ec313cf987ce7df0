# shellcheck shell=bash
# Functions shared by remote/op-deployer-calldata.sh and remote/op-deployer-apply.sh; the stack puts this
# file in front of either. Needs: L1_RPC_URL DEPLOYER_PRIVATE_KEY L2_CHAIN_ID

# Masks the L1 RPC URL and the deployer key in whatever passes through.
redact() {
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line//"$L1_RPC_URL"/<l1-rpc-url>}
    line=${line//"${DEPLOYER_PRIVATE_KEY#0x}"/<deployer-key>}
    printf '%s\n' "$line"
  done
}

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

# True when the state.json at $1 records a deployment of L2_CHAIN_ID.
chain_recorded() {
  [ -f "$1" ] && jq -e --arg id "$chain_id_hash" '(.opChainDeployments // []) | map(select(.id == $id)) | length > 0' "$1" > /dev/null
}

# The chain's SystemConfigProxy as the state.json at $1 records it.
system_config_proxy() {
  jq -r --arg id "$chain_id_hash" '.opChainDeployments[] | select(.id == $id) | .SystemConfigProxy // empty' "$1"
}

# Calls the L1 RPC: l1_call <what, for the error> <method> <params as JSON>; prints the result.
l1_call() {
  local what=$1 request answer result
  request=$(jq -cn --arg m "$2" --argjson p "$3" '{jsonrpc:"2.0", id:1, method:$m, params:$p}')
  # The URL goes to curl as a config on stdin, not as an argument: /proc/<pid>/cmdline is readable by every user.
  if ! answer=$(printf 'url = "%s"\n' "$L1_RPC_URL" | curl --config - --fail --silent --show-error --max-time 30 -H 'content-type: application/json' --data "$request" 2>&1); then
    echo "cannot read $what from L1: $(printf '%s\n' "$answer" | redact)" >&2
    return 1
  fi
  if ! result=$(printf '%s' "$answer" | jq -er '.result // empty'); then
    echo "cannot read $what from L1: $(printf '%s\n' "$answer" | redact)" >&2
    return 1
  fi
  printf '%s\n' "$result"
}

# True when L1 has code at $1.
has_code() {
  local code
  [ -n "$1" ] || return 1
  code=$(l1_call "the code at $1" eth_getCode "[\"$1\",\"latest\"]") || exit 1
  [ "$code" != "0x" ]
}

# "<latest>:<pending>" transaction counts of DEPLOYER_ADDRESS on L1.
deployer_nonces() {
  local latest pending
  latest=$(l1_call "the deployer's nonce" eth_getTransactionCount "[\"$DEPLOYER_ADDRESS\",\"latest\"]") || return 1
  pending=$(l1_call "the deployer's pending nonce" eth_getTransactionCount "[\"$DEPLOYER_ADDRESS\",\"pending\"]") || return 1
  printf '%s:%s\n' "$((latest))" "$((pending))"
}

# True when the intent.toml of the workdir $1 is INTENT_TOML as write_intent writes it.
same_intent() {
  [ -f "$1/intent.toml" ] && printf '%s\n' "$INTENT_TOML" | cmp -s - "$1/intent.toml"
}

# Writes INTENT_TOML as the intent.toml of the workdir $1.
write_intent() {
  printf '%s\n' "$INTENT_TOML" > "$1/intent.toml.tmp"
  mv -f "$1/intent.toml.tmp" "$1/intent.toml"
}

# Runs `op-deployer apply` on the workdir $1 with the target $2; the log goes to $1/$3 (0600), and on
# failure its tail is printed masked.
run_apply() {
  local log="$1/$3"
  if ! "$OP_DEPLOYER" apply --workdir "$1" --deployment-target "$2" > "$log" 2>&1 < /dev/null; then
    echo "op-deployer apply --deployment-target $2 failed; the last lines of $log:" >&2
    tail -n 40 "$log" | redact >&2
    return 1
  fi
}

# The chain's start block: the finalized L1 block once it holds the deploy (code at the SystemConfigProxy $1 in
# that block, and not before DEPLOY_BLOCK), as state.json's startBlock {hash, parentHash, number, timestamp}.
# A finalized block cannot be reorged out, so rollup.json's genesis.l1 stays on the canonical chain. Waits
# START_BLOCK_WAIT_SECONDS (default 1800; Sepolia finalizes in about 13 minutes) with progress on stderr.
finalized_start_block() {
  local proxy=$1 since=$SECONDS waited=0 limit=${START_BLOCK_WAIT_SECONDS:-1800} poll=${START_BLOCK_POLL_SECONDS:-12}
  local block number code
  # A limit that is not a number would make the comparison below fail every time: a wait that never ends.
  [[ $limit =~ ^[0-9]+$ ]] || { echo "START_BLOCK_WAIT_SECONDS must be a whole number of seconds, got \"$limit\"." >&2; return 1; }
  [[ $poll =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "START_BLOCK_POLL_SECONDS must be a number of seconds, got \"$poll\"." >&2; return 1; }
  while :; do
    waited=$((SECONDS - since))
    block=$(l1_call "L1's finalized block" eth_getBlockByNumber '["finalized",false]') || return 1
    number=$(jq -r '.number' <<< "$block")
    code=$(l1_call "the code at $proxy in the finalized block" eth_getCode "[\"$proxy\",\"$number\"]") || return 1
    if [ "$code" != "0x" ] && [ "$((number))" -ge "${DEPLOY_BLOCK:-0}" ]; then
      jq -c '{hash, parentHash, number, timestamp}' <<< "$block"
      return 0
    fi
    if [ "$waited" -ge "$limit" ]; then
      echo "L1 has not finalized the deploy within ${limit} s (finalized block $((number)), deploy block ${DEPLOY_BLOCK:-unknown}); the chain's start block must be a finalized block that holds it. Nothing was applied; run \`pulumi up\` again once L1 finalizes (a stalled finality on Sepolia shows on any beacon explorer)." >&2
      return 1
    fi
    echo "waiting for L1 to finalize the deploy for the start block: finalized block $((number)), deploy block ${DEPLOY_BLOCK:-unknown}; $((limit - waited)) s left" >&2
    sleep "$poll"
  done
}
