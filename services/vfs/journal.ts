/**
 * The VFS's journal: a redo log of the disk blocks every operation changed, in memory the
 * kernel keeps across the VFS's restarts (ServiceBoot's `kept`, the CuriOS idea), so that a
 * VFS that crashes, is killed or hangs loses nothing it acknowledged and leaves a consistent
 * file system behind.
 *
 * The rule: the disk only ever receives block contents some committed operation left. The VFS
 * carries out one operation at a time (main.ts); when one ends, the cache (cache.ts `endOp`)
 * copies every journaled block it changed into one record here and publishes the record with
 * one atomic store of the log's end, together with the operation's reply and the kernel's tag
 * for it. Only then is the reply sent. A VFS that dies in the middle of an operation leaves no
 * record of it, and none of its half-made changes reached the disk (a changed block stays
 * pinned in the cache until the operation ends, and the write-back writes only blocks whose
 * changes are committed, in any order). The next instance, before it mounts the disk, writes
 * every block of every record in the log, in order, to the disk, flushes, and empties the log
 * (`replay`): the disk then holds exactly the state after the last committed operation.
 *
 * When the log is nearly full, the VFS flushes the whole cache to the disk between two
 * operations and empties it (a checkpoint). fsync and sync flush as before, so what they made
 * durable also survives the host itself stopping; the journal covers the VFS's own deaths, as
 * long as the kernel lives (a power cut that lands in the middle of a write-back can still
 * leave ext2 needing e2fsck, as ext2 always did).
 *
 * Applied once: the kernel sends a change that was in flight when the VFS died again, with
 * the same tag (abi/vfs.ts VFS_RESEND). If its record was committed, the reply kept with it is
 * the answer and the change is not applied again; if not, nothing of it reached the disk, and
 * it is applied now. Replies outlive the log that held them in a ring of the last REPLIES.
 *
 * Layout of the kept memory (little-endian words):
 *
 *   word 0   JOURNAL_MAGIC
 *   word 1   instances started on it (1 for the first)
 *   word 2   END: bytes of committed records in the log (the commit point)
 *   word 3   replies written to the ring, free-running
 *   byte 64                    the reply ring: REPLIES entries of REPLY_BYTES
 *   byte LOG_OFFSET            the log: records, each
 *              [magic, blocks n, block bytes, sender, tag, label, length, payload (224 bytes)]
 *              then n block numbers, then n blocks of data, padded to 4 bytes
 */

import { MSG_PAYLOAD_MAX } from "../../abi/ipc.ts";
import type { DeviceCache } from "./cache.ts";

const JOURNAL_MAGIC = 0x4c4e4a44; // "DJNL"
const RECORD_MAGIC = 0x43524a44; // "DJRC"
const W = { MAGIC: 0, INSTANCES: 1, END: 2, REPLIES: 3 } as const;
/** Replies kept after their record left the log. */
const REPLIES = 256;
/** [sender, tag, label, length] then the payload. */
const REPLY_BYTES = 16 + MSG_PAYLOAD_MAX;
const RING_OFFSET = 64;
const LOG_OFFSET = Math.ceil((RING_OFFSET + REPLIES * REPLY_BYTES) / 4096) * 4096;
/** [magic, n, block bytes] then a reply entry. */
const HEADER_BYTES = 12 + REPLY_BYTES;
/**
 * Room the log keeps for the operation about to run: a checkpoint empties it first when less
 * is free. An operation changes at most one 64 KiB write's blocks, their indirect blocks and
 * the bitmaps of the groups it touches; a record larger than this is refused (a bug).
 */
export const JOURNAL_RESERVE = 4 * 1024 * 1024;

/** The answer to an operation, as the journal keeps it for a resend. */
export interface KeptReply {
  label: number;
  payload: Uint8Array;
}

/** Who asked for an operation: the kernel's party and its tag for the call. */
export interface Asker {
  sender: number;
  tag: number;
}

