import { StatsInputError, show } from './errors.js';
import { normalQuantile } from './normal-quantile.js';

/** A seeded source of random numbers: uniform() in (0, 1), normal() standard normal. */
export interface SeededRandom {
  uniform(): number;
  normal(): number;
}

function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let t = next ^ (next >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  t ^= t >>> 15;
  return [next, t >>> 0];
}

/**
 * A reproducible pseudo-random generator: xoshiro128** seeded through SplitMix32. uniform() joins two
 * 32-bit outputs into a 53-bit fraction strictly inside (0, 1); normal() is Φ⁻¹(uniform()) by inversion
 * (Wichura's AS 241), so a seed gives the same sequence on every platform.
 *
 * Reference: Blackman D, Vigna S. Scrambled linear pseudorandom number generators. ACM Transactions on
 * Mathematical Software 2021;47(4):36; Steele GL, Lea D, Flood CH. Fast splittable pseudorandom number
 * generators. OOPSLA 2014 (SplitMix).
 *
 * @param seed any integer (taken modulo 2³²)
 * @throws {StatsInputError} when the seed is not an integer
 * @example createRandom(42).uniform() // the same number every run
 */
export function createRandom(seed: number): SeededRandom {
  if (!Number.isInteger(seed)) throw new StatsInputError(`a random seed must be an integer (got ${show(seed)})`);
  let sm = seed | 0;
  const state = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    const [nextState, output] = splitmix32(sm);
    sm = nextState;
    state[i] = output;
  }
  const next32 = (): number => {
    const s0 = state[0] as number;
    const s1 = state[1] as number;
    const s2 = state[2] as number;
    const s3 = state[3] as number;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    state[1] = s1 ^ n2;
    state[0] = s0 ^ n3;
    state[2] = n2 ^ t;
    state[3] = (n3 << 11) | (n3 >>> 21);
    return result;
  };
  const uniform = (): number => {
    const high = next32() >>> 5; // 27 bits
    const low = next32() >>> 6; // 26 bits
    return (high * 67108864 + low + 0.5) / 9007199254740992;
  };
  return { uniform, normal: () => normalQuantile(uniform()) };
}
