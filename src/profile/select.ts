import * as path from 'path';
import { listSuiteFiles, loadSuites, SuiteError, SuiteProblem } from '../suite/loader';
import { matchesAny } from '../suite/select';
import { Case, Outcome, Step, Suite } from '../suite/types';
import { profilesDir } from './loader';
import { Profile, ProfileReply, ProfileRow } from './types';

/**
 * The suites a profile's case globs can reach. A case id's first segment names where its suite
 * lives (rfc959/… in suites/rfc959/, modulus/… in suites/profiles/cases/modulus*.yaml), so only
 * those files are loaded: a profile does not depend on unrelated suites being valid.
 */
export function loadProfileSuites(profile: Profile, root = path.dirname(path.dirname(profilesDir()))): Suite[] {
  const heads = new Set(profile.select.map((g) => g.split('/')[0]));
  const own = path.join(root, 'suites', 'profiles', 'cases');
  const files = [...heads].flatMap((head) => {
    if (/[*?]/.test(head)) return [...listSuiteFiles(path.join(root, 'suites')), ...listSuiteFiles(own)];
    return [...listSuiteFiles(path.join(root, 'suites', head)), ...listSuiteFiles(own).filter((f) => path.basename(f).startsWith(head) || path.relative(own, f).startsWith(head + path.sep))];
  });
  return loadSuites([...new Set(files)], process.cwd());
}

function outcome(reply: ProfileReply): Outcome[] {
  return [{ code: reply.code, ...(reply.text !== undefined ? { text: reply.text } : {}) }];
}

function synthetic(profile: Profile, id: string, title: string, requirement: string, login: boolean, steps: Step[]): Case {
  return {
    id,
    title,
    section: id.split('/')[1],
    level: 'MUST',
    requirement,
    ref: `${profile.title} (${profile.source})`,
    given: { login, greeting: 'auto', writable: false, user: 'any', feat: [] },
    tags: ['profile'],
    steps,
    cleanup: [],
    suite: `profiles/${profile.name}`,
    source: { file: profile.file, line: 1, col: 1 },
  };
}

/**
 * Cases made from the profile's own data: the connection limit (N connections greeted with 220,
 * the next one gets the documented refusal and is closed) and one probe per unlisted command.
 */
export function profileCases(profile: Profile): Case[] {
  const out: Case[] = [];
  const other = profile.commands.other;
  for (const verb of other?.probe ?? []) {
    const steps: Step[] = [{ send: verb, expect: outcome(other!.reply) }];
    out.push(synthetic(profile, `${profile.name}/unlisted/${verb.toLowerCase()}-not-implemented`, `${verb} is not a listed command: it gets the "other command" reply`, other!.documented, true, steps));
  }
  // Last: when it fails, its extra connections are dropped without QUIT and may still hold a slot
  // on a one-connection device for a moment.
  const c = profile.connections;
  if (c) {
    const steps: Step[] = [];
    for (let i = 2; i <= c.max; i++) steps.push({ open: { name: `allowed${i}`, login: false }, expect: [{ code: 220 }] });
    steps.push({ open: { name: 'beyond', login: false }, expect: outcome(c.beyond) });
    steps.push({ expectClose: { within: 5000 }, on: 'beyond' });
    out.push(synthetic(profile, `${profile.name}/connections/limit`, `${c.max} connection(s) at once; the next one is refused and closed`, c.documented, false, steps));
  }
  return out;
}

function codes(reply: ProfileReply): string {
  return [reply.code].flat().join('/') + (reply.text ? ` /${reply.text}/` : '');
}

/** Rows the profile's data implies: the connection limit and one per probed unlisted command. */
export function profileRows(profile: Profile): ProfileRow[] {
  const rows: ProfileRow[] = [];
  const source = { file: profile.file, line: 1, col: 1 };
  const c = profile.connections;
  if (c) {
    rows.push({ row: 'connection-limit', documented: `${c.documented} (limit ${c.max}; the next connection: ${codes(c.beyond)} and close)`, cases: [`${profile.name}/connections/limit`], needs: [], unsupported: 'deviates', source });
  }
  for (const verb of profile.commands.other?.probe ?? []) {
    rows.push({
      row: `unlisted-${verb.toLowerCase()}`,
      documented: `${verb} (not listed) → ${codes(profile.commands.other!.reply)}`,
      cases: [`${profile.name}/unlisted/${verb.toLowerCase()}-not-implemented`],
      needs: [],
      unsupported: 'deviates',
      source,
    });
  }
  return rows;
}

/** Every documented row: the file's rows, then the rows implied by the connection limit and the probes. */
export function allRows(profile: Profile): ProfileRow[] {
  return [...profile.rows, ...profileRows(profile)];
}

/**
 * The cases a profile runs, in suite order, then its own synthetic ones. A row whose case globs
 * select nothing is a mistake in the profile: reported at the row, file:line:col.
 */
export function selectProfileCases(profile: Profile, suites: Suite[]): Case[] {
  const all = suites.flatMap((s) => s.cases);
  const selected = [...all.filter((c) => matchesAny(profile.select, c.id)), ...profileCases(profile)];
  const problems: SuiteProblem[] = [];
  for (const row of allRows(profile)) {
    for (const glob of row.cases) {
      if (!selected.some((c) => matchesAny([glob], c.id))) {
        const exists = all.some((c) => matchesAny([glob], c.id));
        problems.push({ ...row.source, message: `row "${row.row}": "${glob}" ${exists ? 'names cases the profile does not select' : 'names no case'}` });
      }
    }
  }
  if (problems.length > 0) throw new SuiteError(problems);
  return selected;
}
