/* standing: handlers kept up across lost links, restarts and redials. */
#include "server/standing.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "common/pin.h"
#include "server/dial.h"
#include "server/registry.h"

#define STAND_TRY_MS		1500	/* a redial's time to connect (TLS: handshake) */
#define STAND_RETRY_MS		250	/* first redial after a lost link */
#define STAND_RETRY_MAX_MS	500	/* then every STAND_TRY_MS + this at most */
#define STAND_REFUSED_MS	5000	/* after a NOK: 5 s, doubling ... */
#define STAND_REFUSED_MAX_MS	60000	/* ... up to a minute */
#define STAND_TOMBS		256	/* tokens closed here, refused when back */

enum stand_side { STAND_DIALLER, STAND_ACCEPTOR };

struct stand {
	TAILQ_ENTRY(stand)	 st_entry;
	struct server		*st_srv;
	enum stand_side		 st_side;
	char			 st_token[PROTO_INSTANCE_LEN + 1];
	uint32_t		 st_id;		/* the handler's, kept; 0 before the first */
	struct handler		*st_h;		/* NULL until the first dial succeeds */
	struct proto_msg	 st_msg;	/* dialler: the HANDLE (with its password) */
	char			 st_fp[PIN_FP_LEN];	/* configuration's: the peer's key; "" */
	stand_done_cb		 st_done;	/* dialler: who waits for the first dial */
	void			*st_done_arg;
	struct dial		*st_dial;	/* dialler: the dial under way */
	struct event		*st_timer;	/* dialler: next redial; acceptor: linger */
	unsigned		 st_fails;	/* dials failed in a row */
	bool			 st_kept;	/* dialler: retry even before the first */
	char			 st_name[STAND_NAME_MAX + 1];	/* configuration's; "" */
	bool			 st_closing;	/* CLOSE: for good */
};

TAILQ_HEAD(stand_list, stand);

struct stands {
	struct stand_list	 ss_list;
	char			 ss_path[PATH_MAX];	/* the state file */
	char			 ss_tombs[STAND_TOMBS][PROTO_INSTANCE_LEN + 1];
	unsigned		 ss_ntomb;
	bool			 ss_loading;
};

static void stand_dial_done(void *arg, const struct dial_outcome *o);

static struct stands *
stands(struct server *s)
{
	return s->s_stands;
}

int
stand_init(struct server *s)
{
	struct stands *ss = calloc(1, sizeof(*ss));

	if (ss == NULL)
		return -1;
	TAILQ_INIT(&ss->ss_list);
	if (snprintf(ss->ss_path, sizeof(ss->ss_path), "%s/handlers", s->s_opts.so_statedir) >=
	    (int)sizeof(ss->ss_path))
		ss->ss_path[0] = '\0';
	s->s_stands = ss;
	return 0;
}

static struct stand *
find_h(struct server *s, const struct handler *h)
{
	struct stand *st;

	TAILQ_FOREACH(st, &stands(s)->ss_list, st_entry)
		if (st->st_h == h)
			return st;
	return NULL;
}

/* one line: id token HANDLE password lcfg ldev rcfg rhost rport rdev addresses */
static int
write_line(FILE *f, const struct stand *st)
{
	const struct proto_msg *m = &st->st_msg;
	char addrs[MAC_LIST_MAX * MAC_STRLEN];

	mac_list_format(&m->pm_addrs, addrs, sizeof(addrs));
	return fprintf(f, "%u %s HANDLE %s %s %s %s %s %u %s %s\n", st->st_id, st->st_token,
	    m->pm_password, proto_role_name(m->pm_lrole), m->pm_ldev,
	    proto_role_name(m->pm_rrole), m->pm_rhost, m->pm_rport, m->pm_rdev, addrs) < 0 ? -1 : 0;
}

/* The dialled handlers, with their passwords: readable by the service
 * only, replaced whole (a crash leaves the old or the new file). */
