/**
 * op-dispute-mon: watches the chain's dispute games and exports op_dispute_mon_* metrics.
 *
 * Flags checked at mono@op-dispute-mon/v1.5.2: op-dispute-mon/flags/flags.go (env prefix OP_DISPUTE_MON;
 * required l1-eth-rpc; rollup-rpc, game-factory-address, network, honest-actors, monitor-interval) and
 * op-service/{metrics,log}/cli.go. No RPC server. We pass game-factory-address, not the example's
 * OP_DISPUTE_MON_NETWORK=op-sepolia, which would select OP Sepolia's registry entry.
 * Image: alpine:3.20 base at this tag, CMD ["op-dispute-mon"].
 */
import { CONTAINER_PORTS, HOST_LOOPBACK_PORTS, SERVICE_DEFAULTS } from "../../config/defaults.js";
import { imageRef } from "../../config/images.js";
import type { RoleAddresses } from "../../config/roles.js";
import type { StackConfig } from "../../config/schema.js";
import type { Addresses } from "../../deployer/deployment.js";
import { flag, httpProbe, internalUrl, secretRef, type ServiceSpec, opServiceTelemetryFlags } from "../spec.js";

const P = CONTAINER_PORTS.opDisputeMon;

export function opDisputeMonSpec(
  config: Pick<StackConfig, "images">,
  addresses: Pick<Addresses, "DisputeGameFactoryProxy">,
  roles: Pick<RoleAddresses, "proposer" | "challenger">,
): ServiceSpec {
  // Our own proposer and challenger: dispute-mon alerts when a game resolves against them.
  const honestActors = [...new Set([roles.proposer, roles.challenger])];
  return {
    name: "op-dispute-mon",
    image: imageRef(config.images.opDisputeMon),
    command: [
      "op-dispute-mon",
      flag("rollup-rpc", internalUrl("op-node", CONTAINER_PORTS.opNode.rpc)),
      flag("game-factory-address", addresses.DisputeGameFactoryProxy),
      // StringSliceFlag: comma-separated.
      flag("honest-actors", honestActors.join(",")),
      flag("monitor-interval", SERVICE_DEFAULTS.opDisputeMon.monitorInterval),
      ...opServiceTelemetryFlags(P.metrics),
    ],
    env: {
      OP_DISPUTE_MON_L1_ETH_RPC: secretRef("l1RpcUrl"),
    },
    ports: [
      {
        name: "metrics",
        kind: "metrics",
        internal: P.metrics,
        external: HOST_LOOPBACK_PORTS.opDisputeMonMetrics,
        ip: "127.0.0.1",
        protocol: "tcp",
      },
    ],
    mounts: [],
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.opDisputeMonMetrics}/metrics`),
    dependsOn: ["op-node"],
    networkAlias: "op-dispute-mon",
    restart: "unless-stopped",
  };
}
