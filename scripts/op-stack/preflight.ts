// Preflight before op-deployer spends Sepolia ETH (components/preflight/preflight.ts).
// The stack runs it before `op-deployer apply`; setup-rollup.sh runs it too.
//   ECP_L1_RPC_URL=… ECP_L1_BEACON_URL=… ECP_DEPLOYER_ADDRESS=0x… ECP_MIN_DEPLOYER_BALANCE_WEI=… \
//   [ECP_PINS='{"opNode":"v1.20.2",…}' ECP_FORK_HORIZON_DAYS=30] tsx scripts/op-stack/preflight.ts [--no-balance]
// With ECP_PINS, the pinned versions are also checked against the L1's own fork schedule (the fork gate).
// --no-balance checks the L1 and the fork gate but not the deployer's balance: the stack runs it so, since
// remote/op-deployer-apply.sh checks the balance right before a first deploy, the only apply that spends.
// Exit 0 and one summary line when every check passes; exit 1 and every problem otherwise.
import { getAddress, isAddress } from "viem";

import { z } from "zod";

import type { Pins } from "../../components/preflight/forks.js";
import { checkPreflight, PreflightError, probeL1 } from "../../components/preflight/preflight.js";
import { requiredEnv, runStep } from "./cli.js";


async function main(): Promise<void> {
  const deployer = requiredEnv("ECP_DEPLOYER_ADDRESS");
  if (!isAddress(deployer, { strict: false })) throw new Error(`ECP_DEPLOYER_ADDRESS must be a 0x-prefixed address, got ${JSON.stringify(deployer)}.`);
  const noBalance = process.argv.includes("--no-balance");
  const min = noBalance ? "0" : requiredEnv("ECP_MIN_DEPLOYER_BALANCE_WEI");
  if (!/^\d+$/.test(min)) throw new Error(`ECP_MIN_DEPLOYER_BALANCE_WEI must be a whole number of wei, got ${JSON.stringify(min)}.`);
  const gate = process.env.ECP_PINS === undefined ? undefined : { pins: pinsFromEnv(process.env.ECP_PINS), horizonDays: horizonFromEnv(), nowUnix: Math.floor(Date.now() / 1000) };
  const facts = await probeL1({ rpcUrl: requiredEnv("ECP_L1_RPC_URL"), beaconUrl: requiredEnv("ECP_L1_BEACON_URL"), deployer: getAddress(deployer) });
  const report = checkPreflight(facts, noBalance ? undefined : BigInt(min), gate);
  if (!report.ok) throw new PreflightError(report.problems);
  console.log(`preflight ok: ${report.summary}`);
}

function pinsFromEnv(text: string): Pins {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`ECP_PINS must be a JSON object of component to release tag, got ${JSON.stringify(text.slice(0, 80))}.`);
  }
  const parsed = z.record(z.string(), z.string()).safeParse(json);
  if (!parsed.success) throw new Error("ECP_PINS must be a JSON object of component to release tag (strings).");
  return parsed.data as Pins;
}

function horizonFromEnv(): number {
  const v = process.env.ECP_FORK_HORIZON_DAYS ?? "30";
  if (!/^\d+$/.test(v)) throw new Error(`ECP_FORK_HORIZON_DAYS must be a whole number of days, got ${JSON.stringify(v)}.`);
  return Number(v);
}

runStep(main);
