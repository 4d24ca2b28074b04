import { type Attributes, type ComponentType, h, hydrate } from "preact";

const ISLAND_ATTRIBUTE = "data-island";
const ISLAND_PROPS_ATTRIBUTE = "data-island-props";
const ISLAND_ROOT_ATTRIBUTE = "data-island-root";
const ISLAND_HYDRATED_ATTRIBUTE = "data-island-hydrated";

function hydrateElement<P extends object>(
  name: string,
  Component: ComponentType<P>,
  wrapper: Element,
): void {
  const root = wrapper.querySelector(`:scope > [${ISLAND_ROOT_ATTRIBUTE}]`);
  if (root === null) {
    throw new Error(
      `Cannot hydrate island "${name}": its wrapper has no [${ISLAND_ROOT_ATTRIBUTE}] element`,
    );
  }
  const script = wrapper.querySelector(
    `:scope > script[${ISLAND_PROPS_ATTRIBUTE}]`,
  );
  const props = (script?.textContent ? JSON.parse(script.textContent) : {}) as
    & P
    & Attributes;
  hydrate(h(Component, props), root);
  wrapper.setAttribute(ISLAND_HYDRATED_ATTRIBUTE, "");
}

function hydrateAll<P extends object>(
  name: string,
  Component: ComponentType<P>,
): number {
  let hydrated = 0;
  const wrappers = document.querySelectorAll(
    `[${ISLAND_ATTRIBUTE}="${CSS.escape(name)}"]:not([${ISLAND_HYDRATED_ATTRIBUTE}])`,
  );
  for (const wrapper of wrappers) {
    try {
      hydrateElement(name, Component, wrapper);
      hydrated++;
    } catch (error) {
      console.error(`Cannot hydrate island "${name}"`, error);
    }
  }
  return hydrated;
}

/** Hydrates every not-yet-hydrated `[data-island="<name>"]` element with Component and its serialized props; runs once the DOM is parsed. */
export function hydrateIslands<P extends object>(
  name: string,
  Component: ComponentType<P>,
): void {
  if (document.readyState === "loading") {
    document.addEventListener(
      "DOMContentLoaded",
      () => hydrateAll(name, Component),
      {
        once: true,
      },
    );
  } else {
    hydrateAll(name, Component);
  }
}
