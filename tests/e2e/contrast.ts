/** WCAG 2 contrast of the text a page shows, computed in the browser from computed styles. */
import type { Page } from "playwright-core";

/** A piece of text below the WCAG AA contrast it needs. */
export interface ContrastIssue {
  text: string;
  selector: string;
  ratio: number;
  required: number;
  color: string;
  background: string;
}

/**
 * Every visible text element of the page whose contrast against its (composited) background is
 * below WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Disabled controls and
 * text over images are not judged, as WCAG exempts them.
 */
export async function contrastIssues(page: Page): Promise<ContrastIssue[]> {
  // A page reached by a form post can be in the DOM before its stylesheet has loaded: measure
  // the styled page, not the browser's unstyled defaults.
  await page.waitForLoadState("load");
  return await page.evaluate(() => {
    type Rgba = [number, number, number, number];
    const probe = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    function parse(color: string): Rgba {
      // The canvas turns any CSS colour (rgb, color(srgb …), oklab, color-mix results) into sRGB.
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = "#000";
      probe.fillStyle = color;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    }
    function over(top: Rgba, bottom: Rgba): Rgba {
      const a = top[3] + bottom[3] * (1 - top[3]);
      if (a === 0) return [0, 0, 0, 0];
      const mix = (i: number) => (top[i]! * top[3] + bottom[i]! * bottom[3] * (1 - top[3])) / a;
      return [mix(0), mix(1), mix(2), a];
    }
    function luminance([r, g, b]: Rgba): number {
      const lin = (v: number) => {
        const c = v / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    }
    function background(element: Element): Rgba | null {
      const layers: Rgba[] = [];
      for (let e: Element | null = element; e; e = e.parentElement) {
        const style = getComputedStyle(e);
        if (style.backgroundImage !== "none" && !style.backgroundImage.includes("gradient")) {
          return null;
        }
        const layer = parse(style.backgroundColor);
        if (layer[3] > 0) layers.push(layer);
        if (layer[3] >= 1) break;
      }
      let result: Rgba = parse(getComputedStyle(document.documentElement).backgroundColor);
      if (result[3] < 1) result = over(result, [255, 255, 255, 1]);
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    }
    function selectorOf(element: Element): string {
      const id = element.id ? `#${element.id}` : "";
      const testid = element.getAttribute("data-testid");
      const cls = typeof element.className === "string" && element.className
        ? `.${element.className.trim().split(/\s+/).join(".")}`
        : "";
      return `${element.tagName.toLowerCase()}${id}${cls}${
        testid ? `[data-testid=${testid}]` : ""
      }`;
    }
    const issues: ContrastIssue[] = [];
    const seen = new Set<string>();
    for (const element of document.querySelectorAll("body *")) {
      const own = [...element.childNodes].some((n) =>
        n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== ""
      );
      if (!own || ["SCRIPT", "STYLE", "TITLE", "OPTION"].includes(element.tagName)) continue;
      if (element.closest("[disabled], [aria-disabled=true], svg, .visually-hidden")) continue;
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (box.width === 0 || box.height === 0 || style.visibility !== "visible") continue;
      if (element.checkVisibility && !element.checkVisibility({ opacityProperty: true })) continue;
      const bg = background(element);
      if (bg === null) continue;
      let fg = parse(style.color);
      fg = over(fg, bg);
      const [l1, l2] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const required = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio + 0.005 < required) {
        const text = (element.textContent ?? "").trim().slice(0, 40);
        const key = `${selectorOf(element)}|${text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        issues.push({
          text,
          selector: selectorOf(element),
          ratio: Math.round(ratio * 100) / 100,
          required,
          color: style.color,
          background: `rgb(${bg.slice(0, 3).map(Math.round).join(" ")})`,
        });
      }
    }
    return issues;
  });
}
