// The chain's first deploy on L1: sends the one transaction op-deployer's calldata run recorded
// (components/deployer/send.ts), with a gas limit from L1's own estimate. The stack runs it on the operator's
// machine between remote/op-deployer-calldata.sh and remote/op-deployer-apply.sh.
//   ECP_L1_RPC_URL=… ECP_DEPLOYER_KEY=0x… ECP_OPCM=0x… [ECP_RPC_TX_FEE_CAP_WEI=…] [ECP_DEPLOY_MAX_FEE_WEI=…] \
//     tsx scripts/op-stack/deploy-send.ts < plan.json
// Progress on stderr; exit 0 and a JSON report on stdout; exit 1 with the reason.
import { readFileSync } from "node:fs";

import { getAddress, isAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { DEFAULT_RPC_TX_FEE_CAP_WEI, type FeeLimits, parseDeployPlan, sendDeployment } from "../../components/deployer/send.js";
import { requiredEnv, runStep } from "./cli.js";


/** ECP_RPC_TX_FEE_CAP_WEI (ecp:l1RpcTxFeeCap; default 1 ETH, 0 for none) and ECP_DEPLOY_MAX_FEE_WEI (ecp:deployMaxFeeGwei). */
function feeLimitsFromEnv(): FeeLimits {
  const wei = (name: string): bigint | undefined => {
    const v = process.env[name];
    if (v === undefined || v === "") return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`${name} must be a whole number of wei, got ${JSON.stringify(v)}.`);
    return BigInt(v);
  };
  const max = wei("ECP_DEPLOY_MAX_FEE_WEI");
  return { rpcTxFeeCapWei: wei("ECP_RPC_TX_FEE_CAP_WEI") ?? DEFAULT_RPC_TX_FEE_CAP_WEI, ...(max === undefined ? {} : { maxFeePerGasWei: max }) };
}

/** An optional wait in milliseconds: a whole number, or the option is left to its default (a wait that is not a
 *  number would never end: `waited >= NaN` is never true). */
function msFromEnv<K extends string>(name: string, option: K): Partial<Record<K, number>> {
  const v = process.env[name];
  if (v === undefined || v === "") return {};
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a whole number of milliseconds, got ${JSON.stringify(v)}.`);
  return { [option]: Number(v) } as Partial<Record<K, number>>;
}

async function main(): Promise<void> {
  const key = requiredEnv("ECP_DEPLOYER_KEY");
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error("ECP_DEPLOYER_KEY must be a 0x-prefixed 32-byte hex key.");
  const opcm = requiredEnv("ECP_OPCM");
  if (!isAddress(opcm, { strict: false })) throw new Error(`ECP_OPCM is not an address: ${JSON.stringify(opcm)}.`);
  const plan = parseDeployPlan(readFileSync(0, "utf8"));
  const report = await sendDeployment(plan, {
    rpcUrl: requiredEnv("ECP_L1_RPC_URL"),
    account: privateKeyToAccount(key as `0x${string}`),
    opcm: getAddress(opcm),
    log: (line) => console.error(line),
    ...msFromEnv("ECP_WAIT_MS", "waitMs"),
    ...msFromEnv("ECP_POLL_MS", "pollMs"),
    ...msFromEnv("ECP_FEE_WAIT_MS", "feeWaitMs"),
    feeLimits: feeLimitsFromEnv(),
  });
  console.log(JSON.stringify(report));
}

runStep(main);
