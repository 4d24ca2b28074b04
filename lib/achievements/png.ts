/**
 * A small raster canvas that fills polygons with anti-aliasing, and a PNG encoder for it: enough
 * to draw simple badge shapes without native image libraries (none can be installed here).
 */

/** A point in canvas coordinates. */
export type Point = [number, number];

/** An RGBA canvas (8 bits per channel, row-major). */
export interface Raster {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Vertical samples per pixel row when filling (horizontal coverage is exact). */
const SUBSAMPLES = 4;

/** A canvas filled with one colour (`#rrggbb`). */
export function createRaster(width: number, height: number, background: string): Raster {
  const pixels = new Uint8Array(width * height * 4);
  const [r, g, b] = rgbOf(background);
  for (let i = 0; i < pixels.length; i += 4) {
    pixels[i] = r;
    pixels[i + 1] = g;
    pixels[i + 2] = b;
    pixels[i + 3] = 255;
  }
  return { width, height, pixels };
}

function rgbOf(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Fills the area inside `rings` (closed polygons, non-zero winding, so overlapping rings add up)
 * with an opaque colour, anti-aliased.
 */
export function fillPolygons(raster: Raster, rings: readonly Point[][], color: string): void {
  const { width, height, pixels } = raster;
  const [r, g, b] = rgbOf(color);
  const coverage = new Float32Array(width);
  const edges = rings.flatMap((ring) =>
    ring.map((p, i) => [p, ring[(i + 1) % ring.length]!] as const).filter(([a, b]) => a[1] !== b[1])
  );
  const ys = rings.flat().map((p) => p[1]);
  const top = Math.max(0, Math.floor(Math.min(...ys)));
  const bottom = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  for (let y = top; y <= bottom; y++) {
    coverage.fill(0);
    for (let s = 0; s < SUBSAMPLES; s++) {
      const sy = y + (s + 0.5) / SUBSAMPLES;
      const crossings: { x: number; dir: number }[] = [];
      for (const [a, b] of edges) {
        const [lo, hi] = a[1] < b[1] ? [a, b] : [b, a];
        if (sy < lo[1] || sy >= hi[1]) continue;
        const x = lo[0] + ((sy - lo[1]) / (hi[1] - lo[1])) * (hi[0] - lo[0]);
        crossings.push({ x, dir: a[1] < b[1] ? 1 : -1 });
      }
      crossings.sort((p, q) => p.x - q.x);
      let winding = 0;
      for (let i = 0; i < crossings.length - 1; i++) {
        winding += crossings[i]!.dir;
        if (winding === 0) continue;
        addSpan(coverage, crossings[i]!.x, crossings[i + 1]!.x, 1 / SUBSAMPLES);
      }
    }
    for (let x = 0; x < width; x++) {
      const a = Math.min(1, coverage[x]!);
      if (a <= 0) continue;
      const i = (y * width + x) * 4;
      pixels[i] = Math.round(pixels[i]! * (1 - a) + r * a);
      pixels[i + 1] = Math.round(pixels[i + 1]! * (1 - a) + g * a);
      pixels[i + 2] = Math.round(pixels[i + 2]! * (1 - a) + b * a);
    }
  }
}

function addSpan(coverage: Float32Array, from: number, to: number, weight: number): void {
  const start = Math.max(0, from);
  const end = Math.min(coverage.length, to);
  for (let x = Math.floor(start); x < end; x++) {
    const overlap = Math.min(end, x + 1) - Math.max(start, x);
    if (overlap > 0) coverage[x] = coverage[x]! + overlap * weight;
  }
}

/** A circle as a polygon. */
export function circle(cx: number, cy: number, radius: number, segments = 96): Point[] {
  return Array.from({ length: segments }, (_, i) => {
    const angle = (i / segments) * 2 * Math.PI;
    return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)] as Point;
  });
}

/** A polyline `width` wide with round joins and caps, as rings to fill together. */
export function thickLine(points: readonly Point[], width: number): Point[][] {
  const half = width / 2;
  const rings: Point[][] = points.map(([x, y]) => circle(x, y, half, 32));
  for (let i = 0; i < points.length - 1; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[i + 1]!;
    const length = Math.hypot(x2 - x1, y2 - y1) || 1;
    const [nx, ny] = [(-(y2 - y1) / length) * half, ((x2 - x1) / length) * half];
    rings.push([[x1 + nx, y1 + ny], [x2 + nx, y2 + ny], [x2 - nx, y2 - ny], [x1 - nx, y1 - ny]]);
  }
  return rings;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG chunks use it. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 255]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

async function zlib(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The PNG file of a raster (8-bit RGBA, no filtering, zlib-compressed). */
export async function encodePng(raster: Raster): Promise<Uint8Array> {
  const { width, height, pixels } = raster;
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = new Uint8Array(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) {
    rows.set(pixels.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", await zlib(rows)),
    chunk("IEND", new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
