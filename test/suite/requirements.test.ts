import * as path from 'path';
import { coverageRows } from '../../src/cli/coverage';
import { listRequirementFiles } from '../../src/suite/requirements';

const root = path.resolve(__dirname, '..', '..');
const indexed = new Set(listRequirementFiles(path.join(root, 'suites', 'requirements')).map((f) => path.basename(f).replace(/\.ya?ml$/, '')));
const rows = coverageRows(root).filter((r) => indexed.has(r.rfc));

describe('requirement index', () => {
  // Each RFC with an index file must account for every normative sentence of its scope.
  if (rows.length > 0) test.each(rows.map((r) => [r.rfc, r] as const))('%s: every statement tested or justified, quoted verbatim, with real case ids', (_rfc, row) => {
    expect(row.problems).toEqual([]);
    expect(row.missing).toBe(0);
  });

  test('the extractor finds the normative sentences of every RFC in scope', () => {
    for (const r of coverageRows(root)) expect(r.statements).toBeGreaterThan(10);
  });
});
