/** The export buttons every view carries: the picture as PNG, its numbers as CSV and JSON. */
export function ExportButtons({ name, onPng, onCsv, onJson }: { name: string; onPng: () => void; onCsv: () => void; onJson: () => void }) {
  return (
    <div className="buttons" role="group" aria-label={`Export ${name}`}>
      <button type="button" onClick={onPng} aria-label={`Export ${name} as PNG`}>PNG</button>
      <button type="button" onClick={onCsv} aria-label={`Export ${name} numbers as CSV`}>CSV</button>
      <button type="button" onClick={onJson} aria-label={`Export ${name} numbers as JSON`}>JSON</button>
    </div>
  );
}
