import { describe, expect, it } from "vitest";

import { loadConfig } from "../../config/load.js";
import { minimalRawConfig, testConfig } from "../../config/test-fixtures.js";
import { hostPaths } from "../paths.js";
import { secretRef } from "../spec.js";
import { expectNoSecretsInPlainText, expectNothingButP2PIsPublic, fixtureAddresses } from "../test-helpers.js";
import { opChallengerSpec } from "./flags.js";

describe("opChallengerSpec", () => {
  const config = testConfig();
  const addresses = fixtureAddresses();
  const spec = opChallengerSpec(config, addresses, hostPaths(config.stateDir));

  it("test_opChallenger_RootCommand_ExactCommandLine", () => {
    expect(spec.image).toBe("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-challenger:v1.9.5");
    expect(spec.command).toEqual([
      "op-challenger",
      "--l2-eth-rpc=http://execution:8545",
      "--rollup-rpc=http://op-node:9545",
      "--game-factory-address=0x128D0DeAEd25eE2410394d10f0d3dE7Fb7e0A3DB",
      "--game-types=permissioned",
      "--datadir=/data",
      "--cannon-rollup-config=/config/rollup.json",
      "--cannon-l2-genesis=/config/genesis.json",
      "--cannon-bin=/usr/local/bin/cannon",
      "--cannon-server=/usr/local/bin/op-program",
      "--cannon-prestates-url=file:///prestates",
      "--num-confirmations=1",
      "--metrics.enabled",
      "--metrics.addr=0.0.0.0",
      "--metrics.port=7300",
      "--log.level=info",
      "--log.format=json",
    ]);
    // Not the diagnostics subcommand the tutorial uses.
    expect(spec.command).not.toContain("run-trace");
  });

  it("test_opChallenger_Permissionless_PlaysCannonToo", () => {
    const c = testConfig({ "ecp:permissionless": "true" });
    expect(opChallengerSpec(c, addresses, hostPaths(c.stateDir)).command).toContain("--game-types=permissioned,cannon");
  });

  it("test_opChallenger_Env_UsesTheRealVariableNames", () => {
    expect(spec.env).toEqual({
      OP_CHALLENGER_L1_ETH_RPC: secretRef("l1RpcUrl"),
      OP_CHALLENGER_L1_BEACON: secretRef("l1BeaconUrl"),
      OP_CHALLENGER_PRIVATE_KEY: secretRef("challengerPrivateKey"),
    });
    expectNoSecretsInPlainText(spec, config);
  });

  it("test_opChallenger_PortsMountsAndHealth", () => {
    expect(spec.ports).toEqual([{ name: "metrics", kind: "metrics", internal: 7300, external: 7310, ip: "127.0.0.1", protocol: "tcp" }]);
    expectNothingButP2PIsPublic(spec);
    expect(spec.mounts).toEqual([
      { hostPath: "/var/lib/ecp-opstack/op-challenger", containerPath: "/data", readOnly: false },
      { hostPath: "/var/lib/ecp-opstack/config", containerPath: "/config", readOnly: true },
      { hostPath: "/var/lib/ecp-opstack/prestates", containerPath: "/prestates", readOnly: true },
    ]);
    expect(spec.healthcheck).toMatchObject({ kind: "http", url: "http://127.0.0.1:7310/metrics" });
  });

  it("test_opChallenger_FailsIf_NoPrestate", () => {
    const c = loadConfig(minimalRawConfig());
    expect(() => opChallengerSpec(c, addresses, hostPaths(c.stateDir))).toThrow(
      "op-challenger needs `ecp:prestate`; check prestateGate() before building its spec.",
    );
  });
});
