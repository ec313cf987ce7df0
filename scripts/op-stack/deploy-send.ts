// The chain's first deploy on L1: sends the one transaction op-deployer's calldata run recorded
// (components/deployer/send.ts), with a gas limit from L1's own estimate. The stack runs it on the operator's
// machine between remote/op-deployer-calldata.sh and remote/op-deployer-apply.sh.
//   ECP_L1_RPC_URL=… ECP_DEPLOYER_KEY=0x… ECP_OPCM=0x… tsx scripts/op-stack/deploy-send.ts < plan.json
// Progress on stderr; exit 0 and a JSON report on stdout; exit 1 with the reason.
import { readFileSync } from "node:fs";

import { getAddress, isAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { parseDeployPlan, sendDeployment } from "../../components/deployer/send.js";
import { requiredEnv, runStep } from "./cli.js";


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
    ...(process.env["ECP_WAIT_MS"] ? { waitMs: Number(process.env["ECP_WAIT_MS"]) } : {}),
    ...(process.env["ECP_POLL_MS"] ? { pollMs: Number(process.env["ECP_POLL_MS"]) } : {}),
  });
  console.log(JSON.stringify(report));
}

runStep(main);
