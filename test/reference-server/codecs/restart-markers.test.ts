import { makeDecoder, makeEncoder, type FormatOptions } from '../../../reference-server/codecs';
import { ALL_FORMATS, formatName, makeRng, randomChunks, randomPayload, runThrough, runUntilError } from './helpers';

const EVERY = 8192;
const MARKED_FORMATS = ALL_FORMATS.filter((opts) => opts.mode !== 'S').map((opts): FormatOptions => ({ ...opts, restartMarkerEvery: EVERY }));

describe('restart markers (RFC 959 §3.5)', () => {
  const disk = randomPayload(makeRng(5), 100_000);
  const expectedOffsets = Array.from({ length: Math.floor(disk.length / EVERY) }, (_, i) => (i + 1) * EVERY);

  it.each(MARKED_FORMATS.map((opts) => [formatName(opts), opts] as const))('%s: one marker per %#d disk bytes, text = disk offset', async (_name, opts) => {
    const encoded = await runThrough(makeEncoder(opts), randomChunks(makeRng(6), disk));
    expect(encoded.markers.map((m) => m.diskOffset)).toEqual(expectedOffsets);
    expect(encoded.markers.every((m) => m.marker === String(m.diskOffset))).toBe(true);

    // The receiving side sees the same markers at the same disk offsets.
    const decoded = await runThrough(makeDecoder(opts), randomChunks(makeRng(7), encoded.output));
    expect(decoded.markers).toEqual(encoded.markers);
    expect(decoded.output.equals(disk)).toBe(true);
  });

  it.each(MARKED_FORMATS.map((opts) => [formatName(opts), opts] as const))('%s: resuming from a marker (REST <marker>) completes the file', async (_name, opts) => {
    const encoded = await runThrough(makeEncoder(opts), [disk]);
    const lastMarker = encoded.markers[3]!;
    // The connection breaks right after the 4th marker: the receiver has exactly the disk bytes
    // before it, and the decoder reports the missing EOF so the server can answer 426.
    const broken = await runUntilError(makeDecoder(opts), randomChunks(makeRng(8), truncateAfterMarker(encoded.output, opts, lastMarker.marker)));
    expect(broken.error).toMatchObject({ code: 'ERR_FTP_MISSING_EOF' });
    expect(broken.markers.at(-1)).toEqual(lastMarker);
    expect(broken.output.equals(disk.subarray(0, lastMarker.diskOffset))).toBe(true);

    // What the server does on REST <marker> + RETR: seek the disk file and encode from there.
    const resumed = await runThrough(makeEncoder({ ...opts, restartMarkerEvery: 0 }), [disk.subarray(Number(lastMarker.marker))]);
    const tail = await runThrough(makeDecoder(opts), [resumed.output]);
    expect(Buffer.concat([broken.output, tail.output]).equals(disk)).toBe(true);
  });

  it('MODE S ignores restartMarkerEvery (restart is defined only for block and compressed modes)', async () => {
    const encoded = await runThrough(makeEncoder({ type: 'I', structure: 'R', mode: 'S', restartMarkerEvery: 10 }), [Buffer.alloc(100, 0x41)]);
    expect(encoded.markers).toEqual([]);
  });
});

/** The wire up to and including the marker: what a receiver had when the connection broke. */
function truncateAfterMarker(wire: Buffer, opts: FormatOptions, marker: string): Buffer {
  const needle = opts.mode === 'B' ? Buffer.concat([Buffer.from([16, 0, marker.length]), Buffer.from(marker)]) : Buffer.concat([Buffer.from([0, 16, marker.length]), Buffer.from(marker)]);
  const at = wire.indexOf(needle);
  expect(at).toBeGreaterThan(0);
  return wire.subarray(0, at + needle.length);
}
