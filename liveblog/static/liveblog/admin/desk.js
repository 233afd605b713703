// The live desk: a preview that follows the editor's typing and names what readers will not
// see, Ctrl+Enter to publish, and no double publication from an impatient second click.
// Without JS, the Preview button works.
"use strict";

(function () {
  const form = document.getElementById("desk-form");
  if (!form) {
    return;
  }
  const body = form.elements.namedItem("body");
  const headline = form.elements.namedItem("headline");
  const token = form.elements.namedItem("csrfmiddlewaretoken").value;
  const previewBody = document.getElementById("desk-preview-body");
  const previewHeadline = document.getElementById("desk-preview-headline");
  const warnings = document.getElementById("desk-warnings");
  let timer = null;
  let ticket = 0;

  function refreshPreview() {
    const mine = ++ticket;
    const data = new FormData();
    data.append("body", body.value);
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((preview) => {
        // Only the newest answer counts; the server's HTML is sanitized (cmark-gfm + nh3).
        if (mine === ticket) {
          previewBody.innerHTML = preview.html;
          showWarnings(preview.warnings);
        }
      })
      .catch(() => {
        /* The preview is a convenience; publishing does not depend on it. */
      });
  }

  function showWarnings(items) {
    if (!warnings) return;
    warnings.replaceChildren(
      ...items.map((warning) => {
        const item = document.createElement("li");
        item.dataset.code = warning.code;
        item.textContent = warning.message;
        return item;
      }),
    );
    warnings.hidden = items.length === 0;
  }

  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refreshPreview, 300);
  });
  headline.addEventListener("input", () => {
    previewHeadline.textContent = headline.value;
  });
  body.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit(document.getElementById("desk-publish"));
    }
  });
  form.addEventListener("submit", (event) => {
    if (event.submitter && event.submitter.name === "_publish") {
      // Disable after the browser has taken the form's data, so the click still counts.
      setTimeout(() => {
        event.submitter.disabled = true;
      }, 0);
    }
  });
})();
