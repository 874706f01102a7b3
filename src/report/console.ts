import Table from 'cli-table3';
import { renderProfileTable } from '../profile/render';
import { CaseResult, RunResult, Verdict, VERDICTS } from '../run/types';
import { caseLabel, gateKey, GateOutcome, Report, targetKey, visibleControls } from './model';
import type { Reporter, ReporterContext } from './reporter';

export { caseLabel } from './model';

const COLOURS: Record<Verdict, number> = { pass: 32, warn: 33, fail: 31, unsupported: 36, skip: 90, error: 35 };

export function colourise(enabled: boolean) {
  return (verdict: Verdict, text: string = verdict): string => (enabled ? `\x1b[${COLOURS[verdict]}m${text}\x1b[0m` : text);
}

/** The console report of one target: a summary table per suite, then every case that did not pass. */
export function renderConsole(result: RunResult, opts: { colour: boolean; gate?: GateOutcome }): string {
  const paint = colourise(opts.colour);
  const out: string[] = [];
  const t = result.target;
  out.push(`ftp-conform ${result.version} → ${t.host}:${t.port} as ${t.user}${t.greeting ? `  (${t.greeting.split('\n')[0]})` : ''}`);
  const table = new Table({ head: ['suite', ...VERDICTS, 'total'], style: { head: [], border: [], compact: true } });
  const suites = [...new Set(result.cases.map((c) => c.suite))];
  for (const s of suites) {
    const rows = result.cases.filter((c) => c.suite === s);
    table.push([s, ...VERDICTS.map((v) => count(rows, v, paint)), String(rows.length)]);
  }
  table.push(['all', ...VERDICTS.map((v) => count(result.cases, v, paint)), String(result.cases.length)]);
  out.push(table.toString());
  const target = targetKey(t);
  for (const c of result.cases.filter((x) => x.verdict !== 'pass' || opts.gate?.cases[gateKey(target, caseLabel(x))]?.status === 'xpass')) {
    const g = opts.gate?.cases[gateKey(target, caseLabel(c))];
    const tag = g?.status === 'expected' ? `  (expected: ${g.expected?.reason})` : g?.status === 'xpass' ? `  UNEXPECTED PASS (expected ${g.expected?.verdicts.join('/')}: ${g.expected?.reason})` : '';
    const change = g?.change === 'regression' ? `  REGRESSION (was ${g.baseline})` : g?.change === 'improvement' ? `  improved (was ${g.baseline})` : '';
    out.push(`${paint(c.verdict, c.verdict.toUpperCase().padEnd(11))} ${caseLabel(c)}  ${c.level} ${c.ref}${tag}${change}`);
    if (c.verdict === 'pass') continue;
    out.push(`            ${oneLine(c.reason)}`);
    if (c.expected && c.verdict !== 'skip') out.push(`            expected: ${oneLine(c.expected)}`);
    if (c.actual && c.verdict !== 'skip') out.push(`            actual:   ${oneLine(c.actual)}`);
  }
  // A device profile run: the vendor's documented rows, each conforms / deviates.
  if (result.profile) out.push(renderProfileTable(result.profile, opts.colour).trimEnd());
  out.push(`${result.cases.length} cases in ${(result.durationMs / 1000).toFixed(1)} s: ${VERDICTS.map((v) => `${result.summary[v]} ${v}`).join(', ')}`);
  return out.join('\n') + '\n';
}

/** Every target's report, a cases × targets matrix when there are several, then the gate's verdict. */
export function renderConsoleReport(report: Report, opts: { colour: boolean }): string {
  const paint = colourise(opts.colour);
  const parts = report.runs.map((r) => renderConsole(r, { colour: opts.colour, gate: report.gate }));
  if (report.runs.length > 1) {
    const targets = report.runs.map((r) => targetKey(r.target));
    const table = new Table({ head: ['case', ...targets], style: { head: [], border: [], compact: true } });
    for (const row of targetMatrix(report.runs)) table.push([row.label, ...row.verdicts.map((v) => (v ? paint(v) : '—'))]);
    parts.push(table.toString() + '\n');
  }
  const g = report.gate;
  if (g?.requested || g?.interrupted) {
    const lines: string[] = [];
    const regressions = Object.values(g.cases).filter((c) => c.change === 'regression');
    const improvements = Object.values(g.cases).filter((c) => c.change === 'improvement');
    for (const c of regressions) lines.push(`regression   ${c.target} ${c.label}: ${c.baseline} → ${c.verdict}`);
    for (const c of improvements) lines.push(`improvement  ${c.target} ${c.label}: ${c.baseline} → ${c.verdict}`);
    const c = g.counts;
    lines.push(`gate: ${c.failed} unexpected, ${c.expected} expected, ${c.xpass} unexpected pass, ${c.regressions} regressions, ${c.improvements} improvements`);
    if (g.interrupted) lines.push('gate: FAILED — the run was interrupted');
    lines.push(g.failing ? `gate: FAILED — ${g.reasons.join('; ')}` : 'gate: passed');
    parts.push(lines.join('\n') + '\n');
  }
  return parts.join('');
}

/** One row per case label (first-seen order across targets), the verdict per target (undefined when not run there). */
export function targetMatrix(runs: RunResult[]): { label: string; verdicts: (Verdict | undefined)[] }[] {
  const labels: string[] = [];
  const seen = new Set<string>();
  const maps = runs.map((r) => new Map(r.cases.map((c) => [caseLabel(c), c.verdict])));
  for (const r of runs) for (const c of r.cases) if (!seen.has(caseLabel(c))) (seen.add(caseLabel(c)), labels.push(caseLabel(c)));
  return labels.map((label) => ({ label, verdicts: maps.map((m) => m.get(label)) }));
}

export class ConsoleReporter implements Reporter {
  constructor(private readonly ctx: ReporterContext) {}
  async onRunEnd(report: Report): Promise<void> {
    this.ctx.out(renderConsoleReport(report, { colour: this.ctx.colour }));
  }
}

function count(rows: CaseResult[], v: Verdict, paint: ReturnType<typeof colourise>): string {
  const n = rows.filter((r) => r.verdict === v).length;
  return n === 0 ? '0' : paint(v, String(n));
}

function oneLine(s: string): string {
  // Server-sent text never reaches the terminal raw: no escape sequences, no carriage returns.
  const flat = visibleControls(s).replace(/\n/g, ' ⏎ ');
  return flat.length > 160 ? flat.slice(0, 157) + '…' : flat;
}
