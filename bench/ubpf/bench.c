#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ubpf.h"
/* sum of i for i < N: mov r0,0; mov r1,0; add r0,r1; add r1,1; jlt r1,N,-3; exit */
int main(int argc, char **argv) {
  int32_t N = argc > 1 ? atoi(argv[1]) : 20000000;
  uint64_t code[6];
  uint8_t *c = (uint8_t *)code; memset(code, 0, sizeof code);
  c[0] = 0xb7; c[8] = 0xb7; c[9] = 1;
  c[16] = 0x0f; c[17] = 0x10;
  c[24] = 0x07; c[25] = 1; *(int32_t *)(c + 28) = 1;
  c[32] = 0xa5; c[33] = 1; *(int16_t *)(c + 34) = -3; *(int32_t *)(c + 36) = N;
  c[40] = 0x95;
  struct ubpf_vm *vm = ubpf_create();
  uint32_t prev; ubpf_set_instruction_limit(vm, 0, &prev);
  char *err = NULL;
  if (ubpf_load(vm, code, sizeof code, &err) < 0) { fprintf(stderr, "load: %s\n", err); return 1; }
  for (int r = 0; r < 7; r++) {
    struct timespec c0, c1, w0, w1; uint64_t ret = 0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0); clock_gettime(CLOCK_MONOTONIC, &w0);
    if (ubpf_exec(vm, NULL, 0, &ret) < 0) { fprintf(stderr, "exec failed\n"); return 1; }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1); clock_gettime(CLOCK_MONOTONIC, &w1);
    double cpu = (c1.tv_sec - c0.tv_sec) * 1e9 + (c1.tv_nsec - c0.tv_nsec);
    double wall = (w1.tv_sec - w0.tv_sec) * 1e9 + (w1.tv_nsec - w0.tv_nsec);
    double insns = 3.0 * N + 3;
    printf("%.1f %.1f %llu\n", insns / cpu * 1000, insns / wall * 1000, (unsigned long long)ret);
  }
  return 0;
}
