/* SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later */
/* mntnsctl: the administrator's companion of pam_mntns for the views it makes (see ctl.h).
 * mntns-plan stays the pure "what would a login mount" tool; this one looks at and acts on
 * what runs. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: mntnsctl list [--json]\n"
	    "       mntnsctl check [--config PATH] [--config-dir DIR] USER\n"
	    "       mntnsctl reset [--yes] [--force] USER\n"
	    "  list    every live view of scope = user: user, namespace, sessions, processes,\n"
	    "          tmpfs bytes in use, since when\n"
	    "  check   walks every path of USER's plan as a login would, creating and mounting\n"
	    "          nothing, and says per rule what a login would do (exit 1: it would be\n"
	    "          refused)\n"
	    "  reset   ends USER's view now: every process in it, then the next login builds a\n"
	    "          fresh view; without --yes it only says what it would end\n"
	    "  --config PATH      main file (default %s)\n"
	    "  --config-dir DIR   drop-in directory (default %s; \"\" for none)\n",
	    MNTNS_CONFIG_FILE, MNTNS_CONFIG_DIR);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"config-dir", required_argument, NULL, 'd'},
	    {"json", no_argument, NULL, 'j'},	      {"yes", no_argument, NULL, 'y'},
	    {"force", no_argument, NULL, 'f'},	      {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0}};
	const char *config = NULL, *dir = NULL, *verb;
	bool json = false, yes = false, force = false, dir_set = false;
	int c, rest;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'd':
			dir = optarg;
			dir_set = true;
			break;
		case 'j':
			json = true;
			break;
		case 'y':
			yes = true;
			break;
		case 'f':
			force = true;
			break;
		default: /* --help, --version, or a bad option */
			return cli_common_option(c, "mntnsctl", usage);
		}
	}
	if (config && !*config) {
		usage(stderr);
		return 2;
	}
	rest = argc - optind;
	verb = rest > 0 ? argv[optind] : "";
	/* Each verb takes its own options only: a --yes given to check was meant for something
	 * else, and is not silently ignored. */
	if (strcmp(verb, "list") == 0 && rest == 1 && !config && !dir_set && !yes && !force)
		return ctl_list(json);
	if (strcmp(verb, "check") == 0 && rest == 2 && !json && !yes && !force)
		return ctl_check(argv[optind + 1], config ? config : MNTNS_CONFIG_FILE,
				 dir_set ? (*dir ? dir : NULL) : MNTNS_CONFIG_DIR);
	if (strcmp(verb, "reset") == 0 && rest == 2 && !json && !config && !dir_set)
		return ctl_reset(argv[optind + 1], yes, force);
	usage(stderr);
	return 2;
}
