/**
 * Reads the deployed values from L1 and, where the config differs, sends the planned owner calls
 * (onchain.ts), then reads again and checks the chain now matches. scripts/op-stack/day2.ts runs this after
 * every `op-deployer inspect` and whenever a role key or the prestate changes.
 */
import { createPublicClient, createWalletClient, http, getAddress, type Address, type Chain, type PublicClient } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

import { Day2Error, decodeGameArgs, disputeGameFactoryAbi, PERMISSIONED_GAME_TYPE, planDay2, summary, systemConfigAbi, type Day2Action, type Deployed, type Desired } from "./onchain.js";

export interface ChainAddresses {
  DisputeGameFactoryProxy: Address;
  SystemConfigProxy: Address;
}

export async function readDeployed(client: PublicClient, a: ChainAddresses): Promise<Deployed> {
  const dgf = { address: a.DisputeGameFactoryProxy, abi: disputeGameFactoryAbi } as const;
  const sc = { address: a.SystemConfigProxy, abi: systemConfigAbi } as const;
  const [dgfOwner, gameImpl, args, systemConfigOwner, batcherHash, unsafeBlockSigner] = await Promise.all([
    client.readContract({ ...dgf, functionName: "owner" }),
    client.readContract({ ...dgf, functionName: "gameImpls", args: [PERMISSIONED_GAME_TYPE] }),
    client.readContract({ ...dgf, functionName: "gameArgs", args: [PERMISSIONED_GAME_TYPE] }),
    client.readContract({ ...sc, functionName: "owner" }),
    client.readContract({ ...sc, functionName: "batcherHash" }),
    client.readContract({ ...sc, functionName: "unsafeBlockSigner" }),
  ]);
  return {
    dgfOwner,
    gameImpl,
    gameArgs: decodeGameArgs(args),
    systemConfigOwner,
    batcher: getAddress(`0x${batcherHash.slice(-40)}`),
    unsafeBlockSigner,
  };
}

export const CONFIG_KEYS = {
  prestate: "`ecp:prestate.hash`",
  proposer: "`ecp:proposerPrivateKey`",
  challenger: "`ecp:challengerPrivateKey`",
  batcher: "`ecp:batcherPrivateKey`",
  unsafeBlockSigner: "`ecp:sequencerPrivateKey`",
} as const;

export interface Day2Report {
  before: ReturnType<typeof summary>;
  after: ReturnType<typeof summary>;
  sent: { call: Day2Action["call"]; changes: string[]; transaction: string }[];
}

/** Brings the chain to the desired values with the deployer's owner calls, one at a time, each waited for.
 *  @throws Day2Error listing every refusal, before anything is sent; or when the chain does not match after. */
export async function reconcileDay2(opts: { rpcUrl: string; chain?: Chain; account: PrivateKeyAccount; addresses: ChainAddresses; desired: Desired }): Promise<Day2Report> {
  const client = createPublicClient({ transport: http(opts.rpcUrl, { retryCount: 3 }) }) as PublicClient;
  const before = await readDeployed(client, opts.addresses);
  const plan = planDay2(opts.desired, before, opts.account.address, CONFIG_KEYS);
  if (plan.refusals.length > 0) {
    throw new Day2Error(`The config asks for changes the deployer key cannot make on L1; nothing was sent:\n${plan.refusals.map((r) => `  - ${r}`).join("\n")}`);
  }
  const chainId = await client.getChainId();
  const chain = opts.chain ?? ({ id: chainId, name: `chain ${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [opts.rpcUrl] } } } as Chain);
  const wallet = createWalletClient({ account: opts.account, chain, transport: http(opts.rpcUrl, { retryCount: 3 }) });
  const sent: Day2Report["sent"] = [];
  for (const action of plan.actions) {
    const hash =
      action.call === "DisputeGameFactory.setImplementation"
        ? await wallet.writeContract({ address: opts.addresses.DisputeGameFactoryProxy, abi: disputeGameFactoryAbi, functionName: "setImplementation", args: [action.gameType, action.impl, action.args] })
        : action.call === "SystemConfig.setBatcherHash"
          ? await wallet.writeContract({ address: opts.addresses.SystemConfigProxy, abi: systemConfigAbi, functionName: "setBatcherHash", args: [action.batcher] })
          : await wallet.writeContract({ address: opts.addresses.SystemConfigProxy, abi: systemConfigAbi, functionName: "setUnsafeBlockSigner", args: [action.signer] });
    const receipt = await client.waitForTransactionReceipt({ hash, timeout: 600_000 });
    if (receipt.status !== "success") throw new Day2Error(`${action.call} (${action.changes.join(", ")}): transaction ${hash} reverted. Nothing after it was sent; run \`pulumi up\` again.`);
    sent.push({ call: action.call, changes: action.changes, transaction: hash });
  }
  const after = await readDeployed(client, opts.addresses);
  const left = planDay2(opts.desired, after, opts.account.address, CONFIG_KEYS);
  if (left.actions.length > 0 || left.refusals.length > 0) {
    throw new Day2Error(`After the owner calls the chain still differs from the config: ${[...left.actions.flatMap((a) => a.changes), ...left.refusals].join("; ")}.`);
  }
  return { before: summary(before), after: summary(after), sent };
}
