import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

/** A real FTP server from Debian, started on loopback for one test file. */
export interface RealServer {
  name: 'pyftpdlib' | 'vsftpd';
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForGreeting(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.setTimeout(1000, () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server on port ${port} did not greet within 15 s: ${log()}`);
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
      clearTimeout(timer);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

export function pyftpdlibAvailable(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', 'import pyftpdlib'], { stdio: 'ignore' }).status === 0;
}

export async function startPyftpdlib(): Promise<RealServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpc-pyftpdlib-'));
  const port = await freePort();
  let out = '';
  const child = spawn('/usr/bin/python3', ['-m', 'pyftpdlib', '-i', '127.0.0.1', '-p', String(port), '-w', '-d', dir, '-u', 'conform', '-P', 'conform'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out = (out + d).slice(-4000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-4000)));
  await waitForGreeting(port, child, () => out);
  return { name: 'pyftpdlib', port, user: 'conform', password: 'conform', stop: stopper(child, dir) };
}

export const VSFTPD_USER = 'ftpconform';

/** vsftpd needs root and the local user that .ci/run creates. */
export function vsftpdAvailable(): boolean {
  if (!fs.existsSync('/usr/sbin/vsftpd') || process.getuid?.() !== 0) return false;
  return spawnSync('getent', ['passwd', VSFTPD_USER], { stdio: 'ignore' }).status === 0;
}

export async function startVsftpd(): Promise<RealServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpc-vsftpd-'));
  const root = path.join(dir, 'root');
  const empty = path.join(dir, 'empty');
  fs.mkdirSync(root);
  fs.mkdirSync(empty);
  spawnSync('chown', [VSFTPD_USER, root]);
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, 'vsftpd.conf');
  fs.writeFileSync(
    conf,
    [
      'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
      'anonymous_enable=NO', 'local_enable=YES', 'write_enable=YES', 'local_umask=022', 'seccomp_sandbox=NO',
      `secure_chroot_dir=${empty}`, 'pam_service_name=vsftpd', `local_root=${root}`, 'pasv_enable=YES',
      'port_enable=YES', 'xferlog_enable=NO', 'max_per_ip=0', 'max_clients=0',
    ].join('\n') + '\n',
  );
  let out = '';
  const child = spawn('/usr/sbin/vsftpd', [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out = (out + d).slice(-4000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-4000)));
  await waitForGreeting(port, child, () => out);
  return { name: 'vsftpd', port, user: VSFTPD_USER, password: VSFTPD_USER, stop: stopper(child, dir) };
}
