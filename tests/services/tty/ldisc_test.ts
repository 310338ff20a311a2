/**
 * The line discipline on its own (services/drivers/tty/ldisc.ts), with a fake line that keeps
 * what goes out and the signals sent: canonical editing, echo, input translation, signals from
 * typed characters, non-canonical reads, hang-up, output processing and the input limits. Every
 * check compares exact bytes.
 */

import assert from "node:assert/strict";
import {
  INPUT_MAX,
  LINE_MAX,
  LineDiscipline,
  SIGINT,
  SIGQUIT,
  SIGTSTP,
} from "../../../services/drivers/tty/ldisc.ts";
import {
  cookedTermios,
  ECHO,
  ECHOCTL,
  ECHOE,
  ECHOK,
  ECHONL,
  ICANON,
  ICRNL,
  IGNCR,
  INLCR,
  ISIG,
  NOFLSH,
  ONLCR,
  OPOST,
  type Termios,
  transparentTermios,
  VEOL,
  VMIN,
  VTIME,
} from "../../../services/drivers/tty/termios.ts";

const FOREGROUND = 42;

/** A line discipline on a fake line: what it put out (in order) and the signals it sent. */
function setup(termios: Termios, foreground = FOREGROUND) {
  const output: number[] = [];
  const signals: [number, number][] = [];
  const ldisc = new LineDiscipline(termios, {
    output: (bytes) => output.push(...bytes),
    signal: (pgrp, sig) => signals.push([pgrp, sig]),
  });
  ldisc.foreground = foreground;
  const type = (text: string) => ldisc.receive(bytes(text));
  /** The output so far, as a string of bytes (each char one byte); clears it. */
  const echoed = () => String.fromCharCode(...output.splice(0));
  /** A read of at most `max` bytes, as a string of bytes; undefined if it would wait. */
  const read = (max = 8192, timedOut = false) => {
    const got = ldisc.read(max, timedOut);
    return got === undefined ? undefined : String.fromCharCode(...got);
  };
  return { ldisc, type, echoed, read, signals };
}

/** A string whose chars are bytes (all below 0x100), as bytes. */
function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Cooked settings with `lflag` replaced. */
function cookedWith(lflag: number): Termios {
  return { ...cookedTermios(), lflag };
}

/** Non-canonical settings: no echo or signals unless `lflag` says, VMIN and VTIME as given. */
function raw(lflag = 0, vmin = 1, vtime = 0): Termios {
  const t = transparentTermios();
  t.lflag = lflag;
  t.cc[VMIN] = vmin;
  t.cc[VTIME] = vtime;
  return t;
}

// Canonical editing.

Deno.test("ldisc: a line is readable only once it ends, and a read returns one line", () => {
  const { type, read, ldisc } = setup(cookedTermios());
  type("ab");
  assert.equal(read(), undefined);
  assert.equal(ldisc.available, 0);
  type("\ncd\nef");
  assert.equal(ldisc.available, 6);
  assert.equal(read(), "ab\n");
  assert.equal(read(), "cd\n");
  assert.equal(read(), undefined, "ef has not ended");
});

Deno.test("ldisc: a short read takes part of a line, the next read the rest of it only", () => {
  const { type, read } = setup(cookedTermios());
  type("abcd\nxy\n");
  assert.equal(read(3), "abc");
  assert.equal(read(), "d\n");
  assert.equal(read(), "xy\n");
});

Deno.test("ldisc: VERASE removes the last character and echoes backspace-space-backspace", () => {
  const { type, read, echoed } = setup(cookedTermios());
  type("ab\x7fc\n");
  assert.equal(read(), "ac\n");
  assert.equal(echoed(), "ab\b \bc\r\n");
});

Deno.test("ldisc: VERASE of a control character erases both columns of its ^X echo", () => {
  const { type, read, echoed } = setup(cookedTermios());
  type("a\x01\x7f\n");
  assert.equal(read(), "a\n");
  assert.equal(echoed(), "a^A\b \b\b \b\r\n");
});

Deno.test("ldisc: without ECHOCTL a control character takes one column to erase", () => {
  const { type, read, echoed } = setup(cookedWith(ICANON | ECHO | ECHOE));
  type("a\x01\x7f\n");
  assert.equal(read(), "a\n");
  assert.equal(echoed(), "a\x01\b \b\r\n");
});

Deno.test("ldisc: VERASE on an empty line does nothing and cannot reach a finished line", () => {
  const { type, read, echoed } = setup(cookedTermios());
  type("ab\n\x7f\x7fc\n");
  assert.equal(read(), "ab\n");
  assert.equal(read(), "c\n");
  assert.equal(echoed(), "ab\r\nc\r\n");
});

