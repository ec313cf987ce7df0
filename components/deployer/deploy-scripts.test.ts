// The first deploy as the stack runs it, each step a real process against a real anvil as L1:
// remote/op-deployer-calldata.sh and remote/op-deployer-apply.sh in bash, with a stand-in op-deployer binary
// that records what it was asked to do and writes state.json as v0.7.1 does; scripts/op-stack/deploy-send.ts
// in node, sending to a contracts-manager double that CREATE2-deploys the chain's contracts
// (contracts/test/utils/OpChainL1Doubles.sol). Faults: kill -9 after the send, an RPC that caps
// eth_estimateGas, wrong key, wrong target, a reverting deploy, a poor deployer, an L1 that does not answer.
import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import {
  type Abi,
  type Address,
  concat,
  createPublicClient,
  createWalletClient,
  encodeAbiParameters,
  encodeDeployData,
  encodeFunctionData,
  getAddress,
  getContractAddress,
  type Hex,
  http,
  keccak256,
  parseEther,
  parseGwei,
  parseTransaction,
  zeroAddress,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Anvil, startAnvil } from "../../rail/anvil.js";
import { devAccount, devKey } from "../../rail/keys.js";
import { testConfig } from "../config/test-fixtures.js";
import { chooseGas, deployBlockOf, deployFees, type DeployPlan, fitDeployFees, parseDeployPlan } from "./send.js";
import { applyStep, calldataStep, inspectStep } from "./steps.js";

const L2 = 16584;
const foundryL1 = { ...foundry, id: 11155111 };
const CHAIN_ID_HASH = `0x${L2.toString(16).padStart(64, "0")}`;
const EMPTY = "0x000000000000000000000000000000000000dEaD";
const SLOTS = 120n;
const COUNT = 4n;
const NAMES = ["SystemConfigProxy", "OptimismPortalProxy", "DisputeGameFactoryProxy", "L1StandardBridgeProxy"];

const artifact = (name: string) => JSON.parse(readFileSync(`contracts/out/OpChainL1Doubles.sol/${name}.json`, "utf8")) as { abi: Abi; bytecode: { object: Hex } };
const opcmArtifact = artifact("OpcmDeployDouble");

let anvil: Anvil;
let dir: string;
let opcm: Address;
let client: ReturnType<typeof createPublicClient>;

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  return client.request({ method: method as never, params: params as never });
}

beforeAll(async () => {
  // Twenty funded accounts: each test sends from its own.
  anvil = await startAnvil({ chainId: 11155111, extraArgs: ["--accounts", "20"] });
  dir = mkdtempSync(path.join(tmpdir(), "ecp-deploy-"));
  client = createPublicClient({ transport: http(anvil.rpcUrl) });
  const w = createWalletClient({ account: devAccount(9), chain: foundryL1, transport: http(anvil.rpcUrl) });
  const hash = await w.sendTransaction({ data: encodeDeployData({ abi: opcmArtifact.abi, bytecode: opcmArtifact.bytecode.object }) });
  opcm = (await client.waitForTransactionReceipt({ hash })).contractAddress!;
});
afterAll(async () => {
  await anvil.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What op-deployer's calldata run would record for `deployer`: the OPCM.deploy call and the addresses its
 *  CREATE2s give (they depend on the sender, as the real contracts manager's do). */
function simulated(deployer: Address, salt: Hex) {
  const data = encodeFunctionData({ abi: opcmArtifact.abi, functionName: "deploy", args: [salt, COUNT, SLOTS] });
  const initCode = concat([artifact("DeployedContractDouble").bytecode.object, encodeAbiParameters([{ type: "uint256" }], [SLOTS])]);
  const addresses = NAMES.map((_, i) =>
    getContractAddress({
      opcode: "CREATE2",
      from: opcm,
      salt: keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }, { type: "uint256" }], [deployer, salt, BigInt(i)])),
      bytecode: initCode,
    }),
  );
  const contracts = Object.fromEntries(NAMES.map((n, i) => [n, addresses[i]!]));
  const state = {
    create2Salt: salt,
    appliedIntent: { l1ChainID: 11155111 },
    opChainDeployments: [
      // Not a proxy, and a zero proxy: neither is in the plan.
      { id: CHAIN_ID_HASH, ...contracts, OpChainProxyAdminImpl: opcm, AltDAChallengeProxy: zeroAddress, startBlock: { hash: "0xsimulated", number: "0x1" } },
    ],
    DeploymentCalldata: [{ to: opcm, data, value: "0x0" }],
  };
  return { data, contracts, state };
}

function plan(deployer: Address, salt: Hex, edit: (p: Extract<DeployPlan, { status: "send" }>) => void = () => {}): string {
  const s = simulated(deployer, salt);
  const p = { status: "send" as const, l1ChainId: 11155111, deployer, transactions: s.state.DeploymentCalldata, contracts: s.contracts };
  edit(p);
  return JSON.stringify(p);
}

let saltCounter = 0;
const freshSalt = (): Hex => keccak256(encodeAbiParameters([{ type: "string" }, { type: "uint256" }], ["ecp-deploy-test", BigInt(++saltCounter)]));

/** A stand-in op-deployer: `init` writes a state.json with a salt; `apply --deployment-target calldata` writes
 *  what $FAKE_CALLDATA_STATE holds (what v0.7.1 records); `apply --deployment-target live` sets a missing start
 *  block to L1's latest block, as SetStartBlockLiveStrategy does, and copies intent.toml into appliedIntent, as
 *  ApplyPipeline does; `inspect rollup` renders the system config from appliedIntent, as v0.7.1 does. Every call
 *  is appended to $workdir/../calls. */
