import type { Transform } from 'node:stream';

/**
 * The three transfer parameters of RFC 959 §3 that shape the bytes on a data connection.
 * TYPE L means "L 8" only (logical byte = transfer byte, so it is byte-exact like TYPE I);
 * other logical byte sizes are not supported and the server should refuse them.
 */
export interface FormatOptions {
  /** RFC 959 §3.1.1: ASCII, EBCDIC, IMAGE, LOCAL (8). */
  type: 'A' | 'E' | 'I' | 'L';
  /** RFC 959 §3.1.2: file or record structure (page structure is not supported). */
  structure: 'F' | 'R';
  /** RFC 959 §3.4: stream, block, compressed. */
  mode: 'S' | 'B' | 'C';
  /**
   * Encoder only: disk bytes between restart markers (RFC 959 §3.5). 0 or undefined = none.
   * Ignored in MODE S, because "The restart procedure is defined only for the block and
   * compressed modes of data transfer" (RFC 959 §3.5).
   */
  restartMarkerEvery?: number;
}

/**
 * A restart marker seen by an encoder (sent) or a decoder (received).
 *
 * Markers sent by this encoder are the decimal disk byte offset of the data that precedes them:
 * marker "131072" means disk bytes [0, 131072) were sent before the marker block, so a later
 * `REST 131072` + RETR must seek the disk file to byte 131072 and encode from there.
 *
 * For a decoder, `marker` is the peer's text (opaque, RFC 959 §3.5: "The marker information has
 * meaning only to the sender") and `diskOffset` counts the disk bytes the decoder had pushed
 * before the marker — the receiver's own marker for the 110 "MARK yyyy = mmmm" reply. The server
 * must only announce it once its file writer has written that many bytes.
 */
export interface RestartMarker {
  marker: string;
  diskOffset: number;
}

/**
 * A codec stream. `identity` is true when the transform does not change a single byte
 * (TYPE I or L, STRU F, MODE S): the caller may then skip it and pipe the file straight to the
 * socket. Encoders and decoders emit `'marker'` with a {@link RestartMarker}.
 */
export type CodecTransform = Transform & { readonly identity: boolean };

/** RFC 959 §3.4.2 descriptor codes, shared by block mode and the compressed-mode escape. */
export const Descriptor = {
  /** "End of data block is EOR" */
  EOR: 128,
  /** "End of data block is EOF" */
  EOF: 64,
  /** "Suspected errors in data block" */
  SUSPECT: 32,
  /** "Data block is a restart marker" */
  RESTART_MARKER: 16,
} as const;

/** Thrown (as the stream's error) when wire bytes violate the negotiated format. */
export class DataFormatError extends Error {
  constructor(
    readonly code: 'ERR_FTP_BAD_ESCAPE' | 'ERR_FTP_MISSING_EOF' | 'ERR_FTP_DATA_AFTER_EOF' | 'ERR_FTP_BAD_MARKER',
    message: string,
  ) {
    super(message);
    this.name = 'DataFormatError';
  }
}

/**
 * The logical content of a transfer, between the representation layer (TYPE/STRU: what the
 * bytes mean) and the mode layer (MODE: how they are framed). Encoders feed one, decoders
 * produce one.
 */
export interface TransferSink {
  /** Data bytes in wire representation (already CRLF/EBCDIC translated). Never empty. */
  data(bytes: Buffer): void;
  endOfRecord(): void;
  restartMarker(text: string): void;
  endOfFile(): void;
}
