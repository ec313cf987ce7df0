# shellcheck shell=bash
# Writes generated config files under DIR, each atomically (a temporary file, then rename), and removes
# files under DIR that are not in the list, so a dashboard or rule file dropped from the stack goes away.
# Needs: DIR FILES (lines of "<relative path> <base64 content>")
umask 027
install -d -m 0750 "$DIR"
keep=$(mktemp)
trap 'rm -f "$keep"' EXIT
while read -r rel b64; do
  [ -n "$rel" ] || continue
  case "$rel" in /*|*..*) echo "refusing to write $rel: not a relative path inside $DIR" >&2; exit 1;; esac
  install -d -m 0750 "$(dirname "$DIR/$rel")"
  printf '%s' "$b64" | base64 -d > "$DIR/$rel.tmp"
  mv -f "$DIR/$rel.tmp" "$DIR/$rel"
  printf '%s\n' "$DIR/$rel" >> "$keep"
done <<< "$FILES"
find "$DIR" -type f | { grep -vxF -f "$keep" || true; } | while read -r stale; do rm -f "$stale"; done