function fakeOpDeployer(bin: string): string {
  const file = path.join(bin, "op-deployer");
  writeFileSync(
    file,
    `#!/usr/bin/env bash
set -euo pipefail
cmd=$1; shift
workdir=""; target=""; out=""; what=\${1:-}
while [ $# -gt 0 ]; do case $1 in --workdir) workdir=$2; shift 2;; --deployment-target) target=$2; shift 2;; --outfile) out=$2; shift 2;; *) shift;; esac; done
case $cmd in
  inspect)
    echo "inspect $what" >> "$(dirname "$workdir")/calls"
    # rollup.json's system config comes from appliedIntent (as v0.7.1's inspect rollup renders it); genesis from the allocs.
    case $what in
      rollup) jq '{genesis: {system_config: {batcher: .appliedIntent}}}' "$workdir/state.json" > "$out";;
      genesis) jq '{alloc: (.opChainDeployments[0].SystemConfigProxy // null)}' "$workdir/state.json" > "$out";;
      l1) echo '{}' > "$out";;
    esac
    exit 0;;
esac
calls="$(dirname "$workdir")/calls"
case $cmd in
  init) echo '{"appliedIntent":null,"create2Salt":"0x01"}' > "$workdir/state.json"; echo "init" >> "$calls";;
  apply)
    echo "apply $target $(basename "$workdir") key:\${DEPLOYER_PRIVATE_KEY:+set}" >> "$calls"
    if [ "\${FAKE_FAIL:-}" = "$target" ]; then printf "starting\\ndial %s: connection refused" "$L1_RPC_URL"; exit 1; fi
    case $target in
      calldata) cp "$FAKE_CALLDATA_STATE" "$workdir/state.json";;
      live)
        latest=$(curl -s -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}' "$L1_RPC_URL" | jq -c '.result | {hash, number}')
        jq --argjson b "$latest" --arg intent "$(cat "$workdir/intent.toml")" '(.opChainDeployments[] | select(.startBlock == null) | .startBlock) = $b | .appliedIntent = {intentToml: $intent}' "$workdir/state.json" > "$workdir/s.tmp"
        mv "$workdir/s.tmp" "$workdir/state.json";;
    esac;;
esac
`,
  );
  chmodSync(file, 0o755);
  return file;
}

interface Host {
  root: string;
  workdir: string;
  opDeployer: string;
}

function host(name: string): Host {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, "bin"), { recursive: true });
  return { root, workdir: path.join(root, "deployer"), opDeployer: fakeOpDeployer(path.join(root, "bin")) };
}

const calls = (h: Host): string[] => (existsSync(path.join(h.root, "calls")) ? readFileSync(path.join(h.root, "calls"), "utf8").trim().split("\n") : []);

function runScript(h: Host, stdin: string, env: Record<string, string> = {}) {
  const script = stdin.replace(/export OP_DEPLOYER='[^']*'/, `export OP_DEPLOYER='${h.opDeployer}'`);
  return spawnSync("bash", ["-s"], { input: script, encoding: "utf8", env: { ...process.env, ...env } });
}

const INTENT = 'configType = "standard-overrides"\n';

function runCalldata(h: Host, deployer: Address, opts: { key?: Hex; minEth?: string; rpcUrl?: string; state?: object; intent?: string; env?: Record<string, string> } = {}) {
  const config = testConfig({ "ecp:minDeployerBalance": `${opts.minEth ?? "2"} ETH` });
  const stateFile = path.join(h.root, "calldata-state.json");
  if (opts.state) writeFileSync(stateFile, JSON.stringify(opts.state));
  const step = calldataStep(config, { bin: "/nonexistent", deployer: h.workdir }, opts.intent ?? INTENT, { l1RpcUrl: opts.rpcUrl ?? anvil.rpcUrl, deployerPrivateKey: opts.key ?? devKey(0) }, deployer);
  return runScript(h, step.stdin, { FAKE_CALLDATA_STATE: stateFile, ...opts.env });
}

function runApply(h: Host, opts: { key?: Hex; intent?: string; deployBlock?: bigint; env?: Record<string, string> } = {}) {
  const key = opts.key ?? devKey(0);
  const step = applyStep(testConfig(), { bin: "/nonexistent", deployer: h.workdir }, opts.intent ?? INTENT, { l1RpcUrl: anvil.rpcUrl, deployerPrivateKey: key }, privateKeyToAccount(key).address, opts.deployBlock);
  return runScript(h, step.stdin, { START_BLOCK_POLL_SECONDS: "0.1", START_BLOCK_WAIT_SECONDS: "2", ...opts.env });
}

function runInspect(h: Host, configDir: string) {
  const step = inspectStep(testConfig(), { bin: "/nonexistent", deployer: h.workdir, configDir }, "0".repeat(64));
  return runScript(h, step.stdin);
}

/** Mines past anvil's finality (its finalized block is 64 behind latest), so the deploy is in a finalized block. */
const finalize = () => rpc("anvil_mine", ["0x41"]);

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function sendEnv(key: Hex, rpcUrl: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ECP_L1_RPC_URL: rpcUrl, ECP_DEPLOYER_KEY: key, ECP_OPCM: opcm, ECP_POLL_MS: "100", ...extra };
}

function runSend(planJson: string, key: Hex, opts: { rpcUrl?: string; env?: Record<string, string>; onStderr?: (text: string) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile("node_modules/.bin/tsx", ["scripts/op-stack/deploy-send.ts"], { encoding: "utf8", env: sendEnv(key, opts.rpcUrl ?? anvil.rpcUrl, opts.env) }, (err, stdout, stderr) =>
      resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.onStderr !== undefined) child.stderr!.on("data", (d: Buffer | string) => opts.onStderr!(d.toString()));
    child.stdin!.end(planJson);
  });
}

const report = (r: Run) => JSON.parse(r.stdout.trim()) as Record<string, unknown>;
const nonce = (a: Address) => client.getTransactionCount({ address: a, blockTag: "latest" });
async function codeAt(contracts: Record<string, string>): Promise<number> {
  let n = 0;
  for (const a of Object.values(contracts)) if (((await client.getCode({ address: a as Address })) ?? "0x") !== "0x") n++;
  return n;
}

