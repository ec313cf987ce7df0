import { crc32 } from "node:zlib";

import { describe, expect, it } from "vitest";

import { DEFAULT_IMAGE_TAGS, IMAGE_NAMES } from "../config/defaults.js";
import {
  COMPONENT_CONFIG_PATH,
  COMPONENT_NAMES,
  FORK_MINIMUMS,
  OTHER_L1_GLAMSTERDAM,
  PROOF_PROGRAM_MINIMUMS,
  SECONDS_PER_EPOCH,
  SEPOLIA_BEACON_GENESIS_TIME,
  SEPOLIA_BLOB_PARAMETER_FORKS,
  SEPOLIA_FORKS,
} from "./fork-minimums.js";
import {
  compareVersions,
  ForkAnswerError,
  forkGate,
  isoTime,
  isVersionTag,
  parseBeaconForkSchedule,
  parseElConfig,
  type Pins,
  proofProgramGate,
  VersionTagError,
} from "./forks.js";

// -- fixtures -----------------------------------------------------------------------------------

/**
 * GET /eth/v1/config/fork_schedule as a Sepolia beacon node answers it after Glamsterdam. Every version and epoch
 * was checked against eth-clients/sepolia@00d17b43:metadata/config.yaml (GENESIS_FORK_VERSION and the
 * ALTAIR … GLOAS _FORK_VERSION / _FORK_EPOCH pairs).
 */
const SEPOLIA_FORK_SCHEDULE = {
  data: [
    { previous_version: "0x90000069", current_version: "0x90000069", epoch: "0" }, // Phase0
    { previous_version: "0x90000069", current_version: "0x90000070", epoch: "50" }, // Altair
    { previous_version: "0x90000070", current_version: "0x90000071", epoch: "100" }, // Bellatrix
    { previous_version: "0x90000071", current_version: "0x90000072", epoch: "56832" }, // Capella
    { previous_version: "0x90000072", current_version: "0x90000073", epoch: "132608" }, // Deneb
    { previous_version: "0x90000073", current_version: "0x90000074", epoch: "222464" }, // Electra
    { previous_version: "0x90000074", current_version: "0x90000075", epoch: "272640" }, // Fulu
    { previous_version: "0x90000075", current_version: "0x90000076", epoch: "353024" }, // Gloas
  ],
};

type ScheduleEntry = (typeof SEPOLIA_FORK_SCHEDULE.data)[number];

function scheduleWith(...extra: ScheduleEntry[]): { data: ScheduleEntry[] } {
  return { data: [...structuredClone(SEPOLIA_FORK_SCHEDULE.data), ...extra] };
}

/** eth_config (EIP-7910) from a Glamsterdam-ready Sepolia EL before the fork: current BPO2, next and last Amsterdam. */
const EL_CONFIG_BEFORE_GLAMSTERDAM = {
  current: {
    activationTime: 1761607008,
    blobSchedule: { baseFeeUpdateFraction: 11684671, max: 21, target: 14 },
    chainId: "0xaa36a7",
    forkId: "0x268956b6",
    precompiles: { BLS12_G1ADD: "0x000000000000000000000000000000000000000b" },
    systemContracts: { BEACON_ROOTS_ADDRESS: "0x000f3df6d732807ef1319fb7b8bb8522d0beac02" },
  },
  next: { activationTime: 1791294816, chainId: "0xaa36a7", forkId: "0x6c1d9423" },
  last: { activationTime: 1791294816, chainId: "0xaa36a7", forkId: "0x6c1d9423" },
};

const GLAMSTERDAM_TIME = 1791294816;
const unix = (iso: string): number => Date.parse(iso) / 1000;
const AFTER_GLAMSTERDAM = unix("2026-11-30T00:00:00Z");
const BEFORE_GLAMSTERDAM = unix("2026-09-20T00:00:00Z"); // 16 days before

/** A Glamsterdam-ready set, with op-reth instead of op-geth. */
const READY: Pins = {
  opReth: "v2.10.0",
  opNode: "v1.21.0",
  opBatcher: "v1.17.0",
  opProposer: "v1.16.4",
  opChallenger: "v1.9.5",
  opDisputeMon: "v1.6.0",
  opDeployer: "v0.7.1",
};

const sepolia = () => ({ beacon: parseBeaconForkSchedule(SEPOLIA_FORK_SCHEDULE) });

