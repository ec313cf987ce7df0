// The relayer as witnesses meet it: a real HTTP server in front of a real ledger on anvil. Each
// refusal is checked by its status and reason, and a quorum of sign-offs ends final on chain.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Address, Hex } from 'viem';
import { startAnvil, type Anvil } from '../anvil.js';
import { archiveLineSchema } from '../archive/schema.js';
import { initKeccak } from '../archive/merkle.js';
import { deploy } from '../client.js';
import { connect, type RailConnection } from '../connection.js';
import { observationLedgerAbi } from '../contracts.js';
import { devAccount, loadKeys } from '../keys.js';
import { makeLogger } from '../ops/observability.js';
import { candidateHash, candidateToWire, ownObservationOf, proposalDigest, proposeCandidate, type Candidate } from '../protocol/candidate.js';
import { ledgerDomain, signOffDigest, signSignOffDigest } from '../signoff.js';
import { DEFAULT_ARCHIVE } from '../smoke.js';
import { BODY_LIMIT, startRelayer, type RunningRelayer } from './relayer.js';
import { leaderOf, type Lead } from './lead.js';

const hex32 = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const lines = readFileSync(DEFAULT_ARCHIVE, 'utf8').split('\n').slice(0, 30).map((l) => archiveLineSchema.parse(JSON.parse(l)));

/** A fresh anvil with a ledger of the five witnesses (quorum 3). */
async function ledgerOnAnvil(keys: ReturnType<typeof loadKeys>): Promise<{ anvil: Anvil; conn: RailConnection; ledger: Address }> {
  await initKeccak();
  const anvil = await startAnvil();
  const conn = await connect(anvil.rpcUrl, { pollingIntervalMs: 50 });
  const ledger = (await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum: 3 })).ledger;
  return { anvil, conn, ledger };
}

