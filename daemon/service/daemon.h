/* daemon.h — mediawatchd: the service around the poller. */
#ifndef MW_DAEMON_H
#define MW_DAEMON_H

int daemon_main(int argc, char **argv);

#endif
