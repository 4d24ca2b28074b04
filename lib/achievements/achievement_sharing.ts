import { Buffer } from "node:buffer";
import {
  achievementKey,
  achievementShareByAwardKey,
  achievementShareKey,
  achievementSharesByAwardPrefix,
  keyString,
  publicAchievementKey,
} from "../kv_keys.ts";
import { commitWithRetry } from "../kv_commit.ts";
import type { Award } from "../core/award_step.ts";

/**
 * A public link to one of a student's achievements. Each time an achievement is made public it
 * gets a new unguessable id; making it private marks the share revoked (its id is never reused),
 * so an old link and its Open Badges assertion stay down even if the achievement goes public again.
 */
export interface AchievementShare {
  shareId: string;
  userId: string;
  achievementId: string;
  /** Salt of the Open Badges recipient hash (random per share). */
  salt: string;
  sharedAt: string;
  /** When the student made the achievement private again; null while shared. */
  revokedAt: string | null;
}

/** A share as a visitor sees it: live (with the award) or revoked. */
export type SharedAward =
  | { status: "shared"; share: AchievementShare; award: Award }
  | { status: "revoked"; share: AchievementShare };

const SHARE_ID = /^[A-Za-z0-9_-]{22}$/;

/** 128 random bits, base64url (22 characters): share ids and salts. */
function randomToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
}

/**
 * Makes one of a student's achievements public (with a share link) or private (revoking the
 * link), in one checked commit; null when they have not earned it. Making a public achievement
 * public again keeps its link, or gives it one if it has none.
 */
export async function setAwardPublic(
  kv: Deno.Kv,
  award: { userId: string; achievementId: string; isPublic: boolean; now?: Date },
): Promise<{ award: Award; shareId: string | null } | null> {
  const { userId, achievementId, isPublic, now = new Date() } = award;
  return await commitWithRetry(async () => {
    const [entry, current] = await kv.getMany<[Award, string]>([
      achievementKey(userId, achievementId),
      achievementShareByAwardKey(userId, achievementId),
    ]);
    if (!entry.value) return { value: null };
    const award = { ...entry.value, public: isPublic };
    const op = kv.atomic().check(entry, current).set(entry.key, award);
    const index = publicAchievementKey(userId, achievementId);
    let shareId = current.value;
    if (isPublic) {
      op.set(index, true);
      if (shareId === null) {
        shareId = randomToken();
        const share: AchievementShare = {
          shareId,
          userId,
          achievementId,
          salt: randomToken(),
          sharedAt: now.toISOString(),
          revokedAt: null,
        };
        op.check({ key: achievementShareKey(shareId), versionstamp: null })
          .set(achievementShareKey(shareId), share)
          .set(current.key, shareId);
      }
    } else {
      op.delete(index);
      if (shareId !== null) {
        const share = await kv.get<AchievementShare>(achievementShareKey(shareId));
        if (share.value) {
          op.check(share).set(share.key, { ...share.value, revokedAt: now.toISOString() });
        }
        op.delete(current.key);
        shareId = null;
      }
    }
    return { value: { award, shareId }, op };
  }, { what: "update the achievement" });
}

/** The share ids of a student's public achievements, by achievement id. */
export async function listShareIds(kv: Deno.Kv, userId: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for await (const e of kv.list<string>({ prefix: achievementSharesByAwardPrefix(userId) })) {
    ids.set(keyString(e.key, -1), e.value);
  }
  return ids;
}

/**
 * What a share id points at, for visitors: the live share and its award, the revoked share, or
 * null for an id that never existed. A share whose award is no longer public, or no longer the
 * achievement's current share, reads as revoked.
 */
export async function readSharedAward(kv: Deno.Kv, shareId: string): Promise<SharedAward | null> {
  if (!SHARE_ID.test(shareId)) return null;
  const share = (await kv.get<AchievementShare>(achievementShareKey(shareId))).value;
  if (!share) return null;
  if (share.revokedAt !== null) return { status: "revoked", share };
  const [award, current] = await kv.getMany<[Award, string]>([
    achievementKey(share.userId, share.achievementId),
    achievementShareByAwardKey(share.userId, share.achievementId),
  ]);
  if (!award.value?.public || current.value !== shareId) return { status: "revoked", share };
  return { status: "shared", share, award: award.value };
}
