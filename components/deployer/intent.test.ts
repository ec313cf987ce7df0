import { readFileSync } from "node:fs";

import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";

import { loadConfig } from "../config/load.js";
import { deriveRoleAddresses } from "../config/roles.js";
import { minimalRawConfig, TEST_ADDRESSES, TEST_PRESTATE, testConfig } from "../config/test-fixtures.js";
import {
  buildIntent,
  chainIdToHash,
  DEFAULT_INTENT_BASE,
  intentBaseFromInitToml,
  IntentError,
  intentToToml,
} from "./intent.js";

const initToml = readFileSync(new URL("./fixtures/init-intent.toml", import.meta.url), "utf8");

function tomlRoundTrip(text: string): Record<string, any> {
  return parseToml(text) as Record<string, any>;
}

describe("buildIntent", () => {
  const config = testConfig();
  const roles = deriveRoleAddresses(config);
  const intent = buildIntent(config, roles, intentBaseFromInitToml(initToml));
  const toml = tomlRoundTrip(intentToToml(intent));

  it("test_intent_TopLevel_IsStandardOverridesOnSepoliaWithInitsOpcmAndLocators", () => {
    expect(toml).toMatchObject({
      configType: "standard-overrides",
      opDeployerVersion: "v0.7.1-1a2b3c4d-1782432000",
      l1ChainID: 11155111,
      opcmAddress: "0x44e197058fb98Fb3618453b3D90CDEf6f5Db8297",
      fundDevAccounts: false,
      l1ContractsLocator: "embedded",
      l2ContractsLocator: "embedded",
      useInterop: false,
    });
    // No superchainRoles when the OPCM is set (Intent.validateCustomConfig rejects both).
    expect(toml).not.toHaveProperty("superchainRoles");
    expect(toml.chains).toHaveLength(1);
  });

  it("test_intent_Chain_HasIdVaultsAndStandardParameters", () => {
    const chain = toml.chains[0];
    expect(chain.id).toBe("0x00000000000000000000000000000000000000000000000000000000000040c8");
    expect(chain).toMatchObject({
      baseFeeVaultRecipient: TEST_ADDRESSES.deployer,
      l1FeeVaultRecipient: TEST_ADDRESSES.deployer,
      sequencerFeeVaultRecipient: TEST_ADDRESSES.deployer,
      operatorFeeVaultRecipient: TEST_ADDRESSES.deployer,
      eip1559DenominatorCanyon: 250,
      eip1559Denominator: 50,
      eip1559Elasticity: 6,
      gasLimit: 60000000,
    });
  });

  it("test_intent_Roles_AreOursAndNonZero", () => {
    expect(toml.chains[0].roles).toEqual({
      l1ProxyAdminOwner: TEST_ADDRESSES.deployer,
      l2ProxyAdminOwner: TEST_ADDRESSES.deployer,
      systemConfigOwner: TEST_ADDRESSES.deployer,
      unsafeBlockSigner: TEST_ADDRESSES.sequencer,
      batcher: TEST_ADDRESSES.batcher,
      proposer: TEST_ADDRESSES.proposer,
      challenger: TEST_ADDRESSES.challenger,
    });
  });

  it("test_intent_DeployOverrides_CarryPermissionedGameAndConfiguredPrestate", () => {
    expect(toml.chains[0].deployOverrides).toEqual({
      respectedGameType: 1,
      faultGameAbsolutePrestate: TEST_PRESTATE,
    });
    expect(toml).not.toHaveProperty("globalDeployOverrides");
  });

  it("test_intent_NoPrestate_UsesOpDeployersStandardPrestate", () => {
    const c = loadConfig(minimalRawConfig());
    const t = tomlRoundTrip(intentToToml(buildIntent(c, deriveRoleAddresses(c))));
    expect(t.chains[0].deployOverrides).toEqual({
      respectedGameType: 1,
      faultGameAbsolutePrestate: "0x038512e02c4c3f7bdaec27d00edf55b7155e0905301e1a88083e4e0a6764d54c",
    });
    expect(t.opDeployerVersion).toBe("v0.7.1");
    expect(t.opcmAddress).toBe(DEFAULT_INTENT_BASE.opcmAddress);
  });

  it("test_intent_Permissionless_StillDeploysPermissionedGame", () => {
    const c = testConfig({ "ecp:permissionless": "true" });
    expect(buildIntent(c, deriveRoleAddresses(c)).chains[0]?.deployOverrides.respectedGameType).toBe(1);
  });

  it("test_intent_FailsIf_AnyRoleOrVaultIsZero", () => {
    const zero = "0x0000000000000000000000000000000000000000" as const;
    const bad = { ...roles, challenger: zero, operatorFeeVaultRecipient: zero };
    expect(() => buildIntent(config, bad)).toThrow(IntentError);
    try {
      buildIntent(config, bad);
    } catch (e) {
      expect((e as IntentError).problems).toEqual([
        "`roles.challenger` is the zero address; op-deployer requires every role and fee vault to be set.",
        "`operatorFeeVaultRecipient` is the zero address; op-deployer requires every role and fee vault to be set.",
      ]);
    }
  });
});

describe("chainIdToHash", () => {
  it("test_chainIdToHash_PadsTo32Bytes", () => {
    expect(chainIdToHash(16584)).toBe("0x00000000000000000000000000000000000000000000000000000000000040c8");
    expect(chainIdToHash(1n)).toBe(`0x${"0".repeat(63)}1`);
  });
});

describe("intentBaseFromInitToml", () => {
  it("test_initBase_ReadsOpcmLocatorsAndVersion", () => {
    expect(intentBaseFromInitToml(initToml)).toEqual({
      opDeployerVersion: "v0.7.1-1a2b3c4d-1782432000",
      opcmAddress: "0x44e197058fb98Fb3618453b3D90CDEf6f5Db8297",
      l1ContractsLocator: "embedded",
      l2ContractsLocator: "embedded",
    });
  });

  it("test_initBase_FailsIf_InitUsedTheWrongTypeOrChain", () => {
    const wrong = initToml
      .replace('configType = "standard-overrides"', 'configType = "standard"')
      .replace("l1ChainID = 11155111", "l1ChainID = 1")
      .replace(/^l2ContractsLocator.*$/m, "");
    try {
      intentBaseFromInitToml(wrong);
      expect.unreachable();
    } catch (e) {
      expect((e as IntentError).problems).toEqual([
        '`configType` is "standard", expected "standard-overrides". Run `op-deployer init --intent-type standard-overrides`.',
        "`l1ChainID` is 1, expected 11155111 (Sepolia). Run `op-deployer init --l1-chain-id 11155111`.",
        "`l2ContractsLocator` is missing.",
      ]);
    }
  });
});
