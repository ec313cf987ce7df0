/**
 * The fork gate: before deploying, check the pinned OP Stack versions against the L1 forks that are active or
 * about to activate on Sepolia. Pure functions; the caller reads the L1 (beacon `fork_schedule`, EL `eth_config`)
 * and passes the answers in. Data lives in fork-minimums.ts.
 *
 * What it does not do: it does not check L2 forks (Karst and later are set by the rollup config), and it does not
 * fetch anything. If reading the schedule fails, the caller decides; without a schedule the gate works from the
 * static table alone.
 */
import { z } from "zod";

import { fullKey } from "../config/schema.js";
import {
  COMPONENT_BINARY,
  COMPONENT_CONFIG_PATH,
  COMPONENT_NAMES,
  type ComponentMinimum,
  type ComponentName,
  FORK_MINIMUMS,
  type GatedForkName,
  PROOF_PROGRAM_MINIMUMS,
  type ProofProgram,
  SECONDS_PER_EPOCH,
  SEPOLIA_BEACON_GENESIS_TIME,
  SEPOLIA_BLOB_PARAMETER_FORKS,
  SEPOLIA_FORKS,
  type SepoliaFork,
} from "./fork-minimums.js";

const FORK_TABLE = "components/preflight/fork-minimums.ts";
const MAX_UINT64 = 2n ** 64n - 1n;
/** The latest second a JS Date can show (8.64e15 ms). Epoch times past it are placeholders (FAR_FUTURE_EPOCH). */
const MAX_DATE_SECONDS = 8_640_000_000_000n;

// -- errors -------------------------------------------------------------------------------------

/** A JSON answer from the L1 that does not have the documented shape. The message names every bad field. */
export class ForkAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ForkAnswerError";
  }
}

/** A tag that is not a release version ("latest", a branch, a digest). */
export class VersionTagError extends Error {
  constructor(readonly tag: string) {
    super(`${received(tag)} is not a release tag like v1.19.5: a moving tag, a branch or a digest cannot be compared with a minimum version`);
    this.name = "VersionTagError";
  }
}

function received(input: unknown): string {
  if (input === undefined) return "nothing (the field is missing)";
  if (input === null) return "null";
  if (typeof input === "string") return JSON.stringify(input.length > 40 ? `${input.slice(0, 39)}…` : input);
  if (typeof input === "number" || typeof input === "boolean" || typeof input === "bigint") return `the ${typeof input} ${String(input)}`;
  if (Array.isArray(input)) return "a list";
  return "a JSON object";
}

/** A zod `error` callback: "must be <expected>, got <what was there>". */
function mustBe(expected: string): (issue: { input?: unknown }) => string {
  return (issue) => `must be ${expected}, got ${received(issue.input)}`;
}

/** ["data", 7, "epoch"] -> "data[7].epoch"; [] -> "the answer". */
function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the answer";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

