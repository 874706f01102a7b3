/** Python's ftplib (the standard library client) against the reference server. */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { createTemporaryServer, SAMPLE_FILES, type TemporaryServer } from '../../reference-server';
import { runProcess } from './helpers/processes';

let server: TemporaryServer;

beforeAll(async () => {
  server = await createTemporaryServer({ failedLoginDelayMs: 0 });
  await fsp.writeFile(path.join(server.root, 'big.bin'), Buffer.alloc(32 * 1024 * 1024, 1));
});
afterAll(async () => {
  await server.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Run a Python snippet with `ftp` logged in; it prints one JSON object. */
async function python(body: string): Promise<Record<string, unknown>> {
  const script = [
    'import ftplib, hashlib, io, json, sys',
    `ftp = ftplib.FTP()`,
    `ftp.connect('127.0.0.1', ${server.port}, timeout=20)`,
    `ftp.login('${server.user}', '${server.password}')`,
    'out = {}',
    body,
    'ftp.quit()',
    'print(json.dumps(out))',
  ].join('\n');
  const result = await runProcess('/usr/bin/python3', ['-c', script]);
  if (result.code !== 0) throw new Error(`python exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout.toString()) as Record<string, unknown>;
}

describe('Python ftplib', () => {
  it('stores, retrieves and lists (storbinary, retrbinary, nlst)', async () => {
    const out = await python(`
payload = bytes(range(256)) * 1000
ftp.storbinary('STOR from-python.bin', io.BytesIO(payload))
chunks = []
ftp.retrbinary('RETR from-python.bin', chunks.append)
out['same'] = b''.join(chunks) == payload
binary = []
ftp.retrbinary('RETR binary.bin', binary.append)
out['binary'] = hashlib.sha256(b''.join(binary)).hexdigest()
out['names'] = sorted(ftp.nlst())
lines = []
ftp.retrlines('RETR readme.txt', lines.append)
out['lines'] = lines
ftp.voidcmd('TYPE I')
out['size'] = ftp.size('binary.bin')
ftp.voidcmd('TYPE A')
out['ascii_size'] = ftp.size('binary.bin')
`);
    expect(out.same).toBe(true);
    expect(out.binary).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(out.names).toEqual(expect.arrayContaining(['binary.bin', 'from-python.bin', 'pub', 'readme.txt']));
    expect(out.lines).toEqual(['ftp-conform reference server', 'line two', '', 'last line']);
    expect(out.size).toBe(SAMPLE_FILES['binary.bin'].length);
    // SIZE follows the TYPE (RFC 3659 §4): in ASCII every LF costs one more octet.
    const lineFeeds = SAMPLE_FILES['binary.bin'].filter((byte) => byte === 0x0a).length;
    expect(out.ascii_size).toBe(SAMPLE_FILES['binary.bin'].length + lineFeeds);
  });

  it('makes and removes directories, renames and deletes files', async () => {
    const out = await python(`
out['mkd'] = ftp.mkd('py dir')
ftp.cwd('py dir')
out['pwd'] = ftp.pwd()
ftp.storlines('STOR lines.txt', io.BytesIO(b'a\\r\\nb\\r\\n'))
out['rename'] = ftp.rename('lines.txt', 'renamed.txt')
out['listing'] = ftp.nlst()
out['delete'] = ftp.delete('renamed.txt')
ftp.cwd('..')
out['rmd'] = ftp.rmd('py dir')
try:
    ftp.rename('does-not-exist', 'x')
except ftplib.error_perm as error:
    out['error'] = str(error)[:3]
`);
    expect(out.mkd).toBe('/py dir');
    expect(out.pwd).toBe('/py dir');
    expect(out.rename).toMatch(/^250 /);
    expect(out.listing).toEqual(['renamed.txt']);
    expect(out.delete).toMatch(/^250 /);
    expect(out.rmd).toMatch(/^250 /);
    expect(out.error).toBe('550');
  });

  it('aborts a transfer with ABOR sent as urgent data (ftplib.abort)', async () => {
    const out = await python(`
conn = ftp.transfercmd('RETR big.bin')
conn.recv(1024)
out['abort'] = ftp.abort()[:3]
conn.close()
if out['abort'] == '426':
    out['after'] = ftp.getresp()[:3]
out['noop'] = ftp.voidcmd('NOOP')[:3]
`);
    expect(['426', '226']).toContain(out.abort);
    if (out.abort === '426') expect(out.after).toBe('226');
    expect(out.noop).toBe('200');
  });
});
