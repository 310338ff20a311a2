/**
 * The UART through its registers, as a driver sees it: transmission to the back end, reception
 * with interrupts through the PLIC, FIFO overrun, IIR codes and the other registers.
 */

import assert from "node:assert/strict";
import { BufferTerminal } from "../../machine/backends/buffer_terminal.ts";
import { IRQ_UART0, UART0_BASE, UART0_SIZE } from "../../machine/memory_map.ts";
import { Uart } from "../../machine/uart.ts";
import {
  UART_FCR,
  UART_IER,
  UART_IIR,
  UART_LCR_DLAB,
  UART_LSR,
  UART_REG,
  UART_RX_FIFO_BYTES,
} from "../../abi/devices.ts";
import { deviceFixture } from "../helpers/device_fixture.ts";

function setup() {
  const f = deviceFixture(IRQ_UART0);
  const term = new BufferTerminal();
  const uart = new Uart(term, f.irq);
  f.bus.addDevice(UART0_BASE, UART0_SIZE, uart);
  const reg = (r: number) => f.bus.read(UART0_BASE + r, 1);
  const set = (r: number, v: number) => f.bus.write(UART0_BASE + r, 1, v);
  return { ...f, term, uart, reg, set };
}

Deno.test("uart: bytes written to THR reach the back end", () => {
  const { term, reg, set, bus } = setup();
  for (const c of new TextEncoder().encode("hi\n")) set(UART_REG.RBR_THR, c);
  bus.write(UART0_BASE + UART_REG.RBR_THR, 4, 0x1234_5641);
  assert.equal(term.text(), "hi\nA");
  assert.equal(reg(UART_REG.LSR), UART_LSR.THRE | UART_LSR.TEMT);
});

Deno.test("uart: received bytes raise SEIP through the PLIC until drained", () => {
  const { term, reg, set, seip, plic } = setup();
  set(UART_REG.IER, UART_IER.RX_DATA);
  assert.equal(seip(), false);
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.NONE);

  assert.equal(term.inject("ab"), 2);
  assert.equal(seip(), true);
  assert.equal(reg(UART_REG.LSR) & UART_LSR.DR, UART_LSR.DR);
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.RX_DATA);
  assert.equal(plic.claim(0), IRQ_UART0);
  assert.equal(seip(), false);

  assert.equal(reg(UART_REG.RBR_THR), 0x61);
  plic.complete(0, IRQ_UART0);
  assert.equal(seip(), true, "line still high: the source is pending again after complete");
  assert.equal(plic.claim(0), IRQ_UART0);
  assert.equal(reg(UART_REG.RBR_THR), 0x62);
  assert.equal(reg(UART_REG.LSR) & UART_LSR.DR, 0);
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.NONE);
  plic.complete(0, IRQ_UART0);
  assert.equal(seip(), false);
  assert.equal(reg(UART_REG.RBR_THR), 0, "an empty FIFO reads 0");
  assert.equal(term.drains, 1, "the back end heard once that the FIFO was emptied");
});

Deno.test("uart: received bytes without IER.rx do not interrupt", () => {
  const { term, reg, seip } = setup();
  term.inject("x");
  assert.equal(seip(), false);
  assert.equal(reg(UART_REG.LSR) & UART_LSR.DR, UART_LSR.DR);
  assert.equal(reg(UART_REG.RBR_THR), 0x78);
});

Deno.test("uart: FIFO overflow keeps the first bytes, drops the rest and sets OE once", () => {
  const { term, reg, set, seip } = setup();
  set(UART_REG.IER, UART_IER.RX_LINE_STATUS);
  const input = Uint8Array.from({ length: UART_RX_FIFO_BYTES + 44 }, (_, i) => i & 0xff);
  assert.equal(term.inject(input), UART_RX_FIFO_BYTES);
  assert.equal(term.inject("z"), 0);
  assert.equal(seip(), true);
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.RX_LINE_STATUS);
  assert.equal(reg(UART_REG.LSR), UART_LSR.THRE | UART_LSR.TEMT | UART_LSR.DR | UART_LSR.OE);
  assert.equal(seip(), false, "reading LSR clears OE and the line status interrupt");
  assert.equal(reg(UART_REG.LSR) & UART_LSR.OE, 0);
  for (let i = 0; i < UART_RX_FIFO_BYTES; i++) assert.equal(reg(UART_REG.RBR_THR), i & 0xff);
  assert.equal(reg(UART_REG.LSR) & UART_LSR.DR, 0);
  assert.equal(term.inject("q"), 1, "room again once drained");
});

