import { describe, expect, it } from "vitest";

import { testConfig } from "../../config/test-fixtures.js";
import { secretRef } from "../spec.js";
import { expectNoSecretsInPlainText, expectNothingButP2PIsPublic } from "../test-helpers.js";
import { opBatcherSpec } from "./flags.js";

describe("opBatcherSpec", () => {
  const config = testConfig();
  const spec = opBatcherSpec(config);

  it("test_opBatcher_ExactCommandLine", () => {
    expect(spec.image).toBe("us-docker.pkg.dev/oplabs-tools-artifacts/images/op-batcher:v1.17.0");
    expect(spec.command).toEqual([
      "op-batcher",
      "--l2-eth-rpc=http://execution:8545",
      "--rollup-rpc=http://op-node:9545",
      "--poll-interval=1s",
      "--sub-safety-margin=6",
      "--num-confirmations=1",
      "--safe-abort-nonce-too-low-count=3",
      "--resubmission-timeout=30s",
      "--max-channel-duration=25",
      "--data-availability-type=blobs",
      "--batch-type=1",
      "--rpc.addr=0.0.0.0",
      "--rpc.port=8548",
      "--rpc.enable-admin=true",
      "--metrics.enabled",
      "--metrics.addr=0.0.0.0",
      "--metrics.port=7300",
      "--log.level=info",
      "--log.format=json",
    ]);
  });

  it("test_opBatcher_Env_KeyAndL1UrlAreSecretRefs_NoInboxVariable", () => {
    expect(spec.env).toEqual({
      OP_BATCHER_L1_ETH_RPC: secretRef("l1RpcUrl"),
      OP_BATCHER_PRIVATE_KEY: secretRef("batcherPrivateKey"),
    });
    expectNoSecretsInPlainText(spec, config);
  });

  it("test_opBatcher_Ports_LoopbackOrInternalOnly", () => {
    expect(spec.ports).toEqual([
      { name: "rpc", kind: "rpc", internal: 8548, external: 8548, ip: "127.0.0.1", protocol: "tcp" },
      { name: "metrics", kind: "metrics", internal: 7300, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expectNothingButP2PIsPublic(spec);
    expect(spec.healthcheck).toMatchObject({ kind: "http", url: "http://127.0.0.1:8548/healthz" });
    expect(spec.dependsOn).toEqual(["execution", "op-node"]);
  });
});

describe("opBatcherSpec with a remote signer", () => {
  it("test_opBatcher_Signer_FlagsAndTlsMounts_NoKeyInTheContainer", () => {
    const signer = { endpoint: "https://signer.internal:8080", address: "0x00000000000000000000000000000000000000b1", tlsCa: "/etc/ecp/signer/ca.crt", tlsCert: "/etc/ecp/signer/tls.crt", tlsKey: "/etc/ecp/signer/tls.key" };
    const spec = opBatcherSpec(testConfig({ "ecp:signers": JSON.stringify({ batcher: signer }), "ecp:batcherPrivateKey": undefined }));
    expect(spec.command).toEqual(
      expect.arrayContaining([
        "--signer.endpoint=https://signer.internal:8080",
        "--signer.address=0x00000000000000000000000000000000000000b1",
        "--signer.tls.ca=/signer-tls/ca.crt",
        "--signer.tls.cert=/signer-tls/tls.crt",
        "--signer.tls.key=/signer-tls/tls.key",
      ]),
    );
    expect(Object.keys(spec.env)).toEqual(["OP_BATCHER_L1_ETH_RPC"]);
    expect(spec.mounts).toEqual([
      { hostPath: "/etc/ecp/signer/ca.crt", containerPath: "/signer-tls/ca.crt", readOnly: true },
      { hostPath: "/etc/ecp/signer/tls.crt", containerPath: "/signer-tls/tls.crt", readOnly: true },
      { hostPath: "/etc/ecp/signer/tls.key", containerPath: "/signer-tls/tls.key", readOnly: true },
    ]);
  });
});
