// The live desk: a preview that follows the editor's typing, Ctrl+Enter to publish, and no
// double publication from an impatient second click. Without JS, the Preview button works.
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
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        // Only the newest answer counts; the server's HTML is sanitized (cmark-gfm + nh3).
        if (mine === ticket) {
          previewBody.innerHTML = html;
        }
      })
      .catch(() => {
        /* The preview is a convenience; publishing does not depend on it. */
      });
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
