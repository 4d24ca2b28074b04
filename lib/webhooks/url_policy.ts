/**
 * Which webhook URLs the service may call (SSRF defence): http(s) only, no credentials in the
 * URL, and no host that is or resolves to a loopback, private, link-local, unique-local, CGNAT,
 * multicast, reserved or unspecified address — unless private addresses are allowed
 * (`WEBHOOK_ALLOW_PRIVATE=1`, for development and tests). Checked when an endpoint is created or
 * changed and again before every delivery attempt.
 */

/** Resolves a host name to addresses of one record type (`Deno.resolveDns` by default). */
export type Resolver = (host: string, type: "A" | "AAAA") => Promise<string[]>;

/** Checks webhook URLs: the reason a URL is refused, or null when it may be called. */
export interface UrlPolicy {
  /** Resolves the host (unless it is an address) and checks every address. */
  refusal(url: string): Promise<string | null>;
}

/** Parses an IPv4 address in any form `inet_aton` takes (`127.0.0.1`, `0x7f000001`, `2130706433`, `0177.1`); null otherwise. */
export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  if (last >= 2 ** (8 * (4 - values.length))) return null;
  return values.reduce((acc, v, i) => acc + v * 2 ** (8 * (3 - i)), 0) + last;
}

/** Parses an IPv6 address (brackets allowed, dotted IPv4 tail allowed) into 8 groups; null otherwise. */
export function parseIpv6(text: string): number[] | null {
  let s = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!s.includes(":")) return null;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const v4 = parseIpv4(tail[1]!);
    if (v4 === null || tail[1]!.split(".").length !== 4) return null;
    s = `${s.slice(0, -tail[1]!.length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}

const V4_RANGES: [string, number, string][] = [
  ["0.0.0.0", 8, "an unspecified address"],
  ["10.0.0.0", 8, "a private address"],
  ["100.64.0.0", 10, "a CGNAT (shared) address"],
  ["127.0.0.0", 8, "a loopback address"],
  ["169.254.0.0", 16, "a link-local address"],
  ["172.16.0.0", 12, "a private address"],
  ["192.0.0.0", 24, "a reserved address"],
  ["192.168.0.0", 16, "a private address"],
  ["198.18.0.0", 15, "a reserved address"],
  ["224.0.0.0", 4, "a multicast address"],
  ["240.0.0.0", 4, "a reserved address"],
];

function v4Refusal(ip: number): string | null {
  for (const [base, bits, reason] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((ip & mask) >>> 0) === parseIpv4(base)) return reason;
  }
  return null;
}

/** Why an IP address (v4 or v6, any literal form) may not be called, or null when it is public. */
export function addressRefusal(address: string): string | null {
  const v4 = parseIpv4(address);
  if (v4 !== null) return v4Refusal(v4);
  const g = parseIpv6(address);
  if (!g) return "not an IP address";
  const embeddedV4 = (g[6]! << 16 | g[7]!) >>> 0;
  if (g.every((x) => x === 0)) return "an unspecified address";
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "a loopback address";
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) {
    return v4Refusal(embeddedV4);
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    return v4Refusal(embeddedV4);
  }
  if ((g[0]! & 0xfe00) === 0xfc00) return "a unique-local address";
  if ((g[0]! & 0xffc0) === 0xfe80) return "a link-local address";
  if ((g[0]! & 0xff00) === 0xff00) return "a multicast address";
  return null;
}

function defaultResolver(host: string, type: "A" | "AAAA"): Promise<string[]> {
  return Deno.resolveDns(host, type);
}

/**
 * A policy for webhook URLs. With `allowPrivate` only the scheme and credentials are checked;
 * otherwise the host must be a public address or a name whose every address is public.
 */
export function createUrlPolicy(
  options: { allowPrivate: boolean; resolve?: Resolver },
): UrlPolicy {
  const resolve = options.resolve ?? defaultResolver;
  return {
    async refusal(text) {
      const url = URL.parse(text);
      if (!url || !["http:", "https:"].includes(url.protocol)) return "it must be an http(s) URL";
      if (url.username || url.password) return "it must not contain a user name or password";
      if (options.allowPrivate) return null;
      const host = url.hostname.toLowerCase().replace(/\.$/, "");
      if (host === "localhost" || host.endsWith(".localhost")) {
        return `its host ${host} is a loopback name`;
      }
      const literal = parseIpv4(host) !== null || parseIpv6(host) !== null;
      let addresses: string[];
      if (literal) addresses = [host];
      else {
        const found = await Promise.allSettled([resolve(host, "A"), resolve(host, "AAAA")]);
        addresses = found.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
        if (addresses.length === 0) return `its host ${host} does not resolve`;
      }
      for (const address of addresses) {
        const reason = addressRefusal(address);
        if (reason) {
          return `its host ${host} is ${reason === "not an IP address" ? "unusable" : reason}${
            literal ? "" : ` (${address})`
          }`;
        }
      }
      return null;
    },
  };
}

/** A URL as shown in listings: any user name or password replaced by `***`. */
export function maskUrlCredentials(text: string): string {
  const url = URL.parse(text);
  if (!url || (!url.username && !url.password)) return text;
  url.username = "***";
  url.password = "";
  return url.href;
}
