# shellcheck shell=bash
# shellcheck disable=SC2153 # every variable is exported by the stack in front of this script
# Puts the configured Cannon absolute prestate into PRESTATES_DIR as <hash><ext> (the name op-challenger
# looks for) and proves it is that prestate first: `cannon witness`, from the pinned op-challenger
# image, must report the configured hash. A file that does not match is refused and not installed.
# Needs: PRESTATES_DIR PRESTATE_HASH PRESTATE_FILE_NAME CHALLENGER_IMAGE, and PRESTATE_PATH or PRESTATE_URL
install -d -m 0750 "$PRESTATES_DIR"
incoming=$(mktemp -d "$PRESTATES_DIR/.incoming.XXXXXX")
trap 'rm -rf "$incoming"' EXIT
file="$incoming/$PRESTATE_FILE_NAME"

if [ -n "${PRESTATE_PATH:-}" ]; then
  if [ ! -f "$PRESTATE_PATH" ]; then
    echo "ecp:prestate.path $PRESTATE_PATH does not exist on this host. Copy the prestate there, or set ecp:prestate.url." >&2
    exit 1
  fi
  cp "$PRESTATE_PATH" "$file"
else
  if ! curl --fail --silent --show-error --location --retry 3 --output "$file" "$PRESTATE_URL"; then
    echo "cannot download ecp:prestate.url $PRESTATE_URL." >&2
    exit 1
  fi
fi

if ! witness=$(docker run --rm --network none -v "$incoming:/prestate:ro" --entrypoint cannon \
  "$CHALLENGER_IMAGE" witness --input "/prestate/$PRESTATE_FILE_NAME"); then
  echo "cannon cannot read the prestate from ${PRESTATE_PATH:-$PRESTATE_URL}: it must be a Cannon binary state (.bin.gz)." >&2
  exit 1
fi
actual=$(printf '%s' "$witness" | grep -o '"witnessHash": *"0x[0-9a-fA-F]*"' | grep -o '0x[0-9a-fA-F]*' | tr 'A-F' 'a-f')
if [ "$actual" != "$PRESTATE_HASH" ]; then
  echo "refusing the prestate from ${PRESTATE_PATH:-$PRESTATE_URL}: it is the prestate ${actual:-<none>}, not ecp:prestate.hash $PRESTATE_HASH." >&2
  echo "op-challenger would refuse every game with it. Build the prestate for this chain, or fix ecp:prestate.hash." >&2
  exit 1
fi
mv -f "$file" "$PRESTATES_DIR/$PRESTATE_FILE_NAME"
echo "$actual"
