import type { AchievementDefinition, AchievementType } from "../core/achievement_definitions.ts";

/** Each achievement type's medal colours. */
export const BADGE_COLOURS: Record<AchievementType, { fill: string; ring: string }> = {
  completion: { fill: "#15803d", ring: "#bbf7d0" },
  streak: { fill: "#c2410c", ring: "#fed7aa" },
  speed: { fill: "#a16207", ring: "#fef08a" },
  consistency: { fill: "#1d4ed8", ring: "#bfdbfe" },
  milestone: { fill: "#6d28d9", ring: "#ddd6fe" },
};

/** Each type's symbol, drawn in white around (128, 100). */
const SYMBOLS: Record<AchievementType, string> = {
  completion: '<polyline points="94,102 118,126 164,78" fill="none" stroke="#fff" ' +
    'stroke-width="16" stroke-linecap="round" stroke-linejoin="round"/>',
  streak: '<path fill="#fff" d="M128 50c22 28 38 44 32 70-4 20-18 30-32 30s-28-10-32-30c-2-18 ' +
    '12-28 16-44 8 14 10 20 16 24 4-16 4-32 0-50z"/>',
  speed: '<polygon fill="#fff" points="140,48 96,112 124,112 114,154 160,88 132,88 146,48"/>',
  consistency: '<rect x="90" y="64" width="76" height="70" rx="10" fill="none" stroke="#fff" ' +
    'stroke-width="10"/><rect x="90" y="64" width="76" height="20" rx="6" fill="#fff"/>' +
    '<g fill="#fff"><circle cx="110" cy="102" r="6"/><circle cx="128" cy="102" r="6"/>' +
    '<circle cx="146" cy="102" r="6"/><circle cx="110" cy="118" r="6"/>' +
    '<circle cx="128" cy="118" r="6"/></g>',
  milestone: '<line x1="104" y1="54" x2="104" y2="152" stroke="#fff" stroke-width="10" ' +
    'stroke-linecap="round"/><path fill="#fff" d="M108 58l56 18-56 20z"/>',
};

/** Escapes text for SVG/XML content. */
function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The badge image of an achievement: a square 256×256 SVG medal in its type's colour, with the
 * type's symbol and the title on a ribbon. Open Badges 2.0 accepts SVG badge images.
 */
export function badgeSvg(definition: Pick<AchievementDefinition, "type" | "title">): string {
  const { fill, ring } = BADGE_COLOURS[definition.type];
  const title = escapeXml(definition.title);
  const fontSize = Math.min(22, Math.floor(380 / Math.max(definition.title.length, 1)));
  return '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" ' +
    `role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<circle cx="128" cy="120" r="112" fill="${ring}"/>` +
    `<circle cx="128" cy="120" r="96" fill="${fill}"/>` +
    SYMBOLS[definition.type] +
    `<path d="M20 168h216l-14 26 14 26H20l14-26z" fill="${fill}" stroke="${ring}" ` +
    'stroke-width="4" stroke-linejoin="round"/>' +
    `<text x="128" y="194" dominant-baseline="middle" text-anchor="middle" fill="#fff" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-weight="700" ` +
    `font-size="${fontSize}">${title}</text>` +
    "</svg>";
}
