import assert from "node:assert/strict";
import fc from "fast-check";
import {
  addressRefusal,
  createUrlPolicy,
  maskUrlCredentials,
  parseIpv4,
  parseIpv6,
} from "./url_policy.ts";

const strict = (answers: Record<string, string[]> = {}) =>
  createUrlPolicy({
    allowPrivate: false,
    resolve: (host, type) => Promise.resolve(answers[`${host} ${type}`] ?? []),
  });

Deno.test("parseIpv4 reads every inet_aton form of an address", () => {
  const loopback = 0x7f000001;
  for (const form of ["127.0.0.1", "0x7f000001", "2130706433", "0177.0.0.1", "127.1", "0x7f.1"]) {
    assert.equal(parseIpv4(form), loopback, form);
  }
  for (const bad of ["256.0.0.1", "1.2.3.4.5", "example", "0x", "1..2", "09.1.1.1"]) {
    assert.notEqual(parseIpv4(bad) ?? -1, loopback, bad);
  }
  fc.assert(fc.property(fc.nat(0xffffffff), (n) => {
    const dotted = [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
    assert.equal(parseIpv4(dotted), n);
    assert.equal(parseIpv4(String(n)), n);
    assert.equal(parseIpv4(`0x${n.toString(16)}`), n);
  }));
});

Deno.test("parseIpv6 expands :: and a dotted IPv4 tail", () => {
  assert.deepEqual(parseIpv6("[::1]"), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(parseIpv6("::ffff:127.0.0.1"), [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
  assert.deepEqual(parseIpv6("2001:db8::8:800:200c:417a"), [
    0x2001,
    0xdb8,
    0,
    0,
    8,
    0x800,
    0x200c,
    0x417a,
  ]);
  assert.equal(parseIpv6("1::2::3"), null);
  assert.equal(parseIpv6("127.0.0.1"), null);
});

Deno.test("addressRefusal refuses loopback, private, link-local, unique-local, CGNAT and unspecified addresses", () => {
  const refused = [
    "127.0.0.1",
    "10.1.2.3",
    "172.20.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::",
    "::1",
    "[::1]",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:a9fe:a9fe",
    "64:ff9b::10.0.0.1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "ff02::1",
  ];
  for (const address of refused) assert.ok(addressRefusal(address), address);
  for (const address of ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
    assert.equal(addressRefusal(address), null, address);
  }
});

Deno.test("the policy refuses private hosts in every literal form, loopback names and credentials", async () => {
  const policy = strict();
  for (
    const url of [
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]:8080/hook",
      "http://0x7f000001:8000/hook",
      "http://2130706433:8000/hook",
      "http://0177.0.0.1/hook",
      "http://localhost:8000/hook",
      "http://api.localhost/hook",
      "http://[::ffff:127.0.0.1]/hook",
    ]
  ) {
    assert.match((await policy.refusal(url)) ?? "", /loopback|link-local|private/, url);
  }
  assert.match(
    (await policy.refusal("https://user:pass@hooks.example.org/x")) ?? "",
    /must not contain a user name or password/,
  );
  assert.match((await policy.refusal("ftp://hooks.example.org/")) ?? "", /http\(s\)/);
});

Deno.test("the policy resolves names and refuses one with any private address (DNS pointing inside)", async () => {
  const policy = strict({
    "hooks.example.org A": ["93.184.215.14"],
    "inside.example.org A": ["93.184.215.14"],
    "inside.example.org AAAA": ["fd00::5"],
  });
  assert.equal(await policy.refusal("https://hooks.example.org/x"), null);
  assert.match(
    (await policy.refusal("https://inside.example.org/x")) ?? "",
    /unique-local address \(fd00::5\)/,
  );
  assert.match((await policy.refusal("https://nowhere.example.org/")) ?? "", /does not resolve/);
});

Deno.test("WEBHOOK_ALLOW_PRIVATE lets loopback through but never credentials", async () => {
  const open = createUrlPolicy({ allowPrivate: true });
  assert.equal(await open.refusal("http://127.0.0.1:9/hook"), null);
  assert.ok(await open.refusal("http://a:b@127.0.0.1:9/hook"));
});

Deno.test("maskUrlCredentials hides a user name and password", () => {
  assert.equal(maskUrlCredentials("https://u:secret@h.example/x"), "https://***@h.example/x");
  assert.equal(maskUrlCredentials("https://h.example/x"), "https://h.example/x");
});
