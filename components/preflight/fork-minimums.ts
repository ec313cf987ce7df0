/**
 * Data for the fork gate (forks.ts): Sepolia's L1 forks and the oldest OP Stack release of each component that
 * works once a fork is active. Data only: every number here is a fact read from the source named next to it,
 * written out rather than computed (forks.test.ts recomputes the times and fork ids to check them).
 *
 * Sources:
 *   - "sepolia-config" is eth-clients/sepolia@00d17b43:metadata/config.yaml (docs/research/2026-11-op-deployer.md §4.3).
 *   - Times are beacon genesis 1655733600 (MIN_GENESIS_TIME 1655647200 + GENESIS_DELAY 86400) + epoch × 384 s
 *     (32 slots × 12 s), which is also the EL fork timestamp for every fork since Capella.
 *   - EL fork ids are EIP-6122 FORK_HASHes (what EIP-7910 `eth_config` reports as `forkId`): Shanghai through BPO2
 *     as in go-ethereum core/forkid/forkid_test.go; Amsterdam computed in docs/research/2026-11-op-deployer.md §4.2
 *     (EIP-2124 CRC32 over the Sepolia genesis hash, MergeNetsplit block 1735371 and the fork times) and
 *     recomputed the same way for this table.
 *   - Minimums: ../shared/research/op-stack.md §2 (Fusaka) and ../shared/research/versions-2026-11.md (Glamsterdam).
 *
 * When Sepolia schedules a new fork, forks.ts refuses to deploy until a row is added here, with its minimums.
 */
import type { ImageName } from "../config/defaults.js";

// -- components ---------------------------------------------------------------------------------

/**
 * Everything a fork can set a minimum for: the images of defaults.ts (IMAGE_NAMES, op-reth and op-geth included)
 * and op-deployer (a release binary, not an image).
 */
export type ComponentName = ImageName | "opDeployer";

export const COMPONENT_NAMES: readonly ComponentName[] = [
  "opGeth",
  "opReth",
  "opNode",
  "opBatcher",
  "opProposer",
  "opChallenger",
  "opDisputeMon",
  "opDeployer",
];

/** Release name of each component (BINARY_OF in defaults.ts, plus op-reth and op-deployer). */
export const COMPONENT_BINARY: Readonly<Record<ComponentName, string>> = {
  opGeth: "op-geth",
  opReth: "op-reth",
  opNode: "op-node",
  opBatcher: "op-batcher",
  opProposer: "op-proposer",
  opChallenger: "op-challenger",
  opDisputeMon: "op-dispute-mon",
  opDeployer: "op-deployer",
};

/** The config key (below `ecp:`) that pins each component's version. */
export const COMPONENT_CONFIG_PATH: Readonly<Record<ComponentName, string>> = {
  opGeth: "images.opGeth.tag",
  opReth: "images.opReth.tag",
  opNode: "images.opNode.tag",
  opBatcher: "images.opBatcher.tag",
  opProposer: "images.opProposer.tag",
  opChallenger: "images.opChallenger.tag",
  opDisputeMon: "images.opDisputeMon.tag",
  opDeployer: "opDeployerVersion",
};

// -- Sepolia forks ------------------------------------------------------------------------------

/** Sepolia's beacon genesis time: MIN_GENESIS_TIME 1655647200 + GENESIS_DELAY 86400 (sepolia-config). */
export const SEPOLIA_BEACON_GENESIS_TIME = 1655733600;

/** 32 slots of 12 s (mainnet preset, sepolia-config SECONDS_PER_SLOT). */
export const SECONDS_PER_EPOCH = 384;

export type SepoliaForkName =
  | "Phase0"
  | "Altair"
  | "Bellatrix"
  | "Shapella"
  | "Dencun"
  | "Pectra"
  | "Fusaka"
  | "Glamsterdam";

