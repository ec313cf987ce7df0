// The NixOS module parses, evaluates, and agrees with the Pulumi stack's defaults (one source of
// truth: nix/opstack-defaults.json is generated from components/config/defaults.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKUP_DIR, DEFAULT_EXECUTION_P2P_PORT, DEFAULT_OP_NODE_P2P_PORT, DEFAULT_STATE_DIR } from '../components/config/defaults.js';
import { hostPaths } from '../components/services/paths.js';
import { NIX_DEFAULTS_PATH, renderNixDefaults } from '../scripts/gen-nix-defaults.js';

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
