import { DeviationKind } from '../../src/wire/deviations';
import { Reply, ReplyParser } from '../../src/wire/reply-parser';

interface Row {
  title: string;
  input: string | Buffer;
  /** Expected replies: code, line count, multiline, and the deviation kinds of each. */
  replies: Array<{ code: number; lines?: number; multiline?: boolean; deviations?: DeviationKind[]; text?: string }>;
  /** Close the connection after the input. */
  close?: boolean;
  options?: { maxLineBytes?: number; maxReplyBytes?: number };
}

const b = (s: string) => Buffer.from(s, 'latin1');

const rows: Row[] = [
  { title: 'single line', input: '220 Ready\r\n', replies: [{ code: 220, lines: 1, multiline: false, deviations: [], text: '220 Ready' }] },
  { title: 'single line, code only and space', input: '200 \r\n', replies: [{ code: 200, deviations: [] }] },
  { title: 'two replies in one chunk', input: '200 a\r\n200 b\r\n', replies: [{ code: 200, deviations: [] }, { code: 200, deviations: [] }] },
  { title: 'multi-line reply', input: '211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n', replies: [{ code: 211, lines: 4, multiline: true, deviations: [] }] },
  { title: 'multi-line with hyphen continuation lines of the same code', input: '230-Welcome\r\n230-Second\r\n230 Done\r\n', replies: [{ code: 230, lines: 3, deviations: [] }] },
  { title: 'multi-line with a padded numeric line (RFC 959 example)', input: '123-First line\r\nSecond line\r\n  234 A line beginning with numbers\r\n123 The last line\r\n', replies: [{ code: 123, lines: 4, deviations: [] }] },
  { title: 'multi-line closing line of the code alone', input: '211-x\r\n211\r\n', replies: [{ code: 211, lines: 2, deviations: ['no-space-after-code'] }] },
  { title: 'bare LF ending', input: '220 Ready\n', replies: [{ code: 220, deviations: ['bare-lf'], text: '220 Ready' }] },
  { title: 'bare LF inside a multi-line reply', input: '211-a\r\n b\n211 c\r\n', replies: [{ code: 211, lines: 3, deviations: ['bare-lf'] }] },
  { title: 'bare CR ending followed by the next reply', input: '220 Ready\r200 next\r\n', replies: [{ code: 220, deviations: ['bare-cr'] }, { code: 200, deviations: [] }] },
  { title: 'bare CR ending at connection close', input: '220 Ready\r', close: true, replies: [{ code: 220, deviations: ['missing-final-crlf'] }] },
  { title: 'no final CRLF at close', input: '221 Bye', close: true, replies: [{ code: 221, deviations: ['missing-final-crlf'] }] },
  { title: 'close inside a multi-line reply', input: '211-a\r\n b\r\n', close: true, replies: [{ code: 211, multiline: true, deviations: ['missing-final-crlf'] }] },
  { title: 'no space after the code', input: '220Ready\r\n', replies: [{ code: 220, deviations: ['no-space-after-code'] }] },
  { title: 'code alone without text', input: '220\r\n', replies: [{ code: 220, deviations: ['no-space-after-code'] }] },
  { title: 'tab instead of space', input: '220\tReady\r\n', replies: [{ code: 220, deviations: ['no-space-after-code'] }] },
  { title: 'first digit 6', input: '600 what\r\n', replies: [{ code: 600, deviations: ['code-out-of-range'] }] },
  { title: 'first digit 0', input: '099 what\r\n', replies: [{ code: 99, deviations: ['code-out-of-range'] }] },
  { title: 'second digit 7', input: '270 what\r\n', replies: [{ code: 270, deviations: ['code-out-of-range'] }] },
  { title: 'not a reply at all', input: 'hello there\r\n', replies: [{ code: 0, deviations: ['not-a-reply'] }] },
  { title: 'empty line', input: '\r\n', replies: [{ code: 0, deviations: ['not-a-reply'] }] },
  { title: 'two-digit code', input: '22 Ready\r\n', replies: [{ code: 0, deviations: ['not-a-reply'] }] },
  { title: 'multi-line closed by another code', input: '211-Features\r\n SIZE\r\n200 End\r\n', replies: [{ code: 211, lines: 3, deviations: ['multiline-closed-by-other-code'] }] },
  { title: 'unpadded digits inside a multi-line reply', input: '214-Help\r\n250-not padded\r\n214 End\r\n', replies: [{ code: 214, lines: 3, deviations: ['multiline-unpadded-code'] }] },
  { title: 'NUL byte in the text', input: b('220 Rea\x00dy\r\n'), replies: [{ code: 220, deviations: ['nul-byte'] }] },
  { title: 'Latin-1 byte, not UTF-8 (info: RFC 2640 allows raw pathname bytes)', input: b('220 Caf\xe9\r\n'), replies: [{ code: 220, deviations: ['non-utf8'], text: '220 Café' }] },
  { title: 'valid UTF-8 text', input: Buffer.from('257 "/übung" created\r\n', 'utf8'), replies: [{ code: 257, deviations: [], text: '257 "/übung" created' }] },
  { title: 'Telnet IAC DO option before a reply', input: b('\xff\xfd\x18220 Ready\r\n'), replies: [{ code: 220, deviations: ['telnet-iac'], text: '220 Ready' }] },
  { title: 'Telnet IAC IP inside a line is removed', input: b('220 Re\xff\xf4ady\r\n'), replies: [{ code: 220, deviations: ['telnet-iac'], text: '220 Ready' }] },
  { title: 'IAC IAC is a literal 0xFF (and not UTF-8)', input: b('220 a\xff\xffb\r\n'), replies: [{ code: 220, deviations: ['non-utf8'] }] },
  { title: 'Telnet command after the last reply at close', input: b('220 Ready\r\n\xff\xf1'), close: true, replies: [{ code: 220, deviations: [] }, { code: 0, lines: 0, deviations: ['telnet-iac'] }] },
  { title: 'line over the limit is cut and flagged', input: '220 ' + 'x'.repeat(100) + '\r\n', options: { maxLineBytes: 32 }, replies: [{ code: 220, deviations: ['line-too-long'] }] },
  { title: 'endless multi-line reply is cut at the reply limit', input: '211-start\r\n' + ' line of text\r\n'.repeat(200), options: { maxReplyBytes: 256 }, replies: [{ code: 211, deviations: ['reply-too-long'] }] },
  { title: 'lines after a cut reply are dropped until its end', input: '211-start\r\n' + ' more\r\n'.repeat(100) + '211 end\r\n200 next\r\n', options: { maxReplyBytes: 64 }, replies: [{ code: 211, deviations: ['reply-too-long'] }, { code: 200, deviations: [] }] },
  { title: 'CR NUL is a carriage return inside the text, not a line end', input: b('257 "/a\r\x00b" created\r\n'), replies: [{ code: 257, deviations: [], text: '257 "/a\rb" created' }] },
  { title: 'several deviations on one line', input: b('220Caf\xe9\n'), replies: [{ code: 220, deviations: ['bare-lf', 'non-utf8', 'no-space-after-code'] }] },
];