export interface SepoliaFork {
  /** The upgrade's common name. */
  name: SepoliaForkName;
  /** Consensus-layer name (the `*_FORK_VERSION` prefix in the config). */
  consensusName: string;
  /** Execution-layer name, for forks the EL activates at this epoch's timestamp; null otherwise. */
  executionName: string | null;
  /** Beacon fork version, `current_version` in GET /eth/v1/config/fork_schedule. */
  forkVersion: string;
  epoch: number;
  /** Unix time of the epoch's first slot, and the EL fork timestamp where `executionName` is set. */
  activationTime: number;
  /** EIP-6122 FORK_HASH once this fork is the EL's `eth_config.current`; null where the EL has no fork here. */
  elForkId: string | null;
  /** Where the version and epoch come from. */
  source: string;
  /** Where the EL timestamp and fork id come from; null with `elForkId`. */
  elSource: string | null;
}

const CONFIG = "eth-clients/sepolia@00d17b43:metadata/config.yaml";
const GETH_FORKID = "go-ethereum core/forkid/forkid_test.go (Sepolia cases)";

/** Every Sepolia beacon fork, oldest first. */
export const SEPOLIA_FORKS: readonly SepoliaFork[] = [
  {
    name: "Phase0",
    consensusName: "Phase0",
    executionName: null,
    forkVersion: "0x90000069",
    epoch: 0,
    activationTime: 1655733600, // 2022-06-20T14:00:00Z
    elForkId: null,
    source: `${CONFIG} GENESIS_FORK_VERSION (genesis, epoch 0)`,
    elSource: null,
  },
  {
    name: "Altair",
    consensusName: "Altair",
    executionName: null,
    forkVersion: "0x90000070",
    epoch: 50,
    activationTime: 1655752800, // 2022-06-20T19:20:00Z
    elForkId: null,
    source: `${CONFIG} ALTAIR_FORK_VERSION, ALTAIR_FORK_EPOCH`,
    elSource: null,
  },
  {
    // The EL side of the Merge (Paris) activated by total difficulty, not at this epoch.
    name: "Bellatrix",
    consensusName: "Bellatrix",
    executionName: null,
    forkVersion: "0x90000071",
    epoch: 100,
    activationTime: 1655772000, // 2022-06-21T00:40:00Z
    elForkId: null,
    source: `${CONFIG} BELLATRIX_FORK_VERSION, BELLATRIX_FORK_EPOCH`,
    elSource: null,
  },
  {
    name: "Shapella",
    consensusName: "Capella",
    executionName: "Shanghai",
    forkVersion: "0x90000072",
    epoch: 56832,
    activationTime: 1677557088, // 2023-02-28T04:04:48Z
    elForkId: "0xf7f9bc08",
    source: `${CONFIG} CAPELLA_FORK_VERSION, CAPELLA_FORK_EPOCH`,
    elSource: `${GETH_FORKID}: Shanghai at 1677557088, 0xf7f9bc08`,
  },
  {
    name: "Dencun",
    consensusName: "Deneb",
    executionName: "Cancun",
    forkVersion: "0x90000073",
    epoch: 132608,
    activationTime: 1706655072, // 2024-01-30T22:51:12Z
    elForkId: "0x88cf81d9",
    source: `${CONFIG} DENEB_FORK_VERSION, DENEB_FORK_EPOCH`,
    elSource: `${GETH_FORKID}: Cancun at 1706655072, 0x88cf81d9`,
  },
  {
    name: "Pectra",
    consensusName: "Electra",
    executionName: "Prague",
    forkVersion: "0x90000074",
    epoch: 222464,
    activationTime: 1741159776, // 2025-03-05T07:29:36Z
    elForkId: "0xed88b5fd",
    source: `${CONFIG} ELECTRA_FORK_VERSION, ELECTRA_FORK_EPOCH`,
    elSource: `${GETH_FORKID}: Prague at 1741159776, 0xed88b5fd`,
  },
  {
    name: "Fusaka",
    consensusName: "Fulu",
    executionName: "Osaka",
    forkVersion: "0x90000075",
    epoch: 272640,
    activationTime: 1760427360, // 2025-10-14T07:36:00Z, geth SepoliaChainConfig.OsakaTime
    elForkId: "0xe2ae4999",
    source: `${CONFIG} FULU_FORK_VERSION, FULU_FORK_EPOCH (docs/research/2026-11-op-deployer.md §4.3)`,
    elSource: `${GETH_FORKID}: Osaka at 1760427360, 0xe2ae4999`,
  },
  {
    name: "Glamsterdam",
    consensusName: "Gloas",
    executionName: "Amsterdam",
    forkVersion: "0x90000076",
    epoch: 353024,
    activationTime: 1791294816, // 2026-10-06T13:53:36Z
    elForkId: "0x6c1d9423",
    source: `${CONFIG} GLOAS_FORK_VERSION, GLOAS_FORK_EPOCH (docs/research/2026-11-op-deployer.md §4.3)`,
    elSource: "computed (EIP-2124 CRC32; docs/research/2026-11-op-deployer.md §4.2), not read from a client",
  },
];

