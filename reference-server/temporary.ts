/**
 * A throw-away server for tests and demos: a fresh temp directory with a few files, user
 * `conform`/`conform` with every permission, and read-only anonymous login. close() removes the
 * directory.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startReferenceServer, type ReferenceServerOptions, type RunningServer } from './server';
import { loadTlsExtension, type TlsExtension, type TlsPolicy } from './tls-extension';

export interface TemporaryServer extends RunningServer {
  readonly user: string;
  readonly password: string;
  /** The server certificate when TLS is on (PEM, and its file), for clients that verify it. */
  readonly certificate?: TlsExtension['certificate'];
}

export type TemporaryServerOptions = Omit<ReferenceServerOptions, 'root' | 'users' | 'tls'> & {
  /**
   * FTPS: `true` (or a policy) for a generated self-signed certificate for localhost, or a ready
   * extension. Implied by `implicitTlsPort`.
   */
  readonly tls?: boolean | TlsPolicy | TlsExtension;
};

export const TEMPORARY_USER = 'conform';
export const TEMPORARY_PASSWORD = 'conform';

/** Files every temporary server starts with (also handy for tests that check contents). */
export const SAMPLE_FILES = {
  /** Text with LF line ends: TYPE A must send CRLF. */
  'readme.txt': Buffer.from('ftp-conform reference server\nline two\n\nlast line\n', 'utf8'),
  /** Every byte value, then a deterministic pseudo-random tail: TYPE I must be byte-exact. */
  'binary.bin': sampleBinary(200_000),
  'pub/notes.txt': Buffer.from('notes in a subdirectory\n', 'utf8'),
} as const;

export async function createTemporaryServer(options: TemporaryServerOptions = {}): Promise<TemporaryServer> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'ftp-conform-ref-'));
  try {
    for (const [name, content] of Object.entries(SAMPLE_FILES)) {
      const file = path.join(root, ...name.split('/'));
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await fsp.writeFile(file, content);
    }
    const tls = await temporaryTls(options);
    const server = await startReferenceServer({
      anonymous: true,
      ...options,
      tls,
      root,
      users: [{ name: TEMPORARY_USER, password: TEMPORARY_PASSWORD, home: '/', permissions: ['read', 'write', 'delete', 'mkdir'] }],
    });
    return {
      ...server,
      user: TEMPORARY_USER,
      password: TEMPORARY_PASSWORD,
      certificate: tls?.certificate,
      async close() {
        try {
          await server.close();
        } finally {
          await fsp.rm(root, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await fsp.rm(root, { recursive: true, force: true });
    throw error;
  }
}

function temporaryTls(options: TemporaryServerOptions): Promise<TlsExtension | undefined> | TlsExtension | undefined {
  const { tls, implicitTlsPort } = options;
  if (tls === false || (tls === undefined && implicitTlsPort === undefined)) return undefined;
  if (typeof tls === 'object' && 'handlers' in tls) return tls;
  return loadTlsExtension(undefined, typeof tls === 'object' ? tls : {});
}

function sampleBinary(length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < 256; index++) bytes[index] = index;
  // xorshift32: the same bytes on every run.
  let state = 0x2545f491;
  for (let index = 256; index < length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}
