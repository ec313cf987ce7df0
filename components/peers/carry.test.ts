// The carry step as the stack runs it: scripts/op-stack/carry-chain-config.ts in its own process, with a
// stand-in `ssh` on PATH that checks the options it is given and runs the remote command in bash on this
// machine (ecp-forge and the peer are two directories here). The remote commands run for real.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { beforeEach, describe, expect, it } from "vitest";

import { TEST_HOST_KEY, TEST_PEER_HOST_KEYS } from "../config/test-fixtures.js";
import { carryPlan, receiveCommand, sha256Hex, sshCommandArgs } from "./carry.js";

const STAND_IN_SSH = `#!/usr/bin/env bash
# Stand-in ssh: options up to "--", then the destination and the command.
set -euo pipefail
printf '%s\\n' "$*" >> "$SSH_LOG"
opts=()
while [ "$1" != "--" ]; do opts+=("$1"); shift; done
shift
dest=$1; shift
case " \${opts[*]} " in *" StrictHostKeyChecking=yes "*) ;; *) echo "host key not pinned" >&2; exit 255 ;; esac
case " \${opts[*]} " in *" BatchMode=yes "*) ;; *) echo "prompts allowed" >&2; exit 255 ;; esac
if [ "\${SSH_FAIL_DEST:-}" = "$dest" ]; then echo "ssh: connect to host $dest port 22: Connection refused" >&2; exit 255; fi
exec bash -c "$*"
`;

const forge = { address: "ecp-forge", user: "deploy", port: 22, hostKey: TEST_HOST_KEY };
const peer = { address: "203.0.113.21", user: "deploy", port: 2222, hostKey: TEST_PEER_HOST_KEYS[0] };

let root: string;
let env: NodeJS.ProcessEnv;
let from: string;
let to: string;
const genesis = JSON.stringify({ config: { chainId: 16584 }, alloc: { "0x00": { balance: "0x1" } } }) + "\n";
const rollup = JSON.stringify({ l2_chain_id: 16584, "it's": "quoted" }) + "\n";

function run(files: Record<string, string>) {
  const plan = carryPlan({ host: forge, dir: from }, { host: peer, dir: to }, files);
  return spawnSync("node_modules/.bin/tsx", ["scripts/op-stack/carry-chain-config.ts"], { env: { ...env, ECP_CARRY: JSON.stringify(plan) }, encoding: "utf8" });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "carry-"));
  mkdirSync(join(root, "bin"));
  writeFileSync(join(root, "bin", "ssh"), STAND_IN_SSH);
  chmodSync(join(root, "bin", "ssh"), 0o755);
  from = join(root, "forge", "config");
  to = join(root, "peer", "config");
  mkdirSync(from, { recursive: true });
  writeFileSync(join(from, "genesis.json"), genesis);
  writeFileSync(join(from, "rollup.json"), rollup);
  env = { ...process.env, PATH: `${join(root, "bin")}:${process.env["PATH"]}`, SSH_LOG: join(root, "ssh.log") };
});

const sums = () => ({ "genesis.json": sha256Hex(Buffer.from(genesis)), "rollup.json": sha256Hex(Buffer.from(rollup)) });

describe("carrying the chain config to a peer", () => {
  it("test_carry_CopiesBothFilesByteForByte_Mode0644_ThroughEachHostsPinnedSsh", () => {
    const r = run(sums());
    expect(r.stderr).toContain("genesis.json:");
    expect(r.status).toBe(0);
    expect(readFileSync(join(to, "genesis.json"), "utf8")).toBe(genesis);
    expect(readFileSync(join(to, "rollup.json"), "utf8")).toBe(rollup);
    expect(statSync(join(to, "rollup.json")).mode & 0o777).toBe(0o644);
    expect(readdirSync(to).sort()).toEqual(["genesis.json", "rollup.json"]);
    const log = readFileSync(join(root, "ssh.log"), "utf8");
    // Each host with its own key and port: two reads on ecp-forge, two writes on the peer.
    expect(log.split("\n").filter((l) => l.includes(`-- deploy@ecp-forge cat`))).toHaveLength(2);
    expect(log.split("\n").filter((l) => l.includes(`-p 2222 -- deploy@203.0.113.21 set -eu`) && l.includes(TEST_PEER_HOST_KEYS[0]))).toHaveLength(2);
  });

  it("test_carry_AFileThatDoesNotMatchTheDeployment_WritesNothingOnThePeer", () => {
    const r = run({ ...sums(), "rollup.json": "0".repeat(64) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`rollup.json on deploy@ecp-forge has sha256 ${sums()["rollup.json"]}, but the deployment recorded ${"0".repeat(64)}`);
    expect(existsSync(to)).toBe(false);
  });

  it("test_carry_APeerThatRefusesTheConnection_FailsNamingIt_AndARetrySucceeds", () => {
    let r = spawnSync("node_modules/.bin/tsx", ["scripts/op-stack/carry-chain-config.ts"], {
      env: { ...env, SSH_FAIL_DEST: "deploy@203.0.113.21", ECP_CARRY: JSON.stringify(carryPlan({ host: forge, dir: from }, { host: peer, dir: to }, sums())) },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("ssh deploy@203.0.113.21 exited 255: ssh: connect to host deploy@203.0.113.21 port 22: Connection refused");
    r = run(sums());
    expect(r.status).toBe(0);
  });

  it("test_carry_TheReceiverKeepsTheOldFile_WhenTheBytesDoNotMatch_AndClearsLeftovers", () => {
    mkdirSync(to, { recursive: true });
    writeFileSync(join(to, "genesis.json"), "old");
    writeFileSync(join(to, ".genesis.json.carry.abc123"), "left by a killed run");
    const plan = carryPlan({ host: forge, dir: from }, { host: peer, dir: to }, sums());
    // The peer's side alone, fed other bytes than the hash says.
    const r = spawnSync("ssh", sshCommandArgs(plan.to, receiveCommand(plan.to.dir, "genesis.json", sums()["genesis.json"])), { env, input: "tampered", encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`genesis.json: received sha256 ${sha256Hex(Buffer.from("tampered"))}, expected ${sums()["genesis.json"]}; the old file is kept.`);
    expect(readFileSync(join(to, "genesis.json"), "utf8")).toBe("old");
    expect(readdirSync(to)).toEqual(["genesis.json"]);
  });

  it("test_carry_SshOptions_AreOnesRealSshAccepts", () => {
    const plan = carryPlan({ host: forge, dir: from }, { host: { ...peer, jump: { user: "ci", address: "bastion.example.org", port: 2200, hostKey: TEST_HOST_KEY } }, dir: to }, sums());
    const effective = execFileSync("ssh", ["-G", ...plan.to.options, plan.to.destination], { encoding: "utf8" });
    expect(effective).toContain("batchmode yes");
    expect(effective).toContain("port 2222");
    expect(effective).toMatch(/^proxycommand ssh .* -p 2200 -W %h:%p ci@bastion\.example\.org$/m);
  });

  it("test_carry_RefusesAPlanWithAPathOrABadHash", () => {
    expect(() => carryPlan({ host: forge, dir: from }, { host: peer, dir: to }, { "../genesis.json": "0".repeat(64) })).toThrow("must be a plain file name");
    expect(() => carryPlan({ host: forge, dir: from }, { host: peer, dir: to }, { "genesis.json": "xyz" })).toThrow("64 lowercase hex");
  });
});
