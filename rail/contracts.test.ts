import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, renderContracts } from '../scripts/gen-contracts.js';

describe('rail/contracts.ts', () => {
  it('matches the forge build output (run `npm run build:contracts` after changing a contract)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8') === renderContracts()).toBe(true);
  });
});
