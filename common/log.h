/* log: stderr or syslog logging with a verbosity level (relayd's log.c model). */
#ifndef VNET_LOG_H
#define VNET_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <time.h>

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

/* Rate limit for lines a remote party can trigger: at most LOG_RL_BURST lines
 * per LOG_RL_WINDOW seconds per call site; the lines held back are counted
 * and their number logged with the next line that passes. */
#define LOG_RL_BURST	10
#define LOG_RL_WINDOW	10
struct log_rl {
	time_t		 lr_start;	/* monotonic second the window began */
	unsigned	 lr_n;		/* lines logged in this window */
	unsigned long	 lr_held;	/* lines held back since the last one logged */
};
/* True when a line may be logged now (and logs how many were held back
 * before it); false counts the line as held back.  Keeps errno. */
bool log_rl_allow(struct log_rl *rl);
/* Total lines held back by every limiter since start (for tests, stats). */
unsigned long log_rl_held_total(void);

/* a line below the verbosity is neither counted nor reported as held back */
#define log_rl_(lvl, fn, ...) do {					\
	static struct log_rl log_rl_site_;				\
	if (log_verbosity() >= (lvl) && log_rl_allow(&log_rl_site_))	\
		fn(__VA_ARGS__);					\
} while (0)
#define log_warn_rl(...)	log_rl_(LOG_LVL_WARN, log_warn, __VA_ARGS__)
#define log_warnx_rl(...)	log_rl_(LOG_LVL_WARN, log_warnx, __VA_ARGS__)
#define log_info_rl(...)	log_rl_(LOG_LVL_INFO, log_info, __VA_ARGS__)
#define log_debug_rl(...)	log_rl_(LOG_LVL_DEBUG, log_debug, __VA_ARGS__)

#endif
