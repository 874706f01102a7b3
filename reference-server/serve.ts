/**
 * `ftp-conform serve`: start the reference server from command-line flags and log every command
 * and reply of every session to stderr (`[session 3 127.0.0.1:5555] > USER x`, `< 331 …`; the PASS
 * argument is masked). The CLI owns signals and calls close().
 */
import { startReferenceServer, type RunningServer } from './server';
import { loadTlsExtension, type TlsExtension, type TlsPolicy } from './tls-extension';

export interface ServeArguments {
  readonly port: number;
  readonly host: string;
  readonly root: string;
  /** Path of a JSON users file. */
  readonly users?: string;
  readonly anonymous?: boolean;
  /** `A-B`, e.g. `50000-50100`. */
  readonly pasvPorts?: string;
  readonly implicitTlsPort?: number;
  /** PEM files; when both are missing and TLS is asked for, a self-signed pair is generated. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** Explicit FTPS (AUTH TLS) without an implicit port; implied by the other TLS arguments. */
  readonly tls?: boolean;
  /** RFC 4217 policy knobs (session reuse on data connections, TLS before login, CCC). */
  readonly tlsPolicy?: TlsPolicy;
  /** A personality name (reference-server/personalities/): modulus, emftp, rfc959-minimum, paper. */
  readonly personality?: string;
}

export async function serveFromArgs(args: ServeArguments, log: (line: string) => void = writeToStderr): Promise<RunningServer> {
  const tlsRequested =
    args.tls === true || args.tlsPolicy !== undefined || args.tlsCert !== undefined || args.tlsKey !== undefined || args.implicitTlsPort !== undefined;
  let tls: TlsExtension | undefined;
  if (tlsRequested) {
    if ((args.tlsCert === undefined) !== (args.tlsKey === undefined)) {
      throw new Error('TLS needs both --tls-cert and --tls-key (or neither, for a generated self-signed certificate)');
    }
    const files = args.tlsCert !== undefined && args.tlsKey !== undefined ? { cert: args.tlsCert, key: args.tlsKey } : undefined;
    tls = await loadTlsExtension(files, args.tlsPolicy);
    if (tls.certificate?.generated === true) {
      log(`FTPS with a self-signed certificate for localhost (${tls.certificate.certPath}): clients must trust that file or skip verification`);
    }
  }
  const server = await startReferenceServer({
    host: args.host,
    port: args.port,
    root: args.root,
    users: args.users,
    anonymous: args.anonymous ?? false,
    pasvPorts: args.pasvPorts === undefined ? undefined : parsePortRange(args.pasvPorts),
    implicitTlsPort: args.implicitTlsPort,
    tls,
    log,
    personality: args.personality,
  });
  log(`ftp-conform reference server listening on ${server.urls.join(' ')} serving ${server.root}`);
  if (args.personality !== undefined) log(`personality: ${args.personality}`);
  if (tls !== undefined) log('explicit FTPS (AUTH TLS) on the same port');
  if (server.implicitTlsPort !== undefined) log(`implicit FTPS on port ${server.implicitTlsPort}`);
  return server;
}

export function parsePortRange(text: string): [number, number] {
  const match = /^(\d{1,5})-(\d{1,5})$/.exec(text.trim());
  const low = Number(match?.[1]);
  const high = Number(match?.[2]);
  if (match === null || low < 1024 || high > 65535 || low > high) {
    throw new Error(`passive port range must look like 50000-50100 (1024–65535), got "${text}"`);
  }
  return [low, high];
}

function writeToStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}
