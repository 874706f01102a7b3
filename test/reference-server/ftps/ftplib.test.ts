/**
 * Python's ftplib.FTP_TLS against the reference server.
 *
 * Stock ftplib (3.11, and every version so far) does NOT resume the control connection's TLS
 * session on data connections: ntransfercmd() calls wrap_socket() without `session=` and the
 * SSLContext has no client-side session cache (python/cpython#63699, bpo-19500). So with
 * requireSessionReuse the stock client is refused, and the usual subclass that passes
 * `session=self.sock.session` (what servers like vsftpd's require_ssl_reuse force users into) works.
 */
import { createHash } from 'node:crypto';
import { createTemporaryServer, SAMPLE_FILES, type TemporaryServer } from '../../../reference-server';
import { runProcess } from '../helpers/processes';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Run a Python snippet with `ftp` logged in over AUTH TLS; it prints one JSON object. */
const REUSING_CLIENT = `
class ReusingFTP_TLS(ftplib.FTP_TLS):
    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size
`;

interface PythonOptions {
  readonly maxVersion?: 'TLSv1_2' | 'TLSv1_3';
  /** Use the subclass that resumes the control session on data connections. */
  readonly reuse?: boolean;
}

async function python(server: TemporaryServer, body: string, options: PythonOptions = {}): Promise<Record<string, unknown>> {
  const script = [
    'import ftplib, hashlib, io, json, ssl',
    REUSING_CLIENT,
    'context = ssl.create_default_context()',
    'context.check_hostname = False',
    'context.verify_mode = ssl.CERT_NONE',
    `context.maximum_version = ssl.TLSVersion.${options.maxVersion ?? 'TLSv1_3'}`,
    `ftp = ${options.reuse === true ? 'ReusingFTP_TLS' : 'ftplib.FTP_TLS'}(context=context)`,
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

const WORKFLOW = `
ftp.prot_p()
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
ftp.retrlines('LIST', lines.append)
out['list'] = lines
out['version'] = ftp.sock.version()
`;

const refused = (log: readonly string[]) => log.some((line) => line.includes('data connection refused'));
const resumed = (log: readonly string[]) => log.filter((line) => line.includes('data connection TLS')).map((line) => /resumed/.test(line));

describe('Python ftplib.FTP_TLS (stock), session reuse not required', () => {
  let server: TemporaryServer;
  const log: string[] = [];
  beforeAll(async () => {
    server = await createTemporaryServer({ tls: true, failedLoginDelayMs: 0, log: (line) => log.push(line) });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    log.length = 0;
  });

  it.each([
    ['passive', ''],
    ['active (the server connects and is still the TLS server, RFC 4217 §7)', 'ftp.set_pasv(False)'],
  ])('logs in, prot_p, storbinary, retrbinary, nlst, LIST: %s', async (_mode, setup) => {
    const out = await python(server, `${setup}\n${WORKFLOW}`);
    expect(out.same).toBe(true);
    expect(out.binary).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(out.names).toEqual(expect.arrayContaining(['binary.bin', 'from-python.bin', 'pub', 'readme.txt']));
    expect((out.list as string[]).some((line) => / readme\.txt$/.test(line))).toBe(true);
    expect(out.version).toBe('TLSv1.3');
    expect(refused(log)).toBe(false);
    expect(log.filter((line) => / > (AUTH|PBSZ|PROT)/.test(line)).map((line) => line.split(' > ')[1])).toEqual(['AUTH TLS', 'PBSZ 0', 'PROT P']);
    // Stock ftplib does a full handshake on every data connection.
    expect(resumed(log)).toEqual([false, false, false, false, false]);
  });

  it('works over TLS 1.2 too', async () => {
    const out = await python(server, WORKFLOW, { maxVersion: 'TLSv1_2' });
    expect(out.version).toBe('TLSv1.2');
    expect(out.same).toBe(true);
    expect(out.binary).toBe(sha256(SAMPLE_FILES['binary.bin']));
  });
});

describe('Python ftplib.FTP_TLS, session reuse required (RFC 4217 §10.2)', () => {
  let server: TemporaryServer;
  const log: string[] = [];
  beforeAll(async () => {
    server = await createTemporaryServer({ tls: { requireSessionReuse: true }, failedLoginDelayMs: 0, log: (line) => log.push(line) });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    log.length = 0;
  });

  it.each([
    ['TLS 1.3, passive', 'TLSv1_3', ''],
    ['TLS 1.3, active', 'TLSv1_3', 'ftp.set_pasv(False)'],
    ['TLS 1.2 (RFC 5077 ticket), passive', 'TLSv1_2', ''],
  ] as const)('a client passing session=self.sock.session works: %s', async (_title, maxVersion, setup) => {
    const out = await python(server, `${setup}\n${WORKFLOW}`, { maxVersion, reuse: true });
    expect(out.same).toBe(true);
    expect(out.binary).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(out.names).toEqual(expect.arrayContaining(['binary.bin', 'from-python.bin', 'pub', 'readme.txt']));
    expect(refused(log)).toBe(false);
    expect(resumed(log)).toEqual([true, true, true, true, true]);
  });

  it('stock ftplib, which does a full handshake, is refused on the data connection and may retry', async () => {
    const out = await python(
      server,
      `
ftp.prot_p()
try:
    ftp.retrbinary('RETR readme.txt', lambda data: None)
except (ftplib.error_temp, ftplib.error_perm, ssl.SSLError, OSError) as error:
    out['error'] = str(error)
ftp.prot_c()
data = []
ftp.retrbinary('RETR readme.txt', data.append)
out['clear'] = b''.join(data).decode()
`,
    );
    expect(out.error).toMatch(/^522 /);
    expect(refused(log)).toBe(true);
    expect(out.clear).toBe(SAMPLE_FILES['readme.txt'].toString());
  });
});
