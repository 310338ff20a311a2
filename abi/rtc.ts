/**
 * The real-time clock protocol: the rtc driver ("rtc") tells the wall-clock time. The kernel
 * asks at boot and keeps CLOCK_REALTIME as that time plus the machine's monotonic clock since;
 * the VFS asks when it starts, for the timestamps it writes.
 */

import { empty, i64 } from "./codec.ts";

/** The endpoint the rtc driver serves. */
export const RTC_ENDPOINT = "rtc";

export const RTC = {
  /** Nanoseconds since the Unix epoch. */
  time: { label: 1, request: empty, reply: i64 },
} as const;
