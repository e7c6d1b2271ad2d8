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

int
conflict_set(struct vnat *v, const char *name, const char *policy, char *err, size_t errlen)
{
	size_t i;
	enum conflict_policy p;

	if (conflict_parse(policy, &p, err, errlen) != 0)
		return -1;
	if (strlen(name) >= sizeof(v->v_policies[0].cp_name)) {
		snprintf(err, errlen, "process name '%.40s' is longer than 15 characters", name);
		return -1;
	}
	for (i = 0; i < v->v_npolicies; i++)
		if (strcmp(v->v_policies[i].cp_name, name) == 0)
			break;
	if (i == v->v_npolicies) {
		if (v->v_npolicies == VNAT_PROCS_MAX) {
			snprintf(err, errlen, "at most %d conflict policies", VNAT_PROCS_MAX);
			return -1;
		}
		v->v_npolicies++;
	}
	snprintf(v->v_policies[i].cp_name, sizeof(v->v_policies[i].cp_name), "%s", name);
	v->v_policies[i].cp_policy = (uint8_t)p;
	log_info("vnat: address conflicts of %s: %s", name, conflict_policy_name(p));
	return 0;
}

enum conflict_policy
conflict_policy_for(const struct vnat *v, const char *comm)
{
	enum conflict_policy any = CP_ABORT;

	for (size_t i = 0; i < v->v_npolicies; i++) {
		if (strcmp(v->v_policies[i].cp_name, comm) == 0)
			return (enum conflict_policy)v->v_policies[i].cp_policy;
		if (strcmp(v->v_policies[i].cp_name, "*") == 0)
			any = (enum conflict_policy)v->v_policies[i].cp_policy;
	}
	return any;
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
