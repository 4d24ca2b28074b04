import assert from "node:assert/strict";
import { api, registerViaApi, signInAs, uniqueUsername, withDashboard } from "./harness.ts";

Deno.test("tokens: create, copy, reload without a duplicate or the secret again, revoke after confirming", async () => {
  await withDashboard(async (server, page, errors) => {
    const student = await registerViaApi(server, uniqueUsername("tok"), "correct horse battery");
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: server.origin,
    });
    await signInAs(page, server, student);
    await page.goto("/tokens");
    await page.fill("#token-name", "my video player");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.waitForURL(/\/tokens$/);

    const secret = await page.getByTestId("token-secret").inputValue();
    assert.match(secret, /^ps_/);
    await page.locator('[data-island="copy_link"][data-island-hydrated]').waitFor({
      state: "attached",
    });
    await page.getByTestId("copy-token").click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);

    await page.reload();
    assert.equal(await page.getByTestId("token-row").count(), 1, "the reload made no duplicate");
    assert.equal(await page.getByTestId("token-secret").count(), 0, "the secret is gone");
    assert.ok(!(await page.content()).includes(secret));
    const listed = await (await api(server, "/api/tokens", { cookie: student.cookie })).json();
    assert.equal(listed.tokens.length, 1);

    const row = page.getByTestId("token-row");
    const revoke = row.getByTestId("revoke");
    assert.ok(await revoke.locator("summary").isVisible(), "Revoke is in view");
    const box = await revoke.locator("summary").boundingBox();
    assert.ok(box && box.x + box.width <= 1280, "Revoke is not clipped");
    assert.deepEqual(await row.locator(".chip").allTextContents(), [
      "events:write",
      "progress:read",
    ]);
    await revoke.locator("summary").click();
    await row.getByRole("button", { name: "Yes, revoke" }).click();
    await page.waitForURL(/\/tokens$/);
    assert.equal(await page.getByTestId("token-row").count(), 0);
    const used = await api(server, "/api/progress-sync/summary", { token: secret });
    assert.equal(used.status, 401, "the revoked token no longer works");
    await used.body?.cancel();
    assert.deepEqual(errors, []);
  });
});
