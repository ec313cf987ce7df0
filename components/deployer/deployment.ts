/**
 * Reads what op-deployer produced: `state.json` (after `apply`) and `rollup.json` (`inspect rollup`).
 *
 * Shapes, op-deployer v0.7.1:
 * - state.json: mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/state/state.go (State, ChainState,
 *   L1BlockRefJSON). Contract keys are Go field names, inlined from op-chain-ops/addresses/contracts.go
 *   (OpChainContracts = Core + FaultProofs + AltDA + Legacy); addresses are lowercase hex; unset ones are zero.
 * - rollup.json: mono@op-deployer/v0.7.1:op-node/rollup/types.go (Config, Genesis) with snake_case keys.
 */
import { createHash } from "node:crypto";

import { getAddress, isAddress, keccak256, zeroAddress } from "viem";

import { L1_CHAIN_ID, STANDARD_ABSOLUTE_PRESTATE } from "../config/defaults.js";
import type { Address } from "../config/roles.js";
import type { Hex } from "../config/schema.js";
import { chainIdToHash } from "./intent.js";
import { ProblemsError } from "../config/problems.js";

/** OpChainCoreContracts + OpChainFaultProofsContracts fields op-deployer v0.7.1 always fills for a new chain. */
export const REQUIRED_CHAIN_CONTRACTS = [
  "OpChainProxyAdminImpl",
  "AddressManagerImpl",
  "SystemConfigProxy",
  "OptimismPortalProxy",
  "L1StandardBridgeProxy",
  "L1CrossDomainMessengerProxy",
  "L1Erc721BridgeProxy",
  "OptimismMintableErc20FactoryProxy",
  "DisputeGameFactoryProxy",
  "AnchorStateRegistryProxy",
  "PermissionedDisputeGameImpl",
  "DelayedWethPermissionedGameProxy",
] as const;

/**
 * Fields that are zero unless a feature is in use: the permissionless games (not deployed initially by
 * v0.7.1), ETH lockbox, Alt-DA, and the legacy L2OutputOracle.
 */
export const OPTIONAL_CHAIN_CONTRACTS = [
  "EthLockboxProxy",
  "FaultDisputeGameImpl",
  "FaultDisputeGameCannonKonaImpl",
  "DelayedWethPermissionlessGameProxy",
  "AltDAChallengeProxy",
  "AltDAChallengeImpl",
  "L2OutputOracleProxy",
] as const;

export const SUPERCHAIN_CONTRACTS = [
  "SuperchainProxyAdminImpl",
  "SuperchainConfigProxy",
  "SuperchainConfigImpl",
  "ProtocolVersionsProxy",
  "ProtocolVersionsImpl",
] as const;

export type RequiredChainContract = (typeof REQUIRED_CHAIN_CONTRACTS)[number];
export type OptionalChainContract = (typeof OPTIONAL_CHAIN_CONTRACTS)[number];
export type SuperchainContract = (typeof SUPERCHAIN_CONTRACTS)[number];

/** The chain's L1 contracts. Optional ones are undefined when op-deployer left them zero. */
export type ChainContracts = Record<RequiredChainContract, Address> & Partial<Record<OptionalChainContract, Address>>;

/** Everything the services need from L1: the chain's contracts plus the batch inbox from rollup.json. */
export type Addresses = ChainContracts & {
  /** Not a contract: an EOA-like address derived from the chain id; batches are sent there. */
  BatchInboxAddress: Address;
};

export interface AdditionalDisputeGame {
  gameType: number;
  gameAddress: Address;
  vmAddress: Address;
  oracleAddress: Address;
  vmType: string;
}

export interface L1BlockRef {
  hash: Hex;
  parentHash: Hex;
  number: bigint;
  timestamp: bigint;
}

export interface DeploymentState {
  opDeployerVersion: string;
  chainIdHash: Hex;
  contracts: ChainContracts;
  superchain: Partial<Record<SuperchainContract, Address>>;
  /** `implementationsDeployment`, zero entries dropped. */
  implementations: Record<string, Address>;
  additionalDisputeGames: AdditionalDisputeGame[];
  startBlock: L1BlockRef;
  /** What the applied intent made the game's absolute prestate (standard <- global <- chain overrides). */
  absolutePrestate: Hex;
  respectedGameType: number;
  /** This chain's entry of the applied intent: what the first deploy was made from (apply never re-runs
   *  after it; day2/intent-drift.ts compares the config's intent with it). */
  appliedChain: Record<string, unknown>;
}

