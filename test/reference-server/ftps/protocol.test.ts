/** RFC 4217 / RFC 2228 reply codes over a raw control connection (explicit FTPS, AUTH TLS). */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createTemporaryServer, SAMPLE_FILES, type TemporaryServer } from '../../../reference-server';
import { FtpsControl, once, readAll, type Reply } from './control-client';

let server: TemporaryServer;
let client: FtpsControl;
const log: string[] = [];

beforeAll(async () => {
  server = await createTemporaryServer({ tls: true, failedLoginDelayMs: 0, log: (line) => log.push(line) });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  log.length = 0;
  ({ client } = await FtpsControl.connect(server.port));
});
afterEach(() => {
  client.close();
});

const code = (reply: Reply) => reply.code;

async function login(): Promise<void> {
  expect(code(await client.command(`USER ${server.user}`))).toBe(331);
  expect(code(await client.command(`PASS ${server.password}`))).toBe(230);
}

async function secureAndProtect(): Promise<void> {
  expect(code(await client.authTls())).toBe(234);
  expect(code(await client.command('PBSZ 0'))).toBe(200);
  expect(code(await client.command('PROT P'))).toBe(200);
}

/** PASV, the transfer command, then the data connection (TLS or not) read to its end. */
async function transfer(command: string, secure: boolean, reuse = true): Promise<{ data: Buffer; replies: number[] }> {
  const raw = await client.passive();
  const socket = secure ? client.secureData(raw, reuse) : raw;
  const first = await client.command(command);
  const data = await readAll(socket);
  // 125 or 150: the data connection exists already, but the server may read the command first.
  return { data, replies: [first.code === 125 ? 150 : first.code, (await client.reply()).code] };
}

describe('before AUTH TLS', () => {
  it('FEAT advertises AUTH TLS, PBSZ, PROT and CCC (RFC 4217 §6)', async () => {
    const feat = await client.command('FEAT');
    expect(feat.code).toBe(211);
    expect(feat.lines).toEqual(expect.arrayContaining([' AUTH TLS', ' PBSZ', ' PROT', ' CCC']));
  });

  it.each([
    ['PBSZ 0', 503, 'RFC 2228: PBSZ must be preceded by a security data exchange'],
    ['PROT P', 503, 'RFC 4217 §9: PROT must be preceded by PBSZ'],
    ['CCC', 533, 'RFC 4217 §5: the control connection is not protected'],
    ['AUTH', 501, 'argument required'],
    ['AUTH KERBEROS_V4', 504, 'RFC 2228: mechanism not understood'],
    ['PBSZ abc', 501, 'RFC 2228: cannot parse the argument'],
    ['PBSZ 4294967296', 501, 'RFC 2228: does not fit in 32 bits'],
  ])('%s → %i (%s)', async (line, expected) => {
    expect(code(await client.command(line))).toBe(expected);
    expect(code(await client.command('NOOP'))).toBe(200);
  });

  it.each(['TLS', 'tls', 'TLS-C', 'SSL'])('AUTH %s → 234 and a TLS handshake', async (mechanism) => {
    expect(code(await client.authTls(mechanism))).toBe(234);
    expect(client.isProtected).toBe(true);
    expect(code(await client.command('NOOP'))).toBe(200);
  });
});

describe('after AUTH TLS', () => {
  it('AUTH again → 534; PROT before PBSZ → 503; PBSZ 0 → 200 PBSZ=0; PROT S/E → 536, Q → 504; P → 200', async () => {
    expect(code(await client.authTls())).toBe(234);
    expect(code(await client.command('AUTH TLS'))).toBe(534);
    expect(code(await client.command('PROT P'))).toBe(503);
    const pbsz = await client.command('PBSZ 0');
    expect(pbsz).toEqual({ code: 200, lines: ['PBSZ=0'] });
    // RFC 2228: a size too large for the server is answered with the server's own, PBSZ=0.
    expect(await client.command('PBSZ 1024')).toEqual({ code: 200, lines: ['PBSZ=0'] });
    expect(code(await client.command('PROT S'))).toBe(536);
    expect(code(await client.command('PROT E'))).toBe(536);
    expect(code(await client.command('PROT Q'))).toBe(504);
    expect(code(await client.command('PROT P'))).toBe(200);
  });

  it('resets the login and transfer parameters (RFC 4217 §4.2)', async () => {
    await login();
    expect(code(await client.command('CWD pub'))).toBe(250);
    expect(code(await client.authTls())).toBe(234);
    expect(code(await client.command('PWD'))).toBe(530);
    await login();
    expect((await client.command('PWD')).lines[0]).toMatch(/^"\/" /);
  });

  it('PROT P: PASV + LIST and RETR go over TLS; PROT C goes back to clear data', async () => {
    await secureAndProtect();
    await login();
    const listing = await transfer('LIST', true);
    expect(listing.replies).toEqual([150, 226]);
    expect(listing.data.toString()).toMatch(/ readme\.txt\r\n/);
    expect(code(await client.command('TYPE I'))).toBe(200);
    const retr = await transfer('RETR binary.bin', true);
    expect(retr.replies).toEqual([150, 226]);
    expect(retr.data.equals(SAMPLE_FILES['binary.bin'])).toBe(true);
    expect(code(await client.command('PROT C'))).toBe(200);
    const clear = await transfer('NLST pub', false);
    expect(clear).toEqual({ data: Buffer.from('pub/notes.txt\r\n'), replies: [150, 226] });
  });

  it('a data connection that does not speak TLS under PROT P gets 522 (RFC 4217 §10.2), and the session goes on', async () => {
    await secureAndProtect();
    await login();
    const raw = await client.passive();
    expect([125, 150]).toContain(code(await client.command('LIST')));
    raw.write('not a TLS ClientHello\r\n');
    expect(code(await client.reply())).toBe(522);
    expect(code(await client.command('NOOP'))).toBe(200);
  });
});

