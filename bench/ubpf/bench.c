#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ubpf.h"
/* Instruction k of the program: opcode, dst | src << 4, offset, immediate. */
static void put(uint8_t *c, int k, uint8_t op, uint8_t regs, int16_t off, int32_t imm) {
  c[8 * k] = op; c[8 * k + 1] = regs;
  memcpy(c + 8 * k + 2, &off, 2); memcpy(c + 8 * k + 4, &imm, 4);
}

/* argv: N, then "sum" (default) or "hash".
 * sum of i for i < N: mov r0,0; mov r1,0; add r0,r1; add r1,1; jlt r1,N,-3; exit
 * hash, FNV-1a over i & 0xff for i < N: mov32 w0,0x811c9dc5; mov r1,0;
 *   mov32 w2,w1; and32 w2,0xff; xor32 w0,w2; mul32 w0,16777619; add r1,1;
 *   jlt r1,N,-6; exit */
int main(int argc, char **argv) {
  int32_t N = argc > 1 ? atoi(argv[1]) : 20000000;
  int hash = argc > 2 && strcmp(argv[2], "hash") == 0;
  uint64_t code[9];
  uint8_t *c = (uint8_t *)code; memset(code, 0, sizeof code);
  int n = 0;
  if (hash) {
    put(c, n++, 0xb4, 0x00, 0, (int32_t)0x811c9dc5);
    put(c, n++, 0xb7, 0x01, 0, 0);
    put(c, n++, 0xbc, 0x12, 0, 0);
    put(c, n++, 0x54, 0x02, 0, 0xff);
    put(c, n++, 0xac, 0x20, 0, 0);
    put(c, n++, 0x24, 0x00, 0, 16777619);
    put(c, n++, 0x07, 0x01, 0, 1);
    put(c, n++, 0xa5, 0x01, -6, N);
  } else {
    put(c, n++, 0xb7, 0x00, 0, 0);
    put(c, n++, 0xb7, 0x01, 0, 0);
    put(c, n++, 0x0f, 0x10, 0, 0);
    put(c, n++, 0x07, 0x01, 0, 1);
    put(c, n++, 0xa5, 0x01, -3, N);
  }
  put(c, n++, 0x95, 0, 0, 0);
  double perIteration = hash ? 6.0 : 3.0;
  struct ubpf_vm *vm = ubpf_create();
  uint32_t prev; ubpf_set_instruction_limit(vm, 0, &prev);
  char *err = NULL;
  if (ubpf_load(vm, code, 8 * n, &err) < 0) { fprintf(stderr, "load: %s\n", err); return 1; }
  for (int r = 0; r < 7; r++) {
    struct timespec c0, c1, w0, w1; uint64_t ret = 0;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0); clock_gettime(CLOCK_MONOTONIC, &w0);
    if (ubpf_exec(vm, NULL, 0, &ret) < 0) { fprintf(stderr, "exec failed\n"); return 1; }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1); clock_gettime(CLOCK_MONOTONIC, &w1);
    double cpu = (c1.tv_sec - c0.tv_sec) * 1e9 + (c1.tv_nsec - c0.tv_nsec);
    double wall = (w1.tv_sec - w0.tv_sec) * 1e9 + (w1.tv_nsec - w0.tv_nsec);
    double insns = perIteration * N + 3;
    printf("%.1f %.1f %llu\n", insns / cpu * 1000, insns / wall * 1000, (unsigned long long)ret);
  }
  return 0;
}
