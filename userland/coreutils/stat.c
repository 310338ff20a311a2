/*
 * stat.c: shows files' attributes as GNU stat does, in its default
 * multi-line format or with `-c FORMAT` (a newline after each file); `-L`
 * follows symbolic links (without it a link is described itself). FORMAT's
 * directives take printf's flags, width and precision: %n name, %N quoted
 * name (and "-> target"), %s size, %b blocks, %B block unit (512), %o I/O
 * block, %a octal permissions, %A "-rwxr-xr-x", %f raw mode (hex), %F file
 * type, %h links, %i inode, %u %g ids, %U %G names (UNKNOWN without one),
 * %d %D device (decimal, hex), %Hd %Ld its major and minor, %r %R %Hr %Lr
 * %t %T the same of a device file's number, %x %y %z %w access,
 * modification, change and birth times ("-" when unknown), %X %Y %Z %W the
 * same in seconds (a precision adds the fraction), %% a percent sign. Times
 * are UTC (+0000): denix has no time zones. An unknown directive prints "?".
 * Errors: `stat: cannot statx 'PATH': reason`, exit status 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file_info.h"
#include "options.h"

static const char DEFAULT_FORMAT[] =
	"  File: %N\n"
	"  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n"
	"Device: %Hd,%Ld\tInode: %-10i  Links: %h\n"
	"Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n"
	"Access: %x\n"
	"Modify: %y\n"
	"Change: %z\n"
	" Birth: %w\n";

static const char DEVICE_FORMAT[] =
	"  File: %N\n"
	"  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n"
	"Device: %Hd,%Ld\tInode: %-10i  Links: %-5h Device type: %Hr,%Lr\n"
	"Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n"
	"Access: %x\n"
	"Modify: %y\n"
	"Change: %z\n"
	" Birth: %w\n";

/* The current file. */
struct file {
	const char *name;
	struct linux_statx sx;
	int quote; /* %N quotes (in -c formats, not in the default one) */
};

/* A directive's flags, width and precision ("%-10" of "%-10s"), kept as text. */
struct spec {
	char text[32];
};

static void out_string(const struct spec *spec, const char *s)
{
	char format[40];

	snprintf(format, sizeof(format), "%ss", spec->text);
	printf(format, s);
}

static void out_unsigned(const struct spec *spec, uint64_t n, char conversion)
{
	char format[40];

	snprintf(format, sizeof(format), "%sll%c", spec->text, conversion);
	printf(format, (unsigned long long)n);
}

static void out_signed(const struct spec *spec, int64_t n)
{
	char format[40];

	snprintf(format, sizeof(format), "%slld", spec->text);
	printf(format, (long long)n);
}

static const char *file_type(const struct linux_statx *sx)
{
	switch (sx->stx_mode & S_IFMT) {
	case S_IFREG:
		return sx->stx_size == 0 ? "regular empty file" : "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symbolic link";
	case S_IFCHR:
		return "character special file";
	case S_IFBLK:
		return "block special file";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	default:
		return "weird file";
	}
}

/* GNU's shell-escape-always quoting for printable names: 'name', or "name" around a '. */
static void append_quoted(char *out, size_t size, const char *name)
{
	size_t len = strlen(out);

	if (strchr(name, '\'') != NULL && strpbrk(name, "\"$`\\!") == NULL) {
		snprintf(out + len, size - len, "\"%s\"", name);
		return;
	}
	if (len + 1 < size)
		out[len++] = '\'';
	for (const char *c = name; *c && len + 5 < size; c++) {
		if (*c == '\'') {
			memcpy(out + len, "'\\''", 4);
			len += 4;
		} else {
			out[len++] = *c;
		}
	}
	if (len + 1 < size)
		out[len++] = '\'';
	out[len] = '\0';
}

