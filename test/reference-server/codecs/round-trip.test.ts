import { makeDecoder, makeEncoder, type FormatOptions } from '../../../reference-server/codecs';
import { ALL_FORMATS, formatName, makeRng, randomChunks, randomPayload, runThrough } from './helpers';

interface Dataset {
  title: string;
  make: (rng: () => number) => Buffer;
}

const DATASETS: Dataset[] = [
  { title: 'empty file', make: () => Buffer.alloc(0) },
  { title: 'one LF', make: () => Buffer.from('\n') },
  { title: 'empty lines only', make: () => Buffer.from('\n\n\n') },
  { title: 'text ending with LF', make: () => Buffer.from('first line\nsecond line\n\nfourth\n') },
  { title: 'text without final LF', make: () => Buffer.from('no final line end\nlast') },
  { title: 'CR, CRLF and bare CR at the end', make: () => Buffer.from('a\r\nb\rc\r\r\nd\r') },
  { title: '0xFF bytes and escapes', make: () => Buffer.from([0xff, 0xff, 0x01, 0xff, 0x02, 0x0a, 0xff, 0x00, 0x00, 0x40, 0xff]) },
  { title: 'long runs of space, zero and other bytes', make: () => Buffer.concat([Buffer.alloc(1000, 0x20), Buffer.alloc(777, 0), Buffer.alloc(200, 0x41), Buffer.from('\n'), Buffer.alloc(64, 0xff)]) },
  { title: 'every byte value', make: () => Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256)) },
  { title: '300 KiB of biased random bytes', make: (rng) => randomPayload(rng, 300 * 1024) },
  { title: 'a single 200 KiB line (blocks larger than 64 KiB)', make: () => Buffer.alloc(200 * 1024, 0x61) },
];

async function roundTrip(opts: FormatOptions, disk: Buffer, seed: number): Promise<Buffer> {
  const rng = makeRng(seed);
  const wire = await runThrough(makeEncoder(opts), randomChunks(rng, disk));
  const back = await runThrough(makeDecoder(opts), randomChunks(rng, wire.output));
  return back.output;
}

describe('codecs round-trip every TYPE x STRU x MODE (RFC 959 §3.1, §3.4)', () => {
  const cases = ALL_FORMATS.flatMap((opts) => DATASETS.map((dataset) => ({ opts, dataset })));
  it.each(cases.map((c, index) => [formatName(c.opts), c.dataset.title, c, index] as const))('%s: %s', async (_format, _title, { opts, dataset }, index) => {
    const disk = dataset.make(makeRng(1000 + index));
    const back = await roundTrip(opts, disk, 42 + index);
    expect(back.equals(disk)).toBe(true);
  });
});

describe('codecs round-trip with restart markers (RFC 959 §3.5)', () => {
  const formats = ALL_FORMATS.filter((opts) => opts.mode !== 'S');
  it.each(formats.map((opts) => [formatName(opts), opts] as const))('%s', async (_name, opts) => {
    const disk = randomPayload(makeRng(7), 150 * 1024);
    const back = await roundTrip({ ...opts, restartMarkerEvery: 10_000 }, disk, 9);
    expect(back.equals(disk)).toBe(true);
  });
});

describe('codec streams', () => {
  it.each(ALL_FORMATS.map((opts) => [formatName(opts), opts] as const))('%s: identity only for TYPE I/L STRU F MODE S', (_name, opts) => {
    const expected = (opts.type === 'I' || opts.type === 'L') && opts.structure === 'F' && opts.mode === 'S';
    expect(makeEncoder(opts).identity).toBe(expected);
    expect(makeDecoder(opts).identity).toBe(expected);
  });

  it('rejects bad options', () => {
    expect(() => makeEncoder({ type: 'X' as 'A', structure: 'F', mode: 'S' })).toThrow(RangeError);
    expect(() => makeEncoder({ type: 'A', structure: 'P' as 'F', mode: 'S' })).toThrow(RangeError);
    expect(() => makeEncoder({ type: 'A', structure: 'F', mode: 'B', restartMarkerEvery: -1 })).toThrow(RangeError);
    expect(() => makeEncoder({ type: 'A', structure: 'F', mode: 'B', restartMarkerEvery: 1.5 })).toThrow(RangeError);
  });
});