function parseWith<T>(schema: z.ZodType<T>, json: unknown, what: string): T {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${fieldName(issue.path)} ${issue.message}`);
  throw new ForkAnswerError(`${what} is malformed: ${problems.join("; ")}.`);
}

// -- beacon: GET /eth/v1/config/fork_schedule ---------------------------------------------------

export interface BeaconFork {
  /** Lower case. */
  previousVersion: string;
  /** Lower case. */
  currentVersion: string;
  /** Uint64; FAR_FUTURE_EPOCH (2^64 - 1) does not fit a number. */
  epoch: bigint;
}

const FORK_VERSION = /^0x[0-9a-fA-F]{8}$/;
const FORK_VERSION_TEXT = "a fork version of 0x and 8 hex digits (like 0x90000076)";
const UINT64_TEXT = "a quoted decimal string (beacon-APIs Uint64, like \"353024\")";

const forkVersionSchema = z
  .string({ error: mustBe(FORK_VERSION_TEXT) })
  .regex(FORK_VERSION, { error: mustBe(FORK_VERSION_TEXT) })
  .transform((v) => v.toLowerCase());

const beaconScheduleSchema = z.object(
  {
    data: z
      .array(
        z.object(
          {
            previous_version: forkVersionSchema,
            current_version: forkVersionSchema,
            epoch: z
              .string({ error: mustBe(UINT64_TEXT) })
              .regex(/^[0-9]{1,20}$/, { error: mustBe(UINT64_TEXT) })
              .refine((s) => BigInt(s) <= MAX_UINT64, { error: mustBe(`${UINT64_TEXT} at most 2^64 - 1`) })
              .transform((s) => BigInt(s)),
          },
          { error: mustBe("a fork object {previous_version, current_version, epoch}") },
        ),
        { error: mustBe("a list of forks") },
      )
      .min(1, { error: "must list at least the genesis fork, got an empty list" }),
  },
  { error: mustBe('a JSON object {"data": [...]}') },
);

/**
 * Validates the answer of GET /eth/v1/config/fork_schedule (beacon-APIs `getForkSchedule`):
 * `{ data: [{ previous_version, current_version, epoch }] }`, versions `^0x[0-9a-fA-F]{8}$`, epoch a quoted decimal.
 * Throws ForkAnswerError naming each bad field.
 */
export function parseBeaconForkSchedule(json: unknown): BeaconFork[] {
  const parsed = parseWith(beaconScheduleSchema, json, "the beacon fork_schedule answer");
  return parsed.data.map((f) => ({ previousVersion: f.previous_version, currentVersion: f.current_version, epoch: f.epoch }));
}

// -- EL: eth_config (EIP-7910) --------------------------------------------------------------------

export interface ElForkConfig {
  /** Unix seconds. */
  activationTime: number;
  /** EIP-6122 FORK_HASH, lower case. */
  forkId: string;
}

export interface ElConfig {
  current: ElForkConfig;
  next: ElForkConfig | null;
  last: ElForkConfig | null;
}

const FORK_ID_TEXT = "a fork id of 0x and 8 hex digits (like 0x6c1d9423)";
const ACTIVATION_TEXT = "a unix time in seconds (a non-negative integer)";

const elForkSchema = z.object(
  {
    activationTime: z
      .number({ error: mustBe(ACTIVATION_TEXT) })
      .int({ error: mustBe(ACTIVATION_TEXT) })
      .nonnegative({ error: mustBe(ACTIVATION_TEXT) }),
    forkId: z
      .string({ error: mustBe(FORK_ID_TEXT) })
      .regex(FORK_VERSION, { error: mustBe(FORK_ID_TEXT) })
      .transform((v) => v.toLowerCase()),
  },
  { error: mustBe("a fork configuration object {activationTime, forkId, …}") },
);

const elConfigSchema = z.object(
  {
    current: elForkSchema,
    next: elForkSchema.nullable(),
    last: elForkSchema.nullable(),
  },
  { error: mustBe('the eth_config result {"current", "next", "last"}') },
);

/**
 * Validates the result of `eth_config` (EIP-7910; ethereum/execution-apis `eth_config`): `{current, next, last}`,
 * `next` and `last` null when nothing is scheduled. Keeps `activationTime` and `forkId` of each; the rest
 * (blobSchedule, precompiles, systemContracts, chainId) is not checked. Throws ForkAnswerError naming each bad field.
 */
export function parseElConfig(json: unknown): ElConfig {
  return parseWith(elConfigSchema, json, "the eth_config result");
}

// -- versions -----------------------------------------------------------------------------------

interface Version {
  core: [string, string, string];
  prerelease: string[];
}

// SemVer 2.0.0 grammar with an optional leading "v": numbers without leading zeros, dot-separated pre-release
// identifiers, build metadata ignored.
const NUMBER = "0|[1-9][0-9]*";
const PRE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const VERSION = new RegExp(
  `^v?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);

function parseVersion(tag: string): Version {
  const m = VERSION.exec(tag);
  if (m === null) throw new VersionTagError(tag);
  return { core: [m[1] ?? "0", m[2] ?? "0", m[3] ?? "0"], prerelease: m[4] === undefined ? [] : m[4].split(".") };
}

