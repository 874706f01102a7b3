import * as path from 'path';
import { listSuiteFiles, loadSuites } from '../suite/loader';
import { EXIT, Io, loadSelected, packageRoot } from './common';

/** `ftp-conform list`: the selected cases, one per line; nothing is sent. */
export async function listCommand(argv: { suite?: string[]; case?: string[]; level?: string }, io: Io): Promise<number> {
  const { cases } = loadSelected(argv);
  for (const c of cases) io.out(`${c.id}\t${c.level}\t${c.title}\n`);
  io.out(`${cases.length} cases\n`);
  return EXIT.ok;
}

/** `ftp-conform validate`: schema and reference checks of suite files. */
export async function validateCommand(argv: { files?: string[] }, io: Io): Promise<number> {
  const files = argv.files?.length ? argv.files : listSuiteFiles(path.join(packageRoot(), 'suites'));
  const suites = loadSuites(files, process.cwd());
  io.out(`${suites.length} suites, ${suites.reduce((n, s) => n + s.cases.length, 0)} cases: valid\n`);
  return EXIT.ok;
}
