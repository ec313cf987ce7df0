// Token buckets for the work a relayer does before it knows a post is worth it. Two uses:
// - per client address, for signatures that fail to recover to the member they name: honest
//   witnesses never spend tokens, so one client's flood never slows another's posts;
// - per member, for the new candidates it brings in (each costs a recovery and a place): charged only
//   after its signature checked out, so nobody else can spend a member's tokens.
// A key with no token left is refused before any recovery.
export interface BudgetLimits {
  /** Bad signatures a client may send at once… */
  burst: number;
  /** …and per second after that. */
  perSecond: number;
  /** Client addresses remembered (the least recently charged are forgotten first). */
  clients: number;
}

export const DEFAULT_BUDGET: BudgetLimits = { burst: 32, perSecond: 4, clients: 10_000 };
/** New candidates a member may bring in per second (`--member-rate`), and ten seconds' worth at once.
 *  An honest witness brings in about one per slot it proposes for: a stream every 6 s. */
export const DEFAULT_MEMBER_RATE = 100;
export const memberBudget = (perSecond: number): BudgetLimits => ({ burst: 10 * perSecond, perSecond, clients: 256 });

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
