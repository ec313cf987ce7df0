import { describe, expect, it } from "vitest";

import { imageDigestWarnings, imageRef } from "./images.js";
import { ConfigError, configWarnings, loadConfig } from "./load.js";
import {
  fullRawConfig,
  minimalRawConfig,
  TEST_HOST_KEY,
  TEST_KEYS,
  TEST_PRESTATE,
  TEST_SHA256,
} from "./test-fixtures.js";

/** Runs loadConfig and returns the problems it reports (fails the test if it does not throw). */
function problemsOf(raw: Record<string, unknown>, options?: Parameters<typeof loadConfig>[1]): readonly string[] {
  try {
    loadConfig(raw, options);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected loadConfig to throw");
}

describe("loadConfig: defaults", () => {
  it("test_load_Minimal_AppliesEveryDefault", () => {
    const c = loadConfig(minimalRawConfig());
    expect(c.host).toEqual({ address: "ecp-forge", user: "deploy", port: 22, hostKey: TEST_HOST_KEY });
    expect(c.l1ChainId).toBe(11155111);
    expect(c.l1RpcUrl.reveal()).toBe("https://ethereum-sepolia-rpc.publicnode.com");
    expect(c.l1BeaconUrl.reveal()).toBe("https://ethereum-sepolia-beacon-api.publicnode.com");
    expect(c.l2ChainId).toBe(16584);
    expect(c.opDeployer).toEqual({ version: "v0.7.1", sha256: TEST_SHA256 });
    expect(c.minDeployerBalanceWei).toBe(2_000_000_000_000_000_000n);
    expect(c.prestate).toBeUndefined();
    expect(c.proofs).toEqual({ proposerGameType: 1, permissionless: false });
    expect(c.disputeMonEnabled).toBe(true);
    expect(c.stateDir).toBe("/var/lib/ecp-opstack");
    expect(c.p2p).toEqual({ opNodePort: 9222, executionPort: 30303, staticPeers: [] });
    expect(c.destroyRemovesState).toBe(false);
    expect(c.images.opNode).toEqual({
      repository: "us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node",
      tag: "v1.20.2",
    });
    expect(c.executionClient).toBe("op-reth");
    expect(c.forkHorizonDays).toBe(30);
    expect(Object.fromEntries(Object.entries(c.images).map(([k, v]) => [k, v.tag]))).toEqual({
      opReth: "v2.8.2",
      opGeth: "v1.101702.2",
      opNode: "v1.20.2",
      opBatcher: "v1.17.0",
      opProposer: "v1.16.4",
      opChallenger: "v1.9.5",
      opDisputeMon: "v1.6.0",
    });
  });

  it("test_load_RoleKeys_DefaultToDeployerKey", () => {
    const c = loadConfig(minimalRawConfig());
    for (const role of ["batcher", "proposer", "challenger", "sequencer"] as const) {
      expect(c.keys[role]?.reveal()).toBe(TEST_KEYS.deployer);
    }
    expect(c.rolesUsingDeployerKey).toEqual(["batcher", "proposer", "challenger", "sequencer"]);
  });

  it("test_load_RoleKeys_UseTheirOwnKeyWhenSet", () => {
    const c = loadConfig(fullRawConfig());
    expect(c.keys.batcher?.reveal()).toBe(TEST_KEYS.batcher);
    expect(c.keys.sequencer.reveal()).toBe(TEST_KEYS.sequencer);
    expect(c.rolesUsingDeployerKey).toEqual([]);
  });

  it("test_load_PulumiStrings_AreCoerced", () => {
    const c = loadConfig(
      minimalRawConfig({
        "ecp:l2ChainId": "424242",
        "ecp:permissionless": "false",
        "ecp:disputeMonEnabled": "false",
        "ecp:destroyRemovesState": "true",
        "ecp:host": JSON.stringify({ user: "deploy", hostKey: TEST_HOST_KEY, port: "2222", address: "10.0.0.5" }),
        "ecp:p2p": JSON.stringify({ opNodePort: "9333", executionPort: 30304 }),
      }),
    );
    expect(c.l2ChainId).toBe(424242);
    expect(c.disputeMonEnabled).toBe(false);
    expect(c.destroyRemovesState).toBe(true);
    expect(c.host.port).toBe(2222);
    expect(c.host.address).toBe("10.0.0.5");
    expect(c.p2p).toEqual({ opNodePort: 9333, executionPort: 30304, staticPeers: [] });
  });

  it("test_load_BareKeysAndOtherNamespaces_AreAcceptedAndIgnored", () => {
    const c = loadConfig({
      host: { user: "deploy", hostKey: TEST_HOST_KEY },
      opDeployerSha256: TEST_SHA256,
      deployerPrivateKey: TEST_KEYS.deployer,
      "docker:host": "ssh://deploy@ecp-forge",
      "aws:region": "eu-west-1",
    });
    expect(c.host.user).toBe("deploy");
  });

  it("test_load_MinDeployerBalance_AcceptsEthGweiWeiAndNumbers", () => {
    const wei = (v: unknown) => loadConfig(minimalRawConfig({ "ecp:minDeployerBalance": v })).minDeployerBalanceWei;
    expect(wei("1.5 ETH")).toBe(1_500_000_000_000_000_000n);
    expect(wei("3")).toBe(3_000_000_000_000_000_000n);
    expect(wei(2)).toBe(2_000_000_000_000_000_000n);
    expect(wei("500 gwei")).toBe(500_000_000_000n);
    expect(wei("1000 wei")).toBe(1000n);
  });

  it("test_load_DeployFees_CapDefaultsTo1EthAndMaxFeeIsOptional", () => {
    const fees = (over: Record<string, unknown> = {}) => loadConfig(minimalRawConfig(over)).deployFees;
    expect(fees()).toEqual({ rpcTxFeeCapWei: 1_000_000_000_000_000_000n });
    expect(fees({ "ecp:l1RpcTxFeeCap": "5 ETH", "ecp:deployMaxFeeGwei": "2.5" })).toEqual({ rpcTxFeeCapWei: 5_000_000_000_000_000_000n, maxFeePerGasWei: 2_500_000_000n });
    expect(fees({ "ecp:l1RpcTxFeeCap": "0", "ecp:deployMaxFeeGwei": 20 })).toEqual({ rpcTxFeeCapWei: 0n, maxFeePerGasWei: 20_000_000_000n });
  });

  it("test_load_DeployFees_FailsIf_NotAnAmount", () => {
    expect(problemsOf(minimalRawConfig({ "ecp:l1RpcTxFeeCap": "lots", "ecp:deployMaxFeeGwei": "0" }))).toEqual([
      '`ecp:l1RpcTxFeeCap` must be an amount like "1 ETH" or "0" for an RPC without a fee cap, got "lots". Run `pulumi config set ecp:l1RpcTxFeeCap "1 ETH"`.',
      "`ecp:deployMaxFeeGwei` must be a positive number of gwei like 20 or 2.5, got \"0\". Run `pulumi config set ecp:deployMaxFeeGwei 20`.",
    ]);
  });

  it("test_load_Prestate_ProgramIsARelease_DefaultOpProgram", () => {
    const prestate = (program: string) => JSON.stringify({ hash: TEST_PRESTATE, path: "/p/prestate-mt64.bin.gz", program });
    expect(loadConfig(minimalRawConfig({ "ecp:prestate": prestate("kona-client/v1.7.0") })).prestate?.program).toBe("kona-client/v1.7.0");
    expect(problemsOf(minimalRawConfig({ "ecp:prestate": prestate("v1.9.0") }))).toEqual([
      '`ecp:prestate.program` must be the release the prestate was built from, like op-program/v1.9.0 or kona-client/v1.7.0, got "v1.9.0". Run `pulumi config set --path ecp:prestate.program op-program/v1.9.0`.',
    ]);
  });

  it("test_load_Prestate_ParsesPathAndUrlSources", () => {
    const byPath = loadConfig(fullRawConfig());
    expect(byPath.prestate).toEqual({
      hash: TEST_PRESTATE,
      source: { kind: "path", path: "/var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz" },
      extension: ".bin.gz",
      program: "op-program/v1.9.0",
    });
    const byUrl = loadConfig(
      fullRawConfig({
        "ecp:prestate": JSON.stringify({ hash: TEST_PRESTATE.toUpperCase().replace("0X", "0x"), url: "https://prestates.example.org/p.bin.gz" }),
      }),
    );
    expect(byUrl.prestate).toEqual({
      hash: TEST_PRESTATE,
      source: { kind: "url", url: "https://prestates.example.org/p.bin.gz" },
      extension: ".bin.gz",
      program: "op-program/v1.9.0",
    });
  });

  it("test_load_Prestate_FailsIf_JsonState", () => {
    // cannon refuses JSON states (singlethreaded v1), so the config refuses them before anything runs.
    for (const path of ["/p/prestate.json", "/p/prestate.json.gz"]) {
      expect(problemsOf(minimalRawConfig({ "ecp:prestate": JSON.stringify({ hash: TEST_PRESTATE, path }) }))).toEqual([
        `\`ecp:prestate.path\` must be an absolute host path ending in .bin.gz (a Cannon binary state), got "${path}". Run \`pulumi config set --path ecp:prestate.path /var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz\`.`,
      ]);
    }
  });

  it("test_load_Permissionless_DefaultsProposerGameTypeToCannon", () => {
    const c = loadConfig(fullRawConfig({ "ecp:permissionless": "true" }));
    expect(c.proofs).toEqual({ proposerGameType: 0, permissionless: true });
  });
});

describe("loadConfig: errors", () => {
  it("test_load_FailsIf_ChainIdIsNotAnInteger (the STYLE.md example, word for word)", () => {
    expect(problemsOf(minimalRawConfig({ "ecp:l2ChainId": "abc" }))).toEqual([
      '`ecp:l2ChainId` must be an integer, got "abc". Run `pulumi config set ecp:l2ChainId 16584`.',
    ]);
  });

  it("test_load_FailsIf_EverythingIsMissing_ListsEveryRequiredKey", () => {
    expect(problemsOf({})).toEqual([
      "`ecp:host.user` is required. Run `pulumi config set --path ecp:host.user deploy`.",
      '`ecp:host.hostKey` is required. Run `pulumi config set --path ecp:host.hostKey "ssh-ed25519 AAAA..."`.',
      "`ecp:opDeployerSha256` is required. Run `pulumi config set ecp:opDeployerSha256 <sha256 of the linux-amd64 tarball>`.",
      "`ecp:deployerPrivateKey` is required. Run `pulumi config set --secret ecp:deployerPrivateKey` and paste the 0x-prefixed 32-byte hex key when prompted.",
    ]);
  });

  it("test_load_FailsIf_ManyKeysAreBad_ReportsAllAtOnce", () => {
    const problems = problemsOf({
      "ecp:host": JSON.stringify({ user: "Bad User", hostKey: "not-a-key", port: 70000, portt: 1 }),
      "ecp:l2ChainId": "11155111",
      "ecp:images": JSON.stringify({ opNode: { tag: "latest", digest: "sha256:abc" } }),
      "ecp:opDeployerSha256": "ABC",
      "ecp:minDeployerBalance": "lots",
      "ecp:proposerGameType": "7",
      "ecp:stateDir": "relative/dir",
      "ecp:p2p": "nope",
      "ecp:deployerPrivateKey": TEST_KEYS.deployer,
      "ecp:l2ChainID": "5",
      "ecp:host.user": "deploy",
    });
    expect(problems).toEqual([
      '`ecp:host.user` must be a Unix user name, got "Bad User". Run `pulumi config set --path ecp:host.user deploy`.',
      "`ecp:host.port` must be an integer from 1 to 65535, got 70000. Run `pulumi config set --path ecp:host.port 22`.",
      '`ecp:host.hostKey` must be an OpenSSH public host key like "ssh-ed25519 AAAA..." (see `ssh-keyscan ecp-forge`), got "not-a-key". Run `pulumi config set --path ecp:host.hostKey "ssh-ed25519 AAAA..."`.',
      '`ecp:l2ChainId` must be an integer that is not an existing network\'s chain id (1, 10, 11155111, 11155420), got "11155111". Run `pulumi config set ecp:l2ChainId 16584`.',
      '`ecp:images.opNode.tag` must be an exact release tag like v1.2.3, got "latest". Run `pulumi config set --path ecp:images.opNode.tag v1.20.2`.',
      '`ecp:images.opNode.digest` must be an image digest of the form sha256:<64 lowercase hex>, got "sha256:abc". Run `pulumi config set --path ecp:images.opNode.digest sha256:<64 hex>`.',
      '`ecp:opDeployerSha256` must be the 64-character lowercase hex sha256 of the linux-amd64 release tarball, got "ABC". Run `pulumi config set ecp:opDeployerSha256 <sha256 of the linux-amd64 tarball>`.',
      '`ecp:minDeployerBalance` must be an amount like "2 ETH", "500 gwei" or "1000000000000000000 wei", got "lots". Run `pulumi config set ecp:minDeployerBalance "2 ETH"`.',
      '`ecp:proposerGameType` must be a game type: 1 (permissioned) or 0 (permissionless cannon), got "7". Run `pulumi config set ecp:proposerGameType 1`.',
      '`ecp:stateDir` must be an absolute host path other than /, got "relative/dir". Run `pulumi config set ecp:stateDir /var/lib/ecp-opstack`.',
      '`ecp:p2p` must be a JSON object, got "nope". Run `pulumi config set --path ecp:p2p.opNodePort 9222`.',
      "`ecp:host.user` was set without `--path`, so Pulumi stored it as a separate key. Run `pulumi config rm ecp:host.user` and set it again with `pulumi config set --path ecp:host.user <value>`.",
      "`ecp:host.portt` is not a known setting. Did you mean `ecp:host.port`? Run `pulumi config rm --path ecp:host.portt`.",
      "`ecp:l2ChainID` is not a known setting. Did you mean `ecp:l2ChainId`? Run `pulumi config rm ecp:l2ChainID`.",
    ]);
  });

  it("test_load_FailsIf_PrivateKeyIsMalformed_NeverEchoesIt", () => {
    const secret = "0xdeadbeefcafe";
    const problems = problemsOf(minimalRawConfig({ "ecp:deployerPrivateKey": secret, "ecp:batcherPrivateKey": `0x${"0".repeat(64)}` }));
    expect(problems).toEqual([
      "`ecp:deployerPrivateKey` must be a 0x-prefixed 32-byte hex private key, got a value of 14 characters (hidden). Run `pulumi config set --secret ecp:deployerPrivateKey` and paste the 0x-prefixed 32-byte hex key when prompted.",
      "`ecp:batcherPrivateKey` must be a 0x-prefixed 32-byte hex private key, got a value of 66 characters (hidden). Run `pulumi config set --secret ecp:batcherPrivateKey` and paste the 0x-prefixed 32-byte hex key when prompted.",
    ]);
    expect(problems.join("\n")).not.toContain("deadbeef");
  });

  it("test_load_FailsIf_RpcUrlIsMalformed_NeverEchoesIt", () => {
    const problems = problemsOf(minimalRawConfig({ "ecp:l1RpcUrl": "wss://token-abc123@rpc", "ecp:l1BeaconUrl": "beacon" }));
    expect(problems).toEqual([
      "`ecp:l1RpcUrl` must be an http(s) URL, got a value of 22 characters (hidden: RPC URLs can carry API keys). Run `pulumi config set --secret ecp:l1RpcUrl` and paste the Sepolia execution RPC URL when prompted.",
      "`ecp:l1BeaconUrl` must be an http(s) URL, got a value of 6 characters (hidden: RPC URLs can carry API keys). Run `pulumi config set --secret ecp:l1BeaconUrl` and paste the Sepolia beacon API URL when prompted.",
    ]);
    expect(problems.join("\n")).not.toContain("token-abc123");
  });

  it("test_load_FailsIf_PrivateKeysAreStoredInPlainText", () => {
    const problems = problemsOf(fullRawConfig(), {
      secretKeys: ["ecp:deployerPrivateKey", "ecp:batcherPrivateKey", "ecp:proposerPrivateKey", "ecp:challengerPrivateKey"],
    });
    expect(problems).toEqual([
      "`ecp:sequencerPrivateKey` is stored in plain text. Run `pulumi config set --secret ecp:sequencerPrivateKey` and paste the 0x-prefixed 32-byte hex key when prompted.",
    ]);
  });

  it("test_load_FailsIf_PermissionlessWithoutPrestateOrWithPermissionedGame", () => {
    expect(problemsOf(minimalRawConfig({ "ecp:permissionless": "true", "ecp:proposerGameType": "1" }))).toEqual([
      "`ecp:proposerGameType` must be 0 (cannon) while `ecp:permissionless` is true, got 1. Run `pulumi config set ecp:proposerGameType 0`.",
      "`ecp:permissionless` is true but `ecp:prestate` is not set: permissionless games need a challenger, and the challenger needs the chain's prestate. Run `pulumi config set --path ecp:prestate.hash 0x03…` and `pulumi config set --path ecp:prestate.path <file>`, or `pulumi config set ecp:permissionless false`.",
    ]);
  });

  it("test_load_FailsIf_CannonGameTypeWhilePermissioned", () => {
    expect(problemsOf(minimalRawConfig({ "ecp:proposerGameType": 0 }))).toEqual([
      "`ecp:proposerGameType` must be 1 (permissioned) while `ecp:permissionless` is false, got 0. Run `pulumi config set ecp:proposerGameType 1` or `pulumi config set ecp:permissionless true`.",
    ]);
  });

  it("test_load_FailsIf_PrestateIsIncomplete", () => {
    expect(
      problemsOf(
        minimalRawConfig({
          "ecp:prestate": JSON.stringify({
            hash: "0x04aa000000000000000000000000000000000000000000000000000000000001",
            path: "/p/prestate.bin.gz",
            url: "http://insecure.example.org/p.bin.gz",
          }),
        }),
      ),
    ).toEqual([
      '`ecp:prestate.hash` must be a 32-byte hex hash starting with 0x03 (an unfinished-VM commitment), got "0x04aa000000000000000000000000000000000000000000000000000000000…". Run `pulumi config set --path ecp:prestate.hash 0x03<62 hex>`.',
      '`ecp:prestate.url` must be an https URL ending in .bin.gz (a Cannon binary state), got "http://insecure.example.org/p.bin.gz". Run `pulumi config set --path ecp:prestate.url https://example.org/prestates/0x03….bin.gz`.',
      "`ecp:prestate` must set exactly one of `path` or `url`, got both. Run `pulumi config rm --path ecp:prestate.url`.",
    ]);
    expect(problemsOf(minimalRawConfig({ "ecp:prestate": JSON.stringify({ hash: TEST_PRESTATE }) }))).toEqual([
      "`ecp:prestate` must set exactly one of `path` or `url`, got neither. Run `pulumi config set --path ecp:prestate.path /var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz`.",
    ]);
    expect(
      problemsOf(
        minimalRawConfig({
          "ecp:prestate": JSON.stringify({ hash: TEST_PRESTATE, path: "/p/x.bin.gz", url: "https://e.org/x.bin.gz" }),
        }),
      ),
    ).toEqual([
      "`ecp:prestate` must set exactly one of `path` or `url`, got both. Run `pulumi config rm --path ecp:prestate.url`.",
    ]);
    expect(problemsOf(minimalRawConfig({ "ecp:prestate": JSON.stringify({ hash: TEST_PRESTATE, path: "/p/x.tar" }) }))).toEqual([
      '`ecp:prestate.path` must be an absolute host path ending in .bin.gz (a Cannon binary state), got "/p/x.tar". Run `pulumi config set --path ecp:prestate.path /var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz`.',
    ]);
  });

  it("test_load_FailsIf_P2PPortsCollide", () => {
    expect(problemsOf(minimalRawConfig({ "ecp:p2p": JSON.stringify({ opNodePort: 30303, executionPort: 8545 }) }))).toEqual([
      "`ecp:p2p.executionPort` must not be one of the host's loopback RPC ports (8545, 6060, 9545, 8548, 8560, 7310, 7311, 9090, 9093, 3000, 8650), got 8545. Run `pulumi config set --path ecp:p2p.executionPort 30303`.",
    ]);
    expect(problemsOf(minimalRawConfig({ "ecp:p2p": JSON.stringify({ opNodePort: 30303 }) }))).toEqual([
      "`ecp:p2p.executionPort` must differ from `ecp:p2p.opNodePort`, both are 30303. Run `pulumi config set --path ecp:p2p.executionPort 30303`.",
    ]);
  });

  it("test_load_StaticPeers_MultiaddrsWithPeerId_Only", () => {
    const ok = "/ip4/203.0.113.20/tcp/9222/p2p/16Uiu2HAmQ4zEe2cZ1qgBLD6hRkjP8rBNzq1F8cLBYzbyJ5Y8dWxA";
    expect(loadConfig(minimalRawConfig({ "ecp:p2p": JSON.stringify({ staticPeers: [ok] }) })).p2p.staticPeers).toEqual([ok]);
    expect(loadConfig(minimalRawConfig({})).p2p.staticPeers).toEqual([]);
    // An enode (the execution layer's format) and a multiaddr without the peer id are refused, naming the key.
    const problems = problemsOf(minimalRawConfig({ "ecp:p2p": JSON.stringify({ staticPeers: ["enode://abc@203.0.113.20:30303"] }) }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("`ecp:p2p.staticPeers` must be a list of op-node multiaddrs /ip4|ip6|dns4|dns6|dns/<host>/tcp/<port>/p2p/<peer id>");
    expect(problemsOf(minimalRawConfig({ "ecp:p2p": JSON.stringify({ staticPeers: ["/ip4/203.0.113.20/tcp/9222"] }) }))).toHaveLength(1);
    expect(problemsOf(minimalRawConfig({ "ecp:p2p": JSON.stringify({ staticPeers: [ok, ok] }) }))[0]).toContain("a list of distinct multiaddrs (one is repeated)");
  });

  it("test_load_ErrorMessage_StartsWithCountAndListsProblems", () => {
    expect(() => loadConfig(minimalRawConfig({ "ecp:l2ChainId": "abc", "ecp:permissionless": "maybe" }))).toThrow(
      [
        "Invalid stack configuration (2 problems):",
        '  - `ecp:l2ChainId` must be an integer, got "abc". Run `pulumi config set ecp:l2ChainId 16584`.',
        '  - `ecp:permissionless` must be true or false, got "maybe". Run `pulumi config set ecp:permissionless false`.',
      ].join("\n"),
    );
  });
});

describe("secrets stay redacted", () => {
  it("test_config_Serialized_ContainsNoSecret", () => {
    const c = loadConfig(fullRawConfig());
    const text = `${JSON.stringify(c, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))} ${String(c.keys.deployer)}`;
    for (const key of Object.values(TEST_KEYS)) expect(text).not.toContain(key.slice(2));
    expect(text).not.toContain("secret-token");
    expect(text).toContain("[redacted]");
  });
});

describe("images", () => {
  const digest = `sha256:${"ab".repeat(32)}`;

  it("test_imageRef_AppendsDigestWhenSet", () => {
    const c = loadConfig(minimalRawConfig({ "ecp:images": JSON.stringify({ opNode: { digest } }) }));
    expect(imageRef(c.images.opNode)).toBe(`us-docker.pkg.dev/oplabs-tools-artifacts/images/op-node:v1.20.2@${digest}`);
    expect(imageRef(c.images.opGeth)).toBe("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-geth:v1.101702.2");
  });

  it("test_imageDigestWarnings_OnePerMissingDigest_EmptyWhenAllSet", () => {
    const c = loadConfig(minimalRawConfig({ "ecp:images": JSON.stringify({ opNode: { digest } }) }));
    const warnings = imageDigestWarnings(c);
    expect(warnings).toHaveLength(5);
    expect(warnings[0]).toBe(
      "`ecp:images.opReth.digest` is not set, so op-reth is pinned by tag only (us-docker.pkg.dev/oplabs-tools-artifacts/images/op-reth:v2.8.2). Run `docker buildx imagetools inspect us-docker.pkg.dev/oplabs-tools-artifacts/images/op-reth:v2.8.2` and `pulumi config set --path ecp:images.opReth.digest sha256:<64 hex>`.",
    );
    // op-geth does not run, so its digest is not asked for.
    expect(warnings.join("\n")).not.toContain("opGeth");
    const all = Object.fromEntries(["opReth", "opNode", "opBatcher", "opProposer", "opChallenger", "opDisputeMon"].map((n) => [n, { digest }]));
    expect(imageDigestWarnings(loadConfig(minimalRawConfig({ "ecp:images": JSON.stringify(all) })))).toEqual([]);
    // With op-geth chosen, its digest is asked for and op-reth's is not.
    const geth = imageDigestWarnings(loadConfig(minimalRawConfig({ "ecp:images": JSON.stringify(all), "ecp:executionClient": "op-geth" })));
    expect(geth).toHaveLength(1);
    expect(geth[0]).toContain("`ecp:images.opGeth.digest` is not set");
  });
});

describe("configWarnings", () => {
  it("test_configWarnings_FlagsSharedKeysPublicProvidersAndPermissionless", () => {
    const warnings = configWarnings(loadConfig(minimalRawConfig({ "ecp:opDeployerVersion": "v0.7.0" })));
    // Six chain images by tag only, then the three monitoring images by tag only and the missing webhook.
    expect(warnings.slice(6, 9).every((w) => /^`ecp:monitoring\.images\.(prometheus|alertmanager|grafana)\.digest` is not set/.test(w))).toBe(true);
    expect(warnings[9]).toMatch(/^`ecp:alertWebhookUrl` is not set: alerts are evaluated/);
    expect(warnings.slice(10)).toEqual([
      "`ecp:opDeployerVersion` is v0.7.0, but the intent and state.json shapes were verified against v0.7.1.",
      "`ecp:batcherPrivateKey`, `ecp:proposerPrivateKey`, `ecp:challengerPrivateKey`, `ecp:sequencerPrivateKey` are not set, so those roles sign with the deployer key. Set one key per role before the chain holds anything of value.",
      "The L1 RPC or beacon URL is the public publicnode.com default: it is rate limited, and since Fusaka op-node needs a beacon API that serves all blobs. Set `ecp:l1RpcUrl` / `ecp:l1BeaconUrl` to your own provider.",
    ]);
    const permissionless = configWarnings(loadConfig(fullRawConfig({ "ecp:permissionless": "true" })));
    expect(permissionless.at(-1)).toBe(
      "`ecp:permissionless` is true: op-deployer v0.7.1 only deploys the permissioned game (type 1). Register game type 0 through the OPCM before op-proposer can create games of that type.",
    );
  });
});

describe("ecp:host.jump", () => {
  const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
  const hostWith = (extra: object) => ({ "ecp:host": JSON.stringify({ user: "deploy", hostKey: key, ...extra }) });

  it("test_load_Jump_ParsesUserHostPort_WithItsPinnedKey", () => {
    expect(loadConfig(minimalRawConfig(hostWith({ jump: "ci@bastion.example.org", jumpHostKey: key }))).host.jump).toEqual({ user: "ci", address: "bastion.example.org", port: 22, hostKey: key });
    expect(loadConfig(minimalRawConfig(hostWith({ jump: "ci@10.0.0.5:2200", jumpHostKey: key }))).host.jump).toMatchObject({ address: "10.0.0.5", port: 2200 });
    expect(loadConfig(minimalRawConfig()).host.jump).toBeUndefined();
  });

  it("test_load_FailsIf_JumpWithoutKey_OrKeyWithoutJump_OrMalformed", () => {
    expect(problemsOf(minimalRawConfig(hostWith({ jump: "ci@bastion.example.org" })))).toEqual([
      expect.stringMatching(/^`ecp:host\.jump` needs `ecp:host\.jumpHostKey`: the bastion's key is pinned like the host's\./),
    ]);
    expect(problemsOf(minimalRawConfig(hostWith({ jumpHostKey: key })))).toEqual([expect.stringMatching(/^`ecp:host\.jumpHostKey` is set but `ecp:host\.jump` is not\./)]);
    expect(problemsOf(minimalRawConfig(hostWith({ jump: "bastion:22", jumpHostKey: key })))).toEqual([
      expect.stringMatching(/^`ecp:host\.jump` must be user@host or user@host:port \(a bastion, as for ssh -J\), got "bastion:22"/),
    ]);
  });
});

describe("ecp:signers (no hot keys)", () => {
  const signer = { endpoint: "https://signer.internal:8080", address: "0x00000000000000000000000000000000000000b1", tlsCa: "/etc/ecp/signer/ca.crt", tlsCert: "/etc/ecp/signer/tls.crt", tlsKey: "/etc/ecp/signer/tls.key" };

  it("test_load_Signer_ReplacesTheRoleKey", () => {
    const raw = minimalRawConfig({ "ecp:signers": JSON.stringify({ batcher: signer }) });
    const c = loadConfig(raw);
    expect(c.signers).toEqual({ batcher: signer });
    expect(c.keys.batcher).toBeUndefined();
    expect(c.rolesUsingDeployerKey).toEqual(["proposer", "challenger", "sequencer"]);
  });

  it("test_load_FailsIf_SignerAndKeyForOneRole_OrMalformed", () => {
    expect(problemsOf(minimalRawConfig({ "ecp:signers": JSON.stringify({ batcher: signer }), "ecp:batcherPrivateKey": TEST_KEYS.batcher }), { secretKeys: ["ecp:batcherPrivateKey", "ecp:deployerPrivateKey"] })).toEqual([
      "`ecp:batcherPrivateKey` is set, but batcher signs through `ecp:signers.batcher`: with a remote signer no key for that role may be in config. Run `pulumi config rm ecp:batcherPrivateKey`.",
    ]);
    expect(problemsOf(minimalRawConfig({ "ecp:signers": JSON.stringify({ batcher: { ...signer, endpoint: "http://signer:8080" } }) }))).toEqual([
      expect.stringMatching(/^`ecp:signers` must be an object whose batcher\.endpoint is an https URL \(op-service signers use TLS\), got/),
    ]);
    expect(problemsOf(minimalRawConfig({ "ecp:signers": JSON.stringify({ sequencer: signer }) }))).toEqual([
      expect.stringMatching(/^`ecp:signers` must be an object whose keys are batcher, proposer or challenger \(got "sequencer"\)/),
    ]);
  });
});
