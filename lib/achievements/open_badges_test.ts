import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { badgeSvg } from "./badge_image.ts";
import { DEFAULT_ACHIEVEMENTS } from "../core/achievement_definitions.ts";
import { badgeClass, criteriaNarrative, hashIdentity, recipientIri } from "./open_badges.ts";

Deno.test("hashIdentity is sha256$ and the hex SHA-256 of the identity followed by the salt", async () => {
  const expected = createHash("sha256").update("acct:ada@example.org" + "s4lt").digest("hex");
  assert.equal(await hashIdentity("acct:ada@example.org", "s4lt"), `sha256$${expected}`);
});

Deno.test("recipientIri names the student by lower-cased username at the public host, without port", () => {
  assert.equal(
    recipientIri("Ada", "https://progress.example.org:8443"),
    "acct:ada@progress.example.org",
  );
});

Deno.test("every default achievement has its own criteria narrative and a badge class with an image", () => {
  const narratives = DEFAULT_ACHIEVEMENTS.map(criteriaNarrative);
  assert.equal(new Set(narratives).size, DEFAULT_ACHIEVEMENTS.length);
  assert.match(
    criteriaNarrative(DEFAULT_ACHIEVEMENTS.find((d) => d.id === "ten-completions")!),
    /10/,
  );
  for (const definition of DEFAULT_ACHIEVEMENTS) {
    const badge = badgeClass("https://p.example", definition);
    assert.equal(badge.id, `https://p.example/openbadges/badges/${definition.id}`);
    assert.equal(badge.image, `${badge.id}/image.svg`);
    assert.equal(badge.issuer, "https://p.example/openbadges/issuer");
  }
});

Deno.test("badgeSvg is a square SVG that escapes its title", () => {
  const svg = badgeSvg({ type: "streak", title: `<script>"x" & 'y'</script>` });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="256" height="256"/);
  assert.ok(!svg.includes("<script>"));
  assert.match(svg, /&#60;script&#62;&#34;x&#34; &#38; &#39;y&#39;/);
});
