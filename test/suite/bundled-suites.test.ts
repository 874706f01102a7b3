import * as path from 'path';
import { listSuiteFiles, loadSuites } from '../../src/suite/loader';
import { foldWhitespace, loadFoldedRfc, rfcOfRef } from '../../src/suite/rfc-text';

const root = path.resolve(__dirname, '..', '..');
const suites = loadSuites(listSuiteFiles(path.join(root, 'suites')), root);
const cases = suites.flatMap((s) => s.cases);

describe('bundled suites', () => {
  test('load without problems and hold cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  test.each(cases.map((c) => [c.id, c] as const))('%s quotes its RFC verbatim', (_id, c) => {
    const rfc = rfcOfRef(c.ref);
    expect(rfc).toBeDefined();
    const text = loadFoldedRfc(rfc!);
    expect(text).toBeDefined();
    const found = text!.includes(foldWhitespace(c.requirement));
    if (!found) throw new Error(`${c.source.file}:${c.source.line} requirement of ${c.id} is not in ${rfc}: "${c.requirement}"`);
  });
});
