// A witness host's key in a file: `rail keygen --out FILE` makes one (mode 0400, only the address
// printed), and `rail witness|relayer --key-file PATH` reads it, refusing a file its group or others
// may read unless systemd passed it (LoadCredential=, $CREDENTIALS_DIRECTORY).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startAnvil, type Anvil } from './anvil.js';
import { EXIT } from './errors.js';
import { devKey, readKeyFile, readProcessKey, refuseDevKey } from './keys.js';
import { DEFAULT_ARCHIVE } from './smoke.js';
import { COMMANDS, commandFlags, commandUsage, flagTakesValue } from './usage.js';

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'rail/cli.ts', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

const KEY = `0x${'5a'.repeat(32)}` as const;
const dir = mkdtempSync(path.join(tmpdir(), 'rail-key-file-'));
let n = 0;
/** A fresh file holding `content`, with `mode`. */
function keyFile(mode: number, content = `${KEY}\n`, where = dir): string {
  const file = path.join(where, `key-${n++}`);
  writeFileSync(file, content, { mode: 0o600 });
  chmodSync(file, mode);
  return file;
}
const error = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('readKeyFile', () => {
  it('reads a key its owner alone may read (0400 or 0600), without the newline', () => {
    expect(readKeyFile(keyFile(0o400), {})).toBe(KEY);
    expect(readKeyFile(keyFile(0o600, `  ${KEY}\n\n`), {})).toBe(KEY);
  });

  it.each([0o640, 0o604, 0o644, 0o440, 0o402])('refuses mode %o, naming the file and the fix, never the key', (mode) => {
    const file = keyFile(mode);
    const message = error(() => readKeyFile(file, {}));
    expect(message).toContain(`--key-file ${file}: its mode is 0${mode.toString(8)}, so its group or others may read it.`);
    expect(message).toContain(`run \`chmod 0400 ${file}\``);
    expect(message).not.toContain(KEY.slice(2));
  });

  it("accepts systemd's $CREDENTIALS_DIRECTORY/<name>, whose mode shows the ACL's mask (0440), but not a link out of it", () => {
    const creds = mkdtempSync(path.join(tmpdir(), 'rail-creds-'));
    const file = keyFile(0o440, `${KEY}\n`, creds);
    expect(readKeyFile(file, { CREDENTIALS_DIRECTORY: creds })).toBe(KEY);
    // The same file is refused when systemd did not say it is a credential…
    expect(error(() => readKeyFile(file, {}))).toContain('its mode is 0440');
    expect(error(() => readKeyFile(file, { CREDENTIALS_DIRECTORY: dir }))).toContain('its mode is 0440');
    // …and so is a shared file reached through a link placed in the credentials directory.
    const outside = keyFile(0o644);
    symlinkSync(outside, path.join(creds, 'linked'));
    expect(error(() => readKeyFile(path.join(creds, 'linked'), { CREDENTIALS_DIRECTORY: creds }))).toContain('its mode is 0644');
  });

  it('names a missing file, a directory and a malformed key, and never shows the content', () => {
    expect(error(() => readKeyFile(path.join(dir, 'nope'), {}))).toBe(
      `--key-file ${path.join(dir, 'nope')}: cannot open it (no such file; give the path of the witness host's key file (\`rail keygen --out FILE\` makes one)).`,
    );
    const sub = path.join(dir, 'a-directory');
    mkdirSync(sub, { mode: 0o700 });
    expect(error(() => readKeyFile(sub, {}))).toBe(`--key-file ${sub}: not a regular file; give the file that holds the key.`);
    // A FIFO is refused at once, not waited on.
    const fifo = path.join(dir, 'a-fifo');
    expect(spawnSync('mkfifo', ['-m', '0600', fifo]).status).toBe(0);
    expect(error(() => readKeyFile(fifo, {}))).toBe(`--key-file ${fifo}: not a regular file; give the file that holds the key.`);
    const secretish = `0x${'ab'.repeat(31)}`; // one byte short
    const bad = keyFile(0o400, secretish);
    const message = error(() => readKeyFile(bad, {}));
    expect(message).toBe(`--key-file ${bad}: expected one private key, 0x followed by 64 hex digits (the content is not shown).`);
    expect(error(() => readKeyFile(keyFile(0o400, `${KEY}\n${KEY}\n`), {}))).toContain('expected one private key');
  });
});

