// Embed cards: the provider's player loads only when a reader asks for it.
//
// The server renders each embedded post as a card (provider, author, text, a thumbnail
// stored on this site) with a "Show the post from X" link to the post itself, so without
// JavaScript the reader follows the link. Here a click swaps the card for the provider's
// player, from the card's data-embed-html, in a sandboxed frame of its own: the provider's
// scripts run there with an opaque origin, never on this page. One listener on the
// document also covers cards that live.js adds later.
(() => {
  "use strict";

  const SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox allow-presentation";

  function player(card) {
    const frame = document.createElement("iframe");
    frame.className = "embed-player";
    frame.title = `Post from ${card.dataset.embedProvider}`;
    frame.setAttribute("sandbox", SANDBOX);
    frame.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.loading = "lazy";
    frame.srcdoc =
      '<!doctype html><meta charset="utf-8"><style>html,body{margin:0}iframe{max-width:100%}</style>' +
      card.dataset.embedHtml;
    return frame;
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-embed-show]");
    if (!link) return;
    const card = link.closest(".embed");
    if (!card || !card.dataset.embedHtml) return;
    event.preventDefault();
    const frame = player(card);
    card.classList.add("is-playing");
    card.replaceChildren(frame);
    frame.focus();
  });
})();
