/**
 * The layout of the VFS's buffer cache region, which the kernel reads (it holds a read-only
 * handle): this is how file data reaches a user's buffer with one copy. A read's reply names
 * slots of this region; the kernel copies from them straight into the process's memory.
 *
 *   word 0        CACHE_MAGIC
 *   word 1        number of slots, N
 *   word 2        SLOT_BYTES
 *   word 3..15    reserved (0)
 *   word 16 + i   generation of slot i (i < N)
 *   byte CACHE_SLOTS_OFFSET(N) + i * SLOT_BYTES   slot i
 *
 * Generations make the copy safe without locks (a seqlock): the VFS makes a slot's generation
 * odd before it changes the slot's contents (a DMA into it, a write, a reuse for another block)
 * and even again after. A reply names each slot with the (even) generation it had when the
 * reply was made; the kernel copies, then checks that the generation is still that value. If
 * it is not, the slot changed under the copy and the kernel asks again.
 */

/** Bytes per slot: one page, which holds one file-system block of any size up to 4 KiB. */
export const SLOT_BYTES = 4096;
/** The first word of the region. */
export const CACHE_MAGIC = 0x56465343; // "CSFV" little-endian: "VFSC"
/** Word indices of the header. */
export const CACHE_HEADER = { MAGIC: 0, SLOTS: 1, SLOT_BYTES: 2, GENS: 16 } as const;

/** Byte offset of slot 0 in a region of `slots` slots (page-aligned, after the generations). */
export function cacheSlotsOffset(slots: number): number {
  const headerBytes = 4 * (CACHE_HEADER.GENS + slots);
  return Math.ceil(headerBytes / SLOT_BYTES) * SLOT_BYTES;
}

/** Bytes of a cache region with `slots` slots. */
export function cacheRegionBytes(slots: number): number {
  return cacheSlotsOffset(slots) + slots * SLOT_BYTES;
}
