// Preflight before op-deployer spends Sepolia ETH (components/preflight/preflight.ts).
// The stack runs it before `op-deployer apply`; setup-rollup.sh runs it too.
//   ECP_L1_RPC_URL=… ECP_L1_BEACON_URL=… ECP_DEPLOYER_ADDRESS=0x… ECP_MIN_DEPLOYER_BALANCE_WEI=… tsx scripts/op-stack/preflight.ts
// Exit 0 and one summary line when every check passes; exit 1 and every problem otherwise.
import { getAddress, isAddress } from "viem";

import { checkPreflight, PreflightError, probeL1 } from "../../components/preflight/preflight.js";

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`${name} is not set.`);
  return v;
}

async function main(): Promise<void> {
  const deployer = env("ECP_DEPLOYER_ADDRESS");
  if (!isAddress(deployer, { strict: false })) throw new Error(`ECP_DEPLOYER_ADDRESS must be a 0x-prefixed address, got ${JSON.stringify(deployer)}.`);
  const min = env("ECP_MIN_DEPLOYER_BALANCE_WEI");
  if (!/^\d+$/.test(min)) throw new Error(`ECP_MIN_DEPLOYER_BALANCE_WEI must be a whole number of wei, got ${JSON.stringify(min)}.`);
  const facts = await probeL1({ rpcUrl: env("ECP_L1_RPC_URL"), beaconUrl: env("ECP_L1_BEACON_URL"), deployer: getAddress(deployer) });
  const report = checkPreflight(facts, BigInt(min));
  if (!report.ok) throw new PreflightError(report.problems);
  console.log(`preflight ok: ${report.summary}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
