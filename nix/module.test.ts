// The NixOS module parses, evaluates, and agrees with the Pulumi stack's defaults (one source of
// truth: nix/opstack-defaults.json is generated from components/config/defaults.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKUP_DIR, DEFAULT_EXECUTION_P2P_PORT, DEFAULT_OP_NODE_P2P_PORT, DEFAULT_STATE_DIR } from '../components/config/defaults.js';
import { commandFlags, flagTakesValue } from '../rail/usage.js';
import { hostPaths } from '../components/services/paths.js';
import { NIX_DEFAULTS_PATH, renderNixDefaults } from '../scripts/gen-nix-defaults.js';
import { writeRailBundle } from '../scripts/bundle-rail.js';

function nix(args: string[]): string {
  try {
    return execFileSync('nix-instantiate', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error('nix-instantiate not found: install Debian\'s nix-bin (`.ci/run` does).');
    throw new Error(`nix-instantiate ${args.join(' ')} failed:\n${err.stderr ?? err.message}`);
  }
}

interface Evaluated {
  defaults: { stateDir: string; backupDir: string; opNodePort: number; executionPort: number; operator: string };
  descriptions: boolean;
  firewall: { enable: boolean; allowedTCPPorts: number[]; allowedUDPPorts: number[] };
  tmpfiles: string[];
  assertionsHold: boolean;
  operatorGroups: string[];
  dockerLogOpts: Record<string, string>;
  packages: string[];
  disabledIsEmpty: boolean;
  witnessDescriptions: boolean;
  witness: {
    keys: string[];
    assertionsHold: boolean;
    firewall: { allowedTCPPorts: number[] };
    service: { wantedBy: string[]; after: string[]; startLimitIntervalSec: number; serviceConfig: Record<string, unknown> & { ExecStart: string; LoadCredential: string[] } };
    withOpStack: number[];
    ipv6Listen: string;
    broken: Record<string, string[]>;
    failingConfigStopsEvaluation: boolean;
    soundConfigEvaluates: boolean;
  };
}

/** An ExecStart line split as systemd splits it: words, double-quoted ones unescaped, %% and $$
 *  undoubled; `%d` (the credentials directory) is left for the caller. */
export function systemdWords(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m; (m = re.exec(line)) !== null; ) {
    const word = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!;
    words.push(word.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return words;
}

describe('nix/modules/ec-op-stack.nix', () => {
  it('parses', () => {
    expect(() => nix(['--parse', 'nix/modules/ec-op-stack.nix'])).not.toThrow();
  });

  it('reads defaults generated from the stack\'s own (run scripts/gen-nix-defaults.ts after changing them)', () => {
    expect(readFileSync(NIX_DEFAULTS_PATH, 'utf8')).toBe(renderNixDefaults());
  });

  const evaluated = () => JSON.parse(nix(['--eval', '--strict', '--json', 'nix/test/eval.nix'])) as Evaluated;

  it('defaults to the stack\'s state directory and P2P ports', () => {
    expect(evaluated().defaults).toEqual({
      stateDir: DEFAULT_STATE_DIR,
      backupDir: DEFAULT_BACKUP_DIR,
      opNodePort: DEFAULT_OP_NODE_P2P_PORT,
      executionPort: DEFAULT_EXECUTION_P2P_PORT,
      operator: 'ecp-operator',
    });
    expect(evaluated().descriptions).toBe(true);
  });

  it('opens only the P2P ports, TCP and UDP', () => {
    expect(evaluated().firewall).toEqual({
      enable: true,
      allowedTCPPorts: [DEFAULT_OP_NODE_P2P_PORT, DEFAULT_EXECUTION_P2P_PORT],
      allowedUDPPorts: [DEFAULT_OP_NODE_P2P_PORT, DEFAULT_EXECUTION_P2P_PORT],
    });
  });

  it('creates every directory the stack writes into, the secrets one private', () => {
    const rules = evaluated().tmpfiles;
    const p = hostPaths(DEFAULT_STATE_DIR);
    for (const dir of [p.root, p.bin, p.rail, p.deployer, p.configDir, p.prestatesDir, p.opGethData, p.opRethData, p.opNodeData, p.opChallengerData]) {
      expect(rules).toContain(`d ${dir} 0750 ecp-operator every-channel -`);
    }
    expect(rules).toContain(`d ${p.jwt.replace(/\/[^/]+$/, '')} 0700 ecp-operator every-channel -`);
    expect(rules).toContain('z /srv/every-channel/archive.jsonl 0640 - every-channel -');
    // The backup directory: the operator's, private.
    expect(rules).toContain(`d ${DEFAULT_BACKUP_DIR} 0700 ecp-operator every-channel -`);
  });

  it('gives the operator Docker, rotates container logs, and does nothing when disabled', () => {
    const e = evaluated();
    expect(e.assertionsHold).toBe(true);
    expect(e.operatorGroups).toEqual(['every-channel', 'docker']);
    expect(e.dockerLogOpts).toEqual({ 'max-file': '5', 'max-size': '100m' });
    expect(e.disabledIsEmpty).toBe(true);
  });

  it('installs every tool the remote steps call', () => {
    const scripts = execFileSync('bash', ['-c', 'cat scripts/op-stack/remote/*.sh scripts/op-stack/download-op-deployer.sh'], { encoding: 'utf8' });
    for (const tool of ['curl', 'jq', 'tar', 'sha256sum']) expect(scripts).toContain(tool);
    expect(evaluated().packages).toEqual(['bash', 'coreutils', 'curl', 'jq', 'gnutar', 'gzip']);
  });
});

describe('shell scripts (scripts/op-stack, .ci/run, tools/bin/foundry)', () => {
  it('are shellcheck-clean', () => {
    const scripts = execFileSync('bash', ['-c', 'ls scripts/op-stack/*.sh scripts/op-stack/remote/*.sh .ci/run tools/bin/foundry'], { encoding: 'utf8' }).trim().split('\n');
    expect(scripts).toContain('scripts/op-stack/download-op-deployer.sh');
    expect(scripts).toContain('scripts/op-stack/remote/op-deployer-apply.sh');
    try {
      execFileSync('shellcheck', scripts, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stdout?: string };
      if (err.code === 'ENOENT') throw new Error('shellcheck not found: install Debian\'s shellcheck (`.ci/run` does).');
      throw new Error(`shellcheck found problems:\n${err.stdout ?? err.message}`);
    }
  });
});

describe('services.every-channel.rail-witness (a witness host: nix/test/eval.nix)', () => {
  const evaluated = () => JSON.parse(nix(['--eval', '--strict', '--json', 'nix/test/eval.nix', '-A', 'witness'])) as Evaluated['witness'];
  const WITNESS_FLAGS = commandFlags('witness');

  /** The unit's command line as `rail witness` flags: each one checked against the CLI's own list. */
  function witnessFlags(words: string[]): Map<string, string[]> {
    const flags = new Map<string, string[]>();
    for (let i = 0; i < words.length; i++) {
      const flag = words[i]!;
      expect(WITNESS_FLAGS, `${flag} in the unit's ExecStart is not a \`rail witness\` flag (rail/usage.ts)`).toContain(flag);
      const value = flagTakesValue(flag) ? words[++i] : '';
      expect(value, `${flag} needs a value`).toBeDefined();
      flags.set(flag, [...(flags.get(flag) ?? []), value!]);
    }
    return flags;
  }

  it('runs rail.mjs witness with Node, every flag one the CLI has, its values the options', () => {
    const e = evaluated();
    expect(e.assertionsHold).toBe(true);
    const [node, bundle, command, ...rest] = systemdWords(e.service.serviceConfig.ExecStart);
    expect(node).toBe('/nix/store/00000000000000000000000000000000-nodejs-22/bin/node');
    expect(bundle).toBe('/etc/ecp/rail.mjs');
    expect(command).toBe('witness');
    const flags = witnessFlags(rest);
    expect(Object.fromEntries(flags)).toEqual({
      '--rpc': ['http://10.0.0.2:8545'],
      '--ledger': ['0x1234567890abcdef1234567890abcdef12345678'],
      '--archive': ['/srv/every-channel/archive'],
      '--state-dir': ['/var/lib/ecp-rail-witness'],
      '--listen': ['127.0.0.1:8651'],
      // A % in an option reaches the process as written (systemd would read %2 as a specifier).
      '--relayer': ['http://10.0.0.2:8650', 'https://relayer.example/rail?a=1%20b'],
      '--from-block': ['1200'],
      '--max-pipeline': ['4'],
      '--key-file': ['%d/witness-key'],
    });
    const ipv6 = witnessFlags(systemdWords(evaluated().ipv6Listen).slice(3));
    expect(ipv6.get('--listen')).toEqual(['[::1]:9651']);
  });

  it('the bundle the unit runs parses that command line (rail.mjs witness … --help)', async () => {
    const e = evaluated();
    const words = systemdWords(e.service.serviceConfig.ExecStart).slice(2).map((w) => w.replace(/^%d\//, '/run/credentials/ecp-rail-witness.service/'));
    const bundle = path.join(mkdtempSync(path.join(tmpdir(), 'rail-bundle-')), 'rail.mjs');
    // Written as a witness host gets it (scripts/bundle-rail.ts).
    const sha256 = await writeRailBundle(bundle);
    expect(createHash('sha256').update(readFileSync(bundle)).digest('hex')).toBe(sha256);
    const r = spawnSync(process.execPath, [bundle, ...words, '--help'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: tsx rail\/cli.ts witness \[flags\]/);
    // …and an unknown flag is what it refuses, so the check above means something.
    const wrong = spawnSync(process.execPath, [bundle, ...words, '--no-such-flag', '--help'], { encoding: 'utf8' });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("Unknown option '--no-such-flag'");
  });

  it('passes the key as a systemd credential, the one --key-file reads; never in the command line', () => {
    const sc = evaluated().service.serviceConfig;
    expect(sc.LoadCredential).toEqual(['witness-key:/etc/ecp/witness.key']);
    const keyFile = witnessFlags(systemdWords(sc.ExecStart).slice(3)).get('--key-file')![0]!;
    expect(keyFile).toBe(`%d/${sc.LoadCredential[0]!.split(':')[0]}`);
    expect(sc.ExecStart).not.toContain('/etc/ecp/witness.key');
    expect(JSON.stringify(evaluated().service)).not.toMatch(/ECP_WITNESS_KEY/);
  });

  it('keeps its vote record in its own state directory and sees the archive read-only, in a hardened unit', () => {
    const e = evaluated();
    const sc = e.service.serviceConfig;
    expect(sc.StateDirectory).toBe('ecp-rail-witness');
    expect(sc.StateDirectoryMode).toBe('0700');
    expect(witnessFlags(systemdWords(sc.ExecStart).slice(3)).get('--state-dir')).toEqual([`/var/lib/${sc.StateDirectory as string}`]);
    expect(sc.ReadOnlyPaths).toEqual(['/srv/every-channel/archive']);
    expect(sc).toMatchObject({
      DynamicUser: true,
      SupplementaryGroups: ['every-channel'],
      ProtectSystem: 'strict',
      ProtectHome: true,
      PrivateTmp: true,
      NoNewPrivileges: true,
      CapabilityBoundingSet: '',
      UMask: '0077',
      Restart: 'always',
      RestartSec: '5s',
      RestartSteps: 8,
      RestartMaxDelaySec: '5min',
      // Node's JIT needs writable, then executable memory.
      MemoryDenyWriteExecute: false,
    });
    expect(e.service.startLimitIntervalSec).toBe(0);
    expect(e.service.wantedBy).toEqual(['multi-user.target']);
    expect(e.service.after).toContain('network-online.target');
  });

  it('is a witness host only: nothing of the OP Stack host, the metrics port opened only when asked', () => {
    const e = evaluated();
    expect(e.keys).toEqual(['assertions', 'networking', 'systemd']);
    expect(e.firewall).toEqual({ allowedTCPPorts: [8651] });
    expect(e.withOpStack).toEqual([DEFAULT_OP_NODE_P2P_PORT, DEFAULT_EXECUTION_P2P_PORT, 8651]);
  });

  it('refuses a config without a key file or relayers, or with a key in the Nix store, each with the option and the fix', () => {
    const broken = evaluated().broken;
    const o = 'services.every-channel.rail-witness';
    expect(broken).toEqual({
      noKeyFile: [`${o}.keyFile is not set: make the witness's key on this host (\`umask 077; node rail.mjs keygen --out /etc/ecp/witness.key\`) and set keyFile = "/etc/ecp/witness.key".`],
      relativeKeyFile: [`${o}.keyFile must be an absolute path given as a string, like "/etc/ecp/witness.key" (a Nix path literal would copy the key into the world-readable Nix store).`],
      keyInStore: [
        `${o}.keyFile is in the Nix store, which every user can read: keep the key in a root-only file outside it, like /etc/ecp/witness.key, and make a new key if this one was ever in the store.`,
      ],
      noRelayers: [`${o}.relayers is empty: give at least one relayer URL (http://host:port, from the operator); a witness reaches the other witnesses only through relayers.`],
      badRelayer: [`${o}.relayers: every entry must be an http:// or https:// URL without spaces or quotes, got ["10.0.0.2:8650"].`],
      noBundle: [`${o}.bundle is not set: give the path of the bundled rail client, rail.mjs (\`npx tsx scripts/bundle-rail.ts --out rail.mjs\` in an ecp-forge checkout).`],
      badLedger: [`${o}.ledger must be the ledger's address, 0x and 40 hex digits (the stack's \`rail\` output), got "0x1234".`],
      badRpc: [`${o}.rpcUrl must be the L2's http:// or https:// JSON-RPC URL, got "".`],
      archiveInHome: [`${o}.archiveDir must be an absolute path outside /home, /root, /run/user, /tmp, /var/tmp (the unit does not see those), got "/home/alice/archive".`],
      relativeArchive: [`${o}.archiveDir must be an absolute path outside /home, /root, /run/user, /tmp, /var/tmp (the unit does not see those), got "archive".`],
      extraSetsKeyFile: [
        `${o}.extraArgs sets a flag the module sets from its own options (--rpc --ledger --archive --state-dir --listen --relayer --from-block --key-file): use the options (rpcUrl, ledger, archiveDir, stateDirectory, listen, relayers, fromBlock, keyFile) instead.`,
      ],
      badStateDirectory: [`${o}.stateDirectory is a directory name under /var/lib, like ecp-rail-witness, got "../etc".`],
    });
  });

  it('a config that fails its assertions stops evaluation; a sound one evaluates', () => {
    const e = evaluated();
    expect(e.failingConfigStopsEvaluation).toBe(true);
    expect(e.soundConfigEvaluates).toBe(true);
  });

  it('describes every option', () => {
    expect(JSON.parse(nix(['--eval', '--strict', '--json', 'nix/test/eval.nix', '-A', 'witnessDescriptions']))).toBe(true);
  });
});
