import * as path from 'path';
import { listSuiteFiles, loadSuites } from '../suite/loader';
import { describeProfile, prepareProfileRun, profileParameters } from '../profile';
import { EXIT, Io, loadSelected, packageRoot, UsageError } from './common';

/** `ftp-conform list`: the selected cases, one per line; nothing is sent. With --profile: the profile's rows too. */
export async function listCommand(argv: { suite?: string[]; case?: string[]; level?: string; profile?: string; 'profile-param'?: string[] }, io: Io): Promise<number> {
  if (argv.profile !== undefined) {
    let parameters: Record<string, number>;
    try {
      parameters = profileParameters(argv['profile-param']);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { profile, cases } = prepareProfileRun(argv.profile, { parameters });
    io.out(describeProfile(profile, cases.map((c) => c.id)));
    for (const c of cases) io.out(`${c.id}\t${c.level}\t${c.title}\n`);
    io.out(`${cases.length} cases\n`);
    return EXIT.ok;
  }
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