describe("a first deploy: calldata on ecp-forge, the send on the operator's machine, apply on ecp-forge", () => {
  it("deploys once, resumes without sending twice, and leaves the finished workdir with a start block after the deploy", async () => {
    const h = host("e2e");
    const deployer = devAccount(0).address;
    const sim = simulated(deployer, freshSalt());

    const prepared = runCalldata(h, deployer, { state: sim.state });
    expect(prepared.stderr).toBe("");
    expect(prepared.status).toBe(0);
    const p = parseDeployPlan(prepared.stdout);
    expect(p).toEqual({ status: "send", l1ChainId: 11155111, deployer, transactions: sim.state.DeploymentCalldata, contracts: sim.contracts });
    // init for the salt, then the simulation on a copy, with the deployer's key so msg.sender is the deployer.
    expect(calls(h)).toEqual(["init", "apply calldata deployer.calldata.tmp key:set"]);
    expect(existsSync(`${h.workdir}.calldata/state.json`)).toBe(true);
    expect(existsSync(`${h.workdir}.calldata.tmp`)).toBe(false);

    // apply before the transaction is on L1 refuses and applies nothing.
    const early = runApply(h);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain(`the prepared deploy in ${h.workdir}.calldata is not on L1: no code at its SystemConfigProxy ${sim.contracts["SystemConfigProxy"]}. Nothing was applied`);
    expect(calls(h)).toHaveLength(2);

    const before = await nonce(deployer);
    const sent = await runSend(prepared.stdout, devKey(0));
    expect(sent.stderr).toMatch(/sent the deploy transaction 0x[0-9a-f]{64} \(nonce \d+, gas \d+ from estimate \d+\)/);
    expect(sent.status).toBe(0);
    const r = report(sent);
    expect(r["status"]).toBe("sent");
    expect(r["gasSource"]).toBe("estimate");
    expect(BigInt(r["gasUsed"] as string)).toBeGreaterThan(4n * SLOTS * 20_000n);
    expect(BigInt(r["gasLimit"] as string)).toBeGreaterThanOrEqual(BigInt(r["gasUsed"] as string));
    expect(r["contracts"]).toBe(4);
    expect(await nonce(deployer)).toBe(before + 1);
    expect(await codeAt(sim.contracts)).toBe(4);

    // The step re-run (a later failure made Pulumi retry it): the contracts are there, nothing is sent.
    const again = await runSend(prepared.stdout, devKey(0));
    expect(again.status).toBe(0);
    expect(report(again)).toEqual({ status: "already-on-l1", contracts: 4 });
    expect(await nonce(deployer)).toBe(before + 1);

    // The calldata step re-run keeps the copy whose contracts are on L1: no second simulation.
    const rerun = runCalldata(h, deployer, { state: simulated(deployer, freshSalt()).state });
    expect(rerun.status).toBe(0);
    expect(rerun.stderr).toContain("are on L1 already: keeping it");
    expect(parseDeployPlan(rerun.stdout)).toEqual(p);
    expect(calls(h)).toHaveLength(2);

    // The start block must be a finalized block that holds the deploy: until L1 finalizes it, apply waits (with
    // progress) and then refuses, leaving the prepared copy as it was.
    const unfinal = runApply(h, { deployBlock: deployBlockOf(sent.stdout), env: { START_BLOCK_WAIT_SECONDS: "1" } });
    expect(unfinal.status).toBe(1);
    expect(unfinal.stderr).toMatch(/waiting for L1 to finalize the deploy for the start block: finalized block \d+, deploy block \d+; \d+ s left/);
    expect(unfinal.stderr).toMatch(/L1 has not finalized the deploy within 1 s \(finalized block \d+, deploy block \d+\)[^]*Nothing was applied/);
    expect(JSON.parse(readFileSync(`${h.workdir}.calldata/state.json`, "utf8")).opChainDeployments[0].startBlock.hash).toBe("0xsimulated");
    expect(calls(h)).toHaveLength(2);
    const badWait = runApply(h, { deployBlock: deployBlockOf(sent.stdout), env: { START_BLOCK_WAIT_SECONDS: "30m" } });
    expect(badWait.status).toBe(1);
    expect(badWait.stderr).toContain('START_BLOCK_WAIT_SECONDS must be a whole number of seconds, got "30m".');
    await finalize();
    const applied = runApply(h, { deployBlock: deployBlockOf(sent.stdout) });
    expect(applied.stderr).toContain("the deploy is recorded in");
    expect(applied.status).toBe(0);
    expect(applied.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(calls(h).slice(2)).toEqual(["apply live deployer.calldata key:set"]);
    const state = JSON.parse(readFileSync(`${h.workdir}/state.json`, "utf8"));
    // The simulation's start block (from before the deploy) was replaced by L1's finalized block, which op-deployer kept.
    const start = state.opChainDeployments[0].startBlock;
    const finalized = await client.getBlock({ blockTag: "finalized" });
    expect(start).toEqual({ hash: finalized.hash, parentHash: finalized.parentHash, number: `0x${finalized.number.toString(16)}`, timestamp: `0x${finalized.timestamp.toString(16)}` });
    expect(BigInt(start.number)).toBeGreaterThanOrEqual(BigInt(r["block"] as string));
    expect(state.opChainDeployments[0].SystemConfigProxy).toBe(sim.contracts["SystemConfigProxy"]);
    expect(readFileSync(`${h.workdir}/intent.toml`, "utf8")).toContain("standard-overrides");
    expect(existsSync(`${h.workdir}.before-deploy/state.json`)).toBe(true);
    expect(existsSync(`${h.workdir}.calldata`)).toBe(false);

    // From now on: apply leaves the recorded workdir alone, calldata says deployed, the sender does nothing.
    const stateBefore = readFileSync(`${h.workdir}/state.json`, "utf8");
    const day2 = runApply(h);
    expect(day2.status).toBe(0);
    expect(day2.stdout.trim()).toBe(applied.stdout.trim());
    expect(calls(h).slice(2)).toEqual(["apply live deployer.calldata key:set"]);
    expect(readFileSync(`${h.workdir}/state.json`, "utf8")).toBe(stateBefore);
    const done = runCalldata(h, deployer);
    expect(done.status).toBe(0);
    expect(done.stdout.trim()).toBe('{"status":"deployed"}');
    const idle = await runSend(done.stdout, devKey(0));
    expect(report(idle)).toEqual({ status: "deployed" });
    expect(await nonce(deployer)).toBe(before + 1);
  }, 60_000);

  it("kill -9 after the transaction left: the next run waits for it and sends nothing more", async () => {
    const key = devKey(1);
    const deployer = devAccount(1).address;
    const p = plan(deployer, freshSalt());
    const contracts = (JSON.parse(p) as { contracts: Record<string, string> }).contracts;
    const before = await nonce(deployer);
    await rpc("evm_setAutomine", [false]);
    try {
      const child: ChildProcess = spawn("node_modules/.bin/tsx", ["scripts/op-stack/deploy-send.ts"], { env: sendEnv(key, anvil.rpcUrl), stdio: ["pipe", "pipe", "pipe"] });
      child.stdin!.end(p);
      let err = "";
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no send within 30 s: ${err}`)), 30_000);
        child.stderr!.on("data", (d: Buffer) => {
          err += d.toString();
          if (err.includes("sent the deploy transaction")) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));

      // Mine only once the resumed run says it is waiting (a fixed delay raced its start on a loaded machine).
      let waiting: () => void = () => undefined;
      const seen = new Promise<void>((r) => (waiting = r));
      let resumedErr = "";
      const resumed = runSend(p, key, {
        onStderr: (t) => {
          resumedErr += t;
          if (resumedErr.includes("waiting for the deployer's pending transaction")) waiting();
        },
      });
      await Promise.race([seen, resumed]);
      await rpc("evm_mine");
      const r = await resumed;
      expect(r.stderr).toContain(`waiting for the deployer's pending transaction (nonce ${before})`);
      expect(r.status).toBe(0);
      expect(report(r)).toEqual({ status: "already-on-l1", contracts: 4 });
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    expect(await nonce(deployer)).toBe(before + 1);
    expect(await codeAt(contracts)).toBe(4);
  }, 60_000);

  it("a sent transaction not mined in time: the refusal names it and what to do; the next run sends nothing more", async () => {
    const key = devKey(16);
    const deployer = devAccount(16).address;
    const p = plan(deployer, freshSalt());
    const before = await nonce(deployer);
    await rpc("evm_setAutomine", [false]);
    try {
      const r = await runSend(p, key, { env: { ECP_WAIT_MS: "1500" } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`the deploy transaction 0x[0-9a-f]{64} \\(nonce ${before}, max fee [0-9.]+ gwei\\) was sent but not mined within 2 s`));
      expect(r.stderr).toContain("It is not replaced and nothing more was sent: run `pulumi up` again, which waits for it");
      await rpc("evm_mine");
    } finally {
      await rpc("evm_setAutomine", [true]);
    }
    const again = await runSend(p, key);
    expect(report(again)).toEqual({ status: "already-on-l1", contracts: 4 });
    expect(await nonce(deployer)).toBe(before + 1);
  }, 60_000);

  it("a wait given as something other than a whole number of milliseconds is refused before anything is read", async () => {
    const r = await runSend(plan(devAccount(16).address, freshSalt()), devKey(16), { env: { ECP_FEE_WAIT_MS: "30m" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ECP_FEE_WAIT_MS must be a whole number of milliseconds, got "30m".');
  });

  it("an RPC that caps eth_estimateGas (geth's RPCGasCap): the deploy goes out with the block gas limit", async () => {
    const proxy = await cappingProxy(anvil.rpcUrl);
    try {
      const deployer = devAccount(2).address;
      const p = plan(deployer, freshSalt());
      const r = await runSend(p, devKey(2), { rpcUrl: proxy.url });
      expect(r.stderr).toContain("eth_estimateGas failed");
      expect(r.stderr).toContain("sending with the L1 block gas limit 60000000 instead");
      expect(r.status).toBe(0);
      expect(report(r)).toMatchObject({ status: "sent", gasSource: "block-limit", gasLimit: "60000000", contracts: 4 });
      // The limit is the transaction's own, not a number in the report only.
      expect((await client.getTransaction({ hash: report(r)["transaction"] as Hex })).gas).toBe(60_000_000n);
      expect(proxy.estimates()).toBeGreaterThan(0);
    } finally {
      proxy.server.close();
    }
  }, 60_000);
});

/** An HTTP JSON-RPC proxy to anvil that answers eth_estimateGas as a node with a 50M RPCGasCap does when the
 *  call needs more: error -32000 "gas required exceeds allowance (50000000)". */
async function cappingProxy(target: string, error = { code: -32000, message: "gas required exceeds allowance (50000000)" }): Promise<{ url: string; server: Server; estimates: () => number }> {
  let estimates = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const msg = JSON.parse(body) as { id: number; method: string };
      if (msg.method === "eth_estimateGas") {
        estimates++;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error }));
        return;
      }
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body })
        .then(async (up) => {
          res.setHeader("content-type", "application/json");
          res.end(await up.text());
        })
        .catch((e: unknown) => {
          res.statusCode = 502;
          res.end(String(e));
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, estimates: () => estimates };
}

/** An HTTP JSON-RPC proxy to anvil that refuses eth_sendRawTransaction as geth does with `--rpc.txfeecap` (1 ETH by
 *  default): when the transaction's fee cap × gas exceeds it (internal/ethapi/api.go checkTxFee). */
async function feeCapProxy(target: string, capWei = parseEther("1")): Promise<{ url: string; server: Server; refused: () => number }> {
  let refused = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const msg = JSON.parse(body) as { id: number; method: string; params: unknown[] };
      res.setHeader("content-type", "application/json");
      if (msg.method === "eth_sendRawTransaction") {
        const tx = parseTransaction(msg.params[0] as Hex);
        const price = tx.maxFeePerGas ?? tx.gasPrice ?? 0n;
        const fee = price * (tx.gas ?? 0n);
        if (fee > capWei) {
          refused++;
          const ether = (w: bigint) => (Number(w) / 1e18).toFixed(2);
          res.end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: -32000, message: `tx fee (${ether(fee)} ether) exceeds the configured cap (${ether(capWei)} ether)` } }));
          return;
        }
      }
      fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body })
        .then(async (up) => res.end(await up.text()))
        .catch((e: unknown) => {
          res.statusCode = 502;
          res.end(String(e));
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, refused: () => refused };
}

