// What the stack's local steps (preflight.ts, day2.ts, deploy-send.ts) share: required environment values,
// and one way to fail that never prints a URL (an L1 RPC URL can carry an API key, and viem's errors quote it).

export function requiredEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`${name} is not set.`);
  return v;
}

/** The error's short text with every http(s) URL masked. */
export function failureText(e: unknown): string {
  const text = e instanceof Error ? ((e as { shortMessage?: string }).shortMessage ?? e.message) : String(e);
  return text.replace(/https?:\/\/\S+/g, "<url>");
}

/** Runs a step's main: exit 1 with the masked reason on failure. */
export function runStep(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    console.error(failureText(e));
    process.exit(1);
  });
}