/** The epoch whose first slot is the first one at or after `time`. */
const epochAt = (time: number): number => Math.ceil((time - SEPOLIA_BEACON_GENESIS_TIME) / SECONDS_PER_EPOCH);

function parseError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ForkAnswerError);
    return (e as Error).message;
  }
  throw new Error("expected a ForkAnswerError");
}

// -- the table ----------------------------------------------------------------------------------

describe("fork-minimums table", () => {
  it("has every fork's time at beacon genesis 1655733600 + epoch * 384", () => {
    for (const f of [...SEPOLIA_FORKS, ...SEPOLIA_BLOB_PARAMETER_FORKS]) {
      expect([f.name, f.activationTime]).toEqual([f.name, 1655733600 + f.epoch * 384]);
    }
    expect(isoTime(GLAMSTERDAM_TIME)).toBe("2026-10-06T13:53:36Z");
    expect(isoTime(SEPOLIA_FORKS.find((f) => f.name === "Fusaka")?.activationTime ?? 0)).toBe("2025-10-14T07:36:00Z");
  });

  it("has the fork versions and epochs of eth-clients/sepolia metadata/config.yaml", () => {
    expect(SEPOLIA_FORKS.map((f) => [f.consensusName, f.forkVersion, f.epoch])).toEqual(
      SEPOLIA_FORK_SCHEDULE.data.map((d, i) => [
        ["Phase0", "Altair", "Bellatrix", "Capella", "Deneb", "Electra", "Fulu", "Gloas"][i],
        d.current_version,
        Number(d.epoch),
      ]),
    );
    expect(SEPOLIA_FORKS.find((f) => f.forkVersion === "0x90000075")).toMatchObject({ name: "Fusaka", consensusName: "Fulu" });
    expect(SEPOLIA_FORKS.find((f) => f.forkVersion === "0x90000076")).toMatchObject({ name: "Glamsterdam", consensusName: "Gloas" });
  });

  it("has EL fork ids that EIP-2124's CRC32 over Sepolia's genesis and fork times reproduces", () => {
    // Sepolia's EL genesis hash; its CRC32 is the well-known genesis FORK_HASH 0xfe3366e7.
    const genesis = Buffer.from("25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9", "hex");
    let hash = crc32(genesis);
    expect(hash).toBe(0xfe3366e7);
    const step = (n: number): void => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(n));
      hash = crc32(b, hash);
    };
    step(1735371); // MergeNetsplit block, Sepolia's only block fork after genesis
    const elForks = [...SEPOLIA_FORKS.filter((f) => f.elForkId !== null), ...SEPOLIA_BLOB_PARAMETER_FORKS].sort((a, b) => a.activationTime - b.activationTime);
    for (const f of elForks) {
      step(f.activationTime);
      expect([f.name, f.elForkId]).toEqual([f.name, `0x${hash.toString(16).padStart(8, "0")}`]);
    }
  });

  it("has an entry for every component in every gated fork, each with a source and a reason", () => {
    for (const name of IMAGE_NAMES) expect(COMPONENT_NAMES).toContain(name);
    for (const [fork, byComponent] of Object.entries(FORK_MINIMUMS)) {
      expect([fork, Object.keys(byComponent).sort()]).toEqual([fork, [...COMPONENT_NAMES].sort()]);
      for (const [component, m] of Object.entries(byComponent)) {
        if (typeof m.minimum === "string" && m.minimum !== "none") expect([component, isVersionTag(m.minimum)]).toEqual([component, true]);
        expect(m.source.length).toBeGreaterThan(0);
        expect(m.why.length).toBeGreaterThan(0);
      }
    }
    expect(FORK_MINIMUMS.Glamsterdam.opNode).toMatchObject({ minimum: "v1.19.5", kind: "required" });
    expect(FORK_MINIMUMS.Glamsterdam.opBatcher).toMatchObject({ minimum: "v1.17.0", kind: "required" });
    expect(FORK_MINIMUMS.Glamsterdam.opGeth.minimum).toBeNull();
    expect(COMPONENT_CONFIG_PATH.opNode).toBe("images.opNode.tag");
  });
});

// -- parsing ------------------------------------------------------------------------------------

