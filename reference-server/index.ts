/** Public API of the reference FTP server. */
export { startReferenceServer, type ReferenceServerOptions, type RunningServer } from './server';
export {
  createTemporaryServer,
  SAMPLE_FILES,
  TEMPORARY_PASSWORD,
  TEMPORARY_USER,
  type TemporaryServer,
  type TemporaryServerOptions,
} from './temporary';
export { serveFromArgs, parsePortRange, type ServeArguments } from './serve';
export {
  hashPassword,
  verifyPassword,
  loadUsersFile,
  type UserRecord,
  type Permission,
  type AnonymousOption,
} from './users';
export { replies } from './replies';
export { formatReply, quotePathname, type Reply } from './reply-format';
export { buildCommandTable, type CommandSpec } from './commands';
export type { TlsExtension, TlsFiles, TlsVerb } from './tls-extension';
export type { Session } from './session';
export type { DataSocketWrap } from './data-connection';
export { PERSONALITIES, personalityNamed, type Personality, type PersonalityOption, type ReplyOverride } from './personalities';
