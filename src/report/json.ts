import * as fs from 'fs';
import * as path from 'path';
import { RunResult } from '../run/types';
import { Report } from './model';
import type { Reporter, ReporterContext } from './reporter';
import { ResultsFile, toResultsFile } from './results-file';

/** Writes `file` atomically: a crash mid-write never leaves half a file behind. */
export function writeFileAtomic(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
  return file;
}

/** Writes DIR/results.json: one RunResult for one target, a multi-target file for several. */
export function writeResultsJson(result: RunResult | ResultsFile, dir: string): string {
  return writeFileAtomic(path.join(dir, 'results.json'), JSON.stringify(result, null, 2) + '\n');
}

export class JsonReporter implements Reporter {
  constructor(private readonly ctx: ReporterContext) {}
  async onRunEnd(report: Report): Promise<void> {
    this.ctx.written.push(writeResultsJson(toResultsFile(report.runs), this.ctx.outDir!));
  }
}
