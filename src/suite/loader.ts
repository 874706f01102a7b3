import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { Document, isMap, isPair, isScalar, LineCounter, parseDocument, Node as YamlNode } from 'yaml';
import schema from './schema.json';
import { Case, Given, Outcome, RawSpec, Step, Suite } from './types';

/** One problem in a suite file, located so an editor can jump to it. */
export interface SuiteProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export class SuiteError extends Error {
  constructor(readonly problems: SuiteProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'SuiteError';
  }
}

export function formatProblem(p: SuiteProblem): string {
  return `${p.file}:${p.line}:${p.col} ${p.message}`;
}

/** An ajv validator for one of the project's schemas, with the `regex` format the schemas use. */
export function compileSchema(schemaObject: object): () => ValidateFunction {
  let compiled: ValidateFunction | undefined;
  return () => {
    if (!compiled) {
      const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
      ajv.addFormat('regex', (s: string) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      });
      compiled = ajv.compile(schemaObject);
    }
    return compiled;
  };
}

const validate = compileSchema(schema);

type PathKey = string | number;

export function pointerToPath(pointer: string): PathKey[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export function positionOf(doc: Document, lc: LineCounter, at: PathKey[], key?: string): { line: number; col: number } {
  let node = doc.getIn(at, true) as YamlNode | undefined;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key)) node = pair.key;
  }
  // Walk up until a node with a known range: a missing property is reported at its parent.
  let depth = at.length;
  while ((!node || !node.range) && depth > 0) {
    depth--;
    node = doc.getIn(at.slice(0, depth), true) as YamlNode | undefined;
  }
  const offset = node?.range ? node.range[0] : 0;
  return lc.linePos(offset);
}

