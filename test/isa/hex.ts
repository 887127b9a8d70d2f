// Test-only: hex strings <-> bytes, in objdump's `b7 01 00 00` spelling.
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}
export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.split(/\s+/).filter(Boolean), (b) => parseInt(b, 16));
}
/** From "Disassembly of section" on: what objdump prints after the file name line. */
export function sectionPart(listing: string): string {
  return listing.slice(listing.indexOf("\nDisassembly of section"));
}
