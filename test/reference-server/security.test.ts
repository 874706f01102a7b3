/** RFC 2577 protections, limits, confinement, users files, and the server's lifecycle. */
import { promises as fsp } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createTemporaryServer,
  hashPassword,
  serveFromArgs,
  startReferenceServer,
  type RunningServer,
} from '../../reference-server';
import { expectCode, RawClient, readAll } from './helpers/raw-client';

const servers: RunningServer[] = [];
const clients: RawClient[] = [];
let scratch: string;

beforeAll(async () => {
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'ftp-conform-security-'));
  await fsp.mkdir(path.join(scratch, 'root', 'inside'), { recursive: true });
  await fsp.mkdir(path.join(scratch, 'outside'));
  await fsp.writeFile(path.join(scratch, 'outside', 'secret.txt'), 'secret');
  await fsp.writeFile(path.join(scratch, 'root', 'inside', 'file.txt'), 'inside');
  await fsp.symlink(path.join(scratch, 'outside'), path.join(scratch, 'root', 'escape'));
  await fsp.symlink(path.join(scratch, 'outside', 'secret.txt'), path.join(scratch, 'root', 'secret-link.txt'));
  await fsp.symlink(path.join(scratch, 'root', 'inside'), path.join(scratch, 'root', 'inside-link'));
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
  await fsp.rm(scratch, { recursive: true, force: true });
});

async function start(options: Partial<Parameters<typeof startReferenceServer>[0]> = {}): Promise<RunningServer> {
  const server = await startReferenceServer({
    root: path.join(scratch, 'root'),
    users: [{ name: 'alice', password: 'wonderland' }],
    failedLoginDelayMs: 0,
    ...options,
  });
  servers.push(server);
  return server;
}

async function connect(server: RunningServer, host = '127.0.0.1'): Promise<{ client: RawClient; greeting: number }> {
  const { client, greeting } = await RawClient.connect(server.port, host);
  clients.push(client);
  return { client, greeting: greeting.code };
}

describe('passwords (RFC 2577 §5)', () => {
  it('closes with 421 after too many failed attempts', async () => {
    const server = await start({ maxLoginAttempts: 3 });
    const { client } = await connect(server);
    for (let attempt = 1; attempt <= 2; attempt++) {
      expectCode(await client.command('USER alice'), 331);
      expectCode(await client.command('PASS wrong'), 530);
    }
    expectCode(await client.command('USER alice'), 331);
    expectCode(await client.command('PASS wrong'), 421);
    await client.waitForClose();
  });

  it('delays the answer to a failed PASS', async () => {
    const server = await start({ failedLoginDelayMs: 300 });
    const { client } = await connect(server);
    expectCode(await client.command('USER alice'), 331);
    const started = Date.now();
    expectCode(await client.command('PASS wrong'), 530);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expectCode(await client.command('USER alice'), 331);
    expectCode(await client.command('PASS wonderland'), 230);
  });

  it('reads scrypt and sha256 hashes from a users file; ACCT when the user needs an account (332)', async () => {
    const usersFile = path.join(scratch, 'users.json');
    await fsp.writeFile(
      usersFile,
      JSON.stringify([
        { name: 'bob', passwordHash: hashPassword('builder'), permissions: ['read'] },
        { name: 'carol', passwordHash: hashPassword('singer', 'sha256'), home: '/inside', account: 'choir' },
      ]),
    );
    const server = await start({ users: usersFile });
    const bob = await RawClient.login(server.port, 'bob', 'builder');
    clients.push(bob);
    expectCode(await bob.command('MKD nope'), 550);
    const { client: carol } = await connect(server);
    expectCode(await carol.command('USER carol'), 331);
    expectCode(await carol.command('PASS singer'), 332);
    expectCode(await carol.command('PWD'), 530);
    expectCode(await carol.command('ACCT choir'), 230);
    // The home directory is the top of carol's tree.
    expectCode(await carol.command('SIZE /file.txt'), 213);
    expectCode(await carol.command('ACCT again'), 202);
  });

  it('rejects a malformed users file with a message naming the entry', async () => {
    const usersFile = path.join(scratch, 'bad-users.json');
    await fsp.writeFile(usersFile, JSON.stringify([{ name: 'dave', passwordHash: 'plain' }]));
    await expect(start({ users: usersFile })).rejects.toThrow(/bad-users\.json\[0\]: "passwordHash"/);
  });
});

describe('limits (RFC 2577 §5, RFC 1123 §4.1.3.2)', () => {
  it('refuses sessions beyond the per-address and total limits with 421 at connect', async () => {
    const server = await start({ maxSessionsPerAddress: 2 });
    expect((await connect(server)).greeting).toBe(220);
    expect((await connect(server)).greeting).toBe(220);
    expect((await connect(server)).greeting).toBe(421);
    expect(server.sessions()).toBe(2);
    const single = await start({ maxSessions: 1 });
    expect((await connect(single)).greeting).toBe(220);
    expect((await connect(single)).greeting).toBe(421);
  });

  it('closes an idle session with 421', async () => {
    const server = await start({ idleTimeoutMs: 150 });
    const { client } = await connect(server);
    expectCode(await client.reply(2000), 421);
    await client.waitForClose();
  });

  it('ends a stalled transfer with 426, then the idle session with 421', async () => {
    const server = await start({ idleTimeoutMs: 300 });
    const client = await RawClient.login(server.port, 'alice', 'wonderland');
    clients.push(client);
    await client.passive();
    expectCode(await client.command('STOR stalled.txt'), 125, 150);
    expectCode(await client.reply(3000), 426);
    expectCode(await client.reply(3000), 421);
    await client.waitForClose();
    await expect(fsp.stat(path.join(scratch, 'root', 'stalled.txt'))).rejects.toThrow();
  });

  it('close() ends every session with 421 and stops listening', async () => {
    const server = await start();
    const { client } = await connect(server);
    const data = await (async () => {
      expectCode(await client.command('USER alice'), 331);
      expectCode(await client.command('PASS wonderland'), 230);
      return client.passive();
    })();
    const dataClosed = readAll(data).catch(() => Buffer.alloc(0));
    const started = Date.now();
    await server.close();
    servers.length = 0;
    expect(Date.now() - started).toBeLessThan(1500);
    expectCode(await client.reply(), 421);
    await client.waitForClose();
    await dataClosed;
    await expect(RawClient.connect(server.port)).rejects.toThrow();
  });
});

