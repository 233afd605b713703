// The desk's images: pick, drop, paste or photograph one, describe it, and it is uploaded to
// the API (POST /api/blogs/<slug>/media/, the signed-in session with its CSRF token) with a
// progress bar; the answer's url goes into the text as ![alt](url) where the cursor was, and
// the preview (desk.js, on "input") shows it as readers will. See upload/text.js for the rules.
import {
  imageMarkdown,
  insertBlock,
  percent,
  refusalBeforeUpload,
  refusalFromServer,
} from "./upload/text.js";

const panel = document.getElementById("image-upload");
const target = panel && document.getElementById(panel.dataset.target);
if (panel && target && panel.dataset.uploadUrl) {
  setUp(panel, target);
}

function setUp(panel, textarea) {
  const $ = (id) => document.getElementById(id);
  const drop = $("upload-drop");
  const alt = $("upload-alt");
  const caption = $("upload-caption");
  const credit = $("upload-credit");
  const start = $("upload-start");
  const progress = $("upload-progress");
  const message = $("upload-message");
  const pending = $("upload-pending");
  const pendingImage = $("upload-pending-image");
  const pendingName = $("upload-pending-name");
  const done = $("upload-done");
  const token = document.querySelector("[name=csrfmiddlewaretoken]");
  const maxBytes = Number(panel.dataset.maxBytes) || 0;
  let file = null;
  let busy = false;

  panel.hidden = false;

  function say(text, kind = "info") {
    message.textContent = text;
    message.dataset.kind = kind;
    message.classList.toggle("errornote", kind === "error");
  }

  function choose(chosen) {
    if (!chosen) return;
    if (pendingImage.src) URL.revokeObjectURL(pendingImage.src);
    file = chosen;
    pendingImage.src = URL.createObjectURL(chosen);
    pendingName.textContent = chosen.name || "Pasted image";
    pending.hidden = false;
    if (alt.value.trim()) {
      upload();
    } else {
      say("Now describe the image in the alt text, then choose Upload and insert.", "info");
      alt.focus();
    }
  }

  function upload() {
    if (busy) return;
    const refusal = refusalBeforeUpload({ file, alt: alt.value, maxBytes });
    if (refusal) {
      say(refusal, "error");
      if (file && !alt.value.trim()) alt.focus();
      return;
    }
    const data = new FormData();
    data.append("file", file, file.name || "pasted-image");
    data.append("alt", alt.value.trim());
    data.append("caption", caption.value.trim());
    data.append("credit", credit.value.trim());
    const request = new XMLHttpRequest();
    request.open("POST", panel.dataset.uploadUrl);
    request.setRequestHeader("X-CSRFToken", token ? token.value : "");
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      progress.value = percent(event.loaded, event.total);
      progress.textContent = `${progress.value}%`;
    });
    request.addEventListener("load", () => finish(request.status, request.responseText));
    request.addEventListener("error", () => finish(0, ""));
    busy = true;
    start.disabled = true;
    progress.value = 0;
    progress.hidden = false;
    say(`Uploading ${file.name || "the image"}…`);
    request.send(data);
  }

  function finish(status, body) {
    busy = false;
    start.disabled = false;
    progress.hidden = true;
    if (status !== 201) {
      say(refusalFromServer(status, body), "error");
      return;
    }
    const media = JSON.parse(body);
    insert(media.alt, media.url);
    listed(media);
    say(`Inserted “${media.alt}” into the text; it shows in the preview.`);
    file = null;
    pending.hidden = true;
    for (const input of [alt, caption, credit]) input.value = "";
  }

  function insert(text, url) {
    const placed = insertBlock(
      textarea.value,
      textarea.selectionStart,
      textarea.selectionEnd,
      imageMarkdown(text, url),
    );
    textarea.value = placed.text;
    textarea.setSelectionRange(placed.cursor, placed.cursor);
    // desk.js refreshes the preview on input, as when the editor types.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function listed(media) {
    const item = document.createElement("li");
    const image = document.createElement("img");
    const narrowest = (media.renditions && media.renditions[0]) || media;
    image.src = narrowest.url;
    image.alt = media.alt;
    image.width = 96;
    image.height = Math.max(1, Math.round((96 * media.height) / media.width));
    const again = document.createElement("button");
    again.type = "button";
    again.className = "button";
    again.textContent = "Insert again";
    again.addEventListener("click", () => insert(media.alt, media.url));
    const label = document.createElement("span");
    label.textContent = media.alt;
    item.append(image, label, again);
    done.append(item);
  }

  const firstImage = (items) =>
    Array.from(items || []).find((item) => item.kind === "file" && item.type.startsWith("image/"));

  for (const input of [$("upload-file"), $("upload-camera")]) {
    input.addEventListener("change", () => {
      choose(input.files[0]);
      input.value = "";
    });
  }
  start.addEventListener("click", upload);
  for (const input of [alt, caption, credit]) {
    // Enter here uploads; it must not submit (publish) the desk's form.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        upload();
      }
    });
  }
  textarea.addEventListener("paste", (event) => {
    const item = firstImage(event.clipboardData && event.clipboardData.items);
    if (item) {
      event.preventDefault();
      choose(item.getAsFile());
    }
  });
  for (const zone of [drop, textarea]) {
    zone.addEventListener("dragover", (event) => {
      if (Array.from(event.dataTransfer.types).includes("Files")) {
        event.preventDefault();
        drop.classList.add("is-dragging");
      }
    });
    zone.addEventListener("dragleave", () => drop.classList.remove("is-dragging"));
    zone.addEventListener("drop", (event) => {
      drop.classList.remove("is-dragging");
      const dropped = event.dataTransfer.files[0];
      if (dropped) {
        event.preventDefault();
        choose(dropped);
      }
    });
  }
}