export interface BlobParameterFork {
  name: string;
  /** The upgrade it belongs to; it needs no minimums of its own. */
  partOf: SepoliaForkName;
  epoch: number;
  activationTime: number;
  elForkId: string;
  source: string;
}

/**
 * Blob-parameter-only forks. They are not beacon forks (the beacon API lists them in BLOB_SCHEDULE, not in
 * fork_schedule), but the EL reports them in `eth_config` with fork ids of their own.
 */
export const SEPOLIA_BLOB_PARAMETER_FORKS: readonly BlobParameterFork[] = [
  {
    name: "BPO1",
    partOf: "Fusaka",
    epoch: 274176,
    activationTime: 1761017184, // 2025-10-21T03:26:24Z
    elForkId: "0x56078a1e",
    source: `${CONFIG} BLOB_SCHEDULE (15 blobs); ${GETH_FORKID}`,
  },
  {
    name: "BPO2",
    partOf: "Fusaka",
    epoch: 275712,
    activationTime: 1761607008, // 2025-10-27T23:16:48Z
    elForkId: "0x268956b6",
    source: `${CONFIG} BLOB_SCHEDULE (21 blobs); ${GETH_FORKID}`,
  },
];

// -- minimum versions ---------------------------------------------------------------------------

export type VersionTag = `v${string}`;

/**
 * How a component stands with one fork.
 * - `minimum`: a release tag (that release or later works); `null` (no release of it works: do not run it once the
 *   fork counts); `"none"` (the fork sets no minimum for it).
 * - `kind`: "required" when upstream says so; "inferred" when it is our reading, and `why` says why.
 * - `why`: the reason in one sentence, shown in the gate's message.
 * - `fix`: for `minimum: null`, what to do instead, shown in the gate's message.
 */
export interface ComponentMinimum {
  minimum: VersionTag | null | "none";
  kind: "required" | "inferred";
  source: string;
  why: string;
  fix?: string;
}

/** Forks with entries here are the ones the gate checks versions for. */
export type GatedForkName = "Fusaka" | "Glamsterdam";

const RELEASES = "https://github.com/ethereum-optimism/optimism/releases/tag";
const FUSAKA_NOTICE = "https://docs.optimism.io/notices/fusaka-notice";
const OP_GETH_NOTICE = "https://docs.optimism.io/notices/op-geth-deprecation";
const VERSIONS_NOTE = "../shared/research/versions-2026-11.md";
/** The post-Glamsterdam L1 header fix: op-geth #804, taken into the monorepo by optimism #21727 / #21920. */
const HEADER_FIX = "the first release after the post-Glamsterdam L1 header-type fix (op-geth #804, optimism #21727 / #21920)";

/**
 * Minimums per fork and component. Forks before Fusaka have no entries: the Fusaka minimums are later releases
 * than any of them needs.
 */
