import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app_env.ts";

/**
 * The Content-Security-Policy of every response: only this site's scripts (no inline script:
 * island props are `application/json`, which CSP does not run), styles from this site plus
 * inline `style` attributes (progress bars set their width with one), no plugins, no `<base>`,
 * no framing, forms only to this site.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  styleSrcAttr: ["'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/** Security headers on every response: the CSP, no framing, no MIME sniffing, a strict referrer policy. */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    crossOriginEmbedderPolicy: false,
    xFrameOptions: "DENY",
    referrerPolicy: "strict-origin-when-cross-origin",
    overwrite: false,
  });
}

/**
 * `Cache-Control: no-store` on every response to a caller with credentials (signed-in pages,
 * API answers, the token secret) and on every response that sets a cookie, unless the route
 * chose its own caching.
 */
export function noStoreForCredentials(): MiddlewareHandler<AppEnv> {
  return async function noStoreForCredentials(c, next) {
    await next();
    const credentialed = c.get("principal") || c.res.headers.has("set-cookie");
    if (credentialed && !c.res.headers.has("cache-control")) {
      c.res.headers.set("Cache-Control", "no-store");
    }
  };
}
