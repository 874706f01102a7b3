/** A real client library, basic-ftp, through ordinary workflows. */
import { Client, enterPassiveModeIPv4, FileType } from 'basic-ftp';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createTemporaryServer, SAMPLE_FILES, type TemporaryServer } from '../../reference-server';

let server: TemporaryServer;
let client: Client;

beforeAll(async () => {
  server = await createTemporaryServer({ failedLoginDelayMs: 0 });
});
beforeEach(async () => {
  client = new Client(10_000);
  await client.access({ host: '127.0.0.1', port: server.port, user: server.user, password: server.password });
});
afterEach(() => {
  client.close();
});
afterAll(async () => {
  await server.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function download(remote: string, startAt = 0): Promise<Buffer> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  await client.downloadTo(sink, remote, startAt);
  return Buffer.concat(chunks);
}

describe('basic-ftp against the reference server', () => {
  it('uploads and downloads byte-exact (EPSV and PASV)', async () => {
    const payload = Buffer.concat([SAMPLE_FILES['binary.bin'], Buffer.from('\r\n\n\r tail')]);
    await client.uploadFrom(Readable.from([payload]), 'upload.bin');
    expect(sha256(await fsp.readFile(path.join(server.root, 'upload.bin')))).toBe(sha256(payload));
    expect(sha256(await download('upload.bin'))).toBe(sha256(payload));
    client.prepareTransfer = enterPassiveModeIPv4;
    expect(sha256(await download('binary.bin'))).toBe(sha256(SAMPLE_FILES['binary.bin']));
    expect(await client.size('binary.bin')).toBe(SAMPLE_FILES['binary.bin'].length);
  });

  it('lists a directory with names, sizes and types', async () => {
    const entries = await client.list();
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect(byName.get('readme.txt')?.size).toBe(SAMPLE_FILES['readme.txt'].length);
    expect(byName.get('readme.txt')?.type).toBe(FileType.File);
    expect(byName.get('pub')?.type).toBe(FileType.Directory);
    const modified = await client.lastMod('readme.txt');
    expect(Math.abs(modified.getTime() - Date.now())).toBeLessThan(3600_000);
  });

  it('resumes a download with REST', async () => {
    const tail = await download('binary.bin', 150_000);
    expect(tail.equals(SAMPLE_FILES['binary.bin'].subarray(150_000))).toBe(true);
  });

  it('appends to a file', async () => {
    await client.uploadFrom(Readable.from([Buffer.from('first;')]), 'appended.txt');
    await client.appendFrom(Readable.from([Buffer.from('second')]), 'appended.txt');
    expect(await fsp.readFile(path.join(server.root, 'appended.txt'), 'utf8')).toBe('first;second');
  });

  it('makes, enters, renames and removes directories and files', async () => {
    await client.ensureDir('/work/deeper');
    expect(await client.pwd()).toBe('/work/deeper');
    await client.uploadFrom(Readable.from([Buffer.from('x')]), 'file.txt');
    await client.rename('file.txt', '/work/moved.txt');
    await client.cd('/work');
    expect((await client.list()).map((entry) => entry.name).sort()).toEqual(['deeper', 'moved.txt']);
    await client.remove('moved.txt');
    await client.cd('/');
    await client.removeDir('/work');
    await expect(fsp.stat(path.join(server.root, 'work'))).rejects.toThrow();
  });

  it('reports failures as errors with the reply code', async () => {
    await expect(client.downloadTo(new PassThrough(), 'missing.txt')).rejects.toMatchObject({ code: 550 });
    await expect(client.cd('/nowhere')).rejects.toMatchObject({ code: 550 });
  });
});