export interface RollupSummary {
  l1ChainId: number;
  l2ChainId: number;
  blockTime: number;
  genesis: { l1: { hash: Hex; number: number }; l2: { hash: Hex; number: number }; l2Time: number };
  batchInboxAddress: Address;
  depositContractAddress: Address;
  l1SystemConfigAddress: Address;
  /** `<fork>_time` values present in rollup.json, e.g. { jovian: 0 }. */
  forks: Record<string, number>;
}

export interface Deployment extends DeploymentState {
  addresses: Addresses;
  rollup: RollupSummary;
}

export class DeploymentError extends ProblemsError {}

// -- small readers that collect problems ---------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseJson(input: string | unknown, file: string): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input) as unknown;
  } catch (e) {
    throw new DeploymentError(`${file} is not valid JSON`, [(e as Error).message]);
  }
}

class Reader {
  readonly problems: string[] = [];

  constructor(readonly file: string) {}

  missing(path: string, hint = ""): void {
    this.problems.push(`\`${path}\` is missing.${hint}`);
  }

  obj(o: Obj, key: string, path: string): Obj | undefined {
    const v = o[key];
    if (!isObj(v)) {
      this.missing(path);
      return undefined;
    }
    return v;
  }

  /** A required non-zero address. */
  address(o: Obj, key: string, path: string): Address {
    const v = o[key];
    if (v === undefined || v === null) {
      this.missing(path);
      return zeroAddress;
    }
    if (typeof v !== "string" || !isAddress(v, { strict: false })) {
      this.problems.push(`\`${path}\` is not an address: ${JSON.stringify(v)}.`);
      return zeroAddress;
    }
    if (v.toLowerCase() === zeroAddress) {
      this.problems.push(`\`${path}\` is the zero address.`);
      return zeroAddress;
    }
    return getAddress(v);
  }

  /** An optional address; zero or absent gives undefined. */
  optionalAddress(o: Obj, key: string, path: string): Address | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || !isAddress(v, { strict: false })) {
      this.problems.push(`\`${path}\` is not an address: ${JSON.stringify(v)}.`);
      return undefined;
    }
    return v.toLowerCase() === zeroAddress ? undefined : getAddress(v);
  }

  hash(o: Obj, key: string, path: string): Hex {
    const v = o[key];
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) {
      if (v === undefined) this.missing(path);
      else this.problems.push(`\`${path}\` is not a 32-byte hash: ${JSON.stringify(v)}.`);
      return `0x${"0".repeat(64)}`;
    }
    return v.toLowerCase() as Hex;
  }

  int(o: Obj, key: string, path: string): number {
    const v = o[key];
    if (typeof v !== "number" || !Number.isSafeInteger(v)) {
      if (v === undefined) this.missing(path);
      else this.problems.push(`\`${path}\` is not an integer: ${JSON.stringify(v)}.`);
      return 0;
    }
    return v;
  }

  /** hexutil.Uint64 (`"0x1a"`). */
  hexUint(o: Obj, key: string, path: string): bigint {
    const v = o[key];
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]+$/.test(v)) {
      if (v === undefined) this.missing(path);
      else this.problems.push(`\`${path}\` is not a hex quantity: ${JSON.stringify(v)}.`);
      return 0n;
    }
    return BigInt(v);
  }

  fail(what: string): never {
    throw new DeploymentError(`${this.file}: ${what}`, this.problems);
  }
}

// -- prestate / game type from the applied intent -----------------------------------------------

function overrideValue(overrides: unknown, key: string): unknown {
  return isObj(overrides) ? overrides[key] : undefined;
}

/**
 * The absolute prestate op-deployer used for the chain: `standard.DisputeAbsolutePrestate`, overridden by
 * `globalDeployOverrides`, then by the chain's `deployOverrides` (pipeline/opchain.go makeDCI, jsonutil.MergeJSON).
 */
