import assert from "node:assert/strict";
import { sha256Hex } from "../lib/core/content_hash.ts";
import { studentWithFirstCompletion } from "../tests/support/earned_achievement.ts";
import { type TestApp, withTestApp } from "../tests/support/test_app.ts";

const CONTEXT = "https://w3id.org/openbadges/v2";

async function setPublic(app: TestApp, token: string, achievementId: string, isPublic: boolean) {
  const response = await app.request(`/api/progress-sync/achievements/${achievementId}/public`, {
    method: "PUT",
    token,
    json: { public: isPublic },
  });
  assert.equal(response.status, 200);
  return await response.json() as {
    public: boolean;
    shareUrl: string | null;
    assertionUrl: string | null;
  };
}

/** GETs an absolute URL of the test app, asserting status and a JSON(-LD) content type. */
async function getJson(app: TestApp, url: string, status = 200) {
  const response = await app.request(new URL(url).pathname);
  assert.equal(response.status, status, url);
  assert.match(response.headers.get("content-type") ?? "", /^application\/(ld\+)?json/);
  return await response.json();
}

Deno.test("a public achievement has an Open Badges 2.0 assertion, badge class and issuer whose ids are their URLs", async () => {
  await withTestApp(async (app) => {
    const ada = await studentWithFirstCompletion(app, "Ada");
    const shared = await setPublic(app, ada.token, "first-completion", true);
    assert.match(shared.shareUrl ?? "", /^http:\/\/localhost\/shared\/[A-Za-z0-9_-]{22}$/);
    assert.match(shared.assertionUrl ?? "", /^http:\/\/localhost\/openbadges\/assertions\//);

    const assertion = await getJson(app, shared.assertionUrl!);
    assert.equal(assertion["@context"], CONTEXT);
    assert.equal(assertion.type, "Assertion");
    assert.equal(assertion.id, shared.assertionUrl);
    assert.deepEqual(assertion.verification, { type: "HostedBadge" });
    assert.equal(assertion.issuedOn, "2026-11-01T10:00:00.000Z");
    assert.equal(assertion.evidence.id, shared.shareUrl);
    assert.equal(assertion.recipient.type, "id");
    assert.equal(assertion.recipient.hashed, true);
    assert.match(assertion.recipient.salt, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(
      assertion.recipient.identity,
      `sha256$${await sha256Hex(`acct:ada@localhost${assertion.recipient.salt}`)}`,
      "the recipient hash verifies against the student's identifier and the salt",
    );
    assert.equal(assertion.badge, "http://localhost/openbadges/badges/first-completion");

    const badge = await getJson(app, assertion.badge);
    assert.equal(badge["@context"], CONTEXT);
    assert.equal(badge.type, "BadgeClass");
    assert.equal(badge.id, assertion.badge);
    assert.equal(badge.name, "First steps");
    assert.equal(badge.description, "Complete your first activity.");
    assert.match(badge.criteria.narrative, /Complete one learning activity/);
    assert.equal(badge.image, "http://localhost/openbadges/badges/first-completion/image.svg");

    const issuer = await getJson(app, badge.issuer);
    assert.equal(issuer["@context"], CONTEXT);
    assert.equal(issuer.type, "Issuer");
    assert.equal(issuer.id, badge.issuer);
    assert.equal(issuer.name, "Progress Sync");
    assert.equal(issuer.url, "http://localhost");
    assert.match(issuer.email, /^[^@\s]+@[^@\s]+$/);
    // Hosted verification: the assertion lives on the issuer's origin.
    assert.equal(new URL(assertion.id).host, new URL(issuer.id).host);

    const image = await app.request(new URL(badge.image).pathname);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get("content-type"), "image/svg+xml; charset=utf-8");
    assert.equal(image.headers.get("cross-origin-resource-policy"), "cross-origin");
    assert.match(
      await image.text(),
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*First steps/,
    );
  });
});

Deno.test("the assertion tells nothing about the student beyond the hashed recipient", async () => {
  await withTestApp(async (app) => {
    const ada = await studentWithFirstCompletion(app, "ada");
    const shared = await setPublic(app, ada.token, "first-completion", true);
    const text = await (await app.request(new URL(shared.assertionUrl!).pathname)).text();
    for (const secret of [ada.userId, "ada", "secret-activity-name", "ada-e1", "metadata"]) {
      assert.ok(!text.includes(secret), `the assertion does not contain ${secret}`);
    }
  });
});

Deno.test("making an achievement private revokes its assertion (410 revoked) and going public again gives a new link", async () => {
  await withTestApp(async (app) => {
    const ada = await studentWithFirstCompletion(app, "ada");
    const first = await setPublic(app, ada.token, "first-completion", true);
    const again = await setPublic(app, ada.token, "first-completion", true);
    assert.equal(again.shareUrl, first.shareUrl, "making it public twice keeps the link");

    const hidden = await setPublic(app, ada.token, "first-completion", false);
    assert.deepEqual([hidden.shareUrl, hidden.assertionUrl], [null, null]);
    const revoked = await getJson(app, first.assertionUrl!, 410);
    assert.equal(revoked.revoked, true);
    assert.equal(revoked.id, first.assertionUrl);
    const page = await app.request(new URL(first.shareUrl!).pathname, {
      headers: { accept: "text/html" },
    });
    assert.equal(page.status, 404);
    assert.doesNotMatch(await page.text(), /ada|First steps/);

    const second = await setPublic(app, ada.token, "first-completion", true);
    assert.notEqual(second.shareUrl, first.shareUrl);
    await getJson(app, first.assertionUrl!, 410);
    await getJson(app, second.assertionUrl!, 200);
  });
});

Deno.test("unknown share ids and badges are 404, and another student's private achievement stays unreachable", async () => {
  await withTestApp(async (app) => {
    const ada = await studentWithFirstCompletion(app, "ada");
    const bob = await studentWithFirstCompletion(app, "bob");
    const adaShare = await setPublic(app, ada.token, "first-completion", true);
    for (
      const path of [
        "/openbadges/assertions/AAAAAAAAAAAAAAAAAAAAAA",
        "/openbadges/assertions/not-an-id",
        "/shared/AAAAAAAAAAAAAAAAAAAAAA",
        "/openbadges/badges/no-such-badge",
        "/openbadges/badges/no-such-badge/image.svg",
      ]
    ) {
      const response = await app.request(path);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
    // Ada sharing her achievement changes nothing of Bob's, and her link shows only her.
    const bobs = await (await app.request("/api/progress-sync/achievements", { token: bob.token }))
      .json();
    assert.equal(bobs.achievements[0].public, false);
    const page = await (await app.request(new URL(adaShare.shareUrl!).pathname)).text();
    assert.doesNotMatch(page, /bob/i);
    // Once Bob shares and then hides his, his old links are gone for everyone.
    const bobShare = await setPublic(app, bob.token, "first-completion", true);
    await setPublic(app, bob.token, "first-completion", false);
    const bobPage = await app.request(new URL(bobShare.shareUrl!).pathname, { token: ada.token });
    assert.equal(bobPage.status, 404);
    await bobPage.body?.cancel();
    assert.equal((await getJson(app, bobShare.assertionUrl!, 410)).revoked, true);
  });
});

Deno.test("absolute URLs come from PUBLIC_URL when configured, never from a forwarded host", async () => {
  await withTestApp(async (app) => {
    const ada = await studentWithFirstCompletion(app, "ada");
    const shared = await setPublic(app, ada.token, "first-completion", true);
    const response = await app.request(new URL(shared.assertionUrl!).pathname, {
      headers: { "x-forwarded-host": "evil.example" },
    });
    const assertion = await response.json();
    assert.equal(new URL(assertion.id).host, "progress.example.org");
    assert.equal(new URL(assertion.badge).host, "progress.example.org");
    assert.ok(!JSON.stringify(assertion).includes("evil.example"));
  }, { publicUrl: "https://progress.example.org" });
});
