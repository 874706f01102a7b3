/** curl, in its passive and active modes, against the reference server. */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTemporaryServer, SAMPLE_FILES, type TemporaryServer } from '../../reference-server';
import { runProcess } from './helpers/processes';

let server: TemporaryServer;
let scratch: string;
const log: string[] = [];

beforeAll(async () => {
  server = await createTemporaryServer({ failedLoginDelayMs: 0, log: (line) => log.push(line) });
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'ftp-conform-curl-'));
});
afterAll(async () => {
  await server.close();
  await fsp.rm(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  log.length = 0;
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const url = (pathname: string) => `ftp://127.0.0.1:${server.port}/${pathname}`;

async function curl(...args: string[]): Promise<Buffer> {
  const result = await runProcess('curl', ['--silent', '--show-error', '--max-time', '20', '--user', `${server.user}:${server.password}`, ...args]);
  if (result.code !== 0) throw new Error(`curl ${args.join(' ')} exited ${result.code}: ${result.stderr}\n${log.join('\n')}`);
  return result.stdout;
}

/** The commands the server received, from its session log. */
const commandsSeen = () => log.filter((line) => / > /.test(line)).map((line) => line.split(' > ')[1]!.split(' ')[0]);

describe('curl', () => {
  it.each([
    ['EPSV (default passive)', [], 'EPSV'],
    ['PASV (--disable-epsv)', ['--disable-epsv'], 'PASV'],
    ['EPRT (-P 127.0.0.1)', ['-P', '127.0.0.1'], 'EPRT'],
    ['PORT (-P 127.0.0.1 --disable-eprt)', ['-P', '127.0.0.1', '--disable-eprt'], 'PORT'],
  ])('downloads byte-exact with %s', async (_title, options, expectedCommand) => {
    const body = await curl(...options, url('binary.bin'));
    expect(sha256(body)).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(commandsSeen()).toContain(expectedCommand);
    expect(commandsSeen()).toContain('RETR');
  });

  it('uploads with STOR, passive and active', async () => {
    const local = path.join(scratch, 'upload.bin');
    await fsp.writeFile(local, SAMPLE_FILES['binary.bin']);
    await curl('--ftp-pasv', '-T', local, url('curl-up.bin'));
    expect(sha256(await fsp.readFile(path.join(server.root, 'curl-up.bin')))).toBe(sha256(SAMPLE_FILES['binary.bin']));
    await curl('-P', '127.0.0.1', '-T', local, url('curl-up-active.bin'));
    expect(sha256(await fsp.readFile(path.join(server.root, 'curl-up-active.bin')))).toBe(sha256(SAMPLE_FILES['binary.bin']));
  });

  it('lists directories with LIST and NLST', async () => {
    const long = (await curl(url(''))).toString();
    expect(long).toMatch(/^-rw\S+ .* readme\.txt\r?$/m);
    const names = (await curl('--list-only', url('pub/'))).toString();
    expect(names.split(/\r?\n/).filter(Boolean)).toEqual(['notes.txt']);
  });

  it('resumes a download (-C -) with SIZE and REST', async () => {
    const local = path.join(scratch, 'resumed.bin');
    await fsp.writeFile(local, SAMPLE_FILES['binary.bin'].subarray(0, 12_345));
    await curl('-C', '-', '-o', local, url('binary.bin'));
    expect(sha256(await fsp.readFile(local))).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(commandsSeen()).toEqual(expect.arrayContaining(['REST']));
  });

  it('runs quoted commands: MKD, RNFR/RNTO, DELE, RMD', async () => {
    await curl('-Q', 'MKD made-by-curl', url(''), '-o', '/dev/null');
    expect((await fsp.stat(path.join(server.root, 'made-by-curl'))).isDirectory()).toBe(true);
    await fsp.writeFile(path.join(server.root, 'old-name.txt'), 'x');
    await curl('-Q', 'RNFR old-name.txt', '-Q', 'RNTO new-name.txt', '-Q', 'DELE new-name.txt', '-Q', 'RMD made-by-curl', url(''), '-o', '/dev/null');
    await expect(fsp.stat(path.join(server.root, 'new-name.txt'))).rejects.toThrow();
    await expect(fsp.stat(path.join(server.root, 'made-by-curl'))).rejects.toThrow();
  });

  it('logs each command and reply with the password masked', async () => {
    await curl(url('readme.txt'));
    expect(log.some((line) => /^\[session \d+ 127\.0\.0\.1:\d+\] > PASS \*\*\*\*$/.test(line))).toBe(true);
    expect(log.some((line) => /^\[session \d+ 127\.0\.0\.1:\d+\] < 230 /.test(line))).toBe(true);
    expect(log.join('\n')).not.toContain(`PASS ${server.password}`);
  });
});
