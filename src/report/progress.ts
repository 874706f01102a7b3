import { CaseResult } from '../run/types';
import { caseLabel } from './model';
import type { Reporter, RunStart } from './reporter';

/** Whether the progress line is wanted: a TTY, and not under CI. */
export function progressWanted(isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!isTTY && env.CI !== 'true' && env.CI !== '1';
}

/**
 * A one-line progress display on a terminal (stderr): results so far of the planned total, the
 * case that just finished, the elapsed time. Rewritten in place with `\r`, cleared at the end.
 */
export class ProgressReporter implements Reporter {
  private done = 0;
  private total = 0;
  private started = 0;
  private width = 0;
  constructor(
    private readonly write: (s: string) => void,
    private readonly columns = 100,
    private readonly now: () => number = Date.now,
  ) {}

  async onRunStart(start: RunStart): Promise<void> {
    this.total = start.total;
    this.started = this.now();
  }

  async onCaseResult(result: CaseResult, target: string): Promise<void> {
    this.done++;
    const elapsed = ((this.now() - this.started) / 1000).toFixed(1);
    let line = `[${this.done}/${this.total}] ${elapsed}s ${result.verdict.padEnd(11)} ${caseLabel(result)} @ ${target}`;
    if (line.length > this.columns - 1) line = line.slice(0, this.columns - 2) + '…';
    this.write(`\r${line.padEnd(this.width)}`);
    this.width = line.length;
  }

  async onRunEnd(): Promise<void> {
    if (this.width > 0) this.write(`\r${' '.repeat(this.width)}\r`);
    this.width = 0;
  }
}
