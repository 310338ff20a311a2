/**
 * The physical address map of the emulated machine, in one place.
 *
 * The layout follows QEMU's `virt` board where it can: CLINT at 0x0200_0000, PLIC at
 * 0x0c00_0000, devices at 0x1000_0000 and RAM at 0x8000_0000. RAM is split into banks: the
 * user bank at RAM_BASE holds every user page and page table and is never handed to a service
 * worker; banks that may be shared with services live in the window at SHARED_BASE.
 */

/** Size of a page and of a TLB entry's reach, in bytes (Sv32 base pages). */
export const PAGE_SIZE = 4096;
/** Size of an Sv32 megapage, in bytes. */
export const MEGAPAGE_SIZE = 4 * 1024 * 1024;

/** Core-local interruptor: per-hart software interrupt and timer compare registers. */
export const CLINT_BASE = 0x0200_0000;
export const CLINT_SIZE = 0x0001_0000;

/** Platform-level interrupt controller. */
export const PLIC_BASE = 0x0c00_0000;
export const PLIC_SIZE = 0x0400_0000;

/** Console UART (16550-style registers). */
export const UART0_BASE = 0x1000_0000;
export const UART0_SIZE = 0x100;

/** Second serial line (16550-style registers): the host's stderr. */
export const UART1_BASE = 0x1000_3000;
export const UART1_SIZE = 0x100;

/**
 * Further serial lines (16550-style registers), the web console's terminals: uart2 … uart(1 +
 * UART_EXTRA), uartN at UART_EXTRA_BASE + (N - 2) · UART_EXTRA_STRIDE.
 */
export const UART_EXTRA = 3;
export const UART_EXTRA_BASE = 0x1000_4000;
export const UART_EXTRA_STRIDE = 0x1000;

/** Block device (virtio-blk in spirit: a request ring and DMA). */
export const BLOCK0_BASE = 0x1000_1000;
export const BLOCK0_SIZE = 0x1000;

/** Real-time clock (goldfish-rtc register layout). */
export const RTC_BASE = 0x1000_2000;
export const RTC_SIZE = 0x1000;

/** Window for RAM banks that may be shared with service workers. */
export const SHARED_BASE = 0x4000_0000;
export const SHARED_WINDOW_SIZE = 0x4000_0000;

/** The user bank: user pages and page tables. Never given to a service. */
export const RAM_BASE = 0x8000_0000;
/** Default size of the user bank, in bytes. */
export const RAM_SIZE_DEFAULT = 128 * 1024 * 1024;

/** PLIC interrupt source numbers of the devices. */
export const IRQ_BLOCK0 = 1;
export const IRQ_UART0 = 10;
export const IRQ_RTC = 11;
export const IRQ_UART1 = 12;
/** uartN's source, for the further serial lines: IRQ_UART_EXTRA + N - 2. */
export const IRQ_UART_EXTRA = 13;
