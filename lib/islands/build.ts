/**
 * Builds the islands: finds them, bundles each with its hydration entry, publishes the bundles
 * and a manifest, and rebuilds only when a source changed.
 *
 * Longer than 400 lines on purpose: discovering, hashing, bundling and publishing islands share
 * one set of resolved paths and one in-flight guard; split, each part would need them all.
 */
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** What a build produced: when, from which sources, and each island's script URL. */
export interface IslandManifest {
  builtAt: string;
  hash: string;
  islands: Record<string, string>;
}

/** Where islands come from and where their bundles go; every path defaults to the project layout. */
export interface IslandBuildOptions {
  /** Project root holding deno.json; defaults to the directory two levels above this module. */
  rootDir?: string;
  /** Directory of `*.tsx` islands; defaults to `<rootDir>/islands`. */
  islandsDir?: string;
  /** Directory the bundles and manifest.json are written to; defaults to `<rootDir>/static/islands`. */
  outDir?: string;
  /** Scratch directory for the generated entry modules; defaults to `<rootDir>/.islands`. */
  entriesDir?: string;
  /** URL prefix the server serves `outDir` under; defaults to `/static/islands/`. */
  publicPath?: string;
  /** Files and directories whose `.ts`/`.tsx` sources make the build stale; defaults to islands, components, lib, deno.json. */
  watchPaths?: string[];
  /** Minify the bundles; defaults to true. */
  minify?: boolean;
}

interface ResolvedOptions {
  rootDir: string;
  islandsDir: string;
  outDir: string;
  entriesDir: string;
  publicPath: string;
  watchPaths: string[];
  minify: boolean;
}

const MANIFEST_FILE = "manifest.json";
const ISLAND_NAME = /^[A-Za-z0-9_-]+$/;
const HYDRATE_URL = new URL("../browser/hydrate.ts", import.meta.url).href;
const DEFAULT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

const inFlight = new Map<string, Promise<IslandManifest>>();

function resolveOptions(options: IslandBuildOptions): ResolvedOptions {
  const rootDir = options.rootDir ?? DEFAULT_ROOT;
  const islandsDir = options.islandsDir ?? join(rootDir, "islands");
  const publicPath = options.publicPath ?? "/static/islands/";
  return {
    rootDir,
    islandsDir,
    outDir: options.outDir ?? join(rootDir, "static", "islands"),
    entriesDir: options.entriesDir ?? join(rootDir, ".islands"),
    publicPath: publicPath.endsWith("/") ? publicPath : `${publicPath}/`,
    watchPaths: options.watchPaths ?? [
      islandsDir,
      join(rootDir, "components"),
      join(rootDir, "lib"),
      join(rootDir, "deno.json"),
    ],
    minify: options.minify ?? true,
  };
}

/** Lists the island names (file basenames) of `islandsDir`, sorted; an absent directory has none. */
export async function discoverIslands(islandsDir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(islandsDir)) {
      if (!entry.isFile || !entry.name.endsWith(".tsx")) continue;
      const name = entry.name.slice(0, -".tsx".length);
      if (name.startsWith("_") || name.endsWith("_test")) continue;
      if (!ISLAND_NAME.test(name)) {
        throw new Error(
          `Cannot build island "${entry.name}": names may only contain letters, digits, "_" and "-"`,
        );
      }
      names.push(name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

async function listSources(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  async function visit(path: string): Promise<void> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    if (info.isFile) {
      files.push(path);
      return;
    }
    if (!info.isDirectory) return;
    for await (const entry of Deno.readDir(path)) {
      const child = join(path, entry.name);
      if (entry.isDirectory) await visit(child);
      else if (entry.isFile && isSource(entry.name)) files.push(child);
    }
  }
  for (const path of paths) await visit(path);
  return [...new Set(files)].sort();
}

function isSource(fileName: string): boolean {
  return /\.tsx?$/.test(fileName) && !/_test\.tsx?$/.test(fileName);
}

async function hashSources(files: string[], rootDir: string): Promise<string> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const file of files) {
    parts.push(encoder.encode(`${relative(rootDir, file)}\0`));
    parts.push(await Deno.readFile(file));
    parts.push(encoder.encode("\0"));
  }
  const all = new Uint8Array(
    parts.reduce((size, part) => size + part.length, 0),
  );
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}

