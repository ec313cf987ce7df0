/**
 * The one zod schema for the `ecp` stack config, plus the message helpers its errors are built from.
 *
 * Every leaf owns its parsing and its message, so an error always names the key, says what was wrong,
 * shows the value received (never for secrets or RPC URLs) and gives the `pulumi config` command that fixes it.
 * `loadConfig` (load.ts) feeds this schema and collects every message into one error.
 */
import { parseEther, parseGwei } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { z } from "zod";

import {
  BINARY_OF,
  CONFIG_NAMESPACE,
  CONTAINER_PORTS,
  DEFAULT_HOST_ADDRESS,
  DEFAULT_IMAGE_TAGS,
  DEFAULT_L1_BEACON_URL,
  DEFAULT_L1_RPC_URL,
  DEFAULT_L2_CHAIN_ID,
  DEFAULT_MIN_DEPLOYER_BALANCE,
  DEFAULT_L1_RPC_TX_FEE_CAP,
  OP_PROGRAM_PRESTATE_TAG,
  DEFAULT_BACKUP_DIR,
  DEFAULT_EXECUTION_CLIENT,
  DEFAULT_EXECUTION_P2P_PORT,
  DEFAULT_FORK_HORIZON_DAYS,
  EXECUTION_CLIENTS,
  type ExecutionClient,
  DEFAULT_OP_NODE_P2P_PORT,
  DEFAULT_SSH_PORT,
  DEFAULT_STATE_DIR,
  GAME_TYPE,
  HOST_LOOPBACK_PORTS,
  IMAGE_NAMES,
  type ImageName,
  L1_CHAIN_ID,
  OP_DEPLOYER_VERSION,
  OPLABS_REGISTRY,
  DEFAULT_RAIL_FUND_MIN,
  DEFAULT_RAIL_FUND_TOP_UP,
  DEFAULT_RAIL_NODE_IMAGE,
  DEFAULT_MONITORING_IMAGES,
  MONITORING_IMAGE_NAMES,
  type MonitoringImageName,
} from "./defaults.js";
import { type PeerConfig, parsePeers, peerConflicts } from "./peers.js";
import { IPV4, isHostAddress, isPrivateIpv4, parseJump, SSH_HOST_KEY, UNIX_USER } from "./patterns.js";
import { Redacted } from "./secret.js";
import { parseRailWitnesses, quorumProblem, type RailWitness, smallestMajority } from "./witnesses.js";

export type Hex = `0x${string}`;

// -- message helpers ----------------------------------------------------------------------------

/** `host.user` -> `ecp:host.user`. */
export function fullKey(path: string): string {
  return `${CONFIG_NAMESPACE}:${path}`;
}

interface FixSpec {
  /** Dotted path below the namespace, e.g. `l2ChainId` or `host.user`; the fix command sets this key. */
  path: string;
  /** The key the message is about, when it differs from `path` (an object key fixed through one of its leaves). */
  key?: string;
  /** Value shown in the fix command. */
  example: string;
  /** Secret keys are set with `--secret` and typed at the prompt, never on the command line. */
  secret?: boolean;
  /** What to paste at the prompt, for secret keys. */
  promptHint?: string;
}

/** The `Run ...` sentence that fixes a key. */
export function fixHint(spec: FixSpec): string {
  const key = fullKey(spec.path);
  if (spec.secret) {
    return `Run \`pulumi config set --secret ${key}\` and paste ${spec.promptHint ?? "the value"} when prompted.`;
  }
  const pathFlag = spec.path.includes(".") ? "--path " : "";
  return `Run \`pulumi config set ${pathFlag}${key} ${spec.example}\`.`;
}

function truncate(text: string, max = 64): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** How a received value is shown in a message. Secrets and URLs are never echoed. */
export type Echo = "value" | "hidden" | "url";

export function describeReceived(input: unknown, echo: Echo = "value"): string {
  if (echo === "hidden") {
    const length = typeof input === "string" ? input.length : String(input).length;
    return `a value of ${length} characters (hidden)`;
  }
  if (echo === "url") {
    const length = typeof input === "string" ? input.length : String(input).length;
    return `a value of ${length} characters (hidden: RPC URLs can carry API keys)`;
  }
  if (typeof input === "string") return JSON.stringify(truncate(input));
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a JSON object";
  return String(input);
}

export function requiredMessage(spec: FixSpec): string {
  return `\`${fullKey(spec.key ?? spec.path)}\` is required. ${fixHint(spec)}`;
}

export function mustBeMessage(spec: FixSpec, expected: string, input: unknown, echo: Echo = "value"): string {
  return `\`${fullKey(spec.key ?? spec.path)}\` must be ${expected}, got ${describeReceived(input, echo)}. ${fixHint(spec)}`;
}

// -- leaf schemas -------------------------------------------------------------------------------

type ParseResult<T> = { ok: true; value: T } | { ok: false; expected?: string };

interface LeafSpec<T> extends FixSpec {
  /** Phrase after "must be", e.g. "an integer". */
  expected: string;
  echo?: Echo;
  parse: (input: unknown) => ParseResult<T>;
}

function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}
const fail = <T>(expected?: string): ParseResult<T> => (expected === undefined ? { ok: false } : { ok: false, expected });

/** A required leaf. */
function required<T>(spec: LeafSpec<T>) {
  return z.unknown().transform((input, ctx): T => {
    if (input === undefined || input === "") {
      ctx.addIssue({ code: "custom", message: requiredMessage(spec) });
      return z.NEVER;
    }
    const result = spec.parse(input);
    if (!result.ok) {
      ctx.addIssue({ code: "custom", message: mustBeMessage(spec, result.expected ?? spec.expected, input, spec.echo) });
      return z.NEVER;
    }
    return result.value;
  });
}

/** A leaf with a default (used when the key is unset). */
function withDefault<T>(spec: LeafSpec<T>, fallback: T) {
  return z
    .unknown()
    .transform((input, ctx): T => {
      const result = spec.parse(input);
      if (!result.ok) {
        ctx.addIssue({ code: "custom", message: mustBeMessage(spec, result.expected ?? spec.expected, input, spec.echo) });
        return z.NEVER;
      }
      return result.value;
    })
    .default(fallback as never);
}

/** An optional leaf without default (unset stays undefined). */
function optional<T>(spec: LeafSpec<T>) {
  return z
    .unknown()
    .transform((input, ctx): T => {
      const result = spec.parse(input);
      if (!result.ok) {
        ctx.addIssue({ code: "custom", message: mustBeMessage(spec, result.expected ?? spec.expected, input, spec.echo) });
        return z.NEVER;
      }
      return result.value;
    })
    .optional();
}

/** A nested object key (`ecp:host`, `ecp:p2p`, ...). Unset means "all defaults". */
function group<S extends z.ZodRawShape>(spec: FixSpec, shape: S) {
  // prefault: an unset object key is parsed as {}, so its leaves apply their own defaults.
  return z.object(shape, { error: (issue) => mustBeMessage(spec, "a JSON object", issue.input) }).prefault({} as never);
}

// -- parsers ------------------------------------------------------------------------------------

