import { describe, expect, it } from 'vitest';

describe('runtime', () => {
  it('runs the test suite on Node 24, the pinned LTS', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBe(24);
  });
});
