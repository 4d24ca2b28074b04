import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { videoCompleted } from "../support/event_fixtures.ts";
import {
  api,
  maybeScreenshot,
  registerViaApi,
  signInAs,
  uniqueUsername,
  withDashboard,
} from "./harness.ts";

const PASSWORD = "correct horse battery";

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as { __cspViolations?: string[] }).__cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(
        `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });
}

async function violations(page: Page): Promise<string[]> {
  return await page.evaluate(() =>
    (globalThis as { __cspViolations?: string[] }).__cspViolations ?? []
  );
}

Deno.test("every page works under the CSP: no violation and no console error, islands hydrate, the sign-up script runs", async () => {
  await withDashboard(async (server, page, errors) => {
    await watchViolations(page);
    for (const path of ["/", "/signin", "/learn", "/admin"]) {
      const response = await page.goto(path);
      assert.match(response?.headers()["content-security-policy"] ?? "", /frame-ancestors 'none'/);
      assert.deepEqual(await violations(page), [], path);
    }
    await page.goto("/signup");
    assert.equal(
      await page.locator('input[name="timeZone"]').inputValue(),
      await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone),
      "the time-zone script (a file, not inline) ran",
    );
    assert.deepEqual(await violations(page), [], "/signup");

    const student = await registerViaApi(server, uniqueUsername("csp"), PASSWORD);
    const posted = await api(server, "/api/progress-sync/events?wait=true", {
      cookie: student.cookie,
      json: videoCompleted("intro", { timeSpent: 9 }),
    });
    await posted.body?.cancel();
    await signInAs(page, server, student);
    for (
      const path of [
        "/dashboard",
        "/learn",
        "/achievements",
        "/insights",
        "/conflicts",
        "/tokens",
        "/settings",
      ]
    ) {
      await page.goto(path);
      await page.waitForLoadState("load");
      assert.deepEqual(await violations(page), [], path);
    }
    await page.goto("/dashboard");
    await page.locator("[data-island]").first().waitFor({ state: "attached" });
    assert.ok(
      await page.evaluate(() => document.querySelectorAll("script[type=module]").length > 0),
      "island bundles load as files",
    );
    assert.deepEqual(await violations(page), []);
    assert.deepEqual(errors, []);
    // The control: an injected inline script is blocked and reported.
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "document.title = 'injected'";
      document.body.append(script);
    });
    await page.waitForFunction(() =>
      ((globalThis as { __cspViolations?: string[] }).__cspViolations ?? []).length > 0
    );
    assert.match((await violations(page))[0]!, /^script-src/);
    assert.notEqual(await page.title(), "injected");
  });
});

Deno.test("a student downloads their data and deletes their account from the settings page", async () => {
  await withDashboard(async (server, page, errors) => {
    const username = uniqueUsername("erase");
    const student = await registerViaApi(server, username, PASSWORD);
    const posted = await api(server, "/api/progress-sync/events?wait=true", {
      cookie: student.cookie,
      json: videoCompleted("intro", { timeSpent: 9 }),
    });
    await posted.body?.cancel();
    await signInAs(page, server, student);
    await page.goto("/dashboard");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(/\/settings$/);
    await maybeScreenshot(page, "settings");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("export-link").click(),
    ]);
    const exported = JSON.parse(await Deno.readTextFile((await download.path())!));
    assert.equal(exported.account.username, username);
    assert.ok(exported.events.length >= 1);

    await page.getByLabel("Your password").fill("not my password");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL(/\/settings\?error=password$/);
    await page.getByRole("alert").filter({ hasText: "nothing was deleted" }).waitFor();
    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    const login = await api(server, "/api/auth/login", { json: { username, password: PASSWORD } });
    assert.equal(login.status, 401, "the account is gone");
    await login.body?.cancel();
    assert.deepEqual(errors.filter((e) => !e.includes("401")), []);
  });
});
