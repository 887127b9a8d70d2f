// The semantics corner tests (ALU, control flow and calls, memory) run again
// with the translating tier as createVm's default; a translated VM is
// checked to really be one.

import "./translate-default.js";
import { expect, it } from "vitest";
import { Exit, Mov64, Reg, encode } from "../../bpf/isa/index.js";
import { createVm } from "../../runtime/vm/index.js";
import "./alu.test.js";
import "./control.test.js";
import "./memory.test.js";

it("runs on the translating tier", () => {
  const vm = createVm({ code: encode([Mov64.imm(Reg.R0, 7), Exit()]) });
  expect(vm.tier).toBe("translate");
  expect(vm.run()).toMatchObject({ ok: true, r0: 7n, instructions: 2 });
});
