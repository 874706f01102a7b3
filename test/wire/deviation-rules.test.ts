import { DEVIATION_RULES } from '../../src/wire/deviations';
import { foldWhitespace, loadFoldedRfc, rfcOfRef } from '../../src/suite/rfc-text';

describe('deviation rules quote the RFCs verbatim', () => {
  test.each(Object.entries(DEVIATION_RULES))('%s', (_kind, rule) => {
    const rfc = rfcOfRef(rule.ref);
    expect(rfc).toBeDefined();
    const text = loadFoldedRfc(rfc!);
    expect(text).toBeDefined();
    expect(text!.includes(foldWhitespace(rule.requirement))).toBe(true);
  });
});
