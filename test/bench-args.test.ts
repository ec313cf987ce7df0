// The bench's command line as an operator meets it: --help prints the usage and starts nothing; an
// unknown flag or command is refused with the usage, before anything is measured.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BENCH_USAGE, benchArgs } from '../bench/index.js';

const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

describe('npm run bench', () => {
  it('--help prints the usage and runs nothing', () => {
    const r = bench('--help');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(BENCH_USAGE);
    expect(bench('network', '-h').stdout.trim()).toBe(BENCH_USAGE);
  });

  it('refuses an unknown flag or command, naming it, before measuring anything', () => {
    const flag = bench('--epoch', '5');
    expect(flag.status).toBe(1);
    expect(flag.stderr).toContain("Unknown option '--epoch'");
    expect(flag.stderr).toContain('usage: npm run -s bench');
    const command = bench('netwrk');
    expect(command.status).toBe(1);
    expect(command.stderr).toContain('unknown bench command "netwrk"');
  });

  it('reads its flags', () => {
    expect(benchArgs([])).toEqual({ command: 'gas', json: false, streams: undefined, seconds: 90, blockTimeS: 1, gb: 1 });
    expect(benchArgs(['network', '--streams', '500', '--seconds', '120', '--block-time', '2', '--json'])).toEqual({ command: 'network', json: true, streams: 500, seconds: 120, blockTimeS: 2, gb: 1 });
    expect(benchArgs(['stream', '--gb', '0.5'])).toMatchObject({ command: 'stream', gb: 0.5 });
    expect(() => benchArgs(['network', '--streams', '0'])).toThrow('--streams 0: expected a whole number of live streams from 1 to 5000.');
    expect(() => benchArgs(['network', '--block-time', '3'])).toThrow('--block-time 3: expected 1 or 2');
    expect(() => benchArgs(['network', '--seconds', '5'])).toThrow('--seconds 5: expected a whole number of seconds ≥ 20');
  });
});
