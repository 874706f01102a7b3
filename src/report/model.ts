import { CaseResult, RunResult, TargetInfo, Verdict } from '../run/types';

/**
 * What every reporter renders: one RunResult per target (a single-target run has one) and, when
 * the CI gate ran, its judgement of each case.
 */
export interface Report {
  runs: RunResult[];
  gate?: GateOutcome;
  /** Requirement coverage per RFC (the HTML report shows it when present). */
  coverage?: CoverageSummaryRow[];
}

export interface CoverageSummaryRow {
  rfc: string;
  statements: number;
  tested: number;
  untestable: number;
  missing: number;
}

/** How the gate judged one case of one target. */
export type GateStatus = 'ok' | 'failed' | 'expected' | 'xpass';

export interface GateCase {
  target: string;
  label: string;
  verdict: Verdict;
  status: GateStatus;
  /** The expectation that matched, if any. */
  expected?: { verdicts: Verdict[]; reason: string };
  /** The verdict of the same case in the baseline, when a baseline was given and held it. */
  baseline?: Verdict;
  change?: 'regression' | 'improvement' | 'new';
}

export interface GateOutcome {
  failOn: { level: 'must' | 'should'; regressionOnly: boolean; allowXpass: boolean };
  /** Keyed by `gateKey(target, label)`. */
  cases: Record<string, GateCase>;
  counts: { failed: number; expected: number; xpass: number; regressions: number; improvements: number };
  /** The gate's decision: true when the run fails (exit 1). */
  failing: boolean;
  /** One line per reason the run fails, for the console. */
  reasons: string[];
  /** Whether any gate flag (--expect, --baseline, --fail-on, --strict) was given: the console shows the gate then. */
  requested: boolean;
  /** Set when the run was interrupted (SIGINT). */
  interrupted?: boolean;
}

export function caseLabel(r: Pick<CaseResult, 'id' | 'mode'>): string {
  return r.mode ? `${r.id} [${r.mode}]` : r.id;
}

export function targetKey(t: Pick<TargetInfo, 'host' | 'port'>): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

export function gateKey(target: string, label: string): string {
  return `${target} ${label}`;
}

export function formatMs(ms: number): string {
  return `${String(ms).padStart(5)}ms`;
}

/** The transcript as text lines: `[   12ms] c>s USER tester` (with `{conn}` for a second connection). */
export function transcriptLines(r: CaseResult): string[] {
  return r.transcript.map((e) => `[${formatMs(e.t)}] ${e.dir}${e.conn ? ` {${e.conn}}` : ''} ${e.text}`);
}

/**
 * Command verb × reply code, derived from transcripts: each `c>s` line's verb and the code of the
 * `s>c` reply line(s) that followed it on the same connection (a 1yz and its completion both count).
 */
export function commandReplyMatrix(cases: CaseResult[]): Map<string, Map<string, number>> {
  const m = new Map<string, Map<string, number>>();
  for (const c of cases) {
    const pending = new Map<string, { verb: string; codes: Set<string> }>();
    for (const e of c.transcript) {
      const conn = e.conn ?? 'main';
      if (e.dir === 'c>s') {
        const verb = /^([A-Za-z]{3,4})\b/.exec(e.text)?.[1]?.toUpperCase();
        pending.set(conn, { verb: verb ?? '(raw)', codes: new Set() });
      } else if (e.dir === 's>c') {
        const p = pending.get(conn);
        const code = /^(\d{3})[ ]/.exec(e.text)?.[1];
        if (!p || !code || p.codes.has(code)) continue;
        // A reply's final line carries "ddd "; only the first final line of each class counts.
        p.codes.add(code);
        const row = m.get(p.verb) ?? new Map<string, number>();
        row.set(code, (row.get(code) ?? 0) + 1);
        m.set(p.verb, row);
        if (!code.startsWith('1')) pending.delete(conn);
      }
    }
  }
  return m;
}

/** The command verbs a case sent (for the HTML filter). */
export function commandsOf(c: CaseResult): string[] {
  const verbs = new Set<string>();
  for (const e of c.transcript) {
    if (e.dir !== 'c>s') continue;
    const v = /^([A-Za-z]{3,4})\b/.exec(e.text)?.[1];
    if (v) verbs.add(v.toUpperCase());
  }
  return [...verbs];
}

/**
 * Characters XML 1.0 cannot hold (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF), and
 * the other C0/C1 controls, made visible as `\xNN` / `\uNNNN` — never dropped.
 */
export function visibleControls(s: string, keepNewlines = true): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
        continue;
      }
    }
    if ((code === 0x0a || code === 0x09) && keepNewlines) out += s[i];
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += '\\x' + code.toString(16).padStart(2, '0');
    else if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out;
}
