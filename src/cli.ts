import yargs, { Argv } from 'yargs';
import { defaultIo, EXIT, Io, selectionOptions, UsageError } from './cli/common';
import { coverageCommand } from './cli/coverage';
import { listCommand, validateCommand } from './cli/list';
import { profileOption } from './profile';
import { mergeCommand, mergeOptions } from './cli/merge';
import { reportCommand, reportCommandOptions } from './cli/report';
import { runCommand, runOptions } from './cli/run';
import { serveCommand, serveOptions } from './cli/serve';
import { formatProblem, SuiteError } from './suite/loader';
import { VERSION } from './version';

export { EXIT, packageRoot, parseTarget } from './cli/common';
export type { Io } from './cli/common';

function build(args: string[], io: Io, done: (p: Promise<number>) => void): Argv {
  return yargs(args)
    .scriptName('ftp-conform')
    .version(VERSION)
    .strict()
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      throw err instanceof UsageError || err instanceof SuiteError ? err : new UsageError(msg || err?.message || 'bad usage');
    })
    .command('run', 'run the selected cases against a target and report', runOptions, (argv) => done(runCommand(argv, io)))
    .command('list', 'list the selected cases (id, level, title), or a device profile (--profile); nothing is sent', (y) => profileOption(selectionOptions(y)), (argv) => done(listCommand(argv, io)))
    .command(
      'validate [files..]',
      'check suite files against the schema (default: every bundled suite)',
      (y) => y.positional('files', { type: 'string', array: true }),
      (argv) => done(validateCommand(argv as { files?: string[] }, io)),
    )
    .command(
      'coverage',
      'requirement coverage per RFC: statements, tested, untestable, missing (exit 1 when any is missing)',
      (y) => y.option('verbose', { type: 'boolean', default: false, describe: 'list every missing statement and problem' }),
      (argv) => done(coverageCommand(argv, io)),
    )
    .command('merge <files..>', 'join results.json files (e.g. the shards of one run) into one report', mergeOptions, (argv) => done(mergeCommand(argv, io)))
    .command('report <file>', 'render the reports of a results.json again', reportCommandOptions, (argv) => done(reportCommand(argv, io)))
    .command('serve', 'run the reference FTP server until SIGINT/SIGTERM, logging every session to stderr', serveOptions, (argv) => done(serveCommand(argv, io)))
    .demandCommand(1, 'name a command: run, list, validate, coverage, merge, report or serve')
    .help();
}

/** Runs the CLI; resolves to the exit code. Never exits the process itself. */
export async function main(args: string[], io: Io = defaultIo): Promise<number> {
  let pending: Promise<number> | undefined;
  try {
    await build(args, io, (p) => (pending = p)).parseAsync();
    return pending ? await pending : EXIT.ok;
  } catch (e) {
    if (e instanceof SuiteError) {
      for (const p of e.problems) io.err(`${formatProblem(p)}\n`);
      return EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.err(`ftp-conform: ${e.message}\n`);
      return EXIT.usage;
    }
    io.err(`ftp-conform: internal error: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
}
