/** Live streams one student may hold open at once (per server process). */
export const MAX_STREAMS_PER_STUDENT = 10;

/** Counts each student's open live streams so one credential cannot open thousands. */
export interface LiveStreamCounter {
  /** Registers a stream of `userId`: its release function, or null when the student is at the cap. */
  open(userId: string): (() => void) | null;
}

/** A counter of open streams kept in memory (one per process). */
export function createLiveStreamCounter(
  options: { maxPerStudent?: number } = {},
): LiveStreamCounter {
  const max = options.maxPerStudent ?? MAX_STREAMS_PER_STUDENT;
  const open = new Map<string, number>();
  return {
    open(userId) {
      const count = open.get(userId) ?? 0;
      if (count >= max) return null;
      open.set(userId, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (open.get(userId) ?? 1) - 1;
        if (left > 0) open.set(userId, left);
        else open.delete(userId);
      };
    },
  };
}
