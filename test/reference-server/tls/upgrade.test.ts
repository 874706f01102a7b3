import type * as net from 'node:net';
import * as tls from 'node:tls';
import {
  connectClearableTls,
  createSessionSecureContext,
  downgradeFromTls,
  isResumedFrom,
  loadOrGenerateCertificate,
  TlsSessionReuseRequiredError,
  upgradeToTls,
  wrapDataSocket,
  type CertificatePair,
} from '../../../reference-server/tls';
import { Loopback, once, readLine } from './helpers';

let pair: CertificatePair;
let loopback: Loopback;

beforeAll(async () => {
  pair = await loadOrGenerateCertificate();
});
beforeEach(async () => {
  loopback = await Loopback.listen();
});
afterEach(async () => {
  await loopback.close();
});

/** Client trusting the generated certificate: checks chain and the IP SAN, not just encryption. */
function clientOptions(extra: tls.ConnectionOptions = {}): tls.ConnectionOptions {
  return { ca: pair.cert, servername: 'localhost', ...extra };
}

interface ControlPair {
  server: tls.TLSSocket;
  client: tls.TLSSocket;
  serverRaw: net.Socket;
  clientRaw: net.Socket;
  context: tls.SecureContext;
}

/** 220, AUTH TLS, 234 in plaintext, then TLS in place on both ends. */
async function authTls(options: { allowClear?: boolean; maxVersion?: tls.SecureVersion; clientClearable?: boolean } = {}): Promise<ControlPair> {
  const clientRaw = await loopback.connect();
  const serverRaw = await loopback.accept();
  const context = createSessionSecureContext(pair, options.maxVersion ? { maxVersion: options.maxVersion } : {});
  serverRaw.write('220 reference server\r\n');
  expect((await readLine(clientRaw)).line).toBe('220 reference server');
  clientRaw.write('AUTH TLS\r\n');
  const { line, rest } = await readLine(serverRaw);
  expect(line).toBe('AUTH TLS');
  serverRaw.write('234 Proceed with negotiation.\r\n');
  const upgrading = upgradeToTls(serverRaw, context, { head: rest, allowClear: options.allowClear ?? false });
  expect((await readLine(clientRaw)).line).toBe('234 Proceed with negotiation.');
  const tlsOptions = clientOptions(options.maxVersion ? { maxVersion: options.maxVersion } : {});
  const client = loopback.track(options.clientClearable ? connectClearableTls(clientRaw, tlsOptions) : tls.connect({ ...tlsOptions, socket: clientRaw }));
  const [server] = await Promise.all([upgrading, once(client, 'secureConnect')]);
  loopback.track(server);
  return { server, client, serverRaw, clientRaw, context };
}

async function exchange(from: tls.TLSSocket | net.Socket, to: tls.TLSSocket | net.Socket, line: string): Promise<void> {
  from.write(`${line}\r\n`);
  expect((await readLine(to)).line).toBe(line);
}

describe('AUTH TLS: in-place upgrade after a plaintext prelude (RFC 4217 §4)', () => {
  it.each([
    ['direct wrap, TLS 1.3', { maxVersion: 'TLSv1.3' as const }],
    ['direct wrap, TLS 1.2', { maxVersion: 'TLSv1.2' as const }],
    ['clearable transport', { allowClear: true }],
  ])('%s', async (_title, options: { maxVersion?: tls.SecureVersion; allowClear?: boolean }) => {
    const { server, client } = await authTls(options);
    expect(client.authorized).toBe(true);
    expect(server.getProtocol()).toBe(options.maxVersion ?? 'TLSv1.3');
    await exchange(client, server, 'USER anonymous');
    await exchange(server, client, '331 Password required.');
  });

  it('feeds TLS bytes the plaintext reader already had (client did not wait for 234)', async () => {
    const clientRaw = await loopback.connect();
    const serverRaw = await loopback.accept();
    const context = createSessionSecureContext(pair);
    clientRaw.write('AUTH TLS\r\n');
    const client = loopback.track(tls.connect({ ...clientOptions(), socket: clientRaw })); // ClientHello right behind AUTH
    const clientSecure = once(client, 'secureConnect');
    const { line, rest } = await readLine(serverRaw);
    expect(line).toBe('AUTH TLS');
    // The plaintext reader holds at least the start of the ClientHello (the rest may follow).
    if (rest.length === 0) await once(serverRaw, 'readable');
    const more = serverRaw.read() as Buffer | null;
    const head = more ? Buffer.concat([rest, more]) : rest;
    expect(head[0]).toBe(22); // TLS handshake record
    const server = loopback.track(await upgradeToTls(serverRaw, context, { head }));
    await clientSecure;
    await exchange(client, server, 'PBSZ 0');
  });

  it('drops the connection when the handshake fails (RFC 4217 §10.1)', async () => {
    const clientRaw = await loopback.connect();
    const serverRaw = await loopback.accept();
    const upgrading = upgradeToTls(serverRaw, createSessionSecureContext(pair));
    clientRaw.write('USER not-tls\r\n');
    await expect(upgrading).rejects.toThrow();
    await once(clientRaw, 'close');
  });
});

