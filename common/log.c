/* log: one place that decides where messages go. */
#include "common/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "vnet";
static int log_verbose = LOG_LVL_INFO;
static int log_syslog;

void
log_init(const char *prog, int verbosity, int use_syslog)
{
	log_prog = prog;
	log_verbose = verbosity;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_verbosity(void)
{
	return log_verbose;
}

static void
log_emit(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024], stamp[32];
	struct timespec ts;
	struct tm tm;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		syslog(prio, "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s[%d]: %s%s%s\n", stamp, ts.tv_nsec / 1000000,
	    log_prog, (int)getpid(), msg, suffix ? ": " : "", suffix ? suffix : "");
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < LOG_LVL_INFO)
		return;
	va_start(ap, fmt);
	log_emit(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	log_emit(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

static unsigned long log_rl_held;

bool
log_rl_allow(struct log_rl *rl)
{
	struct timespec ts;
	int saved = errno;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (rl->lr_n == 0 || ts.tv_sec - rl->lr_start >= LOG_RL_WINDOW) {
		rl->lr_start = ts.tv_sec;
		rl->lr_n = 0;
	}
	if (rl->lr_n >= LOG_RL_BURST) {
		rl->lr_held++;
		log_rl_held++;
		errno = saved;
		return false;
	}
	rl->lr_n++;
	if (rl->lr_held) {
		log_warnx("(%lu similar line(s) held back: at most %d every %d s)", rl->lr_held,
		    LOG_RL_BURST, LOG_RL_WINDOW);
		rl->lr_held = 0;
	}
	errno = saved;
	return true;
}

unsigned long
log_rl_held_total(void)
{
	return log_rl_held;
}