static void
save(struct server *s)
{
	struct stands *ss = stands(s);
	struct stand *st;
	char tmp[PATH_MAX + 8];
	FILE *f;
	int fd, bad = 0;

	if (ss->ss_path[0] == '\0' || ss->ss_loading || s->s_stopping)
		return;
	snprintf(tmp, sizeof(tmp), "%s.new", ss->ss_path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		if (errno == ENOENT && mkdir(s->s_opts.so_statedir, 0700) == 0)
			fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			log_warn("handlers: cannot save %s (they will not come back after a restart)",
			    tmp);
			return;
		}
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return;
	}
	fchmod(fd, 0600);
	TAILQ_FOREACH(st, &ss->ss_list, st_entry)
		if (st->st_side == STAND_DIALLER && st->st_id != 0 && !st->st_closing &&
		    st->st_name[0] == '\0')
			bad |= write_line(f, st);
	bad |= fflush(f) != 0 || fsync(fd) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, ss->ss_path) != 0) {
		log_warn("handlers: cannot save %s", ss->ss_path);
		unlink(tmp);
	}
}

static void
stand_free(struct server *s, struct stand *st)
{
	TAILQ_REMOVE(&stands(s)->ss_list, st, st_entry);
	if (st->st_dial)
		dial_close(st->st_dial);
	if (st->st_timer)
		event_free(st->st_timer);
	OPENSSL_cleanse(st->st_msg.pm_password, sizeof(st->st_msg.pm_password));
	free(st);
}

static void
redial(evutil_socket_t fd, short what, void *arg)
{
	struct stand *st = arg;
	struct server *s = st->st_srv;

	(void)fd;
	(void)what;
	/* a timer from an earlier failure while the link has recovered since */
	if (st->st_dial || (st->st_h && handler_is_up(st->st_h) && !handler_is_stalled(st->st_h)))
		return;
	/* the first dial of a HANDLE has the user's patience; redials are
	 * short, so that a path that is back is found within a second or two */
	st->st_dial = dial_start(s, &st->st_msg, st->st_token, st->st_fp, st->st_h,
	    st->st_h || st->st_kept ? STAND_TRY_MS : s->s_opts.so_dial_timeout * 1000,
	    stand_dial_done, st);
	if (st->st_dial == NULL)
		log_warnx("handler %u: cannot start a redial (out of memory)", st->st_id);
}

/* the next redial in ms, doubling from base up to max, +-20% */
static void
schedule(struct stand *st, unsigned base, unsigned max)
{
	unsigned ms = base, i;
	struct timeval tv;

	for (i = 0; i < st->st_fails && ms < max; i++)
		ms *= 2;
	if (ms > max)
		ms = max;
	ms = ms * 4 / 5 + arc4random_uniform(ms * 2 / 5 + 1);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(st->st_timer, &tv);
}

static void
on_down(struct handler *h, void *arg, const char *why)
{
	struct stand *st = arg;

	(void)h;
	(void)why;
	if (st->st_side == STAND_ACCEPTOR) {
		struct timeval tv = { (time_t)st->st_srv->s_opts.so_linger, 0 };
		evtimer_add(st->st_timer, &tv);
		return;
	}
	st->st_fails = 0;
	if (st->st_dial == NULL)
		schedule(st, STAND_RETRY_MS, STAND_RETRY_MAX_MS);
}

/* frames out, none acknowledged for 2 s: a fresh connection alongside */
static void
on_stall(struct handler *h, void *arg, const char *why)
{
	struct stand *st = arg;

	(void)why;
	log_info("handler %u: nothing acknowledged by %s for 2 s while sending: dialling "
	    "again alongside", st->st_id, handler_conf_of(h)->hc_peer);
	if (st->st_dial == NULL)
		redial(-1, 0, st);
}

static void
linger_over(evutil_socket_t fd, short what, void *arg)
{
	struct stand *st = arg;
	char why[96];

	(void)fd;
	(void)what;
	snprintf(why, sizeof(why), "its dialler did not come back within %u s",
	    st->st_srv->s_opts.so_linger);
	handler_close(st->st_h, why);	/* frees st through stand_handler_gone */
}

