/* mediawatchd — the monitoring service; see daemon.c. */
#include "service/daemon.h"

int
main(int argc, char **argv)
{
	return daemon_main(argc, argv);
}
