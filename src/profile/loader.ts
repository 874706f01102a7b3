import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';
import { compileSchema, describe, pickErrors, pointerToPath, positionOf, SuiteError, SuiteProblem } from '../suite/loader';
import { DataMode } from '../suite/types';
import schema from './schema.json';
import { Profile, ProfileReply, ProfileRow } from './types';

/** The checkout (or installed package) root: where suites/profiles/ lives. */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'ftp-conform') return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

export function profilesDir(): string {
  return path.join(packageRoot(), 'suites', 'profiles');
}

/** Profile names: the `*.yaml` files directly in suites/profiles/. */
export function listProfiles(dir = profilesDir()): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

const validate = compileSchema(schema);

interface RawRow {
  row: string;
  documented: string;
  cases?: string[];
  untestable?: string;
  needs?: Array<'tls'>;
  unsupported?: 'deviates' | 'not-run';
  note?: string;
}

interface RawProfile {
  profile: string;
  title: string;
  source: string;
  description?: string;
  notes?: string[];
  extends?: string;
  select: string[];
  dataModes: DataMode[];
  parameters?: Record<string, { default: number; describe: string }>;
  connections?: { max: number | { parameter: string }; beyond: ProfileReply; documented: string };
  login?: Profile['login'];
  commands: { supported: string[]; other?: { reply: ProfileReply; documented: string; probe?: string[] } };
  tls?: Profile['tls'];
  rows: RawRow[];
}

export interface LoadOptions {
  dir?: string;
  /** Parameter values given on the command line (`--profile-param connections=3`). */
  parameters?: Record<string, number>;
}

/** Parses and validates one profile file; every problem is reported as file:line:col. */
function readProfileFile(file: string, displayName: string): { raw: RawProfile; rows: ProfileRow[] } {
  const text = fs.readFileSync(file, 'utf8');
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const pos = lc.linePos(doc.errors[0].pos[0]);
    throw new SuiteError([{ file: displayName, line: pos.line, col: pos.col, message: `syntax error: ${doc.errors[0].message.split('\n')[0]}` }]);
  }
  const data = doc.toJS() as unknown;
  const v = validate();
  if (!v(data)) {
    throw new SuiteError(
      pickErrors(v.errors ?? []).map((e) => {
        const d = describe(e);
        const pos = positionOf(doc, lc, pointerToPath(e.instancePath), d.key);
        return { file: displayName, line: pos.line, col: pos.col, message: d.message };
      }),
    );
  }
  const raw = data as RawProfile;
  const problems: SuiteProblem[] = [];
  const at = (p: Array<string | number>, message: string) => problems.push({ file: displayName, ...positionOf(doc, lc, p), message });
  const expected = path.basename(file).replace(/\.ya?ml$/, '');
  if (raw.profile !== expected) at(['profile'], `profile "${raw.profile}" must be named like its file ("${expected}")`);
  const seen = new Set<string>();
  raw.rows.forEach((r, i) => {
    if (seen.has(r.row)) at(['rows', i, 'row'], `row "${r.row}" is listed twice`);
    seen.add(r.row);
  });
  for (const [i, verb] of (raw.commands.other?.probe ?? []).entries()) {
    if (raw.commands.supported.includes(verb)) at(['commands', 'other', 'probe', i], `${verb} is a supported command; it cannot be probed as an unlisted one`);
  }
  const max = raw.connections?.max;
  if (typeof max === 'object' && raw.parameters?.[max.parameter] === undefined) at(['connections', 'max', 'parameter'], `no parameter "${max.parameter}" is declared`);
  if (problems.length > 0) throw new SuiteError(problems);
  const rows = raw.rows.map(
    (r, i): ProfileRow => ({
      row: r.row,
      documented: r.documented.replace(/\s+/g, ' ').trim(),
      cases: r.cases ?? [],
      untestable: r.untestable,
      needs: r.needs ?? [],
      unsupported: r.unsupported ?? 'deviates',
      note: r.note,
      source: { file: displayName, ...positionOf(doc, lc, ['rows', i]) },
    }),
  );
  return { raw, rows };
}

