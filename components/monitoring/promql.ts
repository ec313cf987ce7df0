/**
 * A small PromQL tokenizer: the metric names an expression selects. Enough for the expressions this
 * folder writes (it is checked against them in metrics.test.ts); promtool does the real parsing.
 */

/** Words that are operators or modifiers, never metric names. */
const KEYWORDS = new Set(["and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "atan2"]);

/**
 * Metric names selected in `expr`: identifiers not followed by `(` (functions, aggregations), outside label
 * matchers `{...}`, range and subquery brackets `[...]`, string literals and grouping label lists
 * (`by (...)`, `on (...)`, ...), and not keywords or numbers.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    // String literals first, so braces or brackets inside them do not confuse what follows.
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  const ident = /[A-Za-z_:][A-Za-z0-9_:]*/g;
  for (let m = ident.exec(stripped); m !== null; m = ident.exec(stripped)) {
    const word = m[0];
    const start = m.index;
    // Part of a number such as 1e3 or 0x1f.
    if (start > 0 && /[0-9.]/.test(stripped[start - 1] ?? "")) continue;
    if (KEYWORDS.has(word.toLowerCase())) continue;
    if (/^(inf|nan)$/i.test(word)) continue;
    const rest = stripped.slice(start + word.length);
    if (/^\s*\(/.test(rest)) continue;
    names.add(word);
  }
  return [...names].sort();
}
