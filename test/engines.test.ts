// The README's two commands run on Node.js ≥ 20.19 (package.json "engines"): no installed package may
// declare that it needs a newer Node.js (npm ci would warn, and the package may not work).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }> };
const declared = (JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } }).engines.node;

/** The lowest major version a range like ">=22", ">= 20.19.0" or "^22 || >=24" needs, if it is one. */
function floorMajor(range: string): number | undefined {
  const majors = range.split('||').map((part) => /(?:>=|\^|~)?\s*v?(\d+)/.exec(part.trim())?.[1]);
  if (majors.some((m) => m === undefined)) return undefined;
  return Math.min(...majors.map(Number));
}

describe('engines', () => {
  it('the project declares Node.js ≥ 20.19, and no locked package needs a newer major', () => {
    expect(declared).toBe('>=20.19');
    const tooNew = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && p.engines && !Array.isArray(p.engines) && typeof p.engines.node === 'string')
      .filter(([, p]) => (floorMajor((p.engines as { node: string }).node) ?? 0) > 20)
      .map(([name, p]) => `${name} (${(p.engines as { node: string }).node})`);
    expect(tooNew).toEqual([]);
  });

  it('reads the ranges packages use', () => {
    expect(floorMajor('>=22')).toBe(22);
    expect(floorMajor('>= 20.19.0')).toBe(20);
    expect(floorMajor('^18.17.0 || >=20.5.0')).toBe(18);
    expect(floorMajor('*')).toBeUndefined();
  });
});
