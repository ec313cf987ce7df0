// The contracts gate fails when it should. `npm test` starts with `npm run test:contracts` (forge test,
// then the gas snapshot check); if a failing forge test or a drifted snapshot still exited 0, every
// green run would say nothing about the contracts (the npm launcher of @foundry-rs/forge 1.7.1 does
// exactly that, which is why the scripts call tools/bin/forge).
//
// Each case runs the repository's own gate (package.json scripts, foundry.toml, tools/) in a throwaway
// directory with a small forge suite, so the working tree is never touched and the suite compiles in
// seconds: first green as it stands, then red with one failing test, then red with a drifted snapshot.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const PASSING = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

contract GatePassesTest {
    uint256 internal stored;

    function test_gate_Passes() public {
        stored = 1;
        if (stored != 1) revert("unreachable");
    }
}
`;

const FAILING = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

contract GateFailsTest {
    function test_gate_FailsOnPurpose() public pure {
        revert("deliberate failure");
    }
}
`;

interface Run {
  status: number | null;
  output: string;
}

describe('the contracts gate (npm run test:contracts)', () => {
  let dir: string;

  const npm = (script: string): Run => {
    const r = spawnSync('npm', ['run', '-s', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ecp-gate-'));
    for (const entry of ['package.json', 'foundry.toml', 'tools']) {
      cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true, verbatimSymlinks: true });
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    mkdirSync(path.join(dir, 'contracts', 'src'), { recursive: true });
    mkdirSync(path.join(dir, 'contracts', 'test'), { recursive: true });
    writeFileSync(path.join(dir, 'contracts', 'test', 'GatePasses.t.sol'), PASSING);
    const snapshot = npm('snapshot');
    expect(snapshot.status, snapshot.output).toBe(0);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('passes a passing suite with a matching snapshot', () => {
    expect(readFileSync(path.join(dir, '.gas-snapshot'), 'utf8')).toMatch(/^GatePassesTest:test_gate_Passes\(\) \(gas: \d+\)\n?$/);
    const run = npm('test:contracts');
    expect(run.status, run.output).toBe(0);
  });

  it('fails when one forge test fails, and names it', () => {
    const failing = path.join(dir, 'contracts', 'test', 'GateFails.t.sol');
    writeFileSync(failing, FAILING);
    try {
      const run = npm('test:contracts');
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('[FAIL: deliberate failure] test_gate_FailsOnPurpose()');
    } finally {
      rmSync(failing);
    }
  });

  it('fails when the gas snapshot has drifted', () => {
    const file = path.join(dir, '.gas-snapshot');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace(/\(gas: (\d+)\)/, (_, gas: string) => `(gas: ${Number(gas) + 1})`));
    try {
      const run = npm('test:contracts');
      expect(run.status).not.toBe(0);
      expect(run.output).toMatch(/^-GatePassesTest:test_gate_Passes\(\) \(gas: \d+\)$/m);
      expect(run.output).toMatch(/^\+GatePassesTest:test_gate_Passes\(\) \(gas: \d+\)$/m);
    } finally {
      writeFileSync(file, good);
    }
  });

  it('fails when the snapshot still lists a test that no longer exists', () => {
    // forge's own --check ignores such a line; the gate compares the whole file.
    const file = path.join(dir, '.gas-snapshot');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, `${good.trimEnd()}\nGatePassesTest:test_gate_Deleted() (gas: 1000)\n`);
    try {
      const run = npm('test:contracts');
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('-GatePassesTest:test_gate_Deleted() (gas: 1000)');
    } finally {
      writeFileSync(file, good);
    }
  });

  it('no package.json script calls the npm launchers of forge, anvil or cast', () => {
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const [name, command] of Object.entries(scripts)) {
      const bare = command.split(/&&|\|\||;|\|/).map((part) => part.trim().split(/\s+/)[0]).filter((cmd) => cmd === 'forge' || cmd === 'anvil' || cmd === 'cast' || /node_modules\/\.bin\/(forge|anvil|cast)$/.test(cmd ?? ''));
      expect(bare, `script "${name}": ${command}`).toEqual([]);
    }
  });

  it('tools/bin passes forge, anvil and cast exit statuses on', () => {
    for (const tool of ['forge', 'anvil', 'cast']) {
      const r = spawnSync(path.join(root, 'tools', 'bin', tool), ['--no-such-flag'], { encoding: 'utf8' });
      expect(r.status, `${tool}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain("unexpected argument '--no-such-flag'");
    }
  });
});
