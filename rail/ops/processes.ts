// Rail processes as children of this one: each `rail witness` and `rail relayer` a process of its own,
// its output kept in a log file and (the last part) in memory, stopped with SIGTERM and a grace period.
// Used by the network smoke on ecp-forge (rail/network-smoke.ts) and the local harness (smoke/network.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How to start this very rail client again as a child: the same Node, the same loader flags (tsx when
 *  run from source) and the same entry file (rail/cli.ts, or the bundle's rail.mjs). */
export function selfCommand(): { command: string; prefix: string[] } {
  const entry = process.argv[1];
  if (entry === undefined) throw new Error('cannot start rail processes: this process has no entry file (process.argv[1]).');
  return { command: process.execPath, prefix: [...process.execArgv, entry] };
}

export class ChildProc {
  child!: ChildProcess;
  /** Everything it printed (the whole of it when `keepAll`, else the last 64 KiB). */
  output = '';
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;
  private exited!: Promise<void>;

  constructor(
    readonly name: string,
    readonly command: string,
    readonly args: string[],
    readonly env: NodeJS.ProcessEnv,
    readonly logFile: string,
    readonly opts: { cwd?: string; keepAll?: boolean } = {},
  ) {}

  start(): this {
    this.exitCode = null;
    this.signal = null;
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = spawn(this.command, this.args, { cwd: this.opts.cwd, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (d: Buffer) => {
      this.output += d.toString();
      if (!this.opts.keepAll && this.output.length > 128 * 1024) this.output = this.output.slice(-64 * 1024);
      log.write(d);
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((r) =>
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        log.end();
        r();
      }),
    );
    return this;
  }

  get running(): boolean {
    return this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last `chars` characters it printed, for an error message. */
  tail(chars = 2_000): string {
    return this.output.slice(-chars);
  }

  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then the exit code (null if it had to be killed after `graceMs`). */
  async term(graceMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exitCode;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    return this.signal === 'SIGKILL' ? null : this.exitCode;
  }
}

/** Waits until `proc` answers 200 on `<url>/healthz`; throws with its last output if it exits first or
 *  does not answer within `timeoutMs`. */
export async function waitHealthy(url: string, proc: ChildProc, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (!proc.running) throw new Error(`${proc.name} exited (code ${proc.exitCode}) before it was healthy:\n${proc.tail()}`);
    try {
      const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${proc.name} not healthy at ${url} after ${timeoutMs} ms:\n${proc.tail()}`);
    await sleep(100);
  }
}

/** The metric families a process exports (the names of its `# TYPE` lines), read from `<url>/metrics`. */
export async function exportedMetrics(url: string): Promise<string[]> {
  const res = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url}/metrics answered HTTP ${res.status}`);
  const text = await res.text();
  return [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!).sort();
}
