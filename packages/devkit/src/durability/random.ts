/**
 * A seeded source of uniform and exponential variates (sfc32, a small chaotic generator with a
 * 128-bit state that passes PractRand), so that a simulation run reproduces from its seed.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, bound). */
  int(bound: number): number;
  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number;
}

export function createRandom(seed: number): Random {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // The first outputs of sfc32 still carry the seed's structure: mix it away.
  for (let i = 0; i < 16; i++) next();
  return {
    next,
    int: (bound) => Math.floor(next() * bound),
    exponential: (rate) => -Math.log(1 - next()) / rate,
  };
}