static void
tomb_add(struct server *s, const char *token)
{
	struct stands *ss = stands(s);

	snprintf(ss->ss_tombs[ss->ss_ntomb++ % STAND_TOMBS], PROTO_INSTANCE_LEN + 1, "%s", token);
}

static bool
tomb_has(struct server *s, const char *token)
{
	struct stands *ss = stands(s);

	for (unsigned i = 0; i < STAND_TOMBS && i < ss->ss_ntomb; i++)
		if (strcmp(ss->ss_tombs[i], token) == 0)
			return true;
	return false;
}

/* tells whoever waits for the first dial how it ended, once */
static void
report(struct stand *st, bool ok, const char *fmt, ...)
{
	stand_done_cb cb = st->st_done;
	char text[512];
	va_list ap;

	if (cb == NULL)
		return;
	st->st_done = NULL;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	cb(st->st_done_arg, ok, text);
}

/* the first connection of a dialled handler: the handler itself */
static bool
first_up(struct stand *st, const struct dial_outcome *o, char *err, size_t errlen)
{
	struct server *s = st->st_srv;
	struct handler_conf hc;

	memset(&hc, 0, sizeof(hc));
	hc.hc_id = st->st_id ? st->st_id : srv_new_id(s);
	hc.hc_role = st->st_msg.pm_lrole;
	hc.hc_rrole = st->st_msg.pm_rrole;
	memcpy(hc.hc_dev, st->st_msg.pm_ldev, sizeof(hc.hc_dev));
	memcpy(hc.hc_rdev, st->st_msg.pm_rdev, sizeof(hc.hc_rdev));
	hc.hc_addrs = st->st_msg.pm_addrs;
	hc.hc_queue_max = s->s_opts.so_queue_max;
	hc.hc_dead_after = s->s_opts.so_dead_after;
	hc.hc_records = o->do_records;
	memcpy(hc.hc_token, st->st_token, sizeof(hc.hc_token));
	snprintf(hc.hc_peer, sizeof(hc.hc_peer), "%s", o->do_peer);
	if ((st->st_h = srv_start_handler(s, o->do_bev, &hc, o->do_peer_id, err, errlen)) == NULL)
		return false;
	st->st_id = hc.hc_id;
	handler_set_link_cbs(st->st_h, on_down, on_stall, st);
	return true;
}

