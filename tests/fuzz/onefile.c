/*
 * onefile.c - replays inputs through a fuzz target without libFuzzer.
 *
 *   clang -g -fsanitize=address,undefined -Isrc -o /tmp/replay_pcap \
 *       tests/fuzz/onefile.c tests/fuzz/fuzz_pcap.c build-asan/libascribe.a -lpcap ...
 *   /tmp/replay_pcap crash-*
 *
 * Each argument is a file whose whole content is one input; directories
 * are not walked. Exits non-zero if a file cannot be read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        uint8_t *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f) || !buf;
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return 1;
    }
    /* an exact-size copy, so reads past the input are caught */
    uint8_t *exact = malloc(n ? n : 1);
    if (exact) {
        for (size_t i = 0; i < n; i++)
            exact[i] = buf[i];
        fprintf(stderr, "running %s (%zu bytes)\n", path, n);
        LLVMFuzzerTestOneInput(exact, n);
    }
    free(exact);
    free(buf);
    return exact ? 0 : 1;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++)
        bad |= run_file(argv[i]);
    return bad;
}