Deno.test("uart: THRE interrupt is set by enabling it and by THR writes, acked by IIR", () => {
  const { term, reg, set, seip } = setup();
  set(UART_REG.IER, UART_IER.THR_EMPTY);
  assert.equal(seip(), true);
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.THR_EMPTY);
  assert.equal(seip(), false, "the IIR read acknowledged THRE");
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.NONE);

  set(UART_REG.IER, UART_IER.THR_EMPTY);
  assert.equal(seip(), false, "rewriting IER without a 0 to 1 edge does not re-arm THRE");
  set(UART_REG.RBR_THR, 0x2e);
  assert.equal(seip(), true, "a THR write re-arms THRE once the byte is sent");

  set(UART_REG.IER, UART_IER.THR_EMPTY | UART_IER.RX_DATA);
  term.inject("k");
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.RX_DATA, "received data outranks THRE");
  assert.equal(reg(UART_REG.RBR_THR), 0x6b);
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.THR_EMPTY, "THRE still pending underneath");
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.NONE);
  assert.equal(seip(), false);

  set(UART_REG.IER, 0);
  set(UART_REG.RBR_THR, 0x2e);
  assert.equal(seip(), false, "THRE masked");
  assert.equal(term.text(), "..");
});

Deno.test("uart: FCR sets the IIR FIFO bits and clears the receive FIFO", () => {
  const { term, reg, set, seip } = setup();
  set(UART_REG.IIR_FCR, UART_FCR.ENABLE);
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.FIFO_ENABLED | UART_IIR.NONE);
  set(UART_REG.IER, UART_IER.RX_DATA);
  term.inject("abc");
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.FIFO_ENABLED | UART_IIR.RX_DATA);
  set(UART_REG.IIR_FCR, UART_FCR.ENABLE | UART_FCR.CLEAR_RX | UART_FCR.CLEAR_TX);
  assert.equal(reg(UART_REG.LSR) & UART_LSR.DR, 0);
  assert.equal(seip(), false);
  assert.equal(term.drains, 1);
  set(UART_REG.IIR_FCR, 0);
  assert.equal(reg(UART_REG.IIR_FCR), UART_IIR.NONE);
});

Deno.test("uart: divisor latch, LCR, MCR, MSR, scratch and out-of-range offsets", () => {
  const { term, reg, set, bus } = setup();
  set(UART_REG.IER, UART_IER.RX_DATA);
  set(UART_REG.LCR, UART_LCR_DLAB | 0x03);
  set(UART_REG.RBR_THR, 0x0c);
  set(UART_REG.IER, 0x00);
  assert.equal(reg(UART_REG.RBR_THR), 0x0c);
  assert.equal(reg(UART_REG.IER), 0x00);
  assert.equal(term.text(), "", "a DLL write is not a transmission");
  set(UART_REG.LCR, 0x03);
  assert.equal(reg(UART_REG.LCR), 0x03);
  assert.equal(reg(UART_REG.IER), UART_IER.RX_DATA, "IER untouched by the DLM write");
  set(UART_REG.MCR, 0xff);
  assert.equal(reg(UART_REG.MCR), 0x1f);
  assert.equal(reg(UART_REG.MSR), 0xb0);
  set(UART_REG.SCR, 0x5a);
  assert.equal(reg(UART_REG.SCR), 0x5a);
  assert.equal(bus.read(UART0_BASE + UART_REG.SCR, 4), 0x5a);
  set(8, 0x99);
  assert.equal(reg(8), 0);
  assert.equal(bus.read(UART0_BASE + UART0_SIZE - 4, 4), 0);
});

Deno.test("buffer terminal: output past its bound is counted and dropped", () => {
  const term = new BufferTerminal(2);
  const uart = new Uart(term, () => {});
  for (const c of [0x61, 0x62, 0x63]) uart.write(UART_REG.RBR_THR, 1, c);
  assert.deepEqual(term.bytes(), Uint8Array.of(0x61, 0x62));
  assert.equal(term.dropped_bytes, 1);
});
