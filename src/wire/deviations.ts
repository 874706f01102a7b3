/**
 * Every wire deviation the engine can observe, with the verdict it earns and the RFC sentence
 * behind it. Severity `fail` marks a broken MUST, `warn` a SHOULD or a behaviour real clients
 * trip over that the RFC does not forbid outright, `info` something worth seeing in a transcript
 * that no RFC sentence forbids.
 */
export type Severity = 'fail' | 'warn' | 'info';

export type DeviationKind =
  | 'bare-lf'
  | 'bare-cr'
  | 'missing-final-crlf'
  | 'no-space-after-code'
  | 'not-a-reply'
  | 'code-out-of-range'
  | 'multiline-closed-by-other-code'
  | 'multiline-unpadded-code'
  | 'nul-byte'
  | 'non-utf8'
  | 'line-too-long'
  | 'reply-too-long'
  | 'unsolicited-reply'
  | 'extra-reply'
  | 'missing-preliminary'
  | 'telnet-iac'
  | 'pasv-foreign-host'
  | 'unsolicited-421';

export interface DeviationRule {
  severity: Severity;
  ref: string;
  requirement: string;
}

const REPLY_FORMAT = {
  ref: 'RFC 959 §4.2',
  requirement:
    'A reply is defined to contain the 3-digit code, followed by Space <SP>, followed by one line of text (where some maximum line length has been specified), and terminated by the Telnet end-of-line code.',
};
const END_OF_LINE = {
  ref: 'RFC 959 §2.2 (End-of-Line)',
  requirement: 'The end-of-line sequence defines the separation of printing lines. The sequence is Carriage Return, followed by Line Feed.',
};
const ONLY_CORRECT_REPLIES = {
  ref: 'RFC 1123 §4.1.2.11',
  requirement: 'A Server-FTP MUST send only correctly formatted replies on the control connection.',
};
const MULTILINE_FORMAT = {
  ref: 'RFC 959 §4.2',
  requirement:
    'The last line will begin with the same code, followed immediately by Space <SP>, optionally some text, and the Telnet end-of-line code.',
};
const SEQUENCES = {
  ref: 'RFC 959 §5.4',
  requirement:
    'These must be strictly adhered to; a server may substitute text in the replies, but the meaning and action implied by the code numbers and by the specific command reply sequence cannot be altered.',
};

export const DEVIATION_RULES: Record<DeviationKind, DeviationRule> = {
  'bare-lf': { severity: 'fail', ...END_OF_LINE },
  'bare-cr': { severity: 'fail', ...END_OF_LINE },
  'missing-final-crlf': { severity: 'fail', ...REPLY_FORMAT },
  'no-space-after-code': { severity: 'fail', ...REPLY_FORMAT },
  'not-a-reply': { severity: 'fail', ...ONLY_CORRECT_REPLIES },
  'code-out-of-range': {
    severity: 'fail',
    ref: 'RFC 959 §4.2.1',
    requirement: 'There are five values for the first digit of the reply code:',
  },
  'multiline-closed-by-other-code': { severity: 'fail', ...MULTILINE_FORMAT },
  'multiline-unpadded-code': {
    severity: 'fail',
    ref: 'RFC 959 §4.2',
    requirement: 'If an intermediary line begins with a 3-digit number, the Server must pad the front to avoid confusion.',
  },
  // NVT-ASCII treats NUL as a no-op, so a NUL is not forbidden; clients written in C truncate at it.
  'nul-byte': {
    severity: 'warn',
    ref: 'RFC 959 §4.2',
    requirement: 'the text is intended for the human user.',
  },
  // Replies are NVT-ASCII (RFC 959) or UTF-8 (RFC 2640), but RFC 2640 also lets a server echo a
  // pathname's raw bytes when they are not UTF-8: worth seeing, not a verdict.
  'non-utf8': {
    severity: 'info',
    ref: 'RFC 2640 §3.1',
    requirement: 'There may be cases when the code set / encoding presented to the server or client cannot be determined. In such cases the raw bytes SHOULD be used.',
  },
  'line-too-long': { severity: 'fail', ...REPLY_FORMAT },
  'reply-too-long': { severity: 'fail', ...ONLY_CORRECT_REPLIES },
  'unsolicited-reply': {
    severity: 'fail',
    ref: 'RFC 1123 §4.1.2.11',
    requirement: 'Note that RFC-959 (unlike earlier versions of the FTP spec) contains no provision for a "spontaneous" reply message.',
  },
  'extra-reply': { severity: 'fail', ...SEQUENCES },
  'missing-preliminary': { severity: 'fail', ...SEQUENCES },
  // RFC 1123 §4.1.2.12 forbids the *user*-FTP from negotiating; a server that offers options is odd but legal.
  'telnet-iac': {
    severity: 'info',
    ref: 'RFC 1123 §4.1.2.12',
    requirement: 'it MUST NOT attempt to negotiate Telnet options on the control connection.',
  },
  // A server behind NAT may rightly advertise its public address; the harness still only dials the
  // host it was given, so this is worth a warning, not a failure.
  'pasv-foreign-host': {
    severity: 'warn',
    ref: 'RFC 1123 §4.1.2.6',
    requirement: 'Note that the host number h1,h2,h3,h4 is the IP address of the server host that is sending the reply',
  },
  // 421 "may be a reply to any command if the service knows it must shut down" (RFC 959 §4.2.1).
  'unsolicited-421': {
    severity: 'info',
    ref: 'RFC 959 §4.2.1',
    requirement: 'This may be a reply to any command if the service knows it must shut down.',
  },
};

export interface Deviation {
  kind: DeviationKind;
  severity: Severity;
  message: string;
  /** The offending bytes, made visible (see `visible`). */
  raw?: string;
  ref: string;
  requirement: string;
}

export function deviation(kind: DeviationKind, message: string, raw?: Buffer | string): Deviation {
  const rule = DEVIATION_RULES[kind];
  return {
    kind,
    severity: rule.severity,
    message,
    raw: raw === undefined ? undefined : visible(raw),
    ref: rule.ref,
    requirement: rule.requirement,
  };
}

const VISIBLE_LIMIT = 240;

/** Printable ASCII stays as is; CR, LF, TAB, NUL and every other byte become escapes, so a transcript shows what was on the wire. */
export function visible(bytes: Buffer | string, limit = VISIBLE_LIMIT): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  let out = '';
  const end = Math.min(buf.length, limit);
  for (let i = 0; i < end; i++) {
    const b = buf[i];
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  if (buf.length > limit) out += `…(+${buf.length - limit} bytes)`;
  return out;
}
