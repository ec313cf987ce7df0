// Day 2: reads what the deployed chain runs with from L1 (components/day2) and, where the config differs,
// sends the deployer's owner calls that bring the chain there; prints the chain's values as JSON.
// The stack runs it after `op-deployer inspect`, and again whenever a role key or the prestate changes.
//   ECP_L1_RPC_URL=… ECP_DEPLOYER_KEY=0x… ECP_ADDRESSES='{"DisputeGameFactoryProxy":…,"SystemConfigProxy":…}' \
//   ECP_DESIRED='{"proposer":…,"challenger":…,"batcher":…,"unsafeBlockSigner":…[,"absolutePrestate":…]}' tsx scripts/op-stack/day2.ts
// Exit 0 and the JSON report; exit 1 with the reason (nothing sent when a change cannot be made).
import { privateKeyToAccount } from "viem/accounts";
import { z } from "zod";

import { reconcileDay2 } from "../../components/day2/reconcile.js";
import { requiredEnv, runStep } from "./cli.js";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a 0x-prefixed 20-byte address");
const addresses = z.object({ DisputeGameFactoryProxy: address, SystemConfigProxy: address });
const desired = z.object({
  absolutePrestate: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "a 0x-prefixed 32-byte hash").optional(),
  proposer: address,
  challenger: address,
  batcher: address,
  unsafeBlockSigner: address,
});


function json<T>(name: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(requiredEnv(name));
  } catch {
    throw new Error(`${name} must be JSON.`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${name}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}.`);
  return parsed.data;
}

async function main(): Promise<void> {
  const key = requiredEnv("ECP_DEPLOYER_KEY");
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error("ECP_DEPLOYER_KEY must be a 0x-prefixed 32-byte hex key.");
  const report = await reconcileDay2({
    rpcUrl: requiredEnv("ECP_L1_RPC_URL"),
    account: privateKeyToAccount(key as `0x${string}`),
    addresses: json("ECP_ADDRESSES", addresses) as never,
    desired: json("ECP_DESIRED", desired) as never,
  });
  console.log(JSON.stringify(report));
}

runStep(main);
