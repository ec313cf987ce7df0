// The every.channel archive line: one JSON object per observed stream epoch (JSONL). Defined once
// here; docs/archive-format.md documents every field. Unknown extra fields are tolerated, wrong types
// are not.
import { z } from 'zod';

const bytes32 = z
  .string({ error: 'expected 0x followed by 64 hex digits' })
  .regex(/^0x[0-9a-fA-F]{64}$/, { error: 'expected 0x followed by 64 hex digits' })
  .transform((s) => s.toLowerCase() as `0x${string}`);

/** Unix time in milliseconds between 2000-01-01 and 2200-01-01. */
const unixMs = z
  .number({ error: 'expected a unix time in milliseconds' })
  .int({ error: 'expected an integer number of milliseconds' })
  .min(946_684_800_000, { error: 'expected a unix time in milliseconds after 2000-01-01' })
  .max(7_258_118_400_000, { error: 'expected a unix time in milliseconds before 2200-01-01' });

const positiveInt = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .positive({ error: 'expected a positive integer' })
  .max(Number.MAX_SAFE_INTEGER, { error: 'expected a safe integer' });

export const chunkSchema = z.looseObject({
  sequence: z.number({ error: 'expected an integer ≥ 0' }).int({ error: 'expected an integer ≥ 0' }).min(0, { error: 'expected an integer ≥ 0' }),
  contentHash: bytes32,
  byteLength: positiveInt,
  durationMs: positiveInt,
});

export const archiveLineSchema = z
  .looseObject({
    version: z.literal(1, { error: 'expected 1 (the only archive format version)' }),
    stream: z
      .string({ error: 'expected a stream identity such as "atsc/KQED/9.1"' })
      .regex(/^[^\s/]+(\/[^\s/]+)+$/, { error: 'expected a stream identity such as "atsc/KQED/9.1" (segments separated by /, no spaces)' })
      .max(256, { error: 'expected at most 256 characters' }),
    epoch: z.looseObject(
      {
        id: z.string({ error: 'expected the epoch identity as a string' }).min(1, { error: 'expected a non-empty epoch id' }).max(256),
        startUnixMs: unixMs,
        durationMs: positiveInt,
      },
      { error: 'expected an object { id, startUnixMs, durationMs }' },
    ),
    observedUnixMs: unixMs,
    chunks: z.array(chunkSchema, { error: 'expected an array of chunks' }).min(1, { error: 'expected at least one chunk' }),
    manifestHash: bytes32,
    psipDigest: bytes32.optional(),
    locator: z
      .string({ error: 'expected a transport locator URI' })
      .max(2048)
      .refine((s) => URL.canParse(s) && /^[a-z][a-z0-9+.-]*:/.test(s), {
        error: (issue) => `expected an absolute URI such as s3://bucket/key, got ${JSON.stringify(issue.input)}`,
      }),
  })
  .superRefine((line, ctx) => {
    line.chunks.forEach((c, i) => {
      if (c.sequence !== i) {
        ctx.addIssue({ code: 'custom', path: ['chunks', i, 'sequence'], message: `expected ${i} (chunk sequences run 0, 1, 2, … in order), got ${c.sequence}` });
      }
    });
    const end = line.epoch.startUnixMs + line.epoch.durationMs;
    if (line.observedUnixMs < end) {
      ctx.addIssue({ code: 'custom', path: ['observedUnixMs'], message: `expected a time at or after the epoch's end (${end}), got ${line.observedUnixMs}` });
    }
  });

export type ArchiveLine = z.infer<typeof archiveLineSchema>;
