// docs/joining-as-a-witness.md is run by hand on hosts we never see: every rail command it shows is a
// command with those flags (rail/usage.ts, the CLI's own table), every module option it sets is one
// the module declares, and every script it runs exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandFlags, isCommand } from '../rail/usage.js';

const DOC = 'docs/joining-as-a-witness.md';
const doc = readFileSync(DOC, 'utf8');
/** The doc's fenced code blocks, by language. */
const blocks = (lang: string) => [...doc.matchAll(/```(\w*)\n([\s\S]*?)```/g)].filter((m) => m[1] === lang).map((m) => m[2]!);

/** Each rail invocation in the doc's shell blocks and prose: its command and the flags after it, on
 *  its line and on the lines a trailing backslash continues it to. */
function railInvocations(): { command: string; flags: string[]; text: string }[] {
  const text = [...blocks('sh'), doc.replace(/```[\s\S]*?```/g, '')].join('\n').replace(/\\\n/g, ' ');
  const found: { command: string; flags: string[]; text: string }[] = [];
  for (const m of text.matchAll(/(?:rail\.mjs|npm run -s rail --|`rail)\s+([a-z]+)([^\n`']*)/g)) {
    found.push({ command: m[1]!, flags: [...m[2]!.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((f) => f[1]!), text: m[0] });
  }
  return found;
}

describe(DOC, () => {
  it('shows only rail commands that exist, each with flags that command reads', () => {
    const invocations = railInvocations();
    // The join's own commands are all there: the check below covers them.
    for (const c of ['keygen', 'status', 'witness', 'relayer']) expect(invocations.map((i) => i.command)).toContain(c);
    expect(invocations.find((i) => i.command === 'keygen')?.flags).toContain('--out');
    expect(invocations.find((i) => i.command === 'status')?.flags).toEqual(['--rpc', '--ledger', '--from-block', '--archive', '--state-dir', '--json']);
    for (const { command, flags, text } of invocations) {
      expect(isCommand(command), `${text}: "${command}" is not a rail command`).toBe(true);
      if (!isCommand(command)) continue;
      for (const flag of flags) expect(commandFlags(command), `${text}: ${flag} is not a flag of rail ${command}`).toContain(flag);
    }
  });

  it('sets only options the NixOS module declares', () => {
    const declared = JSON.parse(execFileSync('nix-instantiate', ['--eval', '--strict', '--json', 'nix/test/eval.nix', '-A', 'witnessOptions'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as string[];
    const nix = blocks('nix').join('\n');
    const body = /services\.every-channel\.rail-witness = \{([\s\S]*?)\n {2}\};/.exec(nix)?.[1];
    expect(body, 'the doc configures services.every-channel.rail-witness').toBeDefined();
    // Set options, commented-out ones included (`# listen = { address = …; port = …; };`).
    const set = [...body!.matchAll(/^\s*(?:# )?([a-zA-Z]+) = (\{[^}]*\})?/gm)].flatMap((m) =>
      m[2] ? [...m[2].matchAll(/([a-zA-Z]+) =/g)].map((s) => `${m[1]}.${s[1]}`) : [m[1]!],
    );
    expect(set).toEqual(expect.arrayContaining(['enable', 'bundle', 'keyFile', 'ledger', 'relayers', 'rpcUrl', 'archiveDir', 'listen.port', 'extraArgs']));
    for (const option of set) expect(declared, `the doc sets ${option}, which the module does not declare`).toContain(option);
    // Flags in extraArgs are `rail witness` flags too.
    const extra = /extraArgs = \[([^\]]*)\]/.exec(body!)?.[1] ?? '';
    const extraFlags = [...extra.matchAll(/"(--[a-z-]+)"/g)].map((m) => m[1]!);
    expect(extraFlags.length).toBeGreaterThan(0);
    for (const flag of extraFlags) expect(commandFlags('witness'), `extraArgs: ${flag} is not a flag of rail witness`).toContain(flag);
    // The flag the doc says the unit passes the key with is the one the module writes.
    expect(doc).toContain('`--key-file %d/witness-key`');
    expect(readFileSync('nix/modules/ec-op-stack.nix', 'utf8')).toContain('witnessCredential = "witness-key";');
  });

  it('runs scripts that exist', () => {
    for (const m of doc.matchAll(/npx tsx (\S+\.ts)/g)) expect(existsSync(m[1]!), m[1]).toBe(true);
  });
});