Deno.test("ldisc: without ECHOE an erase echoes nothing visible", () => {
  const { type, read, echoed } = setup(cookedWith(ICANON | ECHO));
  type("ab\x7f\n");
  assert.equal(read(), "a\n");
  assert.equal(echoed(), "ab\r\n");
});

Deno.test("ldisc: VWERASE removes the last word and the blanks after it", () => {
  const { type, read, echoed } = setup(cookedTermios());
  type("ab cd  \x17x\n");
  assert.equal(read(), "ab x\n");
  assert.equal(echoed(), "ab cd  " + "\b \b".repeat(4) + "x\r\n");
});

Deno.test("ldisc: without IEXTEN VWERASE and VLNEXT are ordinary characters", () => {
  const { type, read } = setup(cookedWith(ICANON | ECHO | ECHOE));
  type("ab \x17\x16\n");
  assert.equal(read(), "ab \x17\x16\n");
});

Deno.test("ldisc: VKILL removes the whole line, visibly with ECHOE", () => {
  const { type, read, echoed } = setup(cookedTermios());
  type("abc\x15x\n");
  assert.equal(read(), "x\n");
  assert.equal(echoed(), "abc" + "\b \b".repeat(3) + "x\r\n");
});

Deno.test("ldisc: VKILL with ECHOK and no ECHOE echoes a newline", () => {
  const { type, read, echoed } = setup(cookedWith(ICANON | ECHO | ECHOK));
  type("abc\x15x\n");
  assert.equal(read(), "x\n");
  assert.equal(echoed(), "abc\r\nx\r\n");
});

Deno.test("ldisc: VLNEXT makes the next character literal: no erase, no signal", () => {
  const { type, read, echoed, signals } = setup(cookedTermios());
  type("a\x16\x7f\x16\x03b\n");
  assert.equal(read(), "a\x7f\x03b\n");
  assert.deepEqual(signals, []);
  assert.equal(echoed(), "a^?^Cb\r\n");
});

Deno.test("ldisc: VEOF ends a line without being part of it", () => {
  const { type, read, echoed } = setup(cookedTermios());
  type("ab\x04");
  assert.equal(read(), "ab");
  assert.equal(read(), undefined, "not end of file: the line had text");
  assert.equal(echoed(), "ab");
});

Deno.test("ldisc: VEOF on an empty line is end of file, once", () => {
  const { type, read } = setup(cookedTermios());
  type("ab\n\x04cd\n");
  assert.equal(read(), "ab\n");
  assert.equal(read(), "", "end of file");
  assert.equal(read(), "cd\n", "reading goes on after it");
  assert.equal(read(), undefined);
});

Deno.test("ldisc: VEOL ends a line and stays in it", () => {
  const t = cookedTermios();
  t.cc[VEOL] = 0x3b; // ';'
  const { type, read } = setup(t);
  type("ab;cd\n");
  assert.equal(read(), "ab;");
  assert.equal(read(), "cd\n");
});

Deno.test("ldisc: a line longer than LINE_MAX keeps its first LINE_MAX bytes and its end", () => {
  const { type, read, echoed } = setup(cookedTermios());
  type("a".repeat(LINE_MAX + 10) + "\n");
  assert.equal(read(), "a".repeat(LINE_MAX) + "\n");
  assert.equal(echoed(), "a".repeat(LINE_MAX) + "\r\n", "the dropped bytes are not echoed");
});

// Echo.

Deno.test("ldisc: ECHOCTL shows control characters as ^X, tab and newline as they are", () => {
  const { type, echoed } = setup(cookedTermios());
  type("\x01\t\x1b\n");
  assert.equal(echoed(), "^A\t^[\r\n");
});

Deno.test("ldisc: without ECHOCTL a control character is echoed as itself", () => {
  const { type, echoed } = setup(cookedWith(ICANON | ECHO));
  type("\x01\n");
  assert.equal(echoed(), "\x01\r\n");
});

Deno.test("ldisc: without ECHO nothing is echoed, except the newline with ECHONL", () => {
  const quiet = setup(cookedWith(ICANON));
  quiet.type("ab\n");
  assert.equal(quiet.read(), "ab\n");
  assert.equal(quiet.echoed(), "");
  const nl = setup(cookedWith(ICANON | ECHONL));
  nl.type("ab\n");
  assert.equal(nl.read(), "ab\n");
  assert.equal(nl.echoed(), "\r\n");
});

Deno.test("ldisc: non-canonical mode echoes with ECHO", () => {
  const { type, read, echoed } = setup(raw(ECHO | ECHOCTL));
  type("a\x01");
  assert.equal(read(), "a\x01");
  assert.equal(echoed(), "a^A");
});

// Input translation.

Deno.test("ldisc: ICRNL turns a carriage return into a newline", () => {
  const { type, read } = setup(cookedTermios());
  type("ab\r");
  assert.equal(read(), "ab\n");
});

