import { makeDecoder, makeEncoder, type FormatOptions, type RestartMarker } from '../../../reference-server/codecs';
import { bytes, formatName, makeRng, randomChunks, runThrough } from './helpers';

interface WireCase {
  title: string;
  format: FormatOptions;
  disk: Buffer;
  wire: Buffer;
}

const A_F_S: FormatOptions = { type: 'A', structure: 'F', mode: 'S' };
const A_R_S: FormatOptions = { type: 'A', structure: 'R', mode: 'S' };
const I_R_S: FormatOptions = { type: 'I', structure: 'R', mode: 'S' };
const E_F_S: FormatOptions = { type: 'E', structure: 'F', mode: 'S' };
const E_R_S: FormatOptions = { type: 'E', structure: 'R', mode: 'S' };
const I_F_B: FormatOptions = { type: 'I', structure: 'F', mode: 'B' };
const A_R_B: FormatOptions = { type: 'A', structure: 'R', mode: 'B' };
const A_F_B: FormatOptions = { type: 'A', structure: 'F', mode: 'B' };
const I_F_C: FormatOptions = { type: 'I', structure: 'F', mode: 'C' };
const A_F_C: FormatOptions = { type: 'A', structure: 'F', mode: 'C' };
const A_R_C: FormatOptions = { type: 'A', structure: 'R', mode: 'C' };
const E_F_C: FormatOptions = { type: 'E', structure: 'F', mode: 'C' };

