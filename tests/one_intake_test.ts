import assert from "node:assert/strict";

async function sourcesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await sourcesUnder(path));
    else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

Deno.test("no route appends events itself: every event enters the log through lib/events/intake.ts", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const offenders: string[] = [];
  for (const file of await sourcesUnder(`${root}routes`)) {
    const text = await Deno.readTextFile(file);
    if (/appender\s*\.\s*append\b|(appendEvents|commitNewEvents)\s*\(/.test(text)) {
      offenders.push(file);
    }
  }
  assert.deepEqual(offenders, []);
});
