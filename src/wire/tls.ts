import * as net from 'net';
import * as tls from 'tls';
import { WireError } from './control-errors';

/**
 * Client-side TLS for RFC 4217. Devices ship self-signed certificates, so the harness does not
 * judge the certificate (it records who it claims to be); it judges the protocol.
 */
export interface TlsInfo {
  protocol: string;
  cipher: string;
  subject: string;
  resumed: boolean;
}

export function describeTls(s: tls.TLSSocket): TlsInfo {
  const cert = s.getPeerCertificate();
  const subject = cert && cert.subject ? Object.entries(cert.subject).map(([k, v]) => `${k}=${v}`).join(', ') : '(no certificate)';
  return { protocol: s.getProtocol() ?? '?', cipher: s.getCipher()?.name ?? '?', subject, resumed: s.isSessionReused() };
}

/** Starts TLS over an open socket (AUTH TLS, or a protected data connection), or dials a new TLS connection (implicit FTPS). */
export function startTls(
  target: { socket: net.Socket } | { host: string; port: number },
  opts: { timeoutMs: number; servername?: string; session?: Buffer },
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      ...target,
      rejectUnauthorized: false,
      servername: opts.servername && !net.isIP(opts.servername) ? opts.servername : undefined,
      session: opts.session,
      minVersion: 'TLSv1.2',
    });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new WireError('timeout', `TLS handshake not finished within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      s.destroy();
      const kind = e.code === 'ECONNREFUSED' ? 'refused' : 'reset';
      reject(new WireError(kind, `TLS handshake failed: ${e.code ?? ''} ${e.message}`.trim()));
    });
  });
}