/** Makes L1's latest block carry this base fee (the next transaction's block gets at most 12.5% less). */
async function setBaseFee(wei: bigint): Promise<void> {
  await rpc("anvil_setNextBlockBaseFeePerGas", [`0x${wei.toString(16)}`]);
  await rpc("evm_mine");
}

describe("the deploy within the L1 RPC's fee cap (geth's and reth's --rpc.txfeecap, 1 ETH by default)", () => {
  it("the proxy refuses what geth refuses: a transaction whose max fee × gas is above 1 ETH", async () => {
    const proxy = await feeCapProxy(anvil.rpcUrl);
    try {
      const w = createWalletClient({ account: devAccount(10), chain: foundryL1, transport: http(proxy.url) });
      await expect(w.sendTransaction({ to: EMPTY, value: 1n, gas: 60_000_000n, maxFeePerGas: parseGwei("20"), maxPriorityFeePerGas: 1n })).rejects.toThrow(
        "tx fee (1.20 ether) exceeds the configured cap (1.00 ether)",
      );
      expect(proxy.refused()).toBe(1);
    } finally {
      proxy.server.close();
    }
  });

  it("fees that do not fit: waits with progress, then sends below the cap once the base fee falls", async () => {
    const proxy = await feeCapProxy(anvil.rpcUrl);
    const deployer = devAccount(11).address;
    const before = await nonce(deployer);
    try {
      await setBaseFee(parseGwei("200"));
      let waiting: () => void = () => undefined;
      const seen = new Promise<void>((r) => (waiting = r));
      let err = "";
      const run = runSend(plan(deployer, freshSalt()), devKey(11), {
        rpcUrl: proxy.url,
        env: { ECP_FEE_WAIT_MS: "60000" },
        onStderr: (t) => {
          err += t;
          if (err.includes("waiting for L1's base fee to fall")) waiting();
        },
      });
      await Promise.race([seen, run]);
      expect(err).toMatch(/waiting for L1's base fee to fall: the deploy's \d+ gas needs a max fee of [0-9.]+ gwei \(base fee 200 gwei\), and the RPC's 1 ETH fee cap allows [0-9.]+ gwei; \d+ s left/);
      expect(await nonce(deployer)).toBe(before);
      await setBaseFee(parseGwei("1"));
      const r = await run;
      expect(r.status).toBe(0);
      expect(report(r)).toMatchObject({ status: "sent", contracts: 4 });
      const tx = await client.getTransaction({ hash: report(r)["transaction"] as Hex });
      expect(tx.maxFeePerGas! * tx.gas).toBeLessThanOrEqual(parseEther("0.95"));
      expect(proxy.refused()).toBe(0);
    } finally {
      proxy.server.close();
      await setBaseFee(parseGwei("1"));
    }
  }, 60_000);

  it("refuses after the bounded wait, naming the cap, the gas, the fee and what to do; nothing is sent", async () => {
    const proxy = await feeCapProxy(anvil.rpcUrl);
    const deployer = devAccount(12).address;
    const before = await nonce(deployer);
    try {
      await setBaseFee(parseGwei("200"));
      const r = await runSend(plan(deployer, freshSalt()), devKey(12), { rpcUrl: proxy.url, env: { ECP_FEE_WAIT_MS: "300" } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /the deploy's \d+ gas \(L1's estimate plus 10%\) at the max fee it needs now, 226 gwei \(L1's base fee 200 gwei after one block's largest rise, plus the tip\), would cost up to [0-9.]+ ETH; the L1 RPC refuses a transaction whose gas × max fee exceeds its fee cap, 1 ETH \(`ecp:l1RpcTxFeeCap`; geth's and reth's --rpc.txfeecap default is 1 ETH\), and the deploy stays at 95% of it: at most [0-9.]+ gwei for this gas\. Waited \d+ s for the base fee to fall\. Nothing was sent: run `pulumi up` again when L1's base fee is lower, or use an L1 RPC with a higher fee cap/,
      );
      expect(r.stderr).toContain("`ecp:deployMaxFeeGwei` bounds what the deploy pays per gas");
      expect(await nonce(deployer)).toBe(before);
      expect(proxy.refused()).toBe(0);
    } finally {
      proxy.server.close();
      await setBaseFee(parseGwei("1"));
    }
  }, 30_000);

  it("ecp:deployMaxFeeGwei below what the deploy needs: refused, naming the key", async () => {
    const deployer = devAccount(12).address;
    const before = await nonce(deployer);
    try {
      await setBaseFee(parseGwei("10"));
      const r = await runSend(plan(deployer, freshSalt()), devKey(12), { env: { ECP_FEE_WAIT_MS: "200", ECP_DEPLOY_MAX_FEE_WEI: parseGwei("2").toString() } });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("`ecp:deployMaxFeeGwei` allows at most 2 gwei");
      expect(r.stderr).toContain("Nothing was sent: raise it (`pulumi config set ecp:deployMaxFeeGwei");
      expect(await nonce(deployer)).toBe(before);
    } finally {
      await setBaseFee(parseGwei("1"));
    }
  }, 30_000);

  it("a cap set higher than the RPC's real one: the node's refusal comes back named, not raw", async () => {
    const proxy = await feeCapProxy(anvil.rpcUrl);
    const deployer = devAccount(13).address;
    const before = await nonce(deployer);
    try {
      await setBaseFee(parseGwei("200"));
      const r = await runSend(plan(deployer, freshSalt()), devKey(13), { rpcUrl: proxy.url, env: { ECP_RPC_TX_FEE_CAP_WEI: parseEther("100").toString() } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/the L1 RPC refused the deploy for its fee cap \(.*exceeds the configured cap \(1\.00 ether\).*\): \d+ gas at [0-9.]+ gwei is [0-9.]+ ETH, and the stack assumed a cap of 100 ETH \(`ecp:l1RpcTxFeeCap`\)/);
      expect(proxy.refused()).toBe(1);
      expect(await nonce(deployer)).toBe(before);
    } finally {
      proxy.server.close();
      await setBaseFee(parseGwei("1"));
    }
  }, 30_000);
});

describe("the start block cannot be orphaned, and the recorded chain's config never changes", () => {
  it("waits for L1 to finalize the deploy and takes that block: a reorg that orphans L1's latest leaves it canonical", async () => {
    const h = host("reorg");
    const deployer = devAccount(14).address;
    const key = devKey(14);
    const sim = simulated(deployer, freshSalt());
    const step = calldataStep(testConfig(), { bin: "/nonexistent", deployer: h.workdir }, INTENT, { l1RpcUrl: anvil.rpcUrl, deployerPrivateKey: key }, deployer);
    writeFileSync(path.join(h.root, "calldata-state.json"), JSON.stringify(sim.state));
    expect(runScript(h, step.stdin, { FAKE_CALLDATA_STATE: path.join(h.root, "calldata-state.json") }).status).toBe(0);
    const sent = await runSend(plan(deployer, sim.state.create2Salt as Hex), key);
    expect(sent.status).toBe(0);
    const deployBlock = deployBlockOf(sent.stdout);
    await rpc("anvil_mine", ["0xa"]);

    let waiting: () => void = () => undefined;
    const seen = new Promise<void>((r) => (waiting = r));
    const applyStepFor = applyStep(testConfig(), { bin: "/nonexistent", deployer: h.workdir }, INTENT, { l1RpcUrl: anvil.rpcUrl, deployerPrivateKey: key }, deployer, deployBlock);
    const script = applyStepFor.stdin.replace(/export OP_DEPLOYER='[^']*'/, `export OP_DEPLOYER='${h.opDeployer}'`);
    const child = spawn("bash", ["-s"], { env: { ...process.env, START_BLOCK_POLL_SECONDS: "0.1" } });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes("waiting for L1 to finalize the deploy")) waiting();
    });
    const done = new Promise<number>((r) => child.on("close", (code) => r(code ?? 1)));
    child.stdin.end(script);
    await Promise.race([seen, done]);
    expect(stderr).toContain(`deploy block ${deployBlock}`);

    // What op-deployer would have taken before (L1's latest) is gone after a shallow reorg.
    const latest = await client.getBlock({ blockTag: "latest" });
    await rpc("anvil_reorg", [3, []]);
    expect((await client.getBlock({ blockNumber: latest.number })).hash).not.toBe(latest.hash);

    await finalize();
    expect(await done).toBe(0);
    expect(stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    const start = JSON.parse(readFileSync(`${h.workdir}/state.json`, "utf8")).opChainDeployments[0].startBlock as { hash: Hex; number: Hex };
    expect(BigInt(start.number)).toBeGreaterThanOrEqual(deployBlock);
    const head = await client.getBlockNumber();
    expect(BigInt(start.number)).toBeLessThanOrEqual(head - 64n);
    // A reorg shallower than finality leaves it on the canonical chain.
    await rpc("anvil_reorg", [10, []]);
    expect((await client.getBlock({ blockNumber: BigInt(start.number) })).hash).toBe(start.hash);
  }, 60_000);

  it("the recorded chain: apply never writes the config's intent, and inspect refuses a rollup.json other than the one at genesis", async () => {
    const h = host("recorded");
    const deployer = devAccount(15).address;
    const key = devKey(15);
    const sim = simulated(deployer, freshSalt());
    const calldata = calldataStep(testConfig(), { bin: "/nonexistent", deployer: h.workdir }, INTENT, { l1RpcUrl: anvil.rpcUrl, deployerPrivateKey: key }, deployer);
    writeFileSync(path.join(h.root, "calldata-state.json"), JSON.stringify(sim.state));
    expect(runScript(h, calldata.stdin, { FAKE_CALLDATA_STATE: path.join(h.root, "calldata-state.json") }).status).toBe(0);
    expect((await runSend(plan(deployer, sim.state.create2Salt as Hex), key)).status).toBe(0);
    await finalize();
    expect(runApply(h, { key }).status).toBe(0);
    const configDir = path.join(h.root, "config");
    const first = runInspect(h, configDir);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const genesisRollup = readFileSync(path.join(configDir, "rollup.json"), "utf8");
    const rollupSha = JSON.parse(first.stdout).rollupSha256 as string;
    expect(readFileSync(`${h.workdir}/chain-config.sha256`, "utf8")).toContain(`${rollupSha}  rollup.json`);

    // Day 2 rotated the batcher: the config's intent changed. apply leaves the workdir and op-deployer alone.
    const rotated = `${INTENT}[[chains]]\n[chains.roles]\nbatcher = "0x000000000000000000000000000000000000b0b0"\n`;
    const stateBefore = readFileSync(`${h.workdir}/state.json`, "utf8");
    const callsBefore = calls(h).filter((c) => c.startsWith("apply")).length;
    const a = runApply(h, { key, intent: rotated });
    expect(a.status).toBe(0);
    expect(a.stderr).toContain("the config's intent differs from the one chain 16584 was deployed from; it is not written to");
    expect(readFileSync(`${h.workdir}/intent.toml`, "utf8")).toBe(`${INTENT}\n`);
    expect(readFileSync(`${h.workdir}/state.json`, "utf8")).toBe(stateBefore);
    expect(calls(h).filter((c) => c.startsWith("apply"))).toHaveLength(callsBefore);
    // inspect again renders the same files: passes.
    expect(runInspect(h, configDir).status).toBe(0);

    // Had the intent been written and applied (what apply did before), inspect would render another rollup.json:
    // it stops, naming both hashes, and the nodes' rollup.json stays the genesis one.
    writeFileSync(`${h.workdir}/intent.toml`, rotated);
    execFileSync("bash", ["-c", `cd ${JSON.stringify(h.workdir)} && jq --arg t "$(cat intent.toml)" '.appliedIntent = {intentToml: $t}' state.json > s && mv s state.json`]);
    const drifted = runInspect(h, configDir);
    expect(drifted.status).toBe(1);
    expect(drifted.stderr).toMatch(new RegExp(`op-deployer inspect rendered a rollup\\.json with sha256 [0-9a-f]{64}, but chain 16584 started from the rollup\\.json with sha256 ${rollupSha} \\(`));
    expect(drifted.stderr).toContain("nothing was replaced in");
    expect(readFileSync(path.join(configDir, "rollup.json"), "utf8")).toBe(genesisRollup);
    expect(existsSync(path.join(configDir, "rollup.json.tmp"))).toBe(false);
  }, 60_000);

  it("a chain deployed before the record existed: the config files the nodes run are what later renders are held to", () => {
    const h = host("legacy");
    const configDir = path.join(h.root, "config");
    mkdirSync(h.workdir, { recursive: true });
    mkdirSync(configDir, { recursive: true });
    writeFileSync(`${h.workdir}/state.json`, JSON.stringify({ appliedIntent: { intentToml: "rotated" }, opChainDeployments: [{ id: CHAIN_ID_HASH, SystemConfigProxy: EMPTY }] }));
    writeFileSync(path.join(configDir, "genesis.json"), `${JSON.stringify({ alloc: EMPTY }, null, 2)}\n`);
    writeFileSync(path.join(configDir, "rollup.json"), '{"genesis":{"system_config":{"batcher":{"intentToml":"genesis"}}}}\n');
    const r = runInspect(h, configDir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("but chain 16584 started from the rollup.json with sha256");
    expect(readFileSync(`${h.workdir}/chain-config.sha256`, "utf8")).toMatch(/^[0-9a-f]{64} {2}genesis\.json\n[0-9a-f]{64} {2}rollup\.json\n$/);

    // A record without a line for a file cannot check it: refused, naming the record, nothing replaced.
    const record = readFileSync(`${h.workdir}/chain-config.sha256`, "utf8");
    writeFileSync(`${h.workdir}/chain-config.sha256`, record.split("\n")[0] + "\n");
    const rollupBefore = readFileSync(path.join(configDir, "rollup.json"), "utf8");
    const broken = runInspect(h, configDir);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`${h.workdir}/chain-config.sha256 has no sha256 for rollup.json`);
    expect(readFileSync(path.join(configDir, "rollup.json"), "utf8")).toBe(rollupBefore);
  });
});

