/** Reply formats and command sequences on the wire, over a raw socket. */
import { createTemporaryServer, type TemporaryServer } from '../../reference-server';
import { connectData, expectCode, RawClient, readAll } from './helpers/raw-client';

let server: TemporaryServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await createTemporaryServer({ failedLoginDelayMs: 0 });
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await server.close();
});

async function login(): Promise<RawClient> {
  const client = await RawClient.login(server.port, server.user, server.password);
  clients.push(client);
  return client;
}

async function connect(): Promise<RawClient> {
  const { client } = await RawClient.connect(server.port);
  clients.push(client);
  return client;
}

describe('reply framing (RFC 959 §4.2)', () => {
  it('greets with a single 220 line ended by CRLF', async () => {
    const { client, greeting } = await RawClient.connect(server.port);
    clients.push(client);
    expect(greeting.code).toBe(220);
    expect(greeting.raw).toMatch(/^220 [^\r\n]*\r\n$/);
  });

  it('FEAT is a 211 multi-line reply with one feature per line after a single space (RFC 2389 §3.2)', async () => {
    const client = await connect();
    const reply = expectCode(await client.command('FEAT'), 211);
    const rawLines = reply.raw.split('\r\n').slice(0, -1);
    expect(rawLines[0]).toMatch(/^211-/);
    expect(rawLines[rawLines.length - 1]).toBe('211 End');
    for (const line of rawLines.slice(1, -1)) expect(line).toMatch(/^ [^ ]/);
    const features = rawLines.slice(1, -1).map((line) => line.slice(1));
    expect(features).toEqual(
      expect.arrayContaining(['UTF8', 'SIZE', 'MDTM', 'REST STREAM', 'TVFS', 'EPSV', 'EPRT', 'HOST', 'LANG EN*']),
    );
    expect(features).toContain('MLST type*;size*;modify*;create;unique*;perm*;lang;media-type;charset;');
    expect(reply.raw).not.toMatch(/[^\r]\n/);
  });

  it('HELP lists the commands (214 multi-line); HELP <command> gives its syntax', async () => {
    const client = await connect();
    const help = expectCode(await client.command('HELP'), 214);
    expect(help.raw).toMatch(/^214-/);
    expect(help.raw).toMatch(/\r\n214 [^\r\n]*\r\n$/);
    expect(help.lines.join(' ')).toMatch(/\bRETR\b.*\bSTOR\b|\bSTOR\b.*\bRETR\b/);
    expect(expectCode(await client.command('HELP RETR'), 214).lines[0]).toBe('Syntax: RETR <SP> pathname');
    expectCode(await client.command('HELP BOGUS'), 501);
  });

  it('STAT without argument is a 211 multi-line status; with a path a listing over the control connection', async () => {
    const client = await login();
    const status = expectCode(await client.command('STAT'), 211);
    expect(status.raw).toMatch(/^211-[^\r\n]*\r\n(?:[^\r\n]*\r\n)+211 [^\r\n]*\r\n$/);
    expect(status.lines.join('\n')).toContain('Logged in as conform');
    const file = expectCode(await client.command('STAT readme.txt'), 213);
    expect(file.lines.some((line) => /^-rw\S+ +\d+ \S+ \S+ +49 \w{3} [ \d]\d [ \d]\d:?\d\d +readme\.txt$/.test(line))).toBe(true);
    const directory = expectCode(await client.command('STAT pub'), 212);
    expect(directory.lines.join('\n')).toContain('notes.txt');
    expectCode(await client.command('STAT no-such-file'), 450);
  });

  it('pads intermediate lines that begin with a digit', async () => {
    const client = await login();
    expectCode(await client.command('MKD 123 dir'), 257);
    const reply = expectCode(await client.command('STAT /'), 212);
    for (const line of reply.raw.split('\r\n').slice(1, -2)) expect(line).not.toMatch(/^\d{3}[ -]/);
    await client.command('RMD 123 dir');
  });

  it('SYST answers 215 UNIX Type: L8', async () => {
    const client = await connect();
    expect((await client.command('SYST')).raw).toBe('215 UNIX Type: L8\r\n');
  });
});

