import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import {
  launchBrowser,
  maybeScreenshot,
  registerViaApi,
  scriptToken,
  startServer,
  uniqueUsername,
} from "./harness.ts";

/** A local webhook receiver on 127.0.0.1 that records each request. */
function startReceiver() {
  const received: { headers: Headers; body: string }[] = [];
  let arrived = () => {};
  const first = new Promise<void>((resolve) => arrived = resolve);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push({ headers: req.headers, body: await req.text() });
    arrived();
    return new Response("received by the e2e receiver", { status: 200 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    received,
    first,
    close: () => server.shutdown(),
  };
}

Deno.test("the admin adds an endpoint in the console, sends a test that arrives signed, and reads its delivery", async () => {
  const receiver = startReceiver();
  const server = await startServer({ env: { WEBHOOK_ALLOW_PRIVATE: "1" } });
  const browser = await launchBrowser();
  try {
    const username = uniqueUsername("audit");
    const student = await registerViaApi(server, username, "correct horse battery");
    await scriptToken(server, student);

    const page = await browser.newPage({ baseURL: server.origin });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto("/admin");
    await page.fill("#admin-token", server.adminToken);
    await page.click("form[action='/admin/signin'] button[type=submit]");
    await page.getByRole("heading", { name: "Admin console" }).waitFor();

    const nav = page.getByRole("navigation", { name: "Main" });
    assert.equal(await nav.getByRole("link", { name: "Console" }).count(), 1, "the admin's nav");
    assert.equal(await nav.getByRole("link", { name: "Sign in" }).count(), 0);
    assert.match(
      await page.locator("[data-system=ai_journey] [data-testid=system-status]").textContent() ??
        "",
      /no events yet/,
    );
    assert.match(
      await page.locator("[data-testid=audit-actor]").allTextContents().then((t) => t.join(",")),
      new RegExp(username),
      "audit entries name the student",
    );
    assert.match(await page.locator("time").first().textContent() ?? "", /UTC$/);

    await page.fill("#new-endpoint-url", receiver.url);
    await page.fill("#new-endpoint-description", "e2e receiver");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    const secretBox = page.getByTestId("endpoint-secret");
    await secretBox.waitFor();
    const secret = (await secretBox.locator("code").last().textContent())!;
    assert.match(secret, /^whsec_/);
    const endpoint = page.getByTestId("endpoint").filter({ hasText: receiver.url });
    await endpoint.waitFor();

    await endpoint.getByRole("button", { name: "Send test" }).click();
    await receiver.first;
    const got = receiver.received[0]!;
    const payload = new Webhook(secret).verify(got.body, {
      "webhook-id": got.headers.get("webhook-id")!,
      "webhook-timestamp": got.headers.get("webhook-timestamp")!,
      "webhook-signature": got.headers.get("webhook-signature")!,
    }) as { type: string };
    assert.equal(payload.type, "webhook.test");

    await page.getByTestId("filter-endpoint").selectOption({ label: receiver.url });
    await page.getByTestId("filter-status").selectOption("succeeded");
    const row = page.getByTestId("recent-deliveries").locator("tbody tr").first();
    await row.waitFor({ timeout: 15_000 });
    await row.getByRole("button", { name: "Details" }).click();
    const detail = page.getByTestId("delivery-detail");
    await detail.waitFor();
    assert.match(await detail.getByTestId("delivery-payload").textContent() ?? "", /webhook\.test/);
    assert.match(
      await detail.getByTestId("delivery-attempts").textContent() ?? "",
      /200[\s\S]*received by the e2e receiver/,
    );

    await endpoint.getByRole("button", { name: "Disable" }).click();
    await endpoint.getByRole("button", { name: "Enable" }).waitFor();
    assert.ok(await endpoint.getByRole("button", { name: "Send test" }).isDisabled());
    await endpoint.getByRole("button", { name: "Delete" }).click();
    await endpoint.getByRole("button", { name: "Yes, delete" }).click();
    await endpoint.waitFor({ state: "detached" });
    await maybeScreenshot(page, "admin-console");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
    await receiver.close();
  }
});
