/**
 * The whole ecp-forge stack, wired in data-flow order:
 * config -> host -> secrets -> host state -> op-deployer (preflight, apply, inspect) -> services
 * (prestate-gated challenger and dispute-mon) -> outputs. index.ts calls `opStack` and exports its outputs.
 */
import * as pulumi from "@pulumi/pulumi";

import { BINARY_OF, CONTAINER_PORTS, EXECUTION_CLIENT_ALIAS, HOST_LOOPBACK_PORTS, STANDARD_ABSOLUTE_PRESTATE } from "./config/defaults.js";
import { imageRef } from "./config/images.js";
import { configWarnings } from "./config/load.js";
import type { StackConfig } from "./config/schema.js";
import { OpDeployer } from "./deployer/index.js";
import { contentSha256 } from "./deployer/deployment.js";
import { Host } from "./host/index.js";
import { tunnelCommand } from "./host/ssh.js";
import { RailLedger, RailServices, RailSmoke } from "./ledger/index.js";
import { RELAYER_ON_NETWORK } from "./ledger/services.js";
import { railGate, type RailDeployment, type SmokeOutput } from "./ledger/steps.js";
import { privateKeyToAddress } from "viem/accounts";
import { LEDGER_EIP712_NAME, LEDGER_EIP712_VERSION } from "../rail/signoff.js";
import { HostState } from "./host/state.js";
import { prestateGate } from "./prestate/gate.js";
import { Day2 } from "./day2/index.js";
import { intentDrift, IntentDriftError } from "./day2/intent-drift.js";
import { assertForkGate, assertProofProgramGate, stackPins } from "./preflight/preflight.js";
import { Secrets } from "./secrets/index.js";
import { OpBatcher } from "./services/op-batcher/index.js";
import { OpChallenger } from "./services/op-challenger/index.js";
import { OpDisputeMon } from "./services/op-dispute-mon/index.js";
import { ExecutionClientService } from "./services/execution-client.js";
import { OpNode } from "./services/op-node/index.js";
import { OpProposer } from "./services/op-proposer/index.js";
import { hostPaths } from "./services/paths.js";
import { Monitoring, monitoringEndpoints } from "./monitoring/index.js";
import { type PeerOutput, VerifierPeer } from "./peers/index.js";
import { sequencerForwardUrl } from "./services/node-role.js";
import { libp2pPeerId, opNodeMultiaddr } from "./services/op-node/peer-id.js";
import type { ServiceContext } from "./services/service.js";

export interface DisputePathStatus {
  enabled: boolean;
  /** Why op-challenger / op-dispute-mon are not running, when they are not. */
  challenger: string;
  disputeMon: string;
  proposerGameType: number;
  absolutePrestate: string;
}

/** Private endpoints: on the host's loopback (reach them through an SSH tunnel) and on the Docker network. */
export function serviceEndpoints(host: StackConfig["host"]): Record<string, { host: string; network: string; tunnel?: string; private?: string }> {
  const tunnel = (port: number) => tunnelCommand(host, [port]);
  return {
    l2Rpc: {
      host: `http://127.0.0.1:${HOST_LOOPBACK_PORTS.l2Http}`,
      network: `http://${EXECUTION_CLIENT_ALIAS}:${CONTAINER_PORTS.executionClient.http}`,
      tunnel: tunnel(HOST_LOOPBACK_PORTS.l2Http),
      // Where the verifier peers forward transactions: a WebSocket RPC serving eth, net, web3 (ecp:host.privateAddress).
      ...(host.privateAddress === undefined ? {} : { private: sequencerForwardUrl(host.privateAddress) }),
    },
    opNodeRpc: {
      host: `http://127.0.0.1:${HOST_LOOPBACK_PORTS.opNodeRpc}`,
      network: `http://op-node:${CONTAINER_PORTS.opNode.rpc}`,
      tunnel: tunnel(HOST_LOOPBACK_PORTS.opNodeRpc),
    },
    opBatcherRpc: { host: `http://127.0.0.1:${HOST_LOOPBACK_PORTS.opBatcherRpc}`, network: `http://op-batcher:${CONTAINER_PORTS.opBatcher.rpc}` },
    opProposerRpc: { host: `http://127.0.0.1:${HOST_LOOPBACK_PORTS.opProposerRpc}`, network: `http://op-proposer:${CONTAINER_PORTS.opProposer.rpc}` },
  };
}

