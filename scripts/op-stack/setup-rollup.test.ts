// setup-rollup.sh end to end, with a stand-in op-deployer served as a local "release" (file:// base URL),
// anvil as Sepolia, and an in-process beacon stand-in. Checks the intent it writes comes from the stack's
// own code and that apply gets the key and URL through its environment only.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { TEST_HOST_KEY } from "../../components/config/test-fixtures.js";
import { installSuperchainConfig } from "../../components/testing/l1-doubles.js";
import { type Anvil, startAnvil } from "../../rail/anvil.js";
import { envNameOf } from "./render-intent.js";

const FIXTURES = path.resolve("components/deployer/fixtures");
// anvil's first dev account: funded on every anvil, worthless anywhere else.
const DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const DEV_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const BATCHER_KEY = `0x${"2".padStart(64, "0")}`;

const FAKE_OP_DEPLOYER = `#!/usr/bin/env bash
# Stand-in for op-deployer v0.7.1: the subcommands and flags setup-rollup.sh uses, with fixture output.
set -euo pipefail
cmd=$1; shift
args=(); workdir=""; outfile="-"; target=live
while [ $# -gt 0 ]; do
  case $1 in
    --workdir) workdir=$2; shift 2 ;;
    --outfile) outfile=$2; shift 2 ;;
    --deployment-target) target=$2; shift 2 ;;
    --l1-chain-id|--l2-chain-ids|--intent-type) shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
case $cmd in
  init) cp ${FIXTURES}/init-intent.toml "$workdir/intent.toml"; echo '{"version":1}' > "$workdir/state.json" ;;
  apply)
    [ -n "\${L1_RPC_URL:-}" ] && [ -n "\${DEPLOYER_PRIVATE_KEY:-}" ] || { echo "apply: no L1_RPC_URL / DEPLOYER_PRIVATE_KEY" >&2; exit 3; }
    echo "apply $target" >> "$workdir/../calls"
    case $target in
      calldata) jq '. + {DeploymentCalldata: [{to: "0x44e197058fb98fb3618453b3d90cdef6f5db8297", data: "0x", value: "0x0"}]}' ${FIXTURES}/state.json > "$workdir/state.json" ;;
      live) jq --slurpfile f ${FIXTURES}/state.json '.opChainDeployments[0].startBlock //= $f[0].opChainDeployments[0].startBlock' "$workdir/state.json" > "$workdir/s.tmp"; mv "$workdir/s.tmp" "$workdir/state.json" ;;
    esac ;;
  inspect)
    what=\${args[0]}
    case $what in
      rollup) src=${FIXTURES}/rollup.json ;;
      *) src=/dev/null ;;
    esac
    if [ "$outfile" = - ]; then cat "$src"; else cat "$src" > "$outfile"; fi ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
`;

let l1: Anvil;
let beacon: Server;
let beaconUrl: string;
let work: string;
let releaseBase: string;
let sha256: string;

beforeAll(async () => {
  l1 = await startAnvil({ chainId: 11155111 });
  // Sepolia's shared SuperchainConfig, as preflight reads it (newer than the v7 OPCM's 2.4.2 since U20).
  await installSuperchainConfig(l1.rpcUrl, "2.4.3");
  beacon = createServer((req, res) => {
    res.writeHead(req.url === "/eth/v1/beacon/genesis" ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify({ data: { genesis_fork_version: "0x90000069" } }));
  });
  await new Promise<void>((r) => beacon.listen(0, "127.0.0.1", r));
  beaconUrl = `http://127.0.0.1:${(beacon.address() as AddressInfo).port}`;

  work = mkdtempSync(path.join(tmpdir(), "setup-rollup-"));
  const staging = path.join(work, "staging", "op-deployer-0.7.1-linux-amd64");
  mkdirSync(staging, { recursive: true });
  writeFileSync(path.join(staging, "op-deployer"), FAKE_OP_DEPLOYER);
  chmodSync(path.join(staging, "op-deployer"), 0o755);
  const release = path.join(work, "releases", "op-deployer", "v0.7.1");
  mkdirSync(release, { recursive: true });
  const tarball = path.join(release, "op-deployer-0.7.1-linux-amd64.tar.gz");
  execFileSync("tar", ["-czf", tarball, "-C", path.join(work, "staging"), "op-deployer-0.7.1-linux-amd64"]);
  sha256 = createHash("sha256").update(readFileSync(tarball)).digest("hex");
  releaseBase = `file://${path.join(work, "releases")}`;

  // The Sepolia stack file as an operator has it after recording the host key and the checksum.
  const stack = readFileSync("Pulumi.sepolia.yaml", "utf8")
    .replace("    port: 22\n", `    port: 22\n    hostKey: ${TEST_HOST_KEY}\n`)
    .replace("  ecp:opDeployerVersion: v0.7.1\n", `  ecp:opDeployerVersion: v0.7.1\n  ecp:opDeployerSha256: "${sha256}"\n`);
  writeFileSync(path.join(work, "Pulumi.sepolia.yaml"), stack);
});

afterAll(async () => {
  await l1?.stop();
  beacon?.close();
});

