// The map type ids kept in runtime/maps/constants.ts agree with the stdlib's
// table (whose ids its own tests check against the running kernel's BTF).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BPF_F_CTXLEN_MASK, BPF_NOEXIST, MapType } from "../../runtime/maps/index.js";

const table = JSON.parse(
  readFileSync(new URL("../../stdlib/tables/maps.json", import.meta.url), "utf8"),
) as { maps: { mapType: string; mapTypeId: number }[] };

describe("constants", () => {
  it("map type ids match stdlib/tables/maps.json", () => {
    for (const m of table.maps) {
      const name = m.mapType.replace("BPF_MAP_TYPE_", "") as keyof typeof MapType;
      expect(MapType[name], m.mapType).toBe(m.mapTypeId);
    }
  });
  it("flags come from stdlib/generated", () => {
    expect(BPF_NOEXIST).toBe(1);
    expect(BPF_F_CTXLEN_MASK).toBe(0xfffffn << 32n);
  });
});
