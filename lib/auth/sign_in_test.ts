import assert from "node:assert/strict";
import { registerUser, signIn } from "./sign_in.ts";

Deno.test("ten students signing in at once from one address all get in", async () => {
  using kv = await Deno.openKv(":memory:");
  const names = Array.from({ length: 10 }, (_, i) => `student${i}`);
  for (const username of names) await registerUser(kv, { username, password: "correct horse 1" });
  const results = await Promise.allSettled(
    names.map((username) =>
      signIn(kv, { username, password: "correct horse 1" }, { address: "203.0.113.7" })
    ),
  );
  assert.deepEqual(results.map((r) => r.status), names.map(() => "fulfilled"));
});

Deno.test("a sign-in whose clock reads earlier than a concurrent failure's is not held back", async () => {
  using kv = await Deno.openKv(":memory:");
  await registerUser(kv, { username: "student", password: "correct horse 1" });
  const address = "203.0.113.7";
  await assert.rejects(
    signIn(kv, { username: "student", password: "wrong guess" }, { address, nowMs: 1_050 }),
    /Wrong username or password/,
  );
  const { user } = await signIn(kv, { username: "student", password: "correct horse 1" }, {
    address,
    nowMs: 1_000,
  });
  assert.equal(user.username, "student");
});
