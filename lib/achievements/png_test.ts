import assert from "node:assert/strict";
import { badgePng } from "./badge_png.ts";
import { crc32, createRaster, encodePng, fillPolygons } from "./png.ts";

async function inflate(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reads a PNG back: checks the signature and every chunk's CRC, returns its size and pixel rows. */
async function readPng(png: Uint8Array) {
  assert.deepEqual([...png.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  const chunks: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(png.slice(at + 4, at + 8));
    const data = png.slice(at + 8, at + 8 + length);
    assert.equal(view.getUint32(at + 8 + length), crc32(png.slice(at + 4, at + 8 + length)), type);
    chunks.push({ type, data });
    at += 12 + length;
  }
  assert.deepEqual(chunks.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
  const header = new DataView(chunks[0]!.data.buffer);
  const rows = await inflate(chunks[1]!.data.slice());
  return { width: header.getUint32(0), height: header.getUint32(4), rows };
}

Deno.test("crc32 matches the reference value of IEND", () => {
  assert.equal(crc32(new TextEncoder().encode("IEND")), 0xae426082);
});

Deno.test("encodePng writes a valid PNG whose pixels read back, with anti-aliased edges", async () => {
  const raster = createRaster(4, 2, "#ffffff");
  fillPolygons(raster, [[[0, 0], [2, 0], [2, 2], [0, 2]]], "#ff0000");
  fillPolygons(raster, [[[2.5, 0], [4, 0], [4, 2], [2.5, 2]]], "#000000");
  const { width, height, rows } = await readPng(await encodePng(raster));
  assert.deepEqual([width, height], [4, 2]);
  assert.equal(rows.length, 2 * (4 * 4 + 1));
  assert.deepEqual([...rows.slice(1, 5)], [255, 0, 0, 255], "inside the red square");
  assert.deepEqual([...rows.slice(9, 13)], [128, 128, 128, 255], "half covered by black");
  assert.deepEqual([...rows.slice(13, 17)], [0, 0, 0, 255]);
});

Deno.test("badgePng is a 512×512 PNG in the badge's colours", async () => {
  const { width, height, rows } = await readPng(await badgePng({ type: "streak" }));
  assert.deepEqual([width, height], [512, 512]);
  const pixel = (
    x: number,
    y: number,
  ) => [...rows.slice(y * 2049 + 1 + x * 4, y * 2049 + 5 + x * 4)];
  assert.deepEqual(pixel(256, 250), [255, 255, 255, 255], "the white flame");
  assert.deepEqual(pixel(140, 240), [0xc2, 0x41, 0x0c, 255], "the streak medal's fill");
});
