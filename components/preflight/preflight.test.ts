// Preflight against a real anvil (as the L1 RPC) and a small HTTP server standing in for the beacon API.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Anvil, startAnvil } from "../../rail/anvil.js";
import { checkPreflight, probeL1, SEPOLIA_GENESIS_FORK_VERSION } from "./preflight.js";

// anvil's first dev account holds 10000 ETH; this one holds nothing.
const RICH = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const EMPTY = "0x000000000000000000000000000000000000dEaD";

let sepolia: Anvil;
let mainnetLike: Anvil;
let beacon: Server;
let beaconUrl: string;
let forkVersion = SEPOLIA_GENESIS_FORK_VERSION;

beforeAll(async () => {
  [sepolia, mainnetLike] = await Promise.all([startAnvil({ chainId: 11155111 }), startAnvil({ chainId: 1 })]);
  beacon = createServer((req, res) => {
    if (req.url === "/eth/v1/beacon/genesis") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: { genesis_time: "1655733600", genesis_fork_version: forkVersion } }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => beacon.listen(0, "127.0.0.1", r));
  beaconUrl = `http://127.0.0.1:${(beacon.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all([sepolia?.stop(), mainnetLike?.stop()]);
  beacon?.close();
});

describe("preflight", () => {
  it("passes for Sepolia, a Sepolia beacon and a funded deployer", async () => {
    const facts = await probeL1({ rpcUrl: sepolia.rpcUrl, beaconUrl, deployer: RICH });
    expect(checkPreflight(facts, parseEther("2"))).toEqual({
      ok: true,
      problems: [],
      summary: `L1 chain 11155111, beacon ${SEPOLIA_GENESIS_FORK_VERSION}, deployer ${RICH} holds 10000 ETH`,
    });
  });

  it("names the wrong chain, the silent beacon and the short balance, all at once", async () => {
    const facts = await probeL1({ rpcUrl: mainnetLike.rpcUrl, beaconUrl: `${beaconUrl}/nothing-here`, deployer: EMPTY });
    const report = checkPreflight(facts, parseEther("2"));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      "`ecp:l1RpcUrl` is chain 1, expected 11155111 (Sepolia). Run `pulumi config set --secret ecp:l1RpcUrl` with a Sepolia RPC URL.",
      "`ecp:l1BeaconUrl` does not answer GET /eth/v1/beacon/genesis (HTTP 404). op-node needs a Sepolia beacon API that serves blobs; run `pulumi config set --secret ecp:l1BeaconUrl`.",
      `the deployer ${EMPTY} holds 0 ETH on Sepolia, below \`ecp:minDeployerBalance\` (2 ETH). Send it Sepolia ETH, or lower the minimum with \`pulumi config set ecp:minDeployerBalance "1 ETH"\`.`,
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
  });
});
