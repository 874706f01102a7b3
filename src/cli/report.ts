import { Argv } from 'yargs';
import { mergeRuns } from '../report/results-file';
import { Io, UsageError } from './common';
import { readInputs } from './merge';
import { gateFromArgv, publish, reportersFromArgv, reportOptions } from './run';

/** `ftp-conform report results.json --report html,junit --out DIR`: re-renders a results file. */
export function reportCommandOptions(y: Argv) {
  return reportOptions(y.positional('file', { type: 'string', describe: 'a results.json' }));
}

export async function reportCommand(argv: Record<string, unknown>, io: Io): Promise<number> {
  if (typeof argv.file !== 'string') throw new UsageError('name a results.json');
  const runs = mergeRuns(readInputs([argv.file]));
  return publish(runs, gateFromArgv(argv), reportersFromArgv(argv, io), io);
}
