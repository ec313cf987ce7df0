/**
 * Preflight, before op-deployer spends any Sepolia ETH: the L1 RPC is Sepolia, the beacon API answers for
 * Sepolia, and the deployer holds at least `ecp:minDeployerBalance`.
 *
 * `checkPreflight` judges facts; `probeL1` gathers them over HTTP. scripts/op-stack/preflight.ts runs both,
 * and the stack runs that script before `op-deployer apply`.
 */
import { createPublicClient, formatEther, http, type Address } from "viem";

import { L1_CHAIN_ID } from "../config/defaults.js";
import { fullKey } from "../config/schema.js";

/** Sepolia's beacon genesis fork version (`GET /eth/v1/beacon/genesis`, eth-clients/sepolia config.yaml GENESIS_FORK_VERSION). */
export const SEPOLIA_GENESIS_FORK_VERSION = "0x90000069";

export interface L1Facts {
  chainId: number | { error: string };
  beacon: { genesisForkVersion: string } | { error: string };
  deployer: Address;
  balanceWei: bigint | { error: string };
}

export interface PreflightReport {
  ok: boolean;
  problems: string[];
  summary: string;
}

export class PreflightError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Preflight failed; nothing was deployed:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PreflightError";
  }
}

export function checkPreflight(facts: L1Facts, minBalanceWei: bigint): PreflightReport {
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
  if (typeof facts.balanceWei !== "bigint") {
    problems.push(`cannot read the balance of the deployer ${facts.deployer} (${facts.balanceWei.error}).`);
  } else if (facts.balanceWei < minBalanceWei) {
    problems.push(
      `the deployer ${facts.deployer} holds ${formatEther(facts.balanceWei)} ETH on Sepolia, below \`${fullKey("minDeployerBalance")}\` (${formatEther(minBalanceWei)} ETH). ` +
        `Send it Sepolia ETH, or lower the minimum with \`pulumi config set ${fullKey("minDeployerBalance")} "1 ETH"\`.`,
    );
  }
  const balance = typeof facts.balanceWei === "bigint" ? `${formatEther(facts.balanceWei)} ETH` : "unknown";
  return {
    ok: problems.length === 0,
    problems,
    summary: `L1 chain ${typeof facts.chainId === "number" ? facts.chainId : "?"}, beacon ${"error" in facts.beacon ? "unreachable" : facts.beacon.genesisForkVersion}, deployer ${facts.deployer} holds ${balance}`,
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
  const [chainId, balanceWei, beacon] = await Promise.all([
    client.getChainId().catch((e: unknown) => ({ error: message(e) })),
    client.getBalance({ address: args.deployer }).catch((e: unknown) => ({ error: message(e) })),
    (async (): Promise<L1Facts["beacon"]> => {
      try {
        const res = await fetchImpl(new URL("eth/v1/beacon/genesis", args.beaconUrl.endsWith("/") ? args.beaconUrl : `${args.beaconUrl}/`), {
          signal: AbortSignal.timeout(timeout),
          headers: { accept: "application/json" },
        });
        if (!res.ok) return { error: `HTTP ${res.status}` };
        const body = (await res.json()) as { data?: { genesis_fork_version?: unknown } };
        const v = body.data?.genesis_fork_version;
        return typeof v === "string" ? { genesisForkVersion: v } : { error: "the answer has no data.genesis_fork_version" };
      } catch (e) {
        return { error: message(e) };
      }
    })(),
  ]);
  return { chainId, beacon, deployer: args.deployer, balanceWei };
}
