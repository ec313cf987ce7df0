/**
 * Preflight, before op-deployer spends any Sepolia ETH: the L1 RPC is Sepolia, the beacon API answers for
 * Sepolia, the deployer holds at least `ecp:minDeployerBalance`, and no pinned component is below the minimum
 * for an L1 fork that is active or scheduled within `ecp:forkHorizonDays` (the fork gate, forks.ts, over the
 * schedule the L1 itself reports: the beacon API's fork_schedule and, where the RPC serves it, eth_config).
 *
 * `checkPreflight` judges facts; `probeL1` gathers them over HTTP. scripts/op-stack/preflight.ts runs both,
 * and the stack runs that script before `op-deployer apply`.
 */
import { createPublicClient, formatEther, http, parseAbi, type Address } from "viem";

import { GAME_TYPE, L1_CHAIN_ID, OP_CONTRACTS_TAG, OPCM_SUPERCHAIN_CONFIG_VERSION, SEPOLIA_SUPERCHAIN_CONFIG } from "../config/defaults.js";
import { imagesInUse } from "../config/images.js";
import { fullKey, type StackConfig } from "../config/schema.js";
import { compareVersions, forkGate, isVersionTag, proofProgramGate, parseBeaconForkSchedule, parseElConfig, type ElConfig, type Pins, type ReadSchedule, type BeaconFork } from "./forks.js";
import { ProblemsError } from "../config/problems.js";

/** Sepolia's beacon genesis fork version (`GET /eth/v1/beacon/genesis`, eth-clients/sepolia config.yaml GENESIS_FORK_VERSION). */
export const SEPOLIA_GENESIS_FORK_VERSION = "0x90000069";

export interface L1Facts {
  chainId: number | { error: string };
  beacon: { genesisForkVersion: string } | { error: string };
  /** GET /eth/v1/config/fork_schedule. */
  forkSchedule: BeaconFork[] | { error: string };
  /** eth_config (EIP-7910); many RPC providers do not serve it yet, so its absence is not a problem. */
  elConfig: ElConfig | { error: string };
  /** `version()` of Sepolia's shared SuperchainConfig, which the v7 OPCM checks on deploy. */
  superchainConfigVersion: string | { error: string };
  deployer: Address;
  balanceWei: bigint | { error: string };
}

/** What the fork gate judges: the pinned version of every component this config runs. */
export function stackPins(config: Pick<StackConfig, "images" | "executionClient" | "opDeployer">): Pins {
  const pins: Pins = { opDeployer: config.opDeployer.version };
  for (const name of imagesInUse(config)) pins[name] = config.images[name].tag;
  return pins;
}

export interface GateInput {
  pins: Pins;
  horizonDays: number;
  nowUnix: number;
}

/** The fork gate over the built-in table alone (no network): what `pulumi preview` checks on every run. */
export class ForkGateError extends ProblemsError {
  constructor(problems: readonly string[]) {
    super("The pinned versions do not run on Sepolia's forks; nothing was changed", problems);
  }
}

export function assertForkGate(gate: GateInput): void {
  const { problems } = forkGate({ pins: gate.pins, nowUnix: gate.nowUnix, horizonDays: gate.horizonDays });
  if (problems.length > 0) throw new ForkGateError(problems);
}

/**
 * The prestate's program against the forks (forks.ts proofProgramGate): a `cannon` game whose program cannot read
 * a counted fork's L1 headers is refused; for the permissioned game the same finding is returned as a warning.
 * Without `ecp:prestate` there is no program to judge (no challenger runs; NO_PRESTATE_REASON says why).
 */
export function assertProofProgramGate(config: Pick<StackConfig, "prestate" | "proofs" | "forkHorizonDays">, nowUnix: number): string[] {
  if (config.prestate === undefined) return [];
  const cannon = config.proofs.permissionless || config.proofs.proposerGameType === GAME_TYPE.CANNON;
  const { problems, warnings } = proofProgramGate({ program: config.prestate.program, cannon, nowUnix, horizonDays: config.forkHorizonDays });
  if (problems.length > 0) throw new ForkGateError(problems);
  return warnings;
}

