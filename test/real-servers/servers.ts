import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, startVsftpd as startBenchVsftpd, stopChild, VSFTPD_USER, vsftpdUnavailable, waitForGreeting } from '../../bench/servers';

/** A real FTP server from Debian, started on loopback for one test file. */
export interface RealServer {
  name: 'pyftpdlib' | 'vsftpd';
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

export { freePort, VSFTPD_USER };

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
  return {
    name: 'pyftpdlib', port, user: 'conform', password: 'conform',
    stop: async () => {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** vsftpd needs root and the local user that .ci/run creates. */
export function vsftpdAvailable(): boolean {
  return vsftpdUnavailable() === null;
}

/** The same vsftpd configuration the benchmark uses, in a throw-away directory. */
export async function startVsftpd(): Promise<RealServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpc-vsftpd-'));
  const root = path.join(dir, 'root');
  fs.mkdirSync(root);
  fs.chmodSync(dir, 0o755);
  const server = await startBenchVsftpd(dir, root);
  return {
    name: 'vsftpd', port: server.port, user: server.user, password: server.password,
    stop: async () => {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