export type RailStatus =
  | { deployed: false; reason: string }
  | {
      deployed: true;
      chainId: number;
      ledger: string;
      /** The witness registry is the ledger itself (EveryChannelObservationLedger is an EveryChannelWitnessRegistry). */
      registry: string;
      rail: string;
      /** The block the ledger was deployed in: where a witness's `--from-block` (NixOS `fromBlock`) starts. */
      deployBlock: string;
      owner: string;
      /** What witnesses sign over (rail/signoff.ts): the ledger's EIP-712 domain. */
      eip712: { name: string; version: string; chainId: number; verifyingContract: string };
      /** The members as the chain has them after the reconcile, named from `ecp:rail.witnesses`. */
      witnesses: { name: string; address: string; relayer?: string }[];
      quorum: number;
      relayer: RailRelayerEndpoints;
      /** ecp-forge's own witness, when `ecp:railWitnessKey` is set. */
      hostWitness: string | null;
      smoke: SmokeOutput;
    };

export interface RailRelayerEndpoints {
  address: string;
  /** On the stack's Docker network. */
  network: string;
  /** On ecp-forge's loopback; reach it from elsewhere through `tunnel`. */
  host: string;
  tunnel: string;
  /** On ecp:host.privateAddress, for witnesses on other hosts. */
  private?: string;
}

/** The rail output from what the deploy step read back from the chain and the config's names. */
export function railStatus(
  config: Pick<StackConfig, "rail" | "host">,
  d: RailDeployment,
  relayerAddress: string,
  smoke: SmokeOutput,
): Extract<RailStatus, { deployed: true }> {
  const named = new Map(config.rail.witnesses.map((w) => [w.address.toLowerCase(), w]));
  const port = HOST_LOOPBACK_PORTS.railRelayer;
  return {
    deployed: true,
    chainId: d.chainId,
    ledger: d.ledger,
    registry: d.ledger,
    rail: d.rail,
    deployBlock: d.deployBlock,
    owner: d.owner,
    eip712: { name: LEDGER_EIP712_NAME, version: LEDGER_EIP712_VERSION, chainId: d.chainId, verifyingContract: d.ledger },
    witnesses: d.witnesses.map((a) => {
      const w = named.get(a.toLowerCase());
      return { name: w?.name ?? "(not in ecp:rail.witnesses)", address: a, ...(w?.relayer === undefined ? {} : { relayer: w.relayer }) };
    }),
    quorum: d.quorum,
    relayer: {
      address: relayerAddress,
      network: RELAYER_ON_NETWORK,
      host: `http://127.0.0.1:${port}`,
      tunnel: tunnelCommand(config.host, [port]),
      ...(config.host.privateAddress === undefined ? {} : { private: `http://${config.host.privateAddress}:${port}` }),
    },
    hostWitness: config.rail.witnessKey === undefined ? null : privateKeyToAddress(config.rail.witnessKey.reveal()),
    smoke,
  };
}

export interface OpStackOptions {
  /** `pulumi.getStack()`, as a container label. */
  stack: string;
  protectDeployment?: boolean;
  /** Where config warnings go (default: the Pulumi log, shown by preview and up). */
  warn?: (message: string) => void;
  /** The clock the fork gate reads (ms since epoch); tests pin it. */
  now?: () => number;
  /** How a preview checks that the host (or its bastion) answers; tests replace it. */
  probeHost?: (address: string, port: number) => Promise<void>;
}

