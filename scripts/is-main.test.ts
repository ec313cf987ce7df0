import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('isMain', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ecp-is-main-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('recognises the script when it is run through a symlinked path, so its exit status is not lost', () => {
    const link = path.join(dir, 'link');
    symlinkSync(dir, link, 'dir');
    writeFileSync(
      path.join(dir, 'script.ts'),
      `import { isMain } from ${JSON.stringify(path.join(here, 'is-main.ts'))};\nif (isMain(import.meta.url)) process.exit(3);\n`,
    );
    for (const entry of [path.join(dir, 'script.ts'), path.join(link, 'script.ts')]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', entry], { encoding: 'utf8' });
      expect(r.status, `${entry}: ${r.stderr}`).toBe(3);
    }
  });

  it('is false for a module that is only imported', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(path.join(here, 'gen-vectors.ts'))}).then(() => process.exit(0))`], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
  });
});
