// The inbox's burst timing: clicks less than `quietMs` apart make a burst, and deliveries wait
// until it has been quiet that long, at most `maxHoldMs` from its start, so a burst's acks go out
// before the signals (and the work they set off) compete with them. A lone click is not held.

/** Burst timing of an inbox. */
export interface BurstClock {
  /** Note a click accepted now. */
  click(): void;
  /** How much longer deliveries are held back (ms; 0 or less: send now). */
  holdMs(): number;
}

/** Create the burst clock of an inbox. */
export function createBurstClock(quietMs: number, maxHoldMs: number): BurstClock {
  // A burst runs from burstStart until it has been quiet for quietMs (burstUntil).
  let lastAcceptAt = -Infinity;
  let burstStart = -Infinity;
  let burstUntil = -Infinity;
  return {
    click() {
      const now = performance.now();
      if (now - lastAcceptAt < quietMs) {
        if (now > burstUntil) burstStart = lastAcceptAt;
        burstUntil = now + quietMs;
      }
      lastAcceptAt = now;
    },
    holdMs: () => Math.min(burstUntil, burstStart + maxHoldMs) - performance.now(),
  };
}
