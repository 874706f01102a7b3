import * as fs from 'fs';
import * as path from 'path';

/**
 * The RFC texts as one whitespace-folded string each, with the page furniture (footer, form feed,
 * running header) removed so that a sentence broken across a page boundary can still be found.
 */
const PAGE_FOOTER = /^.*\[Page \d+\]\s*$/;
const RUNNING_HEADER = /^(RFC \d+\s{2,}.*\d{4}|File Transfer Protocol)\s*$/;

export function foldRfcText(text: string): string {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\f/g, ''));
  const kept = lines.filter((l) => !PAGE_FOOTER.test(l) && !RUNNING_HEADER.test(l.trim()));
  return foldWhitespace(kept.join('\n'));
}

export function foldWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function defaultRfcDir(): string {
  const candidates = [
    process.env.FTP_CONFORM_RFC_DIR,
    path.resolve(__dirname, '..', '..', '..', 'shared', 'rfc'),
    path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'rfc'),
  ].filter((c): c is string => !!c);
  return candidates.find((c) => fs.existsSync(c)) ?? candidates[candidates.length - 1];
}

const cache = new Map<string, string>();

/** Returns the folded text of `rfcNNNN`, or undefined when the file is not present. */
export function loadFoldedRfc(rfc: string, dir = defaultRfcDir()): string | undefined {
  const key = path.join(dir, `${rfc}.txt`);
  if (!cache.has(key)) {
    if (!fs.existsSync(key)) return undefined;
    cache.set(key, foldRfcText(fs.readFileSync(key, 'utf8')));
  }
  return cache.get(key);
}

/** The RFC named by a reference such as "RFC 959 §4.2" → "rfc959". */
export function rfcOfRef(ref: string): string | undefined {
  const m = /RFC\s*(\d+)/i.exec(ref);
  return m ? `rfc${m[1]}` : undefined;
}
