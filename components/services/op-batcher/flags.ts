/**
 * op-batcher: posts L2 batches to the batch inbox on L1.
 *
 * Flags checked at mono@op-batcher/v1.16.10: op-batcher/flags/flags.go (env prefix OP_BATCHER),
 * op-batcher/flags/types.go (data-availability types), op-service/txmgr/cli.go (private-key, num-confirmations,
 * safe-abort-nonce-too-low-count, resubmission-timeout), op-service/{rpc,metrics,log}/cli.go.
 * There is no batch-inbox flag: the batcher reads `batch_inbox_address` from op-node's rollup config
 * (the tutorial's OP_BATCHER_BATCH_INBOX_ADDR does not exist).
 * Image: chainguard/static, CMD ["op-batcher"] (ops/docker/op-stack-go/Dockerfile), host-side health check.
 */
import { CONTAINER_PORTS, EXECUTION_CLIENT_ALIAS, HOST_LOOPBACK_PORTS, SERVICE_DEFAULTS } from "../../config/defaults.js";
import { imageRef } from "../../config/images.js";
import type { StackConfig } from "../../config/schema.js";
import { flag, httpProbe, internalUrl, roleSigning, secretRef, type ServiceSpec, opServiceTelemetryFlags } from "../spec.js";

const P = CONTAINER_PORTS.opBatcher;
const D = SERVICE_DEFAULTS.opBatcher;

export function opBatcherSpec(config: Pick<StackConfig, "images" | "signers">): ServiceSpec {
  const signing = roleSigning(config, "batcher", "OP_BATCHER_PRIVATE_KEY");
  return {
    name: "op-batcher",
    image: imageRef(config.images.opBatcher),
    command: [
      "op-batcher",
      flag("l2-eth-rpc", internalUrl(EXECUTION_CLIENT_ALIAS, CONTAINER_PORTS.executionClient.http)),
      flag("rollup-rpc", internalUrl("op-node", CONTAINER_PORTS.opNode.rpc)),
      flag("poll-interval", D.pollInterval),
      flag("sub-safety-margin", D.subSafetyMargin),
      flag("num-confirmations", D.numConfirmations),
      flag("safe-abort-nonce-too-low-count", D.safeAbortNonceTooLowCount),
      flag("resubmission-timeout", D.resubmissionTimeout),
      // In L1 blocks; without it a quiet chain's channels only close at the channel timeout.
      flag("max-channel-duration", D.maxChannelDuration),
      // Valid: calldata, blobs, auto (types.go). Sepolia blob fees sit near the minimum.
      flag("data-availability-type", D.dataAvailabilityType),
      // 1 = span batches (active since Delta, which this genesis has).
      flag("batch-type", D.batchType),
      flag("rpc.addr", "0.0.0.0"),
      flag("rpc.port", P.rpc),
      // admin_startBatcher / admin_stopBatcher; loopback only.
      flag("rpc.enable-admin", "true"),
      ...signing.flags,
      ...opServiceTelemetryFlags(P.metrics),
    ],
    env: {
      // The tutorial page's OP_BATCHER_L1_RPC_URL does not exist; this does.
      OP_BATCHER_L1_ETH_RPC: secretRef("l1RpcUrl"),
      ...signing.env,
    },
    ports: [
      { name: "rpc", kind: "rpc", internal: P.rpc, external: HOST_LOOPBACK_PORTS.opBatcherRpc, ip: "127.0.0.1", protocol: "tcp" },
      { name: "metrics", kind: "metrics", internal: P.metrics, ip: "127.0.0.1", protocol: "tcp" },
    ],
    mounts: signing.mounts,
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.opBatcherRpc}/healthz`),
    dependsOn: [EXECUTION_CLIENT_ALIAS, "op-node"],
    networkAlias: "op-batcher",
    restart: "unless-stopped",
  };
}