/** Reads `manifest.json` from `outDir` (default `static/islands`); null when it is missing or unreadable. */
export function readIslandManifest(
  options: { outDir?: string } = {},
): IslandManifest | null {
  const { outDir } = resolveOptions(options);
  let text: string;
  try {
    text = Deno.readTextFileSync(join(outDir, MANIFEST_FILE));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  try {
    const value: unknown = JSON.parse(text);
    return isManifest(value) ? value : null;
  } catch {
    return null;
  }
}

function isManifest(value: unknown): value is IslandManifest {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  const islands = record.islands;
  return typeof record.builtAt === "string" &&
    typeof record.hash === "string" &&
    typeof islands === "object" && islands !== null &&
    Object.values(islands).every((url) => typeof url === "string");
}

async function writeBundleConfig(options: ResolvedOptions): Promise<string> {
  const configPath = join(options.rootDir, "deno.json");
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await Deno.readTextFile(configPath));
  } catch (error) {
    throw new Error(
      `Cannot build islands: ${configPath} is not readable JSON`,
      { cause: error },
    );
  }
  const rootUrl = pathToFileURL(join(options.rootDir, "/")).href;
  const rebase = (map: unknown): Record<string, string> =>
    Object.fromEntries(
      Object.entries((map ?? {}) as Record<string, string>).map((
        [key, target],
      ) => [
        key,
        target.startsWith("./") || target.startsWith("../")
          ? new URL(target, rootUrl).href
          : target,
      ]),
    );
  const compilerOptions = Object.fromEntries(
    Object.entries((config.compilerOptions ?? {}) as Record<string, unknown>)
      .filter(([key]) => !key.startsWith("jsxPrecompile")),
  );
  const scopes = Object.fromEntries(
    Object.entries((config.scopes ?? {}) as Record<string, unknown>).map((
      [scope, map],
    ) => [
      scope.startsWith("./") || scope.startsWith("../") ? new URL(scope, rootUrl).href : scope,
      rebase(map),
    ]),
  );
  const lockPath = join(options.entriesDir, "bundle.lock");
  try {
    await Deno.copyFile(join(options.rootDir, "deno.lock"), lockPath);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const bundleConfig = {
    nodeModulesDir: "none",
    lock: { path: "./bundle.lock", frozen: false },
    compilerOptions: {
      ...compilerOptions,
      jsx: "react-jsx",
      jsxImportSource: compilerOptions.jsxImportSource ?? "preact",
    },
    imports: rebase(config.imports),
    scopes,
  };
  const bundleConfigPath = join(options.entriesDir, "bundle.json");
  await Deno.writeTextFile(
    bundleConfigPath,
    JSON.stringify(bundleConfig, null, 2),
  );
  return bundleConfigPath;
}

async function writeEntries(
  names: string[],
  options: ResolvedOptions,
): Promise<string[]> {
  const entries: string[] = [];
  for (const name of names) {
    const islandUrl = pathToFileURL(join(options.islandsDir, `${name}.tsx`)).href;
    const entry = join(options.entriesDir, `${name}.ts`);
    await Deno.writeTextFile(
      entry,
      `import { hydrateIslands } from ${JSON.stringify(HYDRATE_URL)};\n` +
        `import Island from ${JSON.stringify(islandUrl)};\n` +
        `hydrateIslands(${JSON.stringify(name)}, Island);\n`,
    );
    entries.push(entry);
  }
  return entries;
}

async function runBundle(
  entries: string[],
  configPath: string,
  stagingDir: string,
  options: ResolvedOptions,
): Promise<void> {
  const args = [
    "bundle",
    "--quiet",
    "--config",
    configPath,
    "--platform",
    "browser",
    "--code-splitting",
    ...(options.minify ? ["--minify"] : []),
    "--outdir",
    stagingDir,
    ...entries,
  ];
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.rootDir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
  }).output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    const stdout = new TextDecoder().decode(output.stdout).trim();
    throw new Error(
      `Cannot build islands: deno bundle exited with code ${output.code}\n${stderr || stdout}`,
    );
  }
}

async function replaceOutput(
  stagingDir: string,
  outDir: string,
): Promise<void> {
  await Deno.mkdir(outDir, { recursive: true });
  const fresh = new Set<string>();
  for await (const entry of Deno.readDir(stagingDir)) {
    if (!entry.isFile) continue;
    fresh.add(entry.name);
    await Deno.rename(join(stagingDir, entry.name), join(outDir, entry.name));
  }
  for await (const entry of Deno.readDir(outDir)) {
    if (
      entry.isFile && !fresh.has(entry.name) && /\.js(\.map)?$/.test(entry.name)
    ) {
      await Deno.remove(join(outDir, entry.name));
    }
  }
}

