/**
 * The real-time clock: wall time and one alarm, with the goldfish-rtc register layout (as on
 * QEMU's and Android's boards, so Linux's rtc-goldfish driver would work). Times are 64-bit
 * counts of nanoseconds since the Unix epoch.
 *
 * Registers, 32 bits wide (other widths and offsets read 0 and ignore writes):
 *
 * | offset | name            | access | meaning                                                |
 * |--------|-----------------|--------|--------------------------------------------------------|
 * | 0x00   | TIME_LOW        | R      | time, low 32 bits; reading it latches the high half    |
 * | 0x04   | TIME_HIGH       | R      | high 32 bits latched by the last TIME_LOW read         |
 * | 0x08   | ALARM_LOW       | RW     | alarm time, low 32 bits; writing it arms the alarm     |
 * | 0x0c   | ALARM_HIGH      | RW     | alarm time, high 32 bits (write it before ALARM_LOW)   |
 * | 0x10   | IRQ_ENABLED     | RW     | bit 0: the alarm may raise the interrupt line          |
 * | 0x14   | CLEAR_ALARM     | W      | any value: disarms the alarm                           |
 * | 0x18   | ALARM_STATUS    | R      | 1 while an alarm is armed and not yet reached          |
 * | 0x1c   | CLEAR_INTERRUPT | W      | any value: acknowledges a fired alarm                  |
 *
 * When the wall clock reaches an armed alarm (at once, if it is armed in the past), the alarm
 * disarms itself and the interrupt becomes pending; the line is high while an interrupt is
 * pending and IRQ_ENABLED is set. The time is the back end's: the guest cannot set it.
 *
 * The device does not poll. It asks its `WallClock` back end to call it back at the alarm
 * time: the host clock uses a timer, the fake clock of the tests fires due callbacks when a
 * test steps its time, which keeps the tests deterministic.
 */

import type { MmioDevice } from "./bus.ts";
import { RTC_REG } from "../abi/devices.ts";

/** Where the RTC gets the time from. */
export interface WallClock {
  /** Nanoseconds since the Unix epoch. */
  nowNs(): bigint;
  /**
   * Calls `fire` once, when the time is `at_ns` or later, and never from inside `schedule`
   * itself; returns a function that cancels the call.
   */
  schedule(at_ns: bigint, fire: () => void): () => void;
}

const LOW_MASK = 0xffff_ffffn;

/** The goldfish-style real-time clock. */
export class Rtc implements MmioDevice {
  readonly name = "rtc";
  private timeHighLatch = 0;
  private alarmNs = 0n;
  private cancelAlarm: (() => void) | null = null;
  private irqEnabled = false;
  private interruptPending = false;
  private line = false;

  /**
   * @param clock the wall-clock back end
   * @param irq drives the RTC's interrupt line (a level)
   */
  constructor(private readonly clock: WallClock, private readonly irq: (high: boolean) => void) {}

  /** Disarms the alarm, so that no host timer outlives the machine. */
  close(): void {
    this.disarm();
  }

  read(offset: number, width: 1 | 2 | 4): number {
    if (width !== 4) return 0;
    switch (offset) {
      case RTC_REG.TIME_LOW: {
        const now = BigInt.asUintN(64, this.clock.nowNs());
        this.timeHighLatch = Number(now >> 32n);
        return Number(now & LOW_MASK);
      }
      case RTC_REG.TIME_HIGH:
        return this.timeHighLatch;
      case RTC_REG.ALARM_LOW:
        return Number(this.alarmNs & LOW_MASK);
      case RTC_REG.ALARM_HIGH:
        return Number(this.alarmNs >> 32n);
      case RTC_REG.IRQ_ENABLED:
        return this.irqEnabled ? 1 : 0;
      case RTC_REG.ALARM_STATUS:
        return this.cancelAlarm ? 1 : 0;
      default:
        return 0;
    }
  }

  write(offset: number, width: 1 | 2 | 4, value: number): void {
    if (width !== 4) return;
    const word = BigInt(value >>> 0);
    switch (offset) {
      case RTC_REG.ALARM_LOW:
        this.alarmNs = (this.alarmNs & ~LOW_MASK) | word;
        this.arm();
        break;
      case RTC_REG.ALARM_HIGH:
        this.alarmNs = (this.alarmNs & LOW_MASK) | (word << 32n);
        break;
      case RTC_REG.IRQ_ENABLED:
        this.irqEnabled = (value & 1) !== 0;
        this.updateLine();
        break;
      case RTC_REG.CLEAR_ALARM:
        this.disarm();
        break;
      case RTC_REG.CLEAR_INTERRUPT:
        this.interruptPending = false;
        this.updateLine();
        break;
    }
  }

  private arm(): void {
    this.disarm();
    if (this.alarmNs <= this.clock.nowNs()) {
      this.ring();
      return;
    }
    this.cancelAlarm = this.clock.schedule(this.alarmNs, () => {
      this.cancelAlarm = null;
      this.ring();
    });
  }

  private disarm(): void {
    this.cancelAlarm?.();
    this.cancelAlarm = null;
  }

  private ring(): void {
    this.interruptPending = true;
    this.updateLine();
  }

  private updateLine(): void {
    const high = this.interruptPending && this.irqEnabled;
    if (high === this.line) return;
    this.line = high;
    this.irq(high);
  }
}
