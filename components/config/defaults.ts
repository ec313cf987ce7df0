/**
 * The one home for pinned versions and default values of the ecp-forge OP Stack testnet.
 *
 * Every value here was checked against upstream source; the source is named next to it as
 * `repo@tag:path`. "mono" is the optimism monorepo (read from the okx/optimism copy, which carries
 * the upstream tags). docs/opstack-pins.md explains why this set was chosen.
 */

/** Config namespace: every key is `ecp:<name>`. */
export const CONFIG_NAMESPACE = "ecp";

// -- L1 -----------------------------------------------------------------------------------------

/** Sepolia. op-deployer's `init --l1-chain-id` default (mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/flags.go). */
export const L1_CHAIN_ID = 11155111;

/** Public Sepolia providers used by the official example (docs:create-l2-rollup-example/.example.env). */
export const DEFAULT_L1_RPC_URL = "https://ethereum-sepolia-rpc.publicnode.com";
export const DEFAULT_L1_BEACON_URL = "https://ethereum-sepolia-beacon-api.publicnode.com";

/** The official example's default L2 chain id (docs:create-l2-rollup-example/.example.env). */
export const DEFAULT_L2_CHAIN_ID = 16584;

// -- op-deployer --------------------------------------------------------------------------------

/** op-deployer release this code's intent/state shapes were verified against. */
export const OP_DEPLOYER_VERSION = "v0.7.1";

/**
 * Release asset naming (mono@op-deployer/v0.7.1:op-deployer/.goreleaser.yaml): archives are
 * `{{ .ProjectName }}-{{ .Version }}-{{ os }}-{{ arch }}.tar.gz`, wrapped in a directory of the same
 * name, published on ethereum-optimism/optimism releases under the tag `op-deployer/vX.Y.Z`.
 */
export const OP_DEPLOYER_RELEASE_BASE = "https://github.com/ethereum-optimism/optimism/releases/download";

/** `intent-type` we use (mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/state/intent.go). */
export const INTENT_TYPE = "standard-overrides";

/**
 * `standard.CurrentTag` of op-deployer v0.7.1 (mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/standard/standard.go).
 * Release-candidate contracts, but the ones this op-deployer release ships as standard.
 */
export const OP_CONTRACTS_TAG = "op-contracts/v7.0.0-rc.4";

/**
 * The Sepolia OPCM for op-contracts/v7.0.0-rc.4, which `op-deployer init --intent-type standard-overrides`
 * writes as `opcmAddress` (intent.go NewIntentStandard -> standard.OPCMImplAddressFor).
 * Source: ethereum-optimism/superchain-registry@6ddbaeba348c:validation/standard/standard-versions-sepolia.toml
 * (the registry commit pinned by mono@op-deployer/v0.7.1:go.mod).
 */
export const SEPOLIA_OPCM_ADDRESS = "0x44e197058fb98fb3618453b3d90cdef6f5db8297";

/**
 * Sepolia's shared SuperchainConfig, which a `standard-overrides` chain joins through the OPCM
 * (superchain-registry superchain/configs/sepolia/superchain.toml `superchain_config_addr`).
 */
export const SEPOLIA_SUPERCHAIN_CONFIG = "0xC2Be75506d5724086DEB7245bd260Cc9753911Be";

/**
 * The SuperchainConfig version bundled with the v7 OPCM (op-contracts/v7.0.0-rc.4 src/L1/SuperchainConfig.sol;
 * registry standard-versions-sepolia.toml v7.0.0-rc.4 superchain_config). OPContractsManagerV2._apply reverts with
 * SuperchainConfigNeedsUpgrade when the shared SuperchainConfig is older than this; newer passes.
 */
export const OPCM_SUPERCHAIN_CONFIG_VERSION = "2.4.2";

/** `artifacts.EmbeddedLocator` (mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/artifacts/locator.go). */
export const EMBEDDED_LOCATOR = "embedded";

/**
 * Chain values op-deployer's standard intent uses (mono@op-deployer/v0.7.1:op-deployer/pkg/deployer/standard/standard.go).
 */
