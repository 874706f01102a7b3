/** Data transfers over a raw socket: reply sequences (RFC 959 §5.4), representation, ABOR, restart. */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createTemporaryServer, SAMPLE_FILES, type TemporaryServer } from '../../reference-server';
import { expectCode, RawClient, readAll, writeAndClose } from './helpers/raw-client';

let server: TemporaryServer;
const clients: RawClient[] = [];
const BIG_FILE = 'big.bin';

beforeAll(async () => {
  server = await createTemporaryServer({ failedLoginDelayMs: 0 });
  // Large enough that an unread transfer cannot finish into the loopback socket buffers.
  await fsp.writeFile(path.join(server.root, BIG_FILE), Buffer.alloc(64 * 1024 * 1024, 7));
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

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Listen for an active-mode data connection from the server. */
async function activeListener(host = '127.0.0.1'): Promise<{ port: number; accepted: Promise<net.Socket>; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen({ host, port: 0 }, resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  return { port: (listener.address() as net.AddressInfo).port, accepted, close: () => listener.close() };
}

describe('reply sequence around a transfer', () => {
  it('RETR in TYPE I: 150 before the data, 226 after, byte-exact', async () => {
    const client = await login();
    expectCode(await client.command('TYPE I'), 200);
    const data = await client.passive();
    const received = readAll(data);
    // The data connection is already open: 125 is as correct as 150 (RFC 959 §5.4).
    expectCode(await client.command('RETR binary.bin'), 125, 150);
    expectCode(await client.reply(), 226);
    expect(sha256(await received)).toBe(sha256(SAMPLE_FILES['binary.bin']));
  });

  it('answers 150 when the data connection is not yet open and 125 when it is', async () => {
    const client = await login();
    const reply = await client.command('EPSV');
    const port = Number(/\|\|\|(\d+)\|/.exec(reply.lines[0]!)![1]);
    client.send('NLST\r\n');
    const preliminary = expectCode(await client.reply(), 150);
    const data = net.connect({ host: '127.0.0.1', port });
    const received = readAll(data);
    expectCode(await client.reply(), 226);
    expect(preliminary.raw).toMatch(/^150 /);
    expect((await received).toString()).toContain('readme.txt\r\n');

    const open = await client.extendedPassive();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const list = readAll(open);
    expectCode(await client.command('NLST'), 125);
    expectCode(await client.reply(), 226);
    await list;
  });

  it('425 when no data connection was set up', async () => {
    const client = await login();
    expectCode(await client.command('RETR readme.txt'), 425);
  });

  it('550 for a missing file, before any preliminary reply', async () => {
    const client = await login();
    await client.passive();
    expectCode(await client.command('RETR no-such-file'), 550);
  });
});

describe('representation (RFC 959 §3.1)', () => {
  it('TYPE A sends LF line ends as CRLF and stores CRLF as LF', async () => {
    const client = await login();
    expectCode(await client.command('TYPE A'), 200);
    let data = await client.passive();
    const received = readAll(data);
    expectCode(await client.command('RETR readme.txt'), 125, 150);
    expectCode(await client.reply(), 226);
    expect((await received).toString()).toBe(SAMPLE_FILES['readme.txt'].toString().replace(/\n/g, '\r\n'));

    data = await client.passive();
    expectCode(await client.command('STOR ascii.txt'), 125, 150);
    await writeAndClose(data, Buffer.from('one\r\ntwo\r\nbare\rcr\r\n'));
    expectCode(await client.reply(), 226);
    expect(await fsp.readFile(path.join(server.root, 'ascii.txt'), 'utf8')).toBe('one\ntwo\nbare\rcr\n');
  });

  it('LIST is in ls -l format, NLST gives names usable as arguments', async () => {
    const client = await login();
    let data = await client.passive();
    let received = readAll(data);
    expectCode(await client.command('LIST'), 125, 150);
    expectCode(await client.reply(), 226);
    const listing = (await received).toString();
    expect(listing).toMatch(/^-rw\S+ +\d+ \S+ \S+ +49 \w{3} [ \d]\d (\d\d:\d\d| \d{4}) readme\.txt\r$/m);
    expect(listing).toMatch(/^d\S+ +\d+ \S+ \S+ +\d+ \w{3} [ \d]\d (\d\d:\d\d| \d{4}) pub\r$/m);
    expect(listing.endsWith('\r\n')).toBe(true);

    data = await client.passive();
    received = readAll(data);
    expectCode(await client.command('NLST pub'), 125, 150);
    expectCode(await client.reply(), 226);
    expect((await received).toString()).toBe('pub/notes.txt\r\n');

    await client.passive();
    expectCode(await client.command('LIST no-such-dir'), 450);
  });
});

describe('representations from reference-server/codecs', () => {
  it.each([
    ['TYPE E', ['TYPE E']],
    ['STRU R', ['TYPE A', 'STRU R']],
    ['MODE B', ['TYPE I', 'MODE B']],
    ['MODE C', ['TYPE I', 'MODE C']],
    ['TYPE A, MODE B', ['TYPE A', 'MODE B']],
  ])('%s: what RETR sends, STOR stores back unchanged', async (_title, settings) => {
    const client = await login();
    for (const setting of settings) expectCode(await client.command(setting), 200);
    for (const name of ['readme.txt', 'binary.bin'] as const) {
      if (settings.includes('TYPE E') && name === 'binary.bin') continue;
      let data = await client.passive();
      const received = readAll(data);
      expectCode(await client.command(`RETR ${name}`), 125, 150);
      expectCode(await client.reply(), 226);
      const wire = await received;
      if (!settings.includes('TYPE I')) expect(wire.equals(SAMPLE_FILES[name])).toBe(false);
      const sizeReply = expectCode(await client.command(`SIZE ${name}`), 213);
      expect(Number(sizeReply.lines[0])).toBe(wire.length);
      data = await client.passive();
      expectCode(await client.command(`STOR copy-${name}`), 125, 150);
      await writeAndClose(data, wire);
      expectCode(await client.reply(), 226);
      expect((await fsp.readFile(path.join(server.root, `copy-${name}`))).equals(SAMPLE_FILES[name])).toBe(true);
    }
  });
});

describe('active mode (PORT, EPRT) and RFC 2577 bounce protection', () => {
  it('connects back to the client for PORT and EPRT', async () => {
    const client = await login();
    for (const verb of ['PORT', 'EPRT']) {
      const listener = await activeListener();
      const argument =
        verb === 'PORT' ? `127,0,0,1,${listener.port >> 8},${listener.port & 255}` : `|1|127.0.0.1|${listener.port}|`;
      expectCode(await client.command(`${verb} ${argument}`), 200);
      client.send('RETR readme.txt\r\n');
      const received = readAll(await listener.accepted);
      expectCode(await client.reply(), 150);
      expectCode(await client.reply(), 226);
      expect((await received).length).toBe(53);
      listener.close();
    }
  });

  it('refuses a third-party host or a privileged port (504), and unknown families (522)', async () => {
    const client = await login();
    expectCode(await client.command('PORT 10,1,2,3,40,0'), 504);
    expectCode(await client.command('PORT 127,0,0,1,0,21'), 504);
    expectCode(await client.command('EPRT |1|10.1.2.3|10240|'), 504);
    expectCode(await client.command('EPRT |1|127.0.0.1|80|'), 504);
    expect((await client.command('EPRT |3|whatever|5000|')).raw).toMatch(/^522 [^()]*\(1\)\r\n$/);
    expectCode(await client.command('EPRT garbage'), 501);
    expectCode(await client.command('PORT 1,2,3'), 501);
    expectCode(await client.command('EPSV 3'), 522);
  });

  it('after EPSV ALL, PORT, PASV and EPRT are refused and EPSV still works (RFC 2428 §3)', async () => {
    const client = await login();
    expectCode(await client.command('EPSV ALL'), 200);
    expectCode(await client.command('PASV'), 503);
    expectCode(await client.command('PORT 127,0,0,1,40,0'), 503);
    expectCode(await client.command('EPRT |1|127.0.0.1|10240|'), 503);
    expect((await client.command('EPSV')).raw).toMatch(/^229 [^\r\n]*\(\|\|\|\d+\|\)[^\r\n]*\r\n$/);
  });
});

describe('ABOR (RFC 959 §4.1.3)', () => {
  it('during a transfer: 426 for the transfer, then 226 for ABOR', async () => {
    const client = await login();
    expectCode(await client.command('TYPE I'), 200);
    const data = await client.passive();
    data.pause();
    expectCode(await client.command(`RETR ${BIG_FILE}`), 125, 150);
    const status = expectCode(await client.command('STAT'), 213);
    expect(status.lines.join('\n')).toContain(`RETR /${BIG_FILE}`);
    // Telnet IP and Synch before the command, as RFC 959 §4.1 recommends.
    client.send(Buffer.from([0xff, 0xf4, 0xff, 0xf2]));
    client.send('ABOR\r\n');
    expectCode(await client.reply(), 426);
    expectCode(await client.reply(), 226);
    data.destroy();
    expectCode(await client.command('NOOP'), 200);
  });

  it('without a transfer: 226, and a pending passive listener is closed', async () => {
    const client = await login();
    await client.command('PASV');
    expectCode(await client.command('ABOR'), 226);
    expectCode(await client.command('RETR readme.txt'), 425);
  });

  it('QUIT during a transfer lets it finish, then 221', async () => {
    const client = await login();
    const data = await client.passive();
    const received = readAll(data);
    expectCode(await client.command('RETR binary.bin'), 125, 150);
    client.send('QUIT\r\n');
    expectCode(await client.reply(), 226);
    expectCode(await client.reply(), 221);
    await received;
    await client.waitForClose();
  });
});

describe('no data lost on failed uploads', () => {
  const target = () => path.join(server.root, 'keep.txt');

  beforeEach(async () => {
    await fsp.writeFile(target(), 'the original content\n');
  });

  it('an aborted STOR leaves the previous file intact', async () => {
    const client = await login();
    expectCode(await client.command('TYPE I'), 200);
    const data = await client.passive();
    expectCode(await client.command('STOR keep.txt'), 125, 150);
    data.write(Buffer.alloc(1000, 0x41));
    client.send('ABOR\r\n');
    expectCode(await client.reply(), 426);
    expectCode(await client.reply(), 226);
    data.destroy();
    expect(await fsp.readFile(target(), 'utf8')).toBe('the original content\n');
    expect((await fsp.readdir(server.root)).filter((name) => name.startsWith('.ftp-conform-partial-'))).toEqual([]);
  });

  it('a STOR whose data connection is reset leaves the previous file intact', async () => {
    const client = await login();
    const data = await client.passive();
    expectCode(await client.command('STOR keep.txt'), 125, 150);
    data.write(Buffer.alloc(1000, 0x42));
    await new Promise((resolve) => setTimeout(resolve, 20));
    data.resetAndDestroy();
    expectCode(await client.reply(), 426);
    expect(await fsp.readFile(target(), 'utf8')).toBe('the original content\n');
  });

  it('a STOR into a missing directory is refused before the transfer (553)', async () => {
    const client = await login();
    await client.passive();
    expectCode(await client.command('STOR no/such/dir/file.txt'), 553);
  });
});

describe('restart and append', () => {
  it('REST then RETR sends the rest of the file (RFC 3659 §5)', async () => {
    const client = await login();
    expectCode(await client.command('TYPE I'), 200);
    const data = await client.passive();
    const received = readAll(data);
    expectCode(await client.command('REST 1000'), 350);
    expectCode(await client.command('RETR binary.bin'), 125, 150);
    expectCode(await client.reply(), 226);
    expect((await received).equals(SAMPLE_FILES['binary.bin'].subarray(1000))).toBe(true);
    expectCode(await client.command('REST 99999999'), 350);
    await client.passive();
    expectCode(await client.command('RETR binary.bin'), 554);
  });

  it('REST then STOR continues an upload; APPE appends', async () => {
    const client = await login();
    expectCode(await client.command('TYPE I'), 200);
    await fsp.writeFile(path.join(server.root, 'partial.bin'), 'hello wo-garbage');
    let data = await client.passive();
    expectCode(await client.command('REST 8'), 350);
    expectCode(await client.command('STOR partial.bin'), 125, 150);
    await writeAndClose(data, Buffer.from('rld'));
    expectCode(await client.reply(), 226);
    expect(await fsp.readFile(path.join(server.root, 'partial.bin'), 'utf8')).toBe('hello world');

    data = await client.passive();
    expectCode(await client.command('APPE partial.bin'), 125, 150);
    await writeAndClose(data, Buffer.from('!'));
    expectCode(await client.reply(), 226);
    expect(await fsp.readFile(path.join(server.root, 'partial.bin'), 'utf8')).toBe('hello world!');
  });

  it('STOU names the file in its preliminary reply (RFC 1123 §4.1.2.9)', async () => {
    const client = await login();
    const data = await client.passive();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const preliminary = expectCode(await client.command('STOU'), 125, 150);
    const name = /^FILE: (.+)$/.exec(preliminary.lines[0]!)![1]!;
    await writeAndClose(data, Buffer.from('unique'));
    expectCode(await client.reply(), 226);
    expect(await fsp.readFile(path.join(server.root, name), 'utf8')).toBe('unique');
  });
});