/** True for release tags like v1.19.5 or v1.19.1-rc.1; false for "latest", branches and digests. */
export function isVersionTag(tag: string): boolean {
  return VERSION.test(tag);
}

/** Decimal strings without leading zeros: the longer is larger, else compare as text. No precision limit. */
function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const NUMERIC_ID = /^[0-9]+$/;

/**
 * Compares release tags in SemVer order: -1 if a < b, 0 if equal, 1 if a > b. A pre-release sorts below its
 * release (v1.19.1-rc.1 < v1.19.1). Throws VersionTagError for anything that is not a version ("latest",
 * "develop", a digest): a gate must not silently pass a moving tag.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  for (let i = 0; i < 3; i++) {
    const c = compareNumeric(va.core[i] ?? "0", vb.core[i] ?? "0");
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  if (va.prerelease.length === 0 || vb.prerelease.length === 0) {
    if (va.prerelease.length === vb.prerelease.length) return 0;
    return va.prerelease.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.max(va.prerelease.length, vb.prerelease.length); i++) {
    const x = va.prerelease[i];
    const y = vb.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const xNum = NUMERIC_ID.test(x);
    const yNum = NUMERIC_ID.test(y);
    let c: number;
    if (xNum && yNum) c = compareNumeric(x, y);
    else if (xNum !== yNum) c = xNum ? -1 : 1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

// -- the gate -----------------------------------------------------------------------------------

export type Pins = Partial<Record<ComponentName, string>>;

/** What was read from the L1: the beacon fork schedule and, if the RPC answers it, the EL's eth_config. */
export interface ReadSchedule {
  beacon: readonly BeaconFork[];
  el?: ElConfig;
}

export interface ForkGateArgs {
  /** Component -> release tag, for the components this stack runs. */
  pins: Pins;
  /** Undefined when the schedule could not be read: the gate then uses the table's times alone. */
  schedule?: ReadSchedule;
  nowUnix: number;
  /** Forks activating within this many days count as if active. */
  horizonDays: number;
}

export interface ForkGateResult {
  /** Everything that must be fixed before deploying; empty when the gate passes. */
  problems: string[];
  /** Known forks active at `nowUnix`, oldest first. */
  active: string[];
  /** Known forks that activate within the horizon. */
  upcoming: string[];
  /** Forks the L1 schedules that the table does not know, at any time (those within the horizon are also problems). */
  unknown: string[];
}

/** Unix seconds -> "2026-10-06T13:53:36Z". */
export function isoTime(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(".000Z", "Z");
}

/** Unix time of an epoch's first slot, or undefined for placeholder epochs too far out to be a date. */
function epochTime(epoch: bigint): number | undefined {
  const t = BigInt(SEPOLIA_BEACON_GENESIS_TIME) + epoch * BigInt(SECONDS_PER_EPOCH);
  return t > MAX_DATE_SECONDS ? undefined : Number(t);
}

function epochText(epoch: bigint): string {
  const t = epochTime(epoch);
  return `epoch ${epoch} (${t === undefined ? "not scheduled" : isoTime(t)})`;
}

function forkLabel(fork: SepoliaFork): string {
  const names = [fork.consensusName, fork.executionName].filter((n) => n !== null && n !== fork.name);
  return names.length === 0 ? fork.name : `${fork.name} (${names.join("/")})`;
}

function pinKey(component: ComponentName): string {
  return `\`${fullKey(COMPONENT_CONFIG_PATH[component])}\``;
}

function setCommand(component: ComponentName, tag: string): string {
  const path = COMPONENT_CONFIG_PATH[component];
  return `\`pulumi config set ${path.includes(".") ? "--path " : ""}${fullKey(path)} ${tag}\``;
}

interface CountedFork {
  fork: SepoliaFork;
  time: number;
  active: boolean;
}

function whenText(c: CountedFork, horizonDays: number): string {
  return c.active ? `active since ${isoTime(c.time)}` : `activating at ${isoTime(c.time)}, within the ${horizonDays}-day horizon`;
}