export const STANDARD_CHAIN = {
  eip1559DenominatorCanyon: 250,
  eip1559Denominator: 50,
  eip1559Elasticity: 6,
  gasLimit: 60_000_000,
} as const;

/** Dispute game type numbers (mono@op-challenger/v1.9.3:op-challenger/game/types/game_type.go). */
export const GAME_TYPE = {
  CANNON: 0,
  PERMISSIONED_CANNON: 1,
  CANNON_KONA: 8,
} as const;

/**
 * The only game type op-deployer v0.7.1 can deploy for a new chain: DeployOPChain.s.sol requires
 * PERMISSIONED_CANNON ("only PERMISSIONED_CANNON game type is supported for initial deployment",
 * mono@op-deployer/v0.7.1:packages/contracts-bedrock/scripts/deploy/DeployOPChain.s.sol), and
 * `standard.DisputeGameType` is 1.
 */
export const INITIAL_RESPECTED_GAME_TYPE = GAME_TYPE.PERMISSIONED_CANNON;

/**
 * `standard.DisputeAbsolutePrestate`, op-deployer's default `faultGameAbsolutePrestate`: the op-program 1.3.1
 * cannon32 prestate (superchain-registry:validation/standard/standard-prestates.toml). It cannot prove our chain;
 * a private chain must build its own prestate.
 */
export const STANDARD_ABSOLUTE_PRESTATE = "0x038512e02c4c3f7bdaec27d00edf55b7155e0905301e1a88083e4e0a6764d54c";

/** op-program release to build the chain's prestate from (`make reproducible-prestate`); Jovian-capable, but it
 *  cannot read post-Glamsterdam L1 headers (components/preflight/fork-minimums.ts PROOF_PROGRAM_MINIMUMS), so the
 *  fork gate keeps a prestate built from it to the permissioned game. */
export const OP_PROGRAM_PRESTATE_TAG = "op-program/v1.9.0";

// -- images -------------------------------------------------------------------------------------

/** Official OP Labs registry; tags are the part after `<component>/` in the git tag. */
export const OPLABS_REGISTRY = "us-docker.pkg.dev/oplabs-tools-artifacts/images";

export type ImageName = "opReth" | "opGeth" | "opNode" | "opBatcher" | "opProposer" | "opChallenger" | "opDisputeMon";

export const IMAGE_NAMES: readonly ImageName[] = [
  "opReth",
  "opGeth",
  "opNode",
  "opBatcher",
  "opProposer",
  "opChallenger",
  "opDisputeMon",
];

/** Binary / container / registry name for each image key. */
export const BINARY_OF: Readonly<Record<ImageName, string>> = {
  opReth: "op-reth",
  opGeth: "op-geth",
  opNode: "op-node",
  opBatcher: "op-batcher",
  opProposer: "op-proposer",
  opChallenger: "op-challenger",
  opDisputeMon: "op-dispute-mon",
};

/**
 * The pinned image set, for Sepolia as it is since Glamsterdam (2026-10-06): op-node >= v1.19.5 and
 * op-batcher >= v1.17.0 are required there (components/preflight/fork-minimums.ts has the table and its
 * sources; the stack refuses pins below it). docs/opstack-pins.md gives each pin's source and reason, and
 * where each flag was checked: in upstream source where it is readable, else in the release notes of every
 * release since.
 */
export const DEFAULT_IMAGE_TAGS: Readonly<Record<ImageName, string>> = {
  opReth: "v2.8.2",
  opGeth: "v1.101702.2",
  opNode: "v1.20.2",
  opBatcher: "v1.17.0",
  opProposer: "v1.16.4",
  opChallenger: "v1.9.5",
  opDisputeMon: "v1.6.0",
};

// -- execution client ------------------------------------------------------------------------------

/** The L2 execution clients the stack can run. op-reth is the default: op-geth has been out of support since
 *  2026-05-31 (OP's deprecation notice; op-node v1.19.1 release notes), and has no Glamsterdam-era release. */
