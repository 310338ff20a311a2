/**
 * The Debian packages the project's tools need, and a function that installs the missing ones
 * (with apt-get as root, or through passwordless sudo). Used by the test and benchmark
 * commands so that a fresh machine with only Node and npm gets what it needs.
 */

/** Debian package per command it provides. */
export const DEBIAN_PACKAGES: Record<string, string> = {
  "riscv64-unknown-elf-gcc": "gcc-riscv64-unknown-elf",
  "qemu-riscv32": "qemu-user",
  "e2fsck": "e2fsprogs",
  "chromium": "chromium", // the web console's browser tests
  "cc": "gcc", // SQLite's native build, the fidelity tests' third party
  "sqlite3": "sqlite3", // opens the databases the OS made, and makes some for it
};
/** Packages without a command of their own to probe for. */
const LIBRARY_PACKAGES = ["picolibc-riscv64-unknown-elf"];
const PICOLIBC_SPECS = "/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs";

async function commandExists(name: string): Promise<boolean> {
  const probe = new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" });
  return (await probe.output()).success;
}

async function run(cmd: string[]): Promise<boolean> {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "inherit",
    stderr: "inherit",
  });
  return (await child.output()).success;
}

/**
 * Installs whatever is missing (of `only`'s packages, if given); throws with a clear message if
 * that is impossible.
 */
export async function ensureDebianPackages(only?: string[]): Promise<void> {
  const wanted = (pkg: string) => only === undefined || only.includes(pkg);
  const missing: string[] = [];
  for (const [cmd, pkg] of Object.entries(DEBIAN_PACKAGES)) {
    if (wanted(pkg) && !(await commandExists(cmd))) missing.push(pkg);
  }
  try {
    Deno.statSync(PICOLIBC_SPECS);
  } catch {
    missing.push(...LIBRARY_PACKAGES.filter(wanted));
  }
  if (missing.length === 0) return;
  const root = Deno.uid() === 0;
  const prefix = root ? [] : (await commandExists("sudo")) ? ["sudo", "-n"] : undefined;
  if (!prefix || !(await commandExists("apt-get"))) {
    throw new Error(`missing Debian packages: ${missing.join(" ")} (install them with apt-get)`);
  }
  console.error(`installing Debian packages: ${missing.join(" ")}`);
  const env = ["env", "DEBIAN_FRONTEND=noninteractive"];
  if (!(await run([...prefix, ...env, "apt-get", "update", "-qq"]))) {
    throw new Error("apt-get update failed");
  }
  if (!(await run([...prefix, ...env, "apt-get", "install", "-y", "-qq", ...missing]))) {
    throw new Error(`apt-get install ${missing.join(" ")} failed`);
  }
}