static void
stand_dial_done(void *arg, const struct dial_outcome *o)
{
	struct stand *st = arg;
	struct server *s = st->st_srv;
	char err[512];

	st->st_dial = NULL;
	if (o->do_result == DIAL_OK)
		evtimer_del(st->st_timer);
	if (o->do_result == DIAL_OK && st->st_h) {
		if (reg_rebind(s, st->st_h, o->do_peer_id, o->do_peer, err, sizeof(err)) != 0) {
			bufferevent_free(o->do_bev);
			log_warnx_rl("handler %u: back at %s, but here: %s", st->st_id, o->do_peer, err);
			st->st_fails++;
			schedule(st, STAND_REFUSED_MS, STAND_REFUSED_MAX_MS);
			return;
		}
		st->st_fails = 0;
		handler_attach(st->st_h, o->do_bev, o->do_records);
		return;
	}
	if (o->do_result == DIAL_OK) {
		if (!first_up(st, o, err, sizeof(err))) {
			bufferevent_free(o->do_bev);
			log_warnx("HANDLE to %s failed: second server accepted, but here: %s",
			    o->do_peer, err);
			if (st->st_kept) {
				st->st_fails++;
				schedule(st, STAND_REFUSED_MS, STAND_REFUSED_MAX_MS);
				return;
			}
			report(st, false, "second server accepted, but here: %s", err);
			stand_free(s, st);
			return;
		}
		log_info("HANDLE to %s: handler %u established", o->do_peer, st->st_id);
		report(st, true, "handler %u established", st->st_id);
		st->st_fails = 0;
		save(s);
		return;
	}
	if (st->st_h == NULL && !st->st_kept) {
		/* a HANDLE that never worked is not kept: the user is told */
		log_warnx_rl("HANDLE to %s failed: %s", o->do_peer, o->do_text);
		report(st, false, "%s", o->do_text);
		stand_free(s, st);
		return;
	}
	if (o->do_result == DIAL_GONE) {
		log_warnx("handler %u: %s: closing it here too", st->st_id, o->do_text);
		if (st->st_h) {
			st->st_closing = true;
			handler_close(st->st_h, "closed by the peer while the link was down");
		} else {
			stand_free(s, st);
			save(s);
		}
		return;
	}
	st->st_fails++;
	if (st->st_h && handler_is_up(st->st_h)) {
		/* a make-before-break attempt: again while it stays silent */
		if (handler_is_stalled(st->st_h))
			schedule(st, STAND_RETRY_MAX_MS, STAND_RETRY_MAX_MS);
		return;
	}
	log_warnx_rl("handler %u: redial to %s failed (%u in a row): %s", st->st_id,
	    o->do_peer, st->st_fails, o->do_text);
	if (o->do_result == DIAL_REFUSED || o->do_result == DIAL_HERE)
		schedule(st, STAND_REFUSED_MS, STAND_REFUSED_MAX_MS);
	else
		schedule(st, STAND_RETRY_MS, STAND_RETRY_MAX_MS);
}

static struct stand *
stand_new(struct server *s, enum stand_side side)
{
	struct stand *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->st_srv = s;
	st->st_side = side;
	TAILQ_INSERT_TAIL(&stands(s)->ss_list, st, st_entry);
	if ((st->st_timer = evtimer_new(s->s_base, side == STAND_DIALLER ? redial : linger_over,
	    st)) == NULL) {
		stand_free(s, st);
		return NULL;
	}
	return st;
}

struct stand *
stand_handle(struct server *s, const struct proto_msg *m, stand_done_cb cb, void *arg)
{
	struct stand *st = stand_new(s, STAND_DIALLER);

	if (st == NULL)
		return NULL;
	st->st_msg = *m;
	if (reg_random_id(st->st_token) != 0) {
		stand_free(s, st);
		return NULL;
	}
	redial(-1, 0, st);
	if (st->st_dial == NULL) {
		stand_free(s, st);
		return NULL;
	}
	st->st_done = cb;
	st->st_done_arg = arg;
	return st;
}

void
stand_detach(struct stand *st)
{
	st->st_done = NULL;
}

static struct stand *
find_name(struct server *s, const char *name)
{
	struct stand *st;

	TAILQ_FOREACH(st, &stands(s)->ss_list, st_entry)
		if (st->st_side == STAND_DIALLER && strcmp(st->st_name, name) == 0)
			return st;
	return NULL;
}

int
stand_config_add(struct server *s, const char *name, const struct proto_msg *m,
    const char *peer_fp)
{
	struct stand *st;

	if (name[0] == '\0' || strlen(name) > STAND_NAME_MAX || find_name(s, name))
		return -1;
	if ((st = stand_new(s, STAND_DIALLER)) == NULL)
		return -1;
	st->st_msg = *m;
	snprintf(st->st_fp, sizeof(st->st_fp), "%s", peer_fp ? peer_fp : "");
	st->st_kept = true;
	snprintf(st->st_name, sizeof(st->st_name), "%s", name);
	if (reg_random_id(st->st_token) != 0) {
		stand_free(s, st);
		return -1;
	}
	log_info("handler '%s': dialling %s:%u", name, m->pm_rhost, m->pm_rport);
	redial(-1, 0, st);
	return 0;
}