async function writeManifest(
  manifest: IslandManifest,
  outDir: string,
): Promise<void> {
  const manifestPath = join(outDir, MANIFEST_FILE);
  const temporary = `${manifestPath}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify(manifest, null, 2) + "\n");
  await Deno.rename(temporary, manifestPath);
}

async function build(options: ResolvedOptions): Promise<IslandManifest> {
  const startedAt = new Date();
  const names = await discoverIslands(options.islandsDir);
  const hash = await hashSources(
    await listSources(options.watchPaths),
    options.rootDir,
  );
  await Deno.mkdir(options.entriesDir, { recursive: true });
  await Deno.mkdir(options.outDir, { recursive: true });
  const stagingDir = await Deno.makeTempDir({
    dir: options.outDir,
    prefix: ".staging-",
  });
  try {
    if (names.length > 0) {
      const configPath = await writeBundleConfig(options);
      const entries = await writeEntries(names, options);
      await runBundle(entries, configPath, stagingDir, options);
    }
    await replaceOutput(stagingDir, options.outDir);
  } finally {
    await Deno.remove(stagingDir, { recursive: true });
  }
  const manifest: IslandManifest = {
    builtAt: startedAt.toISOString(),
    hash,
    islands: Object.fromEntries(
      names.map((name) => [name, `${options.publicPath}${name}.js`]),
    ),
  };
  await writeManifest(manifest, options.outDir);
  return manifest;
}

/** Bundles every island into `outDir` with `deno bundle` and writes the manifest; throws with deno bundle's stderr on failure. */
export function buildIslands(
  options: IslandBuildOptions = {},
): Promise<IslandManifest> {
  const resolved = resolveOptions(options);
  const running = inFlight.get(resolved.outDir);
  if (running) return running;
  const promise = build(resolved).finally(() => inFlight.delete(resolved.outDir));
  inFlight.set(resolved.outDir, promise);
  return promise;
}

async function isFresh(
  manifest: IslandManifest,
  options: ResolvedOptions,
): Promise<"fresh" | "stale" | "touched"> {
  const names = await discoverIslands(options.islandsDir);
  const built = Object.keys(manifest.islands).sort();
  if (
    names.length !== built.length || names.some((name, i) => name !== built[i])
  ) {
    return "stale";
  }
  for (const name of names) {
    try {
      await Deno.stat(join(options.outDir, `${name}.js`));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return "stale";
      throw error;
    }
  }
  const builtAt = Date.parse(manifest.builtAt);
  const sources = await listSources(options.watchPaths);
  for (const file of sources) {
    const modified = (await Deno.stat(file)).mtime?.getTime() ?? Infinity;
    if (modified > builtAt) {
      const hash = await hashSources(sources, options.rootDir);
      return hash === manifest.hash ? "touched" : "stale";
    }
  }
  return "fresh";
}

/** Returns the current manifest, rebuilding only when it is missing or a watched source changed since it was written. */
export async function ensureIslandsBuilt(
  options: IslandBuildOptions = {},
): Promise<IslandManifest> {
  const resolved = resolveOptions(options);
  const checkedAt = new Date();
  const manifest = readIslandManifest({ outDir: resolved.outDir });
  if (manifest === null) return await buildIslands(options);
  const state = await isFresh(manifest, resolved);
  if (state === "stale") return await buildIslands(options);
  if (state === "touched") {
    const refreshed = { ...manifest, builtAt: checkedAt.toISOString() };
    try {
      await writeManifest(refreshed, resolved.outDir);
      return refreshed;
    } catch {
      return manifest;
    }
  }
  return manifest;
}

/**
 * The islands as the server needs them at startup: on Deno Deploy only read (the deploy build
 * step made them; nothing is rebuilt or written there), elsewhere rebuilt when stale.
 */
export async function islandsAtStartup(
  options: IslandBuildOptions & { onDeploy: boolean },
): Promise<IslandManifest> {
  if (!options.onDeploy) return await ensureIslandsBuilt(options);
  const manifest = readIslandManifest(options);
  if (manifest === null) {
    throw new Error(
      "No built islands (static/islands/manifest.json): on Deno Deploy the build step " +
        "(`deno task build`, deno.json's deploy.build) makes them",
    );
  }
  return manifest;
}

if (import.meta.main) {
  const manifest = await buildIslands();
  console.log(
    `Built ${Object.keys(manifest.islands).length} island(s) into static/islands`,
  );
}