export function opStack(config: StackConfig, options: OpStackOptions) {
  const warn = options.warn ?? ((m: string) => void pulumi.log.warn(m));
  for (const w of configWarnings(config)) warn(w);
  // The fork gate over the built-in table, on every preview and up, before anything is planned: a pin below
  // the minimum for an L1 fork that is active or due within ecp:forkHorizonDays stops here, naming it.
  const nowUnix = Math.floor((options.now ?? Date.now)() / 1000);
  assertForkGate({ pins: stackPins(config), horizonDays: config.forkHorizonDays, nowUnix });
  // The prestate's program is gated like a service: a cannon game that cannot read L1's headers stops here,
  // and the permissioned game gets a warning that says what it means for disputes.
  for (const w of assertProofProgramGate(config, nowUnix)) warn(w);

  const paths = hostPaths(config.stateDir);
  const host = new Host("ecp-forge", { host: config.host, ...(options.probeHost === undefined ? {} : { probe: options.probeHost }) });
  const secrets = new Secrets("ecp", { config });
  const state = new HostState("ecp-state", {
    connection: host.connection,
    dockerProvider: host.docker,
    paths,
    jwtHex: secrets.jwtHex,
    destroyRemovesState: config.destroyRemovesState,
    cleanupImage: imageRef(config.rail.nodeImage),
  });

  const deployer = new OpDeployer(
    "op-deployer",
    {
      config,
      connection: host.connection,
      paths,
      secrets,
      roles: secrets.roles,
      ...(options.protectDeployment === undefined ? {} : { protectDeployment: options.protectDeployment }),
    },
    { dependsOn: [state.dirs] },
  );
  const deployment = deployer.deployment;
  const configHash = deployment.apply((d) => contentSha256(`${d.genesisSha256}\n${d.rollupSha256}`));

  // Day 2: what the chain runs with comes from L1, and role keys or a prestate set after deploy are carried
  // out there by the deployer's owner calls before any service starts (components/day2).
  // A change to what the chain was deployed from that day 2 cannot carry out stops here (intent-drift.ts).
  const checkedDeployment = pulumi.all([deployer.intent, deployment]).apply(([intent, d]) => {
    const problems = intentDrift(intent.chains[0]!, d.appliedChain);
    if (problems.length > 0) throw new IntentDriftError(problems);
    return d;
  });
  const day2 = new Day2("day2", {
    config,
    roles: secrets.roles,
    secrets,
    addresses: checkedDeployment.apply((d) => d.addresses),
    dependsOn: [deployer.inspect],
  });

  const ctx: ServiceContext = {
    dockerProvider: host.docker,
    connection: host.connection,
    network: state.network,
    secrets,
    stack: options.stack,
    role: "sequencer",
  };
  const common = { ctx, config, paths, configHash };

  const executionClient = new ExecutionClientService(config.executionClient, {
    ...common,
    genesisSha256: deployment.apply((d) => d.genesisSha256),
    dependsOn: [deployer.inspect, state.jwt, day2.step],
  });
  const opNode = new OpNode("op-node", { ...common, dependsOn: [executionClient.ready, state.jwt] });
  new OpBatcher("op-batcher", { ...common, dependsOn: [opNode.ready] });
  new OpProposer("op-proposer", {
    ...common,
    addresses: deployment.apply((d) => d.addresses),
    dependsOn: [opNode.ready],
  });

  // Decided from config alone (resources cannot wait on outputs to exist). Day 2 puts the configured prestate
  // on chain; OpChallenger re-checks it against what L1 reports after that step.
  const gate = prestateGate(config, config.prestate?.hash ?? STANDARD_ABSOLUTE_PRESTATE);
  if (gate.challenger.create) {
    const challenger = new OpChallenger("op-challenger", {
      ...common,
      deployment: pulumi.all([deployment, day2.report]).apply(([d, r]) => ({ addresses: d.addresses, absolutePrestate: r.after.absolutePrestate as `0x${string}` })),
      dependsOn: [opNode.ready],
    });
    if (gate.disputeMon.create) {
      new OpDisputeMon("op-dispute-mon", {
        ...common,
        addresses: deployment.apply((d) => d.addresses),
        roles: secrets.roles,
        dependsOn: [challenger.ready],
      });
    }
  }

  // The observation rail on the new chain (components/ledger), gated on `ecp:rail.witnesses`: the ledger and
  // its witness set, the relayer (and ecp-forge's own witness) as services, and the network smoke.
  const railGateResult = railGate(config.rail);
  let railOutput: pulumi.Output<RailStatus> = pulumi.output<RailStatus>({ deployed: false, reason: railGateResult.deploy ? "" : railGateResult.reason });
  let railRunning = { relayer: false, witness: false };
  if (railGateResult.deploy) {
    const ledger = new RailLedger("rail", {
      config,
      connection: host.connection,
      dockerProvider: host.docker,
      paths,
      secrets,
      portal: deployment.apply((d) => d.addresses.OptimismPortalProxy),
      dependsOn: [executionClient.ready, opNode.ready],
      ...(options.protectDeployment === undefined ? {} : { protect: options.protectDeployment }),
    });
    const railServices = new RailServices("rail-services", { config, ctx, paths, ledger, configHash });
    railRunning = { relayer: true, witness: railServices.witness !== undefined };
    const smoke = new RailSmoke("rail-smoke", { config, connection: host.connection, paths, secrets, ledger });
    railOutput = pulumi
      .all([ledger.deployment, secrets.railRelayerAddress!, smoke.summary])
      .apply(([d, relayerAddress, summary]): RailStatus => railStatus(config, d, relayerAddress, summary));
  }

  // op-node's libp2p identity (from the stack's key): what every verifier keeps as a static peer.
  const sequencerPeer = pulumi.unsecret(
    secrets.opNodeP2pKeyHex.apply((key) => {
      const peerId = libp2pPeerId(`0x${key}`);
      const where: { address: string; advertiseIp?: string } = { address: config.host.address };
      if (config.p2p.advertiseIp !== undefined) where.advertiseIp = config.p2p.advertiseIp;
      return { peerId, multiaddr: opNodeMultiaddr(where, config.p2p.opNodePort, peerId) };
    }),
  );

  // Verifier peers (components/peers): one component tree per host, each depending on ecp-forge's deployment only.
  const peers = config.peers.map(
    (peer, index) =>
      new VerifierPeer({
        peer,
        index,
        config,
        stack: options.stack,
        secrets,
        sequencerPaths: paths,
        // On ecp-forge's private address when it has one (its P2P port listens on every address).
        sequencerMultiaddr: sequencerPeer.apply((p) =>
          config.host.privateAddress === undefined ? p.multiaddr : opNodeMultiaddr({ address: config.host.privateAddress }, config.p2p.opNodePort, p.peerId),
        ),
        chainConfig: deployment.apply((d) => ({ genesisSha256: d.genesisSha256, rollupSha256: d.rollupSha256 })),
        configHash,
        dependsOn: [deployer.inspect, day2.step],
        ...(options.probeHost === undefined ? {} : { probeHost: options.probeHost }),
      }),
  );

  // Prometheus, Alertmanager and Grafana on the same network (components/monitoring).
  const monitoring = config.monitoring.enabled
    ? new Monitoring("monitoring", {
        config,
        ctx,
        paths,
        running: { challenger: gate.challenger.create, disputeMon: gate.disputeMon.create, railRelayer: railRunning.relayer, railWitness: railRunning.witness },
        dependsOn: [state.dirs],
      })
    : undefined;

  const disputePath: pulumi.Output<DisputePathStatus> = day2.report.apply((r) => ({
    enabled: gate.enabled,
    challenger: gate.challenger.create ? "running" : gate.challenger.reason,
    disputeMon: gate.disputeMon.create ? "running" : gate.disputeMon.reason,
    proposerGameType: config.proofs.proposerGameType,
    // Read from L1 after day 2, not from state.json's appliedIntent.
    absolutePrestate: r.after.absolutePrestate,
  }));

  const outputs = {
    l1ChainId: config.l1ChainId,
    l2ChainId: config.l2ChainId,
    /** Every L1 address the services use, by the names of op-deployer's state.json, plus the batch inbox. */
    l1Addresses: deployment.apply((d) => d.addresses),
    /** `op-deployer inspect l1`, as op-deployer reports it. */
    l1Contracts: deployment.apply((d) => d.l1),
    l1StartBlock: deployment.apply((d) => ({ hash: d.startBlock.hash, number: d.startBlock.number.toString() })),
    l2GenesisHash: deployment.apply((d) => d.rollup.genesis.l2.hash),
    genesisSha256: deployment.apply((d) => d.genesisSha256),
    rollupSha256: deployment.apply((d) => d.rollupSha256),
    forks: deployment.apply((d) => d.rollup.forks),
    intentSha256: deployer.intentHash,
    roles: secrets.roles,
    /** What L1 says the chain runs with (game prestate, proposer, challenger, batcher, signer), and the owner
     *  calls the last update sent to get there. */
    onChain: day2.report,
    endpoints: serviceEndpoints(config.host),
    /** op-node's libp2p identity (from the stack's key): what a verifier puts in its `ecp:p2p.staticPeers`. */
    sequencerPeer,
    /** Each verifier peer by name: its peer id and multiaddr, its L2 RPC (public when configured) and tunnels. */
    peers: pulumi.all(Object.fromEntries(peers.map((p, i) => [config.peers[i]!.name, p.output]))) as pulumi.Output<Record<string, PeerOutput>>,
    /** The execution client that runs: op-reth or op-geth. */
    executionClient: config.executionClient,
    services: Object.values(BINARY_OF).filter(
      (b) =>
        (b !== "op-reth" || config.executionClient === "op-reth") &&
        (b !== "op-geth" || config.executionClient === "op-geth") &&
        (b !== "op-challenger" || gate.challenger.create) &&
        (b !== "op-dispute-mon" || gate.disputeMon.create),
    ),
    disputePath,
    rail: railOutput,
    /** The monitoring UIs on the host's loopback, the SSH tunnel that reaches them, Grafana's user, and where
     *  alerts go. */
    monitoring:
      monitoring === undefined
        ? { enabled: false as const }
        : {
            enabled: true as const,
            ...monitoringEndpoints(config.host),
            alerts: config.alertWebhookUrl === undefined ? "not sent anywhere: set ecp:alertWebhookUrl" : "sent to the webhook in ecp:alertWebhookUrl",
          },
    /** Grafana's admin password, a secret output of its own (`pulumi stack output grafanaAdminPassword
     *  --show-secrets`) so the rest of `monitoring` stays readable. */
    grafanaAdminPassword: monitoring?.grafanaAdminPassword,
    undeployable:
      "The Sepolia L1 contracts cannot be undeployed: `pulumi destroy` removes the containers (and the state directories only with ecp:destroyRemovesState) but leaves the L1 deployment and op-deployer's state.json record on the host.",
  };
  return { outputs, parts: { host, secrets, state, deployer, ctx, paths, executionClient, opNode, monitoring, peers } };
}

/**
 * Full keys Pulumi holds as secrets, among `keys`. Uses the runtime's own `isConfigSecret` (exported at
 * runtime, not in the type declarations), which reads the config store the language host fills; falls
 * back to PULUMI_CONFIG_SECRET_KEYS, where older hosts put the list.
 */
export function configSecretKeys(keys: Iterable<string>, env: NodeJS.ProcessEnv = process.env): string[] {
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (typeof isSecret === "function") return [...keys].filter((k) => isSecret(k));
  const raw = env["PULUMI_CONFIG_SECRET_KEYS"];
  if (raw === undefined || raw === "") return [];
  const parsed = JSON.parse(raw) as unknown;
  const listed = new Set(Array.isArray(parsed) ? parsed.filter((k): k is string => typeof k === "string") : []);
  return [...keys].filter((k) => listed.has(k));
}
