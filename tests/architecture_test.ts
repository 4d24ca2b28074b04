/**
 * The layers, checked from the imports themselves (see CONTRIBUTING.md, "Layers"): lib/ never
 * imports the app around it, lib/core/ is pure and imports only itself, browser-only code is not
 * imported by the server, and the lib/ folders import each other without cycles. Test files are
 * exempt: a test may assemble anything. Run alone: `deno test -A tests/architecture_test.ts`.
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url);
const SKIPPED_DIRS = new Set([
  ".git",
  "node_modules",
  "static",
  ".islands",
  "data",
  ".bench",
  "test-results",
  "testdata",
]);

/** Packages lib/core/ may import: pure computation only. */
const CORE_PACKAGES = new Set(["zod", "node:crypto"]);

/** What lib/core/ code may not do: talk to KV or the network, read the clock, draw randomness. */
const CORE_FORBIDDEN: [RegExp, string][] = [
  [/\bDeno\s*\.\s*Kv\b|\bkv\s*\.\s*(get|getMany|set|list|atomic|delete|watch|enqueue)\s*\(/, "KV"],
  [/\bDeno\s*\./, "Deno APIs"],
  [/\bfetch\s*\(/, "fetch"],
  [/\bDate\s*\.\s*now\s*\(|\bnew\s+Date\s*\(\s*\)/, "a clock read"],
  [/\bMath\s*\.\s*random\s*\(|\brandom(UUID|Bytes|Int)\s*\(/, "randomness"],
];

/**
 * Imports between lib/ folders that still close a cycle, each with why it is still here. The
 * test fails on any other cycle, and on an entry here that no longer exists (delete it then).
 */
export const KNOWN_CYCLE_EDGES: Record<string, string> = {};

/** One import found in a source file. */
export interface FoundImport {
  /** The specifier as written. */
  specifier: string;
  /** True for `import type` / `export type`. */
  typeOnly: boolean;
}

/** A source file with its imports, relative ones resolved to repository paths. */
interface SourceFile {
  path: string;
  code: string;
  imports: { specifier: string; target: string | null; typeOnly: boolean }[];
  /** Lines in the file. */
  lines: number;
  /** The file's opening text (where a reason for its length is written). */
  header: string;
}

/** The source text without comments (strings and template literals kept), so examples in doc comments are not imports. */
export function withoutComments(source: string): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && !(c !== "`" && source[j] === "\n")) {
        j += source[j] === "\\" ? 2 : 1;
      }
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const STATIC_IMPORT =
  /(?:^|[;\n}])\s*(import|export)\s+(type\s+)?(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"'\n]+)["']/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*["']([^"'\n]+)["']\s*\)/g;

/** Every module specifier a source file imports or re-exports, static or dynamic. */
export function importsOf(source: string): FoundImport[] {
  const code = withoutComments(source);
  const found: FoundImport[] = [];
  for (const m of code.matchAll(STATIC_IMPORT)) {
    found.push({ specifier: m[3]!, typeOnly: m[2] !== undefined });
  }
  for (const m of code.matchAll(DYNAMIC_IMPORT)) found.push({ specifier: m[1]!, typeOnly: false });
  return found;
}

async function sourceFiles(dir: URL, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      if (SKIPPED_DIRS.has(entry.name)) continue;
      out.push(...await sourceFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`));
    } else if (/\.tsx?$/.test(entry.name)) {
      out.push(`${prefix}${entry.name}`);
    }
  }
  return out;
}

async function readTree(): Promise<SourceFile[]> {
  const paths = await sourceFiles(ROOT);
  return await Promise.all(
    paths.sort().map(async (path) => {
      const source = await Deno.readTextFile(new URL(path, ROOT));
      const imports = importsOf(source).map(({ specifier, typeOnly }) => ({
        specifier,
        typeOnly,
        target: specifier.startsWith("./") || specifier.startsWith("../")
          ? new URL(specifier, new URL(path, ROOT)).href.slice(ROOT.href.length)
          : null,
      }));
      return {
        path,
        code: withoutComments(source),
        imports,
        lines: source.split("\n").length,
        header: source.slice(0, 2000),
      };
    }),
  );
}

const isTest = (path: string) => /_test\.tsx?$/.test(path) || path.startsWith("tests/");
const tree = await readTree();
const product = tree.filter((file) => !isTest(file.path));

/** The unit of the folder graph: `lib/<folder>/`, or a file directly under lib/. */
function libUnit(path: string): string | null {
  const parts = path.split("/");
  if (parts[0] !== "lib") return null;
  return parts.length > 2 ? `lib/${parts[1]}/` : path;
}

function fail(title: string, lines: string[]): void {
  assert.fail(`${title}:\n  ${lines.join("\n  ")}`);
}

Deno.test("the import reader finds static, multi-line, type-only, re-exported and dynamic imports, not those in comments", () => {
  const source = [
    `/** Example: import { x } from "./in_a_comment.ts"; */`,
    `// import "./also_a_comment.ts";`,
    `import { a,`,
    `  b } from "./multi_line.ts";`,
    `import type { T } from "../types.ts";`,
    `import "./side_effect.ts";`,
    `export { c } from "./re_export.ts";`,
    `export * from "./star.ts";`,
    `const url = "http://example.com/"; const m = await import("./lazy.ts");`,
    `import fc from "fast-check";`,
  ].join("\n");
  assert.deepEqual(importsOf(source), [
    { specifier: "./multi_line.ts", typeOnly: false },
    { specifier: "../types.ts", typeOnly: true },
    { specifier: "./side_effect.ts", typeOnly: false },
    { specifier: "./re_export.ts", typeOnly: false },
    { specifier: "./star.ts", typeOnly: false },
    { specifier: "fast-check", typeOnly: false },
    { specifier: "./lazy.ts", typeOnly: false },
  ]);
});

Deno.test("nothing under lib/ imports routes/, components/, islands/, tests/ or the entry files", () => {
  const outside = /^(routes|components|islands|tests|scripts)\/|^[^/]+\.tsx?$/;
  const offenders = product.filter((file) => file.path.startsWith("lib/")).flatMap((file) =>
    file.imports.filter((i) => i.target !== null && outside.test(i.target)).map((i) =>
      `${file.path} imports "${i.specifier}" (${i.target})`
    )
  );
  if (offenders.length > 0) {
    fail(
      "lib/ must not depend on the app around it (move the code out of lib/, or pass it in)",
      offenders,
    );
  }
});

Deno.test("lib/core/ imports only lib/core/ and pure packages, and reads no KV, network, clock or randomness", () => {
  const core = product.filter((file) => file.path.startsWith("lib/core/"));
  const offenders: string[] = [];
  for (const file of core) {
    for (const i of file.imports) {
      if (i.target === null ? !CORE_PACKAGES.has(i.specifier) : !i.target.startsWith("lib/core/")) {
        offenders.push(`${file.path} imports "${i.specifier}"${i.target ? ` (${i.target})` : ""}`);
      }
    }
    for (const [pattern, what] of CORE_FORBIDDEN) {
      const m = file.code.match(pattern);
      if (m) offenders.push(`${file.path} uses ${what}: "${m[0]}"`);
    }
  }
  if (offenders.length > 0) {
    fail("lib/core/ must stay pure (pass clocks, KV reads and ids in as arguments)", offenders);
  }
});

Deno.test("no server module under lib/ imports the browser-only code in lib/browser/", () => {
  const offenders = product.filter((file) =>
    file.path.startsWith("lib/") && !file.path.startsWith("lib/browser/")
  ).flatMap((file) =>
    file.imports.filter((i) => i.target?.startsWith("lib/browser/")).map((i) =>
      `${file.path} imports "${i.specifier}" (${i.target})`
    )
  );
  if (offenders.length > 0) fail("lib/browser/ runs in the browser only", offenders);
});

Deno.test("no lib module outside lib/http/ imports HTTP: domain code throws the errors of lib/errors.ts", () => {
  const offenders = product.filter((file) =>
    file.path.startsWith("lib/") && !file.path.startsWith("lib/http/")
  ).flatMap((file) =>
    file.imports.filter((i) => i.target?.startsWith("lib/http/")).map((i) =>
      `${file.path} imports "${i.specifier}" (${i.target})`
    )
  );
  if (offenders.length > 0) {
    fail("lib/http/ maps domain errors to HTTP; nothing else under lib/ may import it", offenders);
  }
});

/** Longest product module without a reason for its length written at its top. */
const MAX_MODULE_LINES = 400;

Deno.test(`no product module passes ${MAX_MODULE_LINES} lines without saying why at its top`, () => {
  const offenders = product.filter((file) =>
    file.lines > MAX_MODULE_LINES && !/\b400 lines\b/.test(file.header)
  ).map((file) => `${file.path}: ${file.lines} lines`);
  if (offenders.length > 0) {
    fail(
      `Split these modules, or write at their top why they are longer than ${MAX_MODULE_LINES} lines`,
      offenders,
    );
  }
});

/** Folder edges of lib/ (`lib/a/ -> lib/b/`) with the imports that make each. */
function libFolderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of product) {
    const from = libUnit(file.path);
    if (from === null) continue;
    for (const i of file.imports) {
      const to = i.target === null ? null : libUnit(i.target);
      if (to === null || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...edges.get(to) ?? [], `${file.path} imports ${i.target}`]);
    }
  }
  return graph;
}

/** A cycle in the graph as a path that ends where it starts, or null. */
function findCycle(graph: Map<string, Map<string, string[]>>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  function visit(node: string): string[] | null {
    state.set(node, "open");
    stack.push(node);
    for (const next of [...(graph.get(node)?.keys() ?? [])].sort()) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, "done");
    return null;
  }
  for (const node of [...graph.keys()].sort()) {
    if (!state.has(node)) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return null;
}

Deno.test("the lib/ folders import each other without cycles (beyond the listed ones, each still there)", () => {
  const graph = libFolderGraph();
  const stale = Object.keys(KNOWN_CYCLE_EDGES).filter((edge) => {
    const [from, to] = edge.split(" -> ");
    return !graph.get(from!)?.has(to!);
  });
  if (stale.length > 0) {
    fail("These listed imports are gone: delete them from KNOWN_CYCLE_EDGES", stale);
  }
  for (const edge of Object.keys(KNOWN_CYCLE_EDGES)) {
    const [from, to] = edge.split(" -> ");
    graph.get(from!)!.delete(to!);
  }
  const cycle = findCycle(graph);
  if (cycle) {
    const how = cycle.slice(1).map((to, n) => {
      const from = cycle[n]!;
      return `${from} -> ${to}: ${graph.get(from)!.get(to)!.join(", ")}`;
    });
    fail(`lib/ folders import each other in a cycle: ${cycle.join(" -> ")}`, how);
  }
});