/** A block changed by an operation: its number and its bytes (a view, copied at commit). */
export interface ChangedBlock {
  block: number;
  data: Uint8Array;
}

/** A block to write back at replay: where on the disk (bytes) and what. */
export interface ReplayWrite {
  byte: number;
  data: Uint8Array;
}

/** The journal over one kept buffer. */
export class Journal {
  private readonly words: Int32Array;
  private readonly view: DataView;
  /** Replies by sender and tag: the ring's and the log's, newest last. */
  private readonly replies = new Map<string, KeptReply>();

  constructor(private readonly mem: Uint8Array) {
    if (mem.byteOffset % 4 !== 0 || mem.length < LOG_OFFSET + 2 * JOURNAL_RESERVE) {
      throw new RangeError(
        `journal: ${mem.length} bytes of kept memory, at least ${
          LOG_OFFSET + 2 * JOURNAL_RESERVE
        } needed`,
      );
    }
    this.words = new Int32Array(mem.buffer, mem.byteOffset, mem.length >> 2);
    this.view = new DataView(mem.buffer, mem.byteOffset, mem.length);
    if (Atomics.load(this.words, W.MAGIC) !== JOURNAL_MAGIC) {
      this.words.fill(0, 0, LOG_OFFSET >> 2);
      Atomics.store(this.words, W.MAGIC, JOURNAL_MAGIC);
    }
    Atomics.add(this.words, W.INSTANCES, 1);
    this.loadReplies();
  }

  /** Whether an earlier instance ran on this memory (this one is a restart). */
  get restarted(): boolean {
    return Atomics.load(this.words, W.INSTANCES) > 1;
  }

  /** Bytes of committed records in the log. */
  get used(): number {
    return Atomics.load(this.words, W.END);
  }

  /** Bytes the log can still take. */
  get free(): number {
    return this.mem.length - LOG_OFFSET - this.used;
  }

  /** The reply kept for `asker`'s request, if a record of it was committed. */
  replied(asker: Asker): KeptReply | undefined {
    return this.replies.get(key(asker));
  }

  /**
   * Commits one operation: its changed blocks (of `blockBytes` each) and, if it was a
   * kernel's call, who asked and the reply. Synchronous; the store of END is the commit.
   */
  commit(blocks: ChangedBlock[], blockBytes: number, asked?: Asker & KeptReply): void {
    const end = this.used;
    const bytes = align4(HEADER_BYTES + blocks.length * (4 + blockBytes));
    if (bytes > this.free) {
      throw new Error(
        `journal: an operation changed ${blocks.length} blocks, more than the log holds`,
      );
    }
    const at = LOG_OFFSET + end;
    this.view.setUint32(at, RECORD_MAGIC, true);
    this.view.setUint32(at + 4, blocks.length, true);
    this.view.setUint32(at + 8, blockBytes, true);
    this.writeReply(at + 12, asked);
    let data = at + HEADER_BYTES + 4 * blocks.length;
    blocks.forEach((b, i) => {
      this.view.setUint32(at + HEADER_BYTES + 4 * i, b.block, true);
      this.mem.set(b.data.subarray(0, blockBytes), data);
      data += blockBytes;
    });
    Atomics.store(this.words, W.END, end + bytes);
    if (asked) this.keep(asked);
  }

  /**
   * The blocks to write for the disk to hold the last committed state: the newest version of
   * every block in the log (a torn or foreign log throws: the memory is not a journal's).
   */
  pending(): ReplayWrite[] {
    const newest = new Map<number, Uint8Array>();
    this.forEachRecord((at, n, blockBytes) => {
      for (let i = 0; i < n; i++) {
        const block = this.view.getUint32(at + HEADER_BYTES + 4 * i, true);
        const from = at + HEADER_BYTES + 4 * n + i * blockBytes;
        newest.set(block * blockBytes, this.mem.subarray(from, from + blockBytes));
      }
    });
    return [...newest].sort((a, b) => a[0] - b[0]).map(([byte, data]) => ({ byte, data }));
  }

