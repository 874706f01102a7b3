/**
 * Reply framing per RFC 959 §4.2: `ddd text` for one line, `ddd-first` … `ddd last` for several.
 * An intermediate line that begins with a digit is padded with a space so it can never be taken
 * for the terminating `ddd ` line. Every line ends with the Telnet end-of-line CRLF.
 */

export interface Reply {
  readonly code: number;
  /** Text lines without line ends; the first and last carry the code when there are several. */
  readonly lines: readonly string[];
}

export function reply(code: number, ...lines: string[]): Reply {
  return { code, lines: lines.length > 0 ? lines : [''] };
}

/** The bytes to put on the control connection for one reply. */
export function formatReply(value: Reply): string {
  const code = String(value.code);
  if (!/^[1-5][0-9][0-9]$/.test(code)) throw new Error(`invalid FTP reply code ${value.code}`);
  const lines = (value.lines.length > 0 ? value.lines : ['']).map(escapeForNvt);
  if (lines.length === 1) return `${code} ${lines[0]}\r\n`;
  const first = `${code}-${lines[0]}`;
  const middle = lines.slice(1, -1).map((line) => (/^[0-9]/.test(line) ? ` ${line}` : line));
  const last = `${code} ${lines[lines.length - 1]}`;
  return [first, ...middle, last].map((line) => `${line}\r\n`).join('');
}

/**
 * A reply line must not contain a bare CR or LF (they would end the line early). Telnet NVT sends a
 * lone CR as CR NUL; a LF inside a pathname is sent as NUL, the BSD ftpd convention that RFC 3659
 * §2.2 alludes to.
 */
function escapeForNvt(line: string): string {
  return line.replace(/\r/g, '\r\0').replace(/\n/g, '\0');
}

/** RFC 959 Appendix II: a pathname inside a 257 reply is quoted and embedded quotes are doubled. */
export function quotePathname(pathname: string): string {
  return `"${pathname.replace(/"/g, '""')}"`;
}
