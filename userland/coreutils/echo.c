/*
 * echo.c: writes its arguments separated by spaces and followed by a
 * newline, as GNU echo does. Leading arguments made only of the letters
 * n, e and E after a '-' are options: -n leaves out the newline, -e
 * interprets backslash escapes (\\ \a \b \c \e \f \n \r \t \v, \0NNN and
 * \NNN octal, \xHH hex; \c stops all output), -E turns that off again
 * (the default). Anything else, "--" included, is printed as it stands.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool is_option(const char *arg)
{
	if (arg[0] != '-' || arg[1] == '\0')
		return false;
	for (const char *p = arg + 1; *p != '\0'; p++)
		if (*p != 'n' && *p != 'e' && *p != 'E')
			return false;
	return true;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Writes `s` with its escapes interpreted; false when a \c said to stop. */
static bool put_escaped(const char *s)
{
	int c;

	while ((c = (unsigned char)*s++) != '\0') {
		if (c == '\\' && *s != '\0') {
			c = (unsigned char)*s++;
			switch (c) {
			case 'a':
				c = '\a';
				break;
			case 'b':
				c = '\b';
				break;
			case 'c':
				return false;
			case 'e':
				c = '\x1b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'v':
				c = '\v';
				break;
			case 'x': {
				int high = hex_value((unsigned char)*s);
				if (high < 0) {
					putchar('\\');
					break;
				}
				s++;
				c = high;
				int low = hex_value((unsigned char)*s);
				if (low >= 0) {
					s++;
					c = c * 16 + low;
				}
				break;
			}
			case '0':
			case '1':
			case '2':
			case '3':
			case '4':
			case '5':
			case '6':
			case '7':
				/* \0 takes up to three more digits, \N up to two more. */
				if (c == '0') {
					if (!is_octal(*s)) {
						c = 0;
						break;
					}
					c = (unsigned char)*s++;
				}
				c -= '0';
				if (is_octal(*s))
					c = c * 8 + (*s++ - '0');
				if (is_octal(*s))
					c = c * 8 + (*s++ - '0');
				break;
			case '\\':
				break;
			default:
				putchar('\\');
				break;
			}
		}
		putchar(c);
	}
	return true;
}

int main(int argc, char **argv)
{
	bool newline = true;
	bool escapes = false;
	int i = 1;

	for (; i < argc && is_option(argv[i]); i++) {
		for (const char *p = argv[i] + 1; *p != '\0'; p++) {
			if (*p == 'n')
				newline = false;
			else if (*p == 'e')
				escapes = true;
			else
				escapes = false;
		}
	}
	for (int first = i; i < argc; i++) {
		if (i > first)
			putchar(' ');
		if (escapes) {
			if (!put_escaped(argv[i]))
				return fflush(stdout) == 0 ? 0 : 1;
		} else {
			fputs(argv[i], stdout);
		}
	}
	if (newline)
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}
