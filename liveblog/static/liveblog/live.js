// Keeps the reader page live (README, "The live client"); the page works without it. This
// module wires the others to the page: live/state.js (seqs, counters; no DOM), times.js,
// entries.js (articles), connection.js (the socket). blog.html preloads each module.
//
// The features in LATER are modules of their own, imported once the page has loaded; the
// polling fallback (live/polling.js) is imported only where the socket fails.
import { Connection } from "./live/connection.js";
import { Timeline } from "./live/entries.js";
import { LiveState, announcement, newUpdatesText } from "./live/state.js";
import { Times } from "./live/times.js";

// Loaded after the first render: older updates and filters, the reader's time zone, sharing
// each update, "back to the latest", and "since your last visit".
const LATER = [
  () => import("./live/views.js"),
  () => import("./live/zones.js"),
  () => import("./live/share.js"),
  () => import("./live/latest.js"),
  () => import("./live/visits.js"),
];
const ANNOUNCE_DELAY_MS = 1_000;
const REFRESH_TIMES_MS = 30_000;
const STATUS_TEXT = {
  connecting: "Connecting to live updates…",
  open: "Live: new updates appear here as they are published.",
  reconnecting: "Connection lost. Reconnecting…",
  off: "",
};
// A closed blog is followed still (corrections and retractions reach open pages), but it
// must not promise new updates: honest about its state (README, "For readers").
const CLOSED_OPEN_TEXT = "Coverage has ended. Corrections and retractions still appear here.";

const configElement = document.getElementById("liveblog-config");
if (configElement) start(JSON.parse(configElement.textContent));

function start(config) {
  const byId = (id) => document.getElementById(id);
  const announcer = byId("announcer");
  const connectionStatus = byId("connection");
  const newUpdatesButton = byId("new-updates");

  const state = new LiveState({ ...config, blogTitle: config.title, baseTitle: document.title });
  const timeline = new Timeline({
    document,
    state,
    times: new Times(config.timeZone),
    entryUrl: (id) => config.entryUrl.replace(config.entryUrlPlaceholder, id),
    correctionsUrl: config.correctionsUrl,
  });
  let blogStatus = config.status;

  // --- New updates: on top, or behind a button when the reader has scrolled down

  function updateNewUpdatesButton() {
    const count = state.newUpdates(timeline.held().length);
    newUpdatesButton.hidden = count === 0;
    newUpdatesButton.textContent = newUpdatesText(count);
  }

  function updateTitle() {
    document.title = state.title;
  }

  function revealHeld({ scroll }) {
    const held = timeline.reveal();
    state.revealed({ pageHidden: document.hidden });
    updateNewUpdatesButton();
    updateTitle();
    if (scroll && held.length) {
      byId("timeline").scrollIntoView({ block: "start" });
      held[0].focus({ preventScroll: true });
    }
  }

  newUpdatesButton.addEventListener("click", () => {
    if (!state.firstPage) {
      location.href = config.blogUrl; // the new updates are on the first page
      return;
    }
    revealHeld({ scroll: true });
  });

  let scrollQueued = false;
  window.addEventListener(
    "scroll",
    () => {
      if (scrollQueued) return;
      scrollQueued = true;
      requestAnimationFrame(() => {
        scrollQueued = false;
        if (!timeline.readerIsAwayFromTop() && state.firstPage) revealHeld({ scroll: false });
      });
    },
    { passive: true },
  );

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) return;
    state.pageShown({ held: timeline.held().length });
    updateTitle();
  });

  // --- Announcements: polite, batched, counts rather than whole bodies

  let counts = {};
  let announceTimer = null;

  function announce(kind) {
    counts[kind] = (counts[kind] ?? 0) + 1;
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      say(announcement(counts));
      counts = {};
    }, ANNOUNCE_DELAY_MS);
  }

  function say(text) {
    // Emptying first makes a screen reader announce the same words twice in a row.
    announcer.textContent = "";
    setTimeout(() => {
      announcer.textContent = text;
    }, 50);
  }

  // --- Events, each once and in seq order (the state decides)

  function applyEntry(message) {
    const { entry, seq, type } = message;
    if (!entry) return;
    const placement = timeline.upsert(entry, { seq, published: type === "entry.published" });
    const news = state.applied(message, placement, { pageHidden: document.hidden });
    if (news === "new") {
      updateNewUpdatesButton();
      updateTitle();
    }
    if (news) announce(news);
  }

  function applyBlog(blog) {
    byId("blog-title").textContent = blog.title;
    state.renamed(blog.title);
    updateTitle();
    const description = byId("blog-description");
    description.textContent = blog.description;
    description.hidden = !blog.description;
    const status = byId("blog-status");
    status.textContent = { live: "Live", closed: "Closed", draft: "Draft" }[blog.status] ?? blog.status;
    status.className = `status status-${blog.status}`;
    blogStatus = blog.status;
    showConnection(connectionStatus.dataset.state);
  }

  function showConnection(status) {
    connectionStatus.dataset.state = status;
    const live = status === "polling" ? "open" : status;
    connectionStatus.textContent = live === "open" && blogStatus === "closed" ? CLOSED_OPEN_TEXT : STATUS_TEXT[live];
    connectionStatus.hidden = status === "off";
  }

  function apply(message) {
    if (message.entry !== undefined) applyEntry(message);
    else if (message.blog) applyBlog(message.blog);
  }

  const connection = new Connection({
    url: `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${config.socketPath}`,
    state,
    apply,
    onStatus: showConnection,
    heartbeatMs: config.heartbeatMs,
    // No socket: poll. A failed import (no server either) stays failed: retry at another URL.
    fallback: (connection) =>
      import(`./live/polling.js?${connection.attempt}`).then(
        (polling) => polling.fallBack(connection, config.poll),
        () => connection.scheduleReconnect(),
      ),
  });
  window.addEventListener("online", () => connection.online());

  // --- Features a first render does without, each a module fetched after the page has loaded
  // (the first render's JavaScript stays under 30 KB: tests/test_static.py). Each gets what it
  // needs of the page through `page`.

  const page = { config, state, timeline, byId, say, updateNewUpdatesButton, updateTitle };
  const later = () => {
    for (const load of LATER) load().then((module) => module.enhance(page)).catch(console.error);
  };
  if (document.readyState === "complete") later();
  else window.addEventListener("load", later, { once: true });

  // --- Start

  timeline.refreshTimes();
  setInterval(() => timeline.refreshTimes(), REFRESH_TIMES_MS);
  if (config.live) connection.connect();
}