describe("parseBeaconForkSchedule", () => {
  it("reads Sepolia's schedule, epochs as exact integers", () => {
    const forks = parseBeaconForkSchedule(SEPOLIA_FORK_SCHEDULE);
    expect(forks).toHaveLength(8);
    expect(forks[7]).toEqual({ previousVersion: "0x90000075", currentVersion: "0x90000076", epoch: 353024n });
    const far = parseBeaconForkSchedule(scheduleWith({ previous_version: "0x90000076", current_version: "0x9000007A", epoch: "18446744073709551615" }));
    expect(far[8]).toEqual({ previousVersion: "0x90000076", currentVersion: "0x9000007a", epoch: 2n ** 64n - 1n });
  });

  it("refuses an unquoted epoch, naming the field", () => {
    const json = scheduleWith();
    (json.data[7] as unknown as { epoch: number }).epoch = 353024;
    expect(parseError(() => parseBeaconForkSchedule(json))).toBe(
      'the beacon fork_schedule answer is malformed: data[7].epoch must be a quoted decimal string (beacon-APIs Uint64, like "353024"), got the number 353024.',
    );
  });

  it("refuses bad versions, a too-large epoch and a missing field, all at once", () => {
    const message = parseError(() =>
      parseBeaconForkSchedule({
        data: [
          { previous_version: "0x90000069", current_version: "0x9000069", epoch: "0" },
          { previous_version: "0x90000069", current_version: "0x90000070", epoch: "18446744073709551616" },
          { previous_version: "0x90000070", epoch: "100" },
        ],
      }),
    );
    expect(message).toBe(
      "the beacon fork_schedule answer is malformed: " +
        'data[0].current_version must be a fork version of 0x and 8 hex digits (like 0x90000076), got "0x9000069"; ' +
        'data[1].epoch must be a quoted decimal string (beacon-APIs Uint64, like "353024") at most 2^64 - 1, got "18446744073709551616"; ' +
        "data[2].current_version must be a fork version of 0x and 8 hex digits (like 0x90000076), got nothing (the field is missing).",
    );
  });

  it("refuses an answer without data, or with an empty list", () => {
    expect(parseError(() => parseBeaconForkSchedule({ forks: [] }))).toBe(
      "the beacon fork_schedule answer is malformed: data must be a list of forks, got nothing (the field is missing).",
    );
    expect(parseError(() => parseBeaconForkSchedule({ data: [] }))).toBe(
      "the beacon fork_schedule answer is malformed: data must list at least the genesis fork, got an empty list.",
    );
    expect(parseError(() => parseBeaconForkSchedule("<html>"))).toBe(
      'the beacon fork_schedule answer is malformed: the answer must be a JSON object {"data": [...]}, got "<html>".',
    );
  });
});

describe("parseElConfig", () => {
  it("reads activation times and fork ids, next and last nullable", () => {
    expect(parseElConfig(EL_CONFIG_BEFORE_GLAMSTERDAM)).toEqual({
      current: { activationTime: 1761607008, forkId: "0x268956b6" },
      next: { activationTime: 1791294816, forkId: "0x6c1d9423" },
      last: { activationTime: 1791294816, forkId: "0x6c1d9423" },
    });
    expect(parseElConfig({ current: { activationTime: 1791294816, forkId: "0x6C1D9423" }, next: null, last: null })).toEqual({
      current: { activationTime: 1791294816, forkId: "0x6c1d9423" },
      next: null,
      last: null,
    });
  });

  it("refuses a hex activation time and a short fork id, naming the fields", () => {
    expect(
      parseError(() =>
        parseElConfig({ ...EL_CONFIG_BEFORE_GLAMSTERDAM, current: { activationTime: "0x6a0b2a60", forkId: "0x268956" } }),
      ),
    ).toBe(
      "the eth_config result is malformed: " +
        'current.activationTime must be a unix time in seconds (a non-negative integer), got "0x6a0b2a60"; ' +
        'current.forkId must be a fork id of 0x and 8 hex digits (like 0x6c1d9423), got "0x268956".',
    );
    expect(parseError(() => parseElConfig({ current: EL_CONFIG_BEFORE_GLAMSTERDAM.current, next: null }))).toBe(
      "the eth_config result is malformed: last must be a fork configuration object {activationTime, forkId, …}, got nothing (the field is missing).",
    );
  });
});

// -- versions -----------------------------------------------------------------------------------