export function effectiveAbsolutePrestate(appliedIntent: Obj, chainIdHash: Hex): Hex {
  const chain = chainIntentOf(appliedIntent, chainIdHash);
  const value =
    overrideValue(chain?.["deployOverrides"], "faultGameAbsolutePrestate") ??
    overrideValue(appliedIntent["globalDeployOverrides"], "faultGameAbsolutePrestate") ??
    STANDARD_ABSOLUTE_PRESTATE;
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(value)) {
    throw new DeploymentError("state.json: appliedIntent", [
      `\`faultGameAbsolutePrestate\` override is not a 32-byte hash: ${JSON.stringify(value)}.`,
    ]);
  }
  return value.toLowerCase() as Hex;
}

/** `respectedGameType` the same way (standard.DisputeGameType = 1). */
export function effectiveRespectedGameType(appliedIntent: Obj, chainIdHash: Hex): number {
  const chain = chainIntentOf(appliedIntent, chainIdHash);
  const value =
    overrideValue(chain?.["deployOverrides"], "respectedGameType") ??
    overrideValue(appliedIntent["globalDeployOverrides"], "respectedGameType") ??
    1;
  return typeof value === "number" ? value : Number(value);
}

function chainIntentOf(appliedIntent: Obj, chainIdHash: Hex): Obj | undefined {
  const chains = appliedIntent["chains"];
  if (!Array.isArray(chains)) return undefined;
  return chains.find((c): c is Obj => isObj(c) && typeof c["id"] === "string" && c["id"].toLowerCase() === chainIdHash);
}

// -- state.json ---------------------------------------------------------------------------------

/**
 * Parses op-deployer's state.json for one L2 chain.
 * @throws DeploymentError listing every missing or malformed field.
 */