/** Keeps the most telling schema errors: the deepest ones, without the umbrella `if` errors. */
export function pickErrors(errors: ErrorObject[]): ErrorObject[] {
  const concrete = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  let pool = concrete.length > 0 ? concrete : errors;
  // A value that may take several shapes fails the "type" of every shape it did not choose; when a
  // more specific error exists at or below the same place, those type errors are only noise.
  const specific = pool.filter((e) => e.keyword !== 'type');
  pool = pool.filter((e) => e.keyword !== 'type' || !specific.some((s) => (s.instancePath + '/').startsWith(e.instancePath + '/')));
  const seen = new Set<string>();
  return pool.filter((e) => {
    const k = e.instancePath + ' ' + e.message + JSON.stringify(e.params);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function describe(e: ErrorObject): { message: string; key?: string } {
  const where = e.instancePath || '(top level)';
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    return { message: `${where}: unknown property "${key}"`, key };
  }
  if (e.keyword === 'enum') return { message: `${where} ${e.message}: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
  return { message: `${where} ${e.message}` };
}

/** Parses and validates one suite file; throws SuiteError listing every problem with file:line:col. */
export function loadSuiteFile(file: string, displayName = file): Suite {
  const text = fs.readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Only the first syntax error: the ones after it usually follow from it (one bad indent cascades).
    const err = doc.errors[0];
    const pos = lc.linePos(err.pos[0]);
    throw new SuiteError([{ file: displayName, line: pos.line, col: pos.col, message: `syntax error: ${err.message.split('\n')[0]}` }]);
  }
  const data = doc.toJS() as unknown;
  const v = validate();
  if (!v(data)) {
    const problems = pickErrors(v.errors ?? []).map((e) => {
      const d = describe(e);
      const pos = positionOf(doc, lc, pointerToPath(e.instancePath), d.key);
      return { file: displayName, line: pos.line, col: pos.col, message: d.message };
    });
    throw new SuiteError(problems);
  }
  const raw = data as RawSuite;
  const problems: SuiteProblem[] = [];
  const at = (p: PathKey[], message: string) => {
    const pos = positionOf(doc, lc, p);
    problems.push({ file: displayName, line: pos.line, col: pos.col, message });
  };
  const cases = raw.cases.map((c, i) => normaliseCase(raw, c, displayName, positionOf(doc, lc, ['cases', i]), (p, m) => at(['cases', i, ...p], m)));
  if (problems.length > 0) throw new SuiteError(problems);
  return { id: raw.suite, title: raw.title, spec: raw.spec, file: displayName, cases };
}

interface RawSuite {
  suite: string;
  title: string;
  spec: string;
  cases: RawCase[];
}
interface RawCase {
  id: string;
  title: string;
  section: string;
  level: Case['level'];
  requirement: string;
  ref?: string;
  tags?: string[];
  given?: Given;
  dataModes?: Case['dataModes'];
  steps: RawStep[];
  cleanup?: RawStep[];
}
type RawStep = Record<string, unknown> & { expect?: unknown; raw?: unknown };

function normaliseExpect(e: unknown): Outcome[] | undefined {
  if (e === undefined) return undefined;
  if (typeof e === 'number' || typeof e === 'string') return [{ code: e }];
  if (Array.isArray(e)) return e as Outcome[];
  return [e as Outcome];
}

function normaliseStep(s: RawStep): Step {
  const out: Record<string, unknown> = { ...s };
  const expect = normaliseExpect(s.expect);
  if (expect) out.expect = expect;
  else delete out.expect;
  if (typeof s.raw === 'string') out.raw = { text: s.raw } as RawSpec;
  return out as unknown as Step;
}

function normaliseCase(
  suite: RawSuite,
  c: RawCase,
  file: string,
  pos: { line: number; col: number },
  problem: (p: PathKey[], message: string) => void,
): Case {
  const idSection = c.id.split('/')[1];
  if (idSection !== c.section) problem(['id'], `case id section "${idSection}" does not match section "${c.section}"`);
  const steps = c.steps.map(normaliseStep);
  const cleanup = (c.cleanup ?? []).map(normaliseStep);
  checkReferences(steps, (i, m) => problem(['steps', i], m));
  const given = c.given ?? {};
  return {
    id: c.id,
    title: c.title,
    section: c.section,
    level: c.level,
    requirement: c.requirement.replace(/\s+/g, ' ').trim(),
    ref: c.ref ?? `${suite.spec} §${c.section}`,
    given: {
      login: given.login ?? true,
      greeting: given.greeting ?? 'auto',
      writable: given.writable ?? false,
      user: given.user ?? 'any',
      feat: given.feat ?? [],
      ...(given.tls ? { tls: given.tls } : {}),
    },
    dataModes: c.dataModes,
    tags: c.tags ?? [],
    steps,
    cleanup,
    suite: suite.suite,
    source: { file, line: pos.line, col: pos.col },
  };
}

/** Catches what the schema cannot: names used before they are defined. */
function checkReferences(steps: Step[], problem: (index: number, message: string) => void): void {
  const connections = new Set(['main']);
  const contents = new Set<string>();
  steps.forEach((s, i) => {
    if ('open' in s) connections.add(s.open.name);
    const on = 'close' in s ? s.close : s.on;
    if (on !== undefined && !connections.has(on)) problem(i, `connection "${on}" is used before an "open" step names it`);
    if ('transfer' in s) {
      const t = s.transfer;
      if (!t.upload && !t.download) problem(i, 'a transfer needs "upload" or "download: true"');
      if (t.upload && t.download) problem(i, 'a transfer is either an upload or a download, not both');
      for (const ref of [t.check?.sameAs, t.check?.sameAsWithCrlf]) {
        if (ref !== undefined && !contents.has(ref)) problem(i, `"${ref}" names no earlier transfer's "as"`);
      }
      if (t.as) contents.add(t.as);
    }
  });
}

export function listSuiteFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      // Profiles and the cases only they select live under suites/profiles/ (src/profile/): not bundled suites.
      if (entry.isDirectory() && d === dir && entry.name === 'profiles') continue;
      // The requirement index (suites/requirements/) traces RFC sentences to cases; it holds no cases.
      if (entry.isDirectory() && d === dir && entry.name === 'requirements') continue;
      if (entry.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/i.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Loads every file, collecting all problems (including case ids used twice) before giving up,
 * so one run of `validate` shows everything that is wrong.
 */
export function loadSuites(files: string[], base = process.cwd()): Suite[] {
  const problems: SuiteProblem[] = [];
  const suites: Suite[] = [];
  for (const f of files) {
    try {
      suites.push(loadSuiteFile(f, path.relative(base, f) || f));
    } catch (e) {
      if (e instanceof SuiteError) problems.push(...e.problems);
      else problems.push({ file: path.relative(base, f) || f, line: 1, col: 1, message: (e as Error).message });
    }
  }
  const seen = new Map<string, Case>();
  for (const s of suites) {
    for (const c of s.cases) {
      const prev = seen.get(c.id);
      if (prev) problems.push({ ...c.source, message: `case id "${c.id}" is already used at ${prev.source.file}:${prev.source.line}` });
      else seen.set(c.id, c);
    }
  }
  if (problems.length > 0) throw new SuiteError(problems);
  return suites;
}