/** Hand-computed wire images: these pin the formats themselves, not only the round trip. */
const WIRE_CASES: WireCase[] = [
  // §3.1.1.1 ASCII: LF -> CRLF, a CR on disk stays a CR.
  { title: 'LF becomes CRLF', format: A_F_S, disk: bytes('a\nb'), wire: bytes('a\r\nb') },
  { title: 'disk CRLF becomes CR CRLF', format: A_F_S, disk: bytes('x\r\n'), wire: bytes('x\r\r\n') },
  // §3.4.1 stream mode, record structure.
  { title: 'records end with FF 01, file with FF 02', format: A_R_S, disk: bytes('ab\ncd\n'), wire: bytes('ab', [0xff, 1], 'cd', [0xff, 1], [0xff, 2]) },
  { title: 'last line without LF has no EOR', format: A_R_S, disk: bytes('ab'), wire: bytes('ab', [0xff, 2]) },
  { title: 'empty record file is just EOF', format: A_R_S, disk: bytes(''), wire: bytes([0xff, 2]) },
  { title: 'TYPE A record keeps a CR as data', format: A_R_S, disk: bytes('a\r\n'), wire: bytes('a\r', [0xff, 1, 0xff, 2]) },
  { title: 'data byte 0xFF is doubled', format: I_R_S, disk: bytes([0x41, 0xff, 0x0a]), wire: bytes([0x41, 0xff, 0xff, 0xff, 1, 0xff, 2]) },
  // §3.1.1.2 EBCDIC (IBM-037), NL = 0x15.
  { title: 'EBCDIC letters and NL', format: E_F_S, disk: bytes('hello A\n'), wire: bytes([0x88, 0x85, 0x93, 0x93, 0x96, 0x40, 0xc1, 0x15]) },
  { title: 'EBCDIC digits and punctuation', format: E_F_S, disk: bytes('09.,$'), wire: bytes([0xf0, 0xf9, 0x4b, 0x6b, 0x5b]) },
  { title: 'EBCDIC record: NL not sent, EOR instead', format: E_R_S, disk: bytes('A\n'), wire: bytes([0xc1, 0xff, 1, 0xff, 2]) },
  // §3.4.2 block mode: [descriptor][count hi][count lo][data].
  { title: 'one block flagged EOF', format: I_F_B, disk: bytes('abc'), wire: bytes([0x40, 0, 3], 'abc') },
  { title: 'empty file: empty EOF block', format: I_F_B, disk: bytes(''), wire: bytes([0x40, 0, 0]) },
  { title: 'blocks larger than 64 KiB are split', format: I_F_B, disk: Buffer.alloc(0x10001, 0x61), wire: bytes([0, 0xff, 0xff], 'a'.repeat(0xffff), [0x40, 0, 2], 'aa') },
  { title: 'records flagged EOR, empty record, EOF', format: A_R_B, disk: bytes('ab\n\ncd'), wire: bytes([0x80, 0, 2], 'ab', [0x80, 0, 0], [0x40, 0, 2], 'cd') },
  { title: 'last record flagged EOR|EOF (192)', format: A_R_B, disk: bytes('ab\n'), wire: bytes([0xc0, 0, 2], 'ab') },
  { title: 'TYPE A file in block mode carries CRLF', format: A_F_B, disk: bytes('a\n'), wire: bytes([0x40, 0, 3], 'a\r\n') },
  { title: 'restart marker blocks every 2 disk bytes', format: { ...I_F_B, restartMarkerEvery: 2 }, disk: bytes('abcde'), wire: bytes([0, 0, 2], 'ab', [0x10, 0, 1], '2', [0, 0, 2], 'cd', [0x10, 0, 1], '4', [0x40, 0, 1], 'e') },
  // §3.4.3 compressed mode.
  { title: 'regular data string + EOF escape', format: I_F_C, disk: bytes('abc'), wire: bytes([3], 'abc', [0, 0x40]) },
  { title: 'empty file: EOF escape only', format: I_F_C, disk: bytes(''), wire: bytes([0, 0x40]) },
  { title: 'replicated byte', format: I_F_C, disk: bytes('aaaa'), wire: bytes([0x84], 'a', [0, 0x40]) },
  { title: 'two equal bytes stay regular data', format: I_F_C, disk: bytes('aab'), wire: bytes([3], 'aab', [0, 0x40]) },
  { title: 'long run is split at 63', format: I_F_C, disk: Buffer.alloc(70, 0x7a), wire: bytes([0xbf, 0x7a, 0x87, 0x7a, 0, 0x40]) },
  { title: 'zero filler for TYPE I', format: I_F_C, disk: Buffer.alloc(5, 0), wire: bytes([0xc5, 0, 0x40]) },
  { title: 'space filler for TYPE A', format: A_F_C, disk: bytes('x     y'), wire: bytes([1], 'x', [0xc5, 1], 'y', [0, 0x40]) },
  { title: 'EBCDIC space (0x40) filler for TYPE E', format: E_F_C, disk: bytes('  '), wire: bytes([0xc2, 0, 0x40]) },
  { title: 'long regular data split at 127', format: I_F_C, disk: Buffer.from(Array.from({ length: 130 }, (_, i) => i % 2)), wire: bytes([127], Array.from({ length: 127 }, (_, i) => i % 2), [3], [1, 0, 1], [0, 0x40]) },
  { title: 'EOR escape (128) in records', format: A_R_C, disk: bytes('ab\ncd'), wire: bytes([2], 'ab', [0, 0x80], [2], 'cd', [0, 0x40]) },
  { title: 'restart marker escape (16) + marker string', format: { ...I_F_C, restartMarkerEvery: 2 }, disk: bytes('abcd'), wire: bytes([2], 'ab', [0, 0x10], [1], '2', [2], 'cd', [0, 0x10], [1], '4', [0, 0x40]) },
];

describe('exact wire bytes (RFC 959 §3.1.1, §3.4.1-§3.4.3)', () => {
  it.each(WIRE_CASES.map((c) => [formatName(c.format), c.title, c] as const))('%s: %s', async (_format, _title, { format, disk, wire }) => {
    const encoded = await runThrough(makeEncoder(format), [disk]);
    expect(encoded.output.toString('hex')).toBe(wire.toString('hex'));
    const decoded = await runThrough(makeDecoder(format), randomChunks(makeRng(3), wire));
    expect(decoded.output.toString('hex')).toBe(disk.toString('hex'));
  });
});

interface DecodeCase {
  title: string;
  format: FormatOptions;
  wire: Buffer;
  disk?: Buffer;
  error?: string;
  markers?: RestartMarker[];
}

