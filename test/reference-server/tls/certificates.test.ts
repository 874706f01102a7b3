import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrGenerateCertificate } from '../../../reference-server/tls';
import { fixtureDirectory } from '../../../reference-server/tls/certificates';

const EXPECTED_SAN = 'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost';

function describeCertificate(pem: string) {
  const certificate = new X509Certificate(pem);
  return { subject: certificate.subject, subjectAltName: certificate.subjectAltName, certificate };
}

describe('loadOrGenerateCertificate', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ftp-conform-cert-test-'));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('generates a self-signed pair for the loopback names with openssl, once per process', async () => {
    const first = await loadOrGenerateCertificate();
    expect(first.source).toBe('generated');
    const { subject, subjectAltName, certificate } = describeCertificate(first.cert);
    expect(subject).toBe('CN=localhost');
    expect(subjectAltName).toBe(EXPECTED_SAN);
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(certificate.verify(certificate.publicKey)).toBe(true); // self-signed
    expect(new Date(certificate.validTo).getTime() - Date.now()).toBeGreaterThan(19 * 365 * 24 * 3600 * 1000);
    expect(await loadOrGenerateCertificate()).toBe(first);
  });

  it('falls back to the committed test-only pair when openssl is missing', async () => {
    const pair = await loadOrGenerateCertificate({ opensslPath: join(scratch, 'no-such-openssl') });
    expect(pair.source).toBe('test-fixture');
    expect(pair.certPath).toBe(join(fixtureDirectory(), 'test-cert.pem'));
    expect(describeCertificate(pair.cert).subjectAltName).toBe(EXPECTED_SAN);
  });

  it('loads given PEM files, the key possibly in the certificate file', async () => {
    const generated = await loadOrGenerateCertificate();
    const combined = join(scratch, 'combined.pem');
    await writeFile(combined, generated.cert + generated.key);
    const pair = await loadOrGenerateCertificate({ certPath: combined });
    expect(pair.source).toBe('files');
    expect(pair.keyPath).toBe(combined);
    const separate = await loadOrGenerateCertificate({ certPath: generated.certPath, keyPath: generated.keyPath });
    expect(separate.cert).toBe(generated.cert);
  });

  it.each([
    ['a key that does not match', async (fixtureKey: string) => ({ certPath: (await loadOrGenerateCertificate()).certPath, keyPath: fixtureKey }), /does not match/],
    ['a file that is not a certificate', async (fixtureKey: string) => ({ certPath: fixtureKey, keyPath: fixtureKey }), /not a PEM certificate/],
    ['a missing file', async () => ({ certPath: join(scratch, 'missing.pem') }), /ENOENT/],
    ['a key without a certificate', async (fixtureKey: string) => ({ keyPath: fixtureKey }), /keyPath given without certPath/],
  ])('refuses %s', async (_title, makeOptions, message) => {
    const options = await makeOptions(join(fixtureDirectory(), 'test-key.pem'));
    await expect(loadOrGenerateCertificate(options)).rejects.toThrow(message);
  });
});
