// What the desk's image upload decides, with no DOM and no network, so Node tests it
// (tests/js/upload.test.js); upload.js wires it to the page.

// Markdown's image syntax for an uploaded image. Brackets and backslashes in the alt text are
// escaped so the text cannot end the alt early; line breaks would end the image, so they go.
export function imageMarkdown(alt, url) {
  const text = alt.replace(/\s+/g, " ").trim().replace(/[\\[\]]/g, (c) => `\\${c}`);
  return `![${text}](${url})`;
}

// The text with `snippet` put in place of the selection [start, end), on a line of its own
// (an image alone on its line becomes a figure with its caption), and where the cursor goes.
export function insertBlock(text, start, end, snippet) {
  const before = text.slice(0, start);
  const after = text.slice(end);
  const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
  const trail = after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
  const inserted = `${lead}${snippet}${trail}`;
  return { text: before + inserted + after, cursor: before.length + inserted.length };
}

// Why a file cannot be uploaded before it is sent, or "" if it may be.
export function refusalBeforeUpload({ file, alt, maxBytes }) {
  if (!file) {
    return "Choose an image first: pick a file, drop one here or paste one into the text.";
  }
  if (!alt.trim()) {
    return "Write the alt text first: describe what the image shows, for readers who cannot see it. Nothing was uploaded.";
  }
  if (file.type && !file.type.startsWith("image/")) {
    return `${file.name || "That file"} is not an image (${file.type}). Choose a JPEG, PNG, WebP or GIF.`;
  }
  if (maxBytes && file.size > maxBytes) {
    const limit = Math.floor(maxBytes / (1024 * 1024));
    const size = (file.size / (1024 * 1024)).toFixed(1);
    return `${file.name || "That image"} is ${size} MB; the limit is ${limit} MB. Export it smaller.`;
  }
  return "";
}

// What to tell the editor when the server refused an upload: the API's JSON error
// ({message, code, errors}) or, from a proxy or a crash, only a status.
export function refusalFromServer(status, body) {
  let data = null;
  try {
    data = JSON.parse(body);
  } catch {
    data = null;
  }
  if (data && typeof data === "object") {
    const fields = Object.entries(data.errors || {})
      .map(([field, messages]) => `${field}: ${[].concat(messages).join(" ")}`)
      .join("; ");
    const message = data.message || data.detail || "";
    if (message && fields && !fields.includes(message)) return `${message} (${fields})`;
    if (message || fields) return message || fields;
  }
  if (status === 413) return "That image is larger than the server accepts. Export it smaller.";
  if (status === 429) return "Too many uploads in a short time; wait a minute and try again.";
  if (status === 403) return "You may not add images to this blog (or your session expired: reload the page).";
  if (status === 0) return "The upload did not reach the server (connection lost). Try again.";
  return `The upload failed (HTTP ${status}). Nothing was stored; try again.`;
}

// "45%" for a progress event's loaded and total bytes.
export function percent(loaded, total) {
  if (!total) return 0;
  return Math.min(100, Math.round((loaded / total) * 100));
}