export interface PreflightReport {
  ok: boolean;
  problems: string[];
  summary: string;
}

export class PreflightError extends ProblemsError {
  constructor(problems: readonly string[]) {
    super("Preflight failed; nothing was deployed", problems);
  }
}

/** Judges the facts. `minBalanceWei` undefined: the balance is not checked (nothing will be spent). */
export function checkPreflight(facts: L1Facts, minBalanceWei: bigint | undefined, gate?: GateInput): PreflightReport {
  const problems: string[] = [];
  if (typeof facts.chainId !== "number") {
    problems.push(`\`${fullKey("l1RpcUrl")}\` does not answer eth_chainId (${facts.chainId.error}). Check the URL with \`pulumi config get ${fullKey("l1RpcUrl")}\`.`);
  } else if (facts.chainId !== L1_CHAIN_ID) {
    problems.push(
      `\`${fullKey("l1RpcUrl")}\` is chain ${facts.chainId}, expected ${L1_CHAIN_ID} (Sepolia). Run \`pulumi config set --secret ${fullKey("l1RpcUrl")}\` with a Sepolia RPC URL.`,
    );
  }
  if ("error" in facts.beacon) {
    problems.push(
      `\`${fullKey("l1BeaconUrl")}\` does not answer GET /eth/v1/beacon/genesis (${facts.beacon.error}). op-node needs a Sepolia beacon API that serves blobs; run \`pulumi config set --secret ${fullKey("l1BeaconUrl")}\`.`,
    );
  } else if (facts.beacon.genesisForkVersion.toLowerCase() !== SEPOLIA_GENESIS_FORK_VERSION) {
    problems.push(
      `\`${fullKey("l1BeaconUrl")}\` serves a chain with genesis fork version ${facts.beacon.genesisForkVersion}, expected ${SEPOLIA_GENESIS_FORK_VERSION} (Sepolia).`,
    );
  }
  if (minBalanceWei === undefined) {
    // Nothing is spent: the balance is only reported.
  } else if (typeof facts.balanceWei !== "bigint") {
    problems.push(`cannot read the balance of the deployer ${facts.deployer} (${facts.balanceWei.error}).`);
  } else if (facts.balanceWei < minBalanceWei) {
    problems.push(
      `the deployer ${facts.deployer} holds ${formatEther(facts.balanceWei)} ETH on Sepolia, below \`${fullKey("minDeployerBalance")}\` (${formatEther(minBalanceWei)} ETH). ` +
        `Send it Sepolia ETH, or lower the minimum with \`pulumi config set ${fullKey("minDeployerBalance")} "1 ETH"\`.`,
    );
  }
  if (typeof facts.superchainConfigVersion !== "string") {
    problems.push(
      `cannot read version() of Sepolia's shared SuperchainConfig ${SEPOLIA_SUPERCHAIN_CONFIG} through \`${fullKey("l1RpcUrl")}\` (${facts.superchainConfigVersion.error}); the OPCM checks it before deploying.`,
    );
  } else if (!isVersionTag(facts.superchainConfigVersion) || compareVersions(facts.superchainConfigVersion, OPCM_SUPERCHAIN_CONFIG_VERSION) < 0) {
    problems.push(
      `Sepolia's shared SuperchainConfig ${SEPOLIA_SUPERCHAIN_CONFIG} is version ${facts.superchainConfigVersion}, older than the ${OPCM_SUPERCHAIN_CONFIG_VERSION} the OPCM of ${OP_CONTRACTS_TAG} bundles: apply would revert with OPContractsManagerV2_SuperchainConfigNeedsUpgrade. ` +
        "The shared config is upgraded by OP's superchain-ops tasks; wait for that, or check that `ecp:l1RpcUrl` is Sepolia.",
    );
  }
  let forks = "";
  if (gate !== undefined) {
    if ("error" in facts.forkSchedule) {
      problems.push(
        `\`${fullKey("l1BeaconUrl")}\` does not answer GET /eth/v1/config/fork_schedule (${facts.forkSchedule.error}), so the L1's fork schedule cannot be checked against the pinned versions. Use a beacon API that serves the standard config endpoints.`,
      );
    } else {
      const schedule: ReadSchedule = { beacon: facts.forkSchedule };
      if (!("error" in facts.elConfig)) schedule.el = facts.elConfig;
      const result = forkGate({ pins: gate.pins, schedule, nowUnix: gate.nowUnix, horizonDays: gate.horizonDays });
      problems.push(...result.problems);
      const active = result.active.at(-1) ?? "none";
      forks = `; L1 forks: ${active} active${result.upcoming.length ? `, ${result.upcoming.join(", ")} within ${gate.horizonDays} days` : ""}${"error" in facts.elConfig ? " (eth_config not served; beacon schedule only)" : ""}`;
    }
  }
  const balance = typeof facts.balanceWei === "bigint" ? `${formatEther(facts.balanceWei)} ETH` : "unknown";
  return {
    ok: problems.length === 0,
    problems,
    summary: `L1 chain ${typeof facts.chainId === "number" ? facts.chainId : "?"}, beacon ${"error" in facts.beacon ? "unreachable" : facts.beacon.genesisForkVersion}, SuperchainConfig ${typeof facts.superchainConfigVersion === "string" ? facts.superchainConfigVersion : "unreadable"}, deployer ${facts.deployer} holds ${balance}${forks}`,
  };
}

