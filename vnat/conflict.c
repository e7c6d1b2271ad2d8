/* conflict: a moved connection's new tuple already taken. */
#include "vnat/conflict.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/log.h"
#include "vnat/core.h"
#include "vnat/policy.h"
#include "vnat/sockdiag.h"

static const struct policy_word words[] = {
	{ "abort", CP_ABORT }, { "preempt", CP_PREEMPT },
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))

int
conflict_parse(const char *word, enum conflict_policy *p, char *err, size_t errlen)
{
	int v = policy_parse(words, NWORDS, word);
	char use[64];

	if (v < 0) {
		snprintf(err, errlen, "conflict policy '%.40s': %s", word,
		    policy_choices(words, NWORDS, NULL, use, sizeof(use)));
		return -1;
	}
	*p = (enum conflict_policy)v;
	return 0;
}

const char *
conflict_policy_name(enum conflict_policy p)
{
	return policy_word(words, NWORDS, (int)p);
}

size_t
conflict_count(const struct vnat *v)
{
	return v->v_conf.cf_npol;
}

void
conflict_format(const struct vnat *v, size_t i, char *out, size_t len)
{
	const struct conflict_pol *p = &v->v_conf.cf_pol[i];

	snprintf(out, len, "%s %s", p->cp_name, conflict_policy_name(
	    (enum conflict_policy)p->cp_policy));
}

void
conflict_init(struct vnat *v)
{
	vtab_init(&v->v_conf.cf_left);
}

void
conflict_free(struct vnat *v)
{
	vtab_clear(&v->v_conf.cf_left);
}

int
conflict_set(struct vnat *v, const char *name, const char *policy, char *err, size_t errlen)
{
	struct conflict_part *cf = &v->v_conf;
	size_t i;
	enum conflict_policy p;

	if (conflict_parse(policy, &p, err, errlen) != 0)
		return -1;
	if (strlen(name) >= sizeof(cf->cf_pol[0].cp_name)) {
		snprintf(err, errlen, "process name '%.40s' is longer than 15 characters", name);
		return -1;
	}
	for (i = 0; i < cf->cf_npol; i++)
		if (strcmp(cf->cf_pol[i].cp_name, name) == 0)
			break;
	if (i == cf->cf_npol) {
		if (cf->cf_npol == VNAT_PROCS_MAX) {
			snprintf(err, errlen, "at most %d conflict policies", VNAT_PROCS_MAX);
			return -1;
		}
		cf->cf_npol++;
	}
	snprintf(cf->cf_pol[i].cp_name, sizeof(cf->cf_pol[i].cp_name), "%s", name);
	cf->cf_pol[i].cp_policy = (uint8_t)p;
	log_info("vnat: address conflicts of %s: %s", name, conflict_policy_name(p));
	return 0;
}

enum conflict_policy
conflict_policy_for(const struct vnat *v, const char *comm)
{
	const struct conflict_part *cf = &v->v_conf;
	enum conflict_policy any = CP_ABORT;

	for (size_t i = 0; i < cf->cf_npol; i++) {
		if (strcmp(cf->cf_pol[i].cp_name, comm) == 0)
			return (enum conflict_policy)cf->cf_pol[i].cp_policy;
		if (strcmp(cf->cf_pol[i].cp_name, "*") == 0)
			any = (enum conflict_policy)cf->cf_pol[i].cp_policy;
	}
	return any;
}

void
conflict_mark(struct vnat *v, const struct vnat_tuple *t)
{
	bool created;

	vtab_put(&v->v_conf.cf_left, t, &created);
}

void
conflict_unmark_all(struct vnat *v)
{
	vtab_clear(&v->v_conf.cf_left);
}

bool
conflict_marked(const struct vnat *v, const struct vnat_tuple *key)
{
	return vtab_find(&v->v_conf.cf_left, key) != NULL;
}

uint32_t
conflict_hit(const struct vtab *socks, const struct vnat_tuple *t)
{
	struct vnat_tuple phys = *t;
	struct vtab_ent *e;
	size_t al = tuple_alen(t->t_family);

	memcpy(phys.t_lvir, t->t_lphy, al);
	memcpy(phys.t_rvir, t->t_rphy, al);
	phys.t_lvir_port = t->t_lphy_port;
	phys.t_rvir_port = t->t_rphy_port;
	if (memcmp(phys.t_lvir, t->t_lvir, al) == 0 && memcmp(phys.t_rvir, t->t_rvir, al) == 0 &&
	    phys.t_lvir_port == t->t_lvir_port && phys.t_rvir_port == t->t_rvir_port)
		return 0;	/* not moved: that socket is the connection itself */
	if ((e = vtab_find(socks, &phys)) == NULL)
		return 0;
	/* a connection on its way out (FIN sent or received) conflicts with nothing */
	if (phys.t_proto == IPPROTO_TCP && e->ve_sock.ss_state != TCP_ESTABLISHED &&
	    e->ve_sock.ss_state != TCP_SYN_SENT && e->ve_sock.ss_state != TCP_SYN_RECV)
		return 0;
	return e->ve_sock.ss_inode;
}

int
conflict_preempt(uint32_t inode)
{
	struct sd_owner o;
	int pidfd, fd, rc = -1;

	if (sd_owner(inode, &o) != 0)
		return -1;
	if ((pidfd = (int)syscall(SYS_pidfd_open, o.so_pid, 0)) < 0)
		return -1;
	if ((fd = (int)syscall(SYS_pidfd_getfd, pidfd, o.so_fd, 0)) >= 0) {
		rc = shutdown(fd, SHUT_RDWR);
		close(fd);
	}
	close(pidfd);
	if (rc == 0)
		log_info("vnat: conflict: %s (pid %d) lost its connection to a moved one (preempt)",
		    o.so_comm, (int)o.so_pid);
	return rc;
}
