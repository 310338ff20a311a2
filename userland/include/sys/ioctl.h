/*
 * sys/ioctl.h: ioctl (picolibc has none) and the terminal requests, with
 * Linux's request numbers, which the glue passes through unchanged.
 */
#ifndef _SYS_IOCTL_H
#define _SYS_IOCTL_H

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TIOCSCTTY 0x540e
#define TIOCGPGRP 0x540f
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define TIOCNOTTY 0x5422
/* On a pseudo-terminal master: the slave's number (an unsigned), unlocking the slave (int 0). */
#define TIOCGPTN 0x80045430
#define TIOCSPTLCK 0x40045431

struct winsize {
	unsigned short ws_row;
	unsigned short ws_col;
	unsigned short ws_xpixel;
	unsigned short ws_ypixel;
};

/* One optional argument: an integer or a pointer, as the request says. */
int ioctl(int fd, unsigned long request, ...);

#endif
