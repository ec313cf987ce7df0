// Transient RPC failures are retried with backoff: a proxy in front of anvil answers every third
// request with HTTP 503, and a submit still finalizes everything.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from './anvil.js';
import { deriveArchive } from './archive/derive.js';
import { deploy } from './client.js';
import { connect } from './connection.js';
import { planSlots, readLedger, submitRelayed } from './submit.js';
import { loadKeys } from './keys.js';
import { DEFAULT_ARCHIVE } from './smoke.js';

describe('a flaky RPC', () => {
  let anvil: Anvil;
  let proxy: Server;
  let proxyUrl = '';
  let requests = 0;
  let refused = 0;

  beforeAll(async () => {
    anvil = await startAnvil();
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        if (++requests % 3 === 0) {
          refused++;
          res.writeHead(503).end('temporarily unavailable');
          return;
        }
        const upstream = await fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address();
    proxyUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
    await anvil.stop();
  });

  it('finalizes every observation despite one request in three failing', async () => {
    const derived = await deriveArchive(readFileSync(DEFAULT_ARCHIVE, 'utf8'), 'archive.jsonl');
    const headers = derived.observations.slice(0, 60).map((o) => o.header);
    const keys = loadKeys(5);
    const plans = planSlots(keys.witnesses.map((witness) => ({ witness, headers })), 3);
    const conn = await connect(proxyUrl);
    const { ledger } = await deploy(conn, keys.deployer, { owner: keys.deployer.address, witnesses: keys.witnesses.map((w) => w.address), quorum: 3 });
    const report = await submitRelayed(conn, keys.deployer, plans, { ledger, batchSize: 10 });
    expect(report.submitted).toBe(60);
    expect((await readLedger(conn, ledger, plans)).finalized.size).toBe(60);
    expect(refused).toBeGreaterThan(5);
  });
});
