import assert from "node:assert/strict";
import { join } from "node:path";
import {
  buildIslands,
  discoverIslands,
  ensureIslandsBuilt,
  islandsAtStartup,
  readIslandManifest,
} from "./build.ts";

const FIXTURE = new URL("./testdata/islands/counter.tsx", import.meta.url);

async function withProject(
  fn: (
    dirs: { islandsDir: string; outDir: string; entriesDir: string },
  ) => Promise<void>,
): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "islands_build_test_" });
  const dirs = {
    islandsDir: join(base, "islands"),
    outDir: join(base, "out"),
    entriesDir: join(base, "entries"),
  };
  await Deno.mkdir(dirs.islandsDir);
  try {
    await fn(dirs);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

function options(
  dirs: { islandsDir: string; outDir: string; entriesDir: string },
) {
  return {
    ...dirs,
    publicPath: "/assets/islands",
    watchPaths: [dirs.islandsDir],
  };
}

Deno.test("buildIslands bundles each island and lists it in the manifest", async () => {
  await withProject(async (dirs) => {
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "counter.tsx"));
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "second_counter.tsx"));

    const manifest = await buildIslands(options(dirs));

    assert.deepEqual(manifest.islands, {
      counter: "/assets/islands/counter.js",
      second_counter: "/assets/islands/second_counter.js",
    });
    assert.match(manifest.hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(readIslandManifest({ outDir: dirs.outDir }), manifest);
    const entry = await Deno.readTextFile(join(dirs.outDir, "counter.js"));
    assert.ok(
      entry.length < 2_000,
      `entry should be small, was ${entry.length} bytes`,
    );
    const files = [...Deno.readDirSync(dirs.outDir)].map((file) => file.name);
    assert.ok(
      files.some((name) => /^chunk-.*\.js$/.test(name)),
      `shared chunk in ${files}`,
    );
  });
});

Deno.test("buildIslands bundles JSX for the browser, not the server's precompile transform", async () => {
  await withProject(async (dirs) => {
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "counter.tsx"));
    await buildIslands({ ...options(dirs), minify: false });
    const code = [...Deno.readDirSync(dirs.outDir)]
      .filter((file) => file.name.endsWith(".js"))
      .map((file) => Deno.readTextFileSync(join(dirs.outDir, file.name)))
      .join("\n");
    assert.doesNotMatch(code, /jsxTemplate\(/);
    assert.match(code, /onClick/);
  });
});

Deno.test("ensureIslandsBuilt does not rebuild when nothing changed", async () => {
  await withProject(async (dirs) => {
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "counter.tsx"));
    const first = await ensureIslandsBuilt(options(dirs));
    const bundleTime = (await Deno.stat(join(dirs.outDir, "counter.js"))).mtime;

    const second = await ensureIslandsBuilt(options(dirs));

    assert.deepEqual(second, first);
    assert.deepEqual(
      (await Deno.stat(join(dirs.outDir, "counter.js"))).mtime,
      bundleTime,
    );
  });
});

Deno.test("ensureIslandsBuilt rebuilds when an island is added", async () => {
  await withProject(async (dirs) => {
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "counter.tsx"));
    await ensureIslandsBuilt(options(dirs));
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "extra.tsx"));

    const manifest = await ensureIslandsBuilt(options(dirs));

    assert.deepEqual(Object.keys(manifest.islands), ["counter", "extra"]);
    await Deno.stat(join(dirs.outDir, "extra.js"));
  });
});

Deno.test("ensureIslandsBuilt rebuilds when a source changes and not when it is only touched", async () => {
  await withProject(async (dirs) => {
    const island = join(dirs.islandsDir, "counter.tsx");
    await Deno.copyFile(FIXTURE, island);
    const first = await ensureIslandsBuilt(options(dirs));
    const later = new Date(Date.parse(first.builtAt) + 5_000);

    const bundle = join(dirs.outDir, "counter.js");
    const bundleTime = (await Deno.stat(bundle)).mtime;
    await Deno.utime(island, later, later);
    const touched = await ensureIslandsBuilt(options(dirs));
    assert.equal(touched.hash, first.hash);
    assert.deepEqual((await Deno.stat(bundle)).mtime, bundleTime);

    await Deno.writeTextFile(island, "\n// changed\n", { append: true });
    const evenLater = new Date(Date.parse(touched.builtAt) + 10_000);
    await Deno.utime(island, evenLater, evenLater);
    const changed = await ensureIslandsBuilt(options(dirs));
    assert.notEqual(changed.hash, first.hash);
  });
});

