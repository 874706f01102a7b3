import { CodePattern, Outcome } from '../suite/types';
import { Reply } from '../wire/reply-parser';

export function codeMatches(pattern: CodePattern, code: number): boolean {
  if (typeof pattern === 'number') return pattern === code;
  if (code < 100 || code > 999) return false;
  const digits = String(code);
  return [...pattern].every((p, i) => p === 'x' || p === digits[i]);
}

function codes(o: Outcome): CodePattern[] {
  return o.code === undefined ? [] : Array.isArray(o.code) ? o.code : [o.code];
}

/** True when some outcome names a 1yz code: then a preliminary reply is the answer, not a prelude. */
export function wantsPreliminary(outcomes: Outcome[] | undefined): boolean {
  return (outcomes ?? []).some((o) => codes(o).some((c) => String(c).startsWith('1')));
}

export interface MatchResult {
  outcome: Outcome;
  captured: Record<string, string>;
}

export function matchOutcome(reply: Reply, o: Outcome): MatchResult | undefined {
  const cs = codes(o);
  if (cs.length > 0 && !cs.some((c) => codeMatches(c, reply.code))) return undefined;
  if (o.text !== undefined && !new RegExp(o.text).test(reply.text)) return undefined;
  if (o.notText !== undefined && new RegExp(o.notText).test(reply.text)) return undefined;
  if (o.multiline !== undefined && o.multiline !== reply.multiline) return undefined;
  if (o.lines?.min !== undefined && reply.lines.length < o.lines.min) return undefined;
  if (o.lines?.max !== undefined && reply.lines.length > o.lines.max) return undefined;
  const captured: Record<string, string> = {};
  for (const [name, re] of Object.entries(o.capture ?? {})) {
    const m = new RegExp(re).exec(reply.text);
    if (!m) return undefined;
    captured[name] = m[1] ?? m[0];
  }
  return { outcome: o, captured };
}

export function firstMatch(reply: Reply, outcomes: Outcome[]): MatchResult | undefined {
  for (const o of outcomes) {
    const m = matchOutcome(reply, o);
    if (m) return m;
  }
  return undefined;
}

/** Human-readable statement of what would have been accepted, for `expected` in results. */
export function describeOutcomes(outcomes: Outcome[]): string {
  return outcomes
    .filter((o) => !o.fail)
    .map((o) => {
      const parts: string[] = [];
      const cs = codes(o);
      if (cs.length > 0) parts.push(cs.join('|'));
      if (o.text) parts.push(`text /${o.text}/`);
      if (o.notText) parts.push(`text not /${o.notText}/`);
      if (o.multiline !== undefined) parts.push(o.multiline ? 'multi-line' : 'single-line');
      if (o.lines) parts.push(`lines ${o.lines.min ?? 1}..${o.lines.max ?? '∞'}`);
      if (o.capture) parts.push(`capturing ${Object.keys(o.capture).join(', ')}`);
      if (o.warn) parts.push('(accepted, not preferred)');
      if (o.unsupported) parts.push('(feature not offered)');
      return parts.join(' ') || 'any reply';
    })
    .join(' or ');
}

export function describeReply(reply: Reply): string {
  if (reply.lines.length <= 3) return reply.text;
  return [...reply.lines.slice(0, 2), `… (${reply.lines.length - 3} more lines)`, reply.lines[reply.lines.length - 1]].join('\n');
}
