// The threat model of contracts/docs/Protocol.md, tested with the real processes on loopback: anvil,
// a 5-member ledger with quorum 3, 2 honest relayers, honest `rail witness` processes, and dishonest
// members and relayers that run as processes of their own (test/adversaries/). Each run ends on the
// chain: every slot a quorum of honest witnesses observed alike is final with its honest content,
// within the stated bound; nothing else is final; no honest relayer paid for a reverted batch beyond
// the budget; and the honest processes' memory and CPU stayed bounded.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runNetworkSmoke, type AdversaryContext, type Adversaries, type NetworkSummary } from '../smoke/network.js';
import { RELAYER_ATTACKS, WITNESS_ATTACKS, type RelayerAttack, type WitnessAttack } from './adversaries/attacks.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const byzantineWitness = (index: number, attacks: readonly WitnessAttack[]) => ({
  index,
  spawn: (ctx: AdversaryContext) => ({
    script: path.join(HERE, 'adversaries/witness.ts'),
    args: ['--rpc', ctx.rpcUrl, '--ledger', ctx.ledger, '--archive', ctx.archiveOf(index), ...ctx.relayerUrls.flatMap((u) => ['--relayer', u]), '--attacks', attacks.join(','), '--from-block', String(ctx.fromBlock), '--source-address', '127.0.0.2'],
    env: { ECP_WITNESS_KEY: ctx.keyOf(index) },
  }),
});

const byzantineRelayer = (attacks: readonly RelayerAttack[]) => ({
  spawn: (ctx: AdversaryContext & { port: number }) => ({
    script: path.join(HERE, 'adversaries/relayer.ts'),
    args: ['--port', String(ctx.port), '--witnesses', String(ctx.witnesses), '--attacks', attacks.join(',')],
  }),
});

/** Protocol.md's bound B for these settings (5 members, --propose-step-ms 1500, --poll-ms 100, anvil
 *  mining at once) is about 7 s from a slot's turn; the witnesses' latency histogram has a bucket at
 *  10 s, the first above it, and every slot must fall in it. */
const SLOT_BOUND_S = 10;

/** The honest relayers take 20 new candidates a second per member (200 at once): far above what
 *  an honest witness brings in here, and below what the junk-slots adversary sends even on a loaded
 *  machine, so its rate limit is seen working whatever the machine's speed. */
const RELAYER_ARGS = ['--member-rate', '20'];

async function attacked(adversaries: Adversaries, opts: { epochs?: number; archives?: 'own' | 'identical' } = {}): Promise<NetworkSummary> {
  const epochs = opts.epochs ?? 6;
  return runNetworkSmoke({ epochs, faults: false, archives: opts.archives ?? 'own', adversaries, relayerArgs: RELAYER_ARGS, timeoutMs: 30_000 + epochs * SLOT_BOUND_S * 1000 });
}

function expectHonestOutcome(s: NetworkSummary): void {
  expect(s.problems).toEqual([]);
  expect(s.finalized).toBe(s.slots - s.unreachable);
  expect(s.unexpectedFinal).toBe(0);
  expect(s.wrongContent).toBe(0);
  expect(s.chainBreaks).toBe(0);
  expect(s.revertedBatches).toBe(0);
  expect(s.slotLatencyMaxBucketS).toBeLessThanOrEqual(SLOT_BOUND_S);
  for (const r of s.resources) {
    expect(r.rssMiB, `${r.name} resident memory`).toBeLessThan(400);
    expect(r.cpuSeconds, `${r.name} CPU`).toBeLessThan(60);
  }
}

type Report = { statuses?: Record<string, number>; junkSlots?: number; slowSocketsOpen?: number; biggestGetBytes?: number };
const report = (s: NetworkSummary, name: string) => (s.adversaryReports[name] ?? {}) as Report;

