// Password checks running at once, bounded per username and per process: scrypt is
// deliberately slow, so a burst must be answered "try again shortly" at once rather than
// queued ahead of everyone else's sign-in.
export interface InFlight {
  /** a slot for this key (undefined: no per-key bound), or false when full; call the result to leave */
  enter(key: string | undefined): (() => void) | false;
}

export function inFlightGate(perKey: number, perProcess: number): InFlight {
  const byKey = new Map<string, number>();
  let total = 0;
  return {
    enter(key) {
      const mine = key === undefined ? 0 : (byKey.get(key) ?? 0);
      if (total >= perProcess || mine >= perKey) return false;
      total += 1;
      if (key !== undefined) byKey.set(key, mine + 1);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        total -= 1;
        if (key === undefined) return;
        const n = (byKey.get(key) ?? 1) - 1;
        if (n > 0) byKey.set(key, n);
        else byKey.delete(key);
      };
    },
  };
}