export const FORK_MINIMUMS: Readonly<Record<GatedForkName, Readonly<Record<ComponentName, ComponentMinimum>>>> = {
  Fusaka: {
    opNode: {
      minimum: "v1.16.2",
      kind: "required",
      source: FUSAKA_NOTICE,
      why: "the Fusaka notice requires it of every chain deriving from Sepolia",
    },
    opGeth: {
      minimum: "v1.101603.5",
      kind: "required",
      source: FUSAKA_NOTICE,
      why: "the Fusaka notice requires it of every chain deriving from Sepolia",
    },
    opReth: {
      minimum: "v1.9.2",
      kind: "required",
      source: `${FUSAKA_NOTICE} as of ethereum-optimism/docs#1868; https://github.com/paradigmxyz/reth/releases/tag/v1.9.2`,
      why: "the Fusaka notice requires it; that version is from op-reth's earlier paradigmxyz/reth releases, and the monorepo's op-reth/v2.x releases came after it",
    },
    opBatcher: {
      minimum: "v1.16.2",
      kind: "required",
      source: FUSAKA_NOTICE,
      why: "the Fusaka notice requires it, restarted after op-node",
    },
    opChallenger: {
      minimum: "v1.7.0",
      kind: "required",
      source: FUSAKA_NOTICE,
      why: "the Fusaka notice requires it of every chain deriving from Sepolia",
    },
    opProposer: {
      minimum: "none",
      kind: "inferred",
      source: FUSAKA_NOTICE,
      why: "the Fusaka notice names no op-proposer minimum",
    },
    opDisputeMon: {
      minimum: "none",
      kind: "inferred",
      source: FUSAKA_NOTICE,
      why: "the Fusaka notice names no op-dispute-mon minimum",
    },
    opDeployer: {
      minimum: "none",
      kind: "inferred",
      source: FUSAKA_NOTICE,
      why: "the Fusaka notice names no op-deployer minimum",
    },
  },
  Glamsterdam: {
    opNode: {
      minimum: "v1.19.5",
      kind: "required",
      source: `${RELEASES}/op-node%2Fv1.19.8`,
      why: 'the op-node v1.19.8 notes say Sepolia chains "must upgrade to op-node v1.19.5+ prior to the Glamsterdam hardfork"; older op-nodes hash post-fork L1 headers wrongly and derivation halts',
    },
    opBatcher: {
      minimum: "v1.17.0",
      kind: "required",
      source: `${RELEASES}/op-batcher%2Fv1.17.0`,
      why: "the op-batcher v1.17.0 notes mark it required: its batch transactions use a gas limit valid under Amsterdam's floor-data-gas rule (optimism #21921)",
    },
    opProposer: {
      minimum: "v1.16.4",
      kind: "inferred",
      source: `${RELEASES}/op-proposer%2Fv1.16.4; ${VERSIONS_NOTE}`,
      why: `upstream states no minimum; v1.16.4 is ${HEADER_FIX}`,
    },
    opChallenger: {
      minimum: "v1.9.5",
      kind: "inferred",
      source: `${RELEASES}/op-challenger%2Fv1.9.5; ${VERSIONS_NOTE}`,
      why: `upstream states no minimum; v1.9.5 is ${HEADER_FIX}`,
    },
    opDisputeMon: {
      minimum: "v1.6.0",
      kind: "inferred",
      source: `${RELEASES}/op-dispute-mon%2Fv1.6.0; ${VERSIONS_NOTE}`,
      why: `upstream states no minimum; v1.6.0 is ${HEADER_FIX}`,
    },
    opGeth: {
      minimum: null,
      kind: "inferred",
      source: `${OP_GETH_NOTICE}; ${RELEASES}/op-node%2Fv1.19.1`,
      why: "op-geth is out of support since 2026-05-31 (OP's deprecation notice) and no Glamsterdam-capable op-geth release is known; operators' notices say op-geth does not follow the chain past Glamsterdam",
      fix: "Run op-reth, the L2 execution client OP supports, instead of op-geth",
    },
    opReth: {
      minimum: "none",
      kind: "inferred",
      source: VERSIONS_NOTE,
      why: "op-reth is the L2 execution client and does not verify L1 headers itself (its Karst minimum, v2.3.2, is an L2 fork's and not gated here)",
    },
    opDeployer: {
      minimum: "none",
      kind: "inferred",
      source: `${VERSIONS_NOTE}; optimism #22916, #22947`,
      why: "upstream says nothing about op-deployer and Glamsterdam; it was still adjusting OPCM deployment gas bounds for Amsterdam in Sept 2026, an untested risk that a version check cannot catch",
    },
  },
};

// -- the proof program ------------------------------------------------------------------------------

