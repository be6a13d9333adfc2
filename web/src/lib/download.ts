/**
 * Saves a blob through the browser's download. Exports come from authenticated API responses,
 * not links, so they are handed to a temporary object URL, revoked once the click is handled
 * (revoking at once makes some browsers cancel the download).
 */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves `data` as a pretty-printed JSON file. */
export function downloadJson(data: unknown, filename: string) {
  saveBlob(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), filename);
}
