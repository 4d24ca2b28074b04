/**
 * The badge as a PNG, for link previews (the big social sites do not show SVG): the SVG medal's
 * shapes (ring, disc, the type's symbol, the ribbon) drawn at 512×512, without the ribbon's text
 * (the page's title carries it).
 */
import { BADGE_COLOURS } from "./badge_image.ts";
import type { AchievementDefinition, AchievementType } from "../core/achievement_definitions.ts";
import { circle, createRaster, encodePng, fillPolygons, type Point, thickLine } from "./png.ts";

/** Width and height of the preview, in pixels. */
export const BADGE_PNG_SIZE = 512;
const SCALE = BADGE_PNG_SIZE / 256;
const WHITE = "#ffffff";

/** Flattens an SVG path of straight and cubic segments (M L H V C S Z, either case) into rings. */
export function pathRings(d: string): Point[][] {
  const tokens = d.match(/[MLHVCSZmlhvcsz]|-?\d*\.?\d+/g) ?? [];
  const rings: Point[][] = [];
  let ring: Point[] = [];
  let at: Point = [0, 0];
  let control: Point | null = null;
  let command = "";
  let i = 0;
  const num = () => Number(tokens[i++]);
  const cubic = (c1: Point, c2: Point, end: Point) => {
    for (let t = 1; t <= 16; t++) {
      const u = t / 16;
      const v = 1 - u;
      ring.push([
        v ** 3 * at[0] + 3 * v * v * u * c1[0] + 3 * v * u * u * c2[0] + u ** 3 * end[0],
        v ** 3 * at[1] + 3 * v * v * u * c1[1] + 3 * v * u * u * c2[1] + u ** 3 * end[1],
      ]);
    }
    control = c2;
    at = end;
  };
  while (i < tokens.length) {
    if (/[A-Za-z]/.test(tokens[i]!)) command = tokens[i++]!;
    const rel = command === command.toLowerCase();
    const base = rel ? at : [0, 0] as Point;
    const point = (): Point => [base[0] + num(), base[1] + num()];
    switch (command.toUpperCase()) {
      case "M":
        if (ring.length) rings.push(ring);
        at = point();
        ring = [at];
        command = rel ? "l" : "L";
        break;
      case "L":
        at = point();
        ring.push(at);
        break;
      case "H":
        at = [(rel ? at[0] : 0) + num(), at[1]];
        ring.push(at);
        break;
      case "V":
        at = [at[0], (rel ? at[1] : 0) + num()];
        ring.push(at);
        break;
      case "C": {
        const c1 = point();
        const c2 = point();
        cubic(c1, c2, point());
        continue;
      }
      case "S": {
        const c1: Point = control ? [2 * at[0] - control[0], 2 * at[1] - control[1]] : at;
        const c2 = point();
        cubic(c1, c2, point());
        continue;
      }
      case "Z":
        if (ring.length) rings.push(ring);
        ring = [];
        break;
    }
    control = null;
  }
  if (ring.length) rings.push(ring);
  return rings;
}

function roundedRect(x: number, y: number, w: number, h: number, r: number): Point[] {
  const corners: [number, number, number][] = [
    [x + w - r, y + r, -Math.PI / 2],
    [x + w - r, y + h - r, 0],
    [x + r, y + h - r, Math.PI / 2],
    [x + r, y + r, Math.PI],
  ];
  return corners.flatMap(([cx, cy, start]) =>
    Array.from({ length: 9 }, (_, i) => {
      const angle = start + (i / 8) * (Math.PI / 2);
      return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)] as Point;
    })
  );
}

/** Each type's symbol as white shapes, in the SVG's 256-unit coordinates. */
function symbol(type: AchievementType, fill: string): { rings: Point[][]; color: string }[] {
  switch (type) {
    case "completion":
      return [{ rings: thickLine([[94, 102], [118, 126], [164, 78]], 16), color: WHITE }];
    case "streak":
      return [{
        rings: pathRings(
          "M128 50c22 28 38 44 32 70-4 20-18 30-32 30s-28-10-32-30c-2-18 12-28 16-44 8 14 10 20 16 24 4-16 4-32 0-50z",
        ),
        color: WHITE,
      }];
    case "speed":
      return [{
        rings: pathRings("M140 48L96 112H124L114 154L160 88H132L146 48Z"),
        color: WHITE,
      }];
    case "consistency":
      return [
        { rings: [roundedRect(85, 59, 86, 80, 15)], color: WHITE },
        { rings: [roundedRect(95, 69, 66, 60, 5)], color: fill },
        { rings: [roundedRect(90, 64, 76, 20, 6)], color: WHITE },
        {
          rings: [[110, 102], [128, 102], [146, 102], [110, 118], [128, 118]].map(([x, y]) =>
            circle(x!, y!, 6, 24)
          ),
          color: WHITE,
        },
      ];
    case "milestone":
      return [
        { rings: thickLine([[104, 54], [104, 152]], 10), color: WHITE },
        { rings: pathRings("M108 58l56 18-56 20z"), color: WHITE },
      ];
  }
}

/** The 512×512 PNG preview of an achievement's badge, on a white square. */
export async function badgePng(
  definition: Pick<AchievementDefinition, "type">,
): Promise<Uint8Array> {
  const { fill, ring } = BADGE_COLOURS[definition.type];
  const raster = createRaster(BADGE_PNG_SIZE, BADGE_PNG_SIZE, WHITE);
  const scaled = (rings: Point[][]) =>
    rings.map((r) => r.map(([x, y]) => [x * SCALE, y * SCALE] as Point));
  const ribbon = pathRings("M20 168h216l-14 26 14 26H20l14-26z");
  const layers: { rings: Point[][]; color: string }[] = [
    { rings: [circle(128, 120, 112)], color: ring },
    { rings: [circle(128, 120, 96)], color: fill },
    ...symbol(definition.type, fill),
    { rings: ribbon.flatMap((r) => thickLine([...r, r[0]!], 4)), color: ring },
    { rings: ribbon, color: fill },
  ];
  for (const layer of layers) fillPolygons(raster, scaled(layer.rings), layer.color);
  return await encodePng(raster);
}
