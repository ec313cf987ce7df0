/**
 * The op-deployer intent, built as data and written as TOML.
 *
 * Shape: mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/state/intent.go (Intent) and chain_intent.go
 * (ChainIntent, ChainRoles, ChainProofParams); the keys below are those structs' `toml:` tags.
 * The dispute parameters are not intent fields: op-deployer merges `[globalDeployOverrides]` and then
 * `[chains.deployOverrides]` over the standard ChainProofParams (pipeline/opchain.go makeDCI), so
 * `respectedGameType` and `faultGameAbsolutePrestate` go into the chain's deployOverrides.
 */
import { getAddress, isAddress, zeroAddress } from "viem";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";

import {
  EMBEDDED_LOCATOR,
  INITIAL_RESPECTED_GAME_TYPE,
  INTENT_TYPE,
  L1_CHAIN_ID,
  OP_DEPLOYER_VERSION,
  SEPOLIA_OPCM_ADDRESS,
  STANDARD_ABSOLUTE_PRESTATE,
  STANDARD_CHAIN,
} from "../config/defaults.js";
import type { Address, RoleAddresses } from "../config/roles.js";
import type { Hex, StackConfig } from "../config/schema.js";
import { ProblemsError } from "../config/problems.js";

/** The part of the intent that `op-deployer init` decides; kept as init wrote it. */
export interface IntentBase {
  opDeployerVersion: string;
  /** The registry OPCM for standard.CurrentTag on Sepolia (init: NewIntentStandard). */
  opcmAddress: Address;
  l1ContractsLocator: string;
  l2ContractsLocator: string;
}

/** What `op-deployer init --intent-type standard-overrides` writes at v0.7.1 (except its version string, which carries commit and date). */
export const DEFAULT_INTENT_BASE: IntentBase = {
  opDeployerVersion: OP_DEPLOYER_VERSION,
  opcmAddress: getAddress(SEPOLIA_OPCM_ADDRESS),
  l1ContractsLocator: EMBEDDED_LOCATOR,
  l2ContractsLocator: EMBEDDED_LOCATOR,
};

export interface ChainRolesIntent {
  l1ProxyAdminOwner: Address;
  l2ProxyAdminOwner: Address;
  systemConfigOwner: Address;
  unsafeBlockSigner: Address;
  batcher: Address;
  proposer: Address;
  challenger: Address;
}

/** Keys of ChainProofParams (chain_intent.go) that we override. */
export interface DeployOverrides {
  respectedGameType: number;
  faultGameAbsolutePrestate: Hex;
}

export interface ChainIntent {
  /** common.Hash: the L2 chain id as 32 bytes. */
  id: Hex;
  baseFeeVaultRecipient: Address;
  l1FeeVaultRecipient: Address;
  sequencerFeeVaultRecipient: Address;
  /** Required non-zero since op-deployer v0.5 (ChainIntent.Check: ErrFeeVaultZeroAddress). */
  operatorFeeVaultRecipient: Address;
  eip1559DenominatorCanyon: number;
  eip1559Denominator: number;
  eip1559Elasticity: number;
  gasLimit: number;
  roles: ChainRolesIntent;
  deployOverrides: DeployOverrides;
}

export interface Intent {
  configType: typeof INTENT_TYPE;
  opDeployerVersion: string;
  l1ChainID: number;
  opcmAddress: Address;
  fundDevAccounts: boolean;
  l1ContractsLocator: string;
  l2ContractsLocator: string;
  useInterop: boolean;
  chains: ChainIntent[];
}

export class IntentError extends ProblemsError {}

/** The L2 chain id as op-deployer's 32-byte chain id (`--l2-chain-ids` is parsed into a common.Hash). */
export function chainIdToHash(chainId: number | bigint): Hex {
  return `0x${BigInt(chainId).toString(16).padStart(64, "0")}`;
}

const ROLE_KEYS = [
  "l1ProxyAdminOwner",
  "l2ProxyAdminOwner",
  "systemConfigOwner",
  "unsafeBlockSigner",
  "batcher",
  "proposer",
  "challenger",
] as const;

const VAULT_KEYS = [
  "baseFeeVaultRecipient",
  "l1FeeVaultRecipient",
  "sequencerFeeVaultRecipient",
  "operatorFeeVaultRecipient",
] as const;

/**
 * Builds the intent for our single L2 chain.
 *
 * - `respectedGameType` is always 1: op-deployer v0.7.1 deploys only the permissioned game for a new chain
 *   (DeployOPChain.s.sol rejects anything else). A permissionless proposer game type is added later via the OPCM.
 * - `faultGameAbsolutePrestate` is the configured prestate, or op-deployer's standard value when none is set
 *   (the challenger is then not deployed; see prestate/gate.ts).
 * - No `dangerouslyAllowCustomDisputeParameters`: in v0.7.1 the field reaches Types.sol but nothing reads it.
 *
 * @throws IntentError when any role or fee vault address is missing or zero.
 */