/* "YYYY-MM-DD HH:MM:SS.NNNNNNNNN +0000", or "-" for a time the kernel did not give. */
static void human_time(const struct linux_statx_timestamp *t, int known, char *buf, size_t size)
{
	struct tm tm;

	if (!known) {
		snprintf(buf, size, "-");
		return;
	}
	utc_time(t->tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%09lu +0000", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned long)t->tv_nsec);
}

/* Seconds since the epoch; a precision adds that many digits of the fraction. */
static void out_seconds(const struct spec *spec, const struct linux_statx_timestamp *t, int known)
{
	const char *dot = strchr(spec->text, '.');
	char number[64];
	struct spec width;
	int precision;

	if (dot == NULL) {
		out_signed(spec, known ? t->tv_sec : 0);
		return;
	}
	precision = atoi(dot + 1);
	snprintf(number, sizeof(number), "%lld", known ? (long long)t->tv_sec : 0LL);
	if (precision > 0) {
		char fraction[32];
		size_t len = strlen(number);
		unsigned long nsec = known ? (unsigned long)t->tv_nsec : 0ul;

		snprintf(fraction, sizeof(fraction), "%09lu", nsec);
		number[len++] = '.';
		for (int i = 0; i < precision && len + 1 < sizeof(number); i++)
			number[len++] = i < 9 ? fraction[i] : '0';
		number[len] = '\0';
	}
	memcpy(width.text, spec->text, (size_t)(dot - spec->text));
	width.text[dot - spec->text] = '\0';
	out_string(&width, number);
}

static int has_birth(const struct linux_statx *sx)
{
	return (sx->stx_mask & LINUX_STATX_BTIME) != 0;
}

/* One directive: conversion c (with prefix 'H' or 'L', or 0). */
static void directive(const struct file *f, const struct spec *spec, char prefix, char c)
{
	const struct linux_statx *sx = &f->sx;
	char buf[4200];

	if (prefix != 0) {
		uint32_t major = c == 'd' ? sx->stx_dev_major : sx->stx_rdev_major;
		uint32_t minor = c == 'd' ? sx->stx_dev_minor : sx->stx_rdev_minor;

		out_unsigned(spec, prefix == 'H' ? major : minor, 'u');
		return;
	}
	switch (c) {
	case 'n':
		out_string(spec, f->name);
		break;
	case 'N':
		buf[0] = '\0';
		if (f->quote)
			append_quoted(buf, sizeof(buf), f->name);
		else
			snprintf(buf, sizeof(buf), "%s", f->name);
		if ((sx->stx_mode & S_IFMT) == S_IFLNK) {
			char target[4096];
			ssize_t n = readlink(f->name, target, sizeof(target) - 1);

			if (n >= 0) {
				target[n] = '\0';
				strncat(buf, " -> ", sizeof(buf) - strlen(buf) - 1);
				if (f->quote)
					append_quoted(buf, sizeof(buf), target);
				else
					strncat(buf, target, sizeof(buf) - strlen(buf) - 1);
			}
		}
		out_string(spec, buf);
		break;
	case 's':
		out_unsigned(spec, sx->stx_size, 'u');
		break;
	case 'b':
		out_unsigned(spec, sx->stx_blocks, 'u');
		break;
	case 'B':
		out_unsigned(spec, 512, 'u');
		break;
	case 'o':
		out_unsigned(spec, sx->stx_blksize, 'u');
		break;
	case 'a':
		out_unsigned(spec, sx->stx_mode & 07777, 'o');
		break;
	case 'A':
		mode_string(sx->stx_mode, buf);
		out_string(spec, buf);
		break;
	case 'f':
		out_unsigned(spec, sx->stx_mode, 'x');
		break;
	case 'F':
		out_string(spec, file_type(sx));
		break;
	case 'h':
		out_unsigned(spec, sx->stx_nlink, 'u');
		break;
	case 'i':
		out_unsigned(spec, sx->stx_ino, 'u');
		break;
	case 'u':
		out_unsigned(spec, sx->stx_uid, 'u');
		break;
	case 'g':
		out_unsigned(spec, sx->stx_gid, 'u');
		break;
	case 'U': {
		const char *name = user_name(sx->stx_uid);

		out_string(spec, name ? name : "UNKNOWN");
		break;
	}
	case 'G': {
		const char *name = group_name(sx->stx_gid);

		out_string(spec, name ? name : "UNKNOWN");
		break;
	}
	case 'd':
		out_unsigned(spec, device_number(sx->stx_dev_major, sx->stx_dev_minor), 'u');
		break;
	case 'D':
		out_unsigned(spec, device_number(sx->stx_dev_major, sx->stx_dev_minor), 'x');
		break;
	case 'r':
		out_unsigned(spec, device_number(sx->stx_rdev_major, sx->stx_rdev_minor), 'u');
		break;
	case 'R':
		out_unsigned(spec, device_number(sx->stx_rdev_major, sx->stx_rdev_minor), 'x');
		break;
	case 't':
		out_unsigned(spec, sx->stx_rdev_major, 'x');
		break;
	case 'T':
		out_unsigned(spec, sx->stx_rdev_minor, 'x');
		break;
	case 'x':
		human_time(&sx->stx_atime, 1, buf, sizeof(buf));
		out_string(spec, buf);
		break;
	case 'y':
		human_time(&sx->stx_mtime, 1, buf, sizeof(buf));
		out_string(spec, buf);
		break;
	case 'z':
		human_time(&sx->stx_ctime, 1, buf, sizeof(buf));
		out_string(spec, buf);
		break;
	case 'w':
		human_time(&sx->stx_btime, has_birth(sx), buf, sizeof(buf));
		out_string(spec, buf);
		break;
	case 'X':
		out_seconds(spec, &sx->stx_atime, 1);
		break;
	case 'Y':
		out_seconds(spec, &sx->stx_mtime, 1);
		break;
	case 'Z':
		out_seconds(spec, &sx->stx_ctime, 1);
		break;
	case 'W':
		out_seconds(spec, &sx->stx_btime, has_birth(sx));
		break;
	default:
		out_string(spec, "?");
		break;
	}
}

static void print_format(const struct file *f, const char *format)
{
	for (const char *p = format; *p; p++) {
		struct spec spec;
		size_t len = 0;
		char prefix = 0;

		if (*p != '%') {
			putchar(*p);
			continue;
		}
		spec.text[len++] = '%';
		p++;
		while (*p && strchr("'-+ #0", *p) && len < 8)
			spec.text[len++] = *p++;
		while (*p >= '0' && *p <= '9' && len < 16)
			spec.text[len++] = *p++;
		if (*p == '.') {
			spec.text[len++] = *p++;
			while (*p >= '0' && *p <= '9' && len < 24)
				spec.text[len++] = *p++;
		}
		spec.text[len] = '\0';
		if (*p == '\0') {
			/* A lone '%' (with its modifiers) at the end prints as it is. */
			fputs(spec.text, stdout);
			break;
		}
		if (*p == '%') {
			putchar('%');
			continue;
		}
		if ((*p == 'H' || *p == 'L') && (p[1] == 'd' || p[1] == 'r')) {
			prefix = *p;
			p++;
		}
		directive(f, &spec, prefix, *p);
	}
}

int main(int argc, char **argv)
{
	const char *format = NULL;
	int follow = 0;
	int status = 0;
	struct short_options s = SHORT_OPTIONS(argc, argv);
	int c, i;

	while ((c = next_option(&s)) != 0) {
		if (c == 'L') {
			follow = 1;
		} else if (c == 'c') {
			format = option_value(&s);
			if (format == NULL)
				return missing_value("stat", c);
		} else {
			return invalid_option("stat", c);
		}
	}
	i = s.index;
	if (i == argc)
		return missing_operand("stat");
	for (; i < argc; i++) {
		struct file f = { argv[i], { 0 }, format != NULL };

		if (file_statx(AT_FDCWD, argv[i], follow, &f.sx) != 0) {
			fflush(stdout);
			fprintf(stderr, "stat: cannot statx '%s': %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (format != NULL) {
			print_format(&f, format);
			putchar('\n');
		} else {
			unsigned type = f.sx.stx_mode & S_IFMT;

			print_format(&f, type == S_IFCHR || type == S_IFBLK ? DEVICE_FORMAT
									   : DEFAULT_FORMAT);
		}
	}
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
