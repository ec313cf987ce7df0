/**
 * The rail steps on ecp-forge, as data: the rail client's arguments for `deploy` (with L1->L2 funding) and
 * `smoke`, the stdin that runs it in a Node container (remote/rail.sh), and the parsing of what it prints.
 */
import { privateKeyToAddress } from "viem/accounts";

import { CONTAINER_PORTS, DOCKER_NETWORK, EXECUTION_CLIENT_ALIAS } from "../config/defaults.js";
import { fullKey, type RailConfig } from "../config/schema.js";
import { opStackScript, remoteScript } from "../host/shell.js";

/** The execution client on the stack's Docker network. */
export const L2_RPC_ON_NETWORK = `http://${EXECUTION_CLIENT_ALIAS}:${CONTAINER_PORTS.executionClient.http}`;
/** Where remote/rail.sh mounts the archive inside the container. */
export const ARCHIVE_IN_CONTAINER = "/archive/archive.jsonl";

export type RailGate = { deploy: true; smoke: true } | { deploy: true; smoke: false; reason: string } | { deploy: false; smoke: false; reason: string };

export function railGate(rail: RailConfig): RailGate {
  if (!rail.enabled) return { deploy: false, smoke: false, reason: `the rail is not deployed: \`${fullKey("rail.enabled")}\` is false.` };
  if (rail.witnessKeys.length === 0) {
    return {
      deploy: false,
      smoke: false,
      reason: `the rail is not deployed: \`${fullKey("witnessPrivateKeys")}\` is not set. Run \`pulumi config set --secret ${fullKey("witnessPrivateKeys")}\` and paste the witnesses' keys, comma-separated.`,
    };
  }
  if (rail.archivePath === undefined) {
    return { deploy: true, smoke: false, reason: `the smoke does not run: \`${fullKey("rail.archivePath")}\` is not set. Run \`pulumi config set --path ${fullKey("rail.archivePath")} /var/lib/every-channel/archive/observations.jsonl\`.` };
  }
  return { deploy: true, smoke: true };
}

export function witnessAddresses(rail: Pick<RailConfig, "witnessKeys">): `0x${string}`[] {
  return rail.witnessKeys.map((k) => privateKeyToAddress(k.reveal()));
}

export function deployArgs(rail: RailConfig, portal: string): string[] {
  return [
    "deploy",
    "--rpc", L2_RPC_ON_NETWORK,
    "--witnesses", String(rail.witnessKeys.length),
    "--quorum", String(rail.quorum),
    "--mode", rail.mode,
    "--portal", portal,
    "--fund-min", rail.fundMinEth,
    "--fund-top-up", rail.fundTopUpEth,
    "--json",
  ];
}

export function smokeArgs(rail: RailConfig): string[] {
  const args = [
    "smoke",
    "--rpc", L2_RPC_ON_NETWORK,
    "--archive", ARCHIVE_IN_CONTAINER,
    "--witnesses", String(rail.witnessKeys.length),
    "--quorum", String(rail.quorum),
    "--mode", rail.mode,
    // Real witnesses, real archive: no simulated dissent on the live chain.
    "--dissent-every", "0",
    "--json",
  ];
  if (rail.smokeLimit !== undefined) args.push("--limit", String(rail.smokeLimit));
  return args;
}

export interface RailRun {
  bundlePath: string;
  nodeImage: string;
  args: string[];
  deployerKey: string;
  witnessKeys: string[];
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
    ECP_WITNESS_KEYS: run.witnessKeys.join(","),
  };
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
    deposits: (o["deposits"] ?? []) as RailDeployment["deposits"],
  };
}

export interface SmokeOutput {
  ok: boolean;
  ledger: string;
  observations: number;
  lines: number;
  skipped: number;
  notFinalized: number;
  streams: { stream: string; finalized: number; pending: number; headSequence: string | null; chainIntact: boolean }[];
}

/** The smoke summary reduced to what an operator reads in `pulumi stack output`. */
export function parseSmokeOutput(stdout: string): SmokeOutput {
  const o = lastJsonLine(stdout, "smoke");
  const deployment = o["deployment"] as { ledger?: string } | undefined;
  const streams = (o["streams"] ?? []) as SmokeOutput["streams"];
  return {
    ok: o["ok"] === true,
    ledger: deployment?.ledger ?? "",
    observations: Number(o["observations"]),
    lines: Number(o["lines"]),
    skipped: Array.isArray(o["skipped"]) ? o["skipped"].length : 0,
    notFinalized: Array.isArray(o["notFinalized"]) ? o["notFinalized"].length : 0,
    streams: streams.map((s) => ({ stream: s.stream, finalized: s.finalized, pending: s.pending, headSequence: s.headSequence, chainIntact: s.chainIntact })),
  };
}