Deno.test("islandsAtStartup on Deno Deploy only reads: a changed source is not rebuilt, none built fails", async () => {
  await withProject(async (dirs) => {
    await assert.rejects(
      islandsAtStartup({ ...options(dirs), onDeploy: true }),
      /No built islands/,
    );
    await assert.rejects(Deno.stat(dirs.outDir), Deno.errors.NotFound);
    const island = join(dirs.islandsDir, "counter.tsx");
    await Deno.copyFile(FIXTURE, island);
    const built = await islandsAtStartup({ ...options(dirs), onDeploy: false });
    await Deno.writeTextFile(island, "\n// changed\n", { append: true });
    const later = new Date(Date.parse(built.builtAt) + 10_000);
    await Deno.utime(island, later, later);
    const manifestTime = (await Deno.stat(join(dirs.outDir, "manifest.json"))).mtime;
    assert.deepEqual(await islandsAtStartup({ ...options(dirs), onDeploy: true }), built);
    assert.deepEqual((await Deno.stat(join(dirs.outDir, "manifest.json"))).mtime, manifestTime);
  });
});

Deno.test("ensureIslandsBuilt rebuilds when a bundle was deleted", async () => {
  await withProject(async (dirs) => {
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "counter.tsx"));
    await ensureIslandsBuilt(options(dirs));
    await Deno.remove(join(dirs.outDir, "counter.js"));

    await ensureIslandsBuilt(options(dirs));

    await Deno.stat(join(dirs.outDir, "counter.js"));
  });
});

Deno.test("buildIslands removes bundles of islands that no longer exist", async () => {
  await withProject(async (dirs) => {
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "counter.tsx"));
    await Deno.copyFile(FIXTURE, join(dirs.islandsDir, "gone.tsx"));
    await buildIslands(options(dirs));
    await Deno.remove(join(dirs.islandsDir, "gone.tsx"));

    const manifest = await buildIslands(options(dirs));

    assert.deepEqual(Object.keys(manifest.islands), ["counter"]);
    await assert.rejects(
      Deno.stat(join(dirs.outDir, "gone.js")),
      Deno.errors.NotFound,
    );
  });
});

Deno.test("buildIslands writes an empty manifest when there are no islands", async () => {
  await withProject(async (dirs) => {
    const manifest = await buildIslands(options(dirs));
    assert.deepEqual(manifest.islands, {});
    assert.deepEqual(readIslandManifest({ outDir: dirs.outDir }), manifest);
  });
});

Deno.test("buildIslands throws with deno bundle's error output when an island does not compile", async () => {
  await withProject(async (dirs) => {
    await Deno.writeTextFile(
      join(dirs.islandsDir, "broken.tsx"),
      `import missing from "./does_not_exist.ts";\nexport default function Broken() { return <p>{missing}</p>; }\n`,
    );
    await assert.rejects(
      buildIslands(options(dirs)),
      (error: Error) =>
        /deno bundle/.test(error.message) &&
        /does_not_exist/.test(error.message),
    );
    assert.equal(readIslandManifest({ outDir: dirs.outDir }), null);
  });
});

Deno.test("discoverIslands skips tests and private files and rejects unsafe names", async () => {
  await withProject(async (dirs) => {
    for (
      const name of [
        "b.tsx",
        "a.tsx",
        "_helper.tsx",
        "a_test.tsx",
        "notes.md",
        "util.ts",
      ]
    ) {
      await Deno.writeTextFile(join(dirs.islandsDir, name), "");
    }
    assert.deepEqual(await discoverIslands(dirs.islandsDir), ["a", "b"]);
    await Deno.writeTextFile(join(dirs.islandsDir, "bad name.tsx"), "");
    await assert.rejects(discoverIslands(dirs.islandsDir), /bad name/);
  });
});

Deno.test("discoverIslands finds no islands in a missing directory", async () => {
  assert.deepEqual(await discoverIslands("/nonexistent/islands"), []);
});