export const EXECUTION_CLIENTS = ["op-reth", "op-geth"] as const;
export type ExecutionClient = (typeof EXECUTION_CLIENTS)[number];
export const DEFAULT_EXECUTION_CLIENT: ExecutionClient = "op-reth";

/** The image key of each execution client. */
export const EXECUTION_CLIENT_IMAGE: Readonly<Record<ExecutionClient, ImageName>> = { "op-reth": "opReth", "op-geth": "opGeth" };

/** op-node `--l2.enginekind` for each client: `geth|reth|erigon` (mono@op-node/v1.19.1-rc.1:op-node/flags/flags.go;
 *  the default became reth in that release, so it is always passed). */
export const ENGINE_KIND: Readonly<Record<ExecutionClient, string>> = { "op-reth": "reth", "op-geth": "geth" };

/** The execution client's name on the Docker network, whichever client it is: the other services' flags name
 *  this, so switching clients changes only the client and op-node. */
export const EXECUTION_CLIENT_ALIAS = "execution";

// -- preflight ----------------------------------------------------------------------------------

/** An L1 fork scheduled within this many days counts for the fork gate as if it were active: a month gives
 *  the operator time to move the pins before the fork halts the chain. */
export const DEFAULT_FORK_HORIZON_DAYS = 30;

/** Minimum deployer balance checked before `op-deployer apply`. The tutorial budgets 1.5-3.5 ETH. */
export const DEFAULT_MIN_DEPLOYER_BALANCE = "2 ETH";

/** The L1 RPC's default fee cap (`gas × maxFeePerGas`): geth's and op-geth's `--rpc.txfeecap` (eth/ethconfig/config.go
 *  RPCTxFeeCap = 1 ether) and reth's DEFAULT_TX_FEE_CAP_WEI (crates/rpc/rpc-server-types/src/constants.rs). */
export const DEFAULT_L1_RPC_TX_FEE_CAP = "1 ETH";

// -- host ---------------------------------------------------------------------------------------

export const DEFAULT_HOST_ADDRESS = "ecp-forge";
export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_STATE_DIR = "/var/lib/ecp-opstack";
/** Where each apply's state.json, intent and chain config are copied (mount another disk or a network share
 *  there to keep them off the state directory's disk). */
export const DEFAULT_BACKUP_DIR = "/var/backups/ecp-opstack";

// -- P2P ----------------------------------------------------------------------------------------

/** op-node `p2p.listen.tcp` default (mono@op-node/v1.19.0:op-node/flags/p2p_flags.go). */
export const DEFAULT_OP_NODE_P2P_PORT = 9222;
/** The execution client's devp2p port: geth's `--port` default and reth's (`--port`, network.rs@reth v2.3.0). */
export const DEFAULT_EXECUTION_P2P_PORT = 30303;

// -- container network ---------------------------------------------------------------------------

/** Docker network the services share; service names double as network aliases. */
export const DOCKER_NETWORK = "ecp-opstack";

/**
 * Ports the services listen on inside the container. Only P2P is published publicly; RPCs are either
 * internal-only or published on 127.0.0.1 (see HOST_LOOPBACK_PORTS).
 */
export const CONTAINER_PORTS = {
  // The execution client (op-reth or op-geth): both listen on these, so the other services do not care which runs.
  // ws: only with ecp:host.privateAddress, where the peers forward transactions (eth, net, web3 only).
  executionClient: { http: 8545, ws: 8546, authrpc: 8551, metrics: 6060 },
  // op-node's own default rpc port is 9545 (mono@op-node/v1.19.0:op-node/flags/flags.go rpcDefaults).
  opNode: { rpc: 9545, metrics: 7300 },
  opBatcher: { rpc: 8548, metrics: 7300 },
  opProposer: { rpc: 8560, metrics: 7300 },
  opChallenger: { metrics: 7300 },
  opDisputeMon: { metrics: 7300 },
  // The monitoring containers' own defaults (Prometheus --web.listen-address :9090, Alertmanager :9093,
  // Grafana [server] http_port 3000).
  prometheus: { http: 9090 },
  alertmanager: { http: 9093 },
  grafana: { http: 3000 },
  // The rail processes' HTTP (relayer API or witness, /metrics, /healthz): `rail relayer` and `rail witness`
  // default ports (rail/cli.ts parseListen).
  railRelayer: { http: 8650 },
  railWitness: { http: 8651 },
} as const;

