/**
 * The kernel log: a bounded ring of timestamped records, the one place every line of the kernel's
 * `log` and `info` and every service's log line (CTL.LOG) goes — what `dmesg` shows, through
 * /proc/kmsg (SYSINFO.KMSG).
 *
 * Each record is one line (a message with newlines becomes several records, as printk makes
 * them), with a sequence number, the machine time it was added and a syslog priority (facility
 * << 3 | level). The text form is Linux's /dev/kmsg record, one line each:
 * `PRIORITY,SEQUENCE,MICROSECONDS,-;TEXT`, with control characters and backslashes in TEXT
 * escaped as \xNN. When the records' text passes KLOG_BYTES (UTF-8) the oldest go; sequence
 * numbers keep counting, so a reader sees what it missed.
 */

/** Most bytes of record text the ring holds (Linux's default buffer is 128 KiB). */
export const KLOG_BYTES = 64 * 1024;

/** Longest record text kept (characters; Linux's is about 1 KiB): the rest is cut. */
export const LINE_MAX = 1024;

/** syslog levels used. */
export const LOG_LEVEL = {
  ERR: 3,
  WARNING: 4,
  NOTICE: 5,
  INFO: 6,
} as const;

/** syslog facilities: the kernel's own lines, and the services' (system daemons). */
export const LOG_FACILITY = {
  KERN: 0,
  DAEMON: 3,
} as const;

/** One record. */
export interface LogRecord {
  seq: number;
  /** Machine time it was logged, in µs since boot. */
  usec: number;
  /** facility << 3 | level. */
  priority: number;
  text: string;
}

/** The ring. */
export class KernelLog {
  private readonly records: LogRecord[] = [];
  /** Each record's bytes as text. */
  private readonly sizes: number[] = [];
  private first = 0;
  private bytes = 0;
  private nextSeq = 0;

  constructor(readonly capacityBytes = KLOG_BYTES) {}

  /** Adds `text` (one record per line) at `usec`. */
  add(usec: number, priority: number, text: string): void {
    for (const line of text.split("\n")) {
      const record = {
        seq: this.nextSeq++,
        usec: Math.floor(usec),
        priority,
        text: line.slice(0, LINE_MAX),
      };
      const size = encoder.encode(format(record)).length;
      this.records.push(record);
      this.sizes.push(size);
      this.bytes += size;
      while (this.bytes > this.capacityBytes && this.first < this.records.length - 1) {
        this.bytes -= this.sizes[this.first];
        this.first++;
      }
    }
    if (this.first > 1024 && this.first * 2 > this.records.length) {
      this.records.splice(0, this.first);
      this.sizes.splice(0, this.first);
      this.first = 0;
    }
  }

  /** The records held, oldest first. */
  list(): LogRecord[] {
    return this.records.slice(this.first);
  }

  /** Records dropped so far to keep within the capacity. */
  get dropped(): number {
    return this.nextSeq - (this.records.length - this.first);
  }

  /** The records held as /dev/kmsg text, one line each. */
  text(): string {
    return this.list().map(format).join("");
  }
}

const encoder = new TextEncoder();

/** A record as a /dev/kmsg line. */
function format(r: LogRecord): string {
  return `${r.priority},${r.seq},${r.usec},-;${escape(r.text)}\n`;
}

/** Linux's escaping of a record's text: control characters and backslash as \xNN. */
function escape(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f\\]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
