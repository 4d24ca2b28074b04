/** Seeds bench users and their API tokens straight into a KV file (no scrypt, no HTTP). */

import { createApiToken, createUser } from "../../lib/auth/account_store.ts";
import { openKv } from "../../lib/kv_open.ts";

/** A seeded student and the bearer secret of a token acting as them. */
export interface BenchUser {
  userId: string;
  token: string;
}

/** Creates `count` students with `events:write` + `progress:read` tokens in the KV file at `kvPath`, then closes it. */
export async function seedUsers(kvPath: string, count: number): Promise<BenchUser[]> {
  const kv = await openKv(kvPath);
  try {
    const users: BenchUser[] = [];
    const batch = 50;
    for (let start = 0; start < count; start += batch) {
      const created = await Promise.all(
        Array.from({ length: Math.min(batch, count - start) }, async (_, n) => {
          const user = await createUser(kv, {
            username: `bench${start + n}`,
            passwordHash: "unusable",
          });
          if (!user) throw new Error(`Could not seed user bench${start + n}`);
          const { secret } = await createApiToken(kv, {
            ownerId: user.userId,
            userId: user.userId,
            name: "bench",
            scopes: ["events:write", "progress:read"],
          });
          return { userId: user.userId, token: secret };
        }),
      );
      users.push(...created);
    }
    return users;
  } finally {
    kv.close();
  }
}

/** Copies the KV database at `from` (with any -wal/-shm companions) to `to`. */
export async function copyKvFile(from: string, to: string): Promise<void> {
  const dir = to.replace(/[^/]*$/, "");
  if (dir) await Deno.mkdir(dir, { recursive: true });
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      await Deno.copyFile(from + suffix, to + suffix);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound) || suffix === "") throw error;
    }
  }
}
