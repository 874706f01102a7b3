/**
 * The typed shape of a suite file after loading. `schema.json` is the contract for the files on
 * disk; these types mirror it and the loader adds normalisation (shorthand expectations become
 * outcome lists, source positions are attached for error messages).
 */
export type Level = 'MUST' | 'SHOULD' | 'MAY';
export type DataMode = 'pasv' | 'epsv' | 'port' | 'eprt';
export const DATA_MODES: DataMode[] = ['pasv', 'epsv', 'port', 'eprt'];

/** A reply code matcher: 200, "2xx", "25x". */
export type CodePattern = number | string;

export interface Outcome {
  code?: CodePattern | CodePattern[];
  /** Regular expression the reply text (all lines joined with "\n", codes included) must match. */
  text?: string;
  /** Regular expression the reply text must not match. */
  notText?: string;
  multiline?: boolean;
  lines?: { min?: number; max?: number };
  /** Variables to capture: name → regular expression whose first group is kept. */
  capture?: Record<string, string>;
  /** Accepted, but not the preferred answer: the case earns `warn` with this reason. */
  warn?: string;
  /** The optional feature is not offered: the case is `unsupported` with this reason and stops. */
  unsupported?: string;
  /** A recognised wrong answer: the case fails with this reason (the level still decides fail/warn). */
  fail?: string;
}

export interface RawSpec {
  text?: string;
  hex?: string;
  repeat?: number;
  then?: string;
  encoding?: 'utf8' | 'latin1';
}

export interface UploadSource {
  text?: string;
  fixture?: string;
  generate?: { bytes: number; seed?: number; lineLength?: number };
}

export interface DataCheck {
  sha256?: string;
  bytes?: number;
  /** Name of an earlier upload or download whose content this must equal. */
  sameAs?: string;
  /** Name of an earlier upload; the download must equal it with every LF turned into CRLF. */
  sameAsWithCrlf?: string;
  contains?: string[];
  notContains?: string[];
  lineEnds?: 'crlf' | 'lf';
  /** PROT P: the data connection was (not) TLS. */
  tlsProtected?: boolean;
  /** RFC 4217 §10.2: the data connection's TLS resumed the control connection's session. */
  tlsResumed?: boolean;
}

export interface TransferSpec {
  command: string;
  upload?: UploadSource;
  download?: boolean;
  /** Variable name under which the transferred content's digest is kept. */
  as?: string;
  /** required (default): a 1yz must precede the completion reply when the transfer starts. */
  preliminary?: 'required' | 'optional';
  check?: DataCheck;
}

export interface StepBase {
  /** Which control connection: "main" (default) or a name given to `open`. */
  on?: string;
  /** Grades a mismatch of this step at this level instead of the case's level. */
  level?: Level;
  note?: string;
  expect?: Outcome[];
}

export interface SendStep extends StepBase { send: string }
export interface RawStep extends StepBase { raw: RawSpec }
export interface ExpectStep extends StepBase { expect: Outcome[] }
export interface DataStep extends StepBase { data: { mode?: DataMode | 'current' } }
export interface TransferStep extends StepBase { transfer: TransferSpec }
export interface OpenStep extends StepBase { open: { name: string; login?: boolean } }
export interface CloseStep extends StepBase { close: string }
export interface ExpectCloseStep extends StepBase { expectClose: { within?: number } }
export interface SleepStep extends StepBase { sleep: number }
/** Starts TLS on the control connection (after AUTH TLS was answered 234). */
export interface TlsStep extends StepBase { tls: Record<string, never> }

export type Step = SendStep | RawStep | ExpectStep | DataStep | TransferStep | OpenStep | CloseStep | ExpectCloseStep | SleepStep | TlsStep;

export interface Given {
  login?: boolean;
  greeting?: 'auto' | 'manual';
  writable?: boolean;
  feat?: string[];
  user?: 'any' | 'named' | 'anonymous';
  tls?: 'implicit';
}

export interface SourcePosition { file: string; line: number; col: number }

export interface Case {
  id: string;
  title: string;
  section: string;
  level: Level;
  requirement: string;
  /** Where the requirement comes from, e.g. "RFC 959 §5.4"; defaults to the suite's spec + section. */
  ref: string;
  given: Required<Pick<Given, 'login' | 'greeting' | 'writable' | 'user'>> & { feat: string[]; tls?: 'implicit' };
  dataModes?: DataMode[];
  tags: string[];
  steps: Step[];
  cleanup: Step[];
  suite: string;
  source: SourcePosition;
}

export interface Suite {
  id: string;
  title: string;
  spec: string;
  file: string;
  cases: Case[];
}
