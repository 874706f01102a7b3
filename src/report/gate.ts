import Ajv from 'ajv';
import * as fs from 'fs';
import YAML from 'yaml';
import { RunResult, Verdict, VERDICTS } from '../run/types';
import { globToRegExp } from '../suite/select';
import { caseLabel, GateCase, GateOutcome, gateKey, targetKey } from './model';

/**
 * The CI gate: expectations (known failures per target, tlsfuzzer-style), a baseline to compare
 * with, and the level at which a verdict fails the run. Pure: results in, judgement out.
 */
export interface Expectation {
  /** Case id glob (`*` within a segment, `**` across), matched against the id and `id [mode]`. */
  case: string;
  verdicts: Verdict[];
  reason: string;
  /** host:port values this entry applies to; absent: every target. */
  targets?: string[];
  /** "file:line" for messages. */
  source: string;
}

export interface GateOptions {
  level: 'must' | 'should';
  regressionOnly: boolean;
  allowXpass: boolean;
  expectations?: Expectation[];
  /** Earlier results (one per target) to compare with. */
  baseline?: RunResult[];
  /** Whether a gate flag was given (only changes what the console shows). */
  requested?: boolean;
}

export class ExpectationsError extends Error {}

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['expectations'],
  properties: {
    expectations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['case', 'verdict', 'reason'],
        properties: {
          case: { type: 'string', minLength: 1 },
          verdict: {
            oneOf: [
              { enum: VERDICTS },
              { type: 'array', minItems: 1, items: { enum: VERDICTS } },
            ],
          },
          reason: { type: 'string', minLength: 1 },
          targets: { type: 'array', items: { type: 'string' } },
          target: { type: 'string' },
        },
      },
    },
  },
};

const validate = new Ajv({ allErrors: false }).compile(SCHEMA);

/** Reads an expectations file; problems are `file:line:col message` (ExpectationsError). */
export function loadExpectations(file: string): Expectation[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ExpectationsError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = lineCounter.linePos(err.pos[0]);
    throw new ExpectationsError(`${file}:${pos.line}:${pos.col} syntax error: ${err.message.split('\n')[0]}`);
  }
  const data = doc.toJS() as unknown;
  if (!validate(data)) {
    const e = validate.errors![0];
    const where = e.instancePath.split('/').filter(Boolean);
    const node = where.length ? (doc.getIn(where.map((p) => (/^\d+$/.test(p) ? Number(p) : p)), true) as { range?: [number] } | undefined) : undefined;
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    throw new ExpectationsError(`${file}:${pos.line}:${pos.col} ${e.instancePath || '/'}: ${e.message}`);
  }
  const entries = (data as { expectations: Record<string, unknown>[] }).expectations;
  const items = (doc.get('expectations') as YAML.YAMLSeq).items as YAML.Node[];
  return entries.map((x, i) => {
    const targets = [...((x.targets as string[] | undefined) ?? []), ...(x.target ? [x.target as string] : [])];
    return {
      case: x.case as string,
      verdicts: Array.isArray(x.verdict) ? (x.verdict as Verdict[]) : [x.verdict as Verdict],
      reason: x.reason as string,
      ...(targets.length ? { targets } : {}),
      source: `${file}:${lineCounter.linePos(items[i]?.range?.[0] ?? 0).line}`,
    };
  });
}

function findExpectation(list: Expectation[], target: string, id: string, label: string): Expectation | undefined {
  return list.find((x) => (!x.targets || x.targets.includes(target)) && [id, label].some((c) => globToRegExp(x.case).test(c)));
}

export function isFailing(v: Verdict, level: 'must' | 'should'): boolean {
  return v === 'fail' || v === 'error' || (level === 'should' && v === 'warn');
}

/** Judges every case of every run; `failing` is the exit decision (before unreachable/usage). */
export function evaluateGate(runs: RunResult[], o: GateOptions): GateOutcome {
  const base = new Map<string, Verdict>();
  for (const r of o.baseline ?? []) for (const c of r.cases) base.set(gateKey(targetKey(r.target), caseLabel(c)), c.verdict);
  // A baseline from one target compares with any single current target (the device got a new address).
  const loneBase = o.baseline?.length === 1 && runs.length === 1 ? o.baseline[0] : undefined;
  const cases: Record<string, GateCase> = {};
  const counts = { failed: 0, expected: 0, xpass: 0, regressions: 0, improvements: 0 };
  for (const run of runs) {
    const target = targetKey(run.target);
    for (const c of run.cases) {
      const label = caseLabel(c);
      const key = gateKey(target, label);
      const failing = isFailing(c.verdict, o.level);
      const x = o.expectations ? findExpectation(o.expectations, target, c.id, label) : undefined;
      let status: GateCase['status'] = failing ? 'failed' : 'ok';
      if (x && x.verdicts.includes(c.verdict)) status = 'expected';
      else if (x && !failing && x.verdicts.some((v) => v !== 'pass')) status = 'xpass';
      const g: GateCase = { target, label, verdict: c.verdict, status, ...(x ? { expected: { verdicts: x.verdicts, reason: x.reason } } : {}) };
      if (o.baseline) {
        const before = base.get(key) ?? (loneBase ? base.get(gateKey(targetKey(loneBase.target), label)) : undefined);
        if (before === undefined) g.change = 'new';
        else {
          g.baseline = before;
          if (failing && !isFailing(before, o.level)) g.change = 'regression';
          else if (!failing && isFailing(before, o.level)) g.change = 'improvement';
        }
      }
      cases[key] = g;
      if (status === 'failed') counts.failed++;
      if (status === 'expected') counts.expected++;
      if (status === 'xpass') counts.xpass++;
      if (g.change === 'regression') counts.regressions++;
      if (g.change === 'improvement') counts.improvements++;
    }
  }
  const reasons: string[] = [];
  if (o.regressionOnly) {
    if (counts.regressions > 0) reasons.push(`${counts.regressions} regression(s) against the baseline`);
  } else {
    if (counts.failed > 0) reasons.push(`${counts.failed} case(s) ${o.level === 'should' ? 'fail, error or warn' : 'fail or error'} unexpectedly`);
    if (counts.xpass > 0 && !o.allowXpass) reasons.push(`${counts.xpass} unexpected pass(es): update the expectations file (or --allow-xpass)`);
  }
  return {
    failOn: { level: o.level, regressionOnly: o.regressionOnly, allowXpass: o.allowXpass },
    cases,
    counts,
    failing: reasons.length > 0,
    reasons,
    requested: o.requested ?? true,
  };
}
