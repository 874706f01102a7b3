/**
 * A device profile: what a vendor documents for its FTP server (replies, commands, connection
 * limit, data modes, login rules), and the cases that check each documented row. `schema.json` is
 * the contract for the files in suites/profiles/; these types mirror it after loading.
 */
import { CodePattern, DataMode, SourcePosition } from '../suite/types';

export interface ProfileReply {
  code: CodePattern | CodePattern[];
  /** Regular expression over the whole reply text (code included). */
  text?: string;
}

export interface ProfileRow {
  row: string;
  documented: string;
  /** Case id globs whose results decide the row. */
  cases: string[];
  /** Why no black-box case can provoke this: the row is reported not-run. */
  untestable?: string;
  /** Harness capabilities the row needs. */
  needs: Array<'tls'>;
  /** How an `unsupported` case verdict counts. */
  unsupported: 'deviates' | 'not-run';
  note?: string;
  source: SourcePosition;
}

export interface Profile {
  name: string;
  title: string;
  source: string;
  description?: string;
  notes: string[];
  select: string[];
  dataModes: DataMode[];
  /** Parameter values after defaults and overrides. */
  parameters: Record<string, { value: number; describe: string }>;
  connections?: { max: number; beyond: ProfileReply; documented: string };
  login: { anonymous: 'never' | 'optional' | 'always'; anonymousPassword?: 'any' | 'email' | 'none'; named: boolean; documented?: string };
  commands: {
    supported: string[];
    other?: { reply: ProfileReply; documented: string; probe: string[] };
  };
  tls?: { explicit?: boolean; implicit?: boolean; implicitPort?: number };
  rows: ProfileRow[];
  /** The profile file (relative to the working directory), for messages. */
  file: string;
}

/** What the harness can do; rows that need more are not-run. */
export interface HarnessCapabilities {
  tls: boolean;
}
