/**
 * The host-terminal serial back end, in a child process with piped stdin and stdout: output
 * reaches stdout, and piped input larger than the UART's FIFO is paced rather than dropped.
 */

import assert from "node:assert/strict";
import { UART_RX_FIFO_BYTES } from "../../abi/devices.ts";

/** Bound on the child's run, so that lost input fails the test instead of hanging it. */
const CHILD_TIMEOUT_MS = 30_000;

const CHILD = `
import { Terminal } from "${new URL("../../machine/backends/terminal.ts", import.meta.url)}";
import { Uart } from "${new URL("../../machine/uart.ts", import.meta.url)}";
import { UART_LSR, UART_REG } from "${new URL("../../abi/devices.ts", import.meta.url)}";
const term = new Terminal();
const uart = new Uart(term, () => {});
const received = [];
for (;;) {
  if (uart.read(UART_REG.LSR, 1) & UART_LSR.DR) {
    const byte = uart.read(UART_REG.RBR_THR, 1);
    if (byte === 0x2e) break;
    received.push(byte);
  } else {
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
await term.close();
for (const byte of received.reverse()) uart.write(UART_REG.RBR_THR, 1, byte);
`;

Deno.test("terminal: piped input beyond the FIFO is paced, output reaches stdout", async () => {
  const input_bytes = 4 * UART_RX_FIFO_BYTES + 17;
  const input = Uint8Array.from({ length: input_bytes }, (_, i) => 0x61 + (i % 26));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", CHILD],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(CHILD_TIMEOUT_MS),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(input);
  await writer.write(Uint8Array.of(0x2e));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.deepEqual(stdout, input.slice().reverse());
});
