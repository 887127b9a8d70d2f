// Small statistics for the bench: medians of repeated measurements and
// geometric means of ratios (the right mean for "x times clang").

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Geometric mean of the finite positive values, and how many there were. */
export function geomean(xs: readonly (number | undefined)[]): { value: number; n: number } {
  const ok = xs.filter((x): x is number => x !== undefined && Number.isFinite(x) && x > 0);
  if (ok.length === 0) return { value: NaN, n: 0 };
  return { value: Math.exp(ok.reduce((s, x) => s + Math.log(x), 0) / ok.length), n: ok.length };
}

export function fmtRatio(x: number | undefined, digits = 2): string {
  return x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(digits);
}
