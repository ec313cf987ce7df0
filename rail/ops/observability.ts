// What the long-running rail processes (witness, relayer) share for operations: structured JSON logs
// that never carry a key, a Prometheus registry, and the /healthz and /metrics routes.
import { createServer, type Server } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** Paths pino censors wherever they appear in a log object. Keys are never passed to a logger, and
 *  this is the second line of defence. */
export const REDACT = ['key', 'privateKey', '*.key', '*.privateKey', 'account.privateKey', 'authorization', '*.authorization'];

export function makeLogger(name: string, level = process.env.RAIL_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' }, base: { process: name, pid: process.pid } });
}

export function makeRegistry(prefix: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${prefix}_process_` });
  return registry;
}

export interface Health {
  /** Null when healthy, else why not. */
  problem(): string | null;
}

/** How long a client may take, and how many connections it may hold: a client that sends a body
 *  slowly, or opens connections and idles, is cut off instead of holding the server's sockets. */
export const SERVER_LIMITS = {
  /** The whole request (headers and body) must arrive within this. */
  requestTimeoutMs: 10_000,
  headersTimeoutMs: 5_000,
  keepAliveTimeoutMs: 5_000,
  /** How often idle and slow connections are looked at. */
  checkIntervalMs: 1_000,
  maxConnections: 2_048,
  /** Connections one client address may hold at once (a witness needs a handful). */
  connectionsPerClient: 64,
};

/** An HTTP server that enforces SERVER_LIMITS. */
function hardenedServer(handler: Parameters<typeof createServer>[1]): Server {
  const server = createServer(
    { requestTimeout: SERVER_LIMITS.requestTimeoutMs, headersTimeout: SERVER_LIMITS.headersTimeoutMs, keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs, connectionsCheckingInterval: SERVER_LIMITS.checkIntervalMs },
    handler,
  );
  server.maxConnections = SERVER_LIMITS.maxConnections;
  const perClient = new Map<string, number>();
  server.on('connection', (socket) => {
    const who = socket.remoteAddress ?? '?';
    const n = (perClient.get(who) ?? 0) + 1;
    if (n > SERVER_LIMITS.connectionsPerClient) return void socket.destroy();
    perClient.set(who, n);
    socket.once('close', () => {
      const left = (perClient.get(who) ?? 1) - 1;
      if (left > 0) perClient.set(who, left);
      else perClient.delete(who);
    });
  });
  return server;
}

/** A Fastify app with /healthz (200 or 503 with the reason) and /metrics (Prometheus text format),
 *  on a server with SERVER_LIMITS. */
export function opsServer(registry: Registry, health: Health, opts: { bodyLimit?: number } = {}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 64 * 1024, serverFactory: hardenedServer });
  app.get('/healthz', async (_req, reply) => {
    const problem = health.problem();
    return reply.code(problem ? 503 : 200).send({ ok: problem === null, ...(problem ? { problem } : {}) });
  });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return app;
}

/** Listens on host:port (port 0: any free port) and returns the bound port. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('the server has no TCP address');
  return addr.port;
}
