/** Server-side FTPS policies (RFC 4217 §10) and the implicit FTPS port, over a raw control connection. */
import { X509Certificate } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { createTemporaryServer, SAMPLE_FILES, serveFromArgs, type RunningServer, type TemporaryServer } from '../../../reference-server';
import { loadOrGenerateCertificate } from '../../../reference-server/tls';
import { FtpsControl, readAll, type Reply } from './control-client';

const clients: FtpsControl[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function connect(port: number, implicit = false): Promise<{ client: FtpsControl; greeting: Reply }> {
  const connected = await FtpsControl.connect(port, { implicit });
  clients.push(connected.client);
  return connected;
}

async function login(client: FtpsControl, server: TemporaryServer): Promise<void> {
  expect((await client.command(`USER ${server.user}`)).code).toBe(331);
  expect((await client.command(`PASS ${server.password}`)).code).toBe(230);
}

async function protect(client: FtpsControl): Promise<void> {
  expect((await client.command('PBSZ 0')).code).toBe(200);
  expect((await client.command('PROT P')).code).toBe(200);
}

/** EPSV-less: PASV, RETR, TLS on the data connection; the replies and the bytes. */
async function retrieve(client: FtpsControl, name: string, reuse: boolean): Promise<{ replies: number[]; data: Buffer | null }> {
  const raw = await client.passive();
  const secured = client.secureData(raw, reuse);
  const ended = readAll(secured).catch(() => null);
  const first = (await client.command(`RETR ${name}`)).code;
  const last = (await client.reply()).code;
  return { replies: [first === 125 ? 150 : first, last], data: await ended };
}

describe('requireSessionReuse (RFC 4217 §10.2)', () => {
  let server: TemporaryServer;
  const log: string[] = [];
  beforeAll(async () => {
    server = await createTemporaryServer({ tls: { requireSessionReuse: true }, failedLoginDelayMs: 0, log: (line) => log.push(line) });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a data connection that does a full handshake, accepts one that resumes the control session', async () => {
    const { client } = await connect(server.port);
    expect((await client.authTls()).code).toBe(234);
    await login(client, server);
    await protect(client);
    expect(client.session).toBeDefined();
    const refused = await retrieve(client, 'readme.txt', false);
    expect(refused.replies).toEqual([150, 522]);
    expect(refused.data?.length ?? 0).toBe(0);
    expect(log.some((line) => /data connection refused: the client did not reuse the TLS session/.test(line))).toBe(true);
    const accepted = await retrieve(client, 'readme.txt', true);
    expect(accepted.replies).toEqual([150, 226]);
    expect(accepted.data?.toString()).toBe(SAMPLE_FILES['readme.txt'].toString().replace(/\n/g, '\r\n'));
  });

  it("refuses the TLS session of another FTP session's control connection", async () => {
    const { client: stranger } = await connect(server.port);
    expect((await stranger.authTls()).code).toBe(234);
    expect((await stranger.command('NOOP')).code).toBe(200); // by now the TLS 1.3 ticket has arrived
    const { client } = await connect(server.port);
    expect((await client.authTls()).code).toBe(234);
    await login(client, server);
    await protect(client);
    client.session = stranger.session;
    expect((await retrieve(client, 'readme.txt', true)).replies).toEqual([150, 522]);
  });
});

describe('tlsRequired and allowCcc: false (RFC 4217 §10.1, §5)', () => {
  let server: TemporaryServer;
  beforeAll(async () => {
    server = await createTemporaryServer({ tls: { tlsRequired: true, allowCcc: false }, failedLoginDelayMs: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('USER and PASS before AUTH TLS → 530; after it the login works; CCC → 534 and is not advertised', async () => {
    const { client } = await connect(server.port);
    expect((await client.command(`USER ${server.user}`)).code).toBe(530);
    expect((await client.command(`PASS ${server.password}`)).code).toBe(530);
    expect((await client.command('FEAT')).lines).not.toContain(' CCC');
    expect((await client.authTls()).code).toBe(234);
    await login(client, server);
    expect((await client.command('CCC')).code).toBe(534);
    expect((await client.command('NOOP')).code).toBe(200);
  });
});

describe('implicit FTPS port', () => {
  let server: TemporaryServer;
  beforeAll(async () => {
    server = await createTemporaryServer({ implicitTlsPort: 0, failedLoginDelayMs: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('greets over TLS; AUTH → 534, CCC → 534; data starts Clear and PROT P protects it; REIN keeps TLS', async () => {
    expect(server.implicitTlsPort).toBeGreaterThan(0);
    expect(server.certificate?.generated).toBe(true);
    const { client, greeting } = await connect(server.implicitTlsPort!, true);
    expect(greeting.code).toBe(220);
    expect(client.isProtected).toBe(true);
    expect((await client.command('AUTH TLS')).code).toBe(534);
    expect((await client.command('CCC')).code).toBe(534);
    await login(client, server);
    expect((await client.command('TYPE I')).code).toBe(200);
    const raw = await client.passive();
    expect([125, 150]).toContain((await client.command('RETR binary.bin')).code);
    expect((await readAll(raw)).equals(SAMPLE_FILES['binary.bin'])).toBe(true);
    expect((await client.reply()).code).toBe(226);
    await protect(client);
    const secured = await retrieve(client, 'binary.bin', true);
    expect(secured.replies).toEqual([150, 226]);
    expect(secured.data?.equals(SAMPLE_FILES['binary.bin'])).toBe(true);
    expect((await client.command('REIN')).code).toBe(220);
    expect(client.isProtected).toBe(true);
    expect((await client.command('NOOP')).code).toBe(200);
  });
});

describe('serveFromArgs', () => {
  const lines: string[] = [];
  let running: RunningServer | undefined;
  let root: string;
  beforeAll(async () => {
    root = await fsp.mkdtemp('/tmp/ftp-conform-serve-tls-');
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    lines.length = 0;
  });
  afterAll(async () => {
    await fsp.rm(root, { recursive: true, force: true });
  });

  it('--implicit-tls-port alone: a generated self-signed certificate, explicit and implicit FTPS', async () => {
    running = await serveFromArgs({ host: '127.0.0.1', port: 0, root, anonymous: true, implicitTlsPort: 0 }, (line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/self-signed certificate/);
    const { client } = await connect(running.implicitTlsPort!, true);
    expect((await client.command('USER anonymous')).code).toBe(331);
    const { client: explicit } = await connect(running.port);
    expect((await explicit.authTls()).code).toBe(234);
  });

  it('--tls-cert and --tls-key: that pair is served', async () => {
    const pair = await loadOrGenerateCertificate();
    running = await serveFromArgs({ host: '127.0.0.1', port: 0, root, tlsCert: pair.certPath, tlsKey: pair.keyPath }, (line) => lines.push(line));
    expect(lines.join('\n')).not.toMatch(/self-signed/);
    const { client } = await connect(running.port);
    expect((await client.authTls()).code).toBe(234);
    expect(client.peerFingerprint()).toBe(new X509Certificate(pair.cert).fingerprint256);
  });

  it('only one of --tls-cert and --tls-key is an error', async () => {
    await expect(serveFromArgs({ host: '127.0.0.1', port: 0, root, tlsCert: '/nonexistent.pem' }, () => undefined)).rejects.toThrow(/both --tls-cert and --tls-key/);
  });
});
