// What a client address may cost the relayer in work that proves nothing: each signature that fails
// to recover to the member it names takes a token, tokens come back at a steady rate, and a client
// with none left is refused before any recovery. Honest witnesses never spend tokens (their
// signatures check out), so one client's flood never slows another's posts.
export interface BudgetLimits {
  /** Bad signatures a client may send at once… */
  burst: number;
  /** …and per second after that. */
  perSecond: number;
  /** Client addresses remembered (the least recently charged are forgotten first). */
  clients: number;
}

export const DEFAULT_BUDGET: BudgetLimits = { burst: 32, perSecond: 4, clients: 10_000 };

export class ClientBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly limits: BudgetLimits = DEFAULT_BUDGET,
    private readonly now: () => number = Date.now,
  ) {}

  private level(client: string): { tokens: number; at: number } {
    const b = this.buckets.get(client);
    const t = this.now();
    if (!b) return { tokens: this.limits.burst, at: t };
    return { tokens: Math.min(this.limits.burst, b.tokens + ((t - b.at) / 1000) * this.limits.perSecond), at: t };
  }

  /** Whether `client` may have a signature checked now. */
  allows(client: string): boolean {
    return this.level(client).tokens >= 1;
  }

  /** Takes a token from `client` for a bad signature. */
  charge(client: string): void {
    const b = this.level(client);
    this.buckets.delete(client);
    this.buckets.set(client, { tokens: b.tokens - 1, at: b.at });
    if (this.buckets.size > this.limits.clients) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
