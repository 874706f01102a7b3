/** curl over explicit (`--ssl-reqd ftp://`) and implicit (`ftps://`) FTPS against the reference server. */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTemporaryServer, SAMPLE_FILES, type TemporaryServer } from '../../../reference-server';
import { runProcess } from '../helpers/processes';

let server: TemporaryServer;
let scratch: string;
const log: string[] = [];

beforeAll(async () => {
  // requireSessionReuse: curl resumes the control connection's session on every data connection.
  server = await createTemporaryServer({
    tls: { requireSessionReuse: true, tlsRequired: true },
    implicitTlsPort: 0,
    failedLoginDelayMs: 0,
    log: (line) => log.push(line),
  });
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'ftp-conform-curl-ftps-'));
});
afterAll(async () => {
  await server.close();
  await fsp.rm(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  log.length = 0;
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const explicitUrl = (pathname: string) => `ftp://127.0.0.1:${server.port}/${pathname}`;
const implicitUrl = (pathname: string) => `ftps://127.0.0.1:${server.implicitTlsPort}/${pathname}`;

async function curl(...args: string[]): Promise<Buffer> {
  const base = ['--silent', '--show-error', '--max-time', '20', '--user', `${server.user}:${server.password}`];
  const result = await runProcess('curl', [...base, ...args]);
  if (result.code !== 0) throw new Error(`curl ${args.join(' ')} exited ${result.code}: ${result.stderr}\n${log.join('\n')}`);
  return result.stdout;
}

const commands = () => log.filter((line) => / > /.test(line)).map((line) => line.split(' > ')[1]!.split(' ')[0]!);

describe.each([
  ['explicit, --ssl-reqd ftp://', ['--ssl-reqd', '-k'], explicitUrl],
  ['implicit, ftps://', ['-k'], implicitUrl],
])('curl, %s', (_title, options, url) => {
  it('downloads byte-exact over a protected data connection', async () => {
    const body = await curl(...options, url('binary.bin'));
    expect(sha256(body)).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(commands()).toEqual(expect.arrayContaining(['PBSZ', 'PROT', 'RETR']));
    expect(log.some((line) => line.includes('data connection refused'))).toBe(false);
  });

  // Active mode (-P) is not tested with curl: curl 7.88 does no TLS on an accepted data
  // connection ("sa_addr inet_ntop() failed", then plaintext); ftplib.test.ts covers active FTPS.
  it('uploads byte-exact', async () => {
    const local = path.join(scratch, 'upload.bin');
    await fsp.writeFile(local, SAMPLE_FILES['binary.bin']);
    const name = `curl-${options.length}.bin`;
    await curl(...options, '-T', local, url(name));
    expect(sha256(await fsp.readFile(path.join(server.root, name)))).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(commands()).toContain('STOR');
  });

  it('lists a directory (LIST and NLST)', async () => {
    const long = (await curl(...options, url(''))).toString();
    expect(long).toMatch(/^-rw\S+ .* readme\.txt\r?$/m);
    const names = (await curl(...options, '--list-only', url('pub/'))).toString();
    expect(names.split(/\r?\n/)).toEqual(['notes.txt', '']);
    expect(commands()).toEqual(expect.arrayContaining(['LIST', 'NLST']));
  });
});

it('without --ssl-reqd curl logs in in clear, and tlsRequired refuses it (530)', async () => {
  const result = await runProcess('curl', ['--silent', '--max-time', '20', '--user', `${server.user}:${server.password}`, explicitUrl('readme.txt')]);
  expect(result.code).not.toBe(0);
  expect(log.some((line) => / < 530 TLS required/.test(line))).toBe(true);
});
