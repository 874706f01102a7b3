import * as fs from 'fs';
import * as path from 'path';
import { Argv } from 'yargs';
import { PERSONALITIES, serveFromArgs } from '../../reference-server';
import { EXIT, Io, UsageError } from './common';

export function serveOptions(y: Argv) {
  return y
    .option('port', { type: 'number', default: 2121, describe: 'control port (0: any free port)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
    .option('root', { type: 'string', demandOption: true, describe: 'directory served as /' })
    .option('users', { type: 'string', describe: 'users JSON file (name, password hash, home, permissions)' })
    .option('anonymous', { type: 'boolean', default: false, describe: 'allow anonymous login (read-only)' })
    .option('tls-cert', { type: 'string', describe: 'PEM certificate for FTPS' })
    .option('tls-key', { type: 'string', describe: 'PEM private key for FTPS' })
    .option('implicit-tls-port', { type: 'number', describe: 'also serve implicit FTPS on this port' })
    .option('pasv-ports', { type: 'string', describe: 'passive port range A-B' })
    .option('personality', { choices: Object.keys(PERSONALITIES), describe: 'behave like a documented device: narrowed commands, its reply texts and limits' });
}

export async function serveCommand(argv: Record<string, unknown>, io: Io): Promise<number> {
  if (!fs.existsSync(String(argv.root)) || !fs.statSync(String(argv.root)).isDirectory()) throw new UsageError(`--root ${argv.root} is not a directory`);
  let server;
  try {
    server = await serveFromArgs({
      port: Number(argv.port),
      host: String(argv.host),
      root: path.resolve(String(argv.root)),
      users: argv.users as string | undefined,
      anonymous: argv.anonymous as boolean,
      pasvPorts: argv['pasv-ports'] as string | undefined,
      implicitTlsPort: argv['implicit-tls-port'] as number | undefined,
      tlsCert: argv['tls-cert'] as string | undefined,
      tlsKey: argv['tls-key'] as string | undefined,
      personality: argv.personality as string | undefined,
    });
  } catch (e) {
    throw new UsageError(`cannot start the server: ${(e as Error).message}`);
  }
  const running = server;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.err('ftp-conform: stopping the reference server\n');
      void running.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return EXIT.ok;
}

