/** The stack's errors that report every problem found at once: a heading, then one `  - ` line each. */
export class ProblemsError extends Error {
  readonly problems: readonly string[];

  constructor(heading: string, problems: readonly string[]) {
    super(`${heading}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = new.target.name;
    this.problems = problems;
  }
}

/** `Invalid X (2 problems)`. */
export function counted(what: string, problems: readonly string[]): string {
  const n = problems.length;
  return `${what} (${n} problem${n === 1 ? "" : "s"})`;
}
