/**
 * Where the op-deployer binary comes from, and how to check it.
 *
 * Naming: mono@op-deployer/v0.7.1:op-deployer/.goreleaser.yaml. GoReleaser's `.Version` is the tag without
 * the `op-deployer/` prefix and without the leading `v`; archives are `tar.gz`, wrapped in a directory of the
 * same name; releases live on ethereum-optimism/optimism under the tag `op-deployer/vX.Y.Z`.
 * The asset names were derived from that config, not seen on the release page (see docs/opstack-pins.md).
 */
import { OP_DEPLOYER_RELEASE_BASE } from "../config/defaults.js";

export interface OpDeployerRelease {
  /** Git tag, e.g. `op-deployer/v0.7.1`. */
  tag: string;
  /** `op-deployer-0.7.1-linux-amd64.tar.gz`. */
  assetName: string;
  url: string;
  /** Path of the binary inside the archive. */
  binaryPathInArchive: string;
  /** One line for `sha256sum -c`. */
  sha256sumLine: string;
}

export function opDeployerRelease(version: string, sha256: string, platform = "linux-amd64"): OpDeployerRelease {
  if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new Error(`op-deployer version must look like v0.7.1, got ${JSON.stringify(version)}.`);
  }
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new Error("op-deployer sha256 must be 64 lowercase hex characters.");
  }
  const tag = `op-deployer/${version}`;
  const dir = `op-deployer-${version.slice(1)}-${platform}`;
  const assetName = `${dir}.tar.gz`;
  return {
    tag,
    assetName,
    url: `${OP_DEPLOYER_RELEASE_BASE}/${encodeURIComponent(tag)}/${assetName}`,
    binaryPathInArchive: `${dir}/op-deployer`,
    sha256sumLine: `${sha256}  ${assetName}`,
  };
}