describe('generic checks before any handler', () => {
  it('500 for an unknown command, 530 before login, 501 for a missing or forbidden argument', async () => {
    const client = await connect();
    expectCode(await client.command('BOGUS'), 500);
    expectCode(await client.command('PWD'), 530);
    expectCode(await client.command('RETR readme.txt'), 530);
    expectCode(await client.command('USER'), 501);
    const logged = await login();
    expectCode(await logged.command('CWD'), 501);
    expectCode(await logged.command('PWD now'), 501);
    expectCode(await logged.command('NOOP'), 200);
  });

  it('answers 500 to a command line that is too long, and the session goes on', async () => {
    const client = await connect();
    client.send(`NOOP ${'x'.repeat(10_000)}\r\n`);
    expectCode(await client.reply(), 500);
    expectCode(await client.command('NOOP'), 200);
  });

  it('survives random bytes and odd verbs: every line gets a reply, the session goes on', async () => {
    const client = await connect();
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    const garbage = Buffer.from(Array.from({ length: 20_000 }, random).map((byte) => (byte === 0x0a || byte === 0x0d ? 0x20 : byte)));
    client.send(Buffer.concat([garbage, Buffer.from('\r\n')]));
    expectCode(await client.reply(), 500);
    for (const line of ['\u00e9t\u00e9 x', 'ÿÿÿ', 'RETR\t', '123', 'A'.repeat(5)]) expectCode(await client.command(line), 500, 501, 530);
    expectCode(await client.command('NOOP'), 200);
  });

  it('refuses Telnet option negotiation with DONT/WONT (RFC 1123 §4.1.2.12)', async () => {
    const socket = await connectData('127.0.0.1', server.port);
    const bytes: Buffer[] = [];
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        bytes.push(chunk);
        if (Buffer.concat(bytes).includes('200 ')) resolve();
      });
      socket.write(Buffer.concat([Buffer.from([0xff, 0xfb, 0x18, 0xff, 0xfd, 0x01]), Buffer.from('NOOP\r\n')]));
    });
    socket.destroy();
    const received = Buffer.concat(bytes);
    const afterGreeting = received.subarray(received.indexOf('\r\n') + 2);
    expect(afterGreeting.subarray(0, 6)).toEqual(Buffer.from([0xff, 0xfe, 0x18, 0xff, 0xfc, 0x01]));
    expect(afterGreeting.subarray(6).toString()).toBe('200 Command okay.\r\n');
  });
});

describe('login sequence (RFC 959 §6, RFC 2577 §7)', () => {
  it('answers 331 with the same text for known and unknown users, then 530 for bad credentials', async () => {
    const client = await connect();
    const known = expectCode(await client.command('USER conform'), 331);
    const unknown = expectCode(await client.command('USER nobody-here'), 331);
    expect(unknown.raw).toBe(known.raw);
    expectCode(await client.command('PASS wrong'), 530);
  });

  it('PASS without USER is out of sequence (503)', async () => {
    const client = await connect();
    expectCode(await client.command('PASS secret'), 503);
  });

  it('accepts anonymous with any password, read-only', async () => {
    const client = await connect();
    expectCode(await client.command('USER anonymous'), 331);
    expectCode(await client.command('PASS guest@example.com'), 230);
    expectCode(await client.command('MKD forbidden'), 550);
    expectCode(await client.command('DELE readme.txt'), 550);
    expectCode(await client.command('SIZE readme.txt'), 213);
  });

  it('REIN goes back to the state before login', async () => {
    const client = await login();
    expectCode(await client.command('REIN'), 220);
    expectCode(await client.command('PWD'), 530);
  });

  it('HOST before USER selects the host (220); after login it is out of sequence (503); a port is a syntax error', async () => {
    const client = await connect();
    expectCode(await client.command('HOST ftp.example.com:21'), 501);
    expectCode(await client.command('HOST 10.9.9.9'), 504);
    expectCode(await client.command('HOST 127.0.0.1'), 220);
    expectCode(await client.command('HOST ftp.example.com'), 220);
    expectCode(await client.command('USER conform'), 331);
    expectCode(await client.command('PASS conform'), 230);
    expectCode(await client.command('HOST ftp.example.com'), 503);
  });
});

describe('directories (RFC 959 Appendix II)', () => {
  it('MKD answers 257 with the absolute path quoted and embedded quotes doubled', async () => {
    const client = await login();
    const created = expectCode(await client.command('MKD dir "quoted" name'), 257);
    expect(created.raw).toBe('257 "/dir ""quoted"" name" directory created.\r\n');
    expectCode(await client.command('CWD /dir "quoted" name'), 250);
    expect((await client.command('PWD')).raw).toBe('257 "/dir ""quoted"" name" is the current directory.\r\n');
    expectCode(await client.command('CDUP'), 250);
    expectCode(await client.command('MKD dir "quoted" name'), 550);
    expectCode(await client.command('RMD dir "quoted" name'), 250);
  });

  it('keeps every path inside the root', async () => {
    const client = await login();
    expectCode(await client.command('CWD ..'), 550);
    expectCode(await client.command('CWD /../..'), 550);
    expectCode(await client.command('RETR ../../etc/passwd'), 550);
    expectCode(await client.command('SIZE /etc/passwd'), 550);
    expect((await client.command('PWD')).raw).toBe('257 "/" is the current directory.\r\n');
  });

  it('RNTO without RNFR is out of sequence (503), also when another command came in between', async () => {
    const client = await login();
    expectCode(await client.command('RNTO anything'), 503);
    expectCode(await client.command('RNFR readme.txt'), 350);
    expectCode(await client.command('NOOP'), 200);
    expectCode(await client.command('RNTO renamed.txt'), 503);
    expectCode(await client.command('RNFR readme.txt'), 350);
    expectCode(await client.command('RNTO renamed.txt'), 250);
    expectCode(await client.command('RNFR renamed.txt'), 350);
    expectCode(await client.command('RNTO readme.txt'), 250);
  });
});

