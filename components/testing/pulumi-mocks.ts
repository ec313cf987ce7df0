/**
 * Pulumi's own mocks (pulumi.runtime.setMocks) for the stack tests: every registered resource is recorded
 * with its inputs, and the remote steps answer with what op-deployer would print, built from the fixtures.
 * No Pulumi CLI, plugin or Docker is involved.
 */
import { STANDARD_ABSOLUTE_PRESTATE } from "../config/defaults.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import * as pulumi from "@pulumi/pulumi";

export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  custom: boolean;
  provider?: string;
}

export function isSecretValue(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** The value with secret markers removed (for assertions on content). */
export function reveal(v: unknown): unknown {
  if (isSecretValue(v)) return reveal(v.value);
  if (Array.isArray(v)) return v.map(reveal);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  return v;
}

/** Everything in `v` that is NOT behind a secret marker, as one string. */
export function plainText(v: unknown): string {
  if (isSecretValue(v)) return "";
  if (Array.isArray(v)) return v.map(plainText).join("\n");
  if (typeof v === "object" && v !== null) return Object.values(v).map(plainText).join("\n");
  return v === undefined || v === null ? "" : String(v);
}

const fixture = (name: string) => readFileSync(new URL(`../deployer/fixtures/${name}`, import.meta.url), "utf8");
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

export const MOCK_JWT_HEX = "ab".repeat(32);

/** The ledger the mocked deploy step reports: fixed by the deployer and the salt, whatever the witness set. */
export const MOCK_LEDGER = "0x00000000000000000000000000000000000000Aa";

/** What the rail client prints for `deploy --witness … --json` (shape from rail/cli.ts deployBySet): the
 *  chain's members after the reconcile, which are the ones asked for. */
export function mockRailDeploy(witnesses: string[], quorum: number): string {
  return JSON.stringify({
    chainId: 16584,
    ledger: MOCK_LEDGER,
    rail: "0x00000000000000000000000000000000000000bB",
    owner: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf",
    witnesses,
    quorum,
    deployBlock: "1200",
    actions: [],
    deposits: [],
  });
}

/** What `rail smoke-network --json` prints (shape from rail/network-smoke.ts). */
export const MOCK_RAIL_SMOKE = JSON.stringify({
  ok: true,
  chainId: 16584,
  ledger: "0x00000000000000000000000000000000000000Cc",
  eip712: { name: "EveryChannelObservationLedger", version: "1", chainId: 16584, verifyingContract: "0x00000000000000000000000000000000000000Cc" },
  witnesses: ["0x0000000000000000000000000000000000000011", "0x0000000000000000000000000000000000000012", "0x0000000000000000000000000000000000000013"],
  quorum: 2,
  relayer: "0x0000000000000000000000000000000000000014",
  lines: 30,
  expected: 30,
  finalized: 30,
  seconds: 21,
  streams: [{ stream: "atsc/KTVU/2.1", finalized: 10, pending: 0, conflicting: 0, skipped: 0, headSequence: "9" }],
  processes: [],
  metrics: { witness: [], relayer: [] },
});

/** The arguments in a rail step's stdin (RAIL_ARGS, one per line). */
export function railArgsOf(inputs: Record<string, unknown>): string[] {
  const stdin = String(reveal(inputs["stdin"]) ?? "");
  const m = /export RAIL_ARGS='([^']*)'/.exec(stdin);
  return m === null ? [] : (m[1] ?? "").split("\n");
}

export interface MockChain {
  /** Overrides the deployed absolute prestate in state.json's applied intent. */
  deployedPrestate?: string;
  /** The ledger's members and quorum as the last mocked deploy step left them: state carried between runs. */
  ledgerMembers?: { witnesses: string[]; quorum: number; deploys: number };
  /** Stdout of named remote/local commands (by resource name), overriding the defaults. */
  stdout?: Record<string, string>;
}

/** What the mocked RandomPassword returns (the Grafana admin password). */
export const MOCK_GRAFANA_PASSWORD = "mockGrafanaAdminPassword0123456789ab";

/** What remote/op-deployer-inspect.sh prints for the fixture deployment. */
export function inspectStdout(chain: MockChain = {}): string {
  const state = JSON.parse(fixture("state.json")) as Record<string, unknown>;
  if (chain.deployedPrestate !== undefined) {
    const applied = state["appliedIntent"] as { chains: { deployOverrides?: Record<string, unknown> }[] };
    for (const c of applied.chains) c.deployOverrides = { ...c.deployOverrides, faultGameAbsolutePrestate: chain.deployedPrestate };
  }
  const rollup = fixture("rollup.json");
  return JSON.stringify({
    genesisSha256: sha("genesis"),
    rollupSha256: sha(rollup),
    rollup: JSON.parse(rollup) as unknown,
    l1: { SystemConfigProxy: "0x1111111111111111111111111111111111111111" },
    state,
  });
}

