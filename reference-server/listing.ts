/**
 * Directory listing formats: `ls -l` lines for LIST and STAT (the Unix format every client parses),
 * bare names for NLST (RFC 1123 §4.1.2.7), and RFC 3659 facts for MLST/MLSD.
 */
import type { Stats } from 'node:fs';
import type { Permission } from './users';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

/**
 * One `ls -l` line: `-rw-r--r-- 1 ftp ftp 1234 Nov 21 15:40 name`. Times are UTC so that a
 * listing does not depend on the server's time zone; older than six months shows the year.
 */
export function unixListLine(name: string, stats: Stats, now = new Date()): string {
  const mtime = stats.mtime;
  const recent = Math.abs(now.getTime() - mtime.getTime()) < SIX_MONTHS_MS;
  const day = String(mtime.getUTCDate()).padStart(2, ' ');
  const clock = recent
    ? `${pad2(mtime.getUTCHours())}:${pad2(mtime.getUTCMinutes())}`
    : ` ${mtime.getUTCFullYear()}`;
  const date = `${MONTHS[mtime.getUTCMonth()]} ${day} ${clock}`;
  return `${modeString(stats)} ${stats.nlink} ftp ftp ${stats.size} ${date} ${name}`;
}

function modeString(stats: Stats): string {
  const kind = stats.isDirectory() ? 'd' : stats.isSymbolicLink() ? 'l' : '-';
  const bits = 'rwxrwxrwx';
  let permissions = '';
  for (let bit = 0; bit < 9; bit++) permissions += stats.mode & (1 << (8 - bit)) ? bits[bit] : '-';
  return kind + permissions;
}

/** RFC 3659 §2.3 time-val in UTC, whole seconds: precision the listing does not need is not invented. */
export function timeVal(date: Date): string {
  return (
    String(date.getUTCFullYear()).padStart(4, '0') +
    pad2(date.getUTCMonth() + 1) +
    pad2(date.getUTCDate()) +
    pad2(date.getUTCHours()) +
    pad2(date.getUTCMinutes()) +
    pad2(date.getUTCSeconds())
  );
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

// --- RFC 3659 §7 machine listings

export const MLST_FACTS = ['type', 'size', 'modify', 'create', 'unique', 'perm', 'lang', 'media-type', 'charset'] as const;
export type MlstFact = (typeof MLST_FACTS)[number];
export const DEFAULT_MLST_FACTS: readonly MlstFact[] = ['type', 'size', 'modify', 'unique', 'perm'];

/** The FEAT line: every supported fact, `*` on those currently selected (RFC 3659 §7.8). */
export function mlstFeature(selected: ReadonlySet<MlstFact>): string {
  return `MLST ${MLST_FACTS.map((fact) => `${fact}${selected.has(fact) ? '*' : ''};`).join('')}`;
}

/** Parse the argument of `OPTS MLST`; null when it is syntactically invalid (spaces, empty names). */
export function parseMlstOptions(argument: string): MlstFact[] | null {
  if (argument === '') return [];
  if (/\s/.test(argument)) return null;
  const names = argument.split(';');
  if (names[names.length - 1] === '') names.pop();
  if (names.some((name) => name === '')) return null;
  const known = new Set<string>(MLST_FACTS);
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  return MLST_FACTS.filter((fact) => wanted.has(fact) && known.has(fact));
}

export interface FactContext {
  readonly permissions: ReadonlySet<Permission>;
  readonly selected: ReadonlySet<MlstFact>;
  /** `cdir` / `pdir` override for the entry naming the listed directory itself. */
  readonly directoryRole?: 'cdir' | 'pdir';
}

/** `fact=value;…` for one object. lang and media-type are never guessed (RFC 3659 §7.5.6, §7.5.8). */
export function mlstFacts(stats: Stats, context: FactContext): string {
  const isDirectory = stats.isDirectory();
  const facts: string[] = [];
  for (const fact of MLST_FACTS) {
    if (!context.selected.has(fact)) continue;
    switch (fact) {
      case 'type':
        facts.push(`type=${isDirectory ? (context.directoryRole ?? 'dir') : 'file'}`);
        break;
      case 'size':
        if (!isDirectory) facts.push(`size=${stats.size}`);
        break;
      case 'modify':
        facts.push(`modify=${timeVal(stats.mtime)}`);
        break;
      case 'create': {
        // Never later than modify (RFC 3659 §7.5.4); file systems without birth time report 0.
        const birth = stats.birthtimeMs > 0 ? Math.min(stats.birthtimeMs, stats.mtimeMs) : stats.mtimeMs;
        facts.push(`create=${timeVal(new Date(birth))}`);
        break;
      }
      case 'unique':
        facts.push(`unique=${stats.dev.toString(16)}U${stats.ino.toString(16)}`);
        break;
      case 'perm':
        facts.push(`perm=${permFact(isDirectory, context.permissions)}`);
        break;
      case 'charset':
        facts.push('charset=UTF-8');
        break;
      case 'lang':
      case 'media-type':
        break;
    }
  }
  return facts.map((fact) => `${fact};`).join('');
}

/** RFC 3659 §7.5.5 perm fact synthesised from the account's permissions. */
function permFact(isDirectory: boolean, permissions: ReadonlySet<Permission>): string {
  const can = (permission: Permission) => permissions.has(permission);
  let letters = '';
  if (isDirectory) {
    if (can('write')) letters += 'c';
    if (can('delete')) letters += 'dp';
    letters += 'el';
    if (can('write')) letters += 'f';
    if (can('mkdir')) letters += 'm';
  } else {
    if (can('write')) letters += 'a';
    if (can('delete')) letters += 'd';
    if (can('write')) letters += 'f';
    if (can('read')) letters += 'r';
    if (can('write')) letters += 'w';
  }
  return letters;
}

/** A listing sent over the data connection: lines joined with LF; the data encoder makes CRLF. */
export function joinListing(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}
