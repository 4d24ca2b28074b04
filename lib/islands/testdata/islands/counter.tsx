import { useSignal } from "@preact/signals";

/** Test fixture island: a labelled counter whose button adds one. */
export default function Counter(props: { label: string; start: number }) {
  const count = useSignal(props.start);
  return (
    <div class="counter">
      <p>
        <span class="counter-label">{props.label}</span>: <output>{count}</output>
      </p>
      <button type="button" class="button" onClick={() => count.value++}>
        Add one
      </button>
    </div>
  );
}
