# shellcheck shell=bash
# Copies what a rebuild needs without redeploying L1 into a new timestamped directory under BACKUP_DIR:
# op-deployer's state.json and intent.toml, and the chain's genesis.json, rollup.json and l1.json, with
# their sha256 in SHA256SUMS. Files are mode 0600 in a 0700 directory. Prints the directory.
# Needs: WORKDIR CONFIG_DIR BACKUP_DIR STATE_SHA256
umask 077
for f in "$WORKDIR/state.json" "$WORKDIR/intent.toml" "$CONFIG_DIR/genesis.json" "$CONFIG_DIR/rollup.json" "$CONFIG_DIR/l1.json"; do
  if [ ! -f "$f" ]; then
    echo "backup: $f is missing; nothing was copied. Run \`pulumi up\` again once op-deployer's inspect has written it." >&2
    exit 1
  fi
done
install -d -m 0700 "$BACKUP_DIR"
dest="$BACKUP_DIR/$(date -u +%Y%m%dT%H%M%SZ)-${STATE_SHA256:0:12}"
tmp="$dest.partial"
rm -rf "$tmp"
install -d -m 0700 "$tmp"
cp "$WORKDIR/state.json" "$WORKDIR/intent.toml" "$tmp/"
cp "$CONFIG_DIR/genesis.json" "$CONFIG_DIR/rollup.json" "$CONFIG_DIR/l1.json" "$tmp/"
chmod 0600 "$tmp"/*
(cd "$tmp" && sha256sum state.json intent.toml genesis.json rollup.json l1.json > SHA256SUMS)
if [ "$(sha256sum "$tmp/state.json" | cut -d' ' -f1)" != "$STATE_SHA256" ]; then
  rm -rf "$tmp"
  echo "backup: state.json changed while it was being copied (expected sha256 $STATE_SHA256); nothing was kept. Run \`pulumi up\` again." >&2
  exit 1
fi
# Only a complete copy gets its final name.
mv "$tmp" "$dest"
echo "$dest"
