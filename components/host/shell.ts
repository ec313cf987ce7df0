/**
 * Building the scripts the stack runs on ecp-forge over SSH.
 *
 * Every remote step is `bash -s` reading a script on stdin. Values reach it as `export NAME='…'` lines in
 * front of the script body, so nothing secret is ever on a command line (where `ps` would show it) and the
 * SSH server needs no AcceptEnv. The stdin of a step that carries a secret is itself a Pulumi secret.
 */
import { readFileSync } from "node:fs";

/** POSIX single-quoting: safe for any string, including quotes and newlines. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** `export NAME='value'` lines. */
export function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => {
      if (!ENV_NAME.test(name)) throw new Error(`environment variable name ${JSON.stringify(name)} must match ${ENV_NAME}.`);
      return `export ${name}=${shellQuote(value)}\n`;
    })
    .join("");
}

/** A script under scripts/op-stack/, read once. */
export function opStackScript(relativePath: string): string {
  return readFileSync(new URL(`../../scripts/op-stack/${relativePath}`, import.meta.url), "utf8");
}

/** The stdin of a `bash -s` step: strict mode, the variables, then the body. */
export function remoteScript(env: Readonly<Record<string, string>>, body: string): string {
  return `set -euo pipefail\n${exportLines(env)}${body}`;
}
