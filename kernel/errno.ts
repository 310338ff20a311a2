/**
 * The kernel's errors: the ABI's errno values, and the exception that fails a system call with
 * one of them.
 */

export * from "../abi/errno.ts";

/** Thrown inside the kernel to fail a system call with an errno. */
export class SyscallError extends Error {
  constructor(readonly errno: number, message = `errno ${errno}`) {
    super(message);
  }
}
