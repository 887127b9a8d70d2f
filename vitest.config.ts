import { defineConfig } from "vitest/config";

// Kernel tests create network namespaces and bpffs pins with unique names,
// so files may run in parallel; the machine has 2 cores.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
  },
});
