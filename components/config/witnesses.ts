/**
 * `ecp:rail.witnesses`: the ledger's members, by address. A witness is an operator with its own machine,
 * archive and key; the stack holds none of their keys (only, optionally, ecp-forge's own: `ecp:railWitnessKey`).
 *
 * Given as a JSON list, e.g.
 *   pulumi config set --path 'ecp:rail.witnesses[0].address' 0x…
 *   pulumi config set --path 'ecp:rail.witnesses[0].name' alice
 *   pulumi config set --path 'ecp:rail.witnesses[0].relayer' http://10.0.0.5:8650   (optional)
 * Pure: the parser returns the typed list (addresses checksummed) or the first problem, naming `[i].<field>`.
 */
import { getAddress, isAddress, isAddressEqual, zeroAddress } from "viem";

export interface RailWitness {
  /** Names the witness in outputs and logs: lowercase letters, digits and dashes. */
  name: string;
  /** Its signing address, checksummed. */
  address: `0x${string}`;
  /** The relayer it posts to, when it is not ecp-forge's. */
  relayer?: string;
}

const KEYS = ["name", "address", "relayer"] as const;
const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

export type WitnessesResult = { ok: true; value: RailWitness[] } | { ok: false; problem: string };

function parseWitness(v: unknown, i: number): RailWitness | string {
  const at = (field: string) => `[${i}].${field}`;
  if (typeof v !== "object" || v === null || Array.isArray(v)) return `[${i}] is a JSON object {name, address, relayer?}`;
  const w = v as Record<string, unknown>;
  const unknown = Object.keys(w).find((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown !== undefined) return `[${i}] has only the keys ${KEYS.join(", ")} (got "${unknown}")`;
  if (typeof w["name"] !== "string" || !NAME.test(w["name"])) return `${at("name")} is 2 to 32 lowercase letters, digits and dashes, starting with a letter`;
  if (typeof w["address"] !== "string" || !isAddress(w["address"], { strict: false })) return `${at("address")} is a 0x-prefixed 20-byte address (the witness's, from \`rail keygen\` on its host)`;
  if (isAddressEqual(w["address"], zeroAddress)) return `${at("address")} is not the zero address`;
  const out: RailWitness = { name: w["name"], address: getAddress(w["address"]) };
  if (w["relayer"] !== undefined) {
    let url: URL | undefined;
    try {
      url = typeof w["relayer"] === "string" ? new URL(w["relayer"]) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:") || url.username !== "" || url.password !== "") {
      return `${at("relayer")} is an http(s) URL of a relayer without credentials, like http://10.0.0.5:8650`;
    }
    out.relayer = w["relayer"] as string;
  }
  return out;
}

/** The list, each witness checked, names and addresses distinct. `input` is a list or a JSON string of one. */
export function parseRailWitnesses(input: unknown): WitnessesResult {
  let v = input;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return { ok: false, problem: "a JSON list of witnesses {name, address, relayer?}" };
    }
  }
  if (!Array.isArray(v)) return { ok: false, problem: "a JSON list of witnesses {name, address, relayer?}" };
  const out: RailWitness[] = [];
  for (const [i, item] of v.entries()) {
    const w = parseWitness(item, i);
    if (typeof w === "string") return { ok: false, problem: `a list of witnesses whose ${w}` };
    out.push(w);
  }
  for (const field of ["name", "address"] as const) {
    const values = out.map((w) => (field === "name" ? w.name : w.address.toLowerCase()));
    const i = values.findIndex((x, j) => values.indexOf(x) !== j);
    if (i !== -1) return { ok: false, problem: `a list of witnesses with distinct ${field === "name" ? "names" : "addresses"} ("${field === "name" ? out[i]!.name : out[i]!.address}" appears twice)` };
  }
  return { ok: true, value: out };
}

/** The smallest strict majority of `n`: the default quorum. */
export function smallestMajority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** Why `quorum` cannot be the quorum of `n` witnesses, or undefined when it can: reachable and a strict
 *  majority (two disjoint groups can never both finalize). */
export function quorumProblem(quorum: number, n: number): string | undefined {
  if (n === 0) return undefined;
  if (quorum > n) return `is out of reach with ${n} witness${n === 1 ? "" : "es"}`;
  if (2 * quorum <= n) return `is not a strict majority of ${n} witnesses (two disjoint groups could each finalize)`;
  return undefined;
}
