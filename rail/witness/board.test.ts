// The board against relayers that misbehave, as real HTTP servers on loopback: one that never
// answers, one that answers with more than the witness reads, one that lies; and the batching of a
// poll's posts into one request per relayer.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Hex } from 'viem';
import { candidateToWire, ZERO_HASH, type Candidate } from '../protocol/candidate.js';
import { Board, DEFAULT_BOARD_LIMITS, type Refusal } from './board.js';

const hex32 = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const candidate = (n: number): Candidate => ({
  header: { streamHash: hex32(1), epochHash: hex32(2), parentObservationHash: ZERO_HASH, dataRoot: hex32(3), locatorHash: hex32(4 + n), observedUnixMs: 1_000n, sequence: 0n },
  locator: `s3://bucket/${n}`,
  epoch: { stream: 's', id: `e${n}`, startUnixMs: 0, durationMs: 6_000 },
  deadline: 2_000_000_000n,
});

const servers: Server[] = [];
async function serve(handler: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handler(req, body, res));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const honestReply = (slot: Hex) => JSON.stringify({ candidates: [{ slot, hash: hex32(9), candidate: candidateToWire(candidate(1)), proposals: [], votes: [{ witnessIndex: 2, deadline: '2000000000', r: hex32(5), vs: hex32(6) }] }], final: [], truncated: [] });

describe('Board', () => {
  it('answers from the relayers that answer, without waiting for one that never does', async () => {
    let silentAsked = 0;
    const silent = await serve(() => void silentAsked++);
    const honest = await serve((_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(honestReply(hex32(7))));
    const board = new Board([silent, honest], { ...DEFAULT_BOARD_LIMITS, timeoutMs: 60_000 });
    const first = await board.candidates([hex32(7)], 300);
    expect(silentAsked).toBe(1);
    const [c] = first.candidates.get(hex32(7))!;
    // The hash is the board's own, not the relayer's; claims are passed on to be checked.
    expect(c!.hash).not.toBe(hex32(9));
    expect(c!.votes).toEqual([{ witnessIndex: 2, deadline: 2_000_000_000n, r: hex32(5), vs: hex32(6) }]);
    // The silent relayer's read is still open: it is not asked again, and not waited for.
    const second = await board.candidates([hex32(7)], 60_000);
    expect(silentAsked).toBe(1);
    expect(second.candidates.get(hex32(7))).toHaveLength(1);
  });

  it('drops a reply over the limit, reports it and backs off reads from that relayer, whatever its posts do', async () => {
    let asked = 0;
    const huge = await serve((req, body, res) => {
      // It takes posts well enough…
      if (req.method === 'POST') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: (JSON.parse(body) as { items: unknown[] }).items.map(() => ({ accepted: true })) }));
      asked++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"candidates":[],"pad":"${'x'.repeat(300_000)}"}`);
    });
    const problems: Refusal[] = [];
    const board = new Board([huge], { ...DEFAULT_BOARD_LIMITS, replyLimit: 64 * 1024, backoffMs: 60_000 }, (p) => problems.push(p));
    const r = await board.candidates([hex32(7)]);
    expect(r.errors).toBe(1);
    expect(problems).toEqual([{ relayer: huge, reason: 'read-failed', detail: 'reply over the 65536-byte limit' }]);
    expect(board.unreachable()).toEqual([huge]);
    // …and a post that goes through does not lift the backoff of its reads.
    board.queueVote(candidate(1), { witnessIndex: 3, r: hex32(5), vs: hex32(6) });
    await board.close();
    await board.candidates([hex32(7)]);
    expect(asked).toBe(1);
  });

  it('sends a poll’s proposals and votes as one batch per relayer, and passes on what a relayer refused', async () => {
    const bodies: { url: string; items: unknown[] }[] = [];
    const handler = (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => {
      const items = (JSON.parse(body) as { items: unknown[] }).items;
      bodies.push({ url: req.url!, items });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: items.map((_, i) => (i === 0 ? { accepted: false, reason: 'bad-signature', detail: 'no' } : { accepted: true })) }));
    };
    const [a, b] = [await serve(handler), await serve(handler)];
    const problems: Refusal[] = [];
    const board = new Board([a, b], DEFAULT_BOARD_LIMITS, (p) => problems.push(p));
    board.queueProposal(candidate(1), 3, `0x${'11'.repeat(65)}`);
    board.queueVote(candidate(1), { witnessIndex: 3, r: hex32(5), vs: hex32(6) });
    board.queueVote(candidate(2), { witnessIndex: 3, r: hex32(5), vs: hex32(6) });
    // Queued twice: sent once.
    board.queueVote(candidate(2), { witnessIndex: 3, r: hex32(5), vs: hex32(6) });
    board.flush();
    await board.close();
    expect(bodies.map((x) => [x.url, x.items.length])).toEqual([
      ['/v1/batch', 3],
      ['/v1/batch', 3],
    ]);
    expect(problems.map((p) => p.reason)).toEqual(['bad-signature', 'bad-signature']);
  });
});
