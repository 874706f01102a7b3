import { visible } from './deviations';

export type Direction = 'c>s' | 's>c' | 'note';

export interface TranscriptEntry {
  dir: Direction;
  /** Milliseconds since the case started. */
  t: number;
  text: string;
  /** The control connection, when a case opens more than one. */
  conn?: string;
}

/** Bounded record of one case's wire traffic: a hostile server cannot make it grow without end. */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private dropped = 0;
  /** Notes that must survive the cap: added after the entries when the transcript is finished. */
  private readonly footnotes: string[] = [];
  constructor(
    private readonly start = Date.now(),
    private readonly maxEntries = 2000,
  ) {}

  add(dir: Direction, text: string, conn?: string): void {
    if (this.entries.length >= this.maxEntries) {
      this.dropped++;
      return;
    }
    const entry: TranscriptEntry = { dir, t: Date.now() - this.start, text };
    if (conn && conn !== 'main') entry.conn = conn;
    this.entries.push(entry);
  }

  note(text: string, conn?: string): void {
    this.add('note', text, conn);
  }

  /** A note that is kept even when the transcript is full (e.g. what was dropped). */
  footnote(text: string): void {
    this.footnotes.push(text);
  }

  /** Adds one entry per line, showing the line end only when it was not CRLF. */
  serverLines(rawLines: Buffer[], conn?: string): void {
    for (const line of rawLines) {
      const crlf = line.length >= 2 && line[line.length - 2] === 0x0d && line[line.length - 1] === 0x0a;
      this.add('s>c', visible(crlf ? line.subarray(0, line.length - 2) : line, 512), conn);
    }
  }

  finish(): TranscriptEntry[] {
    const t = Date.now() - this.start;
    if (this.dropped > 0) this.entries.push({ dir: 'note', t, text: `${this.dropped} further transcript entries dropped` });
    for (const text of this.footnotes.splice(0)) this.entries.push({ dir: 'note', t, text });
    return this.entries;
  }
}
