import { Case, Level, Suite } from './types';

/** `*` matches within one path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function matchesAny(globs: string[], ...candidates: string[]): boolean {
  if (globs.length === 0) return true;
  return globs.some((g) => {
    const re = globToRegExp(g);
    return candidates.some((c) => re.test(c));
  });
}

/** --level must → MUST only; should → MUST and SHOULD; may → all. */
export function levelsUpTo(level: 'must' | 'should' | 'may'): Level[] {
  return level === 'must' ? ['MUST'] : level === 'should' ? ['MUST', 'SHOULD'] : ['MUST', 'SHOULD', 'MAY'];
}

export interface Selection {
  suites: string[];
  cases: string[];
  levels: Level[];
}

/** The cases to run, in suite-file order. A suite glob matches the suite id or its file path. */
export function selectCases(suites: Suite[], sel: Selection): Case[] {
  return suites
    .filter((s) => matchesAny(sel.suites, s.id, s.file, s.file.replace(/^suites\//, '')))
    .flatMap((s) => s.cases)
    .filter((c) => matchesAny(sel.cases, c.id) && sel.levels.includes(c.level));
}
