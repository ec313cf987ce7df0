// Test doubles on an anvil standing in for Sepolia (contracts/test/utils/OpChainL1Doubles.sol).
import { readFileSync } from "node:fs";

import { createPublicClient, createTestClient, createWalletClient, encodeDeployData, http, type Abi, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";

import { SEPOLIA_SUPERCHAIN_CONFIG } from "../config/defaults.js";
import { devKey } from "../../rail/keys.js";

/** Puts a SuperchainConfig reporting `version` at Sepolia's shared address on an anvil (chain id 11155111). */
export async function installSuperchainConfig(rpcUrl: string, version: string): Promise<void> {
  const { abi, bytecode } = JSON.parse(readFileSync("contracts/out/OpChainL1Doubles.sol/SuperchainConfigVersionDouble.json", "utf8")) as { abi: Abi; bytecode: { object: Hex } };
  const chain = { ...foundry, id: 11155111 };
  const wallet = createWalletClient({ account: privateKeyToAccount(devKey(9)), chain, transport: http(rpcUrl) });
  const pc = createPublicClient({ chain, transport: http(rpcUrl) });
  const hash = await wallet.sendTransaction({ data: encodeDeployData({ abi, bytecode: bytecode.object, args: [version] }) });
  const at = (await pc.waitForTransactionReceipt({ hash })).contractAddress!;
  const code = await pc.getCode({ address: at });
  await createTestClient({ chain, mode: "anvil", transport: http(rpcUrl) }).setCode({ address: SEPOLIA_SUPERCHAIN_CONFIG, bytecode: code! });
}
