/**
 * The servers under test, each in its own process: the reference server (dist/bench/reference-child.js)
 * and, when installed and run as root, vsftpd with a generated configuration.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface BenchServer {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly user: string;
  readonly password: string;
  /** The directory served as the login directory. */
  readonly root: string;
  stop(): Promise<void>;
}

export const VSFTPD = '/usr/sbin/vsftpd';
export const VSFTPD_USER = 'ftpconform';

/** Reads the first line of a child's stdout as JSON. */
function firstLine<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(out.slice(0, end)) as T);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${err}`)));
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A helper script compiled next to this one (dist/bench/…). */
export function benchScript(name: string): string {
  return path.join(__dirname, name);
}

export async function startReference(root: string, maxSessions: number): Promise<BenchServer> {
  const child = spawn(process.execPath, [benchScript('reference-child.js'), root, String(maxSessions)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const { port } = await firstLine<{ port: number }>(child, 'reference server');
  return { name: 'reference', port, pid: child.pid!, user: 'conform', password: 'conform', root, stop: () => stopChild(child) };
}

/** Why vsftpd cannot run here, or null when it can. */
export function vsftpdUnavailable(): string | null {
  if (!fs.existsSync(VSFTPD)) return `${VSFTPD} not installed`;
  if (process.getuid?.() !== 0) return 'needs root';
  if (spawnSync('getent', ['passwd', VSFTPD_USER], { stdio: 'ignore' }).status !== 0) return `no local user ${VSFTPD_USER}`;
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the server on `port` sends its first bytes (the greeting), or fails with its log. */
export async function waitForGreeting(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${log()}`);
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('data', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.setTimeout(1000, () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (greeted) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server on port ${port} did not greet within 15 s: ${log()}`);
}

/** vsftpd serving `root` (made over to the local user) from a config in `dir`. */
export async function startVsftpd(dir: string, root: string): Promise<BenchServer> {
  const empty = path.join(dir, 'vsftpd-empty');
  fs.mkdirSync(empty, { recursive: true });
  spawnSync('chown', ['-R', VSFTPD_USER, root]);
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
  let log = '';
  const child = spawn(VSFTPD, [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-2000)));
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-2000)));
  await waitForGreeting(port, child, () => log);
  return { name: 'vsftpd', port, pid: child.pid!, user: VSFTPD_USER, password: VSFTPD_USER, root, stop: () => stopChild(child) };
}

/** Resident memory of a process, from /proc/<pid>/status (VmRSS), in bytes. */
export function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (match === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** The soft limit on open files of this process (`ulimit -n`). */
export function openFileLimit(): number {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
  return match === null || match[1] === 'unlimited' ? Infinity : Number(match[1]);
}
