/**
 * The machine's devices as their drivers program them: register offsets and bits, and the
 * layout of the block device's request ring. This is the hardware's half of the contract with
 * drivers (the device models in machine/ implement it; the drivers in services/drivers/ use
 * it), so it lives with the rest of the ABI, below both.
 */

// ---------------------------------------------------------- the console UART (16550)

/** Capacity of the receive FIFO, in bytes. */
export const UART_RX_FIFO_BYTES = 256;

/** Register offsets. */
export const UART_REG = {
  RBR_THR: 0,
  IER: 1,
  IIR_FCR: 2,
  LCR: 3,
  MCR: 4,
  LSR: 5,
  MSR: 6,
  SCR: 7,
} as const;

/** IER bits. */
export const UART_IER = {
  RX_DATA: 1 << 0,
  THR_EMPTY: 1 << 1,
  RX_LINE_STATUS: 1 << 2,
  MODEM_STATUS: 1 << 3,
} as const;

/** IIR interrupt identification codes (bits 3..0; bits 7..6 are set while FIFOs are enabled). */
export const UART_IIR = {
  MODEM_STATUS: 0x00,
  NONE: 0x01,
  THR_EMPTY: 0x02,
  RX_DATA: 0x04,
  RX_LINE_STATUS: 0x06,
  FIFO_ENABLED: 0xc0,
} as const;

/** FCR bits. */
export const UART_FCR = { ENABLE: 1 << 0, CLEAR_RX: 1 << 1, CLEAR_TX: 1 << 2 } as const;

/** LSR bits. */
export const UART_LSR = { DR: 1 << 0, OE: 1 << 1, THRE: 1 << 5, TEMT: 1 << 6 } as const;

/** LCR bit selecting the divisor latch at offsets 0 and 1. */
export const UART_LCR_DLAB = 1 << 7;

/** MSR bits. */
export const UART_MSR = { DDCD: 1 << 3, CTS: 1 << 4, DSR: 1 << 5, DCD: 1 << 7 } as const;

// ---------------------------------------------------------- the block device

/** Bytes per sector. */
export const SECTOR_BYTES = 512;

/** Descriptors in the ring. */
export const BLOCK_QUEUE_SIZE = 64;

/** Largest READ or WRITE, in bytes. */
export const BLOCK_MAX_REQUEST_BYTES = 1024 * 1024;

/** Bytes GET_ID writes. */
export const BLOCK_ID_BYTES = 20;

/** Value of the MAGIC register. */
export const BLOCK_MAGIC = 0x6b627672;

/** Value of the VERSION register. */
export const BLOCK_VERSION = 1;

/** Register offsets. */
export const BLOCK_REG = {
  MAGIC: 0x00,
  VERSION: 0x04,
  CAPACITY_LO: 0x08,
  CAPACITY_HI: 0x0c,
  FLAGS: 0x10,
  QUEUE_SIZE: 0x14,
  RING_ADDR: 0x18,
  DOORBELL: 0x1c,
  INT_STATUS: 0x20,
  INT_ACK: 0x24,
  DEVICE_STATUS: 0x28,
  RESET: 0x2c,
} as const;

/** FLAGS bits. */
export const BLOCK_FLAG_READ_ONLY = 1 << 0;

/** INT_STATUS bits. */
export const BLOCK_INT = { USED: 1 << 0, ERROR: 1 << 1 } as const;

/** DEVICE_STATUS bits. */
export const BLOCK_DEVICE_STATUS = { RING_SET: 1 << 0, BUSY: 1 << 1, ERROR: 1 << 2 } as const;

/** Request operations. */
export const BLOCK_OP = { READ: 0, WRITE: 1, FLUSH: 2, GET_ID: 3 } as const;

/** Status bytes the device writes into a descriptor. */
export const BLOCK_STATUS = {
  OK: 0,
  /** The back end failed. */
  IOERR: 1,
  /** Unknown op. */
  UNSUPPORTED: 2,
  /** Length not a multiple of 512, zero or too large, or the buffer not all in RAM. */
  BAD_REQUEST: 3,
  /** The sectors run past the end of the disk. */
  OUT_OF_RANGE: 4,
  /** WRITE to a read-only disk. */
  READ_ONLY: 5,
} as const;

/** Bytes before the first descriptor: the avail and used indices and a reserved word pair. */
export const RING_HEADER_BYTES = 16;

/** Bytes per descriptor. */
export const DESCRIPTOR_BYTES = 32;

/** Size of the whole ring, in bytes. */
export const RING_BYTES = RING_HEADER_BYTES + BLOCK_QUEUE_SIZE * DESCRIPTOR_BYTES;

/** Alignment RING_ADDR must have, in bytes. */
export const RING_ALIGN = 16;

/** Offsets of the avail and used indices inside the ring. */
export const RING = { AVAIL: 0x00, USED: 0x04 } as const;

/** Field offsets inside a descriptor. */
export const DESC = { OP: 0x00, LENGTH: 0x04, SECTOR: 0x08, BUFFER: 0x10, STATUS: 0x18 } as const;

// ---------------------------------------------------------- the real-time clock (goldfish-rtc)

/** Register offsets. */
export const RTC_REG = {
  TIME_LOW: 0x00,
  TIME_HIGH: 0x04,
  ALARM_LOW: 0x08,
  ALARM_HIGH: 0x0c,
  IRQ_ENABLED: 0x10,
  CLEAR_ALARM: 0x14,
  ALARM_STATUS: 0x18,
  CLEAR_INTERRUPT: 0x1c,
} as const;