/** A child profile starts from its parent: select and notes add up, rows with the same id replace. */
function merge(parent: Profile, child: RawProfile, rows: ProfileRow[], file: string): Profile {
  const own = new Set(rows.map((r) => r.row));
  return {
    ...parent,
    name: child.profile,
    title: child.title,
    source: child.source,
    description: child.description ?? parent.description,
    notes: [...parent.notes, ...(child.notes ?? [])],
    select: [...new Set([...parent.select, ...child.select])],
    dataModes: child.dataModes,
    tls: child.tls ?? parent.tls,
    login: child.login ? { ...parent.login, ...child.login } : parent.login,
    commands: { supported: child.commands.supported, other: child.commands.other ? { ...child.commands.other, probe: child.commands.other.probe ?? [] } : parent.commands.other },
    rows: [...parent.rows.filter((r) => !own.has(r.row)), ...rows],
    file,
  };
}

function parameterValues(raw: RawProfile, given: Record<string, number>, file: string): Profile['parameters'] {
  const out: Profile['parameters'] = {};
  for (const [name, p] of Object.entries(raw.parameters ?? {})) out[name] = { value: p.default, describe: p.describe };
  for (const [name, value] of Object.entries(given)) {
    if (!out[name]) throw new SuiteError([{ file, line: 1, col: 1, message: `profile ${raw.profile} has no parameter "${name}" (it has: ${Object.keys(out).join(', ') || 'none'})` }]);
    if (!Number.isInteger(value) || value < 1) throw new SuiteError([{ file, line: 1, col: 1, message: `parameter ${name} must be a positive integer, got ${value}` }]);
    out[name] = { ...out[name], value };
  }
  return out;
}

function fromRaw(raw: RawProfile, rows: ProfileRow[], file: string, given: Record<string, number>): Profile {
  const parameters = parameterValues(raw, given, file);
  const c = raw.connections;
  return {
    name: raw.profile,
    title: raw.title,
    source: raw.source,
    description: raw.description,
    notes: raw.notes ?? [],
    select: raw.select,
    dataModes: raw.dataModes,
    parameters,
    connections: c && { max: typeof c.max === 'number' ? c.max : parameters[c.max.parameter].value, beyond: c.beyond, documented: c.documented },
    login: { anonymous: 'optional', named: true, ...raw.login },
    commands: { supported: raw.commands.supported, other: raw.commands.other && { ...raw.commands.other, probe: raw.commands.other.probe ?? [] } },
    tls: raw.tls,
    rows,
    file,
  };
}

/** Loads `suites/profiles/<name>.yaml` (and the profile it extends); throws SuiteError with file:line:col. */
export function loadProfile(name: string, opts: LoadOptions = {}, chain: string[] = []): Profile {
  const dir = opts.dir ?? profilesDir();
  const file = path.join(dir, `${name}.yaml`);
  if (!/^[a-z0-9-]+$/.test(name) || !fs.existsSync(file)) {
    throw new SuiteError([{ file: path.relative(process.cwd(), file) || file, line: 1, col: 1, message: `no profile "${name}" (known: ${listProfiles(dir).join(', ')})` }]);
  }
  const display = path.relative(process.cwd(), file) || file;
  const { raw, rows } = readProfileFile(file, display);
  if (raw.extends === undefined) return fromRaw(raw, rows, display, opts.parameters ?? {});
  if (chain.includes(raw.extends)) throw new SuiteError([{ file: display, line: 1, col: 1, message: `profile ${name} extends itself through ${[...chain, name].join(' → ')}` }]);
  const parent = loadProfile(raw.extends, opts, [...chain, name]);
  return merge(parent, raw, rows, display);
}
