import * as fs from 'fs';
import * as path from 'path';
import { RunResult } from '../run/types';

/** Writes DIR/results.json atomically: a crash mid-write never leaves half a file behind. */
export function writeResultsJson(result: RunResult, dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'results.json');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return file;
}