Deno.test("ldisc: IGNCR drops carriage returns, even with ICRNL", () => {
  const t = cookedTermios();
  t.iflag |= IGNCR;
  const { type, read } = setup(t);
  type("a\rb\r\n");
  assert.equal(read(), "ab\n");
});

Deno.test("ldisc: INLCR turns a newline into a carriage return", () => {
  const t = raw();
  t.iflag = INLCR;
  const { type, read } = setup(t);
  type("a\nb\r");
  assert.equal(read(), "a\rb\r");
});

Deno.test("ldisc: without ICRNL a carriage return does not end a canonical line", () => {
  const t = cookedTermios();
  t.iflag &= ~ICRNL;
  const { type, read } = setup(t);
  type("a\r");
  assert.equal(read(), undefined);
  type("\n");
  assert.equal(read(), "a\r\n");
});

// Signals.

for (
  const [name, char, sig] of [
    ["VINTR", "\x03", SIGINT],
    ["VQUIT", "\x1c", SIGQUIT],
    ["VSUSP", "\x1a", SIGTSTP],
  ] as const
) {
  Deno.test(`ldisc: ${name} signals the foreground group and flushes the input`, () => {
    const { type, read, echoed, signals, ldisc } = setup(cookedTermios());
    type("ab\ncd" + char);
    assert.deepEqual(signals, [[FOREGROUND, sig]]);
    assert.equal(ldisc.available, 0);
    assert.equal(read(), undefined, "the finished line is gone too");
    type("x\n");
    assert.equal(read(), "x\n", "the line being typed is gone");
    assert.equal(echoed(), `ab\r\ncd^${String.fromCharCode(char.charCodeAt(0) + 0x40)}\r\nx\r\n`);
  });
}

Deno.test("ldisc: with NOFLSH a typed signal leaves the input alone", () => {
  const { type, read, signals } = setup(cookedWith(cookedTermios().lflag | NOFLSH));
  type("ab\ncd\x03e\n");
  assert.deepEqual(signals, [[FOREGROUND, SIGINT]]);
  assert.equal(read(), "ab\n");
  assert.equal(read(), "cde\n");
});

Deno.test("ldisc: with no foreground group a signal character signals no one", () => {
  const { type, read, signals } = setup(cookedTermios(), 0);
  type("ab\x03x\n");
  assert.deepEqual(signals, []);
  assert.equal(read(), "x\n", "the character is not input, and the input is still flushed");
});

Deno.test("ldisc: without ISIG the signal characters are ordinary input", () => {
  const { type, read, signals } = setup(cookedWith(ICANON));
  type("a\x03\x1c\x1a\n");
  assert.deepEqual(signals, []);
  assert.equal(read(), "a\x03\x1c\x1a\n");
});

Deno.test("ldisc: a typed signal in non-canonical mode flushes what came before it", () => {
  const { type, read, signals, ldisc } = setup(raw(ISIG));
  type("ab");
  type("\x03");
  assert.deepEqual(signals, [[FOREGROUND, SIGINT]]);
  assert.equal(ldisc.available, 0);
  type("cd\x03e");
  assert.deepEqual(signals, [[FOREGROUND, SIGINT], [FOREGROUND, SIGINT]]);
  assert.equal(read(), "e", "bytes before ^C in the same chunk are flushed as well");
});

Deno.test("ldisc: a typed signal in non-canonical mode with NOFLSH keeps the input in order", () => {
  const { type, read, signals } = setup(raw(ISIG | NOFLSH));
  type("ab\x03cd");
  assert.deepEqual(signals, [[FOREGROUND, SIGINT]]);
  assert.equal(read(), "abcd");
});

// Non-canonical reads.

Deno.test("ldisc: VMIN > 1 waits for that many bytes", () => {
  const { type, read } = setup(raw(0, 3));
  type("ab");
  assert.equal(read(), undefined);
  type("cde");
  assert.equal(read(4), "abcd");
  assert.equal(read(), undefined, "one byte left, VMIN 3");
});

Deno.test("ldisc: VMIN larger than the read asks only for the read's size", () => {
  const { type, read } = setup(raw(0, 5));
  type("abc");
  assert.equal(read(2), "ab");
});

Deno.test("ldisc: VMIN 1 returns what there is, across chunks", () => {
  const { type, read } = setup(raw());
  assert.equal(read(), undefined);
  type("ab");
  type("c\n");
  assert.equal(read(), "abc\n");
});

Deno.test("ldisc: VMIN 0 and VTIME 0 return at once, empty when there is nothing", () => {
  const { type, read } = setup(raw(0, 0, 0));
  assert.equal(read(), "");
  type("ab");
  assert.equal(read(), "ab");
  assert.equal(read(), "");
});

