/* config: a whole good file, each kind of error with its line, the command
 * line over the file, secret files' modes, handler comparison. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "server/config.h"

static char dir[64];
static char conf_path[128], pw_path[128], hpw_path[128];

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vnet-conf-XXXXXX");
	cr_assert(mkdtemp(dir) != NULL);
	snprintf(conf_path, sizeof(conf_path), "%s/vnet.conf", dir);
	snprintf(pw_path, sizeof(pw_path), "%s/pw", dir);
	snprintf(hpw_path, sizeof(hpw_path), "%s/host.pw", dir);
	write_file(pw_path, "proxy-secret\n", 0600);
	write_file(hpw_path, "host-secret\n", 0600);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

/* the file: text with @PW@ and @HPW@ for the password files' paths */
static void
conf_text(const char *text, mode_t mode)
{
	static char buf[CONF_LINE_MAX * 2];
	char *o = buf;
	const char *p = text;

	while (*p) {
		if (strncmp(p, "@PW@", 4) == 0) {
			o += sprintf(o, "%s", pw_path);
			p += 4;
		} else if (strncmp(p, "@HPW@", 5) == 0) {
			o += sprintf(o, "%s", hpw_path);
			p += 5;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	write_file(conf_path, buf, mode);
}

/* conf_load with "vnet --config FILE extra..." */
static int
load(struct conf **cf, char *err, size_t errlen, const char *a1, const char *a2,
    const char *a3)
{
	char *argv[8] = { (char *)"vnet", (char *)"--config", conf_path };
	int argc = 3;

	if (a1)
		argv[argc++] = (char *)a1;
	if (a2)
		argv[argc++] = (char *)a2;
	if (a3)
		argv[argc++] = (char *)a3;
	err[0] = '\0';
	return conf_load(argc, argv, cf, err, errlen);
}

static const char good[] =
    "# the proxy\n"
    "password-file = @PW@\n"
    "listen = 198.18.42.2 fd00::2\n"
    "port = 4456\n"
    "devices = eth0 eth1\n"
    "state-dir = /tmp/vnet-state-unused\n"
    "queue-limit = 128   ; KiB\n"
    "peer-timeout = 5\n"
    "vnat = yes\n"
    "vnat-proc = firefox\n"
    "vnat-proc = ssh sshd\n"
    "vnat-helper = ssh=keepalive\n"
    "vnat-helper = backup=exec:/usr/local/bin/pause\n"
    "vnat-conflict = *=preempt\n"
    "\n"
    "[handler vm1]\n"
    "device = eth0\n"
    "peer = 198.18.44.2\n"
    "peer-device = vmnet1\n"
    "role = local\n"
    "addresses = 02:00:00:00:42:10 ff:ff:ff:ff:ff:ff\n"
    "password-file = @HPW@\n"
    "\n"
    "[handler vm2]\n"
    "device = eth1\n"
    "peer = host.example\n"
    "port = 4999\n"
    "peer-device = vmnet2\n"
    "role = remote\n"
    "addresses = 02:00:00:00:42:11\n"
    "password-file = @HPW@\n";

TestSuite(config, .init = setup, .fini = teardown);

Test(config, good_file)
{
	struct conf *cf;
	char err[700];
	const struct conf_handler *h;

	conf_text(good, 0644);
	cr_assert_eq(load(&cf, err, sizeof(err), NULL, NULL, NULL), 0, "%s", err);
	cr_assert_str_eq(cf->cf_opts.so_password, "proxy-secret");
	cr_assert_eq(cf->cf_opts.so_nlisten, 2);
	cr_assert_str_eq(cf->cf_opts.so_listen[1], "fd00::2");
	cr_assert_eq(cf->cf_opts.so_port, 4456);
	cr_assert_eq(cf->cf_opts.so_ndevs, 2);
	cr_assert_str_eq(cf->cf_opts.so_devs[1], "eth1");
	cr_assert_eq(cf->cf_opts.so_queue_max, 128 * 1024);
	cr_assert_eq(cf->cf_opts.so_dead_after, 5);
	cr_assert(cf->cf_opts.so_vnat);
	cr_assert_eq(cf->cf_opts.so_nvprocs, 3);
	cr_assert_str_eq(cf->cf_opts.so_vprocs[2], "sshd");
	cr_assert_eq(cf->cf_opts.so_nvhelpers, 2);
	cr_assert_str_eq(cf->cf_opts.so_vhelpers[1].vs_value, "exec:/usr/local/bin/pause");
	cr_assert_str_eq(cf->cf_opts.so_vconflicts[0].vs_name, "*");
	cr_assert_str_eq(cf->cf_opts.so_config, conf_path);
	cr_assert_eq(cf->cf_nh, 2);
	cr_assert((h = conf_handler(cf, "vm1")) != NULL);
	cr_assert_eq(h->ch_line, 16);
	cr_assert_eq(h->ch_msg.pm_lrole, PROTO_LOCAL);
	cr_assert_eq(h->ch_msg.pm_rrole, PROTO_REMOTE);
	cr_assert_str_eq(h->ch_msg.pm_ldev, "eth0");
	cr_assert_str_eq(h->ch_msg.pm_rhost, "198.18.44.2");
	cr_assert_eq(h->ch_msg.pm_rport, 4455);
	cr_assert_str_eq(h->ch_msg.pm_rdev, "vmnet1");
	cr_assert_eq(h->ch_msg.pm_addrs.ml_n, 2);
	cr_assert_str_eq(h->ch_msg.pm_password, "host-secret");
	cr_assert((h = conf_handler(cf, "vm2")) != NULL);
	cr_assert_eq(h->ch_msg.pm_lrole, PROTO_REMOTE);
	cr_assert_eq(h->ch_msg.pm_rport, 4999);
	cr_assert_null(conf_handler(cf, "vm3"));
	conf_free(cf);
}

/* the error text names the file and the line */
static void
assert_refused(const char *text, mode_t mode, unsigned line, const char *what)
{
	struct conf *cf = (struct conf *)1;
	char err[700], want[200];

	conf_text(text, mode);
	cr_assert_eq(load(&cf, err, sizeof(err), NULL, NULL, NULL), -1, "accepted: %s", text);
	cr_assert_null(cf);
	if (line) {
		snprintf(want, sizeof(want), "%s:%u: ", conf_path, line);
		cr_assert(strncmp(err, want, strlen(want)) == 0, "want line %u: %s", line, err);
	}
	cr_assert(strstr(err, what) != NULL, "want '%s' in: %s", what, err);
}

#define BASE "password-file = @PW@\nlisten = _\ndevices = eth0\nstate-dir = /tmp/x\n"
#define HANDLER "[handler a]\ndevice = eth0\npeer = 198.18.44.2\npeer-device = vmnet1\n" \
	"role = local\naddresses = 02:00:00:00:42:10\npassword-file = @HPW@\n"

Test(config, syntax_error_line)
{
	assert_refused(BASE "port 4455\n", 0644, 5, "syntax error");
	assert_refused(BASE "[handler a\n", 0644, 5, "syntax error");
}

Test(config, bad_values_line)
{
	assert_refused(BASE "port = 70000\n", 0644, 5, "'70000' is not a number from 1 to 65535");
	assert_refused("listen = _\nfrob = 1\n", 0644, 2, "unknown key 'frob'");
	assert_refused(BASE "tls = maybe\n", 0644, 5, "neither yes nor no");
	assert_refused("listen = host.example\n", 0644, 1, "not an IP address");
	assert_refused(BASE "port = 1\nport = 2\n", 0644, 6, "already given on line 5");
	assert_refused(BASE "devices = a/b\n", 0644, 5, "'a/b' is not a device name");
	assert_refused(BASE "vnat = yes\nvnat-helper = ssh=sleep\n", 0644, 6, "helper 'sleep'");
	assert_refused(BASE "vnat = yes\nvnat-conflict = ssh=win\n", 0644, 6, "abort or preempt");
	assert_refused(BASE "config = /etc/x\n", 0644, 5, "unknown key 'config'");
	assert_refused(BASE "[peers]\nx = 1\n", 0644, 5, "unknown section [peers]");
}

Test(config, handler_errors_line)
{
	/* lines: 1-4 BASE, 5 [handler a], 6 device, 7 peer, 8 peer-device,
	 * 9 role, 10 addresses, 11 password-file, 12 the extra */
	assert_refused(BASE "[handler a]\ndevice = eth0\n", 0644, 5, "handler 'a': no peer");
	assert_refused(BASE HANDLER "port = 0\n", 0644, 12, "port '0'");
	assert_refused(BASE HANDLER "colour = red\n", 0644, 12, "unknown key 'colour'");
	assert_refused(BASE HANDLER "peer = 198.18.44.3\n", 0644, 12, "already given on line 7");
	assert_refused(BASE "[handler a]\ndevice = eth9\npeer = h\npeer-device = v\nrole = local\n"
	    "addresses = 02:00:00:00:42:10\npassword-file = @HPW@\n", 0644, 6,
	    "device 'eth9' is not one of this server's devices");
	assert_refused(BASE "[handler a]\ndevice = eth0\npeer = h\npeer-device = v\nrole = up\n"
	    "addresses = 02:00:00:00:42:10\npassword-file = @HPW@\n", 0644, 9, "role 'up'");
	assert_refused(BASE "[handler a]\ndevice = eth0\npeer = h\npeer-device = v\n"
	    "role = local\naddresses = ff:ff:ff:ff:ff:ff\npassword-file = @HPW@\n", 0644, 10,
	    "addresses: first address");
	assert_refused(BASE "[handler a]\ndevice = eth0\npeer = h\npeer-device = v\n"
	    "role = local\naddresses = 02:00:00:00:42:10\npassword-file = /nonexistent\n", 0644,
	    11, "/nonexistent");
	assert_refused(BASE HANDLER "[handler a]\nport = 1\n", 0644, 12,
	    "handler 'a' is already on line 5");
	assert_refused(BASE "[handler a b]\nport = 1\n", 0644, 5, "handler name 'a b'");
}

Test(config, secret_files)
{
	/* the second server's password file readable by others */
	write_file(hpw_path, "host-secret\n", 0644);
	assert_refused(BASE HANDLER, 0644, 11, "chmod 600");
	write_file(hpw_path, "host-secret\n", 0600);
	/* a password in the file: the file is secret */
	assert_refused("password = pw\nlisten = _\ndevices = eth0\nstate-dir = /tmp/x\n", 0640, 0,
	    "holds a password and can be read by others");
	/* anyone who can change the file runs exec helpers as root */
	assert_refused(BASE, 0664, 0, "can be changed by others");
	{
		struct conf *cf;
		char err[700];

		conf_text("password = pw\nlisten = _\ndevices = eth0\nstate-dir = /tmp/x\n", 0600);
		cr_assert_eq(load(&cf, err, sizeof(err), NULL, NULL, NULL), 0, "%s", err);
		cr_assert_str_eq(cf->cf_opts.so_password, "pw");
		conf_free(cf);
	}
}

Test(config, whole_checks)
{
	assert_refused("listen = _\ndevices = eth0\nstate-dir = /tmp/x\n", 0644, 0,
	    "no password given");
	assert_refused(BASE "vnat-proc = ssh\n", 0644, 0, "need --vnat");
	assert_refused(BASE "password = x\n", 0600, 5, "not both");
}

Test(config, command_line_wins)
{
	struct conf *cf;
	char err[700];

	conf_text(good, 0644);
	cr_assert_eq(load(&cf, err, sizeof(err), "-p", "5555", NULL), 0, "%s", err);
	cr_assert_eq(cf->cf_opts.so_port, 5555);
	cr_assert_eq(cf->cf_opts.so_ndevs, 2);
	conf_free(cf);
	/* a list on the command line replaces the file's; handlers are checked
	 * against the devices in force */
	cr_assert_eq(load(&cf, err, sizeof(err), "-d", "eth0", NULL), -1);
	cr_assert(strstr(err, ":25: handler 'vm2': device 'eth1'") != NULL, "%s", err);
	cr_assert_eq(load(&cf, err, sizeof(err), "-d", "eth1", "eth0"), 0, "%s", err);
	cr_assert_eq(cf->cf_opts.so_ndevs, 2);
	cr_assert_str_eq(cf->cf_opts.so_devs[0], "eth1");
	conf_free(cf);
	cr_assert_eq(load(&cf, err, sizeof(err), "--vnat-proc", "top", NULL), 0, "%s", err);
	cr_assert_eq(cf->cf_opts.so_nvprocs, 1);
	cr_assert_str_eq(cf->cf_opts.so_vprocs[0], "top");
	conf_free(cf);
	/* the seed's password argument over the file's password-file */
	{
		char *argv[] = { (char *)"vnet", (char *)"typed", (char *)"--config", conf_path };
		cr_assert_eq(conf_load(4, argv, &cf, err, sizeof(err)), 0, "%s", err);
		cr_assert_str_eq(cf->cf_opts.so_password, "typed");
		conf_free(cf);
	}
	/* errors of the command line have no line */
	cr_assert_eq(load(&cf, err, sizeof(err), "-p", "x", NULL), -1);
	cr_assert_str_eq(err, "-p: 'x' is not a number from 1 to 65535");
}

Test(config, missing_file)
{
	struct conf *cf;
	char err[700];

	unlink(conf_path);
	cr_assert_eq(load(&cf, err, sizeof(err), NULL, NULL, NULL), -1);
	cr_assert(strstr(err, "No such file") != NULL, "%s", err);
}

Test(config, long_line)
{
	char *text = malloc(CONF_LINE_MAX + 200);

	cr_assert(text);
	snprintf(text, CONF_LINE_MAX + 200, BASE "state-dir = /%0*d\n", CONF_LINE_MAX, 0);
	assert_refused(text, 0644, 5, "longer than");
	free(text);
}

Test(config, handle_same)
{
	struct proto_msg a, b;
	char err[200];

	cr_assert_eq(proto_parse("HANDLE pw LOCAL eth0 REMOTE h 4455 v 02:00:00:00:00:01", &a,
	    err, sizeof(err)), 0);
	b = a;
	cr_assert(conf_handle_same(&a, &b));
	cr_assert_eq(proto_parse("HANDLE pw LOCAL eth0 REMOTE h 4455 v 02:00:00:00:00:01 "
	    "ff:ff:ff:ff:ff:ff", &b, err, sizeof(err)), 0);
	cr_assert_not(conf_handle_same(&a, &b));
	cr_assert_eq(proto_parse("HANDLE pw2 LOCAL eth0 REMOTE h 4455 v 02:00:00:00:00:01", &b,
	    err, sizeof(err)), 0);
	cr_assert_not(conf_handle_same(&a, &b));
	cr_assert_eq(proto_parse("HANDLE pw LOCAL eth0 REMOTE h 4456 v 02:00:00:00:00:01", &b,
	    err, sizeof(err)), 0);
	cr_assert_not(conf_handle_same(&a, &b));
}

Test(config, metrics_address)
{
	static const char *bad[] = { "127.0.0.1", "localhost:9100", "::1:9100", "127.0.0.1:0",
	    "[::1]:x", "[::1]", "", "1.2.3.4:65536" };
	struct srv_opts o;
	struct opts_src src;
	char err[300];

	opts_defaults(&o);
	cr_assert_str_eq(o.so_metrics, "", "off by default");
	memset(&src, 0, sizeof(src));
	cr_assert_eq(opts_set(&o, &src, "metrics", "127.0.0.1:9100", err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(o.so_metrics, "127.0.0.1:9100");
	cr_assert_eq(opts_set(&o, &src, "metrics", "[::1]:9100", err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(o.so_metrics, "[::1]:9100");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_eq(opts_set(&o, &src, "metrics", bad[i], err, sizeof(err)), -1, "%s", bad[i]);
		cr_assert(strstr(err, "is not ADDR:PORT"), "%s: %s", bad[i], err);
		cr_assert_str_eq(o.so_metrics, "[::1]:9100", "a refused value changes nothing");
	}
}

/* opts_cmdline over "vnet ARGS..." (NULL-terminated), on fresh defaults */
static int
cmdline(struct srv_opts *o, char *err, size_t errlen, ...)
{
	char *argv[32] = { (char *)"vnet" };
	int argc = 1;
	va_list ap;
	char *a;

	va_start(ap, errlen);
	while ((a = va_arg(ap, char *)) != NULL && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	opts_defaults(o);
	err[0] = '\0';
	return opts_cmdline(argc, argv, o, err, errlen);
}

Test(config, getopt_forms)
{
	static const struct { const char *a1, *a2, *a3, *want; } bad[] = {
		{ "pw", "--port=x", NULL, "--port: 'x' is not a number from 1 to 65535" },
		{ "pw", "-p", NULL, "-p needs a value" },
		{ "pw", "--vnat=yes", NULL, "--vnat takes no value" },
		{ "pw", "--vcmp", "1", "unknown option '--vcmp'" },
		{ "pw", "--frob", NULL, "unknown option '--frob'" },
		{ "pw", "-x", NULL, "unknown option '-x'" },
		{ "pw", "-d", "-v", "-d needs at least one device" },
		{ "pw", "-d", NULL, "-d needs at least one device" },
		{ "pw", "--", "x", "unexpected argument 'x'" },
		{ "--password", "s3cret", NULL, "unknown option '--password'" },
		{ "pw", "--port", "1", NULL },
		{ "pw", "--por", "1", "unknown option '--por'" },
		{ "pw", "--por=1", NULL, "unknown option '--por'" },
		{ "pw", "--vnat-s", NULL, "unknown option '--vnat-s'" },
	};
	struct srv_opts o;
	char err[300];

	/* the seed's form, then --opt=value, -vv, a cluster, a list ended by
	 * an option; twice, since SIGHUP parses argv again */
	for (int round = 0; round < 2; round++) {
		cr_assert_eq(cmdline(&o, err, sizeof(err), "pw", "-h", "_", "-p", "4455", "-d", "eth0",
		    "vmnet1", "--queue-limit=128", "--queue-total", "3", "-vv", "--listen", "::", "-sq",
		    NULL), 0, "%s", err);
		cr_assert_str_eq(o.so_password, "pw");
		cr_assert_eq(o.so_port, 4455);
		cr_assert_eq(o.so_ndevs, 2);
		cr_assert_str_eq(o.so_devs[1], "vmnet1");
		cr_assert_eq(o.so_queue_max, 128 * 1024);
		cr_assert_eq(o.so_queue_total, 3u << 20);
		cr_assert_eq(o.so_nlisten, 2);
		cr_assert(o.so_tls);
		cr_assert_eq(o.so_verbosity, LOG_LVL_WARN, "-q after -vv");
	}
	cr_assert_eq(cmdline(&o, err, sizeof(err), "--password-file=/etc/vnet/pw", "--port=9",
	    "-vv", NULL), 0, "%s", err);
	cr_assert_str_eq(o.so_pwfile, "/etc/vnet/pw");
	cr_assert_eq(o.so_port, 9);
	cr_assert_eq(o.so_verbosity, LOG_LVL_INFO + 2);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = cmdline(&o, err, sizeof(err), bad[i].a1, bad[i].a2, bad[i].a3, NULL);
		if (bad[i].want == NULL) {	/* the whole name: accepted */
			cr_assert_eq(rc, 0, "%s %s: %s", bad[i].a1, bad[i].a2, err);
			continue;
		}
		cr_assert_eq(rc, -1, "%s %s accepted", bad[i].a1, bad[i].a2);
		cr_assert_str_eq(err, bad[i].want);
	}
	cr_assert_eq(cmdline(&o, err, sizeof(err), "-v", "pw", NULL), -1);
	cr_assert(strstr(err, "unexpected argument 'pw' (the password comes first"), "%s", err);
	/* --config=FILE is found before the file is read */
	{
		char *argv[] = { (char *)"vnet", (char *)"--config=/etc/x.conf", NULL };
		cr_assert_str_eq(opts_config_path(2, argv), "/etc/x.conf");
	}
}

Test(config, control_socket)
{
	struct srv_opts o;
	struct opts_src src;
	char err[300];

	cr_assert_eq(cmdline(&o, err, sizeof(err), "pw", "-h", "_", "-d", "eth0", "--state-dir",
	    "/tmp/x", NULL), 0, "%s", err);
	cr_assert_eq(opts_finish(&o, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(o.so_control, "/run/vnet/control");
	cr_assert(o.so_control_default);
	cr_assert_eq(cmdline(&o, err, sizeof(err), "pw", "-h", "_", "-d", "eth0", "--state-dir",
	    "/tmp/x", "--control-socket=none", NULL), 0, "%s", err);
	cr_assert_eq(opts_finish(&o, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(o.so_control, "", "none: off");
	cr_assert_eq(cmdline(&o, err, sizeof(err), "pw", "-h", "_", "-d", "eth0", "--state-dir",
	    "/tmp/x", "--control-socket", "/run/vnet/a.control", NULL), 0, "%s", err);
	cr_assert_eq(opts_finish(&o, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(o.so_control, "/run/vnet/a.control");
	cr_assert_not(o.so_control_default);
	memset(&src, 0, sizeof(src));
	cr_assert_eq(opts_set(&o, &src, "control-socket", "run/x", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "control-socket: 'run/x' is not an absolute path (or none)");
	cr_assert_eq(opts_set(&o, &src, "control-socket", "/run/vnet/" "0123456789012345678901234"
	    "567890123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789", err, sizeof(err)), -1);
	cr_assert(strstr(err, "longer than 107 characters"), "%s", err);
	assert_refused(BASE "control-socket = relative\n", 0644, 5, "is not an absolute path");
}

/* --fingerprint needs no password, devices or address, and reads no
 * handler (their password files may be root's) */
Test(config, fingerprint_mode)
{
	struct conf *cf;
	char err[700];

	conf_text("state-dir = /tmp/vnet-fp\n" HANDLER, 0644);
	cr_assert_eq(load(&cf, err, sizeof(err), "--fingerprint", NULL, NULL), 0, "%s", err);
	cr_assert(cf->cf_opts.so_fingerprint);
	cr_assert_str_eq(cf->cf_opts.so_cert, "/tmp/vnet-fp/cert.pem");
	cr_assert_eq(cf->cf_nh, 0);
	conf_free(cf);
}

#define FP_HEX	"00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff"

Test(config, handler_fingerprint)
{
	struct conf *cf;
	char err[700];
	const struct conf_handler *h;

	conf_text(BASE "tls = yes\n" HANDLER "fingerprint = SHA256:" FP_HEX "\n", 0644);
	cr_assert_eq(load(&cf, err, sizeof(err), NULL, NULL, NULL), 0, "%s", err);
	cr_assert((h = conf_handler(cf, "a")) != NULL);
	cr_assert_str_eq(h->ch_fp, "SHA256:00112233445566778899aabbccddeeff00112233445566778899"
	    "aabbccddeeff", "as tls_key_fingerprint writes it");
	conf_free(cf);
	conf_text(BASE "tls = yes\n" HANDLER, 0644);
	cr_assert_eq(load(&cf, err, sizeof(err), NULL, NULL, NULL), 0, "%s", err);
	cr_assert_str_eq(conf_handler(cf, "a")->ch_fp, "", "none: pinned as before");
	conf_free(cf);
	/* lines: 1-4 BASE, 5 tls, 6 [handler a] ... 12 password-file, 13 fingerprint */
	assert_refused(BASE "tls = yes\n" HANDLER "fingerprint = " FP_HEX "\n", 0644, 13,
	    "is not SHA256: and 64 hex digits");
	assert_refused(BASE "tls = yes\n" HANDLER "fingerprint = SHA256:" FP_HEX "0\n", 0644, 13,
	    "is not SHA256: and 64 hex digits");
	assert_refused(BASE "tls = yes\n" HANDLER "fingerprint = SHA256:" FP_HEX "\nfingerprint = "
	    "SHA256:" FP_HEX "\n", 0644, 14, "fingerprint is already given on line 13");
	assert_refused(BASE HANDLER "fingerprint = SHA256:" FP_HEX "\n", 0644, 12,
	    "fingerprint needs TLS");
	cr_assert(conf_valid_fp("SHA256:" FP_HEX));
	cr_assert_not(conf_valid_fp("SHA256:" FP_HEX "x"));
	cr_assert_not(conf_valid_fp("sha256:" FP_HEX));
	cr_assert_not(conf_valid_fp("SHA256:"));
}
