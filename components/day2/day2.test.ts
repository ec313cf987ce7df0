// Day 2 against a real anvil: doubles of the DisputeGameFactory and SystemConfig with op-contracts' day-2
// surface, the deployer as their owner; the reconciliation script run as the stack runs it.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";

import { createPublicClient, createWalletClient, encodeDeployData, http, type Abi, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { type Anvil, startAnvil } from "../../rail/anvil.js";
import { devKey } from "../../rail/keys.js";
import { decodeGameArgs, encodeGameArgs, planDay2, type GameArgs } from "./onchain.js";
import { CONFIG_KEYS, readDeployed } from "./reconcile.js";

const artifact = (name: string) => JSON.parse(readFileSync(`contracts/out/OpChainL1Doubles.sol/${name}.json`, "utf8")) as { abi: Abi; bytecode: { object: Hex } };
const deployer = privateKeyToAccount(devKey(0));
const stranger = privateKeyToAccount(devKey(6));
const a = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as Address;
const PRESTATE_STD = "0x038512e02c4c3f7bdaec27d00edf55b7155e0905301e1a88083e4e0a6764d54c";
const PRESTATE_OURS = `0x03${"ab".repeat(31)}` as Hex;
const ARGS: GameArgs = { absolutePrestate: PRESTATE_STD, vm: a(0x11), anchorStateRegistry: a(0x12), delayedWETH: a(0x13), l2ChainId: 16584n, proposer: a(0x21), challenger: a(0x22) };
const ROLES = { proposer: a(0x21), challenger: a(0x22), batcher: a(0x31), unsafeBlockSigner: a(0x41) };

let anvil: Anvil;
let addresses: { DisputeGameFactoryProxy: Address; SystemConfigProxy: Address };

async function deploy(name: string, args: unknown[], owner = deployer): Promise<Address> {
  const { abi, bytecode } = artifact(name);
  const w = createWalletClient({ account: owner, chain: foundry, transport: http(anvil.rpcUrl) });
  const hash = await w.sendTransaction({ data: encodeDeployData({ abi, bytecode: bytecode.object, args }) });
  return (await createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }).waitForTransactionReceipt({ hash })).contractAddress!;
}

function runDay2(desired: object, key: Hex = devKey(0)): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(
      "node_modules/.bin/tsx",
      ["scripts/op-stack/day2.ts"],
      { encoding: "utf8", env: { ...process.env, ECP_L1_RPC_URL: anvil.rpcUrl, ECP_DEPLOYER_KEY: key, ECP_ADDRESSES: JSON.stringify(addresses), ECP_DESIRED: JSON.stringify(desired) } },
      (err, stdout, stderr) => resolve({ status: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil.stop();
});
beforeEach(async () => {
  addresses = {
    DisputeGameFactoryProxy: await deploy("DisputeGameFactoryDouble", [deployer.address, 1, a(0x99), encodeGameArgs(ARGS)]),
    SystemConfigProxy: await deploy("SystemConfigDouble", [deployer.address, ROLES.batcher, ROLES.unsafeBlockSigner]),
  };
});

describe("game args", () => {
  it("decode what encode packs, 164 bytes, and refuse any other length", () => {
    const packed = encodeGameArgs(ARGS);
    expect((packed.length - 2) / 2).toBe(164);
    expect(decodeGameArgs(packed)).toEqual(ARGS);
    expect(() => decodeGameArgs(packed.slice(0, 2 + 124 * 2) as Hex)).toThrow(/is 124 bytes, not the 164 of a permissioned game/);
  });
});

describe("day 2 on L1", () => {
  it("reads the deployed values from the chain", async () => {
    const d = await readDeployed(createPublicClient({ transport: http(anvil.rpcUrl) }), addresses);
    expect(d).toMatchObject({ dgfOwner: deployer.address, gameImpl: a(0x99), batcher: ROLES.batcher, unsafeBlockSigner: ROLES.unsafeBlockSigner, gameArgs: ARGS });
  });

  it("nothing to do when the chain matches: no transaction", async () => {
    const r = await runDay2(ROLES);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ sent: [], after: { absolutePrestate: PRESTATE_STD, ...ROLES } });
  });

  it("the prestate set after deploy goes on chain through setImplementation, keeping the game's other args", async () => {
    const r = await runDay2({ ...ROLES, absolutePrestate: PRESTATE_OURS });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { sent: { call: string; changes: string[] }[]; after: { absolutePrestate: string } };
    expect(report.sent).toEqual([{ call: "DisputeGameFactory.setImplementation", changes: [`absolute prestate ${PRESTATE_STD} -> ${PRESTATE_OURS} (\`ecp:prestate.hash\`)`], transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/) as unknown }]);
    expect(report.after.absolutePrestate).toBe(PRESTATE_OURS);
    const d = await readDeployed(createPublicClient({ transport: http(anvil.rpcUrl) }), addresses);
    expect(d.gameImpl).toBe(a(0x99));
    expect(d.gameArgs).toEqual({ ...ARGS, absolutePrestate: PRESTATE_OURS });
    // A second run finds nothing to do.
    expect(JSON.parse((await runDay2({ ...ROLES, absolutePrestate: PRESTATE_OURS })).stdout)).toMatchObject({ sent: [] });
  });

  it("rotated role keys: batcher, unsafe-block signer, proposer and challenger all follow on chain", async () => {
    const rotated = { proposer: a(0x121), challenger: a(0x122), batcher: a(0x131), unsafeBlockSigner: a(0x141) };
    const r = await runDay2(rotated);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { sent: { call: string }[]; after: object };
    expect(report.sent.map((s) => s.call)).toEqual(["DisputeGameFactory.setImplementation", "SystemConfig.setBatcherHash", "SystemConfig.setUnsafeBlockSigner"]);
    expect(report.after).toEqual({ absolutePrestate: PRESTATE_STD, ...rotated });
  });

  it("a change the deployer key cannot make is refused before anything is sent, naming the owner and the fix", async () => {
    addresses.SystemConfigProxy = await deploy("SystemConfigDouble", [stranger.address, ROLES.batcher, ROLES.unsafeBlockSigner]);
    const before = await createPublicClient({ transport: http(anvil.rpcUrl) }).getTransactionCount({ address: deployer.address });
    const r = await runDay2({ ...ROLES, batcher: a(0x131), absolutePrestate: PRESTATE_OURS });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("nothing was sent");
    expect(r.stderr).toContain(`SystemConfig needs batcher ${ROLES.batcher} -> ${a(0x131)} (\`ecp:batcherPrivateKey\`), but it is owned by ${stranger.address}, not the deployer ${deployer.address}`);
    // The prestate change, which the deployer could make, was not sent either.
    expect(await createPublicClient({ transport: http(anvil.rpcUrl) }).getTransactionCount({ address: deployer.address })).toBe(before);
  });

  it("the plan is pure: no change, no action", () => {
    const deployed = { dgfOwner: deployer.address, gameImpl: a(0x99), gameArgs: ARGS, systemConfigOwner: deployer.address, batcher: ROLES.batcher, unsafeBlockSigner: ROLES.unsafeBlockSigner };
    expect(planDay2({ ...ROLES }, deployed, deployer.address, CONFIG_KEYS)).toEqual({ actions: [], refusals: [] });
    // Without a configured prestate the chain's is kept.
    expect(planDay2({ ...ROLES, proposer: ROLES.proposer.toLowerCase() as Address }, deployed, deployer.address, CONFIG_KEYS).actions).toEqual([]);
  });
});
