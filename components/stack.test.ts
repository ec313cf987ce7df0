/**
 * The Pulumi stack under Pulumi's mocks: the resource graph, each container's command and env, ports,
 * secrets, prestate gating, config errors, the intent handed to op-deployer, and idempotency.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import * as pulumi from "@pulumi/pulumi";

import jsyaml from "js-yaml";
import { parse as parseToml } from "smol-toml";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";

import { bundleRailCli } from "./ledger/bundle.js";
import { ConfigError, loadConfig } from "./config/load.js";
import { minimalRawConfig, TEST_ADDRESSES, TEST_HOST_KEY, TEST_KEYS, TEST_PEERS, TEST_PRESTATE, testConfig } from "./config/test-fixtures.js";
import { STANDARD_ABSOLUTE_PRESTATE } from "./config/defaults.js";
import { PrestateMismatchError } from "./prestate/gate.js";
import { libp2pPeerId } from "./services/op-node/peer-id.js";
import { configSecretKeys, opStack } from "./stack.js";
import { scrapeTargets } from "./monitoring/index.js";
import { privateKeyToAddress } from "viem/accounts";
import {
  byName,
  installMocks,
  isSecretValue,
  MOCK_GRAFANA_PASSWORD,
  MOCK_JWT_HEX,
  MOCK_LEDGER,
  type MockChain,
  plainText,
  promiseOf,
  railArgsOf,
  type Recorded,
  reveal,
  settle,
} from "./testing/pulumi-mocks.js";

const CONTAINER = "docker:index/container:Container";
const REMOTE = "command:remote:Command";

async function build(overrides: Record<string, unknown> = {}, chain: MockChain = {}, now?: number) {
  const recorded = installMocks(chain);
  const warnings: string[] = [];
  const { outputs, parts } = opStack(testConfig(overrides), { stack: "sepolia", warn: (m) => warnings.push(m), ...(now === undefined ? {} : { now: () => now }) });
  await promiseOf(outputs.l1Addresses);
  await settle(recorded);
  return { recorded, outputs, warnings, parts };
}

/** Runs `f` and returns what the program rejected meanwhile: errors thrown inside outputs surface as
 *  unhandled rejections, as they fail a real `pulumi up`. */
async function rejectionsDuring(f: () => Promise<void>): Promise<unknown[]> {
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on("unhandledRejection", onError);
  try {
    await f();
  } finally {
    process.off("unhandledRejection", onError);
  }
  return errors;
}

function containers(recorded: Recorded[]): Map<string, Record<string, unknown>> {
  return new Map(recorded.filter((r) => r.type === CONTAINER).map((r) => [String(reveal(r.inputs["name"])), r.inputs]));
}

