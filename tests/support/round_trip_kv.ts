/** What a `countRoundTrips` wrapper saw since it was created or last reset. */
export interface RoundTripCount {
  /** KV calls that started while no other was in flight: the run's sequential round trips. */
  sequential: number;
  /** Every KV call (a `list` counts once however many pages it reads). */
  calls: number;
  /** Calls per method (`get`, `getMany`, `list`, `commit`, …). */
  byMethod: Record<string, number>;
}

/**
 * `kv` with every call counted. A call that starts while another is in flight shares its round
 * trip (they overlap); one that starts when none is in flight waits for a new one — so
 * `sequential` is the length of the chain of KV waits a run makes, what a remote KV (Deno
 * Deploy: 10–90 ms each) multiplies. `latencyMs` delays each call as a remote KV would, so calls
 * overlap as they would there (a local KV answers before the next call has started).
 */
export function countRoundTrips(kv: Deno.Kv, options: { latencyMs?: number } = {}): {
  kv: Deno.Kv;
  count(): RoundTripCount;
  reset(): void;
} {
  let inFlight = 0;
  let counted: RoundTripCount = { sequential: 0, calls: 0, byMethod: {} };
  function begin(method: string): () => void {
    if (inFlight === 0) counted.sequential++;
    inFlight++;
    counted.calls++;
    counted.byMethod[method] = (counted.byMethod[method] ?? 0) + 1;
    let ended = false;
    return () => {
      if (!ended) inFlight--;
      ended = true;
    };
  }
  const latency = () => new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 0));
  async function track<T>(method: string, call: () => Promise<T>): Promise<T> {
    const end = begin(method);
    try {
      if (options.latencyMs) await latency();
      return await call();
    } finally {
      end();
    }
  }
  async function* trackList<T>(list: Deno.KvListIterator<T>): AsyncGenerator<Deno.KvEntry<T>> {
    const end = begin("list");
    try {
      if (options.latencyMs) await latency();
      yield* list;
    } finally {
      end();
    }
  }
  const counting = new Proxy(kv, {
    get(target, name) {
      const value = Reflect.get(target, name, target);
      if (typeof value !== "function") return value;
      if (name === "list") {
        return (...args: Parameters<Deno.Kv["list"]>) => trackList(target.list(...args));
      }
      if (name === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => track("commit", commit);
          return op;
        };
      }
      if (["get", "getMany", "set", "delete", "enqueue"].includes(name as string)) {
        return (...args: unknown[]) => track(name as string, () => value.apply(target, args));
      }
      return value.bind(target);
    },
  });
  return {
    kv: counting,
    count: () => structuredClone(counted),
    reset() {
      counted = { sequential: 0, calls: 0, byMethod: {} };
    },
  };
}
