/** Table-driven tests of the pure parts: reply framing, Telnet line reading, paths, arguments. */
import { isAllowedDataTarget, parseEprtArgument, parsePortArgument, sameAddress } from '../../reference-server/address';
import { parseCommandLine } from '../../reference-server/commands/dispatch';
import { buildCommandTable } from '../../reference-server/commands';
import { mlstFeature, parseMlstOptions, timeVal } from '../../reference-server/listing';
import { formatReply, quotePathname, reply } from '../../reference-server/reply-format';
import { TelnetLineReader } from '../../reference-server/telnet';
import { fallback } from '../../reference-server/transfer-format';
import { hashPassword, verifyPassword } from '../../reference-server/users';
import { Readable } from 'node:stream';
import { resolveVirtual } from '../../reference-server/vfs';

describe('formatReply (RFC 959 §4.2)', () => {
  it.each([
    { title: 'one line', input: reply(200, 'OK.'), expected: '200 OK.\r\n' },
    { title: 'empty text', input: reply(250), expected: '250 \r\n' },
    { title: 'two lines', input: reply(211, 'Status:', 'End'), expected: '211-Status:\r\n211 End\r\n' },
    {
      title: 'intermediate line starting with digits is padded',
      input: reply(123, 'First line', 'Second line', '234 A line beginning with numbers', 'The last line'),
      expected: '123-First line\r\nSecond line\r\n 234 A line beginning with numbers\r\n123 The last line\r\n',
    },
    { title: 'CR and LF inside text cannot end the line', input: reply(257, 'a\rb\nc'), expected: '257 a\r\0b\0c\r\n' },
  ])('$title', ({ input, expected }) => {
    expect(formatReply(input)).toBe(expected);
  });

  it('refuses a code outside 100–599', () => {
    expect(() => formatReply(reply(600, 'x'))).toThrow();
  });

  it.each([
    ['/usr/dm/pathname', '"/usr/dm/pathname"'],
    ['/usr/dm/foo"bar', '"/usr/dm/foo""bar"'],
    ['""', '""""""'],
  ])('quotes %s as %s (Appendix II)', (input, expected) => {
    expect(quotePathname(input)).toBe(expected);
  });
});

describe('TelnetLineReader', () => {
  function read(chunks: Buffer[], limit = 64) {
    const lines: string[] = [];
    const responses: number[][] = [];
    let overflows = 0;
    const reader = new TelnetLineReader(limit, {
      line: (bytes) => lines.push(bytes.toString('latin1')),
      overflow: () => overflows++,
      respond: (bytes) => responses.push([...bytes]),
    });
    for (const chunk of chunks) reader.push(chunk);
    return { lines, responses, overflows };
  }
  const b = (text: string) => Buffer.from(text, 'latin1');

  it.each([
    { title: 'CRLF', chunks: [b('NOOP\r\nSYST\r\n')], lines: ['NOOP', 'SYST'] },
    { title: 'split anywhere', chunks: [b('NO'), b('OP\r'), b('\nSY'), b('ST\r\n')], lines: ['NOOP', 'SYST'] },
    { title: 'bare LF', chunks: [b('NOOP\n')], lines: ['NOOP'] },
    { title: 'CR NUL is a literal CR', chunks: [b('STOR a\r\0b\r\n')], lines: ['STOR a\rb'] },
    { title: 'IAC IAC is a literal 0xFF', chunks: [b('RETR a\xff\xffb\r\n')], lines: ['RETR a\xffb'] },
    { title: 'IP and DM before ABOR are dropped', chunks: [b('\xff\xf4\xff\xf2ABOR\r\n')], lines: ['ABOR'] },
    { title: 'a CR ending the input ends the line (urgent ABOR)', chunks: [b('ABOR\r'), b('\nNOOP\r\n')], lines: ['ABOR', 'NOOP'] },
    { title: 'subnegotiation is skipped', chunks: [b('\xff\xfa\x18\x01\xff\xf0NOOP\r\n')], lines: ['NOOP'] },
    { title: 'empty lines are ignored', chunks: [b('\r\n\r\nNOOP\r\n')], lines: ['NOOP'] },
  ])('$title', ({ chunks, lines }) => {
    expect(read(chunks).lines).toEqual(lines);
  });

  it('answers WILL with DONT and DO with WONT, and nothing to WONT/DONT', () => {
    expect(read([b('\xff\xfb\x01\xff\xfd\x03\xff\xfc\x05\xff\xfe\x06')]).responses).toEqual([
      [0xff, 0xfe, 0x01],
      [0xff, 0xfc, 0x03],
    ]);
  });

  it('drops an over-long line, reports it once, and reads the next one', () => {
    const result = read([b(`${'x'.repeat(100)}\r\nNOOP\r\n`)], 10);
    expect(result.overflows).toBe(1);
    expect(result.lines).toEqual(['NOOP']);
  });
});

