/** The harness could not finish talking to the server: these become `error` verdicts. */
export class WireError extends Error {
  constructor(
    readonly kind: 'refused' | 'unreachable' | 'timeout' | 'closed' | 'reset',
    message: string,
  ) {
    super(message);
    this.name = 'WireError';
  }
}
