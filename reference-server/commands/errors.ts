/** File-system failures → replies, in one place (RFC 959 §4.2: 450/550/553 before, 451/552 during). */
import { replies, type Reply } from '../replies';
import type { VfsError } from '../vfs';

export function replyForFileError(error: VfsError): Reply {
  switch (error.kind) {
    case 'outside':
      return replies.outsideRoot;
    case 'not-found':
      return replies.noSuchFile(error.pathname);
    case 'not-a-directory':
      return replies.notADirectory(error.pathname);
    case 'not-a-file':
      return replies.notAFile(error.pathname);
    case 'exists':
      return replies.alreadyExists(error.pathname);
    case 'not-empty':
      return replies.directoryNotEmpty(error.pathname);
    case 'io':
      return replyForIoError(error.cause);
  }
}

/** Errors reading or writing file contents. Before a transfer starts (`during` false) 452 is allowed. */
export function replyForIoError(cause: NodeJS.ErrnoException | undefined, during = false): Reply {
  switch (cause?.code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return replies.permissionDenied;
    case 'ENOSPC':
      return during ? replies.storageExceeded : replies.insufficientStorage;
    case 'EDQUOT':
    case 'EFBIG':
      return replies.storageExceeded;
    case 'EBUSY':
    case 'ETXTBSY':
      return replies.fileBusy('file');
    default:
      return replies.localError;
  }
}