function minimumProblem(component: ComponentName, pin: string, m: ComponentMinimum, c: CountedFork, horizonDays: number): string | undefined {
  const binary = COMPONENT_BINARY[component];
  const fork = `Sepolia's ${c.fork.name} fork (${whenText(c, horizonDays)})`;
  const basis = `${m.kind === "required" ? "Required upstream" : "Inferred"}: ${m.why} (${m.source}).`;
  if (m.minimum === "none") return undefined;
  if (m.minimum === null) {
    return (
      `${binary} has no release that supports ${fork}, and this stack runs it (${pinKey(component)} is ${pin}). ${basis} ` +
      `${m.fix ?? `Stop running ${binary}`} before deploying.`
    );
  }
  if (!isVersionTag(pin) || compareVersions(pin, m.minimum) >= 0) return undefined;
  return (
    `${binary} ${pin} (${pinKey(component)}) is below ${m.minimum}, the minimum for ${fork}. ${basis} ` +
    `Set ${pinKey(component)} to ${m.minimum} or later: ${setCommand(component, m.minimum)}.`
  );
}

function isGated(name: string): name is GatedForkName {
  return Object.hasOwn(FORK_MINIMUMS, name);
}

/** An EL fork time the table knows: a beacon fork's EL side, or a blob-parameter fork. */
interface KnownElFork {
  label: string;
  forkId: string;
}

function knownElForks(): Map<number, KnownElFork> {
  const known = new Map<number, KnownElFork>();
  for (const f of SEPOLIA_FORKS) {
    if (f.elForkId !== null) known.set(f.activationTime, { label: forkLabel(f), forkId: f.elForkId });
  }
  for (const b of SEPOLIA_BLOB_PARAMETER_FORKS) known.set(b.activationTime, { label: `${b.name} (part of ${b.partOf})`, forkId: b.elForkId });
  return known;
}

/**
 * Judges the pins against Sepolia's forks. A fork counts when it is active (activation <= now) or activates within
 * `horizonDays`. For every counted fork and every pinned component, a pin below the fork's minimum is a problem,
 * and so is any pin of a component with no release for that fork. With a schedule it also refuses:
 * forks the table does not know (within the horizon), known forks at a different epoch than the table, counted
 * forks the beacon node does not list, and (with `eth_config`) an EL that disagrees with the table or has not
 * scheduled a counted fork. A pin that is not a release tag is always a problem.
 */