/** Wire forms our encoder never sends but a peer may, and format violations. */
const DECODE_CASES: DecodeCase[] = [
  { title: 'bare CR on the wire is kept', format: A_F_S, wire: bytes('a\rb\r'), disk: bytes('a\rb\r') },
  { title: 'EOR and EOF together (FF 03)', format: A_R_S, wire: bytes('ab', [0xff, 3]), disk: bytes('ab\n') },
  { title: 'unknown stream escape', format: A_R_S, wire: bytes('ab', [0xff, 5]), error: 'ERR_FTP_BAD_ESCAPE' },
  { title: 'record stream closed without EOF', format: A_R_S, wire: bytes('ab', [0xff, 1]), error: 'ERR_FTP_MISSING_EOF' },
  { title: 'record stream closed after lone escape', format: A_R_S, wire: bytes('ab', [0xff]), error: 'ERR_FTP_BAD_ESCAPE' },
  { title: 'data after stream EOF', format: A_R_S, wire: bytes([0xff, 2], 'x'), error: 'ERR_FTP_DATA_AFTER_EOF' },
  { title: 'block mode closed without EOF block', format: I_F_B, wire: bytes([0, 0, 2], 'ab'), error: 'ERR_FTP_MISSING_EOF' },
  { title: 'block mode closed inside a block', format: I_F_B, wire: bytes([0x40, 0, 5], 'ab'), error: 'ERR_FTP_MISSING_EOF' },
  { title: 'data after the EOF block', format: I_F_B, wire: bytes([0x40, 0, 0], [0]), error: 'ERR_FTP_DATA_AFTER_EOF' },
  { title: 'suspect block (32) data is delivered', format: I_F_B, wire: bytes([0x20, 0, 2], 'ab', [0x40, 0, 0]), disk: bytes('ab') },
  { title: 'restart marker with a space is refused', format: I_F_B, wire: bytes([0x10, 0, 3], 'a b', [0x40, 0, 0]), error: 'ERR_FTP_BAD_MARKER' },
  {
    title: 'peer markers reported with local disk offsets',
    format: A_F_B,
    wire: bytes([0, 0, 3], 'a\r\n', [0x10, 0, 4], 'MK-1', [0x40, 0, 1], 'b'),
    disk: bytes('a\nb'),
    markers: [{ marker: 'MK-1', diskOffset: 2 }],
  },
  { title: 'compressed: zero-length replication and filler', format: I_F_C, wire: bytes([0x80, 0x61, 0xc0, 1], 'x', [0, 0x40]), disk: bytes('x') },
  { title: 'compressed: EOR|EOF escape (192)', format: A_R_C, wire: bytes([1], 'x', [0, 0xc0]), disk: bytes('x\n') },
  { title: 'compressed: closed without EOF', format: I_F_C, wire: bytes([1], 'x'), error: 'ERR_FTP_MISSING_EOF' },
  { title: 'compressed: marker escape without a string', format: I_F_C, wire: bytes([0, 0x10, 0x83], 'a'), error: 'ERR_FTP_BAD_MARKER' },
  { title: 'compressed: data after EOF', format: I_F_C, wire: bytes([0, 0x40, 1], 'x'), error: 'ERR_FTP_DATA_AFTER_EOF' },
];

describe('decoder: peer forms and violations', () => {
  it.each(DECODE_CASES.map((c) => [formatName(c.format), c.title, c] as const))('%s: %s', async (_format, _title, testCase) => {
    for (const chunking of [[testCase.wire], randomChunks(makeRng(11), testCase.wire), [...testCase.wire].map((b) => Buffer.from([b]))]) {
      const run = runThrough(makeDecoder(testCase.format), chunking);
      if (testCase.error) {
        await expect(run).rejects.toMatchObject({ name: 'DataFormatError', code: testCase.error });
        continue;
      }
      const { output, markers } = await run;
      expect(output.toString('hex')).toBe(testCase.disk!.toString('hex'));
      expect(markers).toEqual(testCase.markers ?? []);
    }
  });
});
