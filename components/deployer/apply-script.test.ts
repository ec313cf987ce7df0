// remote/op-deployer-apply.sh run for real in bash, against a real anvil as L1 and a stand-in op-deployer
// binary that records what it was asked to do: the deploy budget is checked only before a first deploy.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { parseEther } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Anvil, startAnvil } from "../../rail/anvil.js";
import { devAccount, devKey } from "../../rail/keys.js";
import { testConfig } from "../config/test-fixtures.js";
import { applyStep } from "./steps.js";

const EMPTY = "0x000000000000000000000000000000000000dEaD";
let anvil: Anvil;
let dir: string;

beforeAll(async () => {
  anvil = await startAnvil({ chainId: 11155111 });
  dir = mkdtempSync(path.join(tmpdir(), "ecp-apply-"));
});
afterAll(async () => {
  await anvil.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in op-deployer: `init` writes an empty state.json, `apply` records the call and a deployment of
 *  chain 16584 (0x40c8), as v0.7.1's state.json records it. */
function fakeOpDeployer(bin: string): string {
  const file = path.join(bin, "op-deployer");
  writeFileSync(
    file,
    `#!/usr/bin/env bash
set -euo pipefail
cmd=$1; shift
workdir=""
while [ $# -gt 0 ]; do case $1 in --workdir) workdir=$2; shift 2;; *) shift;; esac; done
case $cmd in
  init) echo '{"appliedIntent":null}' > "$workdir/state.json";;
  apply) echo applied >> "$workdir/calls"; echo '{"opChainDeployments":[{"id":"0x${"0".repeat(60)}40c8"}]}' > "$workdir/state.json";;
esac
`,
  );
  chmodSync(file, 0o755);
  return file;
}

function runApply(name: string, deployer: string, minEth = "2") {
  const root = path.join(dir, name);
  const bin = path.join(root, "bin");
  execFileSync("mkdir", ["-p", bin]);
  const opDeployer = fakeOpDeployer(bin);
  const config = testConfig({ "ecp:minDeployerBalance": `${minEth} ETH` });
  const step = applyStep({ ...config, opDeployer: config.opDeployer }, { bin, deployer: path.join(root, "deployer") }, 'configType = "standard-overrides"', { l1RpcUrl: anvil.rpcUrl, deployerPrivateKey: devKey(0) }, deployer);
  // The binary's path comes from the config's version; point it at the stand-in.
  const stdin = step.stdin.replace(/export OP_DEPLOYER='[^']*'/, `export OP_DEPLOYER='${opDeployer}'`);
  const r = spawnSync("bash", ["-s"], { input: stdin, encoding: "utf8" });
  const calls = path.join(root, "deployer", "calls");
  return { ...r, applied: existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n").length : 0, root };
}

describe("op-deployer-apply.sh and the deploy budget", () => {
  it("refuses a first deploy from an empty deployer, naming the balance and the fix; nothing is applied", () => {
    const r = runApply("empty", EMPTY);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the deployer ${EMPTY} holds 0x0 wei on L1, below ecp:minDeployerBalance (2 ETH); the first deploy spends it. Nothing was deployed.`);
    expect(r.applied).toBe(0);
    expect(r.stderr).not.toContain(anvil.rpcUrl);
  });

  it("applies a first deploy from a funded deployer", () => {
    const r = runApply("funded", devAccount(0).address);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.applied).toBe(1);
    expect(r.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it("compares wei beyond 64 bits: 10,000 ETH passes a 9,999 ETH minimum and fails a 10,001 ETH one", () => {
    expect(parseEther("10000") > 2n ** 64n).toBe(true);
    expect(runApply("big-ok", devAccount(1).address, "9999").status).toBe(0);
    const r = runApply("big-short", devAccount(2).address, "10001");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("below ecp:minDeployerBalance (10001 ETH)");
  });

  it("on a deployed chain asks for no budget: an empty deployer re-applies (apply deploys nothing then)", () => {
    const first = runApply("deployed", devAccount(3).address);
    expect(first.status).toBe(0);
    // Same workdir, now recording the deployment; the deployer is empty.
    const again = runApply("deployed", EMPTY);
    expect(again.stderr).toBe("");
    expect(again.status).toBe(0);
    expect(again.applied).toBe(2);
  });

  it("an L1 that does not answer is a clear failure with the URL masked", () => {
    const root = path.join(dir, "down");
    execFileSync("mkdir", ["-p", path.join(root, "bin")]);
    const opDeployer = fakeOpDeployer(path.join(root, "bin"));
    const config = testConfig();
    const step = applyStep(config, { bin: path.join(root, "bin"), deployer: path.join(root, "deployer") }, "x", { l1RpcUrl: "http://127.0.0.1:1/secret-token", deployerPrivateKey: devKey(0) }, EMPTY);
    const r = spawnSync("bash", ["-s"], { input: step.stdin.replace(/export OP_DEPLOYER='[^']*'/, `export OP_DEPLOYER='${opDeployer}'`), encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot read the deployer's balance before the first deploy");
    expect(r.stderr).not.toContain("secret-token");
  });
});
