// The rail steps the stack runs on ecp-forge, run for real here: the same bundle, the same arguments
// (deployArgs / smokeArgs), with the execution client's network URL pointed at anvil. "L1" is a second anvil
// holding a test double of OptimismPortal, and the test plays op-node by crediting each deposit on "L2".
// The smoke starts the bundle's own witnesses and relayer as processes of their own: the shipped artifact
// is what is proven to work, and the metrics the rail alerts and panels read are checked against what
// those processes export.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { createTestClient, http, parseEther, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { RailConfig } from "../config/schema.js";
import { METRICS } from "../monitoring/metrics.js";
import { type Anvil, startAnvil } from "../../rail/anvil.js";
import { connect } from "../../rail/connection.js";
import { deployPortalDouble, installL1Block, relayDeposits } from "../../rail/testing/op-stack-doubles.js";
import { bundleRailCli } from "./bundle.js";
import { ARCHIVE_IN_CONTAINER, deployArgs, L2_RPC_ON_NETWORK, parseDeployOutput, parseSmokeOutput, smokeArgs } from "./steps.js";


// Fresh keys: the deployer has Sepolia ETH (set below) and nothing on L2, so deploy must fund it first.
// The members are addresses only; the smoke's keys are throwaway keys like the ones the stack generates.
const DEPLOYER = `0x${"d1".repeat(32)}` as Hex;
const MEMBERS = [1, 2, 3].map((i) => privateKeyToAccount(`0x${String(i).repeat(2).padStart(64, "e")}` as Hex).address);
const RELAYER = privateKeyToAccount(`0x${"a7".repeat(32)}`).address;
const SMOKE_KEYS = [1, 2, 3].map((i) => `0x${String(i).repeat(2).padStart(64, "c")}` as Hex);
const SMOKE_RELAYER = `0x${"b9".repeat(32)}` as Hex;
const FIXTURE = path.resolve("smoke/fixtures/archive.jsonl");

const rail: RailConfig = {
  enabled: true,
  witnesses: MEMBERS.map((address, i) => ({ name: `w${i}`, address })),
  quorum: 2,
  smokeWitnesses: 3,
  archiveDir: "/var/lib/every-channel/archive",
  mode: "relayed",
  smokeTrigger: "1",
  smokeLimit: 30,
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
        env: { PATH: process.env["PATH"] ?? "", ECP_DEPLOYER_KEY: DEPLOYER, ECP_WITNESS_KEYS: SMOKE_KEYS.join(","), ECP_RELAYER_KEY: SMOKE_RELAYER, ECP_L1_RPC_URL: l1.rpcUrl },
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
  writeFileSync(bundlePath, (await bundleRailCli()).code);
});

afterAll(async () => {
  stopRelay?.();
  await Promise.all([l1?.stop(), l2?.stop()]);
});

describe("the bundled rail client, as the stack runs it", () => {
  it("funds the deployer and the relayer through the portal, deploys, brings in the members, and a second run changes nothing", async () => {
    const first = await runBundle(deployArgs(rail, portal, [RELAYER]));
    expect(first.code, first.stderr).toBe(0);
    const d = parseDeployOutput(first.stdout);
    expect(d.chainId).toBe(16584);
    expect(d.quorum).toBe(2);
    expect(d.witnesses).toEqual(MEMBERS);
    // Where the ledger's readers start: the block its code appeared in.
    const l2Conn = await connect(l2.rpcUrl);
    const at = BigInt(d.deployBlock);
    expect(await l2Conn.publicClient.getCode({ address: d.ledger, blockNumber: at })).not.toBe("0x");
    expect(at).toBeGreaterThan(0n);
    expect(await l2Conn.publicClient.getCode({ address: d.ledger, blockNumber: at - 1n })).toBeUndefined();
    expect(d.deposits.map((x) => x.to).sort()).toEqual([privateKeyToAccount(DEPLOYER).address, RELAYER].sort());
    expect(d.deposits[0]).toMatchObject({ value: parseEther("0.25").toString() });

    const again = await runBundle(deployArgs(rail, portal, [RELAYER]));
    expect(again.code).toBe(0);
    const d2 = parseDeployOutput(again.stdout);
    expect(d2.ledger).toBe(d.ledger);
    expect(d2.deposits).toEqual([]);
  });

  it("a membership change is reconciled in place: same ledger, new set and quorum read back", async () => {
    const before = parseDeployOutput((await runBundle(deployArgs(rail, portal, [RELAYER]))).stdout);
    const added = privateKeyToAccount(`0x${"44".padStart(64, "e")}`).address;
    const changed = { ...rail, witnesses: [...rail.witnesses.slice(1), { name: "w3", address: added }], quorum: 3 };
    const run = await runBundle(deployArgs(changed, portal, [RELAYER]));
    expect(run.code, run.stderr).toBe(0);
    const after = parseDeployOutput(run.stdout);
    expect(after.ledger).toBe(before.ledger);
    expect(after.witnesses).toEqual([...MEMBERS.slice(1), added]);
    expect(after.quorum).toBe(3);
    // An unreachable quorum is refused before anything is sent, naming it.
    const refused = await runBundle(deployArgs({ ...changed, quorum: 4 }, portal, [RELAYER]));
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("a quorum of 4 is out of reach with 3 witness(es)");
    const back = parseDeployOutput((await runBundle(deployArgs(rail, portal, [RELAYER]))).stdout);
    expect(back).toMatchObject({ ledger: before.ledger, quorum: 2 });
    expect([...back.witnesses].sort()).toEqual([...MEMBERS].sort());
  });

  it("a smoke that cannot run fails with the reason, naming the archive", async () => {
    const bad = path.join(mkdtempSync(path.join(tmpdir(), "bad-archive-")), "a.jsonl");
    writeFileSync(bad, "not json\n");
    const args = smokeArgs(rail).map((a) => (a === ARCHIVE_IN_CONTAINER ? bad : a));
    const run = await runBundle(args);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`--archive ${bad}: its first 1 line(s) hold no valid observation`);
  });

  it("runs the witness network smoke as processes of the bundle: every observation final on a smoke ledger of its own", async () => {
    const deployed = parseDeployOutput((await runBundle(deployArgs(rail, portal, [RELAYER]))).stdout);
    const run = await runBundle([...smokeArgs(rail), "--poll-ms", "100"]);
    expect(run.code, run.stderr).toBe(0);
    const s = parseSmokeOutput(run.stdout);
    expect(s).toMatchObject({ ok: true, witnesses: 3, quorum: 2, expected: 30, finalized: 30 });
    expect(s.ledger).not.toBe(deployed.ledger);
    expect(s.streams.reduce((n, x) => n + x.finalized, 0)).toBe(30);
    // The smoke never touched the real ledger's members.
    expect([...parseDeployOutput((await runBundle(deployArgs(rail, portal, [RELAYER]))).stdout).witnesses].sort()).toEqual([...MEMBERS].sort());
    // Every rail metric the alerts and dashboards read is exported by the processes that ran.
    const exported = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as { metrics: { witness: string[]; relayer: string[] } };
    const families = new Set([...exported.metrics.witness, ...exported.metrics.relayer]);
    const missing = METRICS.filter((m) => m.source.startsWith("rail:")).map((m) => m.name).filter((n) => !families.has(n));
    expect(missing).toEqual([]);
    // A second run gets a fresh ledger: what it finds final is its own.
    const second = parseSmokeOutput((await runBundle([...smokeArgs(rail), "--poll-ms", "100"])).stdout);
    expect(second).toMatchObject({ ok: true, finalized: 30 });
    expect(second.ledger).not.toBe(s.ledger);
  }, 300_000);
});