function envOf(inputs: Record<string, unknown>): Record<string, string> {
  const list = reveal(inputs["envs"]) as string[];
  return Object.fromEntries(list.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

let recorded: Recorded[];
let outputs: Awaited<ReturnType<typeof build>>["outputs"];


// The rail client is bundled once, asynchronously (esbuild); built before the first program runs, the
// resources that wait on it register within each test, as every other resource does.
beforeAll(() => bundleRailCli(), 120_000);

describe("the stack with a prestate (every service)", () => {
  beforeEach(async () => {
    ({ recorded, outputs } = await build());
  });

  it("creates the six services on one network, each after what it needs", () => {
    const c = containers(recorded);
    expect([...c.keys()].sort()).toEqual(["alertmanager", "grafana", "op-batcher", "op-challenger", "op-dispute-mon", "op-node", "op-proposer", "op-reth", "prometheus"]);
    for (const [name, inputs] of c) {
      expect(inputs["networksAdvanced"], name).toEqual([{ name: "ecp-opstack", aliases: name === "op-reth" ? [name, "execution"] : [name] }]);
      expect(inputs["restart"], name).toBe("unless-stopped");
      expect(inputs["logDriver"], name).toBe("json-file");
      expect(inputs["logOpts"], name).toEqual({ "max-size": "100m", "max-file": "5" });
      expect(String(inputs["image"]), name).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    // op-reth's image cannot probe itself (no attach, no health route): every service is waited for from the host.
    expect(c.get("op-reth")?.["wait"]).toBe(false);
    expect(String(byName(recorded, "op-reth-healthy").inputs["stdin"])).toContain("export URL='http://127.0.0.1:6060/'");
    for (const name of ["op-node", "op-batcher", "op-proposer", "op-challenger", "op-dispute-mon"]) {
      expect(byName(recorded, `${name}-healthy`).type).toBe(REMOTE);
    }
  });

  it("warns at preview while images are pinned by tag only", async () => {
    const { warnings } = await build();
    // Six chain images and three monitoring images.
    expect(warnings.filter((w) => w.includes("is pinned by tag only"))).toHaveLength(9);
    const digest = `sha256:${"c".repeat(64)}`;
    const pinned = await build({ "ecp:images": JSON.stringify({ opReth: { digest } }) });
    expect(pinned.warnings.filter((w) => w.includes("is pinned by tag only"))).toHaveLength(8);
    const reth = pinned.recorded.find((r) => r.name === "op-reth-image");
    expect(reth?.inputs["name"]).toBe(`us-docker.pkg.dev/oplabs-tools-artifacts/images/op-reth:v2.8.2@${digest}`);
  });

  it("pins every image by the configured tag, pulled through the SSH Docker provider", () => {
    const images = recorded.filter((r) => r.type === "docker:index/remoteImage:RemoteImage");
    expect(images.map((i) => i.inputs["name"]).sort()).toEqual([
      "docker.io/grafana/grafana:12.4.9",
      "docker.io/prom/alertmanager:v0.34.0",
      "docker.io/prom/prometheus:v3.13.2",
      "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.17.0",
      "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-challenger:v1.9.5",
      "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-dispute-mon:v1.6.0",
      "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:v1.20.2",
      "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-proposer:v1.16.4",
      "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-reth:v2.8.2",
    ]);
    for (const r of recorded.filter((x) => x.type.startsWith("docker:index/"))) {
      expect(r.provider, r.name).toMatch(/pulumi:providers:docker::ecp-forge-docker::/);
    }
    const provider = byName(recorded, "ecp-forge-docker");
    expect(provider.inputs["host"]).toBe("ssh://deploy@ecp-forge:22");
    // Provider config reaches the engine JSON-encoded.
    const raw = reveal(provider.inputs["sshOpts"]);
    const sshOpts = (typeof raw === "string" ? JSON.parse(raw) : raw) as string[];
    expect(sshOpts).toContain("StrictHostKeyChecking=yes");
    expect(sshOpts.find((o) => o.startsWith("KnownHostsCommand="))).toContain("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl");
  });

  it("connects every remote step with the pinned host key", () => {
    for (const r of recorded.filter((x) => x.type === REMOTE)) {
      expect(reveal(r.inputs["connection"]), r.name).toMatchObject({
        host: "ecp-forge",
        user: "deploy",
        port: 22,
        hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
      });
    }
  });

  it("publishes nothing but P2P beyond loopback, and never the engine API", () => {
    for (const [name, inputs] of containers(recorded)) {
      for (const p of reveal(inputs["ports"]) as { internal: number; external: number; ip: string; protocol: string }[]) {
        const isP2P = (name === "op-node" && p.internal === 9222) || (name === "op-reth" && p.internal === 30303);
        if (isP2P) expect(p, `${name} ${p.internal}`).toMatchObject({ ip: "0.0.0.0", external: p.internal });
        else expect(p.ip, `${name} ${p.internal}/${p.protocol} is published beyond loopback`).toBe("127.0.0.1");
        expect(p.internal, `${name} publishes the engine API`).not.toBe(8551);
      }
    }
  });

  it("gives op-node the sequencer key, op-batcher and op-proposer theirs, all through secret env", () => {
    const c = containers(recorded);
    const node = c.get("op-node") ?? {};
    expect(isSecretValue(node["envs"])).toBe(true);
    expect(envOf(node)).toEqual({
      OP_NODE_L1_BEACON: "https://beacon.example.org",
      OP_NODE_L1_ETH_RPC: "https://sepolia.example.org/v1/secret-token",
      OP_NODE_P2P_SEQUENCER_KEY: TEST_KEYS.sequencer,
      // The stack's libp2p key (random.RandomBytes, mocked), so its peer id is an output before op-node runs.
      OP_NODE_P2P_PRIV_RAW: MOCK_JWT_HEX,
    });
    expect(reveal(node["command"])).toEqual(
      expect.arrayContaining(["op-node", "--sequencer.enabled=true", "--safedb.path=/data/safedb", "--l2=http://execution:8551", "--l2.enginekind=reth", "--l2.jwt-secret=/secrets/jwt.txt"]),
    );
    expect(envOf(c.get("op-batcher") ?? {})["OP_BATCHER_PRIVATE_KEY"]).toBe(TEST_KEYS.batcher);
    expect(envOf(c.get("op-proposer") ?? {})["OP_PROPOSER_PRIVATE_KEY"]).toBe(TEST_KEYS.proposer);
    expect(envOf(c.get("op-challenger") ?? {})["OP_CHALLENGER_PRIVATE_KEY"]).toBe(TEST_KEYS.challenger);
  });

  it("points op-proposer and op-challenger at the deployed DisputeGameFactory, permissioned game type", async () => {
    const addresses = await promiseOf(outputs.l1Addresses);
    const c = containers(recorded);
    expect(reveal(c.get("op-proposer")?.["command"])).toEqual(
      expect.arrayContaining([`--game-factory-address=${addresses.DisputeGameFactoryProxy}`, "--game-type=1"]),
    );
    const challenger = reveal(c.get("op-challenger")?.["command"]) as string[];
    expect(challenger[0]).toBe("op-challenger");
    expect(challenger).not.toContain("run-trace");
    expect(challenger).toEqual(expect.arrayContaining(["--game-types=permissioned", "--cannon-prestates-url=file:///prestates"]));
  });

  it("initializes op-reth from genesis.json before starting it", () => {
    const init = byName(recorded, "op-reth-init");
    const stdin = String(reveal(init.inputs["stdin"]));
    expect(stdin).toContain("export DOCKER_RUN_ARGS='--network\nnone\n-v\n/var/lib/ecp-opstack/op-reth:/data");
    expect(stdin).toContain("--entrypoint\n/usr/local/bin/op-reth\nsha256:");
    expect(stdin).toContain("init\n--datadir=/data\n--chain=/config/genesis.json'");
    expect(String(init.inputs["create"])).toMatch(/op-reth init, genesis\.json sha256 [0-9a-f]{64}/);
  });

  it("with ecp:executionClient=op-geth: op-geth instead, initialized with geth init, op-node speaking geth", async () => {
    // Before Glamsterdam: since then the fork gate refuses op-geth (see "the fork gate").
    const { recorded: r, outputs: o } = await build({ "ecp:executionClient": "op-geth" }, {}, Date.parse("2026-08-01T00:00:00Z"));
    const c = containers(r);
    expect([...c.keys()].sort()).toEqual(["alertmanager", "grafana", "op-batcher", "op-challenger", "op-dispute-mon", "op-geth", "op-node", "op-proposer", "prometheus"]);
    expect(c.get("op-geth")?.["networksAdvanced"]).toEqual([{ name: "ecp-opstack", aliases: ["op-geth", "execution"] }]);
    // op-geth probes itself; Docker waits for it.
    expect(c.get("op-geth")?.["wait"]).toBe(true);
    expect(reveal(c.get("op-geth")?.["healthcheck"])).toMatchObject({ tests: expect.arrayContaining(["geth", "attach"]) as unknown, interval: "15s" });
    const init = String(reveal(byName(r, "op-geth-init").inputs["stdin"]));
    expect(init).toContain("init\n--datadir=/data\n--state.scheme=hash\n/config/genesis.json'");
    expect(reveal(c.get("op-node")?.["command"])).toEqual(expect.arrayContaining(["--l2=http://execution:8551", "--l2.enginekind=geth"]));
    expect(reveal(c.get("op-geth")?.["volumes"])).toContainEqual({ hostPath: "/var/lib/ecp-opstack/op-geth", containerPath: "/data", readOnly: false });
    // The other services' flags do not depend on the client.
    expect(reveal(c.get("op-batcher")?.["command"])).toEqual(reveal(containers(recorded).get("op-batcher")?.["command"]));
    expect(o.executionClient).toBe("op-geth");
    expect(o.services).toEqual(["op-geth", "op-node", "op-batcher", "op-proposer", "op-challenger", "op-dispute-mon"]);
  });

  it("verifies the prestate with cannon before the challenger starts", () => {
    const step = byName(recorded, "op-challenger-prestate");
    const stdin = String(reveal(step.inputs["stdin"]));
    expect(stdin).toContain(`export PRESTATE_HASH='${TEST_PRESTATE}'`);
    expect(stdin).toContain(`export PRESTATE_FILE_NAME='${TEST_PRESTATE}.bin.gz'`);
    expect(stdin).toContain("export PRESTATE_PATH='/var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz'");
    expect(stdin).toContain("witness --input");
  });

  it("outputs the L1 addresses, chain ids, genesis hash, endpoints and the dispute path", async () => {
    const addresses = await promiseOf(outputs.l1Addresses);
    for (const name of ["SystemConfigProxy", "OptimismPortalProxy", "DisputeGameFactoryProxy", "L1StandardBridgeProxy", "BatchInboxAddress"] as const) {
      expect(addresses[name], name).toMatch(/^0x[0-9a-fA-F]{40}$/);
    }
    expect(outputs.l2ChainId).toBe(16584);
    expect(await promiseOf(outputs.l2GenesisHash)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(outputs.endpoints.l2Rpc).toEqual({
      host: "http://127.0.0.1:8545",
      network: "http://execution:8545",
      tunnel: "ssh -N -p 22 -L 8545:127.0.0.1:8545 deploy@ecp-forge",
    });
    expect(await promiseOf(outputs.disputePath)).toMatchObject({ enabled: true, challenger: "running", disputeMon: "running", proposerGameType: 1 });
    expect(outputs.roles).toMatchObject({ batcher: TEST_ADDRESSES.batcher, unsafeBlockSigner: TEST_ADDRESSES.sequencer });
  });
});

describe("the fork gate", () => {
  it("refuses at preview a pin below an active L1 fork's minimum, naming component, pin, fork and minimum", async () => {
    installMocks({});
    // Throws before any resource exists, so nothing is left pending.
    const gate = (overrides: Record<string, unknown>, now = Date.parse("2026-12-01T00:00:00Z")) => () =>
      opStack(testConfig(overrides), { stack: "sepolia", warn: () => {}, now: () => now });
    expect(gate({ "ecp:images": JSON.stringify({ opNode: { tag: "v1.19.0" } }) })).toThrow(
      /op-node v1\.19\.0 \(`ecp:images\.opNode\.tag`\) is below v1\.19\.5, the minimum for Sepolia's Glamsterdam fork \(active since 2026-10-06T13:53:36Z\)/,
    );
    // op-geth has no release for Glamsterdam: choosing it is refused, with the reason.
    expect(gate({ "ecp:executionClient": "op-geth" })).toThrow(/op-geth has no release that supports Sepolia's Glamsterdam fork/);
    expect(gate({ "ecp:images": JSON.stringify({ opBatcher: { tag: "v1.16.10" } }) })).toThrow(/op-batcher v1\.16\.10 .* below v1\.17\.0/);
    // Before the fork and outside the horizon, the old pin passes; inside the horizon it does not.
    const before = Date.parse("2026-08-01T00:00:00Z");
    expect(gate({ "ecp:images": JSON.stringify({ opNode: { tag: "v1.19.0" } }), "ecp:forkHorizonDays": "90" }, before)).toThrow(/within the 90-day horizon/);
    const passed = await build({ "ecp:images": JSON.stringify({ opNode: { tag: "v1.19.0" } }), "ecp:forkHorizonDays": "30" }, {}, before);
    expect(containers(passed.recorded).has("op-node")).toBe(true);
  });

  it("gates the prestate's program like a service: a cannon game on op-program v1.9.0 is refused after Glamsterdam, the permissioned game warned about", async () => {
    installMocks({});
    const now = Date.parse("2026-12-06T00:00:00Z");
    const gate = (overrides: Record<string, unknown>) => () => opStack(testConfig(overrides), { stack: "sepolia", warn: () => {}, now: () => now });
    expect(gate({ "ecp:permissionless": "true" })).toThrow(
      /The prestate in `ecp:prestate\.program` is built from op-program\/v1\.9\.0, and Sepolia's Glamsterdam fork is active since 2026-10-06T13:53:36Z: no op-program release is known that reads its L1 headers\. Inferred: .*mono@op-program\/v1\.9\.0:op-program\/client\/l1\/oracle\.go.* With `ecp:permissionless` true the cannon game \(type 0\) is in use.*proofs would be unsound\. Keep the dispute path permissioned \(`pulumi config set ecp:permissionless false`\)/,
    );
    const permissioned = await build({}, {}, now);
    const warned = permissioned.warnings.filter((w) => w.includes("`ecp:prestate.program`"));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain("The permissioned game (type 1) runs the same program");
    expect(warned[0]).toContain("Nothing is disputed while both keys act honestly.");
    // Before Glamsterdam counted, op-program v1.9.0 (above Fusaka's v1.8.0) passes for the cannon game too.
    const before = await build({ "ecp:permissionless": "true" }, {}, Date.parse("2026-08-01T00:00:00Z"));
    expect(before.warnings.filter((w) => w.includes("`ecp:prestate.program`"))).toEqual([]);
  });

  it("re-checks the L1's own schedule whenever a pin changes, without asking for the deploy budget", async () => {
    const a = byName((await build()).recorded, "op-deployer-preflight-l1");
    expect(String(a.inputs["create"])).toMatch(/^node_modules\/\.bin\/tsx scripts\/op-stack\/preflight\.ts --no-balance # before applying intent sha256 [0-9a-f]{64}; pins \{"opBatcher":"v1\.17\.0",.*"opReth":"v2\.8\.2"\}, horizon 30 days$/);
    const env = reveal(a.inputs["environment"]) as Record<string, string>;
    expect(JSON.parse(env["ECP_PINS"]!)).toMatchObject({ opNode: "v1.20.2", opDeployer: "v0.7.1" });
    expect(JSON.parse(env["ECP_PINS"]!)).not.toHaveProperty("opGeth");
    const b = byName((await build({ "ecp:images": JSON.stringify({ opNode: { tag: "v1.20.3" } }) })).recorded, "op-deployer-preflight-l1");
    expect(b.inputs["create"]).not.toEqual(a.inputs["create"]);
  });
});

describe("secrets", () => {
  it.each([
    ["ecp-forge alone", {}],
    ["two verifier peers", { "ecp:peers": JSON.stringify(TEST_PEERS), "ecp:host": JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY, privateAddress: "10.0.0.10" }) }],
    [
      "the rail with ecp-forge's witness",
      { "ecp:rail": JSON.stringify({ witnesses: [{ name: "forge", address: privateKeyToAddress(`0x${"5a".repeat(32)}`) }], archiveDir: "/srv/a" }), "ecp:railWitnessKey": `0x${"5a".repeat(32)}` },
    ],
  ])("never appear outside secret-marked inputs (%s)", async (_, overrides) => {
    const { recorded: r } = await build(overrides);
    // Each peer's generated JWT and libp2p key, the relayer's and the smoke's throwaway keys (the mocks derive
    // them from the resource names).
    const generated = r
      .filter((x) => x.type === "random:index/randomBytes:RandomBytes" && (x.name.startsWith("peer-") || x.name.includes("rail")))
      .map((x) => createHash("sha256").update(x.name).digest("hex"));
    expect(generated).toHaveLength("ecp:peers" in overrides ? 4 : "ecp:rail" in overrides ? 1 + 3 + 1 : 0);
    const hostWitness = "ecp:railWitnessKey" in overrides ? [String(overrides["ecp:railWitnessKey"])] : [];
    const secrets = [...Object.values(TEST_KEYS), "https://sepolia.example.org/v1/secret-token", MOCK_JWT_HEX, ...generated, ...hostWitness];
    for (const res of r) {
      const plain = plainText(res.inputs);
      for (const s of secrets) {
        expect(plain, `${res.type} ${res.name} holds a secret in plain text`).not.toContain(s);
        expect(plain, `${res.type} ${res.name} holds a secret in plain text`).not.toContain(s.replace(/^0x/, ""));
      }
    }
  });

  it("are secret outputs: every role key, the L1 URLs and the JWT", async () => {
    const r = installMocks();
    const { parts, outputs: o } = opStack(testConfig(), { stack: "sepolia", warn: () => undefined });
    await promiseOf(o.l1Addresses);
    await settle(r);
    const s = parts.secrets;
    const all = [s.deployerPrivateKey, s.jwtHex, ...(["batcherPrivateKey", "proposerPrivateKey", "challengerPrivateKey", "sequencerPrivateKey", "l1RpcUrl", "l1BeaconUrl"] as const).map((n) => s.get(n))];
    for (const out of all) expect(await pulumi.isSecret(out)).toBe(true);
    expect(await promiseOf(s.jwtHex)).toBe(MOCK_JWT_HEX);
    expect(await promiseOf(s.get("sequencerPrivateKey"))).toBe(TEST_KEYS.sequencer);
  });

  it("are secret inputs where they are used: apply's stdin, the JWT file, preflight's environment", async () => {
    const { recorded: r } = await build();
    const apply = byName(r, "op-deployer-apply");
    expect(isSecretValue(apply.inputs["stdin"])).toBe(true);
    expect(String(reveal(apply.inputs["stdin"]))).toContain(`export DEPLOYER_PRIVATE_KEY='${TEST_KEYS.deployer}'`);
    const jwt = byName(r, "ecp-state-jwt");
    expect(isSecretValue(jwt.inputs["stdin"])).toBe(true);
    expect(String(reveal(jwt.inputs["stdin"]))).toContain(`export CONTENT='${MOCK_JWT_HEX}'`);
    expect(jwt.inputs["logging"]).toBe("none");
    const env = byName(r, "op-deployer-preflight-l1").inputs["environment"] as Record<string, unknown>;
    expect(isSecretValue(env["ECP_L1_RPC_URL"]) || isSecretValue(env)).toBe(true);
    expect(byName(r, "ecp-engine-jwt").inputs).toMatchObject({ length: 32 });
  });
});

describe("op-deployer", () => {
  it("installs the pinned release, checked against its sha256", async () => {
    const { recorded: r } = await build();
    const install = byName(r, "op-deployer-install");
    expect(install.inputs["create"]).toBe(
      "bash -s # install op-deployer-0.7.1-linux-amd64.tar.gz, tarball sha256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    );
    expect(String(install.inputs["stdin"])).toMatch(
      /^set -- 'v0\.7\.1' '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' '\/var\/lib\/ecp-opstack\/bin'\n#!\/usr\/bin\/env bash\n/,
    );
    expect(String(install.inputs["stdin"])).toContain('if [ "$actual" != "$sha256" ]; then');
  });

  it("applies the intent built from config, which parses back with every role set", async () => {
    const { recorded: r } = await build();
    const stdin = String(reveal(byName(r, "op-deployer-apply").inputs["stdin"]));
    const toml = /export INTENT_TOML='([^']*)'/.exec(stdin)?.[1] ?? "";
    const intent = parseToml(toml) as { configType: string; chains: { roles: Record<string, string>; deployOverrides: Record<string, unknown>; operatorFeeVaultRecipient: string }[] };
    expect(intent.configType).toBe("standard-overrides");
    const chain = intent.chains[0];
    expect(chain?.roles).toEqual({
      l1ProxyAdminOwner: TEST_ADDRESSES.deployer,
      l2ProxyAdminOwner: TEST_ADDRESSES.deployer,
      systemConfigOwner: TEST_ADDRESSES.deployer,
      unsafeBlockSigner: TEST_ADDRESSES.sequencer,
      batcher: TEST_ADDRESSES.batcher,
      proposer: TEST_ADDRESSES.proposer,
      challenger: TEST_ADDRESSES.challenger,
    });
    expect(chain?.operatorFeeVaultRecipient).toBe(TEST_ADDRESSES.deployer);
    expect(chain?.deployOverrides).toEqual({ respectedGameType: 1, faultGameAbsolutePrestate: TEST_PRESTATE });
  });

  it("re-applies only when the intent changes, after a preflight of the same intent", async () => {
    const a = await build();
    const b = await build({ "ecp:batcherPrivateKey": `0x${"6".padStart(64, "0")}` });
    const create = (x: Recorded[], n: string) => String(byName(x, n).inputs["create"]);
    expect(create(b.recorded, "op-deployer-apply")).not.toBe(create(a.recorded, "op-deployer-apply"));
    const hash = /intent sha256 ([0-9a-f]{64})/.exec(create(a.recorded, "op-deployer-apply"))?.[1];
    expect(create(a.recorded, "op-deployer-preflight-l1")).toContain(`intent sha256 ${hash}`);
    const c = await build({ "ecp:disputeMonEnabled": "false" });
    expect(create(c.recorded, "op-deployer-apply")).toBe(create(a.recorded, "op-deployer-apply"));
  });

  it("a first deploy: the calldata step (secret stdin, same intent hash as apply), then the sender on the operator's machine", async () => {
    const plan = JSON.stringify({ status: "send", l1ChainId: 11155111, deployer: TEST_ADDRESSES.deployer, transactions: [{ to: "0xb2b1c1d6f2d6d5e1d0f6c5d5f3d1a1e1b2c3d4e5", data: "0x1234", value: "0x0" }], contracts: { SystemConfigProxy: TEST_ADDRESSES.batcher } });
    const { recorded: r } = await build({}, { stdout: { "op-deployer-calldata": `${plan}\n` } });
    const calldata = byName(r, "op-deployer-calldata");
    expect(isSecretValue(calldata.inputs["stdin"])).toBe(true);
    const stdin = String(reveal(calldata.inputs["stdin"]));
    expect(stdin).toContain(`export DEPLOYER_PRIVATE_KEY='${TEST_KEYS.deployer}'`);
    expect(stdin).toContain("run_apply \"$prepared.tmp\" calldata calldata.log");
    const hash = /intent sha256 ([0-9a-f]{64})/.exec(String(byName(r, "op-deployer-apply").inputs["create"]))?.[1];
    expect(String(calldata.inputs["create"])).toBe(`bash -s # op-deployer apply --deployment-target calldata (first deploy only), intent sha256 ${hash}`);
    const send = byName(r, "op-deployer-deploy-send");
    expect(send.type).toBe("command:local:Command");
    expect(send.inputs["stdin"]).toBe(plan);
    expect(String(send.inputs["create"])).toMatch(
      new RegExp(`^node_modules/\\.bin/tsx scripts/op-stack/deploy-send\\.ts # first deploy from ${TEST_ADDRESSES.deployer} to the contracts manager 0x[0-9a-fA-F]{40}, plan sha256 [0-9a-f]{64}$`),
    );
    const env = send.inputs["environment"] as Record<string, unknown>;
    expect(isSecretValue(env["ECP_DEPLOYER_KEY"]) || isSecretValue(env)).toBe(true);
    expect(String((reveal(env) as Record<string, unknown>)["ECP_OPCM"])).toMatch(/^0x[0-9a-fA-F]{40}$/);
    // The RPC's fee cap goes to the sender (1 ETH unless ecp:l1RpcTxFeeCap says otherwise), and no max fee of its own.
    expect((reveal(env) as Record<string, unknown>)["ECP_RPC_TX_FEE_CAP_WEI"]).toBe("1000000000000000000");
    expect((reveal(env) as Record<string, unknown>)["ECP_DEPLOY_MAX_FEE_WEI"]).toBeUndefined();
  });

  it("the deploy's fee limits from config reach the sender", async () => {
    const plan = JSON.stringify({ status: "send", l1ChainId: 11155111, deployer: TEST_ADDRESSES.deployer, transactions: [{ to: "0xb2b1c1d6f2d6d5e1d0f6c5d5f3d1a1e1b2c3d4e5", data: "0x1234", value: "0x0" }], contracts: { SystemConfigProxy: TEST_ADDRESSES.batcher } });
    const { recorded: r } = await build({ "ecp:l1RpcTxFeeCap": "0", "ecp:deployMaxFeeGwei": "12.5" }, { stdout: { "op-deployer-calldata": `${plan}\n` } });
    const env = reveal(byName(r, "op-deployer-deploy-send").inputs["environment"]) as Record<string, unknown>;
    expect(env["ECP_RPC_TX_FEE_CAP_WEI"]).toBe("0");
    expect(env["ECP_DEPLOY_MAX_FEE_WEI"]).toBe("12500000000");
  });

  it("a calldata step that prints no plan stops the update before anything is sent", async () => {
    const r = installMocks({ stdout: { "op-deployer-calldata": "op-deployer: something else\n" } });
    const errors = await rejectionsDuring(async () => {
      // Nothing after the calldata step resolves, so wait for the program's work to settle, not for outputs.
      opStack(testConfig(), { stack: "sepolia", warn: () => undefined });
      await settle(r);
      await new Promise((resolve) => setTimeout(resolve, 200));
    });
    expect(errors.map(String).join("\n")).toContain("remote/op-deployer-calldata.sh printed something that is not JSON");
    expect(r.some((x) => x.name === "op-deployer-deploy-send")).toBe(false);
    expect(r.some((x) => x.name === "op-deployer-apply")).toBe(false);
  });

  it("is protected and retained on delete (checked on the resource options)", async () => {
    const r = installMocks();
    const { parts, outputs: o } = opStack(testConfig(), { stack: "sepolia", warn: () => undefined });
    await promiseOf(o.l1Addresses);
    await settle(r);
    // protect/retainOnDelete are resource options, not inputs; read them off the resource.
    const apply = parts.deployer.apply as unknown as { __protect?: boolean };
    expect(apply.__protect).toBe(true);
  });
});

describe("prestate gating", () => {
  it("without a prestate: no challenger, no dispute-mon, and the output says why", async () => {
    const { recorded: r, outputs: o } = await build({ "ecp:prestate": undefined }, { deployedPrestate: STANDARD_ABSOLUTE_PRESTATE });
    const names = [...containers(r).keys()];
    expect(names).not.toContain("op-challenger");
    expect(names).not.toContain("op-dispute-mon");
    expect(r.some((x) => x.name === "op-challenger-prestate")).toBe(false);
    const status = await promiseOf(o.disputePath);
    expect(status.enabled).toBe(false);
    expect(status.challenger).toContain("`ecp:prestate` is not set");
    expect(o.services).not.toContain("op-challenger");
  });

  it("with disputeMonEnabled=false: the challenger runs, dispute-mon does not", async () => {
    const { recorded: r, outputs: o } = await build({ "ecp:disputeMonEnabled": "false" });
    expect([...containers(r).keys()]).toContain("op-challenger");
    expect([...containers(r).keys()]).not.toContain("op-dispute-mon");
    expect((await promiseOf(o.disputePath)).disputeMon).toContain("`ecp:disputeMonEnabled` is false");
  });

  it("a prestate set after deploy goes on chain through day 2 before the challenger starts", async () => {
    // The chain was deployed with op-deployer's standard prestate; the config now names the chain's own.
    const { recorded: r, outputs: o } = await build({}, { deployedPrestate: STANDARD_ABSOLUTE_PRESTATE });
    const step = byName(r, "day2-l1");
    expect(step.type).toBe("command:local:Command");
    const env = reveal(step.inputs["environment"]) as Record<string, string>;
    expect(JSON.parse(env["ECP_DESIRED"]!)).toEqual({ ...{ proposer: TEST_ADDRESSES.proposer, challenger: TEST_ADDRESSES.challenger, batcher: TEST_ADDRESSES.batcher, unsafeBlockSigner: TEST_ADDRESSES.sequencer }, absolutePrestate: TEST_PRESTATE });
    expect(String(step.inputs["create"])).toContain(`; prestate ${TEST_PRESTATE}, proposer ${TEST_ADDRESSES.proposer}, challenger ${TEST_ADDRESSES.challenger}, batcher ${TEST_ADDRESSES.batcher}, signer ${TEST_ADDRESSES.sequencer}`);
    // The deployer key and the L1 URL reach it only as secrets.
    expect(plainText(step.inputs["environment"])).not.toContain(TEST_KEYS.deployer);
    const onChain = await promiseOf(o.onChain);
    expect(onChain.before.absolutePrestate).toBe(STANDARD_ABSOLUTE_PRESTATE);
    expect(onChain.after.absolutePrestate).toBe(TEST_PRESTATE);
    expect(onChain.sent.map((x) => x.call)).toEqual(["DisputeGameFactory.setImplementation"]);
    expect((await promiseOf(o.disputePath)).absolutePrestate).toBe(TEST_PRESTATE);
    expect(r.some((x) => x.name === "op-challenger-container")).toBe(true);
  });

  it("a chain that still runs another prestate after day 2 stops the challenger with the reason", async () => {
    const other = `0x03${"bb".repeat(31)}`;
    const values = { absolutePrestate: other, proposer: TEST_ADDRESSES.proposer, challenger: TEST_ADDRESSES.challenger, batcher: TEST_ADDRESSES.batcher, unsafeBlockSigner: TEST_ADDRESSES.sequencer };
    const r = installMocks({ stdout: { "day2-l1": JSON.stringify({ before: values, after: values, sent: [] }) } });
    const errors = await rejectionsDuring(async () => {
      const { outputs: o } = opStack(testConfig(), { stack: "sepolia", warn: () => undefined });
      await promiseOf(o.l1Addresses);
      await settle(r);
    });
    expect(r.some((x) => x.name === "op-challenger-prestate")).toBe(false);
    expect(r.some((x) => x.name === "op-challenger-container")).toBe(false);
    const mismatch = errors.find((e) => e instanceof PrestateMismatchError) as Error | undefined;
    expect(mismatch?.message).toContain(`\`ecp:prestate.hash\` is ${TEST_PRESTATE}, but the chain's dispute games were deployed with absolute prestate ${other}`);
  });
});

describe("config", () => {
  it("Pulumi.sepolia.yaml loads once the host key, op-deployer checksum and deployer key are set", () => {
    const doc = jsyaml.load(readFileSync(new URL("../Pulumi.sepolia.yaml", import.meta.url), "utf8")) as { config: Record<string, unknown> };
    const raw = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]));
    expect(() => loadConfig(raw)).toThrow(ConfigError);
    try {
      loadConfig(raw);
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        "`ecp:host.hostKey` is required. Run `pulumi config set --path ecp:host.hostKey \"ssh-ed25519 AAAA...\"`.",
        "`ecp:opDeployerSha256` is required. Run `pulumi config set ecp:opDeployerSha256 <sha256 of the linux-amd64 tarball>`.",
        "`ecp:deployerPrivateKey` is required. Run `pulumi config set --secret ecp:deployerPrivateKey` and paste the 0x-prefixed 32-byte hex key when prompted.",
      ]);
    }
    const host = JSON.parse(String(raw["ecp:host"])) as Record<string, unknown>;
    const config = loadConfig({
      ...raw,
      "ecp:host": JSON.stringify({ ...host, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl" }),
      "ecp:opDeployerSha256": "0".repeat(64),
      "ecp:deployerPrivateKey": TEST_KEYS.deployer,
    }, { secretKeys: ["ecp:deployerPrivateKey"] });
    expect(config).toMatchObject({ l2ChainId: 16584, stateDir: "/var/lib/ecp-opstack", host: { user: "ecp-operator" }, proofs: { proposerGameType: 1 } });
  });

  it("refuses a private key stored in plain text, naming the fix", () => {
    expect(() => loadConfig({ ...Object.fromEntries(Object.entries(testConfigRaw())) }, { secretKeys: [] })).toThrow(
      "`ecp:deployerPrivateKey` is stored in plain text. Run `pulumi config set --secret ecp:deployerPrivateKey`",
    );
  });

  it("reads which keys are secret from the Pulumi runtime", () => {
    pulumi.runtime.setAllConfig({ "ecp:deployerPrivateKey": "x", "ecp:l2ChainId": "1" }, ["ecp:deployerPrivateKey"]);
    expect(configSecretKeys(["ecp:deployerPrivateKey", "ecp:l2ChainId"])).toEqual(["ecp:deployerPrivateKey"]);
  });
});