describe("compareVersions", () => {
  it("orders release tags numerically", () => {
    expect(compareVersions("v1.19.5", "v1.19.5")).toBe(0);
    expect(compareVersions("1.19.5", "v1.19.5")).toBe(0);
    expect(compareVersions("v1.19.0", "v1.19.5")).toBe(-1);
    expect(compareVersions("v1.21.0", "v1.19.5")).toBe(1);
    expect(compareVersions("v1.19.10", "v1.19.9")).toBe(1);
    expect(compareVersions("v1.101702.2", "v1.101603.5")).toBe(1);
    expect(compareVersions("v2.10.0", "v1.9.2")).toBe(1);
    expect(compareVersions("v1.0.0+build.5", "v1.0.0")).toBe(0);
  });

  it("sorts a pre-release below its release", () => {
    expect(compareVersions("v1.19.1-rc.1", "v1.19.1")).toBe(-1);
    expect(compareVersions("v1.19.1", "v1.19.1-rc.1")).toBe(1);
    expect(compareVersions("v1.19.1-rc.1", "v1.19.0")).toBe(1);
    expect(compareVersions("v1.19.1-rc.2", "v1.19.1-rc.10")).toBe(-1);
    expect(compareVersions("v1.0.0-alpha", "v1.0.0-alpha.1")).toBe(-1);
    expect(compareVersions("v1.0.0-1", "v1.0.0-alpha")).toBe(-1);
    expect(compareVersions("v1.0.0-alpha", "v1.0.0-beta")).toBe(-1);
  });

  it("refuses tags that are not versions", () => {
    expect(() => compareVersions("latest", "v1.19.5")).toThrow(
      new VersionTagError("latest"),
    );
    expect(() => compareVersions("latest", "v1.19.5")).toThrow(
      '"latest" is not a release tag like v1.19.5: a moving tag, a branch or a digest cannot be compared with a minimum version',
    );
    for (const tag of ["develop", `sha256:${"a".repeat(64)}`, "", "v1.19", "v1.19.5.1", "v01.19.5", "v1.19.5-"]) {
      expect(() => compareVersions("v1.19.5", tag)).toThrow(VersionTagError);
    }
  });
});

// -- the gate -----------------------------------------------------------------------------------