  /**
   * Empties the log, once everything in it is on the disk (a checkpoint, or a replay's end);
   * the replies of its records stay in the ring.
   */
  reset(): void {
    this.forEachRecord((at) => {
      const asked = this.readReply(at + 12);
      if (asked) this.ringPut(asked);
    });
    Atomics.store(this.words, W.END, 0);
  }

  private forEachRecord(visit: (at: number, n: number, blockBytes: number) => void): void {
    const end = this.used;
    let off = 0;
    while (off < end) {
      const at = LOG_OFFSET + off;
      const n = this.view.getUint32(at + 4, true);
      const blockBytes = this.view.getUint32(at + 8, true);
      const bytes = align4(HEADER_BYTES + n * (4 + blockBytes));
      if (
        this.view.getUint32(at, true) !== RECORD_MAGIC ||
        ![1024, 2048, 4096].includes(blockBytes) ||
        off + bytes > end
      ) {
        throw new Error(`journal: a bad record at ${off} of ${end} bytes`);
      }
      visit(at, n, blockBytes);
      off += bytes;
    }
  }

  private keep(asked: Asker & KeptReply): void {
    this.replies.delete(key(asked));
    this.replies.set(key(asked), { label: asked.label, payload: asked.payload.slice() });
    while (this.replies.size > 4 * REPLIES) {
      this.replies.delete(this.replies.keys().next().value!);
    }
  }

  private loadReplies(): void {
    const written = Atomics.load(this.words, W.REPLIES);
    for (let i = Math.max(0, written - REPLIES); i < written; i++) {
      const asked = this.readReply(RING_OFFSET + (i % REPLIES) * REPLY_BYTES);
      if (asked) this.keep(asked);
    }
    this.forEachRecord((at) => {
      const asked = this.readReply(at + 12);
      if (asked) this.keep(asked);
    });
  }

  /** Adds a reply to the ring: its tag is written last, so a torn entry names nobody. */
  private ringPut(asked: Asker & KeptReply): void {
    const i = Atomics.load(this.words, W.REPLIES);
    const at = RING_OFFSET + (i % REPLIES) * REPLY_BYTES;
    this.view.setUint32(at + 4, 0, true);
    this.writeReply(at, { ...asked, tag: 0 });
    this.view.setUint32(at + 4, asked.tag, true);
    Atomics.store(this.words, W.REPLIES, i + 1);
  }

  private writeReply(at: number, asked: (Asker & KeptReply) | undefined): void {
    const payload = asked?.payload ?? new Uint8Array(0);
    if (payload.length > MSG_PAYLOAD_MAX) throw new RangeError("journal: reply too long");
    this.view.setInt32(at, asked?.sender ?? 0, true);
    this.view.setUint32(at + 4, asked?.tag ?? 0, true);
    this.view.setInt32(at + 8, asked?.label ?? 0, true);
    this.view.setUint32(at + 12, payload.length, true);
    this.mem.set(payload, at + 16);
  }

  private readReply(at: number): (Asker & KeptReply) | undefined {
    const tag = this.view.getUint32(at + 4, true);
    const length = this.view.getUint32(at + 12, true);
    if (tag === 0 || length > MSG_PAYLOAD_MAX) return undefined;
    return {
      sender: this.view.getInt32(at, true),
      tag,
      label: this.view.getInt32(at + 8, true),
      payload: this.mem.slice(at + 16, at + 16 + length),
    };
  }
}

/**
 * Makes `journal` the journal of `device`, before anything of it is cached or mounted: the
 * blocks its log holds are written to the disk and flushed (the state after the last
 * committed operation), the log is emptied, and the device's changes are committed to it from
 * now on. Returns the number of blocks written back.
 */
export async function attachJournal(journal: Journal, device: DeviceCache): Promise<number> {
  const writes = journal.pending();
  await device.writeThrough(writes);
  journal.reset();
  device.journal = journal;
  return writes.length;
}

function key(a: Asker): string {
  return `${a.sender}:${a.tag}`;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