describe("the rail on the new chain", () => {
  const K = [`0x${"a1".repeat(32)}`, `0x${"a2".repeat(32)}`, `0x${"a3".repeat(32)}`] as const;
  const members = K.map((k, i) => ({ name: `w-${i}`, address: privateKeyToAddress(k) }));
  const railCfg = (r: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ "ecp:rail": JSON.stringify({ witnesses: members, smokeTrigger: "7", ...r }), ...extra });
  const relayerKeyOf = (r: Recorded[]) => `0x${createHash("sha256").update(byName(r, "ecp-rail-relayer-key").name).digest("hex")}`;

  it("deploys by address after the L2 is up: the members and quorum, the relayer funded through the portal, no witness key", async () => {
    const { recorded: r, outputs: o } = await build(railCfg(), {});
    const deploy = byName(r, "rail-deploy");
    expect(isSecretValue(deploy.inputs["stdin"])).toBe(true);
    const addresses = await promiseOf(o.l1Addresses);
    const relayer = privateKeyToAddress(relayerKeyOf(r) as `0x${string}`);
    expect(railArgsOf(deploy.inputs)).toEqual([
      "deploy", "--rpc", "http://execution:8545",
      ...members.flatMap((m) => ["--witness", m.address]),
      "--quorum", "2", "--portal", addresses.OptimismPortalProxy, "--fund", relayer,
      "--fund-min", "0.05", "--fund-top-up", "0.25", "--json",
    ]);
    const stdin = String(reveal(deploy.inputs["stdin"]));
    expect(stdin).not.toContain("export ECP_WITNESS_KEYS=");
    for (const k of K) expect(stdin).not.toContain(k.slice(2));
    expect(String(deploy.inputs["create"])).toBe(`bash -s # rail deploy: client ${String(deploy.inputs["create"]).slice(30, 46)}, relayer ${relayer}, witnesses ${members.map((m) => m.address).join(",")}, quorum 2`);
    expect(byName(r, "rail-bundle").inputs["remotePath"]).toBe("/var/lib/ecp-opstack/rail/rail.mjs");
    expect(byName(r, "rail-node-image").inputs["name"]).toBe("docker.io/library/node:22.23.3-bookworm-slim");
    const status = await promiseOf(o.rail);
    expect(status).toMatchObject({
      deployed: true,
      chainId: 16584,
      ledger: MOCK_LEDGER,
      registry: MOCK_LEDGER,
      deployBlock: "1200",
      eip712: { name: "EveryChannelObservationLedger", version: "1", chainId: 16584, verifyingContract: MOCK_LEDGER },
      witnesses: members,
      quorum: 2,
      relayer: { address: relayer, network: "http://rail-relayer:8650", host: "http://127.0.0.1:8650" },
      hostWitness: null,
    });
    expect(status.deployed && status.relayer.tunnel).toContain("8650:127.0.0.1:8650");
  });

  it("runs the relayer as a service, and ecp-forge's own witness only with its key: flags, mounts, ports, secrets", async () => {
    const without = containers((await build(railCfg(), {})).recorded);
    expect(without.has("rail-relayer")).toBe(true);
    expect(without.has("rail-witness")).toBe(false);
    const far = "http://10.0.0.44:8650";
    const { recorded: r, outputs: o } = await build(
      railCfg({ archiveDir: "/srv/archive", witnesses: [...members.slice(0, 2), { ...members[2], relayer: far }] }, {
        "ecp:railWitnessKey": K[0],
        "ecp:host": JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY, privateAddress: "10.0.0.10" }),
      }),
      {},
    );
    const c = containers(r);
    const relayer = c.get("rail-relayer")!;
    expect(reveal(relayer["entrypoints"])).toEqual(["node"]);
    expect(reveal(relayer["command"])).toEqual(["/rail/rail.mjs", "relayer", "--rpc", "http://execution:8545", "--ledger", MOCK_LEDGER, "--from-block", "1200", "--listen", "0.0.0.0:8650"]);
    expect(reveal(relayer["ports"])).toEqual([
      { internal: 8650, external: 8650, ip: "127.0.0.1", protocol: "tcp" },
      { internal: 8650, external: 8650, ip: "10.0.0.10", protocol: "tcp" },
    ]);
    expect(reveal(relayer["volumes"])).toEqual([{ hostPath: "/var/lib/ecp-opstack/rail/rail.mjs", containerPath: "/rail/rail.mjs", readOnly: true }]);
    expect(envOf(relayer)).toEqual({ ECP_RELAYER_KEY: relayerKeyOf(r) });
    expect(isSecretValue(relayer["envs"])).toBe(true);
    expect(reveal(relayer["restart"])).toBe("unless-stopped");
    expect(reveal(relayer["memory"])).toBe(1024);
    expect(reveal(relayer["logDriver"])).toBe("json-file");
    expect((reveal(relayer["healthcheck"]) as { tests: string[] }).tests.join(" ")).toContain("http://127.0.0.1:8650/healthz");
    const witness = c.get("rail-witness")!;
    expect(reveal(witness["command"])).toEqual([
      "/rail/rail.mjs", "witness", "--rpc", "http://execution:8545", "--ledger", MOCK_LEDGER, "--from-block", "1200", "--archive", "/archive", "--state-dir", "/state",
      "--relayer", "http://rail-relayer:8650", "--relayer", far, "--mode", "relayed", "--listen", "0.0.0.0:8651",
    ]);
    expect(reveal(witness["volumes"])).toEqual([
      { hostPath: "/var/lib/ecp-opstack/rail/rail.mjs", containerPath: "/rail/rail.mjs", readOnly: true },
      { hostPath: "/srv/archive", containerPath: "/archive", readOnly: true },
      { hostPath: "/var/lib/ecp-opstack/rail-witness", containerPath: "/state", readOnly: false },
    ]);
    expect(reveal(witness["ports"])).toEqual([]);
    expect(envOf(witness)).toEqual({ ECP_WITNESS_KEY: K[0] });
    expect(isSecretValue(witness["envs"])).toBe(true);
    expect(reveal(witness["memory"])).toBe(768);
    const status = await promiseOf(o.rail);
    expect(status).toMatchObject({ hostWitness: members[0]!.address, relayer: { private: "http://10.0.0.10:8650" } });
    // Prometheus scrapes both on the stack's network.
    const targets = scrapeTargets(testConfig(railCfg()), { challenger: false, disputeMon: false, railRelayer: true, railWitness: true });
    expect(targets.railRelayer).toEqual(["rail-relayer:8650"]);
    expect(targets.railWitness).toEqual(["rail-witness:8651"]);
  });

  it("smokes the witness network with throwaway keys it generates, against a ledger of its own, on the fixture or the configured archive", async () => {
    const a = await build(railCfg(), {});
    const run = byName(a.recorded, "rail-smoke-run");
    expect(railArgsOf(run.inputs)).toEqual(["smoke-network", "--rpc", "http://execution:8545", "--archive", "/archive/in", "--witnesses", "3", "--mode", "relayed", "--limit", "30", "--json"]);
    const stdin = String(reveal(run.inputs["stdin"]));
    expect(isSecretValue(run.inputs["stdin"])).toBe(true);
    const smokeKeys = a.recorded.filter((x) => x.type === "random:index/randomBytes:RandomBytes" && x.name.startsWith("rail-smoke-")).map((x) => `0x${createHash("sha256").update(x.name).digest("hex")}`);
    expect(smokeKeys).toHaveLength(4);
    expect(stdin).toContain(`export ECP_WITNESS_KEYS='${smokeKeys.slice(0, 3).join(",")}'`);
    expect(stdin).toContain(`export ECP_RELAYER_KEY='${smokeKeys[3]}'`);
    // Never a member: the throwaway witnesses are not in the real ledger's set.
    const deployArgv = railArgsOf(byName(a.recorded, "rail-deploy").inputs);
    for (const k of smokeKeys) expect(deployArgv).not.toContain(privateKeyToAddress(k as `0x${string}`));
    // No archive configured: the bundled fixture, copied next to the client.
    expect(byName(a.recorded, "rail-smoke-fixture").inputs["remotePath"]).toBe("/var/lib/ecp-opstack/rail/fixture.jsonl");
    expect(stdin).toContain("export ARCHIVE_PATH='/var/lib/ecp-opstack/rail/fixture.jsonl'");
    const status = await promiseOf(a.outputs.rail);
    expect(status.deployed && status.smoke).toEqual({ ok: true, ledger: "0x00000000000000000000000000000000000000Cc", witnesses: 3, quorum: 2, expected: 30, finalized: 30, seconds: 21, streams: [{ stream: "atsc/KTVU/2.1", finalized: 10, pending: 0, headSequence: "9" }] });
    const b = await build(railCfg({ archiveDir: "/srv/archive", smokeTrigger: "8", smokeWitnesses: 5 }), {});
    expect(b.recorded.some((x) => x.name === "rail-smoke-fixture")).toBe(false);
    expect(String(reveal(byName(b.recorded, "rail-smoke-run").inputs["stdin"]))).toContain("export ARCHIVE_PATH='/srv/archive'");
    expect(byName(b.recorded, "rail-smoke-run").inputs["create"]).toContain("trigger 8");
    expect(railArgsOf(byName(b.recorded, "rail-smoke-run").inputs)).toContain("5");
    expect(byName(b.recorded, "rail-deploy").inputs["create"]).toBe(byName(a.recorded, "rail-deploy").inputs["create"]);
  });

  it("a failed smoke fails the step with its reason", async () => {
    const errors = await rejectionsDuring(async () => {
      await build(railCfg(), { stdout: { "rail-smoke-run": "not json" } });
    });
    expect(errors.map(String).join("\n")).toContain("the rail client's smoke-network printed no JSON summary");
  });

  it("without witnesses: no rail, and the output says how to add them", async () => {
    const { recorded: r, outputs: o } = await build();
    expect(r.some((x) => x.name.startsWith("rail"))).toBe(false);
    expect(await promiseOf(o.rail)).toEqual({ deployed: false, reason: expect.stringContaining("`ecp:rail.witnesses` is empty") as unknown });
  });
});

