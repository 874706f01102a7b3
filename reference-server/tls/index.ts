/**
 * FTPS for the reference server (RFC 4217, RFC 2228): certificates, per-session TLS contexts
 * with the §10.2 session-reuse policy, AUTH TLS upgrade, PROT P data sockets, CCC.
 */
export { loadOrGenerateCertificate, CERTIFICATE_SAN, CERTIFICATE_SUBJECT } from './certificates';
export type { CertificateOptions, CertificatePair } from './certificates';
export { createSessionSecureContext, isResumedFrom, secureContextOf, serverSocketOptions } from './secure-context';
export type { CertificateAndKey, FtpsTlsSettings } from './secure-context';
export { connectClearableTls, downgradeFromTls, TlsSessionReuseRequiredError, upgradeToTls, wrapDataSocket } from './upgrade';
export type { ControlUpgradeOptions, DataWrapOptions, DowngradeOptions } from './upgrade';
export { createTlsExtension } from './extension';
export { tlsReplies } from './replies';