export function parseStateJson(input: string | unknown, l2ChainId: number): DeploymentState {
  const r = new Reader("state.json");
  const doc = parseJson(input, "state.json");
  if (!isObj(doc)) throw new DeploymentError("state.json: cannot read the deployment", ["the document is not a JSON object."]);
  const chainIdHash = chainIdToHash(l2ChainId);

  const applied = doc["appliedIntent"];
  if (!isObj(applied)) {
    r.missing("appliedIntent", " `op-deployer apply` has not completed successfully for this workdir; run it again.");
  }

  const chains = doc["opChainDeployments"];
  let chain: Obj | undefined;
  let chainPath = "opChainDeployments[?]";
  if (!Array.isArray(chains)) {
    r.missing("opChainDeployments");
  } else {
    const index = chains.findIndex((c) => isObj(c) && typeof c["id"] === "string" && c["id"].toLowerCase() === chainIdHash);
    if (index < 0) {
      const found = chains.map((c) => (isObj(c) ? String(c["id"]) : "?"));
      r.problems.push(
        `\`opChainDeployments\` has no entry for chain ${l2ChainId} (id ${chainIdHash}); found ${found.length === 0 ? "none" : found.join(", ")}. Run \`op-deployer apply\` for this chain first.`,
      );
    } else {
      chain = chains[index] as Obj;
      chainPath = `opChainDeployments[${index}]`;
    }
  }

  const contracts = {} as ChainContracts;
  const additionalDisputeGames: AdditionalDisputeGame[] = [];
  let startBlock: L1BlockRef = { hash: `0x${"0".repeat(64)}`, parentHash: `0x${"0".repeat(64)}`, number: 0n, timestamp: 0n };
  if (chain !== undefined) {
    for (const name of REQUIRED_CHAIN_CONTRACTS) contracts[name] = r.address(chain, name, `${chainPath}.${name}`);
    for (const name of OPTIONAL_CHAIN_CONTRACTS) {
      const a = r.optionalAddress(chain, name, `${chainPath}.${name}`);
      if (a !== undefined) contracts[name] = a;
    }
    const games = chain["additionalDisputeGames"];
    if (Array.isArray(games)) {
      games.forEach((g, i) => {
        const p = `${chainPath}.additionalDisputeGames[${i}]`;
        if (!isObj(g)) return r.missing(p);
        additionalDisputeGames.push({
          gameType: r.int(g, "GameType", `${p}.GameType`),
          gameAddress: r.address(g, "GameAddress", `${p}.GameAddress`),
          vmAddress: r.address(g, "VMAddress", `${p}.VMAddress`),
          oracleAddress: r.optionalAddress(g, "OracleAddress", `${p}.OracleAddress`) ?? zeroAddress,
          vmType: typeof g["VMType"] === "string" ? g["VMType"] : "",
        });
      });
    }
    const sb = r.obj(chain, "startBlock", `${chainPath}.startBlock`);
    if (sb !== undefined) {
      startBlock = {
        hash: r.hash(sb, "hash", `${chainPath}.startBlock.hash`),
        parentHash: r.hash(sb, "parentHash", `${chainPath}.startBlock.parentHash`),
        number: r.hexUint(sb, "number", `${chainPath}.startBlock.number`),
        timestamp: r.hexUint(sb, "timestamp", `${chainPath}.startBlock.timestamp`),
      };
    }
  }

  const superchain: Partial<Record<SuperchainContract, Address>> = {};
  const sc = doc["superchainContracts"];
  if (isObj(sc)) {
    for (const name of SUPERCHAIN_CONTRACTS) {
      const a = r.optionalAddress(sc, name, `superchainContracts.${name}`);
      if (a !== undefined) superchain[name] = a;
    }
  }
  const implementations: Record<string, Address> = {};
  const impls = doc["implementationsDeployment"];
  if (isObj(impls)) {
    for (const name of Object.keys(impls)) {
      const a = r.optionalAddress(impls, name, `implementationsDeployment.${name}`);
      if (a !== undefined) implementations[name] = a;
    }
  }

  if (r.problems.length > 0) r.fail(`cannot read the deployment of chain ${l2ChainId}`);
  const appliedIntent = applied as Obj;
  return {
    opDeployerVersion: typeof doc["opDeployerVersion"] === "string" ? doc["opDeployerVersion"] : "",
    chainIdHash,
    contracts,
    superchain,
    implementations,
    additionalDisputeGames,
    startBlock,
    absolutePrestate: effectiveAbsolutePrestate(appliedIntent, chainIdHash),
    respectedGameType: effectiveRespectedGameType(appliedIntent, chainIdHash),
    appliedChain: chainIntentOf(appliedIntent, chainIdHash) ?? {},
  };
}

// -- rollup.json --------------------------------------------------------------------------------

/**
 * Parses `op-deployer inspect rollup` output.
 * @throws DeploymentError listing every missing or malformed field, or a chain id mismatch.
 */
export function parseRollupJson(input: string | unknown, l2ChainId: number): RollupSummary {
  const r = new Reader("rollup.json");
  const doc = parseJson(input, "rollup.json");
  if (!isObj(doc)) throw new DeploymentError("rollup.json: cannot read the rollup config", ["the document is not a JSON object."]);
  const genesis = r.obj(doc, "genesis", "genesis");
  const g1 = genesis === undefined ? undefined : r.obj(genesis, "l1", "genesis.l1");
  const g2 = genesis === undefined ? undefined : r.obj(genesis, "l2", "genesis.l2");
  const summary: RollupSummary = {
    l1ChainId: r.int(doc, "l1_chain_id", "l1_chain_id"),
    l2ChainId: r.int(doc, "l2_chain_id", "l2_chain_id"),
    blockTime: r.int(doc, "block_time", "block_time"),
    genesis: {
      l1: {
        hash: g1 === undefined ? `0x${"0".repeat(64)}` : r.hash(g1, "hash", "genesis.l1.hash"),
        number: g1 === undefined ? 0 : r.int(g1, "number", "genesis.l1.number"),
      },
      l2: {
        hash: g2 === undefined ? `0x${"0".repeat(64)}` : r.hash(g2, "hash", "genesis.l2.hash"),
        number: g2 === undefined ? 0 : r.int(g2, "number", "genesis.l2.number"),
      },
      l2Time: genesis === undefined ? 0 : r.int(genesis, "l2_time", "genesis.l2_time"),
    },
    batchInboxAddress: r.address(doc, "batch_inbox_address", "batch_inbox_address"),
    depositContractAddress: r.address(doc, "deposit_contract_address", "deposit_contract_address"),
    l1SystemConfigAddress: r.address(doc, "l1_system_config_address", "l1_system_config_address"),
    forks: Object.fromEntries(
      Object.entries(doc)
        .filter(([k, v]) => k.endsWith("_time") && k !== "block_time" && typeof v === "number")
        .map(([k, v]) => [k.slice(0, -"_time".length), v as number]),
    ),
  };
  if (r.problems.length === 0) {
    if (summary.l2ChainId !== l2ChainId) {
      r.problems.push(`\`l2_chain_id\` is ${summary.l2ChainId}, but the stack is configured for ${l2ChainId}.`);
    }
    if (summary.l1ChainId !== L1_CHAIN_ID) {
      r.problems.push(`\`l1_chain_id\` is ${summary.l1ChainId}, expected ${L1_CHAIN_ID} (Sepolia).`);
    }
  }
  if (r.problems.length > 0) r.fail("cannot read the rollup config");
  return summary;
}

