import { Argv } from 'yargs';
import { mergeRuns, readResultsFile, ResultsFileError } from '../report/results-file';
import { RunResult } from '../run/types';
import { Io, UsageError } from './common';
import { gateFromArgv, publish, reportersFromArgv, reportOptions } from './run';

/**
 * `ftp-conform merge a.json b.json … --out DIR`: joins results files (the shards of one run, or
 * runs of other targets) into one report, judged by the same gate flags as `run`.
 */
export function mergeOptions(y: Argv) {
  return reportOptions(y.positional('files', { type: 'string', array: true, describe: 'results.json files to join' }));
}

export function readInputs(files: string[] | undefined): RunResult[][] {
  if (!files || files.length === 0) throw new UsageError('name at least one results.json');
  try {
    return files.map((f) => readResultsFile(f));
  } catch (e) {
    if (e instanceof ResultsFileError) throw new UsageError(e.message);
    throw e;
  }
}

export async function mergeCommand(argv: Record<string, unknown>, io: Io): Promise<number> {
  const runs = mergeRuns(readInputs(argv.files as string[] | undefined));
  const gate = gateFromArgv(argv);
  return publish(runs, gate, reportersFromArgv(argv, io), io);
}