describe("the witness set on day 2 (state carried between runs)", () => {
  const K = [1, 2, 3, 4].map((i) => `0x${String(i).repeat(2).padStart(64, "e")}` as const);
  const m = K.map((k, i) => ({ name: `w-${i}`, address: privateKeyToAddress(k) }));
  const cfg = (witnesses: typeof m, quorum?: number) => ({ "ecp:rail": JSON.stringify({ witnesses, ...(quorum === undefined ? {} : { quorum }) }) });
  const shape = (r: Recorded[]) => r.map((x) => `${x.type} ${x.name}`).sort();

  it("adds, removes and re-quorums in place: the deploy step runs again as an update, the ledger keeps its address", async () => {
    const chain: MockChain = {};
    const first = await build(cfg(m.slice(0, 3)), chain);
    expect(chain.ledgerMembers).toEqual({ witnesses: m.slice(0, 3).map((w) => w.address), quorum: 2, deploys: 1 });
    const steps: [string, typeof m, number | undefined, { witnesses: string[]; quorum: number }][] = [
      ["add a witness", m, undefined, { witnesses: m.map((w) => w.address), quorum: 3 }],
      ["remove a witness", [m[0]!, m[1]!, m[3]!], undefined, { witnesses: [m[0]!, m[1]!, m[3]!].map((w) => w.address), quorum: 2 }],
      ["change the quorum", [m[0]!, m[1]!, m[3]!], 3, { witnesses: [m[0]!, m[1]!, m[3]!].map((w) => w.address), quorum: 3 }],
    ];
    let previous = first;
    for (const [what, witnesses, quorum, want] of steps) {
      const next = await build(cfg(witnesses, quorum), chain);
      // Same resources (no new ledger, nothing replaced by name or type); the step's command changed, so
      // Pulumi runs it again as an update, which reconciles on chain.
      expect(shape(next.recorded), what).toEqual(shape(previous.recorded));
      const deploy = byName(next.recorded, "rail-deploy");
      expect(deploy.inputs["create"], what).not.toEqual(byName(previous.recorded, "rail-deploy").inputs["create"]);
      expect(deploy.inputs["triggers"], what).toBeUndefined();
      expect(chain.ledgerMembers, what).toMatchObject(want);
      const status = await promiseOf(next.outputs.rail);
      expect(status, what).toMatchObject({ deployed: true, ledger: MOCK_LEDGER, quorum: want.quorum });
      expect(status.deployed && status.witnesses.map((w) => w.address), what).toEqual(want.witnesses);
      // The relayer's and smoke's generated keys stay the same: nothing else changes.
      expect(byName(next.recorded, "rail-relayer-container").inputs["envs"]).toEqual(byName(previous.recorded, "rail-relayer-container").inputs["envs"]);
      previous = next;
    }
    expect(chain.ledgerMembers?.deploys).toBe(4);
  });

  it("refuses an unreachable quorum or a minority before anything is planned, naming the key and the fix", async () => {
    await expect(build(cfg(m.slice(0, 3), 4), {})).rejects.toThrow("`ecp:rail.quorum` 4 is out of reach with 3 witnesses; choose from 2 to 3. Run `pulumi config set --path ecp:rail.quorum 2`.");
    await expect(build(cfg(m, 2), {})).rejects.toThrow("`ecp:rail.quorum` 2 is not a strict majority of 4 witnesses");
  });
});

