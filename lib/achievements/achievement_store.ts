import {
  achievementFactsKey,
  achievementKey,
  achievementsPrefix,
  publicAchievementsPrefix,
} from "../kv_keys.ts";
import type { Award } from "./award_step.ts";
import { emptyFacts, type ProgressFacts } from "./facts.ts";

/** A student's achievements, earliest first. */
export async function listAwards(kv: Deno.Kv, userId: string): Promise<Award[]> {
  const awards: Award[] = [];
  for await (const e of kv.list<Award>({ prefix: achievementsPrefix(userId) })) {
    awards.push(e.value);
  }
  return awards.sort((a, b) => (a.earnedAt < b.earnedAt ? -1 : a.earnedAt > b.earnedAt ? 1 : 0));
}

/** A student's facts (empty before their first processed event). */
export async function getFacts(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntryMaybe<ProgressFacts>> {
  return await kv.get<ProgressFacts>(achievementFactsKey(userId));
}

/** The facts of an entry, or empty facts. */
export function factsOf(entry: Deno.KvEntryMaybe<ProgressFacts>): ProgressFacts {
  return entry.value ?? emptyFacts();
}

/** Achievements other students made public (at most `limit`), with their owner's id. */
export async function listPublicAwards(
  kv: Deno.Kv,
  options: { limit?: number; excludeUserId?: string | null } = {},
): Promise<(Award & { userId: string })[]> {
  const keys: [string, string][] = [];
  for await (
    const e of kv.list({ prefix: publicAchievementsPrefix() }, { limit: options.limit ?? 100 })
  ) {
    const userId = e.key[1] as string;
    if (userId !== options.excludeUserId) keys.push([userId, e.key[2] as string]);
  }
  const out: (Award & { userId: string })[] = [];
  for (let i = 0; i < keys.length; i += 10) {
    const chunk = keys.slice(i, i + 10);
    const entries = await kv.getMany<Award[]>(chunk.map(([u, a]) => achievementKey(u, a)));
    entries.forEach((e, n) => e.value?.public && out.push({ ...e.value, userId: chunk[n]![0] }));
  }
  return out;
}
