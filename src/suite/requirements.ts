import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { defaultRfcDir, foldRfcText, foldWhitespace } from './rfc-text';

/**
 * The requirement index: every normative statement of the FTP RFCs, each either traced to the
 * cases that test it or marked untestable with the reason. The candidate statements are extracted
 * from the RFC text itself, so "every" is checkable: a sentence with a normative keyword that no
 * index entry accounts for is *missing*.
 */
export interface Statement {
  section: string;
  level: 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY' | 'REQUIRED' | 'WILL';
  text: string;
  cases?: string[];
  untestable?: string;
}

export interface RequirementIndex {
  rfc: string;
  file: string;
  statements: Statement[];
}

interface Scope {
  /** Line (regex) where the normative text starts, and the first line after it; several ranges allowed. */
  ranges: Array<[RegExp, RegExp]>;
  /** RFC 959 and RFC 1123 write their requirements in lower case. */
  lowerCase: boolean;
}

const BODY: Array<[RegExp, RegExp]> = [[/^1\.?\s+Introduction/i, /^\s*\d+\.?\s+(Normative\s+)?References|^\s*\d+\.?\s+Bibliography|^\s*\d+\s+BIBLIOGRAPHY/i]];

export const SCOPES: Record<string, Scope> = {
  rfc959: {
    ranges: [
      [/^3\.\s+DATA TRANSFER FUNCTIONS/, /^7\.\s+TYPICAL FTP SCENARIO/],
      [/^APPENDIX II -/, /^APPENDIX III -/],
    ],
    lowerCase: true,
  },
  rfc1123: { ranges: [[/^\s*4\.1\s+FILE TRANSFER PROTOCOL -- FTP/, /^\s*4\.2\s+TRIVIAL FILE TRANSFER PROTOCOL/]], lowerCase: true },
  rfc2389: { ranges: BODY, lowerCase: false },
  rfc2428: { ranges: [[/^1\.\s+Introduction/, /^References/]], lowerCase: false },
  rfc2577: { ranges: [[/^1\s+Introduction/, /^References/]], lowerCase: true },
  rfc2640: { ranges: [[/^1\s+Introduction/, /^\s*8\s+Bibliography/]], lowerCase: false },
  rfc3659: { ranges: [[/^1\.\s+Introduction/, /^\s*11\.\s+IANA Considerations|^\s*12\.\s+Normative References|^Normative References/]], lowerCase: false },
  rfc4217: { ranges: [[/^1\.\s+Introduction/, /^\s*\d+\.\s+References/]], lowerCase: false },
  rfc7151: { ranges: [[/^1\.\s+Introduction/, /^\s*\d+\.\s+(Normative )?References/]], lowerCase: false },
};

const UPPER = /\b(MUST|SHOULD|MAY|REQUIRED|SHALL|RECOMMENDED)\b/;
const LOWER = /\b(must|should|may|required|shall)\b/;
const ALWAYS = /\bwill\b|\bis required\b/i;
/** The BCP 14 boilerplate defines the key words; it states no requirement. */
const BOILERPLATE = /are to be interpreted as described in|key ?words,? (such as )?"?MUST|interpretation of (some )?capitali[sz]ed/i;

function scopedText(rfc: string, raw: string): string {
  const scope = SCOPES[rfc];
  const lines = raw.split(/\r?\n/);
  const parts: string[] = [];
  for (const [start, end] of scope.ranges) {
    // The table of contents repeats the headings first: the real heading is the last match.
    let from = -1;
    lines.forEach((l, i) => {
      if (start.test(l)) from = i;
    });
    if (from < 0) throw new Error(`${rfc}: scope start ${start} not found`);
    const to = lines.findIndex((l, i) => i > from && end.test(l));
    parts.push(lines.slice(from, to < 0 ? undefined : to).join('\n'));
  }
  return foldRfcText(parts.join('\n'));
}

/** Sentences of the scoped RFC text that carry a normative keyword. */
export function normativeSentences(rfc: string, dir = defaultRfcDir()): string[] {
  const raw = fs.readFileSync(path.join(dir, `${rfc}.txt`), 'utf8');
  const text = scopedText(rfc, raw);
  const keyword = (s: string) => UPPER.test(s) || ALWAYS.test(s) || (SCOPES[rfc].lowerCase && LOWER.test(s));
  return text
    .split(/(?<=[.;:!?])\s+(?=[A-Z"(<]|\d+\.\d)/)
    .map((s) => s.trim())
    .filter((s) => keyword(s) && !BOILERPLATE.test(s));
}

export function loadRequirementIndex(file: string): RequirementIndex {
  const data = parse(fs.readFileSync(file, 'utf8')) as { rfc: string; statements: Statement[] | null };
  return { rfc: data.rfc, file, statements: (data.statements ?? []).map((s) => ({ ...s, text: foldWhitespace(s.text) })) };
}

export function listRequirementFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^rfc\d+\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export interface CoverageRow {
  rfc: string;
  statements: number;
  tested: number;
  untestable: number;
  missing: number;
  problems: string[];
}

/**
 * Checks an index against the RFC and the known case ids: every normative sentence accounted
 * for, every quoted text verbatim, every case id real, every entry tested or justified.
 */
export function coverage(index: RequirementIndex, caseIds: Set<string>, dir = defaultRfcDir()): CoverageRow {
  const problems: string[] = [];
  const rfcText = foldRfcText(fs.readFileSync(path.join(dir, `${index.rfc}.txt`), 'utf8'));
  let tested = 0;
  let untestable = 0;
  let missing = 0;
  for (const s of index.statements) {
    if (!rfcText.includes(s.text)) problems.push(`§${s.section}: text not found verbatim in ${index.rfc}: "${s.text.slice(0, 80)}"`);
    const unknown = (s.cases ?? []).filter((id) => !caseIds.has(id));
    if (unknown.length > 0) problems.push(`§${s.section}: unknown case ids ${unknown.join(', ')}`);
    if ((s.cases ?? []).length > 0 && unknown.length === 0) tested++;
    else if (s.untestable && s.untestable.trim().length > 0) untestable++;
    else {
      missing++;
      problems.push(`§${s.section}: neither tested nor justified: "${s.text.slice(0, 80)}"`);
    }
  }
  const texts = index.statements.map((s) => s.text);
  const unaccounted = normativeSentences(index.rfc, dir).filter((sentence) => !texts.some((t) => sentence.includes(t) || t.includes(sentence)));
  for (const sentence of unaccounted) {
    missing++;
    problems.push(`not in the index: "${sentence.slice(0, 100)}"`);
  }
  return { rfc: index.rfc, statements: index.statements.length + unaccounted.length, tested, untestable, missing, problems };
}
