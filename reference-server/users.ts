/**
 * Accounts: a users file (JSON array of UserRecord) with salted password hashes, plus anonymous
 * login (RFC 1635: user `anonymous` or `ftp`, any password, read-only unless configured).
 * Unknown user names cost the same hash computation as known ones, so timing does not reveal them.
 */
import { randomBytes, scryptSync, createHash, timingSafeEqual } from 'node:crypto';
import { promises as fsp } from 'node:fs';

export type Permission = 'read' | 'write' | 'delete' | 'mkdir';
export const ALL_PERMISSIONS: readonly Permission[] = ['read', 'write', 'delete', 'mkdir'];

export interface UserRecord {
  readonly name: string;
  /** `scrypt$<salt hex>$<hash hex>` or `sha256$<salt hex>$<hash hex>`; see hashPassword(). */
  readonly passwordHash?: string;
  /** Plain password, accepted for records built in code (tests); files should carry passwordHash. */
  readonly password?: string;
  /** The user's top directory, relative to the server root; default `/`. */
  readonly home?: string;
  readonly permissions?: readonly Permission[];
  /** When set, PASS answers 332 and ACCT must give this value (RFC 959 §4.1.1). */
  readonly account?: string;
}

export interface Account {
  readonly name: string;
  readonly home: string;
  readonly permissions: ReadonlySet<Permission>;
  readonly anonymous: boolean;
}

export type AnonymousOption = boolean | { readonly write?: boolean };

export type Credentials =
  | { readonly outcome: 'accepted'; readonly account: Account }
  | { readonly outcome: 'needs-account'; readonly account: Account; readonly expected: string }
  | { readonly outcome: 'rejected' };

const ANONYMOUS_NAMES = new Set(['anonymous', 'ftp']);
const SCRYPT_KEY_LENGTH = 32;

export function hashPassword(password: string, scheme: 'scrypt' | 'sha256' = 'scrypt'): string {
  const salt = randomBytes(16);
  return `${scheme}$${salt.toString('hex')}$${digest(scheme, password, salt).toString('hex')}`;
}

export function verifyPassword(password: string, encoded: string): boolean {
  const [scheme, saltHex, hashHex] = encoded.split('$');
  if ((scheme !== 'scrypt' && scheme !== 'sha256') || saltHex === undefined || hashHex === undefined) return false;
  const expected = Buffer.from(hashHex, 'hex');
  const actual = digest(scheme, password, Buffer.from(saltHex, 'hex'));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function digest(scheme: 'scrypt' | 'sha256', password: string, salt: Buffer): Buffer {
  if (scheme === 'scrypt') return scryptSync(password, salt, SCRYPT_KEY_LENGTH);
  return createHash('sha256').update(salt).update(password, 'utf8').digest();
}

/** Read and validate a users file; errors name the offending entry. */
export async function loadUsersFile(file: string): Promise<UserRecord[]> {
  const parsed: unknown = JSON.parse(await fsp.readFile(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array of users`);
  return parsed.map((entry, index) => validateUserRecord(entry, `${file}[${index}]`));
}

export function validateUserRecord(entry: unknown, where: string): UserRecord {
  if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: expected an object`);
  const record = entry as Record<string, unknown>;
  if (typeof record.name !== 'string' || record.name === '') throw new Error(`${where}: "name" must be a non-empty string`);
  if (typeof record.passwordHash !== 'string' && typeof record.password !== 'string') {
    throw new Error(`${where}: "passwordHash" (or "password") is required`);
  }
  if (typeof record.passwordHash === 'string' && !/^(scrypt|sha256)\$[0-9a-f]+\$[0-9a-f]+$/.test(record.passwordHash)) {
    throw new Error(`${where}: "passwordHash" must look like scrypt$<salt hex>$<hash hex>`);
  }
  const permissions = record.permissions ?? ALL_PERMISSIONS;
  if (!Array.isArray(permissions) || permissions.some((p) => !ALL_PERMISSIONS.includes(p as Permission))) {
    throw new Error(`${where}: "permissions" must be a list of ${ALL_PERMISSIONS.join(', ')}`);
  }
  if (record.home !== undefined && typeof record.home !== 'string') throw new Error(`${where}: "home" must be a string`);
  if (record.account !== undefined && typeof record.account !== 'string') {
    throw new Error(`${where}: "account" must be a string`);
  }
  return record as unknown as UserRecord;
}

export class UserDirectory {
  private readonly records = new Map<string, { record: UserRecord; hash: string }>();
  // Verified against when the name is unknown, so the cost does not reveal whether a user exists.
  private readonly decoyHash: string;

  constructor(
    records: readonly UserRecord[],
    private readonly anonymous: AnonymousOption,
  ) {
    for (const record of records) {
      // Plain passwords come from code, not from disk: the cheap salted hash is enough for them.
      const hash = record.passwordHash ?? hashPassword(record.password ?? '', 'sha256');
      this.records.set(record.name, { record, hash });
    }
    const usesScrypt = [...this.records.values()].some(({ hash }) => hash.startsWith('scrypt$'));
    this.decoyHash = hashPassword(randomBytes(12).toString('hex'), usesScrypt ? 'scrypt' : 'sha256');
  }

  check(name: string, password: string): Credentials {
    const known = this.records.get(name);
    if (known === undefined) {
      verifyPassword(password, this.decoyHash);
      if (this.anonymous !== false && ANONYMOUS_NAMES.has(name.toLowerCase())) {
        return { outcome: 'accepted', account: this.anonymousAccount(name) };
      }
      return { outcome: 'rejected' };
    }
    if (!verifyPassword(password, known.hash)) return { outcome: 'rejected' };
    const account: Account = {
      name,
      home: known.record.home ?? '/',
      permissions: new Set(known.record.permissions ?? ALL_PERMISSIONS),
      anonymous: false,
    };
    if (known.record.account !== undefined) {
      return { outcome: 'needs-account', account, expected: known.record.account };
    }
    return { outcome: 'accepted', account };
  }

  private anonymousAccount(name: string): Account {
    const write = typeof this.anonymous === 'object' && this.anonymous.write === true;
    const permissions: Permission[] = write ? ['read', 'write', 'mkdir'] : ['read'];
    return { name, home: '/', permissions: new Set(permissions), anonymous: true };
  }
}
