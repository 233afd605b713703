// Older updates, the key events view and the label filters, in place: each fetches the
// timeline as server-rendered HTML (the updates fragment) and swaps it in, and the address
// follows, so the links the server wrote keep working without JavaScript and after a reload.
import { filterUrl } from "./state.js";

export function enhance({ config, state, timeline, byId, say, updateNewUpdatesButton, updateTitle }) {
  async function fetchFragment(url) {
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const template = document.createElement("template");
    template.innerHTML = await response.text(); // our own templates: escaped and sanitized
    return template.content;
  }

  function enhanceOlder() {
    const link = document.querySelector("#older a[data-fragment]");
    if (!link) return;
    const button = timeline.element("button", "older-button", "Older updates");
    button.type = "button";
    button.dataset.fragment = link.dataset.fragment;
    button.addEventListener("click", () => loadOlder(button));
    link.replaceWith(button);
  }

  async function loadOlder(button) {
    button.disabled = true;
    button.textContent = "Loading older updates…";
    try {
      const fragment = await fetchFragment(button.dataset.fragment);
      const list = byId("timeline-list");
      const added = [];
      for (const article of Array.from(fragment.querySelectorAll("#timeline-list > article"))) {
        if (byId(article.id)) continue; // already here: a live update moved it
        list.append(article);
        added.push(article);
      }
      const older = byId("older");
      const next = fragment.querySelector("#older");
      if (next) older.replaceWith(next);
      else older.remove();
      added.forEach((article) => timeline.freshen(article));
      enhanceOlder();
      timeline.refreshTimes(list);
      timeline.updateEmptyStates();
      document.dispatchEvent(new CustomEvent("liveblog:timeline"));
      added.find((article) => article.isConnected)?.focus({ preventScroll: true });
    } catch (error) {
      console.error(error);
      button.disabled = false;
      button.textContent = "Older updates (failed to load; try again)";
    }
  }

  // The links of both filters say where they lead now (a label keeps the view and back).
  function markFilters() {
    for (const link of document.querySelectorAll("nav.views a[data-view]")) {
      link.href = filterUrl(config.blogUrl, { view: link.dataset.view, label: state.label });
      if (link.dataset.view === state.view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    for (const link of document.querySelectorAll("nav.labels a[data-label]")) {
      const label = link.dataset.label;
      link.href = filterUrl(config.blogUrl, { view: state.view, label });
      if (!label) link.hidden = !state.label;
      else if (label.toLowerCase() === state.label?.toLowerCase()) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  async function show(filters, { push }) {
    const fragment = await fetchFragment(filterUrl(config.updatesUrl, filters));
    const region = byId("timeline");
    region.replaceChildren(fragment);
    state.viewShown(filters.view, filters.label);
    region.querySelectorAll("article.entry").forEach((article) => timeline.freshen(article));
    markFilters();
    updateTitle();
    if (push) history.pushState(filters, "", filterUrl(config.blogUrl, filters));
    enhanceOlder();
    timeline.refreshTimes(region);
    updateNewUpdatesButton();
    const what = state.view === "key-events" ? "key events" : "all updates";
    say(state.label ? `Showing ${what} labelled ${state.label}` : `Showing ${what}`);
    document.dispatchEvent(new CustomEvent("liveblog:timeline")); // other features re-dress it
  }

  function follow(link, filters) {
    link.addEventListener("click", (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
      event.preventDefault();
      const next = filters();
      const same = next.view === state.view && (next.label ?? null) === (state.label ?? null);
      if (same && state.firstPage) return;
      show(next, { push: true }).catch(() => {
        location.href = link.href; // the server-rendered page always works
      });
    });
  }

  for (const link of document.querySelectorAll("nav.views a[data-view]")) {
    follow(link, () => ({ view: link.dataset.view, label: state.label }));
  }
  for (const link of document.querySelectorAll("nav.labels a[data-label]")) {
    follow(link, () => ({ view: state.view, label: link.dataset.label || null }));
  }

  window.addEventListener("popstate", () => {
    const query = new URLSearchParams(location.search);
    const wanted = {
      view: query.get("view") === "key-events" ? "key-events" : "all",
      label: query.get("label") || null,
    };
    if (wanted.view !== state.view || wanted.label !== (state.label ?? null)) {
      show(wanted, { push: false }).catch(() => location.reload());
    }
  });

  enhanceOlder();
}