describe('PROT P data connections and session reuse (RFC 4217 §7, §10.2)', () => {
  async function dataConnection(control: ControlPair, session: Buffer | undefined, requireSessionReuse: boolean) {
    const clientRaw = await loopback.connect();
    const serverRaw = await loopback.accept();
    const wrapping = wrapDataSocket(serverRaw, control.server, { requireSessionReuse });
    const client = loopback.track(tls.connect({ ...clientOptions(), socket: clientRaw, ...(session ? { session } : {}) }));
    const outcome = await wrapping.then(
      (server) => ({ server: loopback.track(server), error: null }),
      (error: Error) => ({ server: null, error }),
    );
    return { client, ...outcome };
  }

  /** TLS 1.3 tickets arrive after the handshake; a client must have one before resuming. */
  async function controlSession(control: ControlPair): Promise<Buffer> {
    const session = control.client.getSession();
    if (session && control.client.getProtocol() === 'TLSv1.2') return session;
    return once<Buffer>(control.client, 'session');
  }

  it.each(['TLSv1.3', 'TLSv1.2'] as const)('%s: a data connection given the control session resumes it', async (maxVersion) => {
    const control = await authTls({ maxVersion });
    const session = await controlSession(control);
    const data = await dataConnection(control, session, true);
    expect(data.error).toBeNull();
    expect(data.server!.isSessionReused()).toBe(true);
    expect(isResumedFrom(control.server, data.server!)).toBe(true);
    expect(isResumedFrom(control.context, data.server!)).toBe(true);
    data.server!.end('file contents');
    const received: Buffer[] = [];
    data.client.on('data', (chunk: Buffer) => received.push(chunk));
    await once(data.client, 'end');
    expect(Buffer.concat(received).toString()).toBe('file contents');
  });

  it('a full handshake is accepted when reuse is not required, but not counted as resumed', async () => {
    const control = await authTls();
    const data = await dataConnection(control, undefined, false);
    expect(data.error).toBeNull();
    expect(data.server!.isSessionReused()).toBe(false);
    expect(isResumedFrom(control.server, data.server!)).toBe(false);
  });

  it('a full handshake is refused when reuse is required (522)', async () => {
    const control = await authTls();
    const data = await dataConnection(control, undefined, true);
    expect(data.error).toBeInstanceOf(TlsSessionReuseRequiredError);
    await once(data.client, 'close');
  });

  it("another FTP session's TLS session is not resumed", async () => {
    const stranger = await authTls();
    const strangerSession = await controlSession(stranger);
    const control = await authTls();
    const data = await dataConnection(control, strangerSession, true);
    expect(data.error).toBeInstanceOf(TlsSessionReuseRequiredError);
  });

  it('a later data connection may resume the session of an earlier one', async () => {
    const control = await authTls();
    const first = await dataConnection(control, await controlSession(control), true);
    // Tickets precede application data, so once a byte has arrived the client holds a new one.
    first.server!.write('x');
    await once(first.client, 'data');
    const firstSession = first.client.getSession()!;
    const second = await dataConnection(control, firstSession, true);
    expect(second.error).toBeNull();
    expect(isResumedFrom(control.server, second.server!)).toBe(true);
  });
});

describe('CCC: back to plaintext on the same TCP connection (RFC 4217 §5)', () => {
  it.each([
    ['client waits for the shutdown, then sends plaintext', false],
    ['client sends plaintext right behind its close_notify', true],
  ])('%s', async (_title, eager) => {
    const control = await authTls({ allowClear: true, clientClearable: true });
    await exchange(control.client, control.server, 'CCC');
    const serverClearing = downgradeFromTls(control.server, { reply: '200 CCC command successful.\r\n' });
    expect((await readLine(control.client)).line).toBe('200 CCC command successful.');
    const clientClearing = downgradeFromTls(control.client);
    if (eager) control.clientRaw.write('NOOP\r\n'); // queued right after the client's close_notify
    const [serverPlain, clientPlain] = await Promise.all([serverClearing, clientClearing]);
    expect(serverPlain).toBe(control.serverRaw);
    if (!eager) clientPlain.write('NOOP\r\n');
    expect((await readLine(serverPlain)).line).toBe('NOOP');
    serverPlain.write('200 NOOP ok.\r\n');
    expect((await readLine(clientPlain)).line).toBe('200 NOOP ok.');
  });

  it('refuses to clear a connection upgraded without allowClear', async () => {
    const control = await authTls();
    await expect(downgradeFromTls(control.server)).rejects.toThrow(/allowClear/);
  });
});