function message(e: unknown): string {
  const text = e instanceof Error ? (e as { shortMessage?: string }).shortMessage ?? e.message : String(e);
  // viem puts the URL into some messages; the URL can carry an API key.
  return text.replace(/https?:\/\/\S+/g, "<url>").split("\n")[0] ?? "";
}

/** Reads the facts. Never throws: each failure becomes that fact's `error`. URLs never appear in errors. */
export async function probeL1(
  args: { rpcUrl: string; beaconUrl: string; deployer: Address; timeoutMs?: number },
  fetchImpl: typeof fetch = fetch,
): Promise<L1Facts> {
  const timeout = args.timeoutMs ?? 15_000;
  const client = createPublicClient({ transport: http(args.rpcUrl, { timeout, retryCount: 2 }) });
  const beaconGet = async <T>(path: string, read: (body: unknown) => T): Promise<T | { error: string }> => {
    try {
      const res = await fetchImpl(new URL(path, args.beaconUrl.endsWith("/") ? args.beaconUrl : `${args.beaconUrl}/`), {
        signal: AbortSignal.timeout(timeout),
        headers: { accept: "application/json" },
      });
      if (!res.ok) return { error: `HTTP ${res.status}` };
      return read(await res.json());
    } catch (e) {
      return { error: message(e) };
    }
  };
  const [chainId, balanceWei, beacon, forkSchedule, elConfig, superchainConfigVersion] = await Promise.all([
    client.getChainId().catch((e: unknown) => ({ error: message(e) })),
    client.getBalance({ address: args.deployer }).catch((e: unknown) => ({ error: message(e) })),
    beaconGet("eth/v1/beacon/genesis", (body): L1Facts["beacon"] => {
      const v = (body as { data?: { genesis_fork_version?: unknown } }).data?.genesis_fork_version;
      return typeof v === "string" ? { genesisForkVersion: v } : { error: "the answer has no data.genesis_fork_version" };
    }),
    beaconGet("eth/v1/config/fork_schedule", parseBeaconForkSchedule),
    client
      .request({ method: "eth_config" } as never)
      .then((r: unknown) => parseElConfig(r))
      .catch((e: unknown) => ({ error: message(e) })),
    client
      .readContract({ address: SEPOLIA_SUPERCHAIN_CONFIG, abi: parseAbi(["function version() view returns (string)"]), functionName: "version" })
      .catch((e: unknown) => ({ error: message(e) })),
  ]);
  return { chainId, beacon, forkSchedule, elConfig, superchainConfigVersion, deployer: args.deployer, balanceWei };
}
