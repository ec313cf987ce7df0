# shellcheck shell=bash
# Writes genesis.json, rollup.json and l1.json for the services into CONFIG_DIR (atomically), then prints
# one JSON object: the sha256 of genesis.json and rollup.json, rollup.json itself, l1.json, and state.json
# without its bulky parts (L2 allocs, L1 state dump, calldata).
# The chain config the chain started from is recorded once, in $WORKDIR/chain-config.sha256 (sha256sum lines):
# from the config files already in CONFIG_DIR when there are any (what the nodes run), else from the first
# render. Every later render must give the same genesis.json and rollup.json: `inspect` renders them from
# state.json's appliedIntent, and a rewritten intent (a rotated batcher) would give a rollup.json that a node
# syncing from genesis derives a different chain with. A mismatch stops here, naming both hashes, and the
# files in CONFIG_DIR are left as they were.
# Needs: OP_DEPLOYER WORKDIR CONFIG_DIR L2_CHAIN_ID
install -d -m 0755 "$CONFIG_DIR"
record="$WORKDIR/chain-config.sha256"
sha() { sha256sum "$1" | cut -d' ' -f1; }
recorded() { awk -v f="$1" '$2 == f { print $1 }' "$record"; }

if [ ! -f "$record" ] && [ -f "$CONFIG_DIR/genesis.json" ] && [ -f "$CONFIG_DIR/rollup.json" ]; then
  printf '%s  genesis.json\n%s  rollup.json\n' "$(sha "$CONFIG_DIR/genesis.json")" "$(sha "$CONFIG_DIR/rollup.json")" > "$record"
fi
for what in genesis rollup l1; do
  "$OP_DEPLOYER" inspect "$what" --workdir "$WORKDIR" --outfile "$CONFIG_DIR/$what.json.tmp" "$L2_CHAIN_ID"
  chmod 0644 "$CONFIG_DIR/$what.json.tmp"
done
if [ -f "$record" ]; then
  for what in genesis rollup; do
    was=$(recorded "$what.json")
    now=$(sha "$CONFIG_DIR/$what.json.tmp")
    if ! [[ $was =~ ^[0-9a-f]{64}$ ]]; then
      rm -f "$CONFIG_DIR"/*.json.tmp
      echo "$record has no sha256 for $what.json (it holds one line per file, as sha256sum writes them), so the render cannot be checked; nothing was replaced in $CONFIG_DIR. Restore the file, or write it from the genesis.json and rollup.json of the backup under ecp:backupDir taken right after the deploy (their SHA256SUMS lines), and run \`pulumi up\` again." >&2
      exit 1
    fi
    if [ "$was" != "$now" ]; then
      rm -f "$CONFIG_DIR"/*.json.tmp
      echo "op-deployer inspect rendered a $what.json with sha256 $now, but chain $L2_CHAIN_ID started from the $what.json with sha256 $was ($record). A node syncing from genesis with the new file would derive a different chain, so nothing was replaced in $CONFIG_DIR. state.json's appliedIntent has changed since the deploy: put back the state.json of a backup under ecp:backupDir whose SHA256SUMS lists rollup.json with sha256 $was, and run \`pulumi up\` again." >&2
      exit 1
    fi
  done
else
  printf '%s  genesis.json\n%s  rollup.json\n' "$(sha "$CONFIG_DIR/genesis.json.tmp")" "$(sha "$CONFIG_DIR/rollup.json.tmp")" > "$record"
fi
for what in genesis rollup l1; do
  mv -f "$CONFIG_DIR/$what.json.tmp" "$CONFIG_DIR/$what.json"
done
jq -c -n \
  --arg genesisSha256 "$(sha "$CONFIG_DIR/genesis.json")" \
  --arg rollupSha256 "$(sha "$CONFIG_DIR/rollup.json")" \
  --slurpfile rollup "$CONFIG_DIR/rollup.json" \
  --slurpfile l1 "$CONFIG_DIR/l1.json" \
  --slurpfile state "$WORKDIR/state.json" \
  '{genesisSha256: $genesisSha256, rollupSha256: $rollupSha256, rollup: $rollup[0], l1: $l1[0],
    state: ($state[0] | del(.l1StateDump, .DeploymentCalldata) | .opChainDeployments |= map(del(.allocs)))}'
