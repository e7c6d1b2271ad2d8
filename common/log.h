/* log: stderr or syslog logging with a verbosity level (relayd's log.c model). */
#ifndef VNET_LOG_H
#define VNET_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_WARN = 0, LOG_LVL_INFO = 1, LOG_LVL_DEBUG = 2 };

/* Sets the program name, the verbosity and whether to log to syslog. */
void log_init(const char *prog, int verbosity, int use_syslog);
/* Returns the current verbosity. */
int log_verbosity(void);
/* Logs a warning followed by strerror(errno). */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs a warning. */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs at info level (shown from verbosity 1, the default). */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs at debug level (verbosity 2, -vv). */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs with strerror(errno) and exits 1; only at start-up or on a broken invariant. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Logs and exits 1; only at start-up or on a broken invariant. */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