describe("forkGate", () => {
  it("refuses op-node v1.19.0 after Glamsterdam, naming the fork, the minimum, the source and the fix", () => {
    const result = forkGate({ pins: { ...READY, opNode: "v1.19.0" }, schedule: sepolia(), nowUnix: AFTER_GLAMSTERDAM, horizonDays: 30 });
    expect(result.problems).toEqual([
      "op-node v1.19.0 (`ecp:images.opNode.tag`) is below v1.19.5, the minimum for Sepolia's Glamsterdam fork (active since 2026-10-06T13:53:36Z). " +
        'Required upstream: the op-node v1.19.8 notes say Sepolia chains "must upgrade to op-node v1.19.5+ prior to the Glamsterdam hardfork"; older op-nodes hash post-fork L1 headers wrongly and derivation halts ' +
        "(https://github.com/ethereum-optimism/optimism/releases/tag/op-node%2Fv1.19.8). " +
        "Set `ecp:images.opNode.tag` to v1.19.5 or later: `pulumi config set --path ecp:images.opNode.tag v1.19.5`.",
    ]);
    expect(result.active).toEqual(["Phase0", "Altair", "Bellatrix", "Shapella", "Dencun", "Pectra", "Fusaka", "Glamsterdam"]);
    expect(result.upcoming).toEqual([]);
    expect(result.unknown).toEqual([]);
  });

  it("accepts op-node v1.19.5 and v1.21.0 after Glamsterdam", () => {
    for (const opNode of ["v1.19.5", "v1.21.0", "v1.20.0-rc.1"]) {
      expect(forkGate({ pins: { ...READY, opNode }, schedule: sepolia(), nowUnix: AFTER_GLAMSTERDAM, horizonDays: 30 }).problems).toEqual([]);
    }
  });

  it("refuses a release candidate of the minimum", () => {
    const { problems } = forkGate({ pins: { opNode: "v1.19.5-rc.1" }, schedule: sepolia(), nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^op-node v1\.19\.5-rc\.1 \(`ecp:images\.opNode\.tag`\) is below v1\.19\.5, the minimum for Sepolia's Glamsterdam fork/);
  });

  it('refuses "latest" even where no minimum applies', () => {
    const { problems } = forkGate({ pins: { ...READY, opNode: "latest", opProposer: "develop" }, schedule: sepolia(), nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 0 });
    expect(problems).toEqual([
      "`ecp:images.opNode.tag` is \"latest\", not a release tag like v1.19.5: the fork gate cannot compare it with the minimum versions of Sepolia's forks. Pin an exact release: `pulumi config set --path ecp:images.opNode.tag <vX.Y.Z>`.",
      "`ecp:images.opProposer.tag` is \"develop\", not a release tag like v1.19.5: the fork gate cannot compare it with the minimum versions of Sepolia's forks. Pin an exact release: `pulumi config set --path ecp:images.opProposer.tag <vX.Y.Z>`.",
    ]);
  });

  it("refuses op-geth once Glamsterdam counts: it has no release for it", () => {
    const { problems } = forkGate({ pins: { opGeth: "v1.101702.2" }, schedule: sepolia(), nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 });
    expect(problems).toEqual([
      "op-geth has no release that supports Sepolia's Glamsterdam fork (active since 2026-10-06T13:53:36Z), and this stack runs it (`ecp:images.opGeth.tag` is v1.101702.2). " +
        "Inferred: op-geth is out of support since 2026-05-31 (OP's deprecation notice) and no Glamsterdam-capable op-geth release is known; operators' notices say op-geth does not follow the chain past Glamsterdam " +
        "(https://docs.optimism.io/notices/op-geth-deprecation; https://github.com/ethereum-optimism/optimism/releases/tag/op-node%2Fv1.19.1). " +
        "Run op-reth, the L2 execution client OP supports, instead of op-geth before deploying.",
    ]);
    // Before the fork and outside the horizon, the same op-geth only has to meet the Fusaka minimum.
    expect(forkGate({ pins: { opGeth: "v1.101702.2" }, schedule: sepolia(), nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 0 }).problems).toEqual([]);
    expect(forkGate({ pins: { opGeth: "v1.101603.4" }, schedule: sepolia(), nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 0 }).problems[0]).toMatch(
      /^op-geth v1\.101603\.4 \(`ecp:images\.opGeth\.tag`\) is below v1\.101603\.5, the minimum for Sepolia's Fusaka fork \(active since 2025-10-14T07:36:00Z\)\. Required upstream:/,
    );
  });

  it("passes the stack's default images after Glamsterdam, except op-geth, which has no release for it", () => {
    const { opGeth, ...inUse } = DEFAULT_IMAGE_TAGS;
    expect(forkGate({ pins: inUse, schedule: sepolia(), nowUnix: AFTER_GLAMSTERDAM, horizonDays: 30 }).problems).toEqual([]);
    const withGeth = forkGate({ pins: { ...inUse, opGeth }, schedule: sepolia(), nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 });
    expect(withGeth.problems.map((p) => /`ecp:images\.(\w+)\.tag`/.exec(p)?.[1])).toEqual(["opGeth"]);
  });

  it("refuses the stack's previous (pre-Glamsterdam) pins after Glamsterdam, one problem per component", () => {
    const previous = { opGeth: "v1.101702.2", opNode: "v1.19.0", opBatcher: "v1.16.10", opProposer: "v1.16.3", opChallenger: "v1.9.3", opDisputeMon: "v1.5.2" };
    const { problems } = forkGate({ pins: previous, schedule: sepolia(), nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 });
    expect(problems.map((p) => /`ecp:images\.(\w+)\.tag`/.exec(p)?.[1])).toEqual(["opGeth", "opNode", "opBatcher", "opProposer", "opChallenger", "opDisputeMon"]);
    expect(problems[3]).toContain("Inferred: upstream states no minimum; v1.16.4 is the first release after the post-Glamsterdam L1 header-type fix");
  });

  it("before Glamsterdam accepts v1.19.0 with horizon 0, but refuses it with a 30-day horizon", () => {
    const now = forkGate({ pins: { ...READY, opNode: "v1.19.0" }, schedule: sepolia(), nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 0 });
    expect(now).toEqual({
      problems: [],
      active: ["Phase0", "Altair", "Bellatrix", "Shapella", "Dencun", "Pectra", "Fusaka"],
      upcoming: [],
      unknown: [],
    });
    const soon = forkGate({ pins: { ...READY, opNode: "v1.19.0" }, schedule: sepolia(), nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 30 });
    expect(soon.upcoming).toEqual(["Glamsterdam"]);
    expect(soon.problems).toHaveLength(1);
    expect(soon.problems[0]).toMatch(
      /^op-node v1\.19\.0 \(`ecp:images\.opNode\.tag`\) is below v1\.19\.5, the minimum for Sepolia's Glamsterdam fork \(activating at 2026-10-06T13:53:36Z, within the 30-day horizon\)\./,
    );
    // 15 days do not reach 2026-10-06 from 2026-09-20.
    expect(forkGate({ pins: { ...READY, opNode: "v1.19.0" }, schedule: sepolia(), nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 15 }).problems).toEqual([]);
  });

  it("refuses a fork the table does not know within the horizon, and only lists it outside", () => {
    const in10Days = epochAt(AFTER_GLAMSTERDAM + 10 * 86_400);
    const in60Days = epochAt(AFTER_GLAMSTERDAM + 60 * 86_400);
    const when = (epoch: number) => isoTime(SEPOLIA_BEACON_GENESIS_TIME + epoch * SECONDS_PER_EPOCH);

    const soon = forkGate({
      pins: READY,
      schedule: { beacon: parseBeaconForkSchedule(scheduleWith({ previous_version: "0x90000076", current_version: "0x90000077", epoch: String(in10Days) })) },
      nowUnix: AFTER_GLAMSTERDAM,
      horizonDays: 30,
    });
    expect(soon.problems).toEqual([
      `the L1 schedules fork version 0x90000077 at epoch ${in10Days} (${when(in10Days)}); this stack's fork table (components/preflight/fork-minimums.ts) does not know it: update the table with the minimum versions before deploying.`,
    ]);
    expect(soon.unknown).toEqual([`fork version 0x90000077 at epoch ${in10Days} (${when(in10Days)})`]);

    const later = forkGate({
      pins: READY,
      schedule: { beacon: parseBeaconForkSchedule(scheduleWith({ previous_version: "0x90000076", current_version: "0x90000077", epoch: String(in60Days) })) },
      nowUnix: AFTER_GLAMSTERDAM,
      horizonDays: 30,
    });
    expect(later.problems).toEqual([]);
    expect(later.unknown).toEqual([`fork version 0x90000077 at epoch ${in60Days} (${when(in60Days)})`]);

    const placeholder = forkGate({
      pins: READY,
      schedule: { beacon: parseBeaconForkSchedule(scheduleWith({ previous_version: "0x90000076", current_version: "0x90000077", epoch: "18446744073709551615" })) },
      nowUnix: AFTER_GLAMSTERDAM,
      horizonDays: 30,
    });
    expect(placeholder.problems).toEqual([]);
    expect(placeholder.unknown).toEqual(["fork version 0x90000077 at epoch 18446744073709551615 (not scheduled)"]);
  });

  it("refuses a known fork at a different epoch than the table", () => {
    const json = scheduleWith();
    json.data[7] = { previous_version: "0x90000075", current_version: "0x90000076", epoch: "353025" };
    const { problems } = forkGate({ pins: READY, schedule: { beacon: parseBeaconForkSchedule(json) }, nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 });
    expect(problems).toEqual([
      "the L1 schedules Glamsterdam (Gloas/Amsterdam), fork version 0x90000076, at epoch 353025 (2026-10-06T14:00:00Z), but this stack's fork table (components/preflight/fork-minimums.ts) has epoch 353024 (2026-10-06T13:53:36Z): " +
        "the table is wrong or the L1 is not Sepolia. Check `ecp:l1BeaconUrl` and the table before deploying.",
    ]);
  });

  it("refuses a beacon node that does not list a fork that counts", () => {
    const json = { data: SEPOLIA_FORK_SCHEDULE.data.slice(0, 7) };
    const { problems } = forkGate({ pins: READY, schedule: { beacon: parseBeaconForkSchedule(json) }, nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 });
    expect(problems).toEqual([
      "the L1 beacon API (`ecp:l1BeaconUrl`) does not list Glamsterdam (Gloas/Amsterdam), fork version 0x90000076, which this stack's fork table (components/preflight/fork-minimums.ts) puts at epoch 353024 (2026-10-06T13:53:36Z): " +
        "its node has not been upgraded for that fork, or the L1 is not Sepolia. Use a beacon API that follows Sepolia.",
    ]);
    // Still checks the pins against the fork, by the table's time.
    expect(forkGate({ pins: { opNode: "v1.19.0" }, schedule: { beacon: parseBeaconForkSchedule(json) }, nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 }).problems).toHaveLength(2);
  });

  it("works from the table alone when no schedule was read", () => {
    expect(forkGate({ pins: { opNode: "v1.19.0" }, nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 }).problems[0]).toMatch(
      /^op-node v1\.19\.0 \(`ecp:images\.opNode\.tag`\) is below v1\.19\.5, the minimum for Sepolia's Glamsterdam fork/,
    );
    expect(forkGate({ pins: READY, nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 30 })).toEqual({
      problems: [],
      active: ["Phase0", "Altair", "Bellatrix", "Shapella", "Dencun", "Pectra", "Fusaka"],
      upcoming: ["Glamsterdam"],
      unknown: [],
    });
    expect(forkGate({ pins: READY, nowUnix: GLAMSTERDAM_TIME, horizonDays: 0 }).active).toContain("Glamsterdam");
    expect(forkGate({ pins: READY, nowUnix: GLAMSTERDAM_TIME - 1, horizonDays: 0 }).active).not.toContain("Glamsterdam");
  });

  describe("with eth_config", () => {
    const beacon = parseBeaconForkSchedule(SEPOLIA_FORK_SCHEDULE);

    it("accepts a Glamsterdam-ready EL before and after the fork", () => {
      const before = parseElConfig(EL_CONFIG_BEFORE_GLAMSTERDAM);
      expect(forkGate({ pins: READY, schedule: { beacon, el: before }, nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 30 }).problems).toEqual([]);
      const after = parseElConfig({ current: EL_CONFIG_BEFORE_GLAMSTERDAM.next, next: null, last: null });
      expect(forkGate({ pins: READY, schedule: { beacon, el: after }, nowUnix: AFTER_GLAMSTERDAM, horizonDays: 30 }).problems).toEqual([]);
    });

    it("refuses an EL that has not scheduled Glamsterdam when it counts", () => {
      const stale = parseElConfig({ ...EL_CONFIG_BEFORE_GLAMSTERDAM, next: null, last: null });
      expect(forkGate({ pins: READY, schedule: { beacon, el: stale }, nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 0 }).problems).toEqual([]);
      expect(forkGate({ pins: READY, schedule: { beacon, el: stale }, nowUnix: BEFORE_GLAMSTERDAM, horizonDays: 30 }).problems).toEqual([
        "the L1 execution client (`ecp:l1RpcUrl`) has not scheduled Glamsterdam, activating at 2026-10-06T13:53:36Z, within the 30-day horizon: its eth_config shows the current fork from 2025-10-27T23:16:48Z (fork id 0x268956b6) and no next fork. " +
          "Use an L1 RPC whose client supports Glamsterdam.",
      ]);
    });

    it("refuses an EL whose fork id differs from the table", () => {
      const el = parseElConfig({ current: { activationTime: 1791294816, forkId: "0x268956b6" }, next: null, last: null });
      expect(forkGate({ pins: READY, schedule: { beacon, el }, nowUnix: AFTER_GLAMSTERDAM, horizonDays: 0 }).problems).toEqual([
        "the L1 execution client (`ecp:l1RpcUrl`) reports fork id 0x268956b6 for Glamsterdam (Gloas/Amsterdam) at 2026-10-06T13:53:36Z, but this stack's fork table (components/preflight/fork-minimums.ts) has 0x6c1d9423: " +
          "the L1 is not Sepolia or runs a different fork history. Check `ecp:l1RpcUrl` and the table before deploying.",
      ]);
    });

    it("refuses an EL fork the table does not know within the horizon, and only lists it outside", () => {
      const at = (t: number) => parseElConfig({ current: EL_CONFIG_BEFORE_GLAMSTERDAM.next, next: { activationTime: t, forkId: "0x0badf00d" }, last: { activationTime: t, forkId: "0x0badf00d" } });
      const soon = AFTER_GLAMSTERDAM + 5 * 86_400;
      expect(forkGate({ pins: READY, schedule: { beacon, el: at(soon) }, nowUnix: AFTER_GLAMSTERDAM, horizonDays: 30 })).toMatchObject({
        problems: [
          `the L1 execution client (\`ecp:l1RpcUrl\`) schedules a fork at ${isoTime(soon)} (fork id 0x0badf00d); this stack's fork table (components/preflight/fork-minimums.ts) does not know it: update the table with the minimum versions before deploying.`,
        ],
        unknown: [`EL fork at ${isoTime(soon)} (fork id 0x0badf00d)`],
      });
      const later = AFTER_GLAMSTERDAM + 90 * 86_400;
      expect(forkGate({ pins: READY, schedule: { beacon, el: at(later) }, nowUnix: AFTER_GLAMSTERDAM, horizonDays: 30 })).toMatchObject({
        problems: [],
        unknown: [`EL fork at ${isoTime(later)} (fork id 0x0badf00d)`],
      });
    });
  });

  it("refuses nonsense times", () => {
    expect(() => forkGate({ pins: READY, nowUnix: Number.NaN, horizonDays: 0 })).toThrow(RangeError);
    expect(() => forkGate({ pins: READY, nowUnix: AFTER_GLAMSTERDAM, horizonDays: -1 })).toThrow(RangeError);
  });
});

describe("proofProgramGate: the prestate's program against the L1 forks", () => {
  const AFTER = Date.parse("2026-12-06T00:00:00Z") / 1000;
  const BEFORE = Date.parse("2026-08-01T00:00:00Z") / 1000;

  it("refuses a cannon game on a program that cannot read a counted fork's headers, naming program, fork and source", () => {
    const r = proofProgramGate({ program: "op-program/v1.9.0", cannon: true, nowUnix: AFTER, horizonDays: 30 });
    expect(r.warnings).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain("built from op-program/v1.9.0, and Sepolia's Glamsterdam fork is active since 2026-10-06T13:53:36Z: no op-program release is known that reads its L1 headers.");
    expect(r.problems[0]).toContain("oracle.go:54-60");
    expect(r.problems[0]).toContain("proofs would be unsound");
  });

  it("warns for the permissioned game instead, saying what it means for disputes", () => {
    const r = proofProgramGate({ program: "op-program/v1.9.0", cannon: false, nowUnix: AFTER, horizonDays: 30 });
    expect(r.problems).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain("would be settled by the clock, not by a proof");
  });

  it("counts a fork within the horizon, and checks each fork's minimum: below Fusaka's is refused even before Glamsterdam", () => {
    expect(proofProgramGate({ program: "op-program/v1.9.0", cannon: true, nowUnix: BEFORE, horizonDays: 30 }).problems).toEqual([]);
    expect(proofProgramGate({ program: "op-program/v1.9.0", cannon: true, nowUnix: BEFORE, horizonDays: 90 }).problems[0]).toContain("within the 90-day horizon");
    const old = proofProgramGate({ program: "op-program/v1.6.1", cannon: true, nowUnix: BEFORE, horizonDays: 30 });
    expect(old.problems).toEqual([expect.stringContaining("op-program v1.8.0 is the first release that reads its L1 headers. Required upstream:")]);
    expect(old.problems[0]).toContain("Build the prestate from op-program v1.8.0 or later, and set `ecp:prestate.program`.");
  });

  it("has an entry, with a source, for every gated fork and program; none is a moving tag", () => {
    for (const fork of Object.keys(FORK_MINIMUMS) as (keyof typeof FORK_MINIMUMS)[]) {
      for (const [program, m] of Object.entries(PROOF_PROGRAM_MINIMUMS[fork])) {
        expect(m.source.length, `${fork} ${program}`).toBeGreaterThan(10);
        if (typeof m.minimum === "string" && m.minimum !== "none") expect(isVersionTag(m.minimum)).toBe(true);
        if (m.minimum === null) expect(m.fix, `${fork} ${program}`).toBeDefined();
      }
    }
    expect(proofProgramGate({ program: "kona-client/v1.7.0", cannon: true, nowUnix: AFTER, horizonDays: 30 }).problems).toHaveLength(1);
  });

  it("records Hoodi's and mainnet's Glamsterdam as data for other L1s", () => {
    expect(OTHER_L1_GLAMSTERDAM.map((f) => [f.network, f.chainId, f.date, f.status])).toEqual([
      ["hoodi", 560048, "2026-12-15", "scheduled"],
      ["mainnet", 1, "2027-01-26", "targeted"],
    ]);
  });
});
