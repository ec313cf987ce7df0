import { inspect } from "node:util";

/**
 * A value that must never reach logs, error messages, command lines or stack outputs in plain text.
 *
 * The pure layer carries secrets in this wrapper. `String(x)`, `JSON.stringify(x)` and `console.log(x)` all
 * print `[redacted]`; only `reveal()` gives the value, and the Pulumi components are the only callers that
 * should use it (to wrap it straight into `pulumi.secret(...)`).
 */
export class Redacted<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
  }

  reveal(): T {
    return this.#value;
  }

  toString(): string {
    return "[redacted]";
  }

  toJSON(): string {
    return "[redacted]";
  }

  [inspect.custom](): string {
    return "[redacted]";
  }
}