describe('readProcessKey', () => {
  it('takes the key from --key-file or from the variable, never both, and says how to give one', () => {
    const file = keyFile(0o400);
    const address = privateKeyToAccount(KEY).address;
    expect(readProcessKey('ECP_WITNESS_KEY', file, {})).toMatchObject({ account: { address }, source: `--key-file ${file}` });
    expect(readProcessKey('ECP_WITNESS_KEY', undefined, { ECP_WITNESS_KEY: KEY })).toMatchObject({ account: { address }, source: 'ECP_WITNESS_KEY' });
    expect(error(() => readProcessKey('ECP_WITNESS_KEY', file, { ECP_WITNESS_KEY: KEY }))).toBe(
      `ECP_WITNESS_KEY is set and --key-file ${file} is given: give the key one way only (unset ECP_WITNESS_KEY, or drop --key-file).`,
    );
    expect(error(() => readProcessKey('ECP_RELAYER_KEY', undefined, {}))).toContain('ECP_RELAYER_KEY is not set and no --key-file is given');
  });

  it('an anvil dev key in a file is refused off anvil, naming the file', () => {
    const file = keyFile(0o400, devKey(3));
    const { account, source } = readProcessKey('ECP_WITNESS_KEY', file, {});
    expect(error(() => refuseDevKey(account, source, 11155420, false))).toContain(`--key-file ${file} holds an anvil dev key`);
    expect(refuseDevKey(account, source, 31337, false).address).toBe(account.address);
  });
});

