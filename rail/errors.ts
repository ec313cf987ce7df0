// The rail's errors and the CLI's exit codes. One table, used by every command:
//   0 success · 1 verification failed · 2 usage · 3 bad input · 4 chain error · 70 internal error
import { BaseError } from 'viem';

export const EXIT = {
  /** The command did what it says, and (for smoke) the chain holds what it should. */
  ok: 0,
  /** The command ran, but the chain does not hold what it should (an observation not finalized, a
   *  stream's chain broken, a witness's observation lost to another). */
  verification: 1,
  /** The command line is wrong: unknown command or flag, a bad flag value, a missing flag. */
  usage: 2,
  /** The input is wrong: the archive cannot be read, has invalid lines or no observations; a key in
   *  the environment is malformed. */
  input: 3,
  /** The chain refused or could not be reached: RPC down, wrong chain, no contract at an address, a
   *  revert, a quorum the given witnesses cannot reach. */
  chain: 4,
  /** A bug: an error nobody anticipated. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error with the exit code the CLI ends with. */
export class RailError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends RailError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

export class InputError extends RailError {
  constructor(message: string) {
    super(message, EXIT.input);
  }
}

export class ChainError extends RailError {
  constructor(message: string) {
    super(message, EXIT.chain);
  }
}

export class VerificationError extends RailError {
  constructor(message: string) {
    super(message, EXIT.verification);
  }
}

/** The exit code for `e`: its own for a RailError, chain error for anything viem raised, else internal. */
export function exitCodeOf(e: unknown): ExitCode {
  if (e instanceof RailError) return e.exitCode;
  if (e instanceof BaseError) return EXIT.chain;
  return EXIT.internal;
}

/** `s` with control characters and other non-printable code points escaped (\x1b, \u2028, …), so a
 *  message that quotes a binary file or a hostile string cannot drive the terminal. Newlines and
 *  tabs are kept. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ufffd]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
