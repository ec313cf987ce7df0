/**
 * op-proposer: proposes output roots as dispute games through the DisputeGameFactory.
 *
 * Flags checked at mono@op-proposer/v1.16.3: op-proposer/flags/flags.go (env prefix OP_PROPOSER; l1-eth-rpc,
 * rollup-rpc, poll-interval, allow-non-finalized, game-factory-address, proposal-interval, game-type,
 * wait-node-sync), op-service/txmgr/cli.go, op-service/{rpc,metrics,log}/cli.go. `l2oo-address` is gone.
 * Image: alpine:3.20 base at this tag, CMD ["op-proposer"]; health is probed from the host like the others.
 */
import { CONTAINER_PORTS, HOST_LOOPBACK_PORTS, SERVICE_DEFAULTS } from "../../config/defaults.js";
import { imageRef } from "../../config/images.js";
import type { StackConfig } from "../../config/schema.js";
import type { Addresses } from "../../deployer/deployment.js";
import { flag, httpProbe, internalUrl, roleSigning, secretRef, type ServiceSpec, opServiceTelemetryFlags } from "../spec.js";

const P = CONTAINER_PORTS.opProposer;
const D = SERVICE_DEFAULTS.opProposer;

export function opProposerSpec(
  config: Pick<StackConfig, "images" | "proofs" | "signers">,
  addresses: Pick<Addresses, "DisputeGameFactoryProxy">,
): ServiceSpec {
  const signing = roleSigning(config, "proposer", "OP_PROPOSER_PRIVATE_KEY");
  return {
    name: "op-proposer",
    image: imageRef(config.images.opProposer),
    command: [
      "op-proposer",
      flag("rollup-rpc", internalUrl("op-node", CONTAINER_PORTS.opNode.rpc)),
      flag("game-factory-address", addresses.DisputeGameFactoryProxy),
      // 1 (permissioned) unless configured permissionless: op-deployer only deploys game type 1, and the
      // tutorial's --game-type=0 fails on a fresh chain.
      flag("game-type", config.proofs.proposerGameType),
      flag("proposal-interval", D.proposalInterval),
      flag("poll-interval", D.pollInterval),
      // Propose from the safe head instead of waiting ~13 min for L1 finality.
      flag("allow-non-finalized", "true"),
      flag("wait-node-sync", "true"),
      flag("num-confirmations", D.numConfirmations),
      flag("resubmission-timeout", D.resubmissionTimeout),
      flag("rpc.addr", "0.0.0.0"),
      flag("rpc.port", P.rpc),
      ...signing.flags,
      ...opServiceTelemetryFlags(P.metrics),
    ],
    env: {
      // The tutorial page's OP_PROPOSER_L1_RPC_URL does not exist; this does.
      OP_PROPOSER_L1_ETH_RPC: secretRef("l1RpcUrl"),
      // Permissioned games accept proposals only from the intent's `proposer` address.
      ...signing.env,
    },
    ports: [
      { name: "rpc", kind: "rpc", internal: P.rpc, external: HOST_LOOPBACK_PORTS.opProposerRpc, ip: "127.0.0.1", protocol: "tcp" },
      { name: "metrics", kind: "metrics", internal: P.metrics, ip: "127.0.0.1", protocol: "tcp" },
    ],
    mounts: signing.mounts,
    healthcheck: httpProbe(`http://127.0.0.1:${HOST_LOOPBACK_PORTS.opProposerRpc}/healthz`),
    dependsOn: ["op-node"],
    networkAlias: "op-proposer",
    restart: "unless-stopped",
  };
}