describe('rail keygen', () => {
  it('writes a fresh key, mode 0400 whatever the umask, and prints only its address', () => {
    const file = path.join(dir, 'witness.key');
    const r = spawnSync('bash', ['-c', `umask 000; exec "${process.execPath}" --import tsx rail/cli.ts keygen --out "${file}"`], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o400);
    const key = readFileSync(file, 'utf8').trim();
    expect(key).toMatch(/^0x[0-9a-f]{64}$/);
    expect(r.stdout).toBe(`${privateKeyToAccount(key as `0x${string}`).address}\n`);
    expect(r.stdout + r.stderr).not.toContain(key.slice(2));
    // What it wrote is what --key-file reads.
    expect(readKeyFile(file, {})).toBe(key);
    // Two runs, two keys.
    const other = path.join(dir, 'other.key');
    const again = cli(['keygen', '--out', other, '--json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ address: privateKeyToAccount(readKeyFile(other, {})).address, keyFile: other });
    expect(readKeyFile(other, {})).not.toBe(key);
  });

  it('never overwrites a file, and names a missing directory', () => {
    const file = keyFile(0o600, 'something else\n');
    const r = cli(['keygen', '--out', file]);
    expect(r.status).toBe(EXIT.input);
    expect(r.stderr).toContain(`--out ${file}: cannot create it (it already exists, and a key file is never overwritten;`);
    expect(readFileSync(file, 'utf8')).toBe('something else\n');
    expect(r.stdout).toBe('');
    const missing = path.join(dir, 'no-such-dir', 'witness.key');
    const m = cli(['keygen', '--out', missing]);
    expect(m.status).toBe(EXIT.input);
    expect(m.stderr).toContain(`its directory ${path.dirname(missing)} does not exist; create it first (mkdir -m 0700)`);
    const none = cli(['keygen']);
    expect(none.status).toBe(EXIT.usage);
    expect(none.stderr).toContain('keygen needs --out FILE');
  });
});

describe('--key-file on the command line', () => {
  const ledger = '0x0000000000000000000000000000000000000001';
  const witnessArgs = ['witness', '--ledger', ledger, '--archive', DEFAULT_ARCHIVE, '--state-dir', dir, '--relayer', 'http://127.0.0.1:1', '--rpc', 'http://127.0.0.1:1'];

  it('a shared key file stops the witness before the chain is touched; so do both ways at once', () => {
    const shared = keyFile(0o644);
    const r = cli([...witnessArgs, '--key-file', shared], { ECP_WITNESS_KEY: '' });
    expect(r.status).toBe(EXIT.input);
    expect(r.stderr).toContain(`--key-file ${shared}: its mode is 0644`);
    expect(r.stderr).not.toContain('eth_chainId');
    const both = cli(['relayer', '--ledger', ledger, '--rpc', 'http://127.0.0.1:1', '--key-file', keyFile(0o400)], { ECP_RELAYER_KEY: KEY });
    expect(both.status).toBe(EXIT.usage);
    expect(both.stderr).toContain('ECP_RELAYER_KEY is set and --key-file');
  });

  it('is refused by the commands that do not read it', () => {
    const r = cli(['members', '--ledger', ledger, '--quorum', '1', '--witness', ledger, '--key-file', keyFile(0o400)]);
    expect(r.status).toBe(EXIT.usage);
    expect(r.stderr).toContain('--key-file is read by witness and relayer only; members takes its keys from the environment');
  });
});

describe('a witness started with --key-file from a credentials directory, on anvil', () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil();
  });
  afterAll(async () => {
    await anvil.stop();
  });

  it('signs as the key in the file: /healthz names that address as not yet a member', async () => {
    const deployed = cli(['deploy', '--rpc', anvil.rpcUrl, '--json']);
    expect(deployed.status).toBe(0);
    const ledger = (JSON.parse(deployed.stdout) as { ledger: string }).ledger;
    // As systemd's LoadCredential= leaves it: a directory of the unit's own, the file 0440 (ACL mask).
    const creds = mkdtempSync(path.join(tmpdir(), 'rail-creds-'));
    const made = cli(['keygen', '--out', path.join(creds, 'witness-key')]);
    expect(made.status).toBe(0);
    const address = made.stdout.trim();
    const key = readFileSync(path.join(creds, 'witness-key'), 'utf8').trim();
    chmodSync(path.join(creds, 'witness-key'), 0o440);
    const port = await freePort();
    const state = mkdtempSync(path.join(tmpdir(), 'rail-witness-state-'));
    const args = ['--import', 'tsx', 'rail/cli.ts', 'witness', '--rpc', anvil.rpcUrl, '--ledger', ledger, '--archive', DEFAULT_ARCHIVE, '--state-dir', state];
    args.push('--relayer', `http://127.0.0.1:${await freePort()}`, '--listen', `127.0.0.1:${port}`, '--key-file', path.join(creds, 'witness-key'));
    const env: NodeJS.ProcessEnv = { ...process.env, CREDENTIALS_DIRECTORY: creds };
    delete env.ECP_WITNESS_KEY;
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let health: { ok: boolean; problem?: string } | undefined;
      const settled = () => health?.problem?.includes('not a current member') === true;
      for (let i = 0; i < 300 && !settled(); i++) {
        if (child.exitCode !== null) throw new Error(`the witness exited early:\n${output}`);
        health = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.json() as Promise<typeof health>, () => undefined);
        if (!settled()) await new Promise((r) => setTimeout(r, 100));
      }
      expect(health).toEqual({ ok: false, problem: `${address} is not a current member of ledger ${ledger}` });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain(address);
    expect(output).not.toContain(key.slice(2));
  });
});

describe('each command\'s usage', () => {
  it('lists exactly the flags that command reads; --key-file for witness and relayer, --out for keygen', () => {
    for (const c of COMMANDS) {
      const text = commandUsage(c);
      expect(text.startsWith(`usage: tsx rail/cli.ts ${c} [flags]\n`)).toBe(true);
      const listed = [...text.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
      expect(listed).toEqual(commandFlags(c).filter((f) => f.startsWith('--')));
    }
    expect(commandFlags('witness')).toContain('--key-file');
    expect(commandFlags('relayer')).toContain('--key-file');
    expect(commandFlags('members')).not.toContain('--key-file');
    expect(commandFlags('keygen')).toEqual(['--json', '--out', '--help', '-h']);
    expect(flagTakesValue('--key-file')).toBe(true);
    expect(flagTakesValue('--json')).toBe(false);
  });
});
