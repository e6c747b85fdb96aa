/**
 * Test helpers for the statistics module (used by `src/stats/*.test.ts` only).
 */
import { expect } from 'vitest';

/**
 * Asserts that `actual` is within relative tolerance `relTol` of `expected`:
 * |actual − expected| ≤ relTol × max(|expected|, tiny). When `expected` is exactly 0 the comparison
 * is absolute (|actual| ≤ relTol), since no relative tolerance is meaningful at zero.
 */
export function expectClose(actual: number | null | undefined, expected: number, relTol = 1e-8): void {
  expect(actual, `expected a number close to ${expected}`).toBeTypeOf('number');
  const a = actual as number;
  const scale = expected === 0 ? 1 : Math.abs(expected);
  const error = Math.abs(a - expected);
  if (!(error <= relTol * scale)) {
    throw new Error(
      `expected ${a} to be within relative tolerance ${relTol} of ${expected} (relative error ${error / scale})`,
    );
  }
}

/** Deep-freezes plain arrays and objects, so a test proves a function does not mutate its input. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