describe("data on the host", () => {
  it("keeps the state directories on destroy unless ecp:destroyRemovesState, and never deletes state.json", async () => {
    const kept = byName((await build()).recorded, "ecp-state-dirs");
    expect(kept.inputs["delete"]).toBeUndefined();
    expect(String(kept.inputs["stdin"])).toContain("export DIRS='bin 0750\nconfig 0750\ndeployer 0750\nmonitoring/alertmanager 0750\nmonitoring/config 0750\nmonitoring/grafana 0750\nmonitoring/prometheus 0750\nop-challenger 0750\nop-geth 0750\nop-node 0750\nop-reth 0750\nprestates 0750\nrail 0750\nrail-witness 0750\nsecrets 0700'");
    const removed = byName((await build({ "ecp:destroyRemovesState": "true" })).recorded, "ecp-state-dirs");
    const del = String(removed.inputs["delete"]);
    expect(del).toMatch(/^bash -c '/);
    expect(del).toContain('mv "$dir" "$dir.destroyed-');
    expect(del).toContain("export CLEANUP_IMAGE='\\''docker.io/library/node:22.23.3-bookworm-slim'\\''");
  });

  it("mounts each service's data from the state directory, so it survives container replacement", async () => {
    const c = containers((await build()).recorded);
    expect(reveal(c.get("op-reth")?.["volumes"])).toContainEqual({ hostPath: "/var/lib/ecp-opstack/op-reth", containerPath: "/data", readOnly: false });
    expect(reveal(c.get("op-node")?.["volumes"])).toContainEqual({ hostPath: "/var/lib/ecp-opstack/secrets/jwt.txt", containerPath: "/secrets/jwt.txt", readOnly: true });
    expect(reveal(c.get("op-challenger")?.["volumes"])).toContainEqual({ hostPath: "/var/lib/ecp-opstack/prestates", containerPath: "/prestates", readOnly: true });
  });
});

describe("idempotency", () => {
  it("the same config gives identical resource inputs", async () => {
    const withRail = { "ecp:rail": JSON.stringify({ witnesses: [1, 2, 3].map((i) => ({ name: `w-${i}`, address: privateKeyToAddress(`0x${String(i).repeat(64)}`) })), archiveDir: "/srv/a" }), "ecp:railWitnessKey": `0x${"1".repeat(64)}` };
    const a = await build(withRail);
    const b = await build(withRail);
    expect(a.recorded.some((x) => x.name === "rail-deploy")).toBe(true);
    const view = (r: Recorded[]) => r.map((x) => JSON.stringify([x.type, x.name, reveal(x.inputs)])).sort();
    expect(view(b.recorded)).toEqual(view(a.recorded));
  });
});

function testConfigRaw(): Record<string, unknown> {
  return {
    "ecp:host": JSON.stringify({ user: "deploy", hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl" }),
    "ecp:opDeployerSha256": "0".repeat(64),
    "ecp:deployerPrivateKey": TEST_KEYS.deployer,
  };
}

/**
 * Day 2 under mocks, with state carried between runs: run A is the deployed stack; run B is the next
 * `pulumi up` after a config change, seeing the same deployment (op-deployer's apply never re-runs after it
 * succeeded, so inspect reports what A deployed). Each resource of B is compared with A the way Pulumi
 * diffs: created, deleted, or changed inputs (for containers and images, a replacement), leaving out what a
 * resource ignores (`ignoreChanges`).
 */
describe("day 2: the next up after a config change", () => {
  type Diff = { created: string[]; deleted: string[]; changed: string[] };
  const key = (x: Recorded) => `${x.type} ${x.name}`;
  function diff(a: Recorded[], b: Recorded[], ignore: Record<string, readonly string[]>): Diff {
    const before = new Map(a.map((x) => [key(x), x]));
    const after = new Map(b.map((x) => [key(x), x]));
    const inputs = (x: Recorded) => {
      const v = reveal(x.inputs) as Record<string, unknown>;
      // A dotted path ignores one key of an object input (Pulumi's PropertyPath), e.g. environment.X.
      for (const p of ignore[x.name] ?? []) {
        const [head, ...rest] = p.split(".");
        const o = rest.length === 0 ? v : (v[head!] as Record<string, unknown> | undefined);
        if (o !== undefined) delete o[rest.length === 0 ? head! : rest.join(".")];
      }
      return JSON.stringify(v);
    };
    return {
      created: [...after.keys()].filter((k) => !before.has(k)).map((k) => after.get(k)!.name).sort(),
      deleted: [...before.keys()].filter((k) => !after.has(k)).map((k) => before.get(k)!.name).sort(),
      changed: [...after.entries()].filter(([k, x]) => before.has(k) && inputs(before.get(k)!) !== inputs(x)).map(([, x]) => x.name).sort(),
    };
  }

  async function nextUp(change: Record<string, unknown>, base: Record<string, unknown> = {}, now?: number) {
    const a = await build(base, {}, now);
    expect(String(byName(a.recorded, "op-deployer-inspect").inputs["create"])).toContain("state.json sha256");
    const b = await build({ ...base, ...change }, {}, now);
    return {
      diff: diff(a.recorded, b.recorded, {
        "op-deployer-apply": b.parts.deployer.applyIgnoreChanges,
        "op-deployer-deploy-send": b.parts.deployer.deploySendIgnoreChanges,
      }),
      outputs: b.outputs,
    };
  }

  it("apply never re-runs after it succeeded: it ignores changes to its intent", async () => {
    expect((await build()).parts.deployer.applyIgnoreChanges).toEqual(["create", "stdin"]);
  });

  it("the deploy's fee limits or the prestate's program changed after the deploy: the sender does not run again, nothing else changes", async () => {
    const { diff: d } = await nextUp({ "ecp:l1RpcTxFeeCap": "5 ETH", "ecp:deployMaxFeeGwei": "30" });
    expect(d).toEqual({ created: [], deleted: [], changed: [] });
    // The prestate's program only feeds the fork gate: naming another one changes no resource either.
    const program = JSON.stringify({ hash: TEST_PRESTATE, path: "/var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz", program: "op-program/v1.8.0" });
    expect((await nextUp({ "ecp:prestate": program })).diff).toEqual({ created: [], deleted: [], changed: [] });
    expect((await build()).parts.deployer.deploySendIgnoreChanges).toEqual(["environment.ECP_RPC_TX_FEE_CAP_WEI", "environment.ECP_DEPLOY_MAX_FEE_WEI"]);
  });

  it("a rotated batcher key: the batcher is replaced, day 2 sets it on SystemConfig; nothing else restarts", async () => {
    const { diff: d } = await nextUp({ "ecp:batcherPrivateKey": `0x${"5b".repeat(32)}` });
    // The calldata step re-runs on the new intent and finds the chain deployed; the sender stays as it was.
    expect(d).toEqual({ created: [], deleted: [], changed: ["day2-l1", "op-batcher-container", "op-deployer-calldata", "op-deployer-preflight-l1"] });
  });

  it("a prestate set after deploy: day 2 puts it on chain, op-challenger and op-dispute-mon are created; nothing restarts", async () => {
    const prestate = JSON.stringify({ hash: TEST_PRESTATE, path: "/var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz" });
    const { diff: d } = await nextUp({ "ecp:prestate": prestate }, { "ecp:prestate": undefined });
    expect(d.deleted).toEqual([]);
    // Prometheus now scrapes the two new services: its config is rewritten and only its container replaced.
    expect(d.changed).toEqual(["day2-l1", "monitoring-files", "op-deployer-calldata", "op-deployer-preflight-l1", "prometheus-container"]);
    expect(d.created).toEqual([
      "op-challenger",
      "op-challenger-container",
      "op-challenger-healthy",
      "op-challenger-image",
      "op-challenger-prestate",
      "op-dispute-mon",
      "op-dispute-mon-container",
      "op-dispute-mon-healthy",
      "op-dispute-mon-image",
    ]);
  });

  it("an image tag bumped: that image and its container are replaced, preflight re-checks the pins", async () => {
    const { diff: d } = await nextUp({ "ecp:images": JSON.stringify({ opBatcher: { tag: "v1.17.1" } }) });
    expect(d).toEqual({ created: [], deleted: [], changed: ["op-batcher-container", "op-batcher-image", "op-deployer-preflight-l1"] });
  });

  it("an image tag below a fork's minimum is refused before anything runs, with the message", async () => {
    await build();
    installMocks({});
    expect(() => opStack(testConfig({ "ecp:images": JSON.stringify({ opBatcher: { tag: "v1.16.12" } }) }), { stack: "sepolia", warn: () => undefined })).toThrow(
      /op-batcher v1\.16\.12 \(`ecp:images\.opBatcher\.tag`\) is below v1\.17\.0, the minimum for Sepolia's Glamsterdam fork/,
    );
  });

  it("the execution client switched (before Glamsterdam): op-geth replaces op-reth; op-node follows with its engine kind; the rest stays", async () => {
    const { diff: d } = await nextUp({ "ecp:executionClient": "op-geth" }, {}, Date.parse("2026-08-01T00:00:00Z"));
    expect(d.created).toEqual(["op-geth", "op-geth-container", "op-geth-image", "op-geth-init"]);
    expect(d.deleted).toEqual(["op-reth", "op-reth-container", "op-reth-healthy", "op-reth-image", "op-reth-init"]);
    // Prometheus follows: the execution client's job has another metrics path and client label.
    expect(d.changed).toEqual(["monitoring-files", "op-deployer-preflight-l1", "op-node-container", "prometheus-container"]);
  });

  it("a service setting changed (op-node's P2P port): only op-node is replaced", async () => {
    const { diff: d } = await nextUp({ "ecp:p2p": JSON.stringify({ opNodePort: 9322 }) });
    expect(d).toEqual({ created: [], deleted: [], changed: ["op-node-container"] });
  });

  it("an alert threshold changed: the rules are rewritten and only Prometheus is replaced", async () => {
    const { diff: d } = await nextUp({ "ecp:monitoring": JSON.stringify({ thresholds: { minBalanceEth: 0.25 } }) });
    expect(d).toEqual({ created: [], deleted: [], changed: ["monitoring-files", "prometheus-container"] });
  });

  it("an alert webhook added: its secret file is written, Alertmanager posts to it and is replaced; Prometheus and Grafana stay", async () => {
    const { diff: d } = await nextUp({ "ecp:alertWebhookUrl": "https://hooks.example/T0/secret-token" });
    expect(d).toEqual({ created: ["monitoring-alert-webhook"], deleted: [], changed: ["alertmanager-container", "monitoring-files"] });
  });

  it("a rotated deployer key is refused: it owns the chain, and nothing here transfers that", async () => {
    // Every role has its own key, so only the owners and fee vaults follow the deployer.
    const roles = {
      "ecp:batcherPrivateKey": TEST_KEYS.batcher,
      "ecp:proposerPrivateKey": TEST_KEYS.proposer,
      "ecp:challengerPrivateKey": TEST_KEYS.challenger,
      "ecp:sequencerPrivateKey": TEST_KEYS.sequencer,
    };
    await build(roles);
    const r = installMocks({});
    const errors = await rejectionsDuring(async () => {
      const { outputs: o } = opStack(testConfig({ ...roles, "ecp:deployerPrivateKey": `0x${"6d".repeat(32)}` }), { stack: "sepolia", warn: () => undefined });
      await promiseOf(o.l1Addresses);
      await settle(r);
    });
    const drift = errors.find((e) => e instanceof Error && e.name === "IntentDriftError") as Error | undefined;
    expect(drift?.message).toContain(`the chain was deployed with roles.l1ProxyAdminOwner ${TEST_ADDRESSES.deployer.toLowerCase()}, the config now gives`);
    expect(drift?.message).toContain("restore the previous deployer key, or deploy a new chain");
    // Nothing after the check ran: no day-2 step, no chain service (monitoring does not wait for the chain).
    expect(r.some((x) => x.name === "day2-l1")).toBe(false);
    expect(r.filter((x) => x.type === CONTAINER).map((x) => String(reveal(x.inputs["name"]))).sort()).toEqual(["alertmanager", "grafana", "prometheus"]);
  });
});

describe("previews from elsewhere (a PR's CI)", () => {
  async function preview(overrides: Record<string, unknown>, probe: (address: string, port: number) => Promise<void>) {
    const r = installMocks({}, true);
    const asked: string[] = [];
    const errors = await rejectionsDuring(async () => {
      opStack(testConfig(overrides), { stack: "sepolia", warn: () => undefined, probeHost: (a, p) => (asked.push(`${a}:${p}`), probe(a, p)) });
      await settle(r);
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    return { recorded: r, errors, asked };
  }

  it("stops with what to set when the host does not answer, instead of the Docker provider's error", async () => {
    const { errors, asked } = await preview({}, () => Promise.reject(new Error("ETIMEDOUT")));
    expect(asked).toEqual(["ecp-forge:22"]);
    const e = errors.find((x) => x instanceof Error && x.message.includes("does not answer")) as Error | undefined;
    // Pulumi prefixes the property it was resolving; the rest is ours.
    expect(e?.message).toContain(
      "`ecp:host` (ecp-forge:22) does not answer from this machine (ETIMEDOUT). A preview reaches ecp-forge over SSH like an update: from a network without a route to it (a CI runner), set a bastion that can reach it: `pulumi config set --path ecp:host.jump user@bastion:22` and `ecp:host.jumpHostKey`.",
    );
  });

  it("checks each verifier peer too, naming its config entry when it does not answer", async () => {
    const { errors, asked } = await preview({ "ecp:peers": JSON.stringify(TEST_PEERS) }, (a) => (a === "rpc-1.example.org" ? Promise.reject(new Error("ECONNREFUSED")) : Promise.resolve()));
    expect(asked.sort()).toEqual(["203.0.113.21:22", "ecp-forge:22", "rpc-1.example.org:2222"]);
    const e = errors.filter((x) => x instanceof Error && x.message.includes("does not answer")) as Error[];
    // Every resource on that provider reports it; the message is one.
    expect([...new Set(e.map((x) => x.message.slice(x.message.indexOf("`ecp:"))))]).toEqual([
      "`ecp:peers[1]` (rpc-1.example.org:2222) does not answer from this machine (ECONNREFUSED). A preview reaches rpc-1.example.org over SSH like an update: from a network without a route to it (a CI runner), set a bastion that can reach it: `pulumi config set --path 'ecp:peers[1].jump' user@bastion:22` and `ecp:peers[1].jumpHostKey`.",
    ]);
  });

  it("goes through the configured bastion: it is the hop checked, and both providers use it", async () => {
    const jump = { "ecp:host": JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY, jump: "ci@bastion.example.org:2200", jumpHostKey: TEST_HOST_KEY }) };
    const { recorded: r, errors, asked } = await preview(jump, () => Promise.resolve());
    expect(asked).toEqual(["bastion.example.org:2200"]);
    expect(errors).toEqual([]);
    const provider = byName(r, "ecp-forge-docker");
    const raw = reveal(provider.inputs["sshOpts"]);
    const sshOpts = (typeof raw === "string" ? JSON.parse(raw) : raw) as string[];
    expect(sshOpts.find((o) => o.startsWith("ProxyCommand="))).toContain("-p 2200 -W %h:%p ci@bastion.example.org");
    const step = r.find((x) => x.type === REMOTE)!;
    expect(reveal(step.inputs["connection"])).toMatchObject({ host: "ecp-forge", proxy: { host: "bastion.example.org", port: 2200, user: "ci" } });
  });
});

describe("backups", () => {
  it("after inspect, copies state.json, the intent and the chain config to ecp:backupDir, again whenever they change", async () => {
    const { recorded: r } = await build({ "ecp:backupDir": "/mnt/backup/ecp" });
    const step = byName(r, "op-deployer-backup");
    expect(String(step.inputs["create"])).toMatch(/^bash -s # back up state\.json sha256 [0-9a-f]{64}, genesis\.json sha256 [0-9a-f]{64}, rollup\.json sha256 [0-9a-f]{64} to \/mnt\/backup\/ecp$/);
    const stdin = String(reveal(step.inputs["stdin"]));
    expect(stdin).toContain("export BACKUP_DIR='/mnt/backup/ecp'");
    expect(stdin).toContain("export WORKDIR='/var/lib/ecp-opstack/deployer'");
    // No secret goes into a backup step.
    expect(stdin).not.toContain(TEST_KEYS.deployer.slice(2));
  });
});

describe("no hot keys: remote signers", () => {
  it("batcher, proposer and challenger sign remotely: no key for them anywhere, their addresses are the signers'", async () => {
    const signer = (n: string) => ({ endpoint: "https://signer.internal:8080", address: `0x00000000000000000000000000000000000000${n}`, tlsCa: "/etc/ecp/signer/ca.crt", tlsCert: "/etc/ecp/signer/tls.crt", tlsKey: "/etc/ecp/signer/tls.key" });
    const overrides = {
      "ecp:signers": JSON.stringify({ batcher: signer("b1"), proposer: signer("b2"), challenger: signer("b3") }),
      "ecp:batcherPrivateKey": undefined,
      "ecp:proposerPrivateKey": undefined,
      "ecp:challengerPrivateKey": undefined,
    };
    const { recorded: r, outputs: o } = await build(overrides);
    const c = containers(r);
    expect(Object.keys(envOf(c.get("op-batcher")!))).not.toContain("OP_BATCHER_PRIVATE_KEY");
    expect(Object.keys(envOf(c.get("op-proposer")!))).not.toContain("OP_PROPOSER_PRIVATE_KEY");
    expect(Object.keys(envOf(c.get("op-challenger")!))).not.toContain("OP_CHALLENGER_PRIVATE_KEY");
    expect(reveal(c.get("op-proposer")?.["command"])).toContain("--signer.address=0x00000000000000000000000000000000000000b2");
    const lower = (x: Record<string, string>) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v.toLowerCase()]));
    expect(lower(o.roles as unknown as Record<string, string>)).toMatchObject({ batcher: `0x${"0".repeat(38)}b1`, proposer: `0x${"0".repeat(38)}b2`, challenger: `0x${"0".repeat(38)}b3` });
    // Day 2 and the intent use the signers' addresses.
    const desired = JSON.parse((reveal(byName(r, "day2-l1").inputs["environment"]) as Record<string, string>)["ECP_DESIRED"]!) as Record<string, string>;
    expect(lower(desired)).toMatchObject({ batcher: `0x${"0".repeat(38)}b1`, proposer: `0x${"0".repeat(38)}b2` });
    // The deployer key is the only key left besides the sequencer's; no role key reaches any resource.
    for (const x of r) expect(JSON.stringify(reveal(x.inputs)), x.name).not.toContain(TEST_KEYS.batcher.slice(2));
  });
});

describe("op-node's peer identity", () => {
  it("is the stack's key: a secret env value, and its peer id and multiaddr are plain outputs a verifier pins", async () => {
    const { outputs: o } = await build({ "ecp:p2p": JSON.stringify({ advertiseIp: "203.0.113.10" }) });
    const peer = await promiseOf(o.sequencerPeer);
    expect(await pulumi.isSecret(o.sequencerPeer)).toBe(false);
    expect(peer.peerId).toBe(libp2pPeerId(`0x${MOCK_JWT_HEX}`));
    expect(peer.multiaddr).toBe(`/ip4/203.0.113.10/tcp/9222/p2p/${peer.peerId}`);
    // What a verifier's config accepts.
    expect(loadConfig(minimalRawConfig({ "ecp:p2p": JSON.stringify({ staticPeers: [peer.multiaddr] }) })).p2p.staticPeers).toEqual([peer.multiaddr]);
  });
});

describe("verifier peers (ecp:peers)", () => {
  const PEERS = { "ecp:peers": JSON.stringify(TEST_PEERS) };
  const LOCAL = "command:local:Command";
  const peerResources = (r: Recorded[], peer: string) => r.filter((x) => x.name.startsWith(`peer-${peer}-`) || x.name === `peer-${peer}`);

  it("each peer is its own host: its Docker provider and SSH connection, with its pinned key, port and state", async () => {
    const { recorded: r } = await build(PEERS);
    for (const [i, name] of ["verifier-1", "rpc-1"].entries()) {
      const p = TEST_PEERS[i]!;
      const port = "port" in p ? p.port : 22;
      const provider = byName(r, `peer-${name}-docker`);
      expect(provider.inputs["host"]).toBe(`ssh://deploy@${p.address}:${port}`);
      const raw = reveal(provider.inputs["sshOpts"]);
      const sshOpts = (typeof raw === "string" ? JSON.parse(raw) : raw) as string[];
      expect(sshOpts.find((o) => o.startsWith("KnownHostsCommand="))).toContain(p.hostKey);
      const own = peerResources(r, name);
      for (const x of own.filter((y) => y.type.startsWith("docker:index/"))) expect(x.provider, x.name).toMatch(new RegExp(`pulumi:providers:docker::peer-${name}-docker::`));
      for (const x of own.filter((y) => y.type === REMOTE)) expect(reveal(x.inputs["connection"]), x.name).toMatchObject({ host: p.address, port, hostKey: p.hostKey });
      // Only what a verifier needs: the execution client and op-node, each with its image.
      expect(own.filter((x) => x.type === CONTAINER).map((x) => x.name).sort()).toEqual([`peer-${name}-op-node-container`, `peer-${name}-op-reth-container`]);
      const jwt = byName(r, `peer-${name}-state-jwt`);
    expect(isSecretValue(jwt.inputs["stdin"]), `${name}'s JWT file`).toBe(true);
    const dirs = String(reveal(byName(r, `peer-${name}-state-dirs`).inputs["stdin"]));
      expect(/export DIRS='([^']*)'/.exec(dirs)![1]!.split("\n")).toEqual(["config 0750", "op-geth 0750", "op-node 0750", "op-reth 0750", "secrets 0700"]);
    }
    // The sequencer's resources stay on ecp-forge's providers.
    for (const x of r.filter((y) => y.type.startsWith("docker:index/") && !y.name.startsWith("peer-"))) expect(x.provider, x.name).toMatch(/::ecp-forge-docker::/);
  });

  it("runs op-node as a verifier of the sequencer: its multiaddr as static peer, its own p2p key, no sequencer key", async () => {
    const { recorded: r, outputs: o } = await build(PEERS);
    const sequencer = await promiseOf(o.sequencerPeer);
    const node = byName(r, "peer-verifier-1-op-node-container");
    const command = reveal(node.inputs["command"]) as string[];
    expect(command).toContain("--sequencer.enabled=false");
    expect(command).toContain(`--p2p.static=${sequencer.multiaddr}`);
    expect(Object.keys(envOf(node.inputs)).sort()).toEqual(["OP_NODE_L1_BEACON", "OP_NODE_L1_ETH_RPC", "OP_NODE_P2P_PRIV_RAW"]);
    expect(isSecretValue(node.inputs["envs"])).toBe(true);
    const peers = await promiseOf(o.peers);
    expect(Object.keys(peers)).toEqual(["verifier-1", "rpc-1"]);
    expect(await pulumi.isSecret(o.peers)).toBe(false);
    // Each host its own identity, and the output is what op-node derives from the key it is given.
    expect(peers["verifier-1"]!.peerId).toBe(libp2pPeerId(`0x${envOf(node.inputs)["OP_NODE_P2P_PRIV_RAW"]}`));
    expect(new Set([sequencer.peerId, peers["verifier-1"]!.peerId, peers["rpc-1"]!.peerId]).size).toBe(3);
    expect(peers["rpc-1"]!.multiaddr).toBe(`/ip4/203.0.113.22/tcp/9222/p2p/${peers["rpc-1"]!.peerId}`);
    expect(peers["verifier-1"]!.multiaddr).toBe(`/ip4/203.0.113.21/tcp/9222/p2p/${peers["verifier-1"]!.peerId}`);
    for (const x of r.filter((y) => y.name.startsWith("peer-") && y.type === CONTAINER)) {
      expect(reveal(x.inputs["labels"]), x.name).toContainEqual({ label: "org.every-channel.role", value: "verifier" });
    }
    // ecp-forge's containers keep the labels they had before peers existed: no replacement on the first up after.
    for (const x of r.filter((y) => !y.name.startsWith("peer-") && y.type === CONTAINER)) {
      expect((reveal(x.inputs["labels"]) as { label: string }[]).map((l) => l.label).sort(), x.name).toEqual([
        "org.every-channel.chain-config",
        "org.every-channel.service",
        "org.every-channel.stack",
      ]);
    }
  });

  it("carries genesis.json and rollup.json from ecp-forge before the peer's execution client is initialised", async () => {
    const { recorded: r, outputs: o } = await build(PEERS);
    const sums = { genesis: await promiseOf(o.genesisSha256), rollup: await promiseOf(o.rollupSha256) };
    const carry = byName(r, "peer-rpc-1-chain-config");
    expect(carry.type).toBe(LOCAL);
    expect(reveal(carry.inputs["create"])).toBe(
      `node_modules/.bin/tsx scripts/op-stack/carry-chain-config.ts # ecp-forge -> rpc-1: genesis.json sha256 ${sums.genesis}, rollup.json sha256 ${sums.rollup}`,
    );
    const plan = JSON.parse(String(reveal((carry.inputs["environment"] as Record<string, unknown>)["ECP_CARRY"])));
    expect(plan.from).toMatchObject({ destination: "deploy@ecp-forge", dir: "/var/lib/ecp-opstack/config" });
    expect(plan.to).toMatchObject({ destination: "deploy@rpc-1.example.org", dir: "/var/lib/ecp-opstack/config" });
    expect(plan.to.options).toContain("2222");
    expect(plan.files).toEqual([{ name: "genesis.json", sha256: sums.genesis }, { name: "rollup.json", sha256: sums.rollup }]);
    expect(String(reveal(byName(r, "peer-rpc-1-op-reth-init").inputs["stdin"]))).toContain(`export GENESIS_SHA256='${sums.genesis}'`);
  });

  it("publishes the L2 RPC only on the peer configured for it, and metrics only on peers' private addresses, which Prometheus scrapes", async () => {
    const { recorded: r, outputs: o } = await build(PEERS);
    const ports = (name: string) => reveal(byName(r, name).inputs["ports"]) as { internal: number; external: number; ip: string }[];
    expect(ports("peer-rpc-1-op-reth-container")).toContainEqual({ internal: 8545, external: 8545, ip: "0.0.0.0", protocol: "tcp" });
    expect(ports("peer-verifier-1-op-reth-container")).toContainEqual({ internal: 8545, external: 8545, ip: "127.0.0.1", protocol: "tcp" });
    expect(ports("op-reth-container")).toContainEqual({ internal: 8545, external: 8545, ip: "127.0.0.1", protocol: "tcp" });
    expect(ports("peer-verifier-1-op-node-container")).toContainEqual({ internal: 7300, external: 7300, ip: "10.0.0.21", protocol: "tcp" });
    expect(reveal(byName(r, "peer-rpc-1-op-reth-container").inputs["command"])).toContain("--http.api=eth,net,web3");
    const peers = await promiseOf(o.peers);
    expect(peers["rpc-1"]!.l2Rpc).toEqual({ public: "http://203.0.113.22:8545", tunnel: "ssh -N -p 2222 -L 8545:127.0.0.1:8545 deploy@rpc-1.example.org" });
    expect(peers["verifier-1"]!.l2Rpc).toEqual({ tunnel: "ssh -N -p 22 -L 8545:127.0.0.1:8545 deploy@203.0.113.21" });
    const stdin = String(reveal(byName(r, "monitoring-files").inputs["stdin"]));
    const prometheusYml = /export FILES='([^']*)'/.exec(stdin)![1]!.split("\n").find((l) => l.startsWith("prometheus/prometheus.yml "))!;
    const yml = jsyaml.load(Buffer.from(prometheusYml.slice(prometheusYml.indexOf(" ") + 1), "base64").toString("utf8")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = (job: string) => yml.scrape_configs.find((c) => c.job_name === job)!.static_configs.flatMap((c) => c.targets);
    expect(targets("op-node")).toEqual(["op-node:7300", "10.0.0.21:7300", "10.0.0.22:7300"]);
    expect(targets("execution-client")).toEqual(["execution:6060", "10.0.0.21:6060", "10.0.0.22:6060"]);
  });

  it("with ecp:host.privateAddress: the sequencer's L2 RPC is also there, and peers without their own URL forward to it", async () => {
    const host = JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY, privateAddress: "10.0.0.10" });
    const { recorded: r, outputs: o } = await build({ ...PEERS, "ecp:host": host });
    // A WebSocket RPC serving eth, net and web3 only, on the private address only; the HTTP RPC stays on loopback.
    const seqPorts = reveal(byName(r, "op-reth-container").inputs["ports"]) as { internal: number; ip: string }[];
    expect(seqPorts).toContainEqual({ internal: 8546, external: 8546, ip: "10.0.0.10", protocol: "tcp" });
    expect(seqPorts.filter((p) => p.internal === 8545).map((p) => p.ip)).toEqual(["127.0.0.1"]);
    expect(reveal(byName(r, "op-reth-container").inputs["command"])).toEqual(expect.arrayContaining(["--ws", "--ws.addr=0.0.0.0", "--ws.port=8546", "--ws.api=eth,net,web3"]));
    expect(o.endpoints["l2Rpc"]!.private).toBe("ws://10.0.0.10:8546");
    expect(reveal(byName(r, "peer-verifier-1-op-reth-container").inputs["command"])).toContain("--rollup.sequencer-http=ws://10.0.0.10:8546");
    // A peer's own URL wins.
    expect(reveal(byName(r, "peer-rpc-1-op-reth-container").inputs["command"])).toContain("--rollup.sequencer-http=http://10.0.0.99:8545");
    // Peers dial the sequencer's op-node on the private address too.
    expect(reveal(byName(r, "peer-rpc-1-op-node-container").inputs["command"])).toEqual(expect.arrayContaining([expect.stringMatching(/^--p2p\.static=\/ip4\/10\.0\.0\.10\/tcp\/9222\/p2p\/16Uiu2/)]));
    const own = await build({ "ecp:peers": JSON.stringify([{ ...TEST_PEERS[1], sequencerHttp: "https://seq.internal:8545" }]), "ecp:host": host });
    expect(reveal(byName(own.recorded, "peer-rpc-1-op-reth-container").inputs["command"])).toContain("--rollup.sequencer-http=https://seq.internal:8545");
  });

  it("removing one peer from ecp:peers deletes its tree only: the sequencer and the other peer stay, Prometheus drops its targets", async () => {
    const a = await build(PEERS);
    const b = await build({ "ecp:peers": JSON.stringify([TEST_PEERS[1]]) });
    const key = (x: Recorded) => `${x.type} ${x.name}`;
    const before = new Map(a.recorded.map((x) => [key(x), JSON.stringify(reveal(x.inputs))]));
    const after = new Map(b.recorded.map((x) => [key(x), JSON.stringify(reveal(x.inputs))]));
    const deleted = [...before.keys()].filter((k) => !after.has(k));
    expect(deleted.length).toBeGreaterThan(10);
    expect(deleted.every((k) => k.includes(" peer-verifier-1"))).toBe(true);
    expect([...after.keys()].filter((k) => !before.has(k))).toEqual([]);
    const changed = [...after.entries()].filter(([k, v]) => before.get(k) !== v).map(([k]) => k.split(" ")[1]);
    expect(changed.sort()).toEqual(["monitoring-files", "prometheus-container"]);
  });

  it("without ecp:peers: no peer resources, an empty output", async () => {
    const { recorded: r, outputs: o } = await build();
    expect(r.filter((x) => x.name.startsWith("peer-"))).toEqual([]);
    expect(await promiseOf(o.peers)).toEqual({});
  });
});