describe('parseCommandLine', () => {
  it.each([
    ['noop', { verb: 'NOOP', argument: '' }],
    ['RETR a file ', { verb: 'RETR', argument: 'a file ' }],
    ['cwd  two spaces', { verb: 'CWD', argument: ' two spaces' }],
  ])('%j', (line, expected) => {
    expect(parseCommandLine(line)).toEqual(expected);
  });
});

describe('resolveVirtual', () => {
  it.each([
    ['/', 'a', '/a'],
    ['/a', 'b/../c', '/a/c'],
    ['/a', '/x/./y/', '/x/y'],
    ['/a', '..', '/'],
    ['/', '..', null],
    ['/a', '../../etc/passwd', null],
    ['/', 'nul\0byte', null],
    ['/', 'trailing space ', '/trailing space '],
  ])('cwd %s + %j → %j', (cwd, input, expected) => {
    expect(resolveVirtual(cwd, input)).toBe(expected);
  });
});

describe('PORT and EPRT arguments (RFC 959 §4.1.2, RFC 2428 §2)', () => {
  it.each([
    ['127,0,0,1,4,1', { host: '127.0.0.1', port: 1025, family: 4 }],
    ['10,0,0,1,0,21', { host: '10.0.0.1', port: 21, family: 4 }],
    ['127,0,0,1,4', null],
    ['127,0,0,256,4,1', null],
    ['a,b,c,d,e,f', null],
  ])('PORT %s', (argument, expected) => {
    expect(parsePortArgument(argument)).toEqual(expected);
  });

  it.each([
    ['|1|132.235.1.2|6275|', { outcome: 'ok', target: { host: '132.235.1.2', port: 6275, family: 4 } }],
    ['|2|1080::8:800:200C:417A|5282|', { outcome: 'ok', target: { host: '1080::8:800:200C:417A', port: 5282, family: 6 } }],
    ['!1!127.0.0.1!2000!', { outcome: 'ok', target: { host: '127.0.0.1', port: 2000, family: 4 } }],
    ['|3|whatever|5000|', { outcome: 'unsupported-family' }],
    ['|1|::1|5000|', { outcome: 'syntax' }],
    ['|1|127.0.0.1|99999|', { outcome: 'syntax' }],
    ['|1|127.0.0.1|5000', { outcome: 'syntax' }],
  ])('EPRT %s', (argument, expected) => {
    expect(parseEprtArgument(argument)).toEqual(expected);
  });

  it.each([
    [{ host: '127.0.0.1', port: 1024, family: 4 as const }, '127.0.0.1', true],
    [{ host: '127.0.0.1', port: 1023, family: 4 as const }, '127.0.0.1', false],
    [{ host: '10.0.0.9', port: 5000, family: 4 as const }, '127.0.0.1', false],
    [{ host: '0:0:0:0:0:0:0:1', port: 5000, family: 6 as const }, '::1', true],
  ])('bounce rule: %j from %s → %s (RFC 2577 §3)', (target, client, allowed) => {
    expect(isAllowedDataTarget(target, client)).toBe(allowed);
  });

  it('treats IPv4-mapped addresses as IPv4', () => {
    expect(sameAddress('::ffff:127.0.0.1', '127.0.0.1')).toBe(true);
  });
});

