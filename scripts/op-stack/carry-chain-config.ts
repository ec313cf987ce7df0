// Carries genesis.json and rollup.json from ecp-forge to a verifier peer over the operator's SSH
// (components/peers/carry.ts). The stack runs it as a local step before the peer's execution client starts.
//   ECP_CARRY='{"from":…,"to":…,"files":[…]}' tsx scripts/op-stack/carry-chain-config.ts
// Exit 0 when every file is on the peer with its recorded sha256; exit 1 with the reason otherwise.
import { spawn } from "node:child_process";

import { type CarryEnd, type CarryPlan, readCommand, receiveCommand, sha256Hex, sshCommandArgs } from "../../components/peers/carry.js";
import { requiredEnv, runStep } from "./cli.js";

/** Runs `command` on `end`'s host, feeding `input`; resolves with stdout, rejects with ssh's exit and stderr. */
function ssh(end: CarryEnd, command: string, input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", sshCommandArgs(end, command), { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`ssh ${end.destination} ${signal === null ? `exited ${code}` : `was killed by ${signal}`}: ${Buffer.concat(err).toString("utf8").trim()}`));
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  });
}

async function main(): Promise<void> {
  const plan = JSON.parse(requiredEnv("ECP_CARRY")) as CarryPlan;
  // Read and check every file first: a mismatch writes nothing on the peer.
  const files: { name: string; sha256: string; bytes: Buffer }[] = [];
  for (const f of plan.files) {
    const bytes = await ssh(plan.from, readCommand(plan.from.dir, f.name));
    const got = sha256Hex(bytes);
    if (got !== f.sha256) {
      throw new Error(`${plan.from.dir}/${f.name} on ${plan.from.destination} has sha256 ${got}, but the deployment recorded ${f.sha256}; re-run \`pulumi up\` so op-deployer's inspect step writes it again. Nothing was written on the peer.`);
    }
    files.push({ ...f, bytes });
  }
  for (const f of files) {
    await ssh(plan.to, receiveCommand(plan.to.dir, f.name, f.sha256), f.bytes);
    console.error(`${f.name}: ${f.bytes.length} bytes, sha256 ${f.sha256}, on the peer`);
  }
}

runStep(main);
