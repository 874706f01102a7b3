import Table from 'cli-table3';
import { CaseResult, RunResult, Verdict, VERDICTS } from '../run/types';

const COLOURS: Record<Verdict, number> = { pass: 32, warn: 33, fail: 31, unsupported: 36, skip: 90, error: 35 };

export function colourise(enabled: boolean) {
  return (verdict: Verdict, text: string = verdict): string => (enabled ? `\x1b[${COLOURS[verdict]}m${text}\x1b[0m` : text);
}

export function caseLabel(r: CaseResult): string {
  return r.mode ? `${r.id} [${r.mode}]` : r.id;
}

/** The console report: a summary table per suite, then every case that did not pass, with its reason. */
export function renderConsole(result: RunResult, opts: { colour: boolean }): string {
  const paint = colourise(opts.colour);
  const out: string[] = [];
  const t = result.target;
  out.push(`ftp-conform ${result.version} → ${t.host}:${t.port} as ${t.user}${t.greeting ? `  (${t.greeting.split('\n')[0]})` : ''}`);
  const table = new Table({
    head: ['suite', ...VERDICTS, 'total'],
    style: { head: [], border: [], compact: true },
  });
  const suites = [...new Set(result.cases.map((c) => c.suite))];
  for (const s of suites) {
    const rows = result.cases.filter((c) => c.suite === s);
    table.push([s, ...VERDICTS.map((v) => count(rows, v, paint)), String(rows.length)]);
  }
  table.push(['all', ...VERDICTS.map((v) => count(result.cases, v, paint)), String(result.cases.length)]);
  out.push(table.toString());
  const notable = result.cases.filter((c) => c.verdict !== 'pass');
  for (const c of notable) {
    out.push(`${paint(c.verdict, c.verdict.toUpperCase().padEnd(11))} ${caseLabel(c)}  ${c.level} ${c.ref}`);
    out.push(`            ${c.reason}`);
    if (c.expected && c.verdict !== 'skip') out.push(`            expected: ${oneLine(c.expected)}`);
    if (c.actual && c.verdict !== 'skip') out.push(`            actual:   ${oneLine(c.actual)}`);
  }
  out.push(`${result.cases.length} cases in ${(result.durationMs / 1000).toFixed(1)} s: ${VERDICTS.map((v) => `${result.summary[v]} ${v}`).join(', ')}`);
  return out.join('\n') + '\n';
}

function count(rows: CaseResult[], v: Verdict, paint: ReturnType<typeof colourise>): string {
  const n = rows.filter((r) => r.verdict === v).length;
  return n === 0 ? '0' : paint(v, String(n));
}

function oneLine(s: string): string {
  const flat = s.replace(/\n/g, ' ⏎ ');
  return flat.length > 160 ? flat.slice(0, 157) + '…' : flat;
}
