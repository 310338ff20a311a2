/**
 * The error the service library throws: an errno, as the kernel or a peer reported it.
 */

/** Names of the errno values IPC uses, for messages. */
const NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  9: "EBADF",
  11: "EAGAIN",
  12: "ENOMEM",
  17: "EEXIST",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  90: "EMSGSIZE",
  104: "ECONNRESET",
  107: "ENOTCONN",
  110: "ETIMEDOUT",
};

/** A failed IPC operation. `errno` is positive (EPERM = 1, …). */
export class IpcError extends Error {
  readonly errno: number;

  /** `code` may be given as -errno (as replies carry it) or errno. */
  constructor(code: number, detail = "") {
    const errno = Math.abs(code);
    super(`${NAMES[errno] ?? `errno ${errno}`}${detail ? `: ${detail}` : ""}`);
    this.errno = errno;
  }
}

/** Throws IpcError if a kernel result is negative; returns it otherwise. */
export function check(result: number, what: string): number {
  if (result < 0) throw new IpcError(result, what);
  return result;
}
