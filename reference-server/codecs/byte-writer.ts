/**
 * A growable output buffer, so that byte-at-a-time codecs (compressed mode) hand one buffer per
 * input chunk to the stream instead of thousands of 1-2 byte buffers.
 */
export class ByteWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialCapacity = 4096) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  get size(): number {
    return this.length;
  }

  byte(value: number): void {
    if (this.length === this.buffer.length) this.grow(1);
    this.buffer[this.length++] = value;
  }

  bytes(source: Buffer, start = 0, end = source.length): void {
    const count = end - start;
    if (this.length + count > this.buffer.length) this.grow(count);
    this.length += source.copy(this.buffer, this.length, start, end);
  }

  fill(value: number, count: number): void {
    if (this.length + count > this.buffer.length) this.grow(count);
    this.buffer.fill(value, this.length, this.length + count);
    this.length += count;
  }

  /** Returns the bytes written so far (a copy, so the writer can be reused) and empties it. */
  take(): Buffer {
    const taken = Buffer.from(this.buffer.subarray(0, this.length));
    this.length = 0;
    return taken;
  }

  private grow(atLeast: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + atLeast));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}