describe('rail relayer', () => {
  let anvil: Anvil;
  let conn: RailConnection;
  let ledger: Address;
  const relayers: RunningRelayer[] = [];
  const keys = loadKeys(5);
  const url = (r: RunningRelayer, route: string) => `http://127.0.0.1:${r.port}${route}`;
  const post = async (r: RunningRelayer, route: string, body: unknown) => {
    const res = await fetch(url(r, route), { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { accepted?: boolean; reason?: string; result?: string } };
  };
  const signOff = async (c: Candidate, witness: number, asIndex = witness) => {
    const digest = signOffDigest(ledgerDomain(conn.chain.id, ledger), candidateHash(c), c.deadline, asIndex);
    return { candidate: candidateToWire(c), signature: await signSignOffDigest(keys.witnesses[witness]!, digest, asIndex) };
  };
  const finalized = (c: Candidate) =>
    conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'finalizedObservation', args: [ownObservationOf(lines.find((l) => l.epoch.id === c.epoch.id && l.stream === c.epoch.stream)!).slot] });
  const waitFinal = async (c: Candidate) => {
    for (let i = 0; i < 200; i++) {
      const h = await finalized(c);
      if (h !== `0x${'00'.repeat(32)}`) return h;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('not final after 10 s');
  };
  const metric = async (r: RunningRelayer, name: string) =>
    (await (await fetch(url(r, '/metrics'))).text())
      .split('\n')
      .filter((l) => l.startsWith(name))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
  const start = async (account: number, lead?: Lead) => {
    const r = await startRelayer({
      lead,
      conn,
      ledger,
      account: devAccount(account),
      host: '127.0.0.1',
      port: 0,
      fromBlock: 0n,
      pollMs: 50,
      maxBatch: 100,
      deadlineMarginSec: 60n,
      maxDeadlineSec: 7_200n,
      limits: { maxSlots: 100, maxCandidates: 100, candidatesPerMemberPerSlot: 4, slotTtlMs: 60_000 },
      log: makeLogger('relayer', 'silent'),
    });
    relayers.push(r);
    return r;
  };

  beforeAll(async () => {
    ({ anvil, conn, ledger } = await ledgerOnAnvil(keys));
  });
  afterAll(async () => {
    for (const r of relayers) await r.stop();
    await anvil?.stop();
  });

  it('refuses what it must, cheaply and by name, and finalizes a quorum of sign-offs', async () => {
    const r = await start(8);
    expect((await fetch(url(r, '/healthz'))).status).toBe(200);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const first = lines.find((l) => l.stream === lines[0]!.stream)!;
    const c = proposeCandidate(ownObservationOf(first), null, now + 3600n);
    const good = await signOff(c, 0);

    expect(await post(r, '/v1/signoffs', '{"candidate":')).toMatchObject({ status: 400 });
    expect(await post(r, '/v1/signoffs', { ...good, extra: 1 })).toMatchObject({ status: 400, body: { reason: 'malformed' } });
    expect(await post(r, '/v1/signoffs', { ...good, signature: { ...good.signature, witnessIndex: 7 } })).toMatchObject({ status: 403, body: { reason: 'not-a-member' } });
    // Witness 1's key signing as index 0.
    expect(await post(r, '/v1/signoffs', await signOff(c, 1, 0))).toMatchObject({ status: 403, body: { reason: 'bad-signature' } });
    expect(await post(r, '/v1/signoffs', { ...good, candidate: { ...good.candidate, locator: 'not a uri' } })).toMatchObject({ status: 422, body: { reason: 'invalid-candidate' } });
    const soon = proposeCandidate(ownObservationOf(first), null, now + 10n);
    expect(await post(r, '/v1/signoffs', await signOff(soon, 0))).toMatchObject({ status: 422, body: { reason: 'deadline' } });
    const big = await fetch(url(r, '/v1/signoffs'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) }) });
    expect(big.status).toBe(413);
    // A proposal is not a vote: it never counts toward quorum.
    const proposal = { candidate: candidateToWire(c), proposer: 4, signature: await keys.witnesses[4]!.sign({ hash: proposalDigest(ledgerDomain(conn.chain.id, ledger), candidateHash(c), 4) }) };
    expect(await post(r, '/v1/proposals', proposal)).toMatchObject({ status: 202, body: { result: 'proposed' } });
    expect(await post(r, '/v1/proposals', { ...proposal, proposer: 3 })).toMatchObject({ status: 403, body: { reason: 'bad-signature' } });

    expect(await post(r, '/v1/signoffs', good)).toMatchObject({ status: 202, body: { result: 'signed' } });
    expect(await post(r, '/v1/signoffs', good)).toMatchObject({ status: 202, body: { result: 'duplicate' } });
    expect(await post(r, '/v1/signoffs', await signOff(c, 1))).toMatchObject({ status: 202 });
    await new Promise((res) => setTimeout(res, 300));
    expect(await finalized(c)).toBe(`0x${'00'.repeat(32)}`); // two votes and a proposal: no quorum
    expect(await post(r, '/v1/signoffs', await signOff(c, 2))).toMatchObject({ status: 202 });
    expect(await waitFinal(c)).toBe(candidateHash(c));
    await new Promise((res) => setTimeout(res, 200));
    expect(await post(r, '/v1/signoffs', await signOff(c, 3))).toMatchObject({ status: 409, body: { reason: 'final' } });
    expect(await metric(r, 'ecp_relayer_finalized_total')).toBe(1);
    expect(await metric(r, 'ecp_relayer_refused_total{reason="not-a-member",member="7"}')).toBe(1);
  }, 60_000);

  it('two relayers racing for the same candidates: each slot finalizes once, no batch fails', async () => {
    const [a, b] = [relayers[0] ?? (await start(8)), await start(9)];
    const stream = lines[0]!.stream;
    const [, second, third] = lines.filter((l) => l.stream === stream);
    const head = await waitHeadOf(conn, ledger, ownObservationOf(second!).streamHash);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const c2 = proposeCandidate(ownObservationOf(second!), { hash: head.hash, sequence: head.sequence }, now + 3600n);
    const c3 = proposeCandidate(ownObservationOf(third!), { hash: candidateHash(c2), sequence: c2.header.sequence }, now + 3600n);
    const posts = [];
    for (const c of [c2, c3]) for (const w of [0, 1, 2]) for (const r of [a, b]) posts.push(signOff(c, w).then((body) => post(r, '/v1/signoffs', body)));
    for (const p of await Promise.all(posts)) expect([202, 409]).toContain(p.status);
    expect(await waitFinal(c2)).toBe(candidateHash(c2));
    expect(await waitFinal(c3)).toBe(candidateHash(c3));
    await new Promise((res) => setTimeout(res, 300));
    expect((await metric(a, 'ecp_relayer_finalized_total')) + (await metric(b, 'ecp_relayer_finalized_total'))).toBe(3);
    expect((await metric(a, 'ecp_relayer_batches_total{outcome="failed"}')) + (await metric(b, 'ecp_relayer_batches_total{outcome="failed"}'))).toBe(0);
  }, 60_000);

  it('votes on one candidate under different deadlines finalize together, and a vote signed over another deadline than posted is refused', async () => {
    const r = relayers[0] ?? (await start(8));
    const stream = lines[0]!.stream;
    const [, , , fourth] = lines.filter((l) => l.stream === stream);
    const head = await waitHeadOf(conn, ledger, ownObservationOf(fourth!).streamHash);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const c = proposeCandidate(ownObservationOf(fourth!), { hash: head.hash, sequence: head.sequence }, now + 3600n);
    // A vote posted with deadline D but signed over D + 1 recovers to someone else.
    const mismatched = await signOff({ ...c, deadline: c.deadline + 1n }, 3);
    expect(await post(r, '/v1/signoffs', { ...mismatched, candidate: candidateToWire(c) })).toMatchObject({ status: 403, body: { reason: 'bad-signature' } });
    // Three members, three deadlines (as honest witnesses deriving one header each sign their own),
    // in one batched post.
    const items = await Promise.all([0, 1, 2].map(async (w) => ({ signoff: await signOff({ ...c, deadline: c.deadline + BigInt(w) }, w) })));
    const res = await fetch(url(r, '/v1/batch'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: { result?: string }[] }).results.map((x) => x.result)).toEqual(['signed', 'signed', 'signed']);
    expect(await waitFinal(c)).toBe(candidateHash(c));
    expect(await metric(r, 'ecp_relayer_batches_total{outcome="reverted"}')).toBe(0);
    expect(await metric(r, 'ecp_relayer_batches_total{outcome="failed"}')).toBe(0);
  }, 60_000);

  it('serves each candidate with the signatures of its proposals and votes, so a witness can check them', async () => {
    const r = relayers[0] ?? (await start(8));
    const stream = lines[0]!.stream;
    const [, , , , fifth] = lines.filter((l) => l.stream === stream);
    const own = ownObservationOf(fifth!);
    const c = proposeCandidate(own, { hash: hex32(77), sequence: 40n }, BigInt(Math.floor(Date.now() / 1000)) + 3600n);
    const vote = await signOff(c, 4);
    expect(await post(r, '/v1/signoffs', vote)).toMatchObject({ status: 202, body: { result: 'signed' } });
    const proposal = { candidate: candidateToWire(c), proposer: 4, signature: await keys.witnesses[4]!.sign({ hash: proposalDigest(ledgerDomain(conn.chain.id, ledger), candidateHash(c), 4) }) };
    expect(await post(r, '/v1/proposals', proposal)).toMatchObject({ status: 202, body: { result: 'proposed' } });
    const reply = (await (await fetch(url(r, `/v1/candidates?slot=${own.slot}`))).json()) as { candidates: { hash: string; proposals: unknown[]; votes: unknown[] }[]; truncated: string[] };
    expect(reply.truncated).toEqual([]);
    expect(reply.candidates).toHaveLength(1);
    expect(reply.candidates[0]!.proposals).toEqual([{ proposer: 4, signature: proposal.signature }]);
    expect(reply.candidates[0]!.votes).toEqual([{ witnessIndex: 4, deadline: c.deadline.toString(), r: vote.signature.r, vs: vote.signature.vs }]);
  }, 60_000);
});