describe("monitoring", () => {
  const MONITORING = ["prometheus", "alertmanager", "grafana"] as const;

  it("runs Prometheus, Alertmanager and Grafana as the operator account, each UI on 127.0.0.1 only, probed from the host", async () => {
    const { recorded: r, outputs: o } = await build();
    const c = containers(r);
    const ports = { prometheus: 9090, alertmanager: 9093, grafana: 3000 };
    for (const name of MONITORING) {
      const inputs = c.get(name)!;
      expect(reveal(inputs["ports"]), name).toEqual([{ internal: ports[name], external: ports[name], ip: "127.0.0.1", protocol: "tcp" }]);
      expect(reveal(inputs["user"]), name).toBe("1000:100");
      expect(inputs["networksAdvanced"], name).toEqual([{ name: "ecp-opstack", aliases: [name] }]);
      expect(String(reveal(byName(r, `${name}-healthy`).inputs["stdin"])), name).toContain(`export URL='http://127.0.0.1:${ports[name]}/`);
    }
    expect(reveal(c.get("prometheus")?.["command"])).toEqual(["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.listen-address=0.0.0.0:9090"]);
    expect(reveal(c.get("alertmanager")?.["command"])).toContain("--cluster.listen-address=");
    const mon = o.monitoring as { enabled: boolean; tunnel: string; grafana: string };
    expect(mon.tunnel).toBe("ssh -N -p 22 -L 3000:127.0.0.1:3000 -L 9090:127.0.0.1:9090 -L 9093:127.0.0.1:9093 deploy@ecp-forge");
    expect(await pulumi.isSecret(o.grafanaAdminPassword!)).toBe(true);
    expect(await promiseOf(o.grafanaAdminPassword!)).toBe(MOCK_GRAFANA_PASSWORD);
  });

  it("writes the generated files it mounts: Prometheus scrapes the running services and routes to Alertmanager", async () => {
    const files = (rec: Recorded[]) => {
      const stdin = String(reveal(byName(rec, "monitoring-files").inputs["stdin"]));
      const lines = /export FILES='([^']*)'/.exec(stdin)![1]!.split("\n");
      return new Map(lines.map((l) => [l.slice(0, l.indexOf(" ")), Buffer.from(l.slice(l.indexOf(" ") + 1), "base64").toString("utf8")]));
    };
    const all = files((await build()).recorded);
    expect([...all.keys()].filter((p) => !p.startsWith("grafana/dashboards/"))).toEqual([
      "prometheus/prometheus.yml",
      "prometheus/rules.yml",
      "grafana/provisioning/datasources/prometheus.yaml",
      "grafana/provisioning/dashboards/ecp-forge.yaml",
      "alertmanager/alertmanager.yml",
    ]);
    const prom = jsyaml.load(all.get("prometheus/prometheus.yml")!) as { scrape_configs: { job_name: string }[]; alerting: unknown; storage: unknown };
    expect(prom.scrape_configs.map((j) => j.job_name)).toEqual(["op-node", "execution-client", "op-batcher", "op-proposer", "op-challenger", "op-dispute-mon"]);
    expect(prom.alerting).toEqual({ alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] });
    expect(prom.storage).toEqual({ tsdb: { retention: { time: "30d" } } });
    // Without a prestate there is no challenger or dispute-mon to scrape; rail processes come from config.
    const rail = JSON.stringify({ railTargets: { witness: ["witness-1.example:8651"] } });
    const fewer = files((await build({ "ecp:prestate": undefined, "ecp:monitoring": rail }, { deployedPrestate: STANDARD_ABSOLUTE_PRESTATE })).recorded);
    const jobs = (jsyaml.load(fewer.get("prometheus/prometheus.yml")!) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] }).scrape_configs;
    expect(jobs.map((j) => j.job_name)).toEqual(["op-node", "execution-client", "op-batcher", "op-proposer", "rail-witness"]);
    expect(jobs.at(-1)?.static_configs[0]?.targets).toEqual(["witness-1.example:8651"]);
  });

  it("keeps the webhook URL and the Grafana password out of every plain input: secret files, read through url_file and __FILE", async () => {
    const url = "https://hooks.example/T0/secret-token";
    const { recorded: r } = await build({ "ecp:alertWebhookUrl": url });
    const webhook = byName(r, "monitoring-alert-webhook");
    expect(isSecretValue(webhook.inputs["stdin"])).toBe(true);
    expect(String(reveal(webhook.inputs["stdin"]))).toContain(`export CONTENT='${url}'`);
    expect(webhook.inputs["logging"]).toBe("none");
    const password = byName(r, "monitoring-grafana-password");
    expect(isSecretValue(password.inputs["stdin"])).toBe(true);
    expect(String(reveal(password.inputs["stdin"]))).toContain(`export CONTENT='${MOCK_GRAFANA_PASSWORD}'`);
    const c = containers(r);
    expect(reveal(c.get("alertmanager")?.["volumes"])).toContainEqual({ hostPath: "/var/lib/ecp-opstack/secrets/alert-webhook-url.txt", containerPath: "/run/secrets/alert-webhook-url", readOnly: true });
    expect(envOf(c.get("grafana")!)).toMatchObject({ GF_SECURITY_ADMIN_PASSWORD__FILE: "/run/secrets/grafana-admin-password", GF_AUTH_ANONYMOUS_ENABLED: "false" });
    const files = String(reveal(byName(r, "monitoring-files").inputs["stdin"]));
    const am = /alertmanager\/alertmanager\.yml (\S+)/.exec(files)![1]!;
    expect(Buffer.from(am, "base64").toString("utf8")).toContain("url_file: /run/secrets/alert-webhook-url");
    // Nowhere in plain text: not in any non-secret input of any resource.
    for (const x of r) {
      for (const [k, v] of Object.entries(x.inputs)) {
        if (isSecretValue(v)) continue;
        const text = JSON.stringify(v) ?? "";
        expect(text.includes("secret-token"), `${x.name}.${k}`).toBe(false);
        expect(text.includes(MOCK_GRAFANA_PASSWORD), `${x.name}.${k}`).toBe(false);
      }
    }
  });

  it("without a webhook: no secret file, Alertmanager's receiver sends nowhere, and the preview says so", async () => {
    const { recorded: r, warnings } = await build();
    expect(r.some((x) => x.name === "monitoring-alert-webhook")).toBe(false);
    expect(warnings.some((w) => w.includes("`ecp:alertWebhookUrl` is not set: alerts are evaluated and shown in Prometheus and Alertmanager, but sent nowhere."))).toBe(true);
  });

  it("a bad threshold or a webhook URL in plain text is a config error, naming the key", () => {
    let problems: readonly string[] = [];
    try {
      loadConfig(minimalRawConfig({ "ecp:monitoring": JSON.stringify({ thresholds: { minBalanceEth: -1, nope: 1 } }), "ecp:alertWebhookUrl": "https://hooks.example/x" }), { secretKeys: [] });
    } catch (e) {
      problems = (e as ConfigError).problems;
    }
    expect(problems).toContain("`ecp:monitoring.thresholds.minBalanceEth` must be a number > 0, got -1.");
    expect(problems.some((p) => p.startsWith("`ecp:monitoring.thresholds.nope` is not an alert threshold; known: minBalanceEth,"))).toBe(true);
    expect(problems.some((p) => p.startsWith("`ecp:alertWebhookUrl` is stored in plain text; webhook URLs carry tokens."))).toBe(true);
  });

  it("with ecp:monitoring.enabled false: none of it", async () => {
    const { recorded: r, outputs: o } = await build({ "ecp:monitoring": JSON.stringify({ enabled: false }) });
    expect(r.some((x) => x.name.startsWith("monitoring") || MONITORING.some((m) => x.name.startsWith(m)))).toBe(false);
    expect(o.monitoring).toEqual({ enabled: false });
    expect(o.grafanaAdminPassword).toBeUndefined();
  });
});
