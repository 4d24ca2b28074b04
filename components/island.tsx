import {
  type Attributes,
  type ComponentChildren,
  type ComponentType,
  createContext,
  h,
} from "preact";
import { useContext } from "preact/hooks";
import { type IslandManifest, readIslandManifest } from "../lib/islands/build.ts";

type JsonPrimitive = string | number | boolean | null;

/** Maps T to itself when it survives JSON (primitives, arrays, plain objects, optional keys) and to never where it does not. */
export type Serializable<T> = T extends JsonPrimitive | undefined ? T
  : T extends (...args: never[]) => unknown ? never
  : T extends Date | Map<unknown, unknown> | Set<unknown> | RegExp | URL ? never
  : T extends readonly (infer U)[] ? readonly Serializable<U>[]
  : T extends object ? { [K in keyof T]: Serializable<T[K]> }
  : never;

/** Props of `<Island>`: the island's file basename, its default-exported component and its JSON-serialisable props. */
export interface IslandProps<P> {
  name: string;
  component: ComponentType<P>;
  props: P & Serializable<P>;
  /** Script URL override; defaults to the URL in `static/islands/manifest.json`. */
  src?: string;
}

const IslandScripts = createContext<Set<string> | null>(null);

let cachedManifest: { mtime: number; manifest: IslandManifest | null } | null = null;

function currentManifest(): IslandManifest | null {
  let mtime = -1;
  try {
    const url = new URL("../static/islands/manifest.json", import.meta.url);
    mtime = Deno.statSync(url).mtime?.getTime() ?? 0;
  } catch {
    mtime = -1;
  }
  if (cachedManifest === null || cachedManifest.mtime !== mtime) {
    cachedManifest = {
      mtime,
      manifest: mtime === -1 ? null : readIslandManifest(),
    };
  }
  return cachedManifest.manifest;
}

/** Returns the script URL of island `name`: the manifest's URL with a version query, or `/static/islands/<name>.js` before any build. */
export function islandScriptUrl(
  name: string,
  manifest = currentManifest(),
): string {
  const url = manifest?.islands[name];
  if (manifest === null || url === undefined) {
    return `/static/islands/${name}.js`;
  }
  return `${url}?v=${manifest.hash.slice(0, 12)}`;
}

/** Returns props as JSON that is safe inside a `<script>` element (`<`, `>`, `&`, U+2028/9 escaped). */
export function serializeIslandProps(props: unknown): string {
  return JSON.stringify(props ?? {}).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Renders its children inside one page render in which each island's `<script>` is emitted only once. */
export function IslandScope(props: { children?: ComponentChildren }) {
  return (
    <IslandScripts.Provider value={new Set()}>
      {props.children}
    </IslandScripts.Provider>
  );
}

/** Server-renders `component` with `props` inside a `[data-island]` wrapper, plus its props JSON and (once per page) its module script. */
export function Island<P>({ name, component, props, src }: IslandProps<P>) {
  const emitted = useContext(IslandScripts);
  const scriptUrl = src ?? islandScriptUrl(name);
  const emitScript = emitted === null || !emitted.has(scriptUrl);
  emitted?.add(scriptUrl);
  return (
    <div data-island={name}>
      <script
        type="application/json"
        data-island-props=""
        dangerouslySetInnerHTML={{ __html: serializeIslandProps(props) }}
      />
      <div data-island-root="">{h(component, props as P & Attributes)}</div>
      {emitScript && <script type="module" src={scriptUrl} />}
    </div>
  );
}