export function buildIntent(
  config: Pick<StackConfig, "l2ChainId" | "prestate">,
  roles: Omit<RoleAddresses, "deployer">,
  base: IntentBase = DEFAULT_INTENT_BASE,
): Intent {
  const problems: string[] = [];
  const checked = (name: string, value: string | undefined): Address => {
    if (value === undefined || !isAddress(value, { strict: false })) {
      problems.push(`\`${name}\` must be an address, got ${value === undefined ? "nothing" : JSON.stringify(value)}.`);
      return zeroAddress;
    }
    if (value.toLowerCase() === zeroAddress) {
      problems.push(`\`${name}\` is the zero address; op-deployer requires every role and fee vault to be set.`);
    }
    return getAddress(value);
  };

  const roleAddresses = Object.fromEntries(ROLE_KEYS.map((k) => [k, checked(`roles.${k}`, roles[k])])) as Record<
    (typeof ROLE_KEYS)[number],
    Address
  >;
  const vaults = Object.fromEntries(VAULT_KEYS.map((k) => [k, checked(k, roles[k])])) as Record<
    (typeof VAULT_KEYS)[number],
    Address
  >;
  const opcmAddress = checked("opcmAddress", base.opcmAddress);
  if (problems.length > 0) throw new IntentError("Cannot build the op-deployer intent", problems);

  return {
    configType: INTENT_TYPE,
    opDeployerVersion: base.opDeployerVersion,
    l1ChainID: L1_CHAIN_ID,
    opcmAddress,
    fundDevAccounts: false,
    l1ContractsLocator: base.l1ContractsLocator,
    l2ContractsLocator: base.l2ContractsLocator,
    useInterop: false,
    chains: [
      {
        id: chainIdToHash(config.l2ChainId),
        ...vaults,
        eip1559DenominatorCanyon: STANDARD_CHAIN.eip1559DenominatorCanyon,
        eip1559Denominator: STANDARD_CHAIN.eip1559Denominator,
        eip1559Elasticity: STANDARD_CHAIN.eip1559Elasticity,
        gasLimit: STANDARD_CHAIN.gasLimit,
        roles: roleAddresses,
        deployOverrides: {
          respectedGameType: INITIAL_RESPECTED_GAME_TYPE,
          faultGameAbsolutePrestate: config.prestate?.hash ?? STANDARD_ABSOLUTE_PRESTATE,
        },
      },
    ],
  };
}

/** intent.toml text, as op-deployer reads it (BurntSushi TOML with the struct tags above). */
export function intentToToml(intent: Intent): string {
  return stringifyToml(intent);
}

/**
 * Reads the fields `op-deployer init` decided (OPCM, locators, its version string) from the intent.toml it
 * wrote, so our intent keeps them instead of hard-coding them.
 * @throws IntentError naming every missing or unexpected field.
 */
export function intentBaseFromInitToml(toml: string): IntentBase {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(toml) as Record<string, unknown>;
  } catch (e) {
    throw new IntentError("intent.toml written by `op-deployer init` is not valid TOML", [(e as Error).message]);
  }
  const problems: string[] = [];
  const str = (key: string): string => {
    const v = doc[key];
    if (typeof v !== "string" || v === "") {
      problems.push(`\`${key}\` is missing.`);
      return "";
    }
    return v;
  };
  if (doc["configType"] !== INTENT_TYPE) {
    problems.push(
      `\`configType\` is ${JSON.stringify(doc["configType"])}, expected "${INTENT_TYPE}". Run \`op-deployer init --intent-type ${INTENT_TYPE}\`.`,
    );
  }
  if (doc["l1ChainID"] !== L1_CHAIN_ID) {
    problems.push(
      `\`l1ChainID\` is ${JSON.stringify(doc["l1ChainID"])}, expected ${L1_CHAIN_ID} (Sepolia). Run \`op-deployer init --l1-chain-id ${L1_CHAIN_ID}\`.`,
    );
  }
  const opcm = str("opcmAddress");
  if (opcm !== "" && !isAddress(opcm, { strict: false })) problems.push(`\`opcmAddress\` is not an address: ${JSON.stringify(opcm)}.`);
  const base: IntentBase = {
    opDeployerVersion: str("opDeployerVersion"),
    opcmAddress: opcm !== "" && isAddress(opcm, { strict: false }) ? getAddress(opcm) : zeroAddress,
    l1ContractsLocator: str("l1ContractsLocator"),
    l2ContractsLocator: str("l2ContractsLocator"),
  };
  if (problems.length > 0) throw new IntentError("intent.toml written by `op-deployer init` is not usable", problems);
  return base;
}
