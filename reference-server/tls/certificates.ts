/**
 * The server certificate for AUTH TLS (RFC 4217). RFC 4217 §10.2: "the TLS authentication of the
 * server will be authentication of the server host itself and not a user on the server host", so
 * a test server only needs a certificate for the loopback names: CN=localhost, SAN
 * IP:127.0.0.1, IP:::1, DNS:localhost.
 *
 * Node cannot create certificates, so a fresh self-signed pair is made with the `openssl`
 * command line, once per process, in a private directory under os.tmpdir(). Without openssl the
 * committed, publicly known test pair in ./fixtures is used (tests only — see its README).
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertificateOptions {
  /** PEM certificate (chain). If the key is in the same file, keyPath may be omitted. */
  certPath?: string;
  keyPath?: string;
  /** The openssl executable; tests point it at a missing file to exercise the fallback. */
  opensslPath?: string;
}

export interface CertificatePair {
  cert: string;
  key: string;
  /** Where the pair came from: the given files, openssl, or the committed test-only fixture. */
  source: 'files' | 'generated' | 'test-fixture';
  /** The files the pair was read from, e.g. to give a client as its trust anchor. */
  certPath: string;
  keyPath: string;
}

export const CERTIFICATE_SUBJECT = '/CN=localhost';
export const CERTIFICATE_SAN = 'IP:127.0.0.1,IP:::1,DNS:localhost';
const VALIDITY_DAYS = '7305';

const generated = new Map<string, Promise<CertificatePair>>();

export async function loadOrGenerateCertificate(options: CertificateOptions = {}): Promise<CertificatePair> {
  if (options.certPath !== undefined) return loadFromFiles(options.certPath, options.keyPath ?? options.certPath);
  if (options.keyPath !== undefined) throw new Error('keyPath given without certPath');
  const openssl = options.opensslPath ?? 'openssl';
  let pair = generated.get(openssl);
  if (!pair) {
    pair = generateOrFallBack(openssl);
    generated.set(openssl, pair);
    // A failed attempt must not poison the cache for the rest of the process.
    pair.catch(() => generated.delete(openssl));
  }
  return pair;
}

async function loadFromFiles(certPath: string, keyPath: string, source: CertificatePair['source'] = 'files'): Promise<CertificatePair> {
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  assertMatchingPair(cert, key, certPath);
  return { cert, key, source, certPath, keyPath };
}

/** Fails early, with the file name, rather than at the first handshake. */
function assertMatchingPair(cert: string, key: string, where: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new Error(`${where}: not a PEM certificate (${(error as Error).message})`);
  }
  if (!certificate.checkPrivateKey(createPrivateKey(key))) throw new Error(`${where}: the private key does not match the certificate`);
}

async function generateOrFallBack(openssl: string): Promise<CertificatePair> {
  const dir = await mkdtemp(join(tmpdir(), 'ftp-conform-tls-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    await run(openssl, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
      '-keyout', keyPath, '-out', certPath, '-days', VALIDITY_DAYS,
      '-subj', CERTIFICATE_SUBJECT,
      '-addext', `subjectAltName=${CERTIFICATE_SAN}`,
      '-addext', 'basicConstraints=critical,CA:FALSE',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const fixtures = fixtureDirectory();
    return loadFromFiles(join(fixtures, 'test-cert.pem'), join(fixtures, 'test-key.pem'), 'test-fixture');
  }
  return loadFromFiles(certPath, keyPath, 'generated');
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(error);
      reject(new Error(`${command} ${args.slice(0, 2).join(' ')} failed: ${stderr.trim() || error.message}`));
    });
  });
}

/** ./fixtures next to this file when run from sources; the source tree when run from dist/. */
export function fixtureDirectory(): string {
  const candidates = [join(__dirname, 'fixtures'), join(__dirname, '..', '..', '..', 'reference-server', 'tls', 'fixtures')];
  const found = candidates.find((dir) => existsSync(join(dir, 'test-cert.pem')));
  if (!found) throw new Error(`openssl is missing and no test certificate was found in ${candidates.join(' or ')}`);
  return found;
}
