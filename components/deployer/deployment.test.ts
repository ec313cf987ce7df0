/**
 * Fixtures: fixtures/state.json and fixtures/rollup.json are shaped from op-deployer v0.7.1's structs
 * (state/state.go, op-chain-ops/addresses/contracts.go, op-node/rollup/types.go). Chain-specific addresses
 * are made up (keccak of a label); implementation addresses are the Sepolia op-contracts/v7.0.0-rc.4 ones from
 * superchain-registry validation/standard/standard-versions-sepolia.toml, which a standard-overrides deploy
 * through the shared OPCM reuses.
 */
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import {
  contentSha256,
  DeploymentError,
  effectiveAbsolutePrestate,
  expectedBatchInboxAddress,
  l2GenesisHash,
  parseDeployment,
  parseRollupJson,
  parseStateJson,
} from "./deployment.js";

const stateText = readFileSync(new URL("./fixtures/state.json", import.meta.url), "utf8");
const rollupText = readFileSync(new URL("./fixtures/rollup.json", import.meta.url), "utf8");
const CHAIN = 16584;
const CHAIN_HASH = "0x00000000000000000000000000000000000000000000000000000000000040c8";

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DeploymentError);
    return (e as DeploymentError).problems;
  }
  throw new Error("expected a DeploymentError");
}

function mutatedState(mutate: (doc: any) => void): string {
  const doc = JSON.parse(stateText);
  mutate(doc);
  return JSON.stringify(doc);
}

describe("parseDeployment", () => {
  const d = parseDeployment({ stateJson: stateText, rollupJson: rollupText, l2ChainId: CHAIN });

  it("test_deployment_Addresses_AreChecksummedAndComplete", () => {
    expect(d.addresses).toEqual({
      OpChainProxyAdminImpl: "0x23A2C047ba9206869a6a130A317bf0648eC38413",
      AddressManagerImpl: "0x6AA8B9eA78d95B5639063aa7F1DF545a23F352d0",
      SystemConfigProxy: "0x32c7b572936bDc20534048bC910ade23628c5ACB",
      OptimismPortalProxy: "0x39546c8faBB46539225EF33E26F5BF21C71a096E",
      L1StandardBridgeProxy: "0x4d5297C5d10e933cFd24A994d83591873D2314CF",
      L1CrossDomainMessengerProxy: "0x4E691f28bd46c0418Fe05D05b96d27b2A8Bd0adC",
      L1Erc721BridgeProxy: "0x316A72F357730b01e68EAC32dA9A8C2E24f0E2B6",
      OptimismMintableErc20FactoryProxy: "0x6d6a28F8C9F976904d48E3C65d6f4d02c7a8ECbc",
      DisputeGameFactoryProxy: "0x128D0DeAEd25eE2410394d10f0d3dE7Fb7e0A3DB",
      AnchorStateRegistryProxy: "0x1AF22f4B00D39E6a774928504ceC19c13D1D8563",
      PermissionedDisputeGameImpl: "0x6C7e6Ff6245223d38bE74C8a96Bce1F7e658491F",
      DelayedWethPermissionedGameProxy: "0x67C7225f7B685B21e39DBb242Eead3049B2A3eA7",
      EthLockboxProxy: "0xf7E0DC168311e17851A905ea2708088327457762",
      BatchInboxAddress: "0x0098FAA3fD68E74587CfAD4029165ae7a85A73b5",
    });
    // Zero entries (no permissionless game yet, no Alt-DA, no L2OutputOracle) are left out.
    expect(d.addresses).not.toHaveProperty("FaultDisputeGameImpl");
    expect(d.addresses).not.toHaveProperty("DelayedWethPermissionlessGameProxy");
    expect(d.addresses).not.toHaveProperty("L2OutputOracleProxy");
  });

  it("test_deployment_State_ReportsStartBlockPrestateAndGameType", () => {
    expect(d.chainIdHash).toBe(CHAIN_HASH);
    expect(d.opDeployerVersion).toBe("v0.7.1-1a2b3c4d-1782432000");
    expect(d.startBlock.number).toBe(0x8a3f2cn);
    expect(d.startBlock.timestamp).toBe(0x6a1b2c3dn);
    expect(d.absolutePrestate).toBe("0x03aa000000000000000000000000000000000000000000000000000000000001");
    expect(d.respectedGameType).toBe(1);
    expect(d.additionalDisputeGames).toEqual([]);
    expect(d.implementations["OpcmV2Impl"]).toBe("0x44e197058fb98Fb3618453b3D90CDEf6f5Db8297");
    expect(d.implementations).not.toHaveProperty("FaultDisputeGameImpl");
    expect(d.superchain.SuperchainConfigImpl).toBe("0xE4F9779ab53070a55db24dFAeFf9AF147c6ED550");
  });

  it("test_deployment_Rollup_SummarizesGenesisAndForks", () => {
    expect(d.rollup).toMatchObject({
      l1ChainId: 11155111,
      l2ChainId: 16584,
      blockTime: 2,
      genesis: {
        l1: { hash: "0xedcb0ca15275fe024123facc00090bd553ee4e7c8ab2a7feaf36156aff1c8c83", number: 9060140 },
        l2: { hash: "0x8d2ccc7076c8f74d124aa20bccc0007e3b39b708541299321b846e4f528b7f90", number: 0 },
        l2Time: 1780165693,
      },
    });
    // op-deployer v0.7.1 activates every fork through Jovian at genesis; no Karst.
    expect(d.rollup.forks).toEqual({
      regolith: 0,
      canyon: 0,
      delta: 0,
      ecotone: 0,
      fjord: 0,
      granite: 0,
      holocene: 0,
      isthmus: 0,
      jovian: 0,
    });
    expect(l2GenesisHash(d.rollup)).toBe("0x8d2ccc7076c8f74d124aa20bccc0007e3b39b708541299321b846e4f528b7f90");
  });
});