function parse(row: Row, chunking: 'whole' | 'bytewise'): Reply[] {
  const p = new ReplyParser(row.options);
  const input = typeof row.input === 'string' ? Buffer.from(row.input, 'latin1') : row.input;
  const out: Reply[] = [];
  if (chunking === 'whole') out.push(...p.push(input));
  else for (let i = 0; i < input.length; i++) out.push(...p.push(input.subarray(i, i + 1)));
  if (row.close) out.push(...p.end());
  return out;
}

describe('ReplyParser', () => {
  test('the table covers at least 30 byte sequences', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  describe.each(['whole', 'bytewise'] as const)('fed %s', (chunking) => {
    test.each(rows.map((r) => [r.title, r] as const))('%s', (_t, row) => {
      const replies = parse(row, chunking);
      expect(replies.map((r) => r.code)).toEqual(row.replies.map((r) => r.code));
      row.replies.forEach((want, i) => {
        const got = replies[i];
        if (want.lines !== undefined) expect(got.lines.length).toBe(want.lines);
        if (want.multiline !== undefined) expect(got.multiline).toBe(want.multiline);
        if (want.text !== undefined) expect(got.text).toBe(want.text);
        if (want.deviations !== undefined) expect(got.deviations.map((d) => d.kind).sort()).toEqual([...want.deviations].sort());
      });
    });
  });

  test('each deviation keeps the offending bytes, made visible', () => {
    const [r] = new ReplyParser().push(Buffer.from('220 Ready\n'));
    expect(r.deviations[0].raw).toBe('220 Ready\\n');
    expect(r.deviations[0].ref).toMatch(/RFC 959/);
    expect(r.deviations[0].requirement).toMatch(/Carriage Return, followed by Line Feed/);
  });

  test('raw lines keep the exact line ends', () => {
    const [r] = new ReplyParser().push(Buffer.from('211-a\r\n b\n211 c\r\n'));
    expect(r.rawLines.map((l) => l.toString('latin1'))).toEqual(['211-a\r\n', ' b\n', '211 c\r\n']);
  });

  test('a 16 MiB line does not grow memory: only the limit is kept', () => {
    const p = new ReplyParser({ maxLineBytes: 8192 });
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    p.push(Buffer.from('220 '));
    for (let i = 0; i < 16; i++) expect(p.push(chunk)).toEqual([]);
    expect(p.partialLine().length).toBe(8192);
    const [r] = p.push(Buffer.from('\r\n'));
    expect(r.code).toBe(220);
    expect(r.raw.length).toBeLessThanOrEqual(8192 + 2);
    expect(r.deviations.map((d) => d.kind)).toEqual(['line-too-long']);
  });
});
