#!/usr/bin/env bash
# Bootstrap the chain without Pulumi: download op-deployer, build intent.toml from the stack file with the
# stack's own TypeScript, preflight, deploy (op-deployer's calldata run, the send, `op-deployer apply`: the
# stack's own three steps, see components/deployer/send.ts), and write genesis.json / rollup.json / l1.json.
# The same steps `pulumi up` runs (components/deployer); use it to inspect or debug a deployment by hand.
#
#   ECP_DEPLOYER_PRIVATE_KEY=0x… ECP_L1_RPC_URL=https://… ECP_L1_BEACON_URL=https://… \
#     scripts/op-stack/setup-rollup.sh [Pulumi.sepolia.yaml] [work-dir, default ./rollup]
#
# Optional: ECP_BATCHER_PRIVATE_KEY ECP_PROPOSER_PRIVATE_KEY ECP_CHALLENGER_PRIVATE_KEY ECP_SEQUENCER_PRIVATE_KEY
# (each defaults to the deployer key, as in the stack). Re-running resumes: nothing is sent twice, and a
# deployed chain (<work-dir>/deployer/state.json records it) is left as it is, intent.toml included (the stack
# file's intent is written to <work-dir>/intent.toml); its config is checked against the one it started from.
# The stack file's ecp:l1RpcTxFeeCap and ecp:deployMaxFeeGwei bound the deploy transaction, as in the stack.
set -euo pipefail
cd "$(dirname "$0")/../.."

stack_file=${1:-Pulumi.sepolia.yaml}
work=${2:-./rollup}
tsx=node_modules/.bin/tsx

step() { printf '\n== %s\n' "$*" >&2; }
fail() { echo "error: $1" >&2; [ -z "${2:-}" ] || echo "  Example: $2" >&2; exit 1; }

[ -f "$stack_file" ] || fail "stack file $stack_file not found." "scripts/op-stack/setup-rollup.sh Pulumi.sepolia.yaml"
[ -x "$tsx" ] || fail "dependencies are not installed." "npm ci"
[ -n "${ECP_DEPLOYER_PRIVATE_KEY:-}" ] || fail "ECP_DEPLOYER_PRIVATE_KEY is not set." "read -rs ECP_DEPLOYER_PRIVATE_KEY && export ECP_DEPLOYER_PRIVATE_KEY"
export ECP_L1_RPC_URL="${ECP_L1_RPC_URL:-https://ethereum-sepolia-rpc.publicnode.com}"
export ECP_L1_BEACON_URL="${ECP_L1_BEACON_URL:-https://ethereum-sepolia-beacon-api.publicnode.com}"

# Values from the stack file, through the stack's own config loader.
settings=$("$tsx" -e '
  import("./scripts/op-stack/render-intent.ts").then(async (m) => {
    const { loadConfig } = await import("./components/config/load.ts");
    const { readFileSync } = await import("node:fs");
    const c = loadConfig(m.rawConfigFromStackFile(readFileSync(process.argv[1], "utf8"), process.env));
    const { formatEther } = await import("viem");
    const w = c.minDeployerBalanceWei;
    const f = c.deployFees;
    console.log([c.opDeployer.version, c.opDeployer.sha256, c.l2ChainId, w, "0x" + w.toString(16), formatEther(w), f.rpcTxFeeCapWei, f.maxFeePerGasWei ?? "-"].join(" "));
  }).catch((e) => { console.error(e.message); process.exit(1); });' "$stack_file")
read -r version sha256 l2_chain_id min_balance_wei min_balance_hex min_balance_eth fee_cap_wei max_fee_wei <<< "$settings"
[ "$max_fee_wei" != "-" ] || max_fee_wei=

step "op-deployer $version (sha256-verified)"
op_deployer=$(scripts/op-stack/download-op-deployer.sh "$version" "$sha256" "$work/bin")

step "op-deployer init (for the fields it decides)"
init_dir=$(mktemp -d)
trap 'rm -rf "$init_dir"' EXIT
"$op_deployer" init --l1-chain-id 11155111 --l2-chain-ids "$l2_chain_id" --workdir "$init_dir" --intent-type standard-overrides >&2

step "intent.toml from $stack_file"
mkdir -p "$work/deployer" "$work/config"
[ -f "$work/deployer/state.json" ] || cp "$init_dir/state.json" "$work/deployer/state.json"
# The config's intent goes beside the workdir, not into it: a workdir that records the chain keeps the intent
# it was deployed from (remote/op-deployer-apply.sh), and the calldata step writes it there before a first deploy.
roles=$("$tsx" scripts/op-stack/render-intent.ts "$stack_file" "$init_dir/intent.toml" "$work/intent.toml")
echo "$roles" >&2
deployer=$(printf '%s' "$roles" | sed -n 's/.*"deployer": "\(0x[0-9a-fA-F]*\)".*/\1/p')

step "preflight"
ECP_DEPLOYER_ADDRESS="$deployer" ECP_MIN_DEPLOYER_BALANCE_WEI="$min_balance_wei" "$tsx" scripts/op-stack/preflight.ts

# The remote steps' scripts, run here: strict mode, the shared functions, then the script (as the stack does).
remote() { cat <(printf 'set -euo pipefail\n') scripts/op-stack/remote/op-deployer-lib.sh "scripts/op-stack/remote/$1" | bash -s; }
export OP_DEPLOYER="$op_deployer" WORKDIR="$work/deployer" L1_CHAIN_ID=11155111 L2_CHAIN_ID="$l2_chain_id" \
  INTENT_TYPE=standard-overrides L1_RPC_URL="$ECP_L1_RPC_URL" DEPLOYER_PRIVATE_KEY="$ECP_DEPLOYER_PRIVATE_KEY" \
  DEPLOYER_ADDRESS="$deployer" MIN_BALANCE_WEI_HEX="$min_balance_hex" MIN_BALANCE_TEXT="$min_balance_eth ETH"
INTENT_TOML=$(cat "$work/intent.toml")
export INTENT_TOML

step "op-deployer apply --deployment-target calldata (first deploy only)"
plan=$(remote op-deployer-calldata.sh)

step "the deploy transaction (first deploy only)"
opcm=$(sed -n 's/^opcmAddress = "\(0x[0-9a-fA-F]*\)"$/\1/p' "$work/intent.toml")
# The stack file's fee limits (ecp:l1RpcTxFeeCap, ecp:deployMaxFeeGwei), as the stack passes them.
sent=$(printf '%s\n' "$plan" | ECP_DEPLOYER_KEY="$ECP_DEPLOYER_PRIVATE_KEY" ECP_OPCM="$opcm" \
  ECP_RPC_TX_FEE_CAP_WEI="$fee_cap_wei" ECP_DEPLOY_MAX_FEE_WEI="$max_fee_wei" "$tsx" scripts/op-stack/deploy-send.ts)
echo "$sent" >&2
DEPLOY_BLOCK=$(printf '%s' "$sent" | jq -r 'if .status == "sent" then .block else "0" end')
export DEPLOY_BLOCK

step "op-deployer apply (Sepolia)"
remote op-deployer-apply.sh > /dev/null

step "genesis.json, rollup.json, l1.json -> $work/config"
# The stack's own inspect step: it holds every later render to the chain config the chain started from.
CONFIG_DIR="$work/config" remote op-deployer-inspect.sh > /dev/null
echo "done: $work/deployer/state.json, $work/config/{genesis,rollup,l1}.json" >&2