function setup(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["scripts/op-stack/setup-rollup.sh", path.join(work, "Pulumi.sepolia.yaml"), path.join(work, "rollup")],
      { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", HOME: work, OP_DEPLOYER_RELEASE_BASE: releaseBase, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("setup-rollup.sh", () => {
  it("maps config keys to environment names", () => {
    expect(envNameOf("deployerPrivateKey")).toBe("ECP_DEPLOYER_PRIVATE_KEY");
    expect(envNameOf("l1RpcUrl")).toBe("ECP_L1_RPC_URL");
  });

  it("stops before anything else without the deployer key, with an example", async () => {
    const r = await setup({});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error: ECP_DEPLOYER_PRIVATE_KEY is not set.\n  Example: read -rs ECP_DEPLOYER_PRIVATE_KEY");
  });

  it("downloads, writes the stack's intent, preflights, deploys through the stack's three steps and writes the chain config", async () => {
    // The fixture's contracts on L1 already, as after a deploy transaction whose run was cut short: the
    // sender finds them and sends nothing (its own sending is tested in components/deployer).
    const fixtureState = JSON.parse(readFileSync(path.join(FIXTURES, "state.json"), "utf8")) as { opChainDeployments: Record<string, string>[] };
    for (const [k, v] of Object.entries(fixtureState.opChainDeployments[0]!)) {
      if (k.endsWith("Proxy") && v !== "0x0000000000000000000000000000000000000000") {
        await fetch(l1.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_setCode", params: [v, "0x00"] }) });
      }
    }
    // Past anvil's finality (64 blocks), so the finalized block holds them: apply's start block.
    await fetch(l1.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_mine", params: ["0x41"] }) });
    const finalized = (await (
      await fetch(l1.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getBlockByNumber", params: ["finalized", false] }) })
    ).json()) as { result: { hash: string; parentHash: string; number: string; timestamp: string } };
    const r = await setup({
      ECP_DEPLOYER_PRIVATE_KEY: DEV_KEY,
      [envNameOf("batcherPrivateKey")]: BATCHER_KEY,
      ECP_L1_RPC_URL: l1.rpcUrl,
      ECP_L1_BEACON_URL: beaconUrl,
      START_BLOCK_POLL_SECONDS: "0.1",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("preflight ok: L1 chain 11155111, beacon 0x90000069, SuperchainConfig 2.4.3, deployer 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 holds 10000 ETH");
    const intent = parseToml(readFileSync(path.join(work, "rollup/deployer/intent.toml"), "utf8")) as {
      opDeployerVersion: string;
      chains: { roles: Record<string, string>; deployOverrides: Record<string, unknown> }[];
    };
    // init's version string is kept; the roles come from the keys in the environment.
    expect(intent.opDeployerVersion).toBe("v0.7.1-1a2b3c4d-1782432000");
    expect(intent.chains[0]?.roles).toMatchObject({ l1ProxyAdminOwner: DEV_ADDRESS, batcher: "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF", proposer: DEV_ADDRESS });
    expect(intent.chains[0]?.deployOverrides).toMatchObject({ respectedGameType: 1 });
    expect(readFileSync(path.join(work, "rollup/config/rollup.json"), "utf8")).toBe(readFileSync(path.join(FIXTURES, "rollup.json"), "utf8"));
    // The calldata run on a copy, then a live apply on it, which then became the workdir.
    expect(readFileSync(path.join(work, "rollup/calls"), "utf8")).toBe("apply calldata\napply live\n");
    expect(r.stderr).toContain('{"status":"already-on-l1","contracts":10}');
    const state = JSON.parse(readFileSync(path.join(work, "rollup/deployer/state.json"), "utf8")) as typeof fixtureState;
    // The start block is L1's finalized block that holds the deploy, not the simulation's.
    const { hash, parentHash, number, timestamp } = finalized.result;
    expect(state.opChainDeployments[0]).toEqual({ ...fixtureState.opChainDeployments[0], startBlock: { hash, parentHash, number, timestamp } });
    expect(readFileSync(path.join(work, "rollup/deployer/chain-config.sha256"), "utf8")).toContain("  rollup.json\n");
    // Nothing secret on stdout or stderr.
    expect(r.stdout + r.stderr).not.toContain(DEV_KEY.slice(2));

    // Run again with another batcher key: the recorded workdir keeps the intent the chain was deployed from
    // (the config's goes to <work>/intent.toml), op-deployer does not run, and the chain config still matches.
    const intentBefore = readFileSync(path.join(work, "rollup/deployer/intent.toml"), "utf8");
    const stateBefore = readFileSync(path.join(work, "rollup/deployer/state.json"), "utf8");
    const again = await setup({
      ECP_DEPLOYER_PRIVATE_KEY: DEV_KEY,
      [envNameOf("batcherPrivateKey")]: `0x${"5b".repeat(32)}`,
      ECP_L1_RPC_URL: l1.rpcUrl,
      ECP_L1_BEACON_URL: beaconUrl,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("the config's intent differs from the one chain");
    expect(readFileSync(path.join(work, "rollup/deployer/intent.toml"), "utf8")).toBe(intentBefore);
    expect(readFileSync(path.join(work, "rollup/intent.toml"), "utf8")).not.toBe(intentBefore);
    expect(readFileSync(path.join(work, "rollup/deployer/state.json"), "utf8")).toBe(stateBefore);
    expect(readFileSync(path.join(work, "rollup/calls"), "utf8")).toBe("apply calldata\napply live\n");
  });
});
