/*
 * tty.c: terminals, through ioctl: tcgetattr and tcsetattr (TCGETS and
 * TCSETS/TCSETSW/TCSETSF, copying the kernel's struct termios as it is),
 * isatty (a TCGETS that succeeds), tcgetpgrp and tcsetpgrp (TIOCGPGRP,
 * TIOCSPGRP), and cfmakeraw and the line-speed calls, which only edit a
 * struct termios.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "glue.h"

_Static_assert(sizeof(struct termios) == 36, "struct termios is the kernel's (asm-generic)");

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;

	va_start(ap, request);
	long arg = va_arg(ap, long);
	va_end(ap);
	return glue_result(syscall3(SYS_ioctl, fd, (long)request, arg));
}

int tcgetattr(int fd, struct termios *t)
{
	return glue_result(syscall3(SYS_ioctl, fd, LINUX_TCGETS, (long)t));
}

int tcsetattr(int fd, int action, const struct termios *t)
{
	static const long request[] = {
		[TCSANOW] = LINUX_TCSETS,
		[TCSADRAIN] = LINUX_TCSETSW,
		[TCSAFLUSH] = LINUX_TCSETSF,
	};

	if (action < TCSANOW || action > TCSAFLUSH) {
		errno = EINVAL;
		return -1;
	}
	return glue_result(syscall3(SYS_ioctl, fd, request[action], (long)t));
}

/* 1 for a terminal; 0 with errno set (ENOTTY, EBADF) otherwise. */
int isatty(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0;
}

pid_t tcgetpgrp(int fd)
{
	int pgrp;

	if (glue_result(syscall3(SYS_ioctl, fd, LINUX_TIOCGPGRP, (long)&pgrp)) < 0)
		return -1;
	return pgrp;
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	int value = pgrp;

	return glue_result(syscall3(SYS_ioctl, fd, LINUX_TIOCSPGRP, (long)&value));
}

void cfmakeraw(struct termios *t)
{
	t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t->c_oflag &= ~OPOST;
	t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag &= ~(CSIZE | PARENB);
	t->c_cflag |= CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

speed_t cfgetospeed(const struct termios *t)
{
	return t->c_cflag & CBAUD;
}

/* Linux keeps one speed for both directions in CBAUD. */
speed_t cfgetispeed(const struct termios *t)
{
	return cfgetospeed(t);
}

int cfsetospeed(struct termios *t, speed_t speed)
{
	if (speed & ~CBAUD) {
		errno = EINVAL;
		return -1;
	}
	t->c_cflag = (t->c_cflag & ~CBAUD) | speed;
	return 0;
}

int cfsetispeed(struct termios *t, speed_t speed)
{
	return speed == 0 ? 0 : cfsetospeed(t, speed);
}