describe("deploy-send refuses, sending nothing", () => {
  it("an estimate that fails for another reason than the RPC's gas cap (here: the provider's rate limit)", async () => {
    const proxy = await cappingProxy(anvil.rpcUrl, { code: -32005, message: "limit exceeded" });
    try {
      const deployer = devAccount(5).address;
      const before = await nonce(deployer);
      const r = await runSend(plan(deployer, freshSalt()), devKey(5), { rpcUrl: proxy.url });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("L1 could not estimate the deploy's gas");
      expect(r.stderr).toContain("Nothing was sent");
      expect(await nonce(deployer)).toBe(before);
    } finally {
      proxy.server.close();
    }
  }, 30_000);

  it("a key that is not the deployer the deploy was simulated for", async () => {
    const p = plan(devAccount(3).address, freshSalt());
    const before = await nonce(devAccount(4).address);
    const r = await runSend(p, devKey(4));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the deploy was simulated for the deployer ${devAccount(3).address}, but the key (ecp:deployerPrivateKey) is for ${devAccount(4).address}`);
    expect(await nonce(devAccount(4).address)).toBe(before);
  });

  it("a transaction to anything but the contracts manager", async () => {
    const deployer = devAccount(3).address;
    const p = plan(deployer, freshSalt(), (x) => (x.transactions[0]!.to = EMPTY));
    const r = await runSend(p, devKey(3));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the recorded deploy transaction goes to ${EMPTY}, not to the contracts manager ${getAddress(opcm)}`);
  });

  it("a deploy that reverts on L1 (here: its salt was used already), by L1's estimate", async () => {
    const deployer = devAccount(3).address;
    const salt = freshSalt();
    expect((await runSend(plan(deployer, salt), devKey(3))).status).toBe(0);
    const before = await nonce(deployer);
    // Same calldata, but the plan lists addresses with no code: the simulation disagreed with L1.
    const p = plan(deployer, salt, (x) => (x.contracts = { SystemConfigProxy: "0x00000000000000000000000000000000000c0de1" as Address }));
    const r = await runSend(p, devKey(3));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("L1 says the deploy transaction reverts");
    expect(r.stderr).toContain("Nothing was sent.");
    expect(await nonce(deployer)).toBe(before);
  }, 30_000);

  it("some of the chain's contracts on L1 and some not", async () => {
    const deployer = devAccount(3).address;
    const salt = freshSalt();
    const p = plan(deployer, salt);
    expect((await runSend(p, devKey(3))).status).toBe(0);
    const mixed = plan(deployer, salt, (x) => (x.contracts["ExtraProxy"] = "0x00000000000000000000000000000000000c0de2" as Address));
    const r = await runSend(mixed, devKey(3));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("some of the chain's contracts are on L1 and some are not");
    expect(r.stderr).toContain("missing: ExtraProxy 0x00000000000000000000000000000000000C0dE2");
  }, 30_000);

  it("a deployer that cannot pay the worst-case fee, naming both amounts", async () => {
    const poorKey = generatePrivateKey();
    const poor = privateKeyToAccount(poorKey);
    const w = createWalletClient({ account: devAccount(9), chain: foundryL1, transport: http(anvil.rpcUrl) });
    await client.waitForTransactionReceipt({ hash: await w.sendTransaction({ to: poor.address, value: parseEther("0.0001") }) });
    const r = await runSend(plan(poor.address, freshSalt()), poorKey);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`the deployer ${poor.address} holds 0\\.0001 ETH; the deploy may cost up to [0-9.]+ ETH \\(\\d+ gas at \\d+ wei\\)\\. Nothing was sent`));
    expect(await nonce(poor.address)).toBe(0);
  });

  it("an L1 that is not the plan's chain", async () => {
    const other = await startAnvil({ chainId: 31337 });
    try {
      const r = await runSend(plan(devAccount(3).address, freshSalt()), devKey(3), { rpcUrl: other.rpcUrl });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("the L1 RPC (ecp:l1RpcUrl) serves chain 31337, not 11155111. Nothing was sent.");
      expect(r.stderr).not.toContain(other.rpcUrl);
    } finally {
      await other.stop();
    }
  });

  it("a plan that is not what the calldata step prints", async () => {
    const r = await runSend('{"status":"send","deployer":"0x12"}', devKey(3));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("remote/op-deployer-calldata.sh printed an unexpected plan");
  });
});

