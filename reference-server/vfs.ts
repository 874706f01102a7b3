/**
 * The virtual file system a session sees: a real directory presented as `/`. Every pathname is
 * resolved against the working directory, normalised, and confined: `..` above the top, NUL bytes
 * and symbolic links whose target lies outside the top are refused (VfsError 'outside' → 550).
 */
import { promises as fsp, type Stats } from 'node:fs';
import * as path from 'node:path';

export type VfsErrorKind = 'outside' | 'not-found' | 'not-a-directory' | 'not-a-file' | 'exists' | 'not-empty' | 'io';

export class VfsError extends Error {
  constructor(
    readonly kind: VfsErrorKind,
    readonly pathname: string,
    override readonly cause?: NodeJS.ErrnoException,
  ) {
    super(`${kind}: ${pathname}${cause ? ` (${cause.code ?? cause.message})` : ''}`);
  }
}

/** Upload temp files live beside their target until renamed; listings never show them. */
export const PARTIAL_UPLOAD_PREFIX = '.ftp-conform-partial-';

export interface Located {
  /** Normalised virtual pathname, always absolute (`/a/b`). */
  readonly virtual: string;
  /** The host pathname to operate on. */
  readonly host: string;
}

export interface DirectoryEntry {
  readonly name: string;
  readonly stats: Stats;
}

/** Resolve `input` against `cwd` in the virtual tree; null if it climbs above `/` or holds NUL. */
export function resolveVirtual(cwd: string, input: string): string | null {
  if (input.includes('\0')) return null;
  const joined = input.startsWith('/') ? input : `${cwd}/${input}`;
  const segments: string[] = [];
  for (const segment of joined.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return null;
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

export class VirtualFileSystem {
  private realTop: string | undefined;

  constructor(readonly top: string) {}

  /** Resolve and confine a pathname; the object it names need not exist. */
  async locate(cwd: string, input: string): Promise<Located> {
    const virtual = resolveVirtual(cwd, input);
    if (virtual === null) throw new VfsError('outside', input);
    const host = virtual === '/' ? this.top : path.join(this.top, ...virtual.slice(1).split('/'));
    await this.assertInside(host, virtual);
    return { virtual, host };
  }

  async stat(located: Located): Promise<Stats> {
    try {
      return await fsp.stat(located.host);
    } catch (error) {
      throw this.translate(error, located.virtual);
    }
  }

  async statDirectory(located: Located): Promise<Stats> {
    const stats = await this.stat(located);
    if (!stats.isDirectory()) throw new VfsError('not-a-directory', located.virtual);
    return stats;
  }

  async statFile(located: Located): Promise<Stats> {
    const stats = await this.stat(located);
    if (!stats.isFile()) throw new VfsError('not-a-file', located.virtual);
    return stats;
  }

  /** Directory entries that stay inside the tree, sorted by name; partial uploads are hidden. */
  async list(located: Located): Promise<DirectoryEntry[]> {
    await this.statDirectory(located);
    let names: string[];
    try {
      names = await fsp.readdir(located.host);
    } catch (error) {
      throw this.translate(error, located.virtual);
    }
    const top = await this.realTopPath();
    const entries: DirectoryEntry[] = [];
    for (const name of names.sort()) {
      if (name.startsWith(PARTIAL_UPLOAD_PREFIX)) continue;
      const host = path.join(located.host, name);
      try {
        if (!this.isInside(await fsp.realpath(host), top)) continue;
        entries.push({ name, stats: await fsp.stat(host) });
      } catch {
        // Broken links and entries that vanished meanwhile are not listed.
      }
    }
    return entries;
  }

  async makeDirectory(located: Located): Promise<void> {
    try {
      await fsp.mkdir(located.host);
    } catch (error) {
      throw this.translate(error, located.virtual);
    }
  }

  async removeDirectory(located: Located): Promise<void> {
    if (located.virtual === '/') throw new VfsError('outside', located.virtual);
    await this.statDirectory(located);
    try {
      await fsp.rmdir(located.host);
    } catch (error) {
      throw this.translate(error, located.virtual);
    }
  }

  async removeFile(located: Located): Promise<void> {
    const stats = await this.stat(located);
    if (stats.isDirectory()) throw new VfsError('not-a-file', located.virtual);
    try {
      await fsp.unlink(located.host);
    } catch (error) {
      throw this.translate(error, located.virtual);
    }
  }

  async rename(from: Located, to: Located): Promise<void> {
    if (from.virtual === '/' || to.virtual === '/') throw new VfsError('outside', from.virtual);
    if (to.virtual.startsWith(`${from.virtual}/`)) throw new VfsError('outside', to.virtual);
    await this.stat(from);
    try {
      await fsp.rename(from.host, to.host);
    } catch (error) {
      throw this.translate(error, to.virtual);
    }
  }

  async exists(located: Located): Promise<boolean> {
    try {
      await fsp.lstat(located.host);
      return true;
    } catch {
      return false;
    }
  }

  private async assertInside(host: string, virtual: string): Promise<void> {
    // The deepest existing ancestor decides: a symlink anywhere on the way must stay inside.
    let probe = host;
    for (;;) {
      try {
        const real = await fsp.realpath(probe);
        if (!this.isInside(real, await this.realTopPath())) throw new VfsError('outside', virtual);
        return;
      } catch (error) {
        if (error instanceof VfsError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw this.translate(error, virtual);
        const parent = path.dirname(probe);
        if (parent === probe) throw new VfsError('outside', virtual);
        // A dangling symlink must not let a later create escape through it.
        if (code === 'ENOENT' && (await isSymlink(probe))) throw new VfsError('outside', virtual);
        probe = parent;
      }
    }
  }

  private isInside(real: string, top: string): boolean {
    return real === top || real.startsWith(top.endsWith(path.sep) ? top : `${top}${path.sep}`);
  }

  private async realTopPath(): Promise<string> {
    this.realTop ??= await fsp.realpath(this.top);
    return this.realTop;
  }

  private translate(error: unknown, virtual: string): VfsError {
    if (error instanceof VfsError) return error;
    const errno = error as NodeJS.ErrnoException;
    switch (errno.code) {
      case 'ENOENT':
        return new VfsError('not-found', virtual, errno);
      case 'ENOTDIR':
        return new VfsError('not-a-directory', virtual, errno);
      case 'EISDIR':
        return new VfsError('not-a-file', virtual, errno);
      case 'EEXIST':
        return new VfsError('exists', virtual, errno);
      case 'ENOTEMPTY':
        return new VfsError('not-empty', virtual, errno);
      default:
        return new VfsError('io', virtual, errno);
    }
  }
}

async function isSymlink(host: string): Promise<boolean> {
  try {
    return (await fsp.lstat(host)).isSymbolicLink();
  } catch {
    return false;
  }
}
