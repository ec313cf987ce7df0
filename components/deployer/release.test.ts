import { describe, expect, it } from "vitest";

import { TEST_SHA256 } from "../config/test-fixtures.js";
import { opDeployerRelease } from "./release.js";

describe("opDeployerRelease", () => {
  it("test_release_PinnedVersion_NamesTheLinuxAmd64Tarball", () => {
    expect(opDeployerRelease("v0.7.1", TEST_SHA256)).toEqual({
      tag: "op-deployer/v0.7.1",
      assetName: "op-deployer-0.7.1-linux-amd64.tar.gz",
      url: "https://github.com/ethereum-optimism/optimism/releases/download/op-deployer%2Fv0.7.1/op-deployer-0.7.1-linux-amd64.tar.gz",
      binaryPathInArchive: "op-deployer-0.7.1-linux-amd64/op-deployer",
      sha256sumLine: `${TEST_SHA256}  op-deployer-0.7.1-linux-amd64.tar.gz`,
    });
  });

  it("test_release_FailsIf_VersionOrChecksumIsMalformed", () => {
    expect(() => opDeployerRelease("latest", TEST_SHA256)).toThrow('op-deployer version must look like v0.7.1, got "latest".');
    expect(() => opDeployerRelease("v0.7.1", "abc")).toThrow("op-deployer sha256 must be 64 lowercase hex characters.");
  });
});
