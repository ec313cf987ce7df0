// A dishonest member, for the fault tests only (never part of the shipped CLI). It holds a registered
// witness key and its own copy of the archive, and plays the attacks named in --attacks against every
// relayer it is given, each poll:
//   deadline-mismatch  proposes its candidate with deadline D and signs it with D+1; also signs every
//                      candidate it reads from the relayers with the deadline + 1
//   slot-fill          16 proposals with random dataRoots for each of the next slots of every stream
//   behind             one proposal per slot with the right dataRoot, a random parent and sequence 2^62
//   flood              well-formed sign-offs under other members' indices that recover to strangers
//   junk-slots         proposals for slots that exist in no archive (random epoch ids)
//   slow-body          connections that send a request's headers and part of its body, then idle
//   big-get            fills junk slots with the largest candidates, then reads as many of them as a
//                      request may name, again and again
//   npx tsx test/adversaries/witness.ts --rpc URL --ledger ADDRESS --archive FILE --relayer URL…
//     --attacks a,b,… [--from-block N] [--source-address 127.0.0.2]   (key: ECP_WITNESS_KEY)
import { request, Agent } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { WITNESS_ATTACKS, type WitnessAttack } from './attacks.js';
import { toHex, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { epochHashOf, parseLine } from '../../rail/archive/derive.js';
import { initKeccak } from '../../rail/archive/merkle.js';
import { connect } from '../../rail/connection.js';
import { candidateHash, candidateToWire, locatorHashOf, ownObservationOf, proposalDigest, proposeCandidate, type Candidate, type OwnObservation } from '../../rail/protocol/candidate.js';
import { ChainView } from '../../rail/protocol/chain-view.js';
import { observationSlot } from '../../rail/observation.js';
import { ledgerDomain, signOffDigest, signSignOffDigest, type WitnessSignature } from '../../rail/signoff.js';


const { values } = parseArgs({
  options: {
    rpc: { type: 'string' },
    ledger: { type: 'string' },
    archive: { type: 'string' },
    relayer: { type: 'string', multiple: true },
    attacks: { type: 'string' },
    'from-block': { type: 'string' },
    'source-address': { type: 'string' },
    'poll-ms': { type: 'string' },
  },
});
const attacks = new Set((values.attacks ?? '').split(',').filter(Boolean) as WitnessAttack[]);
for (const a of attacks) if (!WITNESS_ATTACKS.includes(a)) throw new Error(`unknown attack ${a}; expected some of ${WITNESS_ATTACKS.join(', ')}`);
const relayers = values.relayer ?? [];
const ledger = values.ledger as Address;
const account = privateKeyToAccount(process.env.ECP_WITNESS_KEY as Hex);
const pollMs = Number(values['poll-ms'] ?? 250);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const stats = { posts: 0, answered: new Map<number, number>(), failed: 0, getBytes: 0 };

const rand32 = (): Hex => toHex(crypto.getRandomValues(new Uint8Array(32)));

/** One HTTP request from the adversary's own source address; resolves with the status and the body's
 *  size (the body itself is dropped). */
function send(url: string, method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve) => {
    const u = new URL(path, url);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, localAddress: values['source-address'], headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}, timeout: 5_000 },
      (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', () => resolve({ status: 0, bytes }));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, bytes: 0 }));
    req.end(body);
  });
}

async function postAll(path: string, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  const results = await Promise.all(relayers.map((r) => send(r, 'POST', path, body)));
  for (const r of results) {
    stats.posts++;
    stats.answered.set(r.status, (stats.answered.get(r.status) ?? 0) + 1);
  }
}

