/**
 * `npm run bench`: RETR and STOR throughput of one large file over loopback, reference server and
 * vsftpd side by side through the same minimal client, against the targets (RETR ≥ 0.6× vsftpd,
 * STOR ≥ 0.9× vsftpd); then the reference server's resident memory with many logged-in sessions
 * (target < 300 MB for 1,000). A report, not a test: it exits 0 whether targets are met or missed.
 *
 *   npm run bench -- [--size 1GiB] [--sessions 1000] [--runs 3]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { measureSessions, type SessionsResult } from './sessions';
import { openFileLimit, startReference, startVsftpd, vsftpdUnavailable, type BenchServer } from './servers';
import { BLOCK, measureCeiling, measureOnce, PAYLOAD, type Rates } from './throughput';

const RETR_TARGET = 0.6;
const STOR_TARGET = 0.9;
const RSS_TARGET = 300e6;
const RSS_TARGET_SESSIONS = 1000;

interface Options {
  size: number;
  sessions: number;
  runs: number;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3, kb: 1e3, mb: 1e6, gb: 1e9 };

export function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  if (match === null || unit === undefined) throw new Error(`--size: expected e.g. 1GiB, 256M or 1048576, got "${text}"`);
  const size = Math.round(Number(match[1]) * unit);
  if (size < 1) throw new Error(`--size must be at least 1 byte, got "${text}"`);
  return size;
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}: expected a whole number, got "${text}"`);
  return value;
}

export function parseArguments(argv: readonly string[]): Options {
  const options: Options = { size: 1024 ** 3, sessions: 1000, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--size') options.size = parseSize(value());
    else if (flag === '--sessions') options.sessions = positiveInteger('--sessions', value());
    else if (flag === '--runs') options.runs = Math.max(1, positiveInteger('--runs', value()));
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write('usage: npm run bench -- [--size 1GiB] [--sessions 1000] [--runs 3]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${flag} (try --help)`);
  }
  return options;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} bytes`;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** A plain-text table: first column left-aligned, the others right-aligned. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('   '))
    .join('\n');
}

function rateCell(values: readonly number[]): string {
  const spread = values.length > 1 ? ` (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})` : '';
  return `${median(values).toFixed(1)}${spread}`;
}

/** The payload, written once from the preallocated block; a hard link gives vsftpd the same file. */
function writePayload(file: string, size: number): void {
  const fd = fs.openSync(file, 'w', 0o644);
  try {
    for (let left = size; left > 0; left -= BLOCK.length) fs.writeSync(fd, BLOCK, 0, Math.min(left, BLOCK.length));
  } finally {
    fs.closeSync(fd);
  }
}

async function throughput(options: Options, work: string, out: (line: string) => void): Promise<void> {
  const referenceRoot = path.join(work, 'reference-root');
  const vsftpdRoot = path.join(work, 'vsftpd-root');
  fs.mkdirSync(referenceRoot);
  fs.mkdirSync(vsftpdRoot);
  fs.chmodSync(work, 0o755);
  writePayload(path.join(referenceRoot, PAYLOAD), options.size);
  fs.linkSync(path.join(referenceRoot, PAYLOAD), path.join(vsftpdRoot, PAYLOAD));

  const servers: BenchServer[] = [await startReference(referenceRoot, 100)];
  const unavailable = vsftpdUnavailable();
  let vsftpdNote: string | null = unavailable;
  if (unavailable === null) {
    try {
      servers.push(await startVsftpd(work, vsftpdRoot));
    } catch (error) {
      vsftpdNote = error instanceof Error ? error.message : String(error);
    }
  }
  try {
    const rates = new Map<string, Rates>(servers.map((s) => [s.name, { retr: [], stor: [] }]));
    // Interleaved runs, so a slow moment of the machine is shared by both servers.
    for (let run = 0; run < options.runs; run++) {
      for (const server of servers) {
        const once = await measureOnce(server, options.size);
        rates.get(server.name)!.retr.push(once.retr);
        rates.get(server.name)!.stor.push(once.stor);
      }
    }
    const ceiling = await measureCeiling(options.size, options.runs);

    const rows: string[][] = [['', 'RETR MB/s', 'STOR MB/s']];
    rows.push(['client ceiling (bare loopback, no FTP)', rateCell(ceiling.retr), rateCell(ceiling.stor)]);
    for (const server of servers) rows.push([server.name, rateCell(rates.get(server.name)!.retr), rateCell(rates.get(server.name)!.stor)]);
    const reference = rates.get('reference')!;
    const vsftpd = rates.get('vsftpd');
    if (vsftpd !== undefined) {
      const retrRatio = median(reference.retr) / median(vsftpd.retr);
      const storRatio = median(reference.stor) / median(vsftpd.stor);
      rows.push(['reference / vsftpd', `${retrRatio.toFixed(2)}×`, `${storRatio.toFixed(2)}×`]);
      rows.push(['target', `≥ ${RETR_TARGET}×`, `≥ ${STOR_TARGET}×`]);
      rows.push(['', retrRatio >= RETR_TARGET ? 'PASS' : 'MISS', storRatio >= STOR_TARGET ? 'PASS' : 'MISS']);
    }
    out(table(rows));
    if (vsftpdNote !== null) out(`vsftpd: not available (${vsftpdNote})`);
    out(`(median of ${options.runs} run${options.runs === 1 ? '' : 's'}, range in brackets; MB = 10^6 bytes; each RETR/STOR timed from the command to the 226)`);
  } finally {
    for (const server of servers) await server.stop();
  }
}

async function sessions(options: Options, work: string, out: (line: string) => void): Promise<void> {
  if (options.sessions === 0) return;
  const limit = openFileLimit();
  let count = options.sessions;
  if (limit < count + 100) {
    count = Math.max(0, limit - 100);
    out(`sessions: ulimit -n is ${limit}; measuring ${count} sessions instead of ${options.sessions}`);
  }
  const root = path.join(work, 'sessions-root');
  fs.mkdirSync(root);
  const server = await startReference(root, count + 10);
  let result: SessionsResult;
  try {
    result = await measureSessions(server, count);
  } finally {
    await server.stop();
  }
  const perSession = (result.loadedRss - result.idleRss) / Math.max(1, result.opened);
  const rows: string[][] = [
    ['reference server, logged-in sessions', 'RSS'],
    ['idle (0 sessions)', mb(result.idleRss)],
    [`${result.opened} sessions (opened in ${result.seconds.toFixed(1)} s, NOOP ${result.allAnswered ? 'answered on all' : 'NOT answered on all'})`, mb(result.loadedRss)],
    ['per session', `${(perSession / 1024).toFixed(1)} KiB`],
  ];
  if (result.opened === RSS_TARGET_SESSIONS) {
    rows.push([`target for ${RSS_TARGET_SESSIONS} sessions: < ${mb(RSS_TARGET)}`, result.loadedRss < RSS_TARGET ? 'PASS' : 'MISS']);
  } else {
    const projected = result.idleRss + perSession * RSS_TARGET_SESSIONS;
    rows.push([`target < ${mb(RSS_TARGET)} at ${RSS_TARGET_SESSIONS} sessions (projected ${mb(projected)})`, projected < RSS_TARGET ? 'PASS' : 'MISS']);
  }
  out(table(rows));
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`ftp-conform bench: node ${process.version}, ${os.cpus().length} CPUs, ${formatSize(options.size)} file, loopback\n`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ftpc-bench-'));
  try {
    await throughput(options, work, out);
    out('');
    await sessions(options, work, out);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