export function forkGate(args: ForkGateArgs): ForkGateResult {
  const { pins, schedule, nowUnix, horizonDays } = args;
  if (!Number.isFinite(nowUnix) || nowUnix < 0) throw new RangeError(`nowUnix must be a unix time in seconds, got ${nowUnix}`);
  if (!Number.isFinite(horizonDays) || horizonDays < 0) throw new RangeError(`horizonDays must be a non-negative number, got ${horizonDays}`);
  const horizonEnd = nowUnix + horizonDays * 86_400;
  const problems: string[] = [];
  const unknown: string[] = [];
  const counted: CountedFork[] = [];

  // 1. Where each known fork is, according to the L1 if it was read, else the table.
  const byVersion = new Map<string, BeaconFork>();
  for (const entry of schedule?.beacon ?? []) byVersion.set(entry.currentVersion, entry);
  for (const fork of SEPOLIA_FORKS) {
    let time: number | undefined = fork.activationTime;
    if (schedule !== undefined) {
      const entry = byVersion.get(fork.forkVersion);
      if (entry === undefined) {
        if (fork.activationTime <= horizonEnd) {
          problems.push(
            `the L1 beacon API (\`${fullKey("l1BeaconUrl")}\`) does not list ${forkLabel(fork)}, fork version ${fork.forkVersion}, which this stack's fork table (${FORK_TABLE}) puts at epoch ${fork.epoch} (${isoTime(fork.activationTime)}): ` +
              `its node has not been upgraded for that fork, or the L1 is not Sepolia. Use a beacon API that follows Sepolia.`,
          );
        }
      } else {
        time = epochTime(entry.epoch);
        if (entry.epoch !== BigInt(fork.epoch)) {
          problems.push(
            `the L1 schedules ${forkLabel(fork)}, fork version ${fork.forkVersion}, at ${epochText(entry.epoch)}, but this stack's fork table (${FORK_TABLE}) has epoch ${fork.epoch} (${isoTime(fork.activationTime)}): ` +
              `the table is wrong or the L1 is not Sepolia. Check \`${fullKey("l1BeaconUrl")}\` and the table before deploying.`,
          );
        }
      }
    }
    if (time !== undefined && time <= horizonEnd) counted.push({ fork, time, active: time <= nowUnix });
  }

  // 2. Forks the L1 schedules that the table does not know.
  const knownVersions = new Set(SEPOLIA_FORKS.map((f) => f.forkVersion));
  for (const entry of schedule?.beacon ?? []) {
    if (knownVersions.has(entry.currentVersion)) continue;
    unknown.push(`fork version ${entry.currentVersion} at ${epochText(entry.epoch)}`);
    const time = epochTime(entry.epoch);
    if (time !== undefined && time <= horizonEnd) {
      problems.push(
        `the L1 schedules fork version ${entry.currentVersion} at ${epochText(entry.epoch)}; this stack's fork table (${FORK_TABLE}) does not know it: ` +
          `update the table with the minimum versions before deploying.`,
      );
    }
  }

  // 3. The EL's view, if eth_config was read.
  const el = schedule?.el;
  if (el !== undefined) {
    const known = knownElForks();
    const seen = new Set<number>();
    for (const config of [el.current, el.next, el.last]) {
      if (config === null || seen.has(config.activationTime)) continue;
      seen.add(config.activationTime);
      const k = known.get(config.activationTime);
      if (k === undefined) {
        unknown.push(`EL fork at ${isoTime(config.activationTime)} (fork id ${config.forkId})`);
        if (config.activationTime <= horizonEnd) {
          problems.push(
            `the L1 execution client (\`${fullKey("l1RpcUrl")}\`) schedules a fork at ${isoTime(config.activationTime)} (fork id ${config.forkId}); this stack's fork table (${FORK_TABLE}) does not know it: ` +
              `update the table with the minimum versions before deploying.`,
          );
        }
      } else if (k.forkId !== config.forkId) {
        problems.push(
          `the L1 execution client (\`${fullKey("l1RpcUrl")}\`) reports fork id ${config.forkId} for ${k.label} at ${isoTime(config.activationTime)}, but this stack's fork table (${FORK_TABLE}) has ${k.forkId}: ` +
            `the L1 is not Sepolia or runs a different fork history. Check \`${fullKey("l1RpcUrl")}\` and the table before deploying.`,
        );
      }
    }
    const nextTime = el.next?.activationTime;
    const lastTime = el.last?.activationTime ?? nextTime;
    for (const c of counted) {
      if (c.fork.elForkId === null) continue;
      const scheduled = c.time <= el.current.activationTime || (nextTime !== undefined && lastTime !== undefined && c.time >= nextTime && c.time <= lastTime);
      if (scheduled) continue;
      const next = el.next === null ? "no next fork" : `its next fork at ${isoTime(el.next.activationTime)}`;
      problems.push(
        `the L1 execution client (\`${fullKey("l1RpcUrl")}\`) has not scheduled ${c.fork.name}, ${whenText(c, horizonDays)}: its eth_config shows the current fork from ${isoTime(el.current.activationTime)} (fork id ${el.current.forkId}) and ${next}. ` +
          `Use an L1 RPC whose client supports ${c.fork.name}.`,
      );
    }
  }

  // 4. The pins.
  const pinned = COMPONENT_NAMES.filter((name) => pins[name] !== undefined);
  for (const component of pinned) {
    const pin = pins[component] ?? "";
    if (!isVersionTag(pin)) {
      problems.push(
        `${pinKey(component)} is ${received(pin)}, not a release tag like v1.19.5: the fork gate cannot compare it with the minimum versions of Sepolia's forks. ` +
          `Pin an exact release: ${setCommand(component, "<vX.Y.Z>")}.`,
      );
    }
  }
  for (const c of counted) {
    if (!isGated(c.fork.name)) continue;
    const minimums = FORK_MINIMUMS[c.fork.name];
    for (const component of pinned) {
      const problem = minimumProblem(component, pins[component] ?? "", minimums[component], c, horizonDays);
      if (problem !== undefined) problems.push(problem);
    }
  }

  return {
    problems,
    active: counted.filter((c) => c.active).map((c) => c.fork.name),
    upcoming: counted.filter((c) => !c.active).map((c) => c.fork.name),
    unknown,
  };
}