int
stand_config_remove(struct server *s, const char *name)
{
	struct stand *st = name[0] ? find_name(s, name) : NULL;
	char why[STAND_NAME_MAX + 64];

	if (st == NULL)
		return -1;
	if (st->st_h == NULL) {
		stand_free(s, st);
		return 0;
	}
	snprintf(why, sizeof(why), "'%s' left the configuration", name);
	stand_close(s, st->st_h, why);
	return 0;
}

const struct proto_msg *
stand_config_get(struct server *s, const char *name)
{
	struct stand *st = name[0] ? find_name(s, name) : NULL;

	return st ? &st->st_msg : NULL;
}

const char *
stand_config_fp(struct server *s, const char *name)
{
	struct stand *st = name[0] ? find_name(s, name) : NULL;

	return st ? st->st_fp : NULL;
}

void
stand_config_each(struct server *s, void (*fn)(struct server *, const char *, void *), void *arg)
{
	struct stand *st, *next;
	char name[STAND_NAME_MAX + 1];

	for (st = TAILQ_FIRST(&stands(s)->ss_list); st != NULL; st = next) {
		next = TAILQ_NEXT(st, st_entry);
		if (st->st_side != STAND_DIALLER || st->st_name[0] == '\0')
			continue;
		snprintf(name, sizeof(name), "%s", st->st_name);
		fn(s, name, arg);
	}
}

/* A new handler from a peer replaces the ones of that peer on the same
 * device that overlap it and wait without a link: their dialler closed
 * them while the link was down (no goodbye could arrive), or lost them */
static void
replace_lingering(struct server *s, const struct proto_msg *m, const char *peer_id)
{
	struct stand *st, *next;

	for (st = TAILQ_FIRST(&stands(s)->ss_list); st != NULL; st = next) {
		const struct handler_conf *hc;

		next = TAILQ_NEXT(st, st_entry);
		if (st->st_side != STAND_ACCEPTOR || handler_is_up(st->st_h))
			continue;
		hc = handler_conf_of(st->st_h);
		if (strcmp(hc->hc_peer_id, peer_id) != 0 || strcmp(hc->hc_dev, m->pm_rdev) != 0)
			continue;
		if (mac_lists_overlap(&m->pm_addrs, &hc->hc_addrs) != NULL)
			handler_close(st->st_h, "replaced by a new handler from the same peer");
	}
}

