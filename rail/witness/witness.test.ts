// A witness handles a poll's slots together: the votes due in one pass are signed, written to the
// record with one disk sync, and sent as one batched POST per relayer, to every relayer at once.
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveLine } from '../../bench/live.js';
import { startAnvil, type Anvil } from '../anvil.js';
import { initKeccak } from '../archive/merkle.js';
import { deploy } from '../client.js';
import { connect, type RailConnection } from '../connection.js';
import { loadKeys } from '../keys.js';
import { makeLogger } from '../ops/observability.js';
import { startWitness, type RunningWitness } from './witness.js';

/** A relayer that takes every batch and holds nothing: it counts the POSTs and their items. */
function countingRelayer(): Promise<{ url: string; posts: { at: number; items: number }[]; server: Server }> {
  const posts: { at: number; items: number }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/batch') {
        const items = (JSON.parse(body) as { items: unknown[] }).items;
        posts.push({ at: Date.now(), items: items.length });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ results: items.map(() => ({ accepted: true, result: 'signed' })) }));
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end('{"candidates":[],"final":[],"truncated":[]}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, posts, server })));
}

describe('rail witness, one pass at a time', () => {
  let anvil: Anvil;
  let conn: RailConnection;
  let ledger: Address;
  let dir: string;
  let witness: RunningWitness | undefined;
  const relayers: Awaited<ReturnType<typeof countingRelayer>>[] = [];
  const keys = loadKeys(5);

  beforeAll(async () => {
    await initKeccak();
    anvil = await startAnvil();
    conn = await connect(anvil.rpcUrl, { pollingIntervalMs: 50 });
    ledger = (await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum: 3 })).ledger;
    dir = await mkdtemp(path.join(os.tmpdir(), 'witness-pass-'));
    relayers.push(await countingRelayer(), await countingRelayer());
  });
  afterAll(async () => {
    await witness?.stop();
    for (const r of relayers) r.server.close();
    await anvil?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('records a pass\'s votes with one sync and sends them as one POST per relayer', async () => {
    // 12 streams, one epoch each, all in the archive before the witness starts.
    const streams = 12;
    const start = Date.now() - 60_000;
    await writeFile(path.join(dir, 'archive.jsonl'), Array.from({ length: streams }, (_, s) => `${liveLine(s, 0, start, 6_000, 0, start + 6_100)}\n`).join(''));
    const fromBlock = await conn.publicClient.getBlockNumber();
    witness = await startWitness({
      conn, ledger, account: keys.witnesses[0]!, archive: path.join(dir, 'archive.jsonl'), stateDir: dir, mode: 'relayed', relayers: relayers.map((r) => r.url),
      // Every rank is eligible one pass after the slot's turn: at most two passes sign.
      toleranceMs: 1_000, proposeStepMs: 1, giveUpMs: 60_000, deadlineWindowSec: 3_600n, minDeadlineSec: 60n, pollMs: 200, maxOpen: 512, maxPipeline: 1,
      fromBlock, host: '127.0.0.1', port: 0, log: makeLogger('witness', 'silent'),
    });
    const metric = async (name: string) =>
      (await (await fetch(`http://127.0.0.1:${witness!.port}/metrics`)).text())
        .split('\n')
        .filter((l) => l.startsWith(name))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    for (let i = 0; i < 100 && (await metric('ecp_witness_signed_total')) < streams; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    expect(await metric('ecp_witness_signed_total')).toBe(streams);
    const syncs = await metric('ecp_witness_record_syncs_total');
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThanOrEqual(2);
    for (const r of relayers) {
      // Each vote and proposal reached each relayer, in as many POSTs as passes that signed.
      expect(r.posts.length).toBe(syncs);
      expect(r.posts.reduce((n, p) => n + p.items, 0)).toBe(2 * streams);
    }
    // Both relayers were sent each pass's batch at once, not one after the other's reply.
    for (let i = 0; i < syncs; i++) expect(Math.abs(relayers[0]!.posts[i]!.at - relayers[1]!.posts[i]!.at)).toBeLessThan(100);
  }, 60_000);
});