Deno.test("ldisc: VMIN 0 with VTIME waits, and the timeout says how long", () => {
  const { type, read, ldisc } = setup(raw(0, 0, 7));
  assert.equal(ldisc.readTimeout, 7);
  assert.equal(read(), undefined);
  assert.equal(read(8192, true), "", "timed out with nothing");
  type("a");
  assert.equal(read(), "a");
});

Deno.test("ldisc: a timed-out read returns what there is, short of VMIN", () => {
  const { type, read } = setup(raw(0, 4, 2));
  type("ab");
  assert.equal(read(), undefined);
  assert.equal(read(8192, true), "ab");
});

Deno.test("ldisc: canonical reads have no timeout", () => {
  const t = cookedTermios();
  t.cc[VTIME] = 5;
  const { ldisc } = setup(t);
  assert.equal(ldisc.readTimeout, 0);
});

// Hang-up.

Deno.test("ldisc: a hang-up after typed text gives the text, then end of file for good", () => {
  const { type, read, ldisc } = setup(cookedTermios());
  type("ab\ncd");
  ldisc.hangup();
  assert.equal(ldisc.hungUp, true);
  assert.equal(read(), "ab\n");
  assert.equal(read(), "cd");
  assert.equal(read(), "");
  assert.equal(read(), "");
});

Deno.test("ldisc: a hang-up in non-canonical mode ends a read short of VMIN, then EOF", () => {
  const { type, read, ldisc } = setup(raw(0, 5));
  type("ab");
  ldisc.hangup();
  assert.equal(read(), "ab");
  assert.equal(read(), "");
});

// Output.

Deno.test("ldisc: OPOST with ONLCR writes a newline as carriage return, newline", () => {
  const { ldisc, echoed } = setup(cookedTermios());
  ldisc.write(bytes("a\nb\n\n"));
  assert.equal(echoed(), "a\r\nb\r\n\r\n");
});

Deno.test("ldisc: without OPOST, or without ONLCR, output passes unchanged", () => {
  const noPost = cookedTermios();
  noPost.oflag = ONLCR;
  const a = setup(noPost);
  a.ldisc.write(bytes("a\nb\r\n"));
  assert.equal(a.echoed(), "a\nb\r\n");
  const noNl = cookedTermios();
  noNl.oflag = OPOST;
  const b = setup(noNl);
  b.ldisc.write(bytes("a\nb\r\n"));
  assert.equal(b.echoed(), "a\nb\r\n");
  const c = setup(transparentTermios());
  c.ldisc.write(bytes("x\n"));
  assert.equal(c.echoed(), "x\n");
});

// The input figures and limits.

Deno.test("ldisc: room and available count the line being typed and what waits to be read", () => {
  const { type, read, ldisc } = setup(cookedTermios());
  assert.equal(ldisc.room, INPUT_MAX);
  type("abc");
  assert.equal(ldisc.available, 0);
  assert.equal(ldisc.room, INPUT_MAX - 3);
  type("\nde");
  assert.equal(ldisc.available, 4);
  assert.equal(ldisc.room, INPUT_MAX - 6);
  assert.equal(read(2), "ab");
  assert.equal(ldisc.available, 2);
  assert.equal(ldisc.room, INPUT_MAX - 4);
  ldisc.flushInput();
  assert.equal(ldisc.available, 0);
  assert.equal(ldisc.room, INPUT_MAX);
});

Deno.test("ldisc: at most INPUT_MAX bytes wait; room is 0 until a read makes some", () => {
  const { type, read, ldisc } = setup(raw());
  type("a".repeat(INPUT_MAX - 1) + "bcd");
  assert.equal(ldisc.available, INPUT_MAX);
  assert.equal(ldisc.room, 0);
  const got = read(INPUT_MAX + 10)!;
  assert.equal(got.length, INPUT_MAX);
  assert.equal(got.slice(-2), "ab", "bytes past the limit were not taken");
  assert.equal(ldisc.room, INPUT_MAX);
});

Deno.test("ldisc: a read that frees room reports it", () => {
  const { type, read, ldisc } = setup(raw());
  type("x".repeat(INPUT_MAX));
  assert.equal(ldisc.room, 0);
  assert.equal(read(100), "x".repeat(100));
  assert.equal(ldisc.room, 100);
  assert.equal(ldisc.available, INPUT_MAX - 100);
});

Deno.test("ldisc: leaving canonical mode makes the line being typed readable", () => {
  const { ldisc, type, read } = setup(cookedTermios());
  type("ab");
  assert.equal(read(), undefined, "an unfinished line waits in canonical mode");
  ldisc.setTermios({ ...ldisc.termios, lflag: ldisc.termios.lflag & ~ICANON });
  assert.equal(ldisc.available, 2);
  assert.equal(read(10), "ab");
});
