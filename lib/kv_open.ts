import { withLockRetry } from "./kv_commit.ts";

/**
 * Opens KV at `kvPath` (creating its directory), `:memory:`, or the platform default when null;
 * every write through it retries `database is locked` (`withLockRetry`).
 */
export async function openKv(kvPath: string | null): Promise<Deno.Kv> {
  if (kvPath === null) return withLockRetry(await Deno.openKv());
  if (kvPath !== ":memory:") {
    const dir = kvPath.replace(/[^/]*$/, "");
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  return withLockRetry(await Deno.openKv(kvPath));
}
