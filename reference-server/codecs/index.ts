/**
 * Data-representation codecs for the reference server (RFC 959 §3.1 types and structures, §3.4
 * transmission modes, §3.5 restart markers).
 *
 * Usage on RETR:   fs.createReadStream(path, {start: restOffset}).pipe(makeEncoder(fmt)).pipe(dataSocket)
 *                  — or, when `encoder.identity` is true, pipe the file straight to the socket.
 * Usage on STOR:   dataSocket.pipe(makeDecoder(fmt)).pipe(fs.createWriteStream(path))
 *
 * Restart (MODE B / C): with `restartMarkerEvery: N` the encoder sends a marker after every N disk
 * bytes; the marker text is the decimal disk offset, so `REST <marker>` means "seek the disk file
 * to that byte". A decoder emits `'marker'` with the peer's text and the local disk offset.
 */
export { makeDecoder, makeEncoder, isIdentityFormat } from './transforms';
export { DataFormatError, Descriptor } from './types';
export type { CodecTransform, FormatOptions, RestartMarker } from './types';
export { DISK_TO_EBCDIC, EBCDIC_TO_DISK, EBCDIC_NL, EBCDIC_SPACE } from './ebcdic';
export { MAX_BLOCK_DATA } from './block-mode';
