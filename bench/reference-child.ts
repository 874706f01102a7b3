/**
 * The reference server in a process of its own, so its throughput and memory are its own:
 * `node dist/bench/reference-child.js <root> <maxSessions>`. Prints `{"port":…}` once listening;
 * exits when its stdin closes (the parent went away) or on SIGTERM.
 */
import { startReferenceServer } from '../reference-server';

async function main(): Promise<void> {
  const [root, maxSessionsText] = process.argv.slice(2);
  if (root === undefined) throw new Error('usage: reference-child <root> [maxSessions]');
  const maxSessions = Number(maxSessionsText ?? '100');
  const server = await startReferenceServer({
    root,
    users: [{ name: 'conform', password: 'conform', home: '/', permissions: ['read', 'write', 'delete', 'mkdir'] }],
    maxSessions,
    maxSessionsPerAddress: maxSessions,
    failedLoginDelayMs: 0,
  });
  process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
  const stop = () => {
    server.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