describe('MLST facts (RFC 3659 §7)', () => {
  it.each([
    ['type;size;', ['type', 'size']],
    ['Size;TYPE;frogs;', ['type', 'size']],
    ['', []],
    ['size type;', null],
    ['size;;type;', null],
  ])('OPTS MLST %j', (argument, expected) => {
    expect(parseMlstOptions(argument)).toEqual(expected);
  });

  it('marks the selected facts in the FEAT line', () => {
    expect(mlstFeature(new Set(['size', 'perm']))).toBe('MLST type;size*;modify;create;unique;perm*;lang;media-type;charset;');
  });

  it('formats time-val in UTC', () => {
    expect(timeVal(new Date(Date.UTC(1998, 5, 15, 10, 0, 45, 14)))).toBe('19980615100045');
  });
});

describe('password hashes', () => {
  it.each(['scrypt', 'sha256'] as const)('%s round-trips and rejects a wrong password', (scheme) => {
    const encoded = hashPassword('secret', scheme);
    expect(encoded.startsWith(`${scheme}$`)).toBe(true);
    expect(verifyPassword('secret', encoded)).toBe(true);
    expect(verifyPassword('Secret', encoded)).toBe(false);
    expect(verifyPassword('secret', 'md5$00$00')).toBe(false);
  });
});

describe('the command table', () => {
  const table = buildCommandTable();

  it('holds every RFC 959 §4.1 command and the extensions', () => {
    const verbs = `USER PASS ACCT CWD CDUP SMNT REIN QUIT PORT PASV TYPE STRU MODE RETR STOR STOU APPE ALLO REST RNFR
      RNTO ABOR DELE RMD MKD PWD LIST NLST SITE SYST STAT HELP NOOP XCUP XCWD XMKD XPWD XRMD FEAT OPTS EPRT EPSV
      SIZE MDTM MLST MLSD HOST LANG AUTH PBSZ PROT CCC`.split(/\s+/);
    for (const verb of verbs) expect(table.get(verb)?.verb).toBe(verb);
  });

  it('lets only ABOR, STAT and QUIT through during a transfer', () => {
    expect([...table.values()].filter((spec) => spec.duringTransfer).map((spec) => spec.verb).sort()).toEqual(['ABOR', 'QUIT', 'STAT']);
  });

  it('gives aliases the syntax of their command under their own name', () => {
    expect(table.get('XMKD')?.syntax).toBe('XMKD <SP> pathname');
  });
});

describe('built-in ASCII transforms (used when reference-server/codecs is absent)', () => {
  async function through(transform: NodeJS.ReadWriteStream, chunks: string[]): Promise<string> {
    const out: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      Readable.from(chunks.map((chunk) => Buffer.from(chunk, 'latin1')))
        .pipe(transform)
        .on('data', (chunk: Buffer) => out.push(chunk))
        .on('end', resolve)
        .on('error', reject);
    });
    return Buffer.concat(out).toString('latin1');
  }
  const ascii = { type: 'A', structure: 'F', mode: 'S' } as const;

  it.each([
    [['a\nb\n'], 'a\r\nb\r\n'],
    [['no line end'], 'no line end'],
    [['cr\r\nkept'], 'cr\r\r\nkept'],
  ])('encodes %j as %j', async (chunks, expected) => {
    expect(await through(fallback.encoder(ascii), chunks)).toBe(expected);
  });

  it.each([
    [['a\r\nb\r\n'], 'a\nb\n'],
    [['split\r', '\nhere'], 'split\nhere'],
    [['bare\rcr'], 'bare\rcr'],
    [['ends with cr\r'], 'ends with cr\r'],
    [['cr\r\r\nkept'], 'cr\r\nkept'],
  ])('decodes %j as %j', async (chunks, expected) => {
    expect(await through(fallback.decoder(ascii), chunks)).toBe(expected);
  });
});