describe('rail relayer, one of two that split the streams', () => {
  const keys = loadKeys(5);
  let anvil: Anvil;
  let conn: RailConnection;
  let ledger: Address;
  let relayer: RunningRelayer | undefined;
  beforeAll(async () => {
    ({ anvil, conn, ledger } = await ledgerOnAnvil(keys));
  });
  afterAll(async () => {
    await relayer?.stop();
    await anvil?.stop();
  });

  it('finalizes the streams it leads at once, and takes over a peer\'s (which never sends) after the delay', async () => {
    const takeoverMs = 2_000;
    relayer = await startRelayer({
      conn, ledger, account: devAccount(8), host: '127.0.0.1', port: 0, fromBlock: 0n, pollMs: 50, maxBatch: 100, deadlineMarginSec: 60n, maxDeadlineSec: 7_200n,
      limits: { maxSlots: 100, maxCandidates: 100, candidatesPerMemberPerSlot: 4, slotTtlMs: 60_000 },
      lead: { index: 0, count: 2, takeoverMs },
      log: makeLogger('relayer', 'silent'),
    });
    const firstOf = (lead: number) => lines.find((l) => leaderOf(ownObservationOf(l).streamHash, 2) === lead)!;
    const now = BigInt(Math.floor(Date.now() / 1000));
    const ours = proposeCandidate(ownObservationOf(firstOf(0)), null, now + 3600n);
    const peers = proposeCandidate(ownObservationOf(firstOf(1)), null, now + 3600n);
    const domain = ledgerDomain(conn.chain.id, ledger);
    const items = [];
    for (const c of [ours, peers]) for (const w of [0, 1, 2]) items.push({ signoff: { candidate: candidateToWire(c), signature: await signSignOffDigest(keys.witnesses[w]!, signOffDigest(domain, candidateHash(c), c.deadline, w), w) } });
    const posted = Date.now();
    const res = await fetch(`http://127.0.0.1:${relayer.port}/v1/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
    expect(res.status).toBe(200);
    const finalAt = async (c: Candidate) => {
      const slot = ownObservationOf(lines.find((l) => l.epoch.id === c.epoch.id && l.stream === c.epoch.stream)!).slot;
      for (;;) {
        const h = await conn.publicClient.readContract({ address: ledger, abi: observationLedgerAbi, functionName: 'finalizedObservation', args: [slot] });
        if (h !== `0x${'00'.repeat(32)}`) return Date.now() - posted;
        if (Date.now() - posted > 20_000) throw new Error('not final after 20 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const [oursMs, peersMs] = await Promise.all([finalAt(ours), finalAt(peers)]);
    expect(oursMs).toBeLessThan(takeoverMs);
    expect(peersMs).toBeGreaterThanOrEqual(takeoverMs);
    const text = await (await fetch(`http://127.0.0.1:${relayer.port}/metrics`)).text();
    expect(text).toMatch(/^ecp_relayer_takeover_items_total 1$/m);
    // Metrics carry no per-stream or per-slot label: their series do not grow with the streams.
    expect(text).not.toMatch(/="0x/);
  }, 60_000);
});

async function waitHeadOf(conn: RailConnection, ledger: Address, streamHash: Hex): Promise<{ hash: Hex; sequence: bigint }> {
  const logs = await conn.publicClient.getContractEvents({ address: ledger, abi: observationLedgerAbi, eventName: 'ObservationFinalized', args: { streamHash }, fromBlock: 0n, strict: true });
  const last = logs.at(-1)!;
  return { hash: last.args.observationHash, sequence: last.args.header.sequence };
}