// -- both together ------------------------------------------------------------------------------

/**
 * Parses state.json and rollup.json and checks they describe the same chain: rollup.json's system config and
 * deposit contract must be the chain's SystemConfigProxy and OptimismPortalProxy, and its batch inbox must be
 * the address op-deployer derives from the chain id.
 */
export function parseDeployment(args: { stateJson: string | unknown; rollupJson: string | unknown; l2ChainId: number }): Deployment {
  const state = parseStateJson(args.stateJson, args.l2ChainId);
  const rollup = parseRollupJson(args.rollupJson, args.l2ChainId);
  const problems: string[] = [];
  if (rollup.l1SystemConfigAddress !== state.contracts.SystemConfigProxy) {
    problems.push(
      `rollup.json \`l1_system_config_address\` is ${rollup.l1SystemConfigAddress}, but state.json's SystemConfigProxy is ${state.contracts.SystemConfigProxy}. Re-run \`op-deployer inspect rollup\` against this state.json.`,
    );
  }
  if (rollup.depositContractAddress !== state.contracts.OptimismPortalProxy) {
    problems.push(
      `rollup.json \`deposit_contract_address\` is ${rollup.depositContractAddress}, but state.json's OptimismPortalProxy is ${state.contracts.OptimismPortalProxy}. Re-run \`op-deployer inspect rollup\` against this state.json.`,
    );
  }
  const inbox = expectedBatchInboxAddress(args.l2ChainId);
  if (rollup.batchInboxAddress !== inbox) {
    problems.push(`rollup.json \`batch_inbox_address\` is ${rollup.batchInboxAddress}, but op-deployer derives ${inbox} for chain ${args.l2ChainId}.`);
  }
  if (rollup.genesis.l1.hash !== state.startBlock.hash) {
    problems.push(
      `rollup.json \`genesis.l1.hash\` is ${rollup.genesis.l1.hash}, but state.json's startBlock.hash is ${state.startBlock.hash}.`,
    );
  }
  if (problems.length > 0) throw new DeploymentError("state.json and rollup.json disagree", problems);
  return { ...state, rollup, addresses: { ...state.contracts, BatchInboxAddress: rollup.batchInboxAddress } };
}

/**
 * op-deployer's batch inbox: 0x00 followed by the first 19 bytes of keccak256(chain id as 32 bytes)
 * (mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/state/deploy_config.go calculateBatchInboxAddr).
 */
export function expectedBatchInboxAddress(l2ChainId: number): Address {
  return getAddress(`0x00${keccak256(chainIdToHash(l2ChainId)).slice(2, 40)}`);
}

/** The L2 genesis block hash, which op-geth must report for block 0 after `geth init`. */
export function l2GenesisHash(rollup: RollupSummary): Hex {
  return rollup.genesis.l2.hash;
}

/** sha256 of a file's exact bytes, e.g. genesis.json or rollup.json, for restart triggers. */
export function contentSha256(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}