/** That the attack was played and met (so a broken adversary cannot pass for a defended attack). */
const PLAYED: Record<WitnessAttack, (s: NetworkSummary) => void> = {
  // Its votes under deadline + 1 were taken (they are valid votes); no batch reverted for them.
  'deadline-mismatch': (s) => expect(report(s, 'adversary-witness-4').statuses?.['202'] ?? 0).toBeGreaterThan(0),
  'slot-fill': (s) => expect(s.seen.refused['member-slot-full'] ?? 0).toBeGreaterThan(0),
  // Its "further along" proposals were taken: honest witnesses saw them and went on.
  behind: (s) => expect(report(s, 'adversary-witness-4').statuses?.['202'] ?? 0).toBeGreaterThan(0),
  flood: (s) => {
    expect(s.seen.refused['bad-signature'] ?? 0).toBeGreaterThan(0);
    expect(s.seen.refused['rate-limited'] ?? 0).toBeGreaterThan(0);
  },
  // Thousands of junk slots; the relayers took only what the member's budget allows, and their chain
  // reads do not grow with the slots they hold (finality comes from the ledger's logs).
  'junk-slots': (s) => {
    expect(report(s, 'adversary-witness-4').junkSlots ?? 0).toBeGreaterThan(1_000);
    expect(s.seen.refused['member-rate-limited'] ?? 0).toBeGreaterThan(0);
  },
  // The relayers cut the slow connections: at most 64 per client address stay open at each.
  'slow-body': (s) => expect(report(s, 'adversary-witness-4').slowSocketsOpen ?? Infinity).toBeLessThanOrEqual(2 * 64),
  // A read names at most 128 slots and its reply holds at most 1 MiB.
  'big-get': (s) => {
    expect(report(s, 'adversary-witness-4').biggestGetBytes ?? 0).toBeGreaterThan(100_000);
    expect(report(s, 'adversary-witness-4').biggestGetBytes ?? Infinity).toBeLessThanOrEqual(1024 * 1024 + 4096);
  },
};

const MET: Record<RelayerAttack, (s: NetworkSummary) => void> = {
  'fake-votes': (s) => expect(s.seen.unprovenClaims).toBeGreaterThan(0),
  silent: (s) => expect(s.seen.relayerErrors).toBeGreaterThan(0),
  huge: (s) => expect(s.seen.relayerErrors).toBeGreaterThan(0),
};

// A dishonest member holds a copy of the archive too, so its candidates can carry honest content.
// Protocol.md's liveness property excludes one thing: such a candidate, raced against honest ones
// whose own candidates differ (jittered archives), can split a slot, which is then given up. So the
// runs with a dishonest member give the honest witnesses identical lines, where the property is
// claimed whole; the relayer-only runs keep every witness's own archive.
describe('one dishonest member', () => {
  for (const attack of WITNESS_ATTACKS) {
    it(`${attack}: every honestly observed slot finalizes, nothing else does`, async () => {
      const s = await attacked({ witnesses: [byzantineWitness(4, [attack])] }, { archives: 'identical' });
      expectHonestOutcome(s);
      PLAYED[attack](s);
    }, 300_000);
  }
});

describe('one dishonest relayer', () => {
  for (const attack of RELAYER_ATTACKS) {
    it(`${attack}: every honestly observed slot finalizes, nothing else does`, async () => {
      const s = await attacked({ relayers: [byzantineRelayer([attack])] });
      expectHonestOutcome(s);
      MET[attack](s);
    }, 300_000);
  }
});

describe('together', () => {
  it('a member playing every attack, a relayer forging votes and a silent one', async () => {
    expectHonestOutcome(
      await attacked({ witnesses: [byzantineWitness(4, WITNESS_ATTACKS)], relayers: [byzantineRelayer(['fake-votes']), byzantineRelayer(['silent'])] }, { archives: 'identical' }),
    );
  }, 300_000);

  it('two dishonest members (f = 2) with the three honest ones observing alike', async () => {
    const s = await attacked(
      { witnesses: [byzantineWitness(3, WITNESS_ATTACKS), byzantineWitness(4, WITNESS_ATTACKS)], relayers: [byzantineRelayer(['fake-votes', 'huge'])] },
      { archives: 'identical' },
    );
    expectHonestOutcome(s);
    expect(s.unreachable).toBe(0);
  }, 300_000);
});
