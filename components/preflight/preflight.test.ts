// Preflight against a real anvil (as the L1 RPC) and a small HTTP server standing in for the beacon API.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Anvil, startAnvil } from "../../rail/anvil.js";
import { SEPOLIA_SUPERCHAIN_CONFIG } from "../config/defaults.js";
import { installSuperchainConfig as installOnL1 } from "../testing/l1-doubles.js";
import { checkPreflight, probeL1, SEPOLIA_GENESIS_FORK_VERSION } from "./preflight.js";

const installSuperchainConfig = (anvil: Anvil, version: string) => installOnL1(anvil.rpcUrl, version);

// anvil's first dev account holds 10000 ETH; this one holds nothing.
const RICH = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const EMPTY = "0x000000000000000000000000000000000000dEaD";

let sepoliaAnvil: Anvil;
/** anvil behind a JSON-RPC stand-in that answers eth_config like a Glamsterdam-ready Sepolia client would
 *  (or "method not found", as many providers do); anvil's own eth_config describes anvil, not Sepolia. */
let sepolia: { rpcUrl: string };
let rpcProxy: Server;
let elConfig: unknown = "not-served";
const SEPOLIA_EL_CONFIG = { current: { activationTime: 1791294816, forkId: "0x6c1d9423", chainId: "0xaa36a7", blobSchedule: {}, precompiles: {}, systemContracts: {} }, next: null, last: null };
let mainnetLike: Anvil;
let beacon: Server;
let beaconUrl: string;
let forkVersion = SEPOLIA_GENESIS_FORK_VERSION;
/** Sepolia's fork schedule as a beacon node reports it (eth-clients/sepolia metadata/config.yaml). */
const SEPOLIA_SCHEDULE = [
  ["0x90000069", "0x90000069", "0"],
  ["0x90000069", "0x90000070", "50"],
  ["0x90000070", "0x90000071", "100"],
  ["0x90000071", "0x90000072", "56832"],
  ["0x90000072", "0x90000073", "132608"],
  ["0x90000073", "0x90000074", "222464"],
  ["0x90000074", "0x90000075", "272640"],
  ["0x90000075", "0x90000076", "353024"],
].map(([previous_version, current_version, epoch]) => ({ previous_version, current_version, epoch }));
let schedule: unknown[] = SEPOLIA_SCHEDULE;
const READY_PINS = { opReth: "v2.8.2", opNode: "v1.20.2", opBatcher: "v1.17.0", opProposer: "v1.16.4", opChallenger: "v1.9.5", opDisputeMon: "v1.6.0", opDeployer: "v0.7.1" };
const NOW = Date.parse("2026-12-01T00:00:00Z") / 1000;

