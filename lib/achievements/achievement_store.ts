import {
  achievementFactsKey,
  achievementKey,
  achievementShareByAwardKey,
  achievementsPrefix,
  keyString,
  publicAchievementsPrefix,
  userKey,
} from "../kv_keys.ts";
import type { User } from "../auth/account_store.ts";
import type { Award } from "../core/award_step.ts";
import { emptyFacts, type ProgressFacts } from "../core/achievement_facts.ts";

/** A student's achievements, earliest first. */
export async function listAwards(kv: Deno.Kv, userId: string): Promise<Award[]> {
  return (await listAwardEntries(kv, userId)).map((e) => e.value);
}

/** A student's achievements as read, with versionstamps for checked rewrites, earliest first. */
export async function listAwardEntries(
  kv: Deno.Kv,
  userId: string,
): Promise<Deno.KvEntry<Award>[]> {
  const entries: Deno.KvEntry<Award>[] = [];
  for await (const e of kv.list<Award>({ prefix: achievementsPrefix(userId) })) entries.push(e);
  const at = (e: Deno.KvEntry<Award>) => e.value.earnedAt;
  return entries.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
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

/** What anyone may see of a public achievement: no ids of its owner or of their events. */
export interface PublicAward {
  achievementId: string;
  type: string;
  title: string;
  description: string;
  earnedAt: string;
  /** The owner's username, as their share page shows it. */
  username: string;
  /** The id of its share page and Open Badges assertion. */
  shareId: string;
}

/** Achievements other students made public (at most `limit`), as anyone may see them. */
export async function listPublicAwards(
  kv: Deno.Kv,
  options: { limit?: number; excludeUserId?: string | null } = {},
): Promise<PublicAward[]> {
  const keys: [string, string][] = [];
  for await (
    const e of kv.list({ prefix: publicAchievementsPrefix() }, { limit: options.limit ?? 100 })
  ) {
    const userId = keyString(e.key, 1);
    if (userId !== options.excludeUserId) keys.push([userId, keyString(e.key, 2)]);
  }
  const found = await Promise.all(keys.map(async ([userId, achievementId]) => {
    const [award, shareId, user] = await kv.getMany<[Award, string, User]>([
      achievementKey(userId, achievementId),
      achievementShareByAwardKey(userId, achievementId),
      userKey(userId),
    ]);
    if (!award.value?.public || !shareId.value || !user.value) return [];
    const { type, title, description, earnedAt } = award.value;
    return [{
      achievementId,
      type,
      title,
      description,
      earnedAt,
      username: user.value.username,
      shareId: shareId.value,
    }];
  }));
  return found.flat();
}
