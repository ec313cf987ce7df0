// index.ts as Pulumi runs it: config from the runtime (secret keys marked as Pulumi marks them), the
// stack built under mocks, every documented output exported.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { bundleRailCli } from "../components/ledger/bundle.js";
import { fullRawConfig } from "../components/config/test-fixtures.js";
import { installMocks, promiseOf, settle } from "../components/testing/pulumi-mocks.js";


// The rail client is bundled once, asynchronously (esbuild); built before the first program runs, the
// resources that wait on it register within each test, as every other resource does.
beforeAll(() => bundleRailCli(), 120_000);

describe("index.ts", () => {
  it("loads the runtime config and exports the operator's outputs", async () => {
    const recorded = installMocks();
    const raw = Object.fromEntries(Object.entries(fullRawConfig()).map(([k, v]) => [k, String(v)]));
    const secretKeys = ["ecp:deployerPrivateKey", "ecp:batcherPrivateKey", "ecp:proposerPrivateKey", "ecp:challengerPrivateKey", "ecp:sequencerPrivateKey", "ecp:l1RpcUrl", "ecp:l1BeaconUrl"];
    pulumi.runtime.setAllConfig(raw, secretKeys);
    const program = (await import("../index.js")) as Record<string, unknown>;
    await promiseOf(program["l1Addresses"] as pulumi.Output<unknown>);
    await settle(recorded);
    expect(Object.keys(program).sort()).toEqual(
      [
        "disputePath",
        "endpoints",
        "executionClient",
        "onChain",
        "forks",
        "genesisSha256",
        "grafanaAdminPassword",
        "intentSha256",
        "l1Addresses",
        "l1ChainId",
        "l1Contracts",
        "l1StartBlock",
        "l2ChainId",
        "l2GenesisHash",
        "monitoring",
        "peers",
        "rail",
        "roles",
        "rollupSha256",
        "sequencerPeer",
        "services",
        "undeployable",
      ].sort(),
    );
    expect(program["l2ChainId"]).toBe(16584);
    // Six chain services and three monitoring containers.
    expect(recorded.filter((r) => r.type === "docker:index/container:Container")).toHaveLength(9);
  });
});
