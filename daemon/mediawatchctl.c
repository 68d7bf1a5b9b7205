/* mediawatchctl — the admin tool; see ctl.c. */
#include "cli/ctl.h"

int
main(int argc, char **argv)
{
	return ctl_main(argc, argv);
}