async function main(): Promise<void> {
  await initKeccak();
  const conn = await connect(values.rpc!, { pollingIntervalMs: 100 });
  const view = new ChainView(conn, ledger, BigInt(values['from-block'] ?? '0'));
  const domain = ledgerDomain(conn.chain.id, ledger);
  await view.refresh();
  const index = view.membership.indexOf.get(account.address);
  if (index === undefined) throw new Error(`${account.address} is not a member`);
  const others = [...view.membership.addressOf.keys()].filter((i) => i !== index);

  // Well-formed signatures over random digests: each recovers, at full cost, to a stranger.
  const junkSignatures: { r: Hex; vs: Hex }[] = [];
  for (let i = 0; i < 64; i++) {
    const s = await signSignOffDigest(account, rand32(), 0);
    junkSignatures.push({ r: s.r, vs: s.vs });
  }
  const propose = async (c: Candidate) =>
    postAll('/v1/proposals', { candidate: candidateToWire(c), proposer: index, signature: await account.sign({ hash: proposalDigest(domain, candidateHash(c), index) }) });
  const signOff = async (c: Candidate, deadline: bigint) => {
    const signature: WitnessSignature = await signSignOffDigest(account, signOffDigest(domain, candidateHash(c), deadline, index), index);
    return postAll('/v1/signoffs', { candidate: candidateToWire({ ...c, deadline }), signature });
  };

  const done = new Set<string>();
  const once = (key: string) => (done.has(key) ? false : (done.add(key), true));
  const sockets: Socket[] = [];
  let junk = 0;
  const bigSlots: Hex[] = [];
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });

  while (!stopping) {
    const started = Date.now();
    await view.refresh().catch(() => undefined);
    const own: OwnObservation[] = [];
    for (const [i, raw] of (await readFile(values.archive!, 'utf8')).split('\n').entries()) {
      if (!raw.trim()) continue;
      const p = parseLine(raw, values.archive!, i + 1);
      if ('entry' in p) own.push(ownObservationOf(p.entry));
    }
    // The next few slots of each stream that are not final yet, in epoch order.
    const byStream = new Map<Hex, OwnObservation[]>();
    for (const o of own) if (!view.recentFinal.has(o.slot)) byStream.set(o.streamHash, [...(byStream.get(o.streamHash) ?? []), o]);
    const nowSec = BigInt(Math.floor(Date.now() / 1000));
    const work: Promise<unknown>[] = [];
    for (const [streamHash, list] of byStream) {
      list.sort((a, b) => a.epoch.startUnixMs - b.epoch.startUnixMs);
      const head = view.heads.get(streamHash);
      const base = head ? { hash: head.hash, sequence: head.sequence } : null;
      const next = list[0]!;
      if (attacks.has('deadline-mismatch') && once(`mismatch ${next.slot} ${base?.hash}`)) {
        const c = proposeCandidate(next, base, nowSec + 3_600n);
        work.push(propose(c).then(() => signOff(c, c.deadline + 1n)));
      }
      for (const o of list.slice(0, 6)) {
        if (attacks.has('slot-fill') && once(`fill ${o.slot}`)) {
          const c = proposeCandidate(o, base, nowSec + 3_600n);
          for (let k = 0; k < 16; k++) work.push(propose({ ...c, header: { ...c.header, dataRoot: rand32() } }));
        }
        if (attacks.has('behind') && once(`behind ${o.slot}`)) {
          const c = proposeCandidate(o, { hash: rand32(), sequence: (1n << 62n) - 1n }, nowSec + 3_600n);
          work.push(propose(c));
        }
      }
    }
    if (attacks.has('deadline-mismatch')) {
      // Every candidate the relayers hold for the next slots, signed with its deadline + 1.
      const slots = [...byStream.values()].map((l) => l[0]!.slot);
      for (const r of relayers) {
        const u = new URL('/v1/candidates', r);
        for (const s of slots) u.searchParams.append('slot', s);
        const reply = await fetch(u, { signal: AbortSignal.timeout(2_000) }).then((x) => x.json() as Promise<{ candidates: { hash: Hex; candidate: unknown }[] }>).catch(() => ({ candidates: [] }));
        for (const c of reply.candidates) {
          const parsed = c.candidate as ReturnType<typeof candidateToWire>;
          if (!once(`resign ${c.hash}`)) continue;
          const cand: Candidate = {
            header: { ...parsed.header, observedUnixMs: BigInt(parsed.header.observedUnixMs), sequence: BigInt(parsed.header.sequence) },
            locator: parsed.locator,
            epoch: parsed.epoch,
            deadline: BigInt(parsed.deadline),
          };
          work.push(signOff(cand, cand.deadline + 1n));
        }
      }
    }
    if (attacks.has('flood') && own.length) {
      for (let k = 0; k < 40; k++) {
        const o = own[k % own.length]!;
        const c = proposeCandidate(o, null, nowSec + 3_600n);
        const victim = others[k % others.length]!;
        work.push(postAll('/v1/signoffs', { candidate: candidateToWire(c), signature: { witnessIndex: victim, ...junkSignatures[k % junkSignatures.length]! } }));
      }
    }
    if (attacks.has('junk-slots') && own.length) {
      for (let k = 0; k < 300; k++, junk++) {
        const o = own[junk % own.length]!;
        const c = proposeCandidate(o, null, nowSec + 3_600n);
        const epoch = { ...o.epoch, id: `junk-${junk}-${rand32().slice(2, 10)}` };
        work.push(propose({ ...c, epoch, header: { ...c.header, epochHash: epochHashOf(epoch.id, epoch.startUnixMs, epoch.durationMs) } }));
      }
    }
    if (attacks.has('slow-body') && sockets.length < 400) {
      for (const r of relayers) {
        for (let k = 0; k < 50; k++) {
          const u = new URL(r);
          const s = connectTcp({ host: u.hostname, port: Number(u.port), localAddress: values['source-address'] });
          s.on('error', () => undefined);
          s.write(`POST /v1/signoffs HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: 16000\r\n\r\n{"candidate":`);
          sockets.push(s);
        }
      }
    }
    if (attacks.has('big-get') && own.length) {
      // Junk slots filled with the largest candidates the wire allows (2 KiB locators), 16 each, then
      // one read naming as many of them as a request may (128).
      for (let k = 0; k < 8 && bigSlots.length < 128; k++) {
        const o = own[bigSlots.length % own.length]!;
        const epoch = { ...o.epoch, id: `big-${bigSlots.length}-${rand32().slice(2, 10)}` };
        const c = proposeCandidate(o, null, nowSec + 3_600n);
        const epochHash = epochHashOf(epoch.id, epoch.startUnixMs, epoch.durationMs);
        bigSlots.push(observationSlot(c.header.streamHash, epochHash));
        for (let v = 0; v < 16; v++) {
          const locator = `s3://bucket/${'a'.repeat(2_000)}/${v}`;
          work.push(propose({ ...c, epoch, locator, header: { ...c.header, epochHash, locatorHash: locatorHashOf(locator) } }));
        }
      }
      for (const r of relayers) {
        const u = new URL('/v1/candidates', r);
        for (const s of bigSlots) u.searchParams.append('slot', s);
        work.push(send(r, 'GET', u.pathname + u.search).then((x) => (stats.getBytes = Math.max(stats.getBytes, x.bytes))));
      }
    }
    await Promise.all(work);
    const open = sockets.filter((s) => !s.destroyed).length;
    console.log(JSON.stringify({ adversary: 'witness', index, posts: stats.posts, statuses: Object.fromEntries(stats.answered), junkSlots: junk, slowSocketsOpen: open, biggestGetBytes: stats.getBytes }));
    await new Promise((r) => setTimeout(r, Math.max(0, pollMs - (Date.now() - started))));
  }
  for (const s of sockets) s.destroy();
  agent.destroy();
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(`adversary witness: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
