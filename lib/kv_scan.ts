import { keyString } from "./kv_keys.ts";

/**
 * The first entry under each distinct string key part after `prefix` (e.g. each student's first
 * outbox entry), in key order: one `list` of one entry per part, jumping past the rest of it.
 * Breaking out of the loop stops the scan.
 */
export async function* firstEntryPerPart<T>(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
): AsyncGenerator<{ part: string; entry: Deno.KvEntry<T> }> {
  let start: Deno.KvKey | null = null;
  while (true) {
    let found: Deno.KvEntry<T> | null = null;
    const selector: Deno.KvListSelector = start ? { prefix, start } : { prefix };
    for await (const entry of kv.list<T>(selector, { limit: 1 })) found = entry;
    if (!found) return;
    const part = keyString(found.key, prefix.length);
    yield { part, entry: found };
    start = [...prefix, `${part}\u0000`];
  }
}
