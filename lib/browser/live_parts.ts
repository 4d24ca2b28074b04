/**
 * Browser-side: brings the server-rendered parts of a page (elements marked `data-live-part`) up
 * to date from a fresh render of the same page, keeping hydrated islands inside them in place.
 */

/** The attribute that marks a part of a page to refresh from the server. */
export const LIVE_PART_ATTRIBUTE = "data-live-part";

function keyOf(node: ChildNode, index: number): string {
  if (node instanceof Element) {
    return node.id || node.getAttribute(LIVE_PART_ATTRIBUTE) || `${node.tagName}#${index}`;
  }
  return `text#${index}`;
}

function merged(current: ChildNode | undefined, next: ChildNode, doc: Document): ChildNode {
  if (
    !(current instanceof Element) || !(next instanceof Element) ||
    current.tagName !== next.tagName || current.querySelector("[data-island]") === null
  ) {
    return doc.importNode(next, true);
  }
  // A hydrated island is the browser's now: keep it as it is.
  if (current.hasAttribute("data-island")) return current;
  for (const { name } of [...current.attributes]) {
    if (!next.hasAttribute(name)) current.removeAttribute(name);
  }
  for (const { name, value } of [...next.attributes]) current.setAttribute(name, value);
  const old = new Map([...current.childNodes].map((n, i) => [keyOf(n, i), n]));
  current.replaceChildren(
    ...[...next.childNodes].map((n, i) => merged(old.get(keyOf(n, i)), n, doc)),
  );
  return current;
}

/** Replaces every live part of `doc` with its version in `fresh` (matched by part name). */
export function refreshLiveParts(doc: Document, fresh: Document): void {
  for (const part of doc.querySelectorAll(`[${LIVE_PART_ATTRIBUTE}]`)) {
    const name = part.getAttribute(LIVE_PART_ATTRIBUTE)!;
    const next = fresh.querySelector(`[${LIVE_PART_ATTRIBUTE}="${CSS.escape(name)}"]`);
    if (next === null) continue;
    const updated = merged(part, next, doc);
    if (updated !== part) part.replaceWith(updated);
  }
}
