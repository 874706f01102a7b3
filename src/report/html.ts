import * as path from 'path';
import { CaseResult, ProfileResult, RunResult, Summary } from '../run/types';
import { HTML_CSS, HTML_JS } from './html-client';
import { writeFileAtomic } from './json';
import { caseLabel, commandReplyMatrix, commandsOf, CoverageSummaryRow, GateCase, gateKey, GateOutcome, Report, targetKey } from './model';
import type { Reporter, ReporterContext } from './reporter';

/**
 * The HTML report: one self-contained file. The page is a fixed skeleton plus inline CSS and JS;
 * every piece of run data travels as one JSON document in a `<script type="application/json">`
 * (with `<`, `>`, `&`, U+2028/9 escaped, so a server reply holding `</script>` stays data), and
 * the script builds the DOM from it with text nodes only — nothing a server sent is parsed as HTML.
 */
export interface HtmlTranscriptEntry {
  dir: string;
  t: number;
  text: string;
  conn?: string;
  /** The deviation kinds that point at this line. */
  dev?: string[];
}

export interface HtmlCase {
  target: number;
  label: string;
  id: string;
  mode?: string;
  suite: string;
  title: string;
  level: string;
  section: string;
  ref: string;
  requirement: string;
  verdict: string;
  reason: string;
  expected: string;
  actual: string;
  durationMs: number;
  source: string;
  deviations: { kind: string; severity: string; message: string; raw?: string; ref: string; requirement: string }[];
  deviationsDropped?: number;
  commands: string[];
  transcript: HtmlTranscriptEntry[];
  gate?: GateCase;
}

export interface HtmlData {
  version: string;
  startedAt: string;
  targets: {
    key: string;
    user: string;
    greeting?: string;
    features?: string[];
    unreachable?: string;
    silent?: string;
    startedAt: string;
    durationMs: number;
    summary: Summary;
    options: RunResult['options'];
    profile?: ProfileResult;
    /** Command verb × reply code, counted over this target's transcripts. */
    replies: { codes: string[]; rows: { verb: string; counts: number[] }[] };
  }[];
  cases: HtmlCase[];
  gate?: Omit<GateOutcome, 'cases'>;
  coverage?: CoverageSummaryRow[];
}

function markDeviations(c: CaseResult): HtmlTranscriptEntry[] {
  const entries: HtmlTranscriptEntry[] = c.transcript.map((e) => ({ ...e }));
  for (const d of c.deviations) {
    const raw = d.raw?.replace(/(\\r)?\\n$/, '').replace(/…\(\+\d+ bytes\)$/, '');
    const hit = raw ? entries.find((e) => e.dir === 's>c' && (e.text.includes(raw) || (e.text.length > 2 && raw.includes(e.text)))) : undefined;
    if (hit) hit.dev = [...(hit.dev ?? []), d.kind];
  }
  return entries;
}

export function htmlData(report: Report): HtmlData {
  const first = report.runs[0];
  const cases: HtmlCase[] = [];
  report.runs.forEach((run, ti) => {
    const key = targetKey(run.target);
    for (const c of run.cases) {
      const g = report.gate?.cases[gateKey(key, caseLabel(c))];
      const { transcript: _t, ...rest } = c;
      cases.push({ ...rest, target: ti, label: caseLabel(c), commands: commandsOf(c), transcript: markDeviations(c), ...(g ? { gate: g } : {}) });
    }
  });
  const targets = report.runs.map((run) => {
    const m = commandReplyMatrix(run.cases);
    const codes = [...new Set([...m.values()].flatMap((row) => [...row.keys()]))].sort();
    const rows = [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([verb, row]) => ({ verb, counts: codes.map((k) => row.get(k) ?? 0) }));
    const t = run.target;
    return {
      key: targetKey(t),
      user: t.user,
      ...(t.greeting !== undefined ? { greeting: t.greeting } : {}),
      ...(t.features ? { features: t.features } : {}),
      ...(t.unreachable ? { unreachable: t.unreachable } : {}),
      ...(t.silent ? { silent: t.silent } : {}),
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      summary: run.summary,
      options: run.options,
      ...(run.profile ? { profile: run.profile } : {}),
      replies: { codes, rows },
    };
  });
  let gate: HtmlData['gate'];
  if (report.gate) {
    const { cases: _c, ...rest } = report.gate;
    gate = rest;
  }
  return {
    version: first?.version ?? '',
    startedAt: first?.startedAt ?? '',
    targets,
    cases,
    ...(gate ? { gate } : {}),
    ...(report.coverage ? { coverage: report.coverage } : {}),
  };
}

/** JSON that is safe inside a <script> element: no `<`, `>`, `&` or line separators left raw. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderHtml(report: Report): string {
  const data = htmlData(report);
  const title = `ftp-conform report — ${data.targets.map((t) => t.key).join(', ')}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>
${HTML_CSS}
</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><div id="meta"></div><div id="gate"></div></header>
<nav id="toc"><a href="#summary">summary</a> · <a href="#matrix">targets</a> · <a href="#cases">cases</a> · <a href="#replies">commands × replies</a> · <a href="#coverage">coverage</a> · <a href="#profile">profile</a></nav>
<section id="summary"><h2>Summary</h2></section>
<section id="matrix" hidden><h2>Cases × targets</h2></section>
<section id="cases"><h2>Cases</h2>
<form id="filters" onsubmit="return false">
<label>verdict <select id="f-verdict"><option value="">any</option><option value="problems">fail, error, warn, xpass</option><option>pass</option><option>warn</option><option>fail</option><option>unsupported</option><option>skip</option><option>error</option><option value="expected">expected (expectations file)</option><option value="xpass">unexpected pass</option><option value="regression">regression</option></select></label>
<label>level <select id="f-level"><option value="">any</option><option>MUST</option><option>SHOULD</option><option>MAY</option></select></label>
<label>command <select id="f-command"><option value="">any</option></select></label>
<label>text <input id="f-text" type="search" placeholder="id, title, reason, transcript…"></label>
<span id="f-count" aria-live="polite"></span>
</form>
<div id="case-list"></div>
</section>
<section id="replies"><h2>Commands × reply codes</h2><p class="hint">What the target answered: each command verb sent, and the code of the reply that followed it (a preliminary 1yz and its completion both count).</p></section>
<section id="coverage" hidden><h2>Requirement coverage</h2></section>
<section id="profile" hidden><h2>Device profile</h2></section>
<script type="application/json" id="ftpc-data">${scriptJson(data)}</script>
<script>
${HTML_JS}
</script>
</body>
</html>
`;
}

export class HtmlReporter implements Reporter {
  constructor(private readonly ctx: ReporterContext) {}
  async onRunEnd(report: Report): Promise<void> {
    this.ctx.written.push(writeFileAtomic(path.join(this.ctx.outDir!, 'report.html'), renderHtml(report)));
  }
}