/**
 * The programs a prestate is built from. A fault proof runs the program over the L1 blocks the disputed output
 * derives from, and the program decodes their headers itself: a program whose header type ends before a fork's
 * new fields cannot read that fork's L1 blocks, whatever the services run.
 */
export const PROOF_PROGRAMS = ["op-program", "kona-client"] as const;
export type ProofProgram = (typeof PROOF_PROGRAMS)[number];

const OP_PROGRAM_EOS = "ethereum-optimism/optimism#20358 (U19 notice: op-geth and op-program end of support 2026-05-31)";

/**
 * The oldest release of each proof program that can read an L1 fork's headers. Same shape as FORK_MINIMUMS:
 * `null` means no release is known that can (the gate refuses a `cannon` game built on it, and warns for the
 * permissioned game).
 */
export const PROOF_PROGRAM_MINIMUMS: Readonly<Record<GatedForkName, Readonly<Record<ProofProgram, ComponentMinimum>>>> = {
  Fusaka: {
    "op-program": {
      minimum: "v1.8.0",
      kind: "required",
      source: `${FUSAKA_NOTICE}; ../shared/research/op-stack.md §2 (v1.8.0-rc.4 is the Fusaka and Jovian prestate; 1.8.0 = 1.8.0-rc.4 in superchain-registry standard-prestates.toml)`,
      why: "the Fusaka notice names op-program v1.8.0-rc.4 as the Fusaka prestate",
    },
    "kona-client": {
      minimum: "none",
      kind: "inferred",
      source: FUSAKA_NOTICE,
      why: "not established here: the Fusaka notice as read names op-program's prestate only",
    },
  },
  Glamsterdam: {
    "op-program": {
      minimum: null,
      kind: "inferred",
      source:
        "mono@op-program/v1.9.0:op-program/client/l1/oracle.go:54-60 (rlp.DecodeBytes into types.Header, panic on error); go.mod:312 replaces go-ethereum with op-geth ba6bdcfef423 (2025-12-08), whose core/types/block.go Header ends at RequestsHash; rlp/decode.go:137-138 refuses extra list elements (\"input list has too many elements\"); " +
        OP_PROGRAM_EOS,
      why: "op-program v1.9.0, the newest release, decodes L1 headers with a header type that has no block-access-list hash (EIP-7928) or slot number (EIP-7843), so decoding a post-Glamsterdam L1 header fails and the program panics; op-program is out of support and no later release exists",
      fix: "Keep the dispute path permissioned (`pulumi config set ecp:permissionless false`) until a proof program that reads Glamsterdam L1 headers is released and added to this table",
    },
    "kona-client": {
      minimum: null,
      kind: "inferred",
      source: "superchain-registry#1329 (kona-client v1.7.0 prestates, 2026-09-08, the newest seen); alloy-rs/alloy#3577 (the Amsterdam header fields in alloy's Header)",
      why: "no kona-client release was read in source that decodes post-Glamsterdam L1 headers (v1.7.0 is the newest seen, its source was not readable here)",
      fix: "Check the kona-client release's L1 header type and add its version to this table before using its prestate for a cannon game",
    },
  },
};

// -- other L1s ----------------------------------------------------------------------------------------

/**
 * Glamsterdam on the other public L1s, as data for when the gate serves them (it checks Sepolia only today).
 * Dates as announced; epochs and times were not read from the networks' configs.
 */
export interface AnnouncedFork {
  network: "hoodi" | "mainnet";
  chainId: number;
  fork: "Glamsterdam";
  /** UTC date. */
  date: string;
  status: "scheduled" | "targeted";
  source: string;
}

export const OTHER_L1_GLAMSTERDAM: readonly AnnouncedFork[] = [
  { network: "hoodi", chainId: 560048, fork: "Glamsterdam", date: "2026-12-15", status: "scheduled", source: "ecp-forge issue 23 (release review of 2026-12); epoch not read from eth-clients/hoodi" },
  { network: "mainnet", chainId: 1, fork: "Glamsterdam", date: "2027-01-26", status: "targeted", source: "ecp-forge issue 23 (release review of 2026-12); not yet scheduled in client configs as far as read" },
];
