// A dishonest relayer, for the fault tests only (never part of the shipped CLI). It holds no key. It
// takes whatever witnesses post and, on reads, plays the attacks named in --attacks:
//   fake-votes  every candidate it was sent comes back claimed as proposed and signed by every member,
//               beside a fresh copy (another locator, so it still matches the witnesses' archives)
//               claimed the same way, new on every read; the signatures it shows are forged
//   silent      accepts connections and never answers
//   huge        answers every read with a 300 MiB body
//   npx tsx test/adversaries/relayer.ts --port N --witnesses N --attacks a,b,…
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { RELAYER_ATTACKS, type RelayerAttack } from './attacks.js';
import { encodeAbiParameters, keccak256, toHex, type Hex } from 'viem';


const { values } = parseArgs({ options: { port: { type: 'string' }, witnesses: { type: 'string' }, attacks: { type: 'string' } } });
const attacks = new Set((values.attacks ?? '').split(',').filter(Boolean) as RelayerAttack[]);
for (const a of attacks) if (!RELAYER_ATTACKS.includes(a)) throw new Error(`unknown attack ${a}; expected some of ${RELAYER_ATTACKS.join(', ')}`);
const members = [...Array(Number(values.witnesses ?? 5)).keys()];
const rand = (n: number) => toHex(crypto.getRandomValues(new Uint8Array(n)));

interface WireCandidate {
  header: Record<string, string>;
  locator: string;
  epoch: { stream: string; id: string; startUnixMs: number; durationMs: number };
  deadline: string;
}
/** Candidates posted to it, by slot (as the witnesses name it) and hash. */
const posted = new Map<string, Map<string, WireCandidate>>();
let reads = 0;

const forged = (c: WireCandidate) => ({
  candidate: c,
  proposers: members,
  signers: members,
  proposals: members.map((proposer) => ({ proposer, signature: rand(65) })),
  votes: members.map((witnessIndex) => ({ witnessIndex, deadline: c.deadline, r: rand(32), vs: rand(32) })),
});

const server = createServer((req, res) => {
  if (attacks.has('silent')) return; // holds the connection, never answers
  const chunks: Buffer[] = [];
  req.on('data', (d: Buffer) => chunks.push(d));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'POST') {
      try {
        type Post = { candidate?: WireCandidate };
        const body = JSON.parse(Buffer.concat(chunks).toString()) as Post & { items?: { signoff?: Post; proposal?: Post }[] };
        for (const c of [body.candidate, ...(body.items ?? []).map((i) => (i.signoff ?? i.proposal)?.candidate)]) {
          if (!c?.header) continue;
          const slot = slotKey(c);
          const bySlot = posted.get(slot) ?? new Map<string, WireCandidate>();
          bySlot.set(JSON.stringify(c.header), c);
          posted.set(slot, bySlot);
        }
      } catch {
        // not JSON: taken anyway
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
      return;
    }
    if (url.pathname === '/healthz') return void res.writeHead(200).end('{"ok":true}');
    if (url.pathname !== '/v1/candidates') return void res.writeHead(404).end();
    reads++;
    if (attacks.has('huge')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"candidates":[],"pad":"');
      const block = 'x'.repeat(1 << 20);
      let sent = 0;
      const pump = () => {
        while (sent < 300 && res.write(block)) sent++;
        if (sent >= 300) return void res.end('"}');
        sent++;
        res.once('drain', pump);
      };
      res.on('close', () => (sent = 300));
      return pump();
    }
    const slots = url.searchParams.getAll('slot');
    const out: unknown[] = [];
    for (const slot of slots) {
      for (const c of posted.get(slot)?.values() ?? []) {
        if (!attacks.has('fake-votes')) continue;
        out.push({ slot, hash: rand(32), ...forged(c) });
        const fresh = { ...c, locator: `${c.locator.split('#')[0]}#fresh-${reads}-${rand(4)}` };
        out.push({ slot, hash: rand(32), ...forged(fresh) });
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ candidates: out, final: [] }));
  });
});

/** The slot as witnesses name it: keccak256(abi.encode(streamHash, epochHash)). */
function slotKey(c: WireCandidate): string {
  return slotOf(c.header.streamHash!, c.header.epochHash!);
}

const slotOf = (streamHash: string, epochHash: string) => keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'bytes32' }], [streamHash as Hex, epochHash as Hex]));

server.listen(Number(values.port), '127.0.0.1', () => console.log(JSON.stringify({ adversary: 'relayer', port: values.port, attacks: [...attacks] })));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
});
