import { sha256Hex } from "../core/content_hash.ts";
import type { AchievementShare } from "./achievement_sharing.ts";
import type { Award } from "../core/award_step.ts";
import type { AchievementDefinition } from "../core/achievement_definitions.ts";

/** The JSON-LD context of every Open Badges 2.0 document. */
export const OPEN_BADGES_CONTEXT = "https://w3id.org/openbadges/v2";

/** The name the deployment issues badges under. */
export const ISSUER_NAME = "Progress Sync";

/** The absolute URLs of everything shareable, built on one public origin. */
export function shareUrls(origin: string) {
  return {
    issuer: `${origin}/openbadges/issuer`,
    badgeClass: (achievementId: string) =>
      `${origin}/openbadges/badges/${encodeURIComponent(achievementId)}`,
    badgeImage: (achievementId: string) =>
      `${origin}/openbadges/badges/${encodeURIComponent(achievementId)}/image.svg`,
    badgePreview: (achievementId: string) =>
      `${origin}/openbadges/badges/${encodeURIComponent(achievementId)}/image.png`,
    assertion: (shareId: string) => `${origin}/openbadges/assertions/${shareId}`,
    sharedPage: (shareId: string) => `${origin}/shared/${shareId}`,
  };
}

/**
 * The IRI a student is the recipient of badges as: `acct:<username>@<host>` (RFC 7565). We hold
 * no e-mail addresses; this names the student by what the shared page already shows.
 */
export function recipientIri(username: string, origin: string): string {
  return `acct:${username.toLowerCase()}@${new URL(origin).hostname}`;
}

/** An Open Badges identity hash: `sha256$` + hex SHA-256 of the identity followed by the salt. */
export async function hashIdentity(identity: string, salt: string): Promise<string> {
  return `sha256$${await sha256Hex(identity + salt)}`;
}

/**
 * The issuer Profile. Open Badges requires `url` and `email`; the address is `badges@` the
 * public host, so a deployment that wants mail there routes it.
 */
export function issuerProfile(origin: string) {
  return {
    "@context": OPEN_BADGES_CONTEXT,
    type: "Issuer",
    id: shareUrls(origin).issuer,
    name: ISSUER_NAME,
    url: origin,
    email: `badges@${new URL(origin).hostname}`,
    description: "Achievements earned by learners whose progress Progress Sync keeps in step.",
  };
}

/** What earns an achievement, in words (its description for kinds without a narrative yet). */
export function criteriaNarrative(definition: AchievementDefinition): string {
  const criteria = definition.criteria;
  switch (criteria.kind) {
    case "completed_activities":
      return criteria.count === 1
        ? "Complete one learning activity (a video, quiz, practice task, project or path step)."
        : `Complete ${criteria.count} different learning activities.`;
    case "streak_days":
      return `Learn on ${criteria.days} consecutive days, counted in the learner's own time zone.`;
    case "faster_than_expected":
      return "Complete an activity in less time than its catalog entry expects.";
    case "active_days_in_week":
      return `Learn on ${criteria.days} different days of one week (Monday to Sunday).`;
    case "path_completed":
      return "Complete every step of a learning path.";
    default:
      return definition.description;
  }
}

/** The BadgeClass of an achievement definition. */
export function badgeClass(origin: string, definition: AchievementDefinition) {
  const urls = shareUrls(origin);
  return {
    "@context": OPEN_BADGES_CONTEXT,
    type: "BadgeClass",
    id: urls.badgeClass(definition.id),
    name: definition.title,
    description: definition.description,
    image: urls.badgeImage(definition.id),
    criteria: { narrative: criteriaNarrative(definition) },
    issuer: urls.issuer,
    tags: [definition.type],
  };
}

/** The hosted Assertion of a live share; `recipientHash` is `hashIdentity(recipientIri, salt)`. */
export function badgeAssertion(
  origin: string,
  shared: { share: AchievementShare; award: Award; recipientHash: string },
) {
  const urls = shareUrls(origin);
  const { share, award } = shared;
  return {
    "@context": OPEN_BADGES_CONTEXT,
    type: "Assertion",
    id: urls.assertion(share.shareId),
    recipient: { type: "id", hashed: true, salt: share.salt, identity: shared.recipientHash },
    badge: urls.badgeClass(share.achievementId),
    issuedOn: award.earnedAt,
    image: urls.badgeImage(share.achievementId),
    evidence: { id: urls.sharedPage(share.shareId), name: `${award.title}: the public page` },
    verification: { type: "HostedBadge" },
  };
}

/** What a revoked hosted Assertion answers with (HTTP 410 Gone). */
export function revokedAssertion(origin: string, shareId: string) {
  return {
    "@context": OPEN_BADGES_CONTEXT,
    id: shareUrls(origin).assertion(shareId),
    revoked: true,
    revocationReason: "The recipient made this achievement private.",
  };
}
