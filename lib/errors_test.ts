import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { ContentionError, DomainError, invalidInput, InvalidInputError } from "./errors.ts";

const LIB = fromFileUrl(new URL(".", import.meta.url));

/** Every `.ts`/`.tsx` file under `dir`, as paths relative to `lib/`. */
async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name)) out.push(relative(LIB, path));
  }
  return out;
}

/** The relative module specifiers a source file imports or re-exports. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)].map((m) => m[1]!);
}

Deno.test("no lib module outside lib/http imports lib/http (the app assembly aside)", async () => {
  const offenders: string[] = [];
  for (const file of await sourceFiles(LIB.replace(/\/$/, ""))) {
    if (file.startsWith("http/") || file === "app.ts" || file === "errors_test.ts") continue;
    const text = await Deno.readTextFile(`${LIB}${file}`);
    for (const specifier of importsOf(text)) {
      const target = relative(LIB, fromFileUrl(new URL(specifier, `file://${LIB}${file}`)));
      if (target.startsWith("http/")) offenders.push(`${file} imports ${specifier}`);
    }
  }
  assert.deepEqual(offenders, []);
});

Deno.test("the scan sees an import of the HTTP error", () => {
  assert.deepEqual(importsOf('import { HttpError } from "../http/http_error.ts";\n'), [
    "../http/http_error.ts",
  ]);
  assert.deepEqual(importsOf('export { x } from "./http/validation.ts";'), [
    "./http/validation.ts",
  ]);
});

Deno.test("domain errors keep their kind, class name and details", () => {
  const error = invalidInput("query", [{ path: "from", message: "Not a date" }]);
  assert.ok(error instanceof InvalidInputError && error instanceof DomainError);
  assert.equal(error.kind, "invalid");
  assert.equal(error.name, "InvalidInputError");
  assert.equal(error.message, "Invalid query: from: Not a date");
  assert.deepEqual(error.details, { issues: [{ path: "from", message: "Not a date" }] });
  assert.deepEqual(new InvalidInputError("Invalid x").details, {});
  assert.match(
    new ContentionError("store events", { attempts: 4 }).message,
    /Could not store events/,
  );
});
