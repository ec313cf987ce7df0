# shellcheck shell=bash
# Creates the stack's directories under the state directory. Existing directories and their data are kept.
# Needs: STATE_DIR DIRS (lines of "<relative path> <mode>")
install -d -m 0750 "$STATE_DIR"
while read -r path mode; do
  [ -n "$path" ] || continue
  install -d -m "$mode" "$STATE_DIR/$path"
done <<< "$DIRS"
