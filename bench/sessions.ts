/** Many logged-in sessions at once against one server process, and what they cost it in memory. */
import { FtpControl } from './ftp-client';
import { residentBytes, type BenchServer } from './servers';

export interface SessionsResult {
  readonly opened: number;
  readonly seconds: number;
  readonly idleRss: number;
  readonly loadedRss: number;
  /** The server still answers NOOP on every session. */
  readonly allAnswered: boolean;
}

export async function measureSessions(server: BenchServer, count: number, batch = 50): Promise<SessionsResult> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
  await settle();
  const idleRss = residentBytes(server.pid);
  const sessions: FtpControl[] = [];
  const started = Date.now();
  try {
    for (let opened = 0; opened < count; opened += batch) {
      const size = Math.min(batch, count - opened);
      sessions.push(...(await Promise.all(Array.from({ length: size }, () => FtpControl.login(server.port, server.user, server.password)))));
    }
    const seconds = (Date.now() - started) / 1000;
    const answers = await Promise.all(sessions.map((session) => session.expect('NOOP', 200).then(() => true, () => false)));
    await settle();
    const loadedRss = residentBytes(server.pid);
    return { opened: sessions.length, seconds, idleRss, loadedRss, allAnswered: answers.every(Boolean) };
  } finally {
    for (const session of sessions) session.close();
  }
}
