/** The `<option>`s of a model picker, one per registry entry, labelled with its id. */
export function ModelOptions({ models }: { models: readonly { id: string }[] }) {
  return (
    <>
      {models.map((m) => (
        <option key={m.id} value={m.id}>
          {m.id}
        </option>
      ))}
    </>
  );
}