describe('confinement to the root', () => {
  it('refuses symbolic links that lead outside (550) and follows those that stay inside', async () => {
    const server = await start();
    const client = await RawClient.login(server.port, 'alice', 'wonderland');
    clients.push(client);
    expectCode(await client.command('CWD escape'), 550);
    expectCode(await client.command('SIZE secret-link.txt'), 550);
    expectCode(await client.command('SIZE escape/secret.txt'), 550);
    expectCode(await client.command('MKD escape/new'), 550);
    expectCode(await client.command('SIZE inside-link/file.txt'), 213);
    const data = await client.passive();
    const listing = readAll(data);
    expectCode(await client.command('NLST'), 125, 150);
    expectCode(await client.reply(), 226);
    expect((await listing).toString().split('\r\n').filter(Boolean).sort()).toEqual(['inside', 'inside-link']);
  });
});

describe('anonymous (RFC 1635)', () => {
  it('is refused unless enabled; can be given write access', async () => {
    const closed = await start();
    const { client } = await connect(closed);
    expectCode(await client.command('USER anonymous'), 331);
    expectCode(await client.command('PASS me@example.com'), 530);
    const open = await start({ anonymous: { write: true } });
    const anonymous = await RawClient.login(open.port, 'ftp', '');
    clients.push(anonymous);
    expectCode(await anonymous.command('MKD anonymous-dir'), 257);
    expectCode(await anonymous.command('RMD anonymous-dir'), 550);
    await fsp.rmdir(path.join(scratch, 'root', 'anonymous-dir'));
  });
});

describe('IPv6 (RFC 2428)', () => {
  it('listens on ::1 too; EPSV and EPRT work there, PASV does not', async () => {
    const server = await start({ ipv6: true });
    expect(server.urls).toEqual([`ftp://127.0.0.1:${server.port}/`, `ftp://[::1]:${server.port}/`]);
    const client = await RawClient.login(server.port, 'alice', 'wonderland', '::1');
    clients.push(client);
    expectCode(await client.command('PASV'), 501);
    expect((await client.command('EPSV 1')).raw).toMatch(/^522 [^()]*\(1,2\)\r\n$/);
    const data = await client.extendedPassive();
    const listing = readAll(data);
    expectCode(await client.command('NLST inside'), 125, 150);
    expectCode(await client.reply(), 226);
    expect((await listing).toString()).toBe('inside/file.txt\r\n');

    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen({ host: '::1', port: 0 }, resolve));
    const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
    const port = (listener.address() as net.AddressInfo).port;
    expectCode(await client.command(`EPRT |2|::1|${port}|`), 200);
    client.send('RETR inside/file.txt\r\n');
    const received = readAll(await accepted);
    expectCode(await client.reply(), 150);
    expectCode(await client.reply(), 226);
    expect((await received).toString()).toBe('inside');
    listener.close();
    expectCode(await client.command('HOST [::1]'), 503);
  });
});

describe('serveFromArgs', () => {
  it('starts from CLI-style arguments, uses the passive port range, and logs to the given sink', async () => {
    const lines: string[] = [];
    const usersFile = path.join(scratch, 'serve-users.json');
    await fsp.writeFile(usersFile, JSON.stringify([{ name: 'eve', passwordHash: hashPassword('x', 'sha256') }]));
    const server = await serveFromArgs(
      { port: 0, host: '127.0.0.1', root: path.join(scratch, 'root'), users: usersFile, pasvPorts: '40100-40110' },
      (line) => lines.push(line),
    );
    servers.push(server);
    const client = await RawClient.login(server.port, 'eve', 'x');
    clients.push(client);
    const reply = expectCode(await client.command('EPSV'), 229);
    const port = Number(/\|\|\|(\d+)\|/.exec(reply.lines[0]!)![1]);
    expect(port).toBeGreaterThanOrEqual(40100);
    expect(port).toBeLessThanOrEqual(40110);
    expect(lines[0]).toMatch(/listening on ftp:\/\/127\.0\.0\.1:\d+\//);
    expect(lines).toContain(`[session 1 127.0.0.1:${client.socket.localPort}] > PASS ****`);
    await expect(serveFromArgs({ port: 0, host: '127.0.0.1', root: scratch, pasvPorts: '10-5' }, () => undefined)).rejects.toThrow(
      /passive port range/,
    );
  });
});

describe('createTemporaryServer', () => {
  it('removes its directory on close', async () => {
    const server = await createTemporaryServer();
    expect((await fsp.readdir(server.root)).sort()).toEqual(['binary.bin', 'pub', 'readme.txt']);
    await server.close();
    await expect(fsp.stat(server.root)).rejects.toThrow();
  });
});
