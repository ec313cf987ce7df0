#!/usr/bin/env bash
# Download a pinned op-deployer release, verify its sha256, and install it.
#
#   scripts/op-stack/download-op-deployer.sh <version> <sha256> [dest-dir]
#   scripts/op-stack/download-op-deployer.sh v0.7.1 <64 hex> /var/lib/ecp-opstack/bin
#
# <sha256> is the checksum of the linux-amd64 release tarball (op-deployer-0.7.1-linux-amd64.tar.gz),
# as recorded in `ecp:opDeployerSha256`. A tarball whose checksum differs is refused and nothing is
# installed. Re-running with an installed, verified version does nothing. Prints the binary's path.
#
# OP_DEPLOYER_RELEASE_BASE overrides where releases are fetched from (default: the optimism monorepo's
# GitHub releases; asset naming from op-deployer/.goreleaser.yaml). OP_DEPLOYER_PLATFORM overrides the
# platform (default linux-amd64).
set -euo pipefail

usage() {
  echo "usage: $0 <version, e.g. v0.7.1> <sha256 of the tarball> [dest-dir, default ./bin]" >&2
  exit 2
}

if [ "$#" -lt 2 ] || [ "$#" -gt 3 ]; then usage; fi
version=$1
sha256=$2
dest=${3:-./bin}
platform=${OP_DEPLOYER_PLATFORM:-linux-amd64}
base=${OP_DEPLOYER_RELEASE_BASE:-https://github.com/ethereum-optimism/optimism/releases/download}

if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "version must look like v0.7.1, got '$version'." >&2
  exit 2
fi
if ! [[ $sha256 =~ ^[0-9a-f]{64}$ ]]; then
  echo "sha256 must be 64 lowercase hex characters (sha256sum of the tarball), got ${#sha256} characters." >&2
  exit 2
fi

dir="op-deployer-${version#v}-${platform}"
asset="${dir}.tar.gz"
url="${base}/op-deployer%2F${version}/${asset}"
target="${dest}/op-deployer-${version}"
marker="${target}.sha256"

if [ -x "$target" ] && [ -f "$marker" ] && [ "$(cat "$marker")" = "$sha256" ]; then
  echo "$target"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "downloading $asset" >&2
if ! curl --fail --silent --show-error --location --retry 3 --output "$work/$asset" "$url"; then
  echo "cannot download $url. Check the version, or set OP_DEPLOYER_RELEASE_BASE." >&2
  exit 1
fi

actual=$(sha256sum "$work/$asset" | cut -d' ' -f1)
if [ "$actual" != "$sha256" ]; then
  echo "refusing $asset: its sha256 is $actual, expected $sha256. Nothing was installed." >&2
  echo "If the release is right and the pin is wrong, update ecp:opDeployerSha256 after checking the release." >&2
  exit 1
fi

tar -xzf "$work/$asset" -C "$work"
if [ ! -f "$work/$dir/op-deployer" ]; then
  echo "$asset has no $dir/op-deployer inside; is the platform '$platform' right?" >&2
  exit 1
fi

mkdir -p "$dest"
install -m 0755 "$work/$dir/op-deployer" "$target.tmp"
mv -f "$target.tmp" "$target"
printf '%s' "$sha256" > "$marker"
ln -sfn "op-deployer-${version}" "${dest}/op-deployer"
echo "$target"
