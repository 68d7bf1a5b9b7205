/* mediawatch-web — the web console; see web/console.c. */
#include "web/web.h"

int
main(int argc, char **argv)
{
	return web_main(argc, argv);
}