beforeAll(async () => {
  [sepoliaAnvil, mainnetLike] = await Promise.all([startAnvil({ chainId: 11155111 }), startAnvil({ chainId: 1 })]);
  rpcProxy = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const call = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
      const one = (c: { id: number; method: string }) =>
        elConfig === "not-served" ? { jsonrpc: "2.0", id: c.id, error: { code: -32601, message: "the method eth_config does not exist/is not available" } } : { jsonrpc: "2.0", id: c.id, result: elConfig };
      const calls = Array.isArray(call) ? call : [call];
      if (calls.some((c) => c.method === "eth_config")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(Array.isArray(call) ? call.map(one) : one(call)));
        return;
      }
      void fetch(sepoliaAnvil.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body }).then(async (r) => {
        res.writeHead(r.status, { "content-type": "application/json" });
        res.end(await r.text());
      });
    });
  });
  await new Promise<void>((r) => rpcProxy.listen(0, "127.0.0.1", r));
  // After U20 Sepolia's shared SuperchainConfig is newer than the v7 OPCM's 2.4.2 (docs/research/2026-11-op-deployer.md §2).
  await installSuperchainConfig(sepoliaAnvil, "2.4.3");
  sepolia = { rpcUrl: `http://127.0.0.1:${(rpcProxy.address() as AddressInfo).port}` };
  beacon = createServer((req, res) => {
    if (req.url === "/eth/v1/beacon/genesis") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: { genesis_time: "1655733600", genesis_fork_version: forkVersion } }));
    } else if (req.url === "/eth/v1/config/fork_schedule") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: schedule }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => beacon.listen(0, "127.0.0.1", r));
  beaconUrl = `http://127.0.0.1:${(beacon.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([sepoliaAnvil?.stop(), mainnetLike?.stop()]);
  rpcProxy?.close();
  beacon?.close();
});

describe("preflight", () => {
  it("passes for Sepolia, a Sepolia beacon and a funded deployer", async () => {
    const facts = await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH });
    expect(checkPreflight(facts, parseEther("2"))).toEqual({
      ok: true,
      problems: [],
      summary: `L1 chain 11155111, beacon ${SEPOLIA_GENESIS_FORK_VERSION}, SuperchainConfig 2.4.3, deployer ${RICH} holds 10000 ETH`,
    });
  });

  it("refuses a shared SuperchainConfig older than the OPCM's, naming the revert it would hit", async () => {
    await installSuperchainConfig(sepoliaAnvil, "2.4.0");
    try {
      const report = checkPreflight(await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH }), undefined);
      expect(report.problems).toEqual([
        `Sepolia's shared SuperchainConfig ${SEPOLIA_SUPERCHAIN_CONFIG} is version 2.4.0, older than the 2.4.2 the OPCM of op-contracts/v7.0.0-rc.4 bundles: apply would revert with OPContractsManagerV2_SuperchainConfigNeedsUpgrade. The shared config is upgraded by OP's superchain-ops tasks; wait for that, or check that \`ecp:l1RpcUrl\` is Sepolia.`,
      ]);
      // The same version as the OPCM's passes.
      await installSuperchainConfig(sepoliaAnvil, "2.4.2");
      expect(checkPreflight(await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH }), undefined).problems).toEqual([]);
    } finally {
      await installSuperchainConfig(sepoliaAnvil, "2.4.3");
    }
  });

  it("names the wrong chain, the silent beacon and the short balance, all at once", async () => {
    const facts = await probeL1({ rpcUrl: mainnetLike.rpcUrl, beaconUrl: `${beaconUrl}/nothing-here`, deployer: EMPTY });
    const report = checkPreflight(facts, parseEther("2"));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      "`ecp:l1RpcUrl` is chain 1, expected 11155111 (Sepolia). Run `pulumi config set --secret ecp:l1RpcUrl` with a Sepolia RPC URL.",
      "`ecp:l1BeaconUrl` does not answer GET /eth/v1/beacon/genesis (HTTP 404). op-node needs a Sepolia beacon API that serves blobs; run `pulumi config set --secret ecp:l1BeaconUrl`.",
      `the deployer ${EMPTY} holds 0 ETH on Sepolia, below \`ecp:minDeployerBalance\` (2 ETH). Send it Sepolia ETH, or lower the minimum with \`pulumi config set ecp:minDeployerBalance "1 ETH"\`.`,
      expect.stringMatching(new RegExp(`^cannot read version\\(\\) of Sepolia's shared SuperchainConfig ${SEPOLIA_SUPERCHAIN_CONFIG} through \`ecp:l1RpcUrl\` \\(.*returned no data`)),
    ]);
  });

  it("refuses a beacon of another network, and never prints the RPC URL", async () => {
    forkVersion = "0x00000000";
    try {
      const facts = await probeL1({ rpcUrl: "http://127.0.0.1:1/secret-token", beaconUrl, deployer: RICH, timeoutMs: 2000 });
      const report = checkPreflight(facts, 1n);
      expect(report.problems[1]).toBe(
        "`ecp:l1BeaconUrl` serves a chain with genesis fork version 0x00000000, expected 0x90000069 (Sepolia).",
      );
      expect(report.problems[0]).toMatch(/^`ecp:l1RpcUrl` does not answer eth_chainId/);
      expect(report.problems.join("\n")).not.toContain("secret-token");
    } finally {
      forkVersion = SEPOLIA_GENESIS_FORK_VERSION;
    }
  });

  it("checks the pins against the fork schedule the L1 reports, and names an unknown fork within the horizon", async () => {
    const facts = await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH });
    expect(facts.forkSchedule).toHaveLength(8);
    // This RPC does not serve eth_config; the beacon schedule alone is used, and the summary says so.
    expect(facts.elConfig).toHaveProperty("error");
    const ok = checkPreflight(facts, parseEther("2"), { pins: READY_PINS, horizonDays: 30, nowUnix: NOW });
    expect(ok.problems).toEqual([]);
    expect(ok.summary).toContain("L1 forks: Glamsterdam active (eth_config not served; beacon schedule only)");
    // A Glamsterdam-ready client's eth_config agrees with the table.
    elConfig = SEPOLIA_EL_CONFIG;
    try {
      const withEl = await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH });
      expect(withEl.elConfig).toEqual({ current: { activationTime: 1791294816, forkId: "0x6c1d9423" }, next: null, last: null });
      expect(checkPreflight(withEl, parseEther("2"), { pins: READY_PINS, horizonDays: 30, nowUnix: NOW }).problems).toEqual([]);
      // A client still on BPO2 (not upgraded for Glamsterdam) is refused.
      elConfig = { current: { activationTime: 1761607008, forkId: "0x268956b6" }, next: null, last: null };
      const stale = checkPreflight(await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH }), undefined, { pins: READY_PINS, horizonDays: 30, nowUnix: NOW });
      expect(stale.problems).toEqual([expect.stringMatching(/^the L1 execution client \(`ecp:l1RpcUrl`\) has not scheduled Glamsterdam, active since 2026-10-06T13:53:36Z/)]);
    } finally {
      elConfig = "not-served";
    }
    const old = checkPreflight(facts, parseEther("2"), { pins: { ...READY_PINS, opBatcher: "v1.16.10" }, horizonDays: 30, nowUnix: NOW });
    expect(old.problems).toHaveLength(1);
    expect(old.problems[0]).toMatch(/^op-batcher v1\.16\.10 \(`ecp:images\.opBatcher\.tag`\) is below v1\.17\.0, the minimum for Sepolia's Glamsterdam fork/);
    // The L1 schedules a fork this stack does not know, 10 days out: refused until the table knows it.
    schedule = [...SEPOLIA_SCHEDULE, { previous_version: "0x90000076", current_version: "0x90000077", epoch: String(Math.ceil((NOW + 10 * 86_400 - 1655733600) / 384)) }];
    try {
      const next = checkPreflight(await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH }), undefined, { pins: READY_PINS, horizonDays: 30, nowUnix: NOW });
      expect(next.problems).toEqual([expect.stringMatching(/^the L1 schedules fork version 0x90000077 at epoch \d+ \(2026-12-1\d.*\); this stack's fork table \(components\/preflight\/fork-minimums\.ts\) does not know it/)]);
    } finally {
      schedule = SEPOLIA_SCHEDULE;
    }
  });

  it("a beacon without the fork schedule, or with a malformed one, is a problem when pins are checked", async () => {
    schedule = [{ previous_version: "0x90000069", current_version: "nope", epoch: 0 }];
    try {
      const facts = await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH });
      const report = checkPreflight(facts, undefined, { pins: READY_PINS, horizonDays: 30, nowUnix: NOW });
      expect(report.problems).toEqual([expect.stringMatching(/^`ecp:l1BeaconUrl` does not answer GET \/eth\/v1\/config\/fork_schedule \(the beacon fork_schedule answer is malformed: data\[0\]\.current_version must be/)]);
      // Without pins to check (no gate), the schedule is not needed.
      expect(checkPreflight(facts, undefined).problems).toEqual([]);
    } finally {
      schedule = SEPOLIA_SCHEDULE;
    }
  });

  it("runs as the script the stack runs before apply, exiting 1 with the problems", async () => {
    // Asynchronous: the beacon stand-in answers from this process.
    const run = (deployer: string) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          "node_modules/.bin/tsx",
          ["scripts/op-stack/preflight.ts"],
          { encoding: "utf8", env: { ...process.env, ECP_L1_RPC_URL: sepolia.rpcUrl, ECP_L1_BEACON_URL: beaconUrl, ECP_DEPLOYER_ADDRESS: deployer, ECP_MIN_DEPLOYER_BALANCE_WEI: parseEther("2").toString() } },
          (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const ok = await run(RICH);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("preflight ok: L1 chain 11155111");
    const short = await run(EMPTY);
    expect(short.status).toBe(1);
    expect(short.stderr).toContain("Preflight failed; nothing was deployed:");
    expect(short.stderr).toContain(`the deployer ${EMPTY} holds 0 ETH on Sepolia`);
    // --no-balance (what the stack runs): no balance demanded, the pins checked.
    const forks = (pins: object) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          "node_modules/.bin/tsx",
          ["scripts/op-stack/preflight.ts", "--no-balance"],
          {
            encoding: "utf8",
            env: { ...process.env, ECP_L1_RPC_URL: sepolia.rpcUrl, ECP_L1_BEACON_URL: beaconUrl, ECP_DEPLOYER_ADDRESS: EMPTY, ECP_MIN_DEPLOYER_BALANCE_WEI: parseEther("2").toString(), ECP_PINS: JSON.stringify(pins), ECP_FORK_HORIZON_DAYS: "30" },
          },
          (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const ready = await forks(READY_PINS);
    expect(ready.stderr).toBe("");
    expect(ready.status).toBe(0);
    expect(ready.stdout).toContain("Glamsterdam active");
    const stale = await forks({ ...READY_PINS, opNode: "v1.19.0" });
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain("op-node v1.19.0 (`ecp:images.opNode.tag`) is below v1.19.5");
    expect(stale.stderr).not.toContain("holds 0 ETH");
  });
});
