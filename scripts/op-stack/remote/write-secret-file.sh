# shellcheck shell=bash
# Writes a secret to a file readable only by the operator account (mode 0600), atomically.
# Needs: TARGET CONTENT
umask 077
install -d -m 0700 "$(dirname "$TARGET")"
printf '%s' "$CONTENT" > "$TARGET.tmp"
mv -f "$TARGET.tmp" "$TARGET"
