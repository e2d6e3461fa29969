/*
 * main.c - the `ascribe` command: dispatches to subcommands and parses
 * their options. The only place that exits.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"

static void usage(FILE *f)
{
    fputs("usage: ascribe COMMAND [OPTIONS] FILE...\n"
          "\n"
          "Network attack attribution observatory.\n"
          "\n"
          "commands:\n"
          "  analyze FILE...   read captures, print a traffic summary (the report)\n"
          "  flows FILE...     write one record per flow (JSON lines or Zeek conn.log)\n"
          "  lookup ADDR...    country, AS, flags and intel lists of addresses, per database\n"
          "  collect --netflow|--ipfix|--sflow ADDR:PORT\n"
          "                    receive flow exports on UDP, write one record per flow\n"
          "  html JSON         the HTML report of a saved 'analyze --json' document\n"
          "\n"
          "FILE is a pcap or pcapng capture (of traffic or of NetFlow/IPFIX/sFlow exports),\n"
          "a Zeek conn.log (TSV or JSON), or - for standard input. Captures are\n"
          "merged in timestamp order. Run 'ascribe COMMAND --help' for a command's options.\n"
          "\n"
          "exit status: 0 success, 1 usage or fatal error, 2 an input was damaged\n"
          "(truncated or corrupt; everything before the damage was analysed).\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ASC_EXIT_FATAL;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("ascribe %s\n", ASC_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "flows"))
        return asc_cmd_flows(argc - 1, argv + 1);
    if (!strcmp(cmd, "lookup"))
        return asc_cmd_lookup(argc - 1, argv + 1);
    if (!strcmp(cmd, "collect"))
        return asc_cmd_collect(argc - 1, argv + 1);
    if (!strcmp(cmd, "html"))
        return asc_cmd_html(argc - 1, argv + 1);
    if (!strcmp(cmd, "analyze") || !strcmp(cmd, "analyse"))
        return asc_cmd_analyze(argc - 1, argv + 1);
    fprintf(stderr, "ascribe: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return ASC_EXIT_FATAL;
}
