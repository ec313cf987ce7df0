/**
 * The rail steps on ecp-forge, as data: the rail client's arguments for `deploy --witness …` (the ledger by
 * the deployer's address alone, its witness set reconciled in place, with L1->L2 funding) and
 * `smoke-network`, the stdin that runs it in a Node container (remote/rail.sh), and the parsing of what it
 * prints.
 */
import { CONTAINER_PORTS, DOCKER_NETWORK, EXECUTION_CLIENT_ALIAS } from "../config/defaults.js";
import { fullKey, type RailConfig } from "../config/schema.js";
import { opStackScript, remoteScript } from "../host/shell.js";

/** The execution client on the stack's Docker network. */
export const L2_RPC_ON_NETWORK = `http://${EXECUTION_CLIENT_ALIAS}:${CONTAINER_PORTS.executionClient.http}`;
/** Where remote/rail.sh mounts the archive (a .jsonl file or a directory of them) inside the container. */
export const ARCHIVE_IN_CONTAINER = "/archive/in";
/** Where the stack copies the bundled fixture on the host: the smoke's archive when none is configured. */
export const FIXTURE_NAME = "fixture.jsonl";

export type RailGate = { deploy: true } | { deploy: false; reason: string };

export function railGate(rail: RailConfig): RailGate {
  if (!rail.enabled) return { deploy: false, reason: `the rail is not deployed: \`${fullKey("rail.enabled")}\` is false.` };
  if (rail.witnesses.length === 0) {
    return {
      deploy: false,
      reason:
        `the rail is not deployed: \`${fullKey("rail.witnesses")}\` is empty. List each witness by address and name ` +
        `(\`pulumi config set --path '${fullKey("rail.witnesses[0].address")}' 0x…\` and \`pulumi config set --path '${fullKey("rail.witnesses[0].name")}' <name>\`; README "Joining as a witness").`,
    };
  }
  return { deploy: true };
}

/** `rail deploy --witness …`: the ledger at an address fixed by the deployer and the salt, its members and
 *  quorum reconciled in place; the deployer and the accounts in `fund` topped up on L2 through the portal. */
export function deployArgs(rail: Pick<RailConfig, "witnesses" | "quorum" | "fundMinEth" | "fundTopUpEth">, portal: string, fund: readonly string[]): string[] {
  return [
    "deploy",
    "--rpc", L2_RPC_ON_NETWORK,
    ...rail.witnesses.flatMap((w) => ["--witness", w.address]),
    "--quorum", String(rail.quorum),
    "--portal", portal,
    ...fund.flatMap((a) => ["--fund", a]),
    "--fund-min", rail.fundMinEth,
    "--fund-top-up", rail.fundTopUpEth,
    "--json",
  ];
}

/** The default smoke size: lines of the archive every throwaway witness reads. */
export const DEFAULT_SMOKE_LIMIT = 30;

/** `rail smoke-network`: throwaway witnesses and a relayer against a fresh smoke ledger (never the real one). */
export function smokeArgs(rail: Pick<RailConfig, "smokeWitnesses" | "mode" | "smokeLimit">): string[] {
  return [
    "smoke-network",
    "--rpc", L2_RPC_ON_NETWORK,
    "--archive", ARCHIVE_IN_CONTAINER,
    "--witnesses", String(rail.smokeWitnesses),
    "--mode", rail.mode,
    "--limit", String(rail.smokeLimit ?? DEFAULT_SMOKE_LIMIT),
    "--json",
  ];
}

export interface RailRun {
  bundlePath: string;
  nodeImage: string;
  args: string[];
  deployerKey: string;
  /** The smoke's throwaway keys; never the members'. */
  smokeWitnessKeys?: string[];
  smokeRelayerKey?: string;
  l1RpcUrl?: string;
  archivePath?: string;
}

/** The stdin of a rail step; it carries keys, so the component passes it as a secret. */
export function railScript(run: RailRun): string {
  const env: Record<string, string> = {
    RAIL_BUNDLE: run.bundlePath,
    NODE_IMAGE: run.nodeImage,
    NETWORK: DOCKER_NETWORK,
    RAIL_ARGS: run.args.join("\n"),
    ECP_DEPLOYER_KEY: run.deployerKey,
  };
  if (run.smokeWitnessKeys !== undefined) env["ECP_WITNESS_KEYS"] = run.smokeWitnessKeys.join(",");
  if (run.smokeRelayerKey !== undefined) env["ECP_RELAYER_KEY"] = run.smokeRelayerKey;
  if (run.l1RpcUrl !== undefined) env["ECP_L1_RPC_URL"] = run.l1RpcUrl;
  if (run.archivePath !== undefined) env["ARCHIVE_PATH"] = run.archivePath;
  return remoteScript(env, opStackScript("remote/rail.sh"));
}

export interface RailDeployment {
  chainId: number;
  ledger: `0x${string}`;
  rail: `0x${string}`;
  owner: `0x${string}`;
  witnesses: `0x${string}`[];
  quorum: number;
  /** The block the ledger was deployed in: where its readers start reading logs. */
  deployBlock: string;
  deposits: { to: string; value: string; l1Transaction: string }[];
}

function lastJsonLine(stdout: string, what: string): Record<string, unknown> {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v === "object" && v !== null) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`the rail client's ${what} printed no JSON summary (got ${line.length} characters).`);
}

export function parseDeployOutput(stdout: string): RailDeployment {
  const o = lastJsonLine(stdout, "deploy");
  for (const k of ["ledger", "rail", "chainId", "witnesses", "quorum"]) {
    if (o[k] === undefined) throw new Error(`the rail client's deploy output has no \`${k}\`.`);
  }
  return {
    chainId: Number(o["chainId"]),
    ledger: o["ledger"] as `0x${string}`,
    rail: o["rail"] as `0x${string}`,
    owner: (o["owner"] ?? "") as `0x${string}`,
    witnesses: o["witnesses"] as `0x${string}`[],
    quorum: Number(o["quorum"]),
    deployBlock: String(o["deployBlock"] ?? "0"),
    deposits: (o["deposits"] ?? []) as RailDeployment["deposits"],
  };
}

export interface SmokeOutput {
  ok: boolean;
  /** Why it failed, when it did. */
  reason?: string;
  /** The smoke's own ledger (fresh each run), never the real one. */
  ledger: string;
  witnesses: number;
  quorum: number;
  expected: number;
  finalized: number;
  seconds: number;
  streams: { stream: string; finalized: number; pending: number; headSequence: string | null }[];
}

/** The smoke summary reduced to what an operator reads in `pulumi stack output`. */
export function parseSmokeOutput(stdout: string): SmokeOutput {
  const o = lastJsonLine(stdout, "smoke-network");
  const streams = (o["streams"] ?? []) as SmokeOutput["streams"];
  const out: SmokeOutput = {
    ok: o["ok"] === true,
    ledger: String(o["ledger"] ?? ""),
    witnesses: Array.isArray(o["witnesses"]) ? o["witnesses"].length : 0,
    quorum: Number(o["quorum"]),
    expected: Number(o["expected"]),
    finalized: Number(o["finalized"]),
    seconds: Number(o["seconds"]),
    streams: streams.map((s) => ({ stream: s.stream, finalized: s.finalized, pending: s.pending, headSequence: s.headSequence })),
  };
  if (typeof o["reason"] === "string") out.reason = o["reason"];
  return out;
}