function toInteger(input: unknown): number | undefined {
  if (typeof input === "number" && Number.isSafeInteger(input)) return input;
  if (typeof input === "string" && /^-?\d+$/.test(input.trim())) {
    const n = Number(input.trim());
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

export type SignerRole = "batcher" | "proposer" | "challenger";
export const SIGNER_ROLES: readonly SignerRole[] = ["batcher", "proposer", "challenger"];

/** A role's remote signer: op-service's `--signer.endpoint`, `--signer.address` and its mTLS files
 *  (`--signer.tls.ca/cert/key`; TLS is on by default there: mono@op-batcher/v1.16.10 op-service/signer/cli.go,
 *  op-service/tls/cli.go). The files are host paths, mounted read-only into that role's container. */
export interface SignerConfig {
  endpoint: string;
  address: string;
  tlsCa: string;
  tlsCert: string;
  tlsKey: string;
}

const HOST_FILE = /^\/[^\0\s]+$/;

function parseSigners(input: unknown): ParseResult<Partial<Record<SignerRole, SignerConfig>>> {
  const v = jsonInput(input);
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail();
  const out: Partial<Record<SignerRole, SignerConfig>> = {};
  for (const [role, spec] of Object.entries(v as Record<string, unknown>)) {
    if (!SIGNER_ROLES.includes(role as SignerRole)) return fail(`an object whose keys are batcher, proposer or challenger (got "${role}")`);
    const s = spec as Partial<Record<keyof SignerConfig, unknown>> | null;
    if (typeof s !== "object" || s === null) return fail(`an object whose ${role} is an object`);
    const endpoint = typeof s.endpoint === "string" && /^https:\/\/\S+$/.test(s.endpoint) ? s.endpoint : undefined;
    const address = typeof s.address === "string" && /^0x[0-9a-fA-F]{40}$/.test(s.address) ? s.address : undefined;
    const files = (["tlsCa", "tlsCert", "tlsKey"] as const).map((k) => (typeof s[k] === "string" && HOST_FILE.test(s[k]) ? (s[k] as string) : undefined));
    if (endpoint === undefined) return fail(`an object whose ${role}.endpoint is an https URL (op-service signers use TLS)`);
    if (address === undefined) return fail(`an object whose ${role}.address is the 0x-prefixed 20-byte address the signer signs for`);
    if (files.some((f) => f === undefined)) return fail(`an object whose ${role}.tlsCa, tlsCert and tlsKey are absolute host paths`);
    out[role as SignerRole] = { endpoint, address, tlsCa: files[0]!, tlsCert: files[1]!, tlsKey: files[2]! };
  }
  return ok(out);
}

function integerIn(min: number, max: number) {
  return (input: unknown): ParseResult<number> => {
    const n = toInteger(input);
    if (n === undefined) return fail();
    return n >= min && n <= max ? ok(n) : fail(`an integer from ${min} to ${max}`);
  };
}

function parseBoolean(input: unknown): ParseResult<boolean> {
  if (typeof input === "boolean") return ok(input);
  if (input === "true") return ok(true);
  if (input === "false") return ok(false);
  return fail();
}

function matching(re: RegExp) {
  return (input: unknown): ParseResult<string> => (typeof input === "string" && re.test(input) ? ok(input) : fail());
}

function httpUrl(input: unknown): ParseResult<Redacted<string>> {
  if (typeof input !== "string") return fail();
  try {
    const url = new URL(input);
    return url.protocol === "http:" || url.protocol === "https:" ? ok(new Redacted(input)) : fail();
  } catch {
    return fail();
  }
}

/** secp256k1 group order: a private key must be in [1, n-1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function privateKey(input: unknown): ParseResult<Redacted<Hex>> {
  if (typeof input !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(input)) return fail();
  const n = BigInt(input);
  if (n === 0n || n >= SECP256K1_N) return fail();
  return ok(new Redacted(input.toLowerCase() as Hex));
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * An absolute prestate commitment: 32 bytes whose first byte is the VM status. A prestate is an unfinished
 * VM, status 3, so every valid absolute prestate starts with 0x03 (all superchain-registry standard prestates do).
 */
function prestateHash(input: unknown): ParseResult<Hex> {
  if (typeof input !== "string" || !HEX32.test(input)) return fail();
  const lower = input.toLowerCase() as Hex;
  return lower.startsWith("0x03") ? ok(lower) : fail("a 32-byte hex hash starting with 0x03 (an unfinished-VM commitment)");
}

/** Cannon loads binary states only (`.bin.gz`): JSON states are singlethreaded v1, which current cannon
 *  refuses (cannon/mipsevm/versions/state.go LoadStateFromFile: "JSON states are always singlethreaded
 *  v1 which is no longer supported"), and op-challenger looks a prestate up as <hash>.bin.gz. */
const PRESTATE_FILE = /\.bin\.gz$/;

function absoluteHostPath(input: unknown): ParseResult<string> {
  if (typeof input !== "string" || !input.startsWith("/") || input.split("/").includes("..")) return fail();
  return ok(input);
}

function prestatePath(input: unknown): ParseResult<string> {
  const base = absoluteHostPath(input);
  if (!base.ok) return base;
  return PRESTATE_FILE.test(base.value) ? base : fail("an absolute host path ending in .bin.gz (a Cannon binary state)");
}

function prestateUrl(input: unknown): ParseResult<string> {
  if (typeof input !== "string") return fail();
  try {
    const url = new URL(input);
    if (url.protocol !== "https:") return fail();
    return PRESTATE_FILE.test(url.pathname) ? ok(input) : fail();
  } catch {
    return fail();
  }
}

function stateDir(input: unknown): ParseResult<string> {
  const base = absoluteHostPath(input);
  if (!base.ok) return base;
  const trimmed = base.value.replace(/\/+$/, "");
  return trimmed === "" ? fail() : ok(trimmed);
}

/** Accepts `2`, `"2"`, `"2 ETH"`, `"1.5 ether"`, `"500 gwei"`, `"1000000000000000000 wei"`. */
export function parseBalance(input: unknown): ParseResult<bigint> {
  const text = typeof input === "number" && Number.isFinite(input) ? String(input) : input;
  if (typeof text !== "string") return fail();
  const m = /^\s*(\d+(?:\.\d+)?)\s*(eth|ether|gwei|wei)?\s*$/i.exec(text);
  if (!m || m[1] === undefined) return fail();
  const amount = m[1];
  const unit = (m[2] ?? "eth").toLowerCase();
  if (unit === "wei") return amount.includes(".") ? fail() : ok(BigInt(amount));
  return ok(unit === "gwei" ? parseGwei(amount) : parseEther(amount));
}

/** A proof program's release tag, as the monorepo tags it: `op-program/vX.Y.Z` or `kona-client/vX.Y.Z`. */
const PROOF_PROGRAM_TAG = /^(op-program|kona-client)\/v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** An exact release tag: no `latest`, no floating majors. */
const EXACT_TAG = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Chain ids an L2 must not reuse: Ethereum, OP Mainnet, Sepolia, OP Sepolia. */
const TAKEN_CHAIN_IDS = new Set([1, 10, L1_CHAIN_ID, 11155420]);

function l2ChainId(input: unknown): ParseResult<number> {
  const n = toInteger(input);
  if (n === undefined || n < 1) return fail();
  return TAKEN_CHAIN_IDS.has(n) ? fail("an integer that is not an existing network's chain id (1, 10, 11155111, 11155420)") : ok(n);
}

/** A list given as a JSON array (a value or a string holding one) or as a comma-separated string;
 *  undefined when it is neither. */
function listInput(input: unknown): unknown[] | undefined {
  if (Array.isArray(input)) return input;
  if (typeof input !== "string") return undefined;
  const t = input.trim();
  if (!t.startsWith("[")) return t === "" ? [] : t.split(",").map((x) => x.trim());
  const parsed = jsonInput(t);
  return Array.isArray(parsed) ? parsed : undefined;
}

/** A value given as itself or as a JSON string; undefined when a string is not JSON. */
function jsonInput(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return undefined;
  }
}

const MONITORING_TAG = /^v?\d+\.\d+\.\d+$/;

function monitoringImageGroup(name: MonitoringImageName) {
  const p = `monitoring.images.${name}`;
  const d = DEFAULT_MONITORING_IMAGES[name];
  return group(
    { key: p, path: `${p}.tag`, example: d.tag },
    {
      repository: withDefault({ path: `${p}.repository`, example: d.repository, expected: "a registry/repository path without tag", parse: matching(REPOSITORY) }, d.repository),
      tag: withDefault({ path: `${p}.tag`, example: d.tag, expected: "an exact release tag like v3.14.0 or 12.2.1", parse: matching(MONITORING_TAG) }, d.tag),
      digest: optional({ path: `${p}.digest`, example: "sha256:<64 hex>", expected: "an image digest of the form sha256:<64 lowercase hex>", parse: matching(DIGEST) }),
    },
  );
}

const RETENTION = /^\d+[hdwy]$/;
const SCRAPE_TARGET = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\d{1,5}$/;

/** `{"witness": ["host:port", …], "relayer": [...]}`: rail processes Prometheus scrapes besides the stack's services. */
function railTargets(input: unknown): ParseResult<{ witness: string[]; relayer: string[] }> {
  const v = jsonInput(input);
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail();
  const out = { witness: [] as string[], relayer: [] as string[] };
  for (const [k, list] of Object.entries(v as Record<string, unknown>)) {
    if (k !== "witness" && k !== "relayer") return fail(`an object whose keys are witness or relayer (got "${k}")`);
    if (!Array.isArray(list) || !list.every((t) => typeof t === "string" && SCRAPE_TARGET.test(t))) return fail(`an object whose ${k} is a list of host:port`);
    out[k] = list as string[];
  }
  return ok(out);
}

function jsonObject(input: unknown): ParseResult<Record<string, unknown>> {
  const v = jsonInput(input);
  return typeof v === "object" && v !== null && !Array.isArray(v) ? ok(v as Record<string, unknown>) : fail();
}

/** A libp2p multiaddr op-node can dial: host, TCP port and the peer's id (`--p2p.static`). */
const P2P_MULTIADDR = /^\/(ip4|ip6|dns|dns4|dns6)\/[^/\s,]+\/tcp\/\d{1,5}\/p2p\/[1-9A-HJ-NP-Za-km-z]{46,}$/;

/** A list (JSON array or comma-separated) of op-node peer multiaddrs, no repeats. */
function multiaddrList(input: unknown): ParseResult<string[]> {
  const items = listInput(input);
  if (items === undefined) return fail();
  for (const item of items) if (typeof item !== "string" || !P2P_MULTIADDR.test(item)) return fail();
  if (new Set(items).size !== items.length) return fail("a list of distinct multiaddrs (one is repeated)");
  return ok(items as string[]);
}

const NODE_TAG = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const ETH_AMOUNT = /^\d+(\.\d{1,18})?$/;

// -- the schema ---------------------------------------------------------------------------------

const PRIVATE_KEY_PROMPT = "the 0x-prefixed 32-byte hex key";

function keySpec(path: string): LeafSpec<Redacted<Hex>> {
  return {
    path,
    example: "",
    secret: true,
    promptHint: PRIVATE_KEY_PROMPT,
    expected: "a 0x-prefixed 32-byte hex private key",
    echo: "hidden",
    parse: privateKey,
  };
}

function imageGroup(name: ImageName) {
  const p = `images.${name}`;
  return group(
    { key: p, path: `${p}.tag`, example: DEFAULT_IMAGE_TAGS[name] },
    {
      repository: withDefault(
        {
          path: `${p}.repository`,
          example: `${OPLABS_REGISTRY}/${BINARY_OF[name]}`,
          expected: "a registry/repository path without tag",
          parse: matching(REPOSITORY),
        },
        `${OPLABS_REGISTRY}/${BINARY_OF[name]}`,
      ),
      tag: withDefault(
        {
          path: `${p}.tag`,
          example: DEFAULT_IMAGE_TAGS[name],
          expected: "an exact release tag like v1.2.3",
          parse: matching(EXACT_TAG),
        },
        DEFAULT_IMAGE_TAGS[name],
      ),
      digest: optional({
        path: `${p}.digest`,
        example: "sha256:<64 hex>",
        expected: "an image digest of the form sha256:<64 lowercase hex>",
        parse: matching(DIGEST),
      }),
    },
  );
}

/** Secret keys: loadConfig refuses them when they are stored in plain text. */
export const ROLE_KEY_NAMES = [
  "batcherPrivateKey",
  "proposerPrivateKey",
  "challengerPrivateKey",
  "sequencerPrivateKey",
] as const;
export type RoleKeyName = (typeof ROLE_KEY_NAMES)[number];
export const SECRET_KEYS = ["deployerPrivateKey", "railWitnessKey", "railRelayerKey", ...ROLE_KEY_NAMES] as const;

export const rawConfigSchema = z
  .object({
    host: group(
      { key: "host", path: "host.user", example: "deploy" },
      {
        address: withDefault(
          {
            path: "host.address",
            example: DEFAULT_HOST_ADDRESS,
            expected: "a hostname or IPv4 address",
            parse: (i): ParseResult<string> => (isHostAddress(i) ? ok(i) : fail()),
          },
          DEFAULT_HOST_ADDRESS,
        ),
        user: required({ path: "host.user", example: "deploy", expected: "a Unix user name", parse: matching(UNIX_USER) }),
        port: withDefault(
          { path: "host.port", example: "22", expected: "an integer from 1 to 65535", parse: integerIn(1, 65535) },
          DEFAULT_SSH_PORT,
        ),
        hostKey: required({
          path: "host.hostKey",
          example: '"ssh-ed25519 AAAA..."',
          expected: "an OpenSSH public host key like \"ssh-ed25519 AAAA...\" (see `ssh-keyscan ecp-forge`)",
          parse: matching(SSH_HOST_KEY),
        }),
        // A bastion on the way to the host (ssh -J), for previews from a network that cannot reach it directly.
        jump: optional({
          path: "host.jump",
          example: "ci@bastion.example.org:22",
          expected: "user@host or user@host:port (a bastion, as for ssh -J)",
          parse: (i): ParseResult<{ user: string; address: string; port: number }> => {
            const jump = parseJump(i, DEFAULT_SSH_PORT);
            return jump === undefined ? fail() : ok(jump);
          },
        }),
        // A private address of ecp-forge (a VPC or WireGuard network) the verifier peers reach: the sequencer's L2
        // RPC is also published there, so peers forward the transactions they are sent (ecp:peers).
        privateAddress: optional({
          path: "host.privateAddress",
          example: "10.0.0.10",
          expected: "a private IPv4 address (10/8, 172.16/12, 192.168/16 or 100.64/10)",
          parse: (i): ParseResult<string> => (isPrivateIpv4(i) ? ok(i) : fail()),
        }),
        jumpHostKey: optional({
          path: "host.jumpHostKey",
          example: '"ssh-ed25519 AAAA..."',
          expected: "the bastion's OpenSSH public host key (see `ssh-keyscan <bastion>`)",
          parse: matching(SSH_HOST_KEY),
        }),
      },
    ),
    l1RpcUrl: withDefault(
      {
        path: "l1RpcUrl",
        example: "",
        secret: true,
        promptHint: "the Sepolia execution RPC URL",
        expected: "an http(s) URL",
        echo: "url",
        parse: httpUrl,
      },
      new Redacted(DEFAULT_L1_RPC_URL),
    ),
    l1BeaconUrl: withDefault(
      {
        path: "l1BeaconUrl",
        example: "",
        secret: true,
        promptHint: "the Sepolia beacon API URL",
        expected: "an http(s) URL",
        echo: "url",
        parse: httpUrl,
      },
      new Redacted(DEFAULT_L1_BEACON_URL),
    ),
    l2ChainId: withDefault(
      { path: "l2ChainId", example: String(DEFAULT_L2_CHAIN_ID), expected: "an integer", parse: l2ChainId },
      DEFAULT_L2_CHAIN_ID,
    ),
    executionClient: withDefault(
      {
        path: "executionClient",
        example: DEFAULT_EXECUTION_CLIENT,
        expected: `one of ${EXECUTION_CLIENTS.join(", ")}`,
        parse: (i): ParseResult<ExecutionClient> => (EXECUTION_CLIENTS.includes(i as ExecutionClient) ? ok(i as ExecutionClient) : fail()),
      },
      DEFAULT_EXECUTION_CLIENT,
    ),
    forkHorizonDays: withDefault(
      { path: "forkHorizonDays", example: String(DEFAULT_FORK_HORIZON_DAYS), expected: "a whole number of days from 0 to 365", parse: integerIn(0, 365) },
      DEFAULT_FORK_HORIZON_DAYS,
    ),
    images: group(
      { key: "images", path: "images.opNode.tag", example: DEFAULT_IMAGE_TAGS.opNode },
      Object.fromEntries(IMAGE_NAMES.map((n) => [n, imageGroup(n)])) as Record<ImageName, ReturnType<typeof imageGroup>>,
    ),
    opDeployerVersion: withDefault(
      {
        path: "opDeployerVersion",
        example: OP_DEPLOYER_VERSION,
        expected: "an exact op-deployer release tag like v0.7.1",
        parse: matching(EXACT_TAG),
      },
      OP_DEPLOYER_VERSION,
    ),
    opDeployerSha256: required({
      path: "opDeployerSha256",
      example: "<sha256 of the linux-amd64 tarball>",
      expected: "the 64-character lowercase hex sha256 of the linux-amd64 release tarball",
      parse: matching(SHA256_HEX),
    }),
    minDeployerBalance: withDefault(
      {
        path: "minDeployerBalance",
        example: '"2 ETH"',
        expected: 'an amount like "2 ETH", "500 gwei" or "1000000000000000000 wei"',
        parse: parseBalance,
      },
      parseEther(DEFAULT_MIN_DEPLOYER_BALANCE.split(" ")[0] ?? "2"),
    ),
    // The L1 RPC's cap on a transaction's gas × max fee (geth's and reth's --rpc.txfeecap, 1 ETH by default):
    // the one deploy transaction is sized to stay below it (components/deployer/send.ts).
    l1RpcTxFeeCap: withDefault(
      {
        path: "l1RpcTxFeeCap",
        example: '"1 ETH"',
        expected: 'an amount like "1 ETH" or "0" for an RPC without a fee cap',
        parse: parseBalance,
      },
      parseEther(DEFAULT_L1_RPC_TX_FEE_CAP.split(" ")[0] ?? "1"),
    ),
    // The highest max fee per gas the deploy transaction may carry, in gwei; unset: only the RPC's cap bounds it.
    deployMaxFeeGwei: optional({
      path: "deployMaxFeeGwei",
      example: "20",
      expected: "a positive number of gwei like 20 or 2.5",
      parse: (i): ParseResult<bigint> => {
        const text = typeof i === "number" && Number.isFinite(i) ? String(i) : i;
        if (typeof text !== "string" || !/^\s*\d+(\.\d{1,9})?\s*$/.test(text)) return fail();
        const wei = parseGwei(text.trim());
        return wei > 0n ? ok(wei) : fail();
      },
    }),
    prestate: z
        .object(
          {
            hash: required({
              path: "prestate.hash",
              example: "0x03<62 hex>",
              expected: "a 32-byte hex hash",
              parse: prestateHash,
            }),
            path: optional({
              path: "prestate.path",
              example: "/var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz",
              expected: "an absolute host path",
              parse: prestatePath,
            }),
            program: withDefault(
              {
                path: "prestate.program",
                example: OP_PROGRAM_PRESTATE_TAG,
                expected: "the release the prestate was built from, like op-program/v1.9.0 or kona-client/v1.7.0",
                parse: matching(PROOF_PROGRAM_TAG),
              },
              OP_PROGRAM_PRESTATE_TAG,
            ),
            url: optional({
              path: "prestate.url",
              example: "https://example.org/prestates/0x03….bin.gz",
              expected: "an https URL ending in .bin.gz (a Cannon binary state)",
              parse: prestateUrl,
            }),
          },
          {
            error: (issue) =>
              mustBeMessage({ key: "prestate", path: "prestate.hash", example: "0x03<62 hex>" }, "a JSON object", issue.input),
          },
        )
        .superRefine(
          (p, ctx) => {
            if (p.path !== undefined && p.url !== undefined) {
              ctx.addIssue({
                code: "custom",
                message: `\`${fullKey("prestate")}\` must set exactly one of \`path\` or \`url\`, got both. Run \`pulumi config rm --path ${fullKey("prestate.url")}\`.`,
              });
            } else if (p.path === undefined && p.url === undefined) {
              ctx.addIssue({
                code: "custom",
                message: `\`${fullKey("prestate")}\` must set exactly one of \`path\` or \`url\`, got neither. Run \`pulumi config set --path ${fullKey("prestate.path")} /var/lib/ecp-opstack/prestates/prestate-mt64.bin.gz\`.`,
              });
            }
          },
          { when: () => true },
        )
        .optional(),
    proposerGameType: optional({
      path: "proposerGameType",
      example: String(GAME_TYPE.PERMISSIONED_CANNON),
      expected: "a game type: 1 (permissioned) or 0 (permissionless cannon)",
      parse: (i): ParseResult<number> => {
        const n = toInteger(i);
        return n === GAME_TYPE.PERMISSIONED_CANNON || n === GAME_TYPE.CANNON ? ok(n) : fail();
      },
    }),
    permissionless: withDefault(
      { path: "permissionless", example: "false", expected: "true or false", parse: parseBoolean },
      false,
    ),
    disputeMonEnabled: withDefault(
      { path: "disputeMonEnabled", example: "true", expected: "true or false", parse: parseBoolean },
      true,
    ),
    stateDir: withDefault(
      {
        path: "stateDir",
        example: DEFAULT_STATE_DIR,
        expected: "an absolute host path other than /",
        parse: stateDir,
      },
      DEFAULT_STATE_DIR,
    ),
    p2p: group(
      { key: "p2p", path: "p2p.opNodePort", example: String(DEFAULT_OP_NODE_P2P_PORT) },
      {
        opNodePort: withDefault(
          {
            path: "p2p.opNodePort",
            example: String(DEFAULT_OP_NODE_P2P_PORT),
            expected: "an integer from 1024 to 65535",
            parse: integerIn(1024, 65535),
          },
          DEFAULT_OP_NODE_P2P_PORT,
        ),
        executionPort: withDefault(
          {
            path: "p2p.executionPort",
            example: String(DEFAULT_EXECUTION_P2P_PORT),
            expected: "an integer from 1024 to 65535",
            parse: integerIn(1024, 65535),
          },
          DEFAULT_EXECUTION_P2P_PORT,
        ),
        advertiseIp: optional({
          path: "p2p.advertiseIp",
          example: "203.0.113.10",
          expected: "a public IPv4 address",
          parse: matching(IPV4),
        }),
        staticPeers: withDefault(
          {
            path: "p2p.staticPeers",
            example: '["/ip4/203.0.113.20/tcp/9222/p2p/16Uiu2HAm…"]',
            expected: "a list of op-node multiaddrs /ip4|ip6|dns4|dns6|dns/<host>/tcp/<port>/p2p/<peer id>",
            parse: multiaddrList,
          },
          [] as string[],
        ),
      },
    ),
    peers: withDefault(
      {
        path: "peers",
        example: `'[{"name":"verifier-1","address":"203.0.113.20","user":"deploy","hostKey":"ssh-ed25519 AAAA…"}]'`,
        expected: "a JSON list of verifier peers {name, address, user, hostKey, …} (README \"Verifier peers\")",
        parse: (i): ParseResult<PeerConfig[]> => {
          const r = parsePeers(i);
          return r.ok ? ok(r.value) : fail(r.problem);
        },
      },
      [] as PeerConfig[],
    ),
    monitoring: group(
      { key: "monitoring", path: "monitoring.enabled", example: "true" },
      {
        enabled: withDefault({ path: "monitoring.enabled", example: "true", expected: "true or false", parse: parseBoolean }, true),
        scrapeIntervalSeconds: withDefault(
          { path: "monitoring.scrapeIntervalSeconds", example: "15", expected: "an integer from 5 to 300", parse: integerIn(5, 300) },
          15,
        ),
        retention: withDefault({ path: "monitoring.retention", example: "30d", expected: "a Prometheus duration like 30d, 12w or 720h", parse: matching(RETENTION) }, "30d"),
        thresholds: withDefault(
          { path: "monitoring.thresholds", example: '\'{"minBalanceEth": 1}\'', expected: "a JSON object of alert thresholds (components/monitoring/thresholds.ts)", parse: jsonObject },
          {} as Record<string, unknown>,
        ),
        railTargets: withDefault(
          { path: "monitoring.railTargets", example: '\'{"witness":["witness-1.example:8651"]}\'', expected: "an object {witness, relayer} of host:port lists", parse: railTargets },
          { witness: [], relayer: [] },
        ),
        images: group(
          { key: "monitoring.images", path: "monitoring.images.prometheus.tag", example: DEFAULT_MONITORING_IMAGES.prometheus.tag },
          { prometheus: monitoringImageGroup("prometheus"), alertmanager: monitoringImageGroup("alertmanager"), grafana: monitoringImageGroup("grafana") },
        ),
      },
    ),
    alertWebhookUrl: optional({
      path: "alertWebhookUrl",
      example: "",
      secret: true,
      promptHint: "the URL Alertmanager posts alerts to",
      expected: "an http(s) URL",
      echo: "url",
      parse: httpUrl,
    }),
    backupDir: withDefault(
      { path: "backupDir", example: DEFAULT_BACKUP_DIR, expected: "an absolute host path other than /", parse: stateDir },
      DEFAULT_BACKUP_DIR,
    ),
    destroyRemovesState: withDefault(
      { path: "destroyRemovesState", example: "false", expected: "true or false", parse: parseBoolean },
      false,
    ),
    rail: group(
      { key: "rail", path: "rail.archiveDir", example: "/var/lib/every-channel/archive" },
      {
        enabled: withDefault({ path: "rail.enabled", example: "true", expected: "true or false", parse: parseBoolean }, true),
        witnesses: withDefault(
          {
            path: "rail.witnesses",
            example: `'[{"name":"alice","address":"0x…","relayer":"http://10.0.0.5:8650"}]'`,
            expected: "a JSON list of witnesses {name, address, relayer?} (README \"Joining as a witness\")",
            parse: (i): ParseResult<RailWitness[]> => {
              const r = parseRailWitnesses(i);
              return r.ok ? ok(r.value) : fail(r.problem);
            },
          },
          [] as RailWitness[],
        ),
        quorum: optional({
          path: "rail.quorum",
          example: "2",
          expected: "an integer from 1 to 192",
          parse: integerIn(1, 192),
        }),
        archiveDir: optional({
          path: "rail.archiveDir",
          example: "/var/lib/every-channel/archive",
          expected: "an absolute host path (a directory of .jsonl files, or one .jsonl file)",
          parse: absoluteHostPath,
        }),
        smokeWitnesses: withDefault({ path: "rail.smokeWitnesses", example: "3", expected: "an integer from 3 to 7", parse: integerIn(3, 7) }, 3),
        mode: withDefault(
          {
            path: "rail.mode",
            example: "relayed",
            expected: "relayed or witness-tx",
            parse: (i): ParseResult<"relayed" | "witness-tx"> => (i === "relayed" || i === "witness-tx" ? ok(i) : fail()),
          },
          "relayed" as const,
        ),
        smokeTrigger: withDefault(
          { path: "rail.smokeTrigger", example: '"2"', expected: "a string", parse: (i): ParseResult<string> => (typeof i === "string" || typeof i === "number" ? ok(String(i)) : fail()) },
          "1",
        ),
        smokeLimit: optional({ path: "rail.smokeLimit", example: "240", expected: "an integer from 1 to 1000000", parse: integerIn(1, 1_000_000) }),
        fundMin: withDefault(
          { path: "rail.fundMin", example: DEFAULT_RAIL_FUND_MIN, expected: "an amount of ETH like 0.05", parse: matching(ETH_AMOUNT) },
          DEFAULT_RAIL_FUND_MIN,
        ),
        fundTopUp: withDefault(
          { path: "rail.fundTopUp", example: DEFAULT_RAIL_FUND_TOP_UP, expected: "an amount of ETH like 0.25", parse: matching(ETH_AMOUNT) },
          DEFAULT_RAIL_FUND_TOP_UP,
        ),
        nodeImage: group(
          { key: "rail.nodeImage", path: "rail.nodeImage.tag", example: DEFAULT_RAIL_NODE_IMAGE.tag },
          {
            repository: withDefault(
              { path: "rail.nodeImage.repository", example: DEFAULT_RAIL_NODE_IMAGE.repository, expected: "a registry/repository path without tag", parse: matching(REPOSITORY) },
              DEFAULT_RAIL_NODE_IMAGE.repository,
            ),
            tag: withDefault(
              { path: "rail.nodeImage.tag", example: DEFAULT_RAIL_NODE_IMAGE.tag, expected: "an exact Node release tag like 22.23.3-bookworm-slim", parse: matching(NODE_TAG) },
              DEFAULT_RAIL_NODE_IMAGE.tag,
            ),
            digest: optional({ path: "rail.nodeImage.digest", example: "sha256:<64 hex>", expected: "an image digest of the form sha256:<64 lowercase hex>", parse: matching(DIGEST) }),
          },
        ),
      },
    ),
    railWitnessKey: optional(keySpec("railWitnessKey")),
    railRelayerKey: optional(keySpec("railRelayerKey")),
    deployerPrivateKey: required(keySpec("deployerPrivateKey")),
    signers: optional({
      path: "signers",
      example: '\'{"batcher":{"endpoint":"https://signer.internal:8080","address":"0x…","tlsCa":"/etc/ecp/signer/ca.crt","tlsCert":"/etc/ecp/signer/tls.crt","tlsKey":"/etc/ecp/signer/tls.key"}}\'',
      expected:
        "an object with any of batcher, proposer, challenger, each {endpoint: an https URL, address: the 0x address it signs for, tlsCa, tlsCert, tlsKey: absolute host paths of the mTLS files}",
      parse: parseSigners,
    }),
    batcherPrivateKey: optional(keySpec("batcherPrivateKey")),
    proposerPrivateKey: optional(keySpec("proposerPrivateKey")),
    challengerPrivateKey: optional(keySpec("challengerPrivateKey")),
    sequencerPrivateKey: optional(keySpec("sequencerPrivateKey")),
  })
  .superRefine(
    (c, ctx) => {
      // Cross-field rules. Runs even when other keys failed, so it must only look at values that parsed.
      const permissionless = typeof c.permissionless === "boolean" ? c.permissionless : undefined;
      const gameType = typeof c.proposerGameType === "number" ? c.proposerGameType : undefined;
      if (permissionless === false && gameType === GAME_TYPE.CANNON) {
        ctx.addIssue({
          code: "custom",
          message: `\`${fullKey("proposerGameType")}\` must be 1 (permissioned) while \`${fullKey("permissionless")}\` is false, got 0. Run \`pulumi config set ${fullKey("proposerGameType")} 1\` or \`pulumi config set ${fullKey("permissionless")} true\`.`,
        });
      }
      if (permissionless === true && gameType === GAME_TYPE.PERMISSIONED_CANNON) {
        ctx.addIssue({
          code: "custom",
          message: `\`${fullKey("proposerGameType")}\` must be 0 (cannon) while \`${fullKey("permissionless")}\` is true, got 1. Run \`pulumi config set ${fullKey("proposerGameType")} 0\`.`,
        });
      }
      if (permissionless === true && c.prestate === undefined) {
        ctx.addIssue({
          code: "custom",
          message: `\`${fullKey("permissionless")}\` is true but \`${fullKey("prestate")}\` is not set: permissionless games need a challenger, and the challenger needs the chain's prestate. Run \`pulumi config set --path ${fullKey("prestate.hash")} 0x03…\` and \`pulumi config set --path ${fullKey("prestate.path")} <file>\`, or \`pulumi config set ${fullKey("permissionless")} false\`.`,
        });
      }
      const rail = c.rail as { quorum?: unknown; witnesses?: unknown } | undefined;
      const members = Array.isArray(rail?.witnesses) ? (rail.witnesses as RailWitness[]) : undefined;
      const railQuorum = typeof rail?.quorum === "number" ? rail.quorum : undefined;
      if (members !== undefined && railQuorum !== undefined) {
        const n = members.length;
        const problem = n === 0 ? "has no witnesses to count" : quorumProblem(railQuorum, n);
        if (problem !== undefined) {
          ctx.addIssue({
            code: "custom",
            message:
              n === 0
                ? `\`${fullKey("rail.quorum")}\` is ${railQuorum} but \`${fullKey("rail.witnesses")}\` is empty. List the witnesses first (README "Joining as a witness"), or run \`pulumi config rm --path ${fullKey("rail.quorum")}\`.`
                : `\`${fullKey("rail.quorum")}\` ${railQuorum} ${problem}; choose from ${smallestMajority(n)} to ${n}. Run \`pulumi config set --path ${fullKey("rail.quorum")} ${smallestMajority(n)}\`.`,
          });
        }
      }
      const hostKey = c.railWitnessKey as Redacted<Hex> | undefined;
      if (hostKey !== undefined && (rail as { archiveDir?: unknown } | undefined)?.archiveDir === undefined) {
        ctx.addIssue({
          code: "custom",
          message: `\`${fullKey("railWitnessKey")}\` is set, so ecp-forge runs a witness, but \`${fullKey("rail.archiveDir")}\` is not: a witness signs only what its own archive holds. Run \`pulumi config set --path ${fullKey("rail.archiveDir")} /var/lib/every-channel/archive\`, or \`pulumi config rm ${fullKey("railWitnessKey")}\`.`,
        });
      }
      if (members !== undefined && hostKey instanceof Redacted) {
        const address = privateKeyToAddress(hostKey.reveal());
        if (!members.some((m) => m.address.toLowerCase() === address.toLowerCase())) {
          ctx.addIssue({
            code: "custom",
            message: `\`${fullKey("railWitnessKey")}\` is ecp-forge's own witness key, but its address ${address} is not in \`${fullKey("rail.witnesses")}\`. Run \`pulumi config set --path '${fullKey(`rail.witnesses[${members.length}].address`)}' ${address}\` and \`pulumi config set --path '${fullKey(`rail.witnesses[${members.length}].name`)}' ecp-forge\`, or \`pulumi config rm ${fullKey("railWitnessKey")}\`.`,
          });
        }
      }
      const signers = c.signers as Partial<Record<string, unknown>> | undefined;
      for (const role of SIGNER_ROLES) {
        if (signers?.[role] !== undefined && c[`${role}PrivateKey`] !== undefined) {
          ctx.addIssue({
            code: "custom",
            message: `\`${fullKey(`${role}PrivateKey`)}\` is set, but ${role} signs through \`${fullKey(`signers.${role}`)}\`: with a remote signer no key for that role may be in config. Run \`pulumi config rm ${fullKey(`${role}PrivateKey`)}\`.`,
          });
        }
      }
      const host = c.host as { jump?: unknown; jumpHostKey?: unknown } | undefined;
      if ((host?.jump === undefined) !== (host?.jumpHostKey === undefined)) {
        ctx.addIssue({
          code: "custom",
          message:
            host?.jump === undefined
              ? `\`${fullKey("host.jumpHostKey")}\` is set but \`${fullKey("host.jump")}\` is not. Run \`pulumi config set --path ${fullKey("host.jump")} user@bastion:22\`, or remove the key.`
              : `\`${fullKey("host.jump")}\` needs \`${fullKey("host.jumpHostKey")}\`: the bastion's key is pinned like the host's. Run \`pulumi config set --path ${fullKey("host.jumpHostKey")} "$(ssh-keyscan -t ed25519 <bastion> 2>/dev/null | cut -d' ' -f2-)"\`.`,
        });
      }
      const p2p = c.p2p as { opNodePort?: unknown; executionPort?: unknown } | undefined;
      const nodePort = typeof p2p?.opNodePort === "number" ? p2p.opNodePort : undefined;
      const gethPort = typeof p2p?.executionPort === "number" ? p2p.executionPort : undefined;
      if (nodePort !== undefined && nodePort === gethPort) {
        ctx.addIssue({
          code: "custom",
          message: `\`${fullKey("p2p.executionPort")}\` must differ from \`${fullKey("p2p.opNodePort")}\`, both are ${nodePort}. Run \`pulumi config set --path ${fullKey("p2p.executionPort")} ${DEFAULT_EXECUTION_P2P_PORT}\`.`,
        });
      }
      if (Array.isArray(c.peers)) {
        const hostAddress = typeof (c.host as { address?: unknown } | undefined)?.address === "string" ? (c.host as { address: string }).address : undefined;
        const conflicts = peerConflicts(c.peers as PeerConfig[], {
          ...(hostAddress === undefined ? {} : { hostAddress }),
          p2pPorts: [nodePort ?? DEFAULT_OP_NODE_P2P_PORT, gethPort ?? DEFAULT_EXECUTION_P2P_PORT],
          loopbackPorts: Object.values(HOST_LOOPBACK_PORTS),
          l2HttpLoopbackPort: HOST_LOOPBACK_PORTS.l2Http,
          metricsPorts: [CONTAINER_PORTS.executionClient.metrics, CONTAINER_PORTS.opNode.metrics],
        });
        for (const message of conflicts) ctx.addIssue({ code: "custom", message });
      }
      const loopback = new Set<number>(Object.values(HOST_LOOPBACK_PORTS));
      for (const [name, port] of [
        ["opNodePort", nodePort],
        ["executionPort", gethPort],
      ] as const) {
        if (port !== undefined && loopback.has(port)) {
          const fallback = name === "opNodePort" ? DEFAULT_OP_NODE_P2P_PORT : DEFAULT_EXECUTION_P2P_PORT;
          ctx.addIssue({
            code: "custom",
            message: `\`${fullKey(`p2p.${name}`)}\` must not be one of the host's loopback RPC ports (${[...loopback].join(", ")}), got ${port}. Run \`pulumi config set --path ${fullKey(`p2p.${name}`)} ${fallback}\`.`,
          });
        }
      }
    },
    { when: () => true },
  );

export type RawConfigOutput = z.output<typeof rawConfigSchema>;

/** The tree of known keys below `ecp:`, used to reject typos (`true` marks a leaf). */
export interface KeyTree {
  readonly [key: string]: true | KeyTree;
}
export const KNOWN_KEYS: KeyTree = {
  host: { address: true, user: true, port: true, hostKey: true, jump: true, jumpHostKey: true, privateAddress: true },
  l1RpcUrl: true,
  l1BeaconUrl: true,
  l2ChainId: true,
  executionClient: true,
  forkHorizonDays: true,
  images: Object.fromEntries(IMAGE_NAMES.map((n) => [n, { repository: true, tag: true, digest: true }])),
  opDeployerVersion: true,
  opDeployerSha256: true,
  minDeployerBalance: true,
  l1RpcTxFeeCap: true,
  deployMaxFeeGwei: true,
  prestate: { hash: true, path: true, url: true, program: true },
  proposerGameType: true,
  permissionless: true,
  disputeMonEnabled: true,
  stateDir: true,
  p2p: { opNodePort: true, executionPort: true, advertiseIp: true, staticPeers: true },
  peers: true,
  destroyRemovesState: true,
  backupDir: true,
  monitoring: {
    enabled: true,
    scrapeIntervalSeconds: true,
    retention: true,
    thresholds: true,
    railTargets: true,
    images: Object.fromEntries(MONITORING_IMAGE_NAMES.map((n) => [n, { repository: true, tag: true, digest: true }])),
  },
  alertWebhookUrl: true,
  rail: {
    enabled: true,
    witnesses: true,
    quorum: true,
    archiveDir: true,
    smokeWitnesses: true,
    mode: true,
    smokeTrigger: true,
    smokeLimit: true,
    fundMin: true,
    fundTopUp: true,
    nodeImage: { repository: true, tag: true, digest: true },
  },
  railWitnessKey: true,
  railRelayerKey: true,
  deployerPrivateKey: true,
  signers: true,
  batcherPrivateKey: true,
  proposerPrivateKey: true,
  challengerPrivateKey: true,
  sequencerPrivateKey: true,
};

// -- the typed config ---------------------------------------------------------------------------

export interface ImageConfig {
  repository: string;
  tag: string;
  /** When set, the image is pulled by digest, so Docker verifies it. */
  digest?: string;
}

export type PrestateSource = { kind: "path"; path: string } | { kind: "url"; url: string };

export interface PrestateConfig {
  /** Lowercase 0x-prefixed absolute prestate hash. */
  hash: Hex;
  source: PrestateSource;
  /** Always `.bin.gz` (the config accepts nothing else): op-challenger looks for `<hash>.bin.gz`. */
  extension: ".bin.gz";
  /** The release the prestate was built from (`op-program/vX.Y.Z` or `kona-client/vX.Y.Z`): the fork gate checks it
   *  can read the L1's headers. */
  program: string;
}

export type RoleKeyRole = "batcher" | "proposer" | "challenger" | "sequencer";

export interface StackConfig {
  host: {
    address: string;
    user: string;
    port: number;
    hostKey: string;
    jump?: { user: string; address: string; port: number; hostKey: string };
    /** ecp-forge's private address: its L2 RPC is also published there for the peers to forward to. */
    privateAddress?: string;
  };
  l1ChainId: typeof L1_CHAIN_ID;
  l1RpcUrl: Redacted<string>;
  l1BeaconUrl: Redacted<string>;
  l2ChainId: number;
  /** Which L2 execution client runs (op-reth by default). */
  executionClient: ExecutionClient;
  /** L1 forks activating within this many days count as active for the fork gate. */
  forkHorizonDays: number;
  images: Record<ImageName, ImageConfig>;
  opDeployer: { version: string; sha256: string };
  minDeployerBalanceWei: bigint;
  /** The deploy transaction's fee limits (components/deployer/send.ts FeeLimits). */
  deployFees: { rpcTxFeeCapWei: bigint; maxFeePerGasWei?: bigint };
  prestate?: PrestateConfig;
  proofs: { proposerGameType: number; permissionless: boolean };
  disputeMonEnabled: boolean;
  stateDir: string;
  p2p: { opNodePort: number; executionPort: number; advertiseIp?: string; staticPeers: string[] };
  /** Verifier hosts next to ecp-forge (components/peers). */
  peers: PeerConfig[];
  destroyRemovesState: boolean;
  /** Host directory that gets a timestamped copy of state.json, the intent and the chain config after each apply. */
  backupDir: string;
  monitoring: MonitoringConfig;
  /** Where Alertmanager posts alerts; without it alerts go nowhere beyond Prometheus and Alertmanager. */
  alertWebhookUrl?: Redacted<string>;
  keys: {
    deployer: Redacted<Hex>;
    /** Absent when that role signs through a remote signer (`signers`): then no key for it is in config. */
    batcher?: Redacted<Hex>;
    proposer?: Redacted<Hex>;
    challenger?: Redacted<Hex>;
    /** Signs unsafe blocks on P2P; its address is the intent's unsafeBlockSigner. */
    sequencer: Redacted<Hex>;
  };
  /** Roles whose key was not set and fell back to the deployer key. */
  rolesUsingDeployerKey: RoleKeyRole[];
  /** Roles that sign through a remote signer (op-service `--signer.*`) instead of holding a key. */
  signers: Partial<Record<SignerRole, SignerConfig>>;
  rail: RailConfig;
}

export interface MonitoringConfig {
  enabled: boolean;
  scrapeIntervalSeconds: number;
  retention: string;
  /** Overrides of the alert thresholds' defaults, checked by components/monitoring/thresholds.ts. */
  thresholds: Record<string, unknown>;
  railTargets: { witness: string[]; relayer: string[] };
  images: Record<MonitoringImageName, ImageConfig>;
}

export interface RailConfig {
  enabled: boolean;
  /** The ledger's members by address (`ecp:rail.witnesses`); empty: the rail is not deployed. */
  witnesses: RailWitness[];
  /** Smallest strict majority of the witnesses unless set. */
  quorum: number;
  /** ecp-forge's own witness key (`ecp:railWitnessKey`): when set, a rail-witness container runs here. */
  witnessKey?: Redacted<Hex>;
  /** The relayer's key (`ecp:railRelayerKey`); unset: the stack generates one (components/secrets). */
  relayerKey?: Redacted<Hex>;
  /** What ecp-forge's witness follows and the smoke reads; unset: the smoke reads the bundled fixture. */
  archiveDir?: string;
  /** How many throwaway witnesses the smoke runs against its own ledger. */
  smokeWitnesses: number;
  mode: "relayed" | "witness-tx";
  smokeTrigger: string;
  smokeLimit?: number;
  fundMinEth: string;
  fundTopUpEth: string;
  nodeImage: ImageConfig;
}

/** Turns the parsed raw shape into the typed config. Only called when parsing succeeded. */
export function toStackConfig(raw: RawConfigOutput): StackConfig {
  const images = Object.fromEntries(
    IMAGE_NAMES.map((n) => {
      const img = raw.images[n];
      const out: ImageConfig = { repository: img.repository, tag: img.tag };
      if (img.digest !== undefined) out.digest = img.digest;
      return [n, out];
    }),
  ) as Record<ImageName, ImageConfig>;

  let prestate: PrestateConfig | undefined;
  if (raw.prestate !== undefined) {
    const source: PrestateSource =
      raw.prestate.path !== undefined
        ? { kind: "path", path: raw.prestate.path }
        : { kind: "url", url: raw.prestate.url ?? "" };
    prestate = { hash: raw.prestate.hash, source, extension: ".bin.gz", program: raw.prestate.program };
  }

  const deployer = raw.deployerPrivateKey;
  const rolesUsingDeployerKey: RoleKeyRole[] = [];
  const signers: Partial<Record<SignerRole, SignerConfig>> = raw.signers ?? {};
  const roleKey = (role: RoleKeyRole, value: Redacted<Hex> | undefined): Redacted<Hex> => {
    if (value !== undefined) return value;
    rolesUsingDeployerKey.push(role);
    return deployer;
  };

  const p2p: StackConfig["p2p"] = { opNodePort: raw.p2p.opNodePort, executionPort: raw.p2p.executionPort, staticPeers: raw.p2p.staticPeers };
  if (raw.p2p.advertiseIp !== undefined) p2p.advertiseIp = raw.p2p.advertiseIp;

  const config: StackConfig = {
    host: hostOf(raw.host),
    l1ChainId: L1_CHAIN_ID,
    l1RpcUrl: raw.l1RpcUrl,
    l1BeaconUrl: raw.l1BeaconUrl,
    l2ChainId: raw.l2ChainId,
    executionClient: raw.executionClient,
    forkHorizonDays: raw.forkHorizonDays,
    images,
    opDeployer: { version: raw.opDeployerVersion, sha256: raw.opDeployerSha256 },
    minDeployerBalanceWei: raw.minDeployerBalance,
    deployFees: { rpcTxFeeCapWei: raw.l1RpcTxFeeCap, ...(raw.deployMaxFeeGwei === undefined ? {} : { maxFeePerGasWei: raw.deployMaxFeeGwei }) },
    proofs: {
      proposerGameType:
        raw.proposerGameType ?? (raw.permissionless ? GAME_TYPE.CANNON : GAME_TYPE.PERMISSIONED_CANNON),
      permissionless: raw.permissionless,
    },
    disputeMonEnabled: raw.disputeMonEnabled,
    stateDir: raw.stateDir,
    p2p,
    peers: raw.peers,
    destroyRemovesState: raw.destroyRemovesState,
    backupDir: raw.backupDir,
    monitoring: {
      enabled: raw.monitoring.enabled,
      scrapeIntervalSeconds: raw.monitoring.scrapeIntervalSeconds,
      retention: raw.monitoring.retention,
      thresholds: raw.monitoring.thresholds,
      railTargets: raw.monitoring.railTargets,
      images: Object.fromEntries(
        MONITORING_IMAGE_NAMES.map((n) => {
          const img = raw.monitoring.images[n];
          const out: ImageConfig = { repository: img.repository, tag: img.tag };
          if (img.digest !== undefined) out.digest = img.digest;
          return [n, out];
        }),
      ) as Record<MonitoringImageName, ImageConfig>,
    },
    keys: {
      deployer,
      ...(signers.batcher ? {} : { batcher: roleKey("batcher", raw.batcherPrivateKey) }),
      ...(signers.proposer ? {} : { proposer: roleKey("proposer", raw.proposerPrivateKey) }),
      ...(signers.challenger ? {} : { challenger: roleKey("challenger", raw.challengerPrivateKey) }),
      sequencer: roleKey("sequencer", raw.sequencerPrivateKey),
    },
    rolesUsingDeployerKey,
    signers,
    rail: toRailConfig(raw),
  };
  if (prestate !== undefined) config.prestate = prestate;
  if (raw.alertWebhookUrl !== undefined) config.alertWebhookUrl = raw.alertWebhookUrl;
  return config;
}

function hostOf(h: RawConfigOutput["host"]): StackConfig["host"] {
  const host: StackConfig["host"] = { address: h.address, user: h.user, port: h.port, hostKey: h.hostKey };
  if (h.jump !== undefined && h.jumpHostKey !== undefined) host.jump = { ...h.jump, hostKey: h.jumpHostKey };
  if (h.privateAddress !== undefined) host.privateAddress = h.privateAddress;
  return host;
}

function toRailConfig(raw: RawConfigOutput): RailConfig {
  const witnesses = raw.rail.witnesses;
  const nodeImage: ImageConfig = { repository: raw.rail.nodeImage.repository, tag: raw.rail.nodeImage.tag };
  if (raw.rail.nodeImage.digest !== undefined) nodeImage.digest = raw.rail.nodeImage.digest;
  const rail: RailConfig = {
    enabled: raw.rail.enabled,
    witnesses,
    quorum: raw.rail.quorum ?? smallestMajority(witnesses.length),
    smokeWitnesses: raw.rail.smokeWitnesses,
    mode: raw.rail.mode,
    smokeTrigger: raw.rail.smokeTrigger,
    fundMinEth: raw.rail.fundMin,
    fundTopUpEth: raw.rail.fundTopUp,
    nodeImage,
  };
  if (raw.rail.archiveDir !== undefined) rail.archiveDir = raw.rail.archiveDir;
  if (raw.railWitnessKey !== undefined) rail.witnessKey = raw.railWitnessKey;
  if (raw.railRelayerKey !== undefined) rail.relayerKey = raw.railRelayerKey;
  if (raw.rail.smokeLimit !== undefined) rail.smokeLimit = raw.rail.smokeLimit;
  return rail;
}