/** Host ports on 127.0.0.1 for operator access (SSH tunnel) and host-side health probes. */
export const HOST_LOOPBACK_PORTS = {
  l2Http: 8545,
  /** op-reth's metrics server, probed from the host for health (it answers any path with 200). */
  executionMetrics: 6060,
  opNodeRpc: 9545,
  opBatcherRpc: 8548,
  opProposerRpc: 8560,
  opChallengerMetrics: 7310,
  opDisputeMonMetrics: 7311,
  /** Monitoring UIs, reached through the SSH tunnel (README "Monitoring"). */
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  /** The rail relayer, for witnesses on this host and through the SSH tunnel (on ecp:host.privateAddress
   *  instead, when set, for witnesses on other hosts). */
  railRelayer: 8650,
} as const;

// -- service tuning -----------------------------------------------------------------------------

export const SERVICE_DEFAULTS = {
  logLevel: "info",
  // op-service log formats: text, terminal, logfmt, logfmtms, json, jsonms (mono@op-node/v1.19.0:op-service/log/cli.go)
  logFormat: "json",
  opNode: {
    // Tutorial value; guards the sequencer against shallow L1 reorgs when deriving.
    verifierL1Confs: 4,
  },
  opBatcher: {
    pollInterval: "1s",
    subSafetyMargin: 6,
    numConfirmations: 1,
    safeAbortNonceTooLowCount: 3,
    resubmissionTimeout: "30s",
    // L1 blocks (~5 min on Sepolia). 0 (the default) would wait for full channels, so a quiet chain's
    // safe head would only move at the sequencing window.
    maxChannelDuration: 25,
    dataAvailabilityType: "blobs",
    // 1 = span batches.
    batchType: 1,
  },
  opProposer: {
    proposalInterval: "1h",
    pollInterval: "20s",
    numConfirmations: 1,
    resubmissionTimeout: "30s",
  },
  opChallenger: {
    numConfirmations: 1,
  },
  opDisputeMon: {
    monitorInterval: "10s",
  },
} as const;

// -- observation rail on the new chain ---------------------------------------------------------------

/**
 * The Node image the bundled rail client runs in on ecp-forge (components/ledger). Official Docker Hub image;
 * Node 22 LTS. The bundle targets node20 syntax and is tested here with the Node that runs the tests.
 */
/**
 * The monitoring images (components/monitoring): Prometheus, Alertmanager and Grafana, each pinned to a
 * release whose flags and settings were checked in its source (docs/opstack-pins.md "Monitoring").
 */
export const MONITORING_IMAGE_NAMES = ["prometheus", "alertmanager", "grafana"] as const;
export type MonitoringImageName = (typeof MONITORING_IMAGE_NAMES)[number];
export const DEFAULT_MONITORING_IMAGES: Readonly<Record<MonitoringImageName, { repository: string; tag: string }>> = {
  // The long-term-support line (supported to 2027-07-31); v3.14 left support on 2026-09-30.
  prometheus: { repository: "docker.io/prom/prometheus", tag: "v3.13.2" },
  alertmanager: { repository: "docker.io/prom/alertmanager", tag: "v0.34.0" },
  // The newest 12.x; 13.x file-provisioning and plugin changes were not checked here.
  grafana: { repository: "docker.io/grafana/grafana", tag: "12.4.9" },
};

export const DEFAULT_RAIL_NODE_IMAGE = { repository: "docker.io/library/node", tag: "22.23.3-bookworm-slim" } as const;

/** L2 balances below which the rail's accounts get an L1->L2 deposit, and the balance it tops up to (ETH). */
export const DEFAULT_RAIL_FUND_MIN = "0.05";
export const DEFAULT_RAIL_FUND_TOP_UP = "0.25";