describe('aborting protected transfers (the TLS data socket torn down from both ends)', () => {
  beforeAll(async () => {
    // Large enough that an unread transfer cannot finish into the loopback socket buffers.
    await fsp.writeFile(path.join(server.root, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 7));
  });

  it('ABOR during a PROT P download: 426, then 226, and the session goes on', async () => {
    await secureAndProtect();
    await login();
    expect(code(await client.command('TYPE I'))).toBe(200);
    const secured = client.secureData(await client.passive(), true);
    expect([125, 150]).toContain(code(await client.command('RETR big.bin')));
    await once(secured, 'data');
    secured.pause();
    expect(code(await client.command('STAT'))).toBe(213);
    client.write('ABOR\r\n');
    expect(code(await client.reply())).toBe(426);
    expect(code(await client.reply())).toBe(226);
    expect(code(await client.command('NOOP'))).toBe(200);
  });

  it('the client drops the TLS data connection mid-transfer: 426', async () => {
    await secureAndProtect();
    await login();
    const secured = client.secureData(await client.passive(), true);
    expect([125, 150]).toContain(code(await client.command('RETR big.bin')));
    await once(secured, 'data');
    secured.destroy();
    expect(code(await client.reply())).toBe(426);
    expect(code(await client.command('NOOP'))).toBe(200);
  });
});

describe('CCC (RFC 4217 §5)', () => {
  it('200 over TLS, then clear commands; no more PBSZ/PROT; data keeps PROT P', async () => {
    await secureAndProtect();
    await login();
    expect(code(await client.commandThenClear('CCC'))).toBe(200);
    expect(client.isProtected).toBe(false);
    expect(code(await client.command('NOOP'))).toBe(200);
    expect(code(await client.command('PBSZ 0'))).toBe(503);
    expect(code(await client.command('PROT C'))).toBe(503);
    expect(code(await client.command('CCC'))).toBe(533);
    // The data connection still resumes the session of the (now cleared) control connection.
    const retr = await transfer('RETR readme.txt', true);
    expect(retr.replies).toEqual([150, 226]);
    expect(retr.data.toString()).toBe(SAMPLE_FILES['readme.txt'].toString().replace(/\n/g, '\r\n'));
    expect(log.some((line) => line.includes('data connection TLS (TLSv1.3, resumed)'))).toBe(true);
    expect(code(await client.command('QUIT'))).toBe(221);
  });
});

describe('REIN (RFC 4217 §13)', () => {
  it('the 220 comes protected, then TLS is cleared and PROT is back to C', async () => {
    await secureAndProtect();
    await login();
    expect(code(await client.commandThenClear('REIN'))).toBe(220);
    expect(client.isProtected).toBe(false);
    expect(code(await client.command('PBSZ 0'))).toBe(503);
    await login();
    const clear = await transfer('NLST pub', false);
    expect(clear.replies).toEqual([150, 226]);
    // And TLS can be negotiated again.
    await secureAndProtect();
    expect(code(await client.command('NOOP'))).toBe(200);
  });
});

it('a TLS handshake that fails drops the connection (RFC 4217 §10.1)', async () => {
  expect(code(await client.command('AUTH TLS'))).toBe(234);
  client.write('USER not-tls\r\n');
  await client.waitForClose();
});
