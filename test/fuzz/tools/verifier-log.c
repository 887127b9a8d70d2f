// Loads a BPF object with a chosen kernel verifier log level and prints the
// log: what bpftool does not offer (its -d gives level 1, and only on failure
// the whole of it). Level 4 prints the stats line (processed insns,
// total_states, peak_states, mark_read), level 2 every state walked.
//   gcc -O2 -o /tmp/verifier-log test/fuzz/tools/verifier-log.c -lbpf
//   /tmp/verifier-log OBJ LEVEL [PROGRAM|-] > log
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args) {
  return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, args);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s OBJ LEVEL [PROGRAM|-]\n", argv[0]);
    return 2;
  }
  libbpf_set_print(quiet);
  struct bpf_object *obj = bpf_object__open(argv[1]);
  if (!obj) {
    perror(argv[1]);
    return 2;
  }
  /* The kernel takes at most UINT32_MAX >> 2 bytes of log. */
  size_t size = (1u << 30) - 1024;
  char *log = malloc(size);
  if (!log) return 2;
  log[0] = 0;
  struct bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    if (argc > 3 && strcmp(argv[3], "-") && strcmp(bpf_program__name(prog), argv[3])) {
      bpf_program__set_autoload(prog, false);
      continue;
    }
    bpf_program__set_log_level(prog, atoi(argv[2]));
    bpf_program__set_log_buf(prog, log, size);
  }
  int err = bpf_object__load(obj);
  fputs(log, stdout);
  fprintf(stderr, "load: %d\n", err);
  bpf_object__close(obj);
  return err ? 1 : 0;
}