describe('RFC 3659', () => {
  it('SIZE counts the bytes of the current TYPE; MDTM gives 14 digits of UTC', async () => {
    const client = await login();
    expectCode(await client.command('TYPE I'), 200);
    expect((await client.command('SIZE readme.txt')).raw).toBe('213 49\r\n');
    expectCode(await client.command('TYPE A'), 200);
    expect((await client.command('SIZE readme.txt')).raw).toBe('213 53\r\n');
    expect((await client.command('MDTM readme.txt')).raw).toMatch(/^213 \d{14}\r\n$/);
    expectCode(await client.command('SIZE pub'), 550);
  });

  it('MLST answers 250 with one fact line that starts with a space; OPTS MLST selects facts', async () => {
    const client = await login();
    const reply = expectCode(await client.command('MLST readme.txt'), 250);
    const rawLines = reply.raw.split('\r\n');
    expect(rawLines[0]).toMatch(/^250-/);
    expect(rawLines[1]).toMatch(/^ type=file;size=49;modify=\d{14};unique=[^;]+;perm=[a-z]+; \/readme\.txt$/);
    expect(rawLines[2]).toMatch(/^250 /);
    expect((await client.command('OPTS MLST size;type;bogus;')).raw).toBe('200 MLST OPTS type;size;\r\n');
    expect((await client.command('MLST readme.txt')).lines[1]).toBe(' type=file;size=49; /readme.txt');
    expectCode(await client.command('OPTS MLST size type;'), 501);
    expect((await client.command('OPTS MLST')).raw).toBe('200 MLST OPTS\r\n');
    expect((await client.command('MLST readme.txt')).lines[1]).toBe('  /readme.txt');
  });

  it('MLSD lists a directory over the data connection; on a file it answers 501', async () => {
    const client = await login();
    const data = await client.passive();
    const received = readAll(data);
    expectCode(await client.command('MLSD pub'), 150, 125);
    expectCode(await client.reply(), 226);
    expect((await received).toString()).toMatch(/^type=file;size=24;modify=\d{14};unique=\S+;perm=\w+; notes\.txt\r\n$/);
    expectCode(await client.command('MLSD readme.txt'), 501);
  });
});

describe('other commands', () => {
  it('TYPE, STRU, MODE: 200 for what is supported, 504 for valid but unsupported, 501 for garbage', async () => {
    const client = await login();
    for (const ok of ['TYPE A', 'TYPE A N', 'TYPE A T', 'TYPE I', 'TYPE L 8', 'STRU F', 'MODE S']) {
      expectCode(await client.command(ok), 200);
    }
    for (const unsupported of ['TYPE L 7', 'TYPE A C', 'STRU P']) expectCode(await client.command(unsupported), 504);
    for (const garbage of ['TYPE X', 'TYPE A X', 'TYPE I N', 'STRU Q', 'MODE Z', 'TYPE L']) {
      expectCode(await client.command(garbage), 501);
    }
  });

  it('SITE HELP answers 214; an unknown SITE command 500; ALLO 202; SMNT 202 (one file system: superfluous), 550 for a file', async () => {
    const client = await login();
    expectCode(await client.command('SITE HELP'), 214);
    expectCode(await client.command('SITE FROB'), 500);
    expectCode(await client.command('ALLO 1000'), 202);
    expectCode(await client.command('ALLO 1000 R 80'), 202);
    expectCode(await client.command('ALLO lots'), 501);
    expectCode(await client.command('SMNT /'), 202);
    expectCode(await client.command('SMNT readme.txt'), 550);
  });

  it('OPTS UTF8 ON, LANG (RFC 2640)', async () => {
    const client = await connect();
    expectCode(await client.command('OPTS UTF8 ON'), 200);
    expectCode(await client.command('OPTS FROB ON'), 501);
    expectCode(await client.command('LANG'), 200);
    expectCode(await client.command('LANG en-US'), 200);
    expectCode(await client.command('LANG fr'), 504);
    expectCode(await client.command('LANG 12'), 501);
  });

  it('AUTH, PBSZ, PROT and CCC answer 502 while TLS is not configured', async () => {
    const client = await connect();
    expectCode(await client.command('AUTH TLS'), 502);
    expectCode(await client.command('PBSZ 0'), 502);
    expectCode(await client.command('PROT P'), 502);
    expectCode(await client.command('CCC'), 502);
  });

  it('XPWD, XMKD, XCWD, XCUP, XRMD are aliases (RFC 1123 §4.1.3.1)', async () => {
    const client = await login();
    expectCode(await client.command('XMKD xdir'), 257);
    expectCode(await client.command('XCWD xdir'), 250);
    expect((await client.command('XPWD')).raw).toBe('257 "/xdir" is the current directory.\r\n');
    expectCode(await client.command('XCUP'), 250);
    expectCode(await client.command('XRMD xdir'), 250);
  });

  it('QUIT answers 221 and closes', async () => {
    const client = await connect();
    expectCode(await client.command('QUIT'), 221);
    await client.waitForClose();
  });
});