describe("parseStateJson errors", () => {
  it("test_state_FailsIf_ChainIsNotDeployed", () => {
    expect(problemsOf(() => parseStateJson(stateText, 424242))).toEqual([
      `\`opChainDeployments\` has no entry for chain 424242 (id 0x0000000000000000000000000000000000000000000000000000000000067932); found ${CHAIN_HASH}. Run \`op-deployer apply\` for this chain first.`,
    ]);
  });

  it("test_state_FailsIf_ApplyNeverCompleted", () => {
    const fresh = mutatedState((doc) => {
      doc.appliedIntent = null;
      doc.opChainDeployments = [];
    });
    expect(problemsOf(() => parseStateJson(fresh, CHAIN))).toEqual([
      "`appliedIntent` is missing. `op-deployer apply` has not completed successfully for this workdir; run it again.",
      "`opChainDeployments` has no entry for chain 16584 (id 0x00000000000000000000000000000000000000000000000000000000000040c8); found none. Run `op-deployer apply` for this chain first.",
    ]);
  });

  it("test_state_FailsIf_RequiredContractsAreMissingOrZero_ListsAll", () => {
    const broken = mutatedState((doc) => {
      delete doc.opChainDeployments[0].SystemConfigProxy;
      doc.opChainDeployments[0].DisputeGameFactoryProxy = "0x0000000000000000000000000000000000000000";
      doc.opChainDeployments[0].OptimismPortalProxy = "0x1234";
      delete doc.opChainDeployments[0].startBlock.hash;
    });
    expect(problemsOf(() => parseStateJson(broken, CHAIN))).toEqual([
      "`opChainDeployments[0].SystemConfigProxy` is missing.",
      '`opChainDeployments[0].OptimismPortalProxy` is not an address: "0x1234".',
      "`opChainDeployments[0].DisputeGameFactoryProxy` is the zero address.",
      "`opChainDeployments[0].startBlock.hash` is missing.",
    ]);
  });

  it("test_state_FailsIf_NotJson", () => {
    expect(() => parseStateJson("{not json", CHAIN)).toThrow(/^state\.json is not valid JSON:/);
  });

  it("test_state_AdditionalDisputeGames_AreParsed", () => {
    const withGame = mutatedState((doc) => {
      doc.opChainDeployments[0].additionalDisputeGames = [
        {
          GameType: 0,
          GameAddress: "0x1111111111111111111111111111111111111111",
          VMAddress: "0x2222222222222222222222222222222222222222",
          OracleAddress: "0x3333333333333333333333333333333333333333",
          VMType: "CANNON",
        },
      ];
    });
    expect(parseStateJson(withGame, CHAIN).additionalDisputeGames).toEqual([
      {
        gameType: 0,
        gameAddress: "0x1111111111111111111111111111111111111111",
        vmAddress: "0x2222222222222222222222222222222222222222",
        oracleAddress: "0x3333333333333333333333333333333333333333",
        vmType: "CANNON",
      },
    ]);
  });
});

describe("effectiveAbsolutePrestate", () => {
  const base = JSON.parse(stateText).appliedIntent;

  it("test_prestate_ChainOverrideWinsOverGlobal", () => {
    const intent = { ...base, globalDeployOverrides: { faultGameAbsolutePrestate: `0x03${"bb".repeat(31)}` } };
    expect(effectiveAbsolutePrestate(intent, CHAIN_HASH)).toBe("0x03aa000000000000000000000000000000000000000000000000000000000001");
  });

  it("test_prestate_NoOverrides_IsOpDeployersStandardValue", () => {
    const intent = { ...base, chains: [{ ...base.chains[0], deployOverrides: null }] };
    expect(effectiveAbsolutePrestate(intent, CHAIN_HASH)).toBe(
      "0x038512e02c4c3f7bdaec27d00edf55b7155e0905301e1a88083e4e0a6764d54c",
    );
  });
});

describe("parseRollupJson / cross-checks", () => {
  it("test_rollup_FailsIf_ChainIdDiffers", () => {
    expect(problemsOf(() => parseRollupJson(rollupText, 424242))).toEqual([
      "`l2_chain_id` is 16584, but the stack is configured for 424242.",
    ]);
  });

  it("test_rollup_FailsIf_FieldsMissing", () => {
    const doc = JSON.parse(rollupText);
    delete doc.batch_inbox_address;
    delete doc.genesis.l2;
    expect(problemsOf(() => parseRollupJson(doc, CHAIN))).toEqual([
      "`genesis.l2` is missing.",
      "`batch_inbox_address` is missing.",
    ]);
  });

  it("test_deployment_FailsIf_RollupPointsAtAnotherSystemConfig", () => {
    const doc = JSON.parse(rollupText);
    doc.l1_system_config_address = "0x4444444444444444444444444444444444444444";
    expect(problemsOf(() => parseDeployment({ stateJson: stateText, rollupJson: doc, l2ChainId: CHAIN }))).toEqual([
      "rollup.json `l1_system_config_address` is 0x4444444444444444444444444444444444444444, but state.json's SystemConfigProxy is 0x32c7b572936bDc20534048bC910ade23628c5ACB. Re-run `op-deployer inspect rollup` against this state.json.",
    ]);
  });

  it("test_batchInbox_MatchesOpDeployersDerivation", () => {
    expect(expectedBatchInboxAddress(CHAIN)).toBe("0x0098FAA3fD68E74587CfAD4029165ae7a85A73b5");
  });

  it("test_contentSha256_HashesExactBytes", () => {
    expect(contentSha256("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(contentSha256(rollupText)).toBe(contentSha256(new TextEncoder().encode(rollupText)));
  });
});
