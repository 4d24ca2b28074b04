import assert from "node:assert/strict";
import { render } from "preact-render-to-string";
import { Island, IslandScope, islandScriptUrl, serializeIslandProps } from "./island.tsx";

function Greeting(props: { name: string; tags?: string[] }) {
  return <p class="greeting">Hello {props.name}</p>;
}

function WithCallback(props: { onSave: () => void }) {
  return <button type="button" onClick={props.onSave}>Save</button>;
}

Deno.test("serializeIslandProps escapes characters that could end the script element", () => {
  const json = serializeIslandProps({
    text: "</script><script>alert(1)</script>&\u2028",
  });
  assert.doesNotMatch(json, /[<>&\u2028]/);
  assert.deepEqual(JSON.parse(json), {
    text: "</script><script>alert(1)</script>&\u2028",
  });
});

Deno.test("Island renders the wrapper, props JSON, server markup and module script", () => {
  const html = render(
    <Island
      name="greeting"
      component={Greeting}
      props={{ name: "Ann", tags: ["a"] }}
      src="/x/greeting.js"
    />,
  );
  assert.equal(
    html,
    '<div data-island="greeting">' +
      '<script type="application/json" data-island-props>{"name":"Ann","tags":["a"]}</script>' +
      '<div data-island-root=""><p class="greeting">Hello Ann</p></div>' +
      '<script type="module" src="/x/greeting.js"></script></div>',
  );
});

Deno.test("Island emits one module script per page when an island appears twice", () => {
  const html = render(
    <IslandScope>
      <Island
        name="greeting"
        component={Greeting}
        props={{ name: "Ann" }}
        src="/x/greeting.js"
      />
      <Island
        name="greeting"
        component={Greeting}
        props={{ name: "Bob" }}
        src="/x/greeting.js"
      />
    </IslandScope>,
  );
  assert.equal(html.match(/<script type="module"/g)?.length, 1);
  assert.equal(html.match(/data-island="greeting"/g)?.length, 2);
});

Deno.test("islandScriptUrl versions the manifest URL and falls back to the conventional path", () => {
  const manifest = {
    builtAt: "",
    hash: "abcdef0123456789",
    islands: { greeting: "/static/islands/greeting.js" },
  };
  assert.equal(
    islandScriptUrl("greeting", manifest),
    "/static/islands/greeting.js?v=abcdef012345",
  );
  assert.equal(islandScriptUrl("other", manifest), "/static/islands/other.js");
  assert.equal(
    islandScriptUrl("greeting", null),
    "/static/islands/greeting.js",
  );
});

Deno.test("Island props must be JSON-serialisable (checked by the compiler)", () => {
  const html = render(
    <Island
      name="with_callback"
      component={WithCallback}
      // @ts-expect-error functions do not survive JSON
      props={{ onSave: () => {} }}
      src="/x.js"
    />,
  );
  assert.match(html, /data-island="with_callback"/);
});