uint32_t
stand_begin(struct server *s, const struct proto_msg *m, const char *peer_id,
    const char *peer, struct bufferevent *bev, char *err, size_t errlen)
{
	struct handler_conf hc;
	struct stand *st;

	TAILQ_FOREACH(st, &stands(s)->ss_list, st_entry) {
		const struct handler_conf *old;
		if (st->st_side != STAND_ACCEPTOR || strcmp(st->st_token, m->pm_token) != 0)
			continue;
		old = handler_conf_of(st->st_h);
		if (strcmp(old->hc_dev, m->pm_rdev) != 0 || old->hc_role != m->pm_rrole ||
		    old->hc_addrs.ml_n != m->pm_addrs.ml_n || memcmp(&old->hc_addrs.ml_e,
		    &m->pm_addrs.ml_e, m->pm_addrs.ml_n * sizeof(m->pm_addrs.ml_e[0])) != 0) {
			snprintf(err, errlen, "handler %u has that token with other settings",
			    old->hc_id);
			return 0;
		}
		if (reg_rebind(s, st->st_h, peer_id, peer, err, errlen) != 0)
			return 0;
		event_del(st->st_timer);
		handler_attach(st->st_h, bev, m->pm_records);
		return old->hc_id;
	}
	if (tomb_has(s, m->pm_token)) {
		snprintf(err, errlen, "%s (CLOSE): it is not coming back", PROTO_GONE_PREFIX);
		return 0;
	}
	replace_lingering(s, m, peer_id);
	memset(&hc, 0, sizeof(hc));
	hc.hc_id = srv_new_id(s);
	hc.hc_role = m->pm_rrole;
	hc.hc_rrole = m->pm_lrole;
	memcpy(hc.hc_dev, m->pm_rdev, sizeof(hc.hc_dev));
	memcpy(hc.hc_rdev, m->pm_ldev, sizeof(hc.hc_rdev));
	hc.hc_addrs = m->pm_addrs;
	hc.hc_queue_max = s->s_opts.so_queue_max;
	hc.hc_dead_after = s->s_opts.so_dead_after;
	hc.hc_records = m->pm_records;
	memcpy(hc.hc_token, m->pm_token, sizeof(hc.hc_token));
	snprintf(hc.hc_peer, sizeof(hc.hc_peer), "%s", peer);
	if ((st = stand_new(s, STAND_ACCEPTOR)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	memcpy(st->st_token, m->pm_token, sizeof(st->st_token));
	if ((st->st_h = srv_start_handler(s, bev, &hc, peer_id, err, errlen)) == NULL) {
		stand_free(s, st);
		return 0;
	}
	st->st_id = hc.hc_id;
	handler_set_link_cbs(st->st_h, on_down, NULL, st);
	return hc.hc_id;
}

void
stand_close(struct server *s, struct handler *h, const char *why)
{
	struct stand *st = find_h(s, h);

	if (st) {
		st->st_closing = true;
		if (st->st_side == STAND_ACCEPTOR)
			tomb_add(s, st->st_token);
	}
	handler_goodbye(h);
	handler_close(h, why);
}

void
stand_handler_gone(struct server *s, struct handler *h)
{
	struct stand *st = stands(s) ? find_h(s, h) : NULL;

	if (st == NULL)
		return;
	st->st_h = NULL;
	if (s->s_stopping)
		return;		/* kept in the state file, freed by stand_shutdown */
	/* a redial already under way must not bring it back */
	if (st->st_side == STAND_ACCEPTOR && handler_got_goodbye(h))
		tomb_add(s, st->st_token);
	st->st_closing = true;
	stand_free(s, st);
	save(s);
}

int
stand_load(struct server *s)
{
	struct stands *ss = stands(s);
	char line[PROTO_LINE_MAX + 80], err[256];
	unsigned lineno = 0;
	int n = 0;
	FILE *f;

	if (ss->ss_path[0] == '\0' || (f = fopen(ss->ss_path, "re")) == NULL)
		return 0;
	ss->ss_loading = true;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct proto_msg m;
		struct stand *st;
		char token[PROTO_INSTANCE_LEN + 1], *rest;
		unsigned long id;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		id = strtoul(line, &rest, 10);
		if (rest == line || *rest != ' ' || id == 0 || id > UINT32_MAX ||
		    sscanf(rest, " %32s", token) != 1 || !proto_valid_instance(token) ||
		    (rest = strstr(rest, " HANDLE ")) == NULL ||
		    proto_parse(rest + 1, &m, err, sizeof(err)) != 0 || m.pm_cmd != PROTO_HANDLE) {
			log_warnx("handlers: %s line %u is not a handler: left out", ss->ss_path, lineno);
			continue;
		}
		if ((st = stand_new(s, STAND_DIALLER)) == NULL)
			break;
		st->st_msg = m;
		st->st_id = (uint32_t)id;
		st->st_kept = true;
		memcpy(st->st_token, token, sizeof(st->st_token));
		srv_reserve_id(s, st->st_id);
		log_info("handler %u: back from %s: dialling %s:%u", st->st_id, ss->ss_path,
		    m.pm_rhost, m.pm_rport);
		redial(-1, 0, st);
		OPENSSL_cleanse(&m, sizeof(m));
		n++;
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	ss->ss_loading = false;
	return n;
}

void
stand_shutdown(struct server *s)
{
	struct stands *ss = stands(s);
	struct stand *st;

	if (ss == NULL)
		return;
	while ((st = TAILQ_FIRST(&ss->ss_list)) != NULL)
		stand_free(s, st);
	free(ss);
	s->s_stands = NULL;
}