describe("chooseGas", () => {
  it("pads the estimate by 10% within the block limit, refuses an estimate above it, and falls back to the limit", () => {
    expect(chooseGas(10_000_000n, 60_000_000n)).toEqual({ gas: 11_000_000n, source: "estimate" });
    expect(chooseGas(55_664_397n, 60_000_000n)).toEqual({ gas: 60_000_000n, source: "estimate" });
    expect(() => chooseGas(60_000_001n, 60_000_000n)).toThrow("more than an L1 block holds (60000000). Nothing was sent.");
    expect(chooseGas(undefined, 60_000_000n)).toEqual({ gas: 60_000_000n, source: "block-limit" });
  });

  it("fees allow the base fee to double while the one transaction waits", () => {
    expect(deployFees(10n, 2n)).toEqual({ maxFeePerGas: 22n, maxPriorityFeePerGas: 2n });
  });

  it("fees within the RPC's fee cap: the issue's 61M gas fits a 1 ETH cap up to a base fee of about 13.7 gwei", () => {
    const cap = { rpcTxFeeCapWei: parseEther("1") };
    const gas = 61_000_000n;
    const tip = parseGwei("1");
    // 2 × base + tip fits below 95% of the cap: unchanged.
    expect(fitDeployFees(gas, parseGwei("5"), tip, cap)).toEqual({ fits: true, maxFeePerGas: parseGwei("11"), maxPriorityFeePerGas: tip });
    // Above it, the max fee is lowered to what the cap allows, as long as the next block can take the transaction.
    const at10 = fitDeployFees(gas, parseGwei("10"), tip, cap);
    expect(at10).toEqual({ fits: true, maxFeePerGas: (parseEther("0.95") / gas), maxPriorityFeePerGas: tip });
    expect(gas * (at10 as { maxFeePerGas: bigint }).maxFeePerGas).toBeLessThanOrEqual(parseEther("0.95"));
    // 14 gwei × 1.125 + 1 gwei tip = 16.75 gwei > 15.57 gwei allowed.
    expect(fitDeployFees(gas, parseGwei("14"), tip, cap)).toMatchObject({ fits: false, limit: "rpc-cap", neededMaxFeePerGas: parseGwei("16.75") });
    // The block-limit fallback (Sepolia's limit is 60M before Glamsterdam's schedule, larger after) hits the cap sooner.
    expect(fitDeployFees(200_000_000n, parseGwei("5"), tip, cap)).toMatchObject({ fits: false, limit: "rpc-cap" });
    // No cap (0), and the operator's own max fee.
    expect(fitDeployFees(gas, parseGwei("100"), tip, { rpcTxFeeCapWei: 0n })).toMatchObject({ fits: true, maxFeePerGas: parseGwei("201") });
    expect(fitDeployFees(gas, parseGwei("5"), tip, { ...cap, maxFeePerGasWei: parseGwei("8") })).toEqual({ fits: true, maxFeePerGas: parseGwei("8"), maxPriorityFeePerGas: tip });
    expect(fitDeployFees(gas, parseGwei("7"), tip, { ...cap, maxFeePerGasWei: parseGwei("8") })).toMatchObject({ fits: false, limit: "config" });
  });
});

