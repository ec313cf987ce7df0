import { describe, expect, it } from "vitest";

import { loadConfig } from "./load.js";
import { deriveRoleAddresses } from "./roles.js";
import { minimalRawConfig, TEST_ADDRESSES, testConfig } from "./test-fixtures.js";

describe("deriveRoleAddresses", () => {
  it("test_roles_OneKeyPerRole_MapsEachRoleToItsKey", () => {
    const roles = deriveRoleAddresses(testConfig());
    expect(roles).toEqual({
      deployer: TEST_ADDRESSES.deployer,
      l1ProxyAdminOwner: TEST_ADDRESSES.deployer,
      l2ProxyAdminOwner: TEST_ADDRESSES.deployer,
      systemConfigOwner: TEST_ADDRESSES.deployer,
      unsafeBlockSigner: TEST_ADDRESSES.sequencer,
      batcher: TEST_ADDRESSES.batcher,
      proposer: TEST_ADDRESSES.proposer,
      challenger: TEST_ADDRESSES.challenger,
      baseFeeVaultRecipient: TEST_ADDRESSES.deployer,
      l1FeeVaultRecipient: TEST_ADDRESSES.deployer,
      sequencerFeeVaultRecipient: TEST_ADDRESSES.deployer,
      operatorFeeVaultRecipient: TEST_ADDRESSES.deployer,
    });
  });

  it("test_roles_NoRoleKeys_EveryRoleIsTheDeployer", () => {
    const roles = deriveRoleAddresses(loadConfig(minimalRawConfig()));
    expect(new Set(Object.values(roles))).toEqual(new Set([TEST_ADDRESSES.deployer]));
  });
});