/** What scripts/op-stack/day2.ts prints: the chain starts with the fixture's values (the deployed prestate, the
 *  config's roles) and ends with what the step was asked for. */
function day2Stdout(inputs: Record<string, unknown>, chain: MockChain): string {
  const env = reveal(inputs["environment"]) as Record<string, unknown> | undefined;
  const raw = env?.["ECP_DESIRED"];
  const desired = JSON.parse(typeof raw === "string" ? raw : "{}") as Record<string, string>;
  const deployedPrestate = chain.deployedPrestate ?? STANDARD_ABSOLUTE_PRESTATE;
  const before = { absolutePrestate: deployedPrestate, proposer: desired["proposer"], challenger: desired["challenger"], batcher: desired["batcher"], unsafeBlockSigner: desired["unsafeBlockSigner"] };
  const after = { ...before, absolutePrestate: desired["absolutePrestate"] ?? deployedPrestate };
  const sent = after.absolutePrestate === before.absolutePrestate ? [] : [{ call: "DisputeGameFactory.setImplementation", changes: [`absolute prestate ${before.absolutePrestate} -> ${after.absolutePrestate}`], transaction: `0x${"ab".repeat(32)}` }];
  return `${JSON.stringify({ before, after, sent })}\n`;
}

function stdoutFor(name: string, chain: MockChain, inputs: Record<string, unknown> = {}): string {
  const override = chain.stdout?.[name];
  if (override !== undefined) return override;
  if (name === "day2-l1") return day2Stdout(inputs, chain);
  if (name.endsWith("-init") && name.startsWith("op-deployer")) return fixture("init-intent.toml");
  // The fixture chain is deployed: the first-deploy steps have nothing to do.
  if (name === "op-deployer-calldata" || name === "op-deployer-deploy-send") return '{"status":"deployed"}\n';
  if (name === "monitoring-user") return "1000:100";
  if (name.endsWith("-apply")) return `${sha("state.json")}\n`;
  if (name.endsWith("-inspect")) return inspectStdout(chain);
  if (name === "rail-deploy") {
    const args = railArgsOf(inputs);
    const witnesses = args.flatMap((a, i) => (a === "--witness" ? [args[i + 1] ?? ""] : []));
    const quorum = Number(args[args.indexOf("--quorum") + 1]);
    chain.ledgerMembers = { witnesses, quorum, deploys: (chain.ledgerMembers?.deploys ?? 0) + 1 };
    return mockRailDeploy(witnesses, quorum);
  }
  if (name === "rail-smoke-run") return MOCK_RAIL_SMOKE;
  return "";
}

/** Installs the mocks and returns the list every registered resource is appended to. */
export function installMocks(chain: MockChain = {}, preview = false): Recorded[] {
  const recorded: Recorded[] = [];
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        const r: Recorded = { type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, custom: args.custom ?? true };
        if (args.provider !== undefined) r.provider = args.provider;
        recorded.push(r);
        const state: Record<string, unknown> = { ...args.inputs };
        switch (args.type) {
          case "command:remote:Command":
          case "command:local:Command":
            state["stdout"] = stdoutFor(args.name, chain, args.inputs as Record<string, unknown>);
            state["stderr"] = "";
            break;
          case "docker:index/remoteImage:RemoteImage":
            state["imageId"] = `sha256:${sha(String(args.inputs["name"]))}`;
            state["repoDigest"] = `${String(args.inputs["name"]).split(":")[0]}@sha256:${sha(String(args.inputs["name"]))}`;
            break;
          case "random:index/randomPassword:RandomPassword":
            state["result"] = MOCK_GRAFANA_PASSWORD;
            break;
          case "random:index/randomBytes:RandomBytes": {
            // The sequencer's keys are MOCK_JWT_HEX; each verifier peer's and each rail key its own (from the
            // resource name).
            const hex = args.name.startsWith("peer-") || args.name.includes("rail") ? sha(args.name) : MOCK_JWT_HEX;
            state["hex"] = hex;
            state["base64"] = Buffer.from(hex, "hex").toString("base64");
            break;
          }
          default:
            break;
        }
        return { id: `${args.name}-id-${sha(args.name).slice(0, 16)}`, state };
      },
      call(args) {
        return args.inputs as Record<string, unknown>;
      },
    },
    "ecp-forge",
    "sepolia",
    preview,
  );
  return recorded;
}

export function promiseOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** Waits until no new resource has been registered for a while (registrations follow resolved outputs). */
export async function settle(recorded: Recorded[], quietMs = 150): Promise<void> {
  let count = -1;
  while (count !== recorded.length) {
    count = recorded.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

export function byName(recorded: Recorded[], name: string): Recorded {
  const found = recorded.filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one resource named ${name}, found ${found.length}: ${recorded.map((r) => r.name).join(", ")}`);
  return found[0] as Recorded;
}