describe("op-deployer-calldata.sh before the send", () => {
  it("refuses a first deploy from an empty deployer, naming the balance and the fix; nothing is simulated", () => {
    const h = host("empty");
    const r = runCalldata(h, EMPTY);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the deployer ${EMPTY} holds 0x0 wei on L1, below ecp:minDeployerBalance (2 ETH); the first deploy spends it. Nothing was deployed.`);
    expect(calls(h)).toEqual(["init"]);
    expect(r.stderr).not.toContain(anvil.rpcUrl);
  });

  it("compares wei beyond 64 bits: 10,000 ETH passes a 9,999 ETH minimum and fails a 10,001 ETH one", () => {
    expect(parseEther("10000") > 2n ** 64n).toBe(true);
    const deployer = devAccount(5).address;
    expect(runCalldata(host("big-ok"), deployer, { minEth: "9999", state: simulated(deployer, freshSalt()).state }).status).toBe(0);
    const r = runCalldata(host("big-short"), deployer, { minEth: "10001" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("below ecp:minDeployerBalance (10001 ETH)");
  });

  it("an intent changed after the deploy is on L1 is refused by calldata and apply, not merged into state.json", async () => {
    const h = host("intent-after");
    const deployer = devAccount(6).address;
    const sim = simulated(deployer, freshSalt());
    const prepared = runCalldata(h, deployer, { key: devKey(6), state: sim.state });
    expect(prepared.status).toBe(0);
    expect((await runSend(prepared.stdout, devKey(6))).status).toBe(0);
    const changed = 'configType = "standard-overrides"\n[[chains]]\ngasLimit = 1\n';
    const r = runCalldata(h, deployer, { key: devKey(6), intent: changed });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("is on L1, deployed from the intent it was simulated from, and the config's intent has changed since. Nothing was changed");
    const a = runApply(h, { key: devKey(6), intent: changed });
    expect(a.status).toBe(1);
    expect(a.stderr).toContain("Nothing was applied: restore the previous config");
    expect(calls(h).filter((c) => c.startsWith("apply live"))).toEqual([]);
    // With the config restored, the deploy finishes (once L1 has finalized it).
    await finalize();
    expect(runApply(h, { key: devKey(6) }).status).toBe(0);
  }, 30_000);

  it("a run cut short between the workdir moves finishes on the next run", async () => {
    const h = host("swap");
    const deployer = devAccount(7).address;
    const prepared = runCalldata(h, deployer, { key: devKey(7), state: simulated(deployer, freshSalt()).state });
    expect((await runSend(prepared.stdout, devKey(7))).status).toBe(0);
    // As after `mv "$WORKDIR" "$WORKDIR.before-deploy"` and before the copy was moved in.
    execFileSync("mv", [h.workdir, `${h.workdir}.before-deploy`]);
    await finalize();
    const r = runApply(h, { key: devKey(7) });
    expect(r.stderr).not.toContain("cannot stat");
    expect(r.status).toBe(0);
    expect(existsSync(`${h.workdir}/state.json`)).toBe(true);
    expect(existsSync(`${h.workdir}.calldata`)).toBe(false);
  }, 30_000);

  it("re-simulating while the deployer has a pending transaction is refused", async () => {
    const h = host("pending");
    const deployer = devAccount(8).address;
    await rpc("evm_setAutomine", [false]);
    try {
      const w = createWalletClient({ account: devAccount(8), chain: foundryL1, transport: http(anvil.rpcUrl) });
      await w.sendTransaction({ to: EMPTY, value: 1n });
      const r = runCalldata(h, deployer, { key: devKey(8), state: simulated(deployer, freshSalt()).state });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`the deployer ${deployer} has a pending transaction on L1`);
      expect(calls(h)).toEqual(["init"]);
    } finally {
      await rpc("evm_setAutomine", [true]);
      await rpc("evm_mine");
    }
  }, 30_000);

  it("a failed simulation prints the log's tail masked, keeps no half copy, and sends nothing", () => {
    const h = host("sim-fails");
    const deployer = devAccount(5).address;
    const r = runCalldata(h, deployer, { env: { FAKE_FAIL: "calldata" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("op-deployer apply --deployment-target calldata failed");
    expect(r.stderr).toContain("dial <l1-rpc-url>: connection refused");
    expect(r.stderr).not.toContain(anvil.rpcUrl);
    expect(r.stderr).toContain("Nothing was sent.");
    expect(existsSync(`${h.workdir}.calldata`)).toBe(false);
  });

  it("an intent change before the send simulates again and keeps the previous copy", () => {
    const h = host("resim");
    const deployer = devAccount(5).address;
    const first = simulated(deployer, freshSalt());
    expect(runCalldata(h, deployer, { state: first.state }).status).toBe(0);
    const second = simulated(deployer, freshSalt());
    const r = runCalldata(h, deployer, { state: second.state });
    expect(r.status).toBe(0);
    expect((parseDeployPlan(r.stdout) as { contracts: object }).contracts).toEqual(second.contracts);
    expect(JSON.parse(readFileSync(`${h.workdir}.calldata.prev/state.json`, "utf8")).create2Salt).toBe(first.state.create2Salt);
  });

  it("an L1 that does not answer is a clear failure with the URL masked", () => {
    const h = host("down");
    const r = runCalldata(h, EMPTY, { rpcUrl: "http://127.0.0.1:1/secret-token" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("cannot read the deployer's nonce from L1");
    expect(r.stderr).not.toContain("secret-token");
  });

  it("apply with neither a deployed chain nor a prepared deploy refuses, naming the steps that come first", () => {
    const h = host("nothing");
    mkdirSync(h.workdir, { recursive: true });
    writeFileSync(`${h.workdir}/state.json`, '{"appliedIntent":null}');
    const r = runApply(h);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`chain ${L2} is not deployed and no deploy is prepared in ${h.workdir}.calldata`);
    expect(calls(h)).toEqual([]);
  });
});
