// The rail step the stack runs on ecp-forge, run for real here: the same bundle, the same arguments
// (deployArgs / smokeArgs), with op-geth's network URL pointed at anvil. "L1" is a second anvil holding a
// test double of OptimismPortal, and the test plays op-node by crediting each deposit on "L2".
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { createTestClient, http, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Redacted } from "../config/secret.js";
import type { RailConfig } from "../config/schema.js";
import { type Anvil, startAnvil } from "../../rail/anvil.js";
import { connect } from "../../rail/connection.js";
import { deployPortalDouble, installL1Block, relayDeposits } from "../../rail/testing/op-stack-doubles.js";
import { bundleRailCli } from "./bundle.js";
import { ARCHIVE_IN_CONTAINER, deployArgs, L2_RPC_ON_NETWORK, parseDeployOutput, parseSmokeOutput, smokeArgs } from "./steps.js";


// Fresh keys: the deployer has Sepolia ETH (set below) and nothing on L2, so deploy must fund it first.
const DEPLOYER = `0x${"d1".repeat(32)}` as Hex;
const WITNESSES = [1, 2, 3].map((i) => `0x${String(i).repeat(2).padStart(64, "e")}` as Hex);
const FIXTURE = path.resolve("smoke/fixtures/archive.jsonl");

const rail: RailConfig = {
  enabled: true,
  witnessKeys: WITNESSES.map((k) => new Redacted(k)),
  quorum: 2,
  archivePath: "/var/lib/every-channel/archive/observations.jsonl",
  mode: "relayed",
  smokeTrigger: "1",
  smokeLimit: 120,
  fundMinEth: "0.05",
  fundTopUpEth: "0.25",
  nodeImage: { repository: "docker.io/library/node", tag: "22.23.3-bookworm-slim" },
};

let l1: Anvil;
let l2: Anvil;
let portal: Address;
let bundlePath: string;
let stopRelay: () => void;

/** What remote/rail.sh does inside the container, with the network names swapped for the anvils. */
function runBundle(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const local = args.map((a) => (a === L2_RPC_ON_NETWORK ? l2.rpcUrl : a === ARCHIVE_IN_CONTAINER ? FIXTURE : a));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bundlePath, ...local],
      {
        encoding: "utf8",
        cwd: tmpdir(),
        env: { PATH: process.env["PATH"] ?? "", ECP_DEPLOYER_KEY: DEPLOYER, ECP_WITNESS_KEYS: WITNESSES.join(","), ECP_L1_RPC_URL: l1.rpcUrl },
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  [l1, l2] = await Promise.all([startAnvil({ chainId: 11155111 }), startAnvil({ chainId: 16584 })]);
  const l1Conn = await connect(l1.rpcUrl);
  const l1Test = createTestClient({ chain: l1Conn.chain, transport: http(l1.rpcUrl), mode: "anvil" });
  const deployer = privateKeyToAccount(DEPLOYER);
  await l1Test.setBalance({ address: deployer.address, value: parseEther("10") });
  portal = await deployPortalDouble(l1Conn, deployer);
  const l2Conn = await connect(l2.rpcUrl);
  await installL1Block(l2Conn, await l1Conn.publicClient.getBlockNumber());
  stopRelay = relayDeposits(l1Conn, l2Conn, portal, { delayMs: 0 });
  bundlePath = path.join(mkdtempSync(path.join(tmpdir(), "rail-bundle-")), "rail.mjs");
  writeFileSync(bundlePath, bundleRailCli().code);
});

afterAll(async () => {
  stopRelay?.();
  await Promise.all([l1?.stop(), l2?.stop()]);
});

describe("the bundled rail client, as the stack runs it", () => {
  it("funds the deployer through the portal, deploys, and a second run deploys nothing", async () => {
    const first = await runBundle(deployArgs(rail, portal));
    expect(first.code).toBe(0);
    const d = parseDeployOutput(first.stdout);
    expect(d.chainId).toBe(16584);
    expect(d.quorum).toBe(2);
    expect(d.witnesses).toEqual(WITNESSES.map((k) => privateKeyToAccount(k).address));
    expect(d.deposits).toHaveLength(1);
    expect(d.deposits[0]).toMatchObject({ to: privateKeyToAccount(DEPLOYER).address, value: parseEther("0.25").toString() });

    const again = await runBundle(deployArgs(rail, portal));
    expect(again.code).toBe(0);
    const d2 = parseDeployOutput(again.stdout);
    expect(d2.ledger).toBe(d.ledger);
    expect(d2.deposits).toEqual([]);
  });

  it("runs the smoke on the archive: every observation finalized, each stream's chain intact", async () => {
    const deployed = parseDeployOutput((await runBundle(deployArgs(rail, portal))).stdout);
    const run = await runBundle(smokeArgs(rail));
    expect(run.code, run.stderr).toBe(0);
    const s = parseSmokeOutput(run.stdout);
    expect(s).toMatchObject({ ok: true, ledger: deployed.ledger, observations: 120, notFinalized: 0, skipped: 0 });
    expect(s.streams.length).toBeGreaterThan(0);
    expect(s.streams.reduce((n, x) => n + x.finalized, 0)).toBe(120);
    for (const x of s.streams) expect(x.chainIntact, x.stream).toBe(true);
  });
});
