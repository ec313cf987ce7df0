import { describe, expect, it } from 'vitest';
import { ClientBudget } from './budget.js';

describe('ClientBudget', () => {
  it('lets a client send `burst` bad signatures, then one per 1/perSecond, each client on its own', () => {
    let now = 0;
    const b = new ClientBudget({ burst: 3, perSecond: 2, clients: 10 }, () => now);
    for (let i = 0; i < 3; i++) {
      expect(b.allows('10.0.0.9')).toBe(true);
      b.charge('10.0.0.9');
    }
    expect(b.allows('10.0.0.9')).toBe(false);
    expect(b.allows('10.0.0.1')).toBe(true);
    now = 499;
    expect(b.allows('10.0.0.9')).toBe(false);
    now = 500;
    expect(b.allows('10.0.0.9')).toBe(true);
    b.charge('10.0.0.9');
    expect(b.allows('10.0.0.9')).toBe(false);
    // Refilled up to the burst, never beyond.
    now = 1_000_000;
    for (let i = 0; i < 3; i++) b.charge('10.0.0.9');
    expect(b.allows('10.0.0.9')).toBe(false);
  });

  it('remembers at most `clients` addresses, forgetting the least recently charged', () => {
    const b = new ClientBudget({ burst: 1, perSecond: 0.001, clients: 2 }, () => 0);
    b.charge('a');
    b.charge('b');
    b.charge('c');
    expect(b.allows('a')).toBe(true);
    expect(b.allows('b')).toBe(false);
    expect(b.allows('c')).toBe(false);
  });
});
