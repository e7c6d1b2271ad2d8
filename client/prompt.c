/* prompt: passwords from the terminal or from standard input. */
#include "client/prompt.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/passfile.h"

static int
read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	char ch;

	/* byte by byte: what follows the line stays for the next reader */
	while (n + 1 < len) {
		ssize_t r = read(fd, &ch, 1);
		if (r <= 0)
			return n ? 0 : -1;
		if (ch == '\n')
			break;
		buf[n++] = ch;
	}
	buf[n] = '\0';
	if (n && buf[n - 1] == '\r')
		buf[n - 1] = '\0';
	return 0;
}

int
prompt_password(const char *what, char *buf, size_t len, char *err, size_t errlen)
{
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO), rc;

	if (tty) {
		fprintf(stderr, "Password for %s: ", what);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) != 0)
			tty = 0;
		else {
			quiet = old;
			quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
			quiet.c_lflag |= ICANON;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		}
	}
	rc = read_line(STDIN_FILENO, buf, len);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (rc != 0) {
		snprintf(err, errlen, "no password for %s on standard input", what);
		return -1;
	}
	if (!passfile_valid(buf)) {
		snprintf(err, errlen, "the password for %s is empty or has blanks", what);
		return -1;
	}
	return 0;
}

bool
prompt_yes_no(const char *question)
{
	char answer[16];

	fprintf(stderr, "%s (yes/no)? ", question);
	for (;;) {
		fflush(stderr);
		if (read_line(STDIN_FILENO, answer, sizeof(answer)) != 0)
			return false;
		if (strcmp(answer, "yes") == 0)
			return true;
		if (strcmp(answer, "no") == 0)
			return false;
		fprintf(stderr, "Please type 'yes' or 'no': ");
	}
}
