/** basic-ftp over explicit (AUTH TLS) and implicit FTPS against the reference server. */
import { Client, enterPassiveModeIPv4, type AccessOptions } from 'basic-ftp';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { createTemporaryServer, SAMPLE_FILES, type TemporaryServer } from '../../../reference-server';

let server: TemporaryServer;
const log: string[] = [];

beforeAll(async () => {
  server = await createTemporaryServer({ tls: true, implicitTlsPort: 0, failedLoginDelayMs: 0, log: (line) => log.push(line) });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  log.length = 0;
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function connect(secure: AccessOptions['secure'], port: number): Promise<Client> {
  const client = new Client(10_000);
  await client.access({
    host: '127.0.0.1',
    port,
    user: server.user,
    password: server.password,
    secure,
    secureOptions: { rejectUnauthorized: false },
  });
  return client;
}

async function download(client: Client, remote: string): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await client.downloadTo(sink, remote);
  return Buffer.concat(chunks);
}

/** What the server saw: commands received, without the session prefix. */
const commands = () => log.filter((line) => / > /.test(line)).map((line) => line.split(' > ')[1]!);

describe.each([
  ['explicit FTPS (AUTH TLS)', true as const, () => server.port],
  ['implicit FTPS', 'implicit' as const, () => server.implicitTlsPort!],
])('basic-ftp, %s', (_title, secure, port) => {
  let client: Client;
  beforeEach(async () => {
    client = await connect(secure, port());
  });
  afterEach(() => {
    client.close();
  });

  it('logs in over TLS and protects data (PBSZ 0, PROT P)', () => {
    expect(client.ftp.socket).toBeInstanceOf(TLSSocket);
    expect(commands()).toEqual(expect.arrayContaining(['PBSZ 0', 'PROT P']));
    if (secure === true) expect(commands()[0]).toBe('AUTH TLS');
  });

  it('uploads and downloads byte-exact (EPSV, then PASV)', async () => {
    const payload = Buffer.concat([SAMPLE_FILES['binary.bin'], Buffer.from(`\r\n${String(secure)}\n`)]);
    const name = `upload-${secure === true ? 'explicit' : 'implicit'}.bin`;
    await client.uploadFrom(Readable.from([payload]), name);
    expect(sha256(await fsp.readFile(path.join(server.root, name)))).toBe(sha256(payload));
    expect(sha256(await download(client, name))).toBe(sha256(payload));
    client.prepareTransfer = enterPassiveModeIPv4;
    expect(sha256(await download(client, 'binary.bin'))).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(log.some((line) => line.includes('data connection refused'))).toBe(false);
  });

  it('lists a directory', async () => {
    const names = (await client.list()).map((entry) => entry.name);
    expect(names).toEqual(expect.arrayContaining(['binary.bin', 'pub', 'readme.txt']));
    const inPub = (await client.list('pub')).map((entry) => entry.name);
    expect(inPub).toEqual(['notes.txt']);
  });
});
