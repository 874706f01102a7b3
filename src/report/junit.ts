import * as path from 'path';
import { CaseResult, RunResult } from '../run/types';
import { writeFileAtomic } from './json';
import { caseLabel, GateCase, gateKey, GateOutcome, Report, targetKey, transcriptLines, visibleControls } from './model';
import type { Reporter, ReporterContext } from './reporter';

/**
 * JUnit XML (the junit-10.xsd dialect CI systems read): one <testsuite> per suite and target, one
 * <testcase> per case and data mode. fail → <failure>, error → <error>, skip/unsupported →
 * <skipped>, warn → passed with the warning in <system-out> (a <failure> when warn fails the gate);
 * a failure the expectations file expects → <skipped message="expected …">, an unexpected pass →
 * <failure type="xpass"> unless allowed. Control and XML-invalid characters are shown as \xNN.
 */
function text(s: string): string {
  return visibleControls(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function details(c: CaseResult, g: GateCase | undefined): string {
  const lines = [
    `${caseLabel(c)}: ${c.verdict}${c.reason ? ` — ${c.reason}` : ''}`,
    `level: ${c.level}  ref: ${c.ref}  source: ${c.source}`,
    `requirement: "${c.requirement}"`,
  ];
  if (c.expected) lines.push(`expected: ${c.expected}`);
  if (c.actual) lines.push(`actual:   ${c.actual}`);
  if (g?.expected) lines.push(`expectation: ${g.expected.verdicts.join('/')} — ${g.expected.reason}`);
  if (g?.baseline) lines.push(`baseline: ${g.baseline}${g.change ? ` (${g.change})` : ''}`);
  for (const d of c.deviations) lines.push(`deviation ${d.kind} (${d.severity}): ${d.message}${d.raw ? ` [${d.raw}]` : ''} — ${d.ref}`);
  if (c.deviationsDropped) lines.push(`${c.deviationsDropped} further deviations dropped`);
  return lines.join('\n');
}

function outcome(c: CaseResult, g: GateCase | undefined, gate: GateOutcome | undefined, strict: boolean): string {
  const msg = c.reason || c.verdict;
  if (g?.status === 'expected' && (c.verdict === 'fail' || c.verdict === 'error' || c.verdict === 'warn')) {
    return `<skipped type="expected-${c.verdict}" message="${attr(`expected ${c.verdict}: ${g.expected?.reason} — ${msg}`)}"/>`;
  }
  if (g?.status === 'xpass' && !gate?.failOn.allowXpass) {
    return `<failure type="xpass" message="${attr(`unexpected ${c.verdict} (expected ${g.expected?.verdicts.join('/')}: ${g.expected?.reason})`)}"/>`;
  }
  switch (c.verdict) {
    case 'fail':
      return `<failure type="fail" message="${attr(msg)}">${text(details(c, g))}</failure>`;
    case 'error':
      return `<error type="error" message="${attr(msg)}">${text(details(c, g))}</error>`;
    case 'skip':
    case 'unsupported':
      return `<skipped type="${c.verdict}" message="${attr(`${c.verdict}: ${msg}`)}"/>`;
    case 'warn':
      return strict ? `<failure type="warn" message="${attr(msg)}">${text(details(c, g))}</failure>` : '';
    default:
      return '';
  }
}

export function renderJunit(report: Report, opts: { strict?: boolean } = {}): string {
  const strict = opts.strict ?? report.gate?.failOn.level === 'should';
  const multi = report.runs.length > 1;
  const suites: string[] = [];
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0, ms: 0 };
  for (const run of report.runs) {
    const target = targetKey(run.target);
    for (const suite of [...new Set(run.cases.map((c) => c.suite))]) {
      const cases = run.cases.filter((c) => c.suite === suite);
      const rendered = cases.map((c) => {
        const g = report.gate?.cases[gateKey(target, caseLabel(c))];
        const body = outcome(c, g, report.gate, strict);
        const out = [details(c, g), '', ...transcriptLines(c)].join('\n');
        const name = `${caseLabel(c)} ${c.title}${multi ? ` @ ${target}` : ''}`;
        const [file, line] = c.source.split(/:(?=\d+$)/);
        return {
          kind: body.startsWith('<failure') ? 'failure' : body.startsWith('<error') ? 'error' : body.startsWith('<skipped') ? 'skipped' : 'pass',
          xml:
            `    <testcase classname="${attr(c.suite)}" name="${attr(name)}" time="${seconds(c.durationMs)}" file="${attr(file)}"${line ? ` line="${line}"` : ''}>\n` +
            (body ? `      ${body}\n` : '') +
            `      <system-out>${text(out)}</system-out>\n    </testcase>`,
        };
      });
      const n = (k: string) => rendered.filter((r) => r.kind === k).length;
      const ms = cases.reduce((s, c) => s + c.durationMs, 0);
      total.tests += cases.length;
      total.failures += n('failure');
      total.errors += n('error');
      total.skipped += n('skipped');
      total.ms += ms;
      suites.push(
        `  <testsuite name="${attr(multi ? `${suite} @ ${target}` : suite)}" tests="${cases.length}" failures="${n('failure')}" errors="${n('error')}" skipped="${n('skipped')}" time="${seconds(ms)}" timestamp="${attr(run.startedAt.replace(/Z$/, ''))}" hostname="${attr(target)}">\n` +
          `    <properties>\n${properties(run)}    </properties>\n` +
          rendered.map((r) => r.xml).join('\n') +
          '\n  </testsuite>',
      );
    }
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="ftp-conform" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" time="${seconds(total.ms)}">\n` +
    suites.join('\n') +
    (suites.length ? '\n' : '') +
    '</testsuites>\n'
  );
}

function properties(run: RunResult): string {
  const props: [string, string][] = [
    ['target', targetKey(run.target)],
    ['user', run.target.user],
    ['tool', `${run.tool} ${run.version}`],
    ['greeting', run.target.greeting ?? ''],
    ['dataModes', run.options.dataModes.join(',')],
    ['levels', run.options.levels.join(',')],
  ];
  if (run.target.unreachable) props.push(['unreachable', run.target.unreachable]);
  if (run.profile) props.push(['profile', run.profile.name]);
  return props.map(([k, v]) => `      <property name="${attr(k)}" value="${attr(v)}"/>\n`).join('');
}

export class JunitReporter implements Reporter {
  constructor(private readonly ctx: ReporterContext) {}
  async onRunEnd(report: Report): Promise<void> {
    this.ctx.written.push(writeFileAtomic(path.join(this.ctx.outDir!, 'junit.xml'), renderJunit(report)));
  }
}