// -- the proof program ----------------------------------------------------------------------------

export interface ProofProgramGateArgs {
  /** The prestate's program release, `op-program/vX.Y.Z` or `kona-client/vX.Y.Z` (`ecp:prestate.program`). */
  program: string;
  /** True when the permissionless cannon game (type 0) is the one in use (`ecp:permissionless`). */
  cannon: boolean;
  nowUnix: number;
  horizonDays: number;
}

export interface ProofProgramGateResult {
  /** Refusals: a cannon game whose program cannot read a counted fork's L1 headers. */
  problems: string[];
  /** What it means for the permissioned game, which runs the same program. */
  warnings: string[];
}

/**
 * The prestate's program against Sepolia's forks (active, or within the horizon), from the table alone. A
 * program below a fork's minimum cannot read that fork's L1 headers: a proof that steps through such a block
 * ends in a panic. With the cannon game in use that makes proofs unsound, so it is refused; with the
 * permissioned game it is a warning that says what it means for disputes.
 */
export function proofProgramGate(args: ProofProgramGateArgs): ProofProgramGateResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const horizonEnd = args.nowUnix + args.horizonDays * 86_400;
  const key = `\`${fullKey("prestate.program")}\``;
  const m = /^(op-program|kona-client)\/(v.+)$/.exec(args.program);
  if (m === null) {
    problems.push(`${key} is ${received(args.program)}, not a proof program release like op-program/v1.9.0 or kona-client/v1.7.0: the fork gate cannot compare it with the minimums of Sepolia's forks.`);
    return { problems, warnings };
  }
  const program = m[1] as ProofProgram;
  const version = m[2] ?? "";
  for (const fork of SEPOLIA_FORKS) {
    if (fork.activationTime > horizonEnd || !isGated(fork.name)) continue;
    const min = PROOF_PROGRAM_MINIMUMS[fork.name][program];
    if (min.minimum === "none") continue;
    if (min.minimum !== null && isVersionTag(version) && compareVersions(version, min.minimum) >= 0) continue;
    const c: CountedFork = { fork, time: fork.activationTime, active: fork.activationTime <= args.nowUnix };
    const below = min.minimum === null ? `no ${program} release is known that reads its L1 headers` : `${program} ${min.minimum} is the first release that reads its L1 headers`;
    const basis = `${min.kind === "required" ? "Required upstream" : "Inferred"}: ${min.why} (${min.source}).`;
    const what = `The prestate in ${key} is built from ${args.program}, and Sepolia's ${fork.name} fork is ${whenText(c, args.horizonDays)}: ${below}. ${basis}`;
    if (args.cannon) {
      problems.push(
        `${what} With \`${fullKey("permissionless")}\` true the cannon game (type 0) is in use, and a fault proof that steps through an L1 block from ${fork.name} on ends in a panic of the program: the game could not be settled by a proof, so proofs would be unsound. ` +
          `${min.fix ?? `Build the prestate from ${program} ${min.minimum} or later, and set ${key}`}.`,
      );
    } else {
      warnings.push(
        `${what} The permissioned game (type 1) runs the same program: a dispute between the proposer and the challenger (both role keys) that comes down to one step over such an L1 block cannot be proved either way, and would be settled by the clock, not by a proof. Nothing is disputed while both keys act honestly. ${min.fix ?? `Build the prestate from ${program} ${min.minimum} or later`}.`,
      );
    }
  }
  return { problems, warnings };
}
