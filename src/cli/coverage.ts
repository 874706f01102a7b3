import Table from 'cli-table3';
import * as path from 'path';
import { listSuiteFiles, loadSuites } from '../suite/loader';
import { coverage, CoverageRow, listRequirementFiles, loadRequirementIndex, RequirementIndex, SCOPES } from '../suite/requirements';
import { EXIT, Io, packageRoot } from './common';

/** Coverage of every RFC in scope; an RFC without an index file counts all its statements as missing. */
export function coverageRows(root = packageRoot()): CoverageRow[] {
  const caseIds = new Set(loadSuites(listSuiteFiles(path.join(root, 'suites')), root).flatMap((s) => s.cases.map((c) => c.id)));
  const indexes = new Map<string, RequirementIndex>();
  for (const f of listRequirementFiles(path.join(root, 'suites', 'requirements'))) {
    const idx = loadRequirementIndex(f);
    indexes.set(idx.rfc, idx);
  }
  return Object.keys(SCOPES).map((rfc) => coverage(indexes.get(rfc) ?? { rfc, file: '', statements: [] }, caseIds));
}

/** `ftp-conform coverage`: statements, tested, untestable, missing per RFC; exit 1 when any is missing. */
export async function coverageCommand(argv: { verbose?: boolean }, io: Io): Promise<number> {
  const rows = coverageRows();
  const table = new Table({ head: ['rfc', 'statements', 'tested', 'untestable', 'missing'], style: { head: [], border: [], compact: true } });
  for (const r of rows) table.push([r.rfc, r.statements, r.tested, r.untestable, r.missing]);
  io.out(table.toString() + '\n');
  const missing = rows.reduce((n, r) => n + r.missing, 0);
  if (argv.verbose) for (const r of rows) for (const p of r.problems) io.out(`${r.rfc}: ${p}\n`);
  const problems = rows.reduce((n, r) => n + r.problems.length, 0);
  io.out(missing === 0 && problems === 0 ? 'every statement is tested or justified\n' : `${missing} statements missing, ${problems} problems (--verbose lists them)\n`);
  return missing === 0 && problems === 0 ? EXIT.ok : EXIT.failed;
}
