/** Saving views and their numbers as files: PNG (with the title and settings drawn in), CSV, JSON. */

/** Save a blob as a file through a temporary link (no popups, works offline). */
export function download(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(filename: string, text: string): void {
  download(filename, new Blob([text], { type: filename.endsWith('.json') ? 'application/json' : 'text/csv' }));
}

const HEADER_LINE_PX = 16;
const PAD_PX = 8;

/**
 * A PNG of `source` with `header` lines above it (title, then the settings that produced it), so
 * an exported picture still says what it shows.
 */
export function downloadPng(filename: string, source: CanvasImageSource & { width: number; height: number }, header: string[]): void {
  const out = document.createElement('canvas');
  out.width = Math.max(source.width, 360) + 2 * PAD_PX;
  out.height = source.height + header.length * HEADER_LINE_PX + 3 * PAD_PX;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#1d2030';
  header.forEach((line, i) => {
    ctx.font = i === 0 ? 'bold 13px system-ui, sans-serif' : '11px system-ui, sans-serif';
    ctx.fillText(line, PAD_PX, PAD_PX + (i + 1) * HEADER_LINE_PX - 4);
  });
  ctx.drawImage(source, PAD_PX, header.length * HEADER_LINE_PX + 2 * PAD_PX);
  out.toBlob((blob) => blob && download(filename, blob), 'image/png');
}

/** A PNG of an SVG chart (recharts draws SVG): rasterised through an <img>. */
export function downloadSvgPng(filename: string, svg: SVGSVGElement, header: string[]): void {
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml' }));
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width);
    canvas.height = Math.ceil(height);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0);
    URL.revokeObjectURL(url);
    downloadPng(filename, canvas, header);
  };
  image.src = url;
}
