// The chain's first deploy on L1: sends the one transaction op-deployer's calldata run recorded
// (components/deployer/send.ts), with a gas limit from L1's own estimate. The stack runs it on the operator's
// machine between remote/op-deployer-calldata.sh and remote/op-deployer-apply.sh.
//   ECP_L1_RPC_URL=… ECP_DEPLOYER_KEY=0x… ECP_OPCM=0x… tsx scripts/op-stack/deploy-send.ts < plan.json
// Progress on stderr; exit 0 and a JSON report on stdout; exit 1 with the reason.
import { readFileSync } from "node:fs";

import { getAddress, isAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { parseDeployPlan, sendDeployment } from "../../components/deployer/send.js";

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`${name} is not set.`);
  return v;
}

async function main(): Promise<void> {
  const key = env("ECP_DEPLOYER_KEY");
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new Error("ECP_DEPLOYER_KEY must be a 0x-prefixed 32-byte hex key.");
  const opcm = env("ECP_OPCM");
  if (!isAddress(opcm, { strict: false })) throw new Error(`ECP_OPCM is not an address: ${JSON.stringify(opcm)}.`);
  const plan = parseDeployPlan(readFileSync(0, "utf8"));
  const report = await sendDeployment(plan, {
    rpcUrl: env("ECP_L1_RPC_URL"),
    account: privateKeyToAccount(key as `0x${string}`),
    opcm: getAddress(opcm),
    log: (line) => console.error(line),
    ...(process.env["ECP_WAIT_MS"] ? { waitMs: Number(process.env["ECP_WAIT_MS"]) } : {}),
    ...(process.env["ECP_POLL_MS"] ? { pollMs: Number(process.env["ECP_POLL_MS"]) } : {}),
  });
  console.log(JSON.stringify(report));
}

main().catch((e: unknown) => {
  // viem errors can carry the RPC URL, which can carry an API key.
  const text = e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e);
  console.error(text.replace(/https?:\/\/\S+/g, "<url>"));
  process.exit(1);
});
