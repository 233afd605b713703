// Keeps the reader page live: applies pushed events in place (README, "The push channel").
//
// The page works without this script. With it, the page opens a WebSocket with
// ?after=<the seq the page was rendered at>, applies every event exactly once (by seq), and on
// a drop, a gap or a server restart reconnects with backoff and ?after=<last applied seq>.
// Applying an entry is idempotent (keyed by entry id, newest state wins), so an event that is
// both on the page and replayed, or in a fetched fragment and pushed, shows once.
"use strict";

(() => {
  const configElement = document.getElementById("liveblog-config");
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);

  const BACKOFF_START_MS = 500;
  const BACKOFF_MAX_MS = 30_000;
  // A connection that stays up this long is healthy again: the next drop starts the backoff over.
  const STABLE_AFTER_MS = 2_000;
  const ANNOUNCE_DELAY_MS = 1_000;
  const REFRESH_TIMES_MS = 30_000;

  const byId = (id) => document.getElementById(id);
  const announcer = byId("announcer");
  const connection = byId("connection");
  const newUpdatesButton = byId("new-updates");

  let lastSeq = config.lastSeq;
  let view = config.view;
  let firstPage = config.firstPage;
  let baseTitle = document.title;
  let socket = null;
  let attempt = 0;
  let reconnectTimer = null;
  let stableTimer = null;
  let stopped = false;
  let unseen = 0; // new updates the reader has not seen yet, shown as "(N)" in the title
  let offPage = 0; // new updates for the first page while the reader is on a later one
  // Entry id -> {entry, seq}: the newest pushed state, to refresh HTML fetched before it.
  const latest = new Map();

  // --- Times: the blog's time zone, and "5 min ago" kept fresh ------------------------------

  const zoned = (options) => new Intl.DateTimeFormat("en-GB", { timeZone: config.timeZone, ...options });
  const clockFormat = zoned({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const dayFormat = zoned({ day: "numeric", month: "short" });
  const yearFormat = zoned({ year: "numeric" });
  const dateKeyFormat = zoned({ year: "numeric", month: "2-digit", day: "2-digit" });
  const fullFormat = zoned({
    weekday: "long", day: "numeric", month: "long", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  });

  function clock(date) {
    const now = new Date();
    const time = clockFormat.format(date);
    if (dateKeyFormat.format(date) === dateKeyFormat.format(now)) return time;
    const day = dayFormat.format(date);
    if (yearFormat.format(date) === yearFormat.format(now)) return `${day}, ${time}`;
    return `${day} ${yearFormat.format(date)}, ${time}`;
  }

  function ago(date, now) {
    const minutes = Math.floor((now - date) / 60_000);
    if (minutes < 1) return "just now";
    if (minutes < 60) return `${minutes} min ago`;
    const hours = Math.floor(minutes / 60);
    return hours < 24 ? `${hours} h ago` : "";
  }

  function refreshTimes(root = document) {
    const now = Date.now();
    for (const label of root.querySelectorAll("[data-ago]")) {
      const time = label.parentElement.querySelector("time[datetime]");
      const text = time ? ago(new Date(time.dateTime), now) : "";
      label.textContent = text;
    }
  }

  function timeElement(iso) {
    const date = new Date(iso);
    const time = document.createElement("time");
    time.dateTime = iso;
    time.title = fullFormat.format(date);
    time.textContent = clock(date);
    return time;
  }

  // --- Entries: built from the pushed dict, as liveblog/rendering.py builds them ---------

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const entryUrl = (id) => config.entryUrl.replace(config.entryUrlPlaceholder, id);

  function renderEntry(entry, { publishedSeq, seq }) {
    const retracted = entry.status === "retracted";
    const article = element("article", "entry");
    article.classList.toggle("is-key", entry.key_event);
    article.classList.toggle("is-pinned", entry.pinned);
    article.classList.toggle("is-retracted", retracted);
    article.id = `entry-${entry.id}`;
    article.tabIndex = -1;
    Object.assign(article.dataset, {
      entryId: entry.id,
      seq: publishedSeq ?? "",
      lastSeq: seq,
      revision: entry.revision,
      status: entry.status,
      occurredAt: entry.occurred_at,
      pinned: entry.pinned,
      keyEvent: entry.key_event,
    });

    const meta = element("header", "entry-meta");
    const anchor = element("a", "entry-time");
    anchor.href = `#${article.id}`;
    anchor.append(timeElement(entry.occurred_at));
    const agoLabel = element("span", "ago");
    agoLabel.dataset.ago = "";
    meta.append(anchor, " ", agoLabel);
    if (entry.pinned) meta.append(" ", element("span", "badge badge-pinned", "Pinned"));
    if (entry.key_event) meta.append(" ", element("span", "badge badge-key", "Key event"));
    article.append(meta);

    if (entry.headline && !retracted) article.append(element("h3", "entry-headline", entry.headline));
    const body = element("div", "entry-body");
    if (retracted) {
      body.append(element("p", "notice notice-retracted", `Retracted: ${entry.retraction_reason}`));
    } else {
      body.innerHTML = entry.body_html; // sanitized on the server (nh3) before it is stored
    }
    article.append(body);

    if (entry.revision > 1 && !retracted && entry.last_corrected_at) {
      const notice = element("p", "notice notice-corrected", "Corrected at ");
      const revisions = element("a", "", "Earlier versions");
      revisions.href = `${entryUrl(entry.id)}#revisions`;
      notice.append(timeElement(entry.last_corrected_at), `: ${entry.correction_reason} `, revisions);
      article.append(notice);
    }

    const footer = element("footer", "entry-links");
    const link = element("a", "permalink", "Link to this update");
    link.href = entryUrl(entry.id);
    footer.append(link);
    article.append(footer);
    refreshTimes(article);
    return article;
  }

  // --- Placement: pinned on top, the timeline newest first, pages beyond ours left alone ------

  const timelineList = () => byId("timeline-list");
  const pinnedList = () => byId("pinned-list");
  const hasOlderPages = () => Boolean(byId("older"));

  function isNewer(a, b) {
    const at = Date.parse(a.dataset.occurredAt);
    const bt = Date.parse(b.dataset.occurredAt);
    if (at !== bt) return at > bt;
    return Number(a.dataset.seq || 0) > Number(b.dataset.seq || 0);
  }

  // Put the article where it belongs in the list; false when it belongs on another page.
  function insertSorted(list, article) {
    const others = Array.from(list.children).filter((other) => other !== article);
    const index = others.findIndex((other) => isNewer(article, other));
    const isTimeline = list === timelineList();
    if (isTimeline && index === 0 && !firstPage) return false; // newer than this page
    if (index === -1) {
      if (isTimeline && hasOlderPages()) return false; // it will come with the older pages
      list.append(article);
    } else {
      list.insertBefore(article, others[index]);
    }
    return true;
  }

  function place(article, entry) {
    if (view === "key-events" && !entry.key_event) return false;
    if (view === "all" && entry.pinned) {
      const pinned = pinnedList();
      return pinned ? insertSorted(pinned, article) : false;
    }
    return insertSorted(timelineList(), article);
  }

  function updateEmptyStates() {
    const pinned = pinnedList();
    if (pinned) byId("pinned").hidden = pinned.children.length === 0;
    const empty = byId("timeline-empty");
    if (empty) empty.hidden = timelineList().children.length > 0 || Boolean(pinned?.children.length);
  }

  function holdBack(article) {
    article.classList.add("is-pending");
    article.hidden = true;
  }

  // Apply an entry's current state: "new" (first shown now), "updated", or null (not shown).
  function upsert(entry, { seq, published }) {
    const existing = byId(`entry-${entry.id}`);
    const publishedSeq = published ? seq : existing?.dataset.seq;
    const article = renderEntry(entry, { publishedSeq, seq });
    if (existing) {
      if (existing.classList.contains("is-pending")) holdBack(article);
      existing.replaceWith(article);
      if (!place(article, entry)) article.remove();
      updateEmptyStates();
      return "updated";
    }
    // Measured before inserting, and hidden in the same task: nothing moves under the reader.
    const away = published && readerIsAwayFromTop();
    article.classList.add("is-new");
    const placed = place(article, entry);
    if (placed && away && isFirstIn(article)) holdBack(article);
    updateEmptyStates();
    return placed ? "new" : null;
  }

  function isFirstIn(article) {
    const visible = Array.from(article.parentElement.children).filter(
      (other) => other === article || !other.classList.contains("is-pending"),
    );
    return visible[0] === article;
  }

  // Re-render an article fetched as HTML if a pushed event has changed it since.
  function freshen(article) {
    const known = latest.get(article.dataset.entryId);
    if (known && known.seq > Number(article.dataset.lastSeq || 0)) {
      upsert(known.entry, { seq: known.seq, published: false });
    }
  }

  // --- New updates: at the top, or behind a button when the reader has scrolled down -------

  function readerIsAwayFromTop() {
    return byId("timeline").getBoundingClientRect().top < 0;
  }

  function pendingArticles() {
    return Array.from(document.querySelectorAll("article.is-pending"));
  }

  function updateNewUpdatesButton() {
    const count = pendingArticles().length + offPage;
    newUpdatesButton.hidden = count === 0;
    newUpdatesButton.textContent = `${count} new update${count === 1 ? "" : "s"}`;
  }

  function updateTitle() {
    document.title = unseen > 0 ? `(${unseen}) ${baseTitle}` : baseTitle;
  }

  function revealPending({ scroll }) {
    const pending = pendingArticles();
    for (const article of pending) {
      article.classList.remove("is-pending");
      article.hidden = false;
    }
    if (!document.hidden) unseen = 0;
    updateNewUpdatesButton();
    updateTitle();
    if (scroll && pending.length) {
      byId("timeline").scrollIntoView({ block: "start" });
      pending[0].focus({ preventScroll: true });
    }
  }

  newUpdatesButton.addEventListener("click", () => {
    if (!firstPage) {
      location.href = config.blogUrl; // the new updates are on the first page
      return;
    }
    revealPending({ scroll: true });
  });

  let scrollQueued = false;
  window.addEventListener(
    "scroll",
    () => {
      if (scrollQueued) return;
      scrollQueued = true;
      requestAnimationFrame(() => {
        scrollQueued = false;
        if (!readerIsAwayFromTop() && firstPage) revealPending({ scroll: false });
      });
    },
    { passive: true },
  );

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && pendingArticles().length === 0) {
      unseen = 0;
      updateTitle();
    }
  });

  // --- Announcements: polite, batched, counts rather than whole bodies ----------------------

  const counts = { new: 0, corrected: 0, retracted: 0 };
  let announceTimer = null;

  function announce(kind) {
    counts[kind] += 1;
    clearTimeout(announceTimer);
    announceTimer = setTimeout(flushAnnouncements, ANNOUNCE_DELAY_MS);
  }

  function flushAnnouncements() {
    const plural = (n, one, many) => (n === 1 ? one : many.replace("N", n));
    const parts = [];
    if (counts.new) parts.push(plural(counts.new, "1 new update", "N new updates"));
    if (counts.corrected) parts.push(plural(counts.corrected, "1 update corrected", "N updates corrected"));
    if (counts.retracted) parts.push(plural(counts.retracted, "1 update retracted", "N updates retracted"));
    counts.new = counts.corrected = counts.retracted = 0;
    say(parts.join(", "));
  }

  function say(text) {
    // Emptying first makes a screen reader announce the same words twice in a row.
    announcer.textContent = "";
    setTimeout(() => {
      announcer.textContent = text;
    }, 50);
  }

  // --- Events ----------------------------------------------------------------------------

  function applyEntry(message) {
    const { entry, seq, type } = message;
    if (!entry) return;
    latest.set(entry.id, { entry, seq });
    const outcome = upsert(entry, { seq, published: type === "entry.published" });
    if (type === "entry.published" && outcome !== "updated") {
      const belongsHere = view === "all" || entry.key_event;
      if (outcome === null && !(belongsHere && !firstPage)) return; // not for this view
      // On a later page a new update lives on the first page: the button leads there.
      if (outcome === null) offPage += 1;
      const unseenNow = outcome === null || byId(`entry-${entry.id}`).hidden;
      if (document.hidden || unseenNow) unseen += 1;
      updateNewUpdatesButton();
      updateTitle();
      announce("new");
    } else if (type === "entry.corrected" && outcome) {
      announce("corrected");
    } else if (type === "entry.retracted" && outcome) {
      announce("retracted");
    }
  }

  function applyBlog(blog) {
    byId("blog-title").textContent = blog.title;
    baseTitle = view === "key-events" ? `${blog.title} · Key events` : blog.title;
    config.title = blog.title;
    updateTitle();
    const description = byId("blog-description");
    description.textContent = blog.description;
    description.hidden = !blog.description;
    const status = byId("blog-status");
    status.textContent = { live: "Live", closed: "Closed", draft: "Draft" }[blog.status] ?? blog.status;
    status.className = `status status-${blog.status}`;
  }

  function handle(message) {
    if (typeof message.seq !== "number" || message.seq <= lastSeq) return; // seen already
    if (message.seq > lastSeq + 1) {
      reconnect(); // a gap: ask the server for everything after the last seq we applied
      return;
    }
    lastSeq = message.seq;
    if (message.entry !== undefined) applyEntry(message);
    else if (message.blog) applyBlog(message.blog);
  }

  // --- The socket: reconnect with backoff and jitter, always ?after=<last seq> -------------

  const STATES = {
    connecting: "Connecting to live updates…",
    open: "Live: new updates appear here as they are published.",
    reconnecting: "Connection lost. Reconnecting…",
    off: "",
  };

  function setState(state) {
    connection.dataset.state = state;
    connection.textContent = STATES[state];
    connection.hidden = state === "off";
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${config.socketPath}?after=${lastSeq}`);
    socket = ws;
    if (connection.dataset.state !== "reconnecting") setState("connecting");
    ws.addEventListener("open", () => {
      if (socket !== ws) return;
      setState("open");
      stableTimer = setTimeout(() => {
        attempt = 0;
      }, STABLE_AFTER_MS);
    });
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      handle(message);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      clearTimeout(stableTimer);
      if (event.code === 4404 || event.code === 4400) {
        stopped = true; // the blog is gone or unpublished; retrying cannot help
        setState("off");
        return;
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (stopped) return;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** attempt);
    attempt = Math.min(attempt + 1, 16);
    setState("reconnecting");
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  function reconnect() {
    const ws = socket;
    socket = null;
    clearTimeout(stableTimer);
    if (ws) ws.close();
    scheduleReconnect();
  }

  window.addEventListener("online", () => {
    if (!socket && !stopped) connect();
  });

  // --- Older updates and the key events view, fetched as server-rendered HTML ---------------

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
    const button = element("button", "older-button", "Older updates");
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
      const list = timelineList();
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
      added.forEach(freshen);
      enhanceOlder();
      refreshTimes(list);
      updateEmptyStates();
      added.find((article) => article.isConnected)?.focus({ preventScroll: true });
    } catch (error) {
      console.error(error);
      button.disabled = false;
      button.textContent = "Older updates (failed to load; try again)";
    }
  }

  async function showView(next, { push }) {
    const url = next === "key-events" ? `${config.updatesUrl}?view=key-events` : config.updatesUrl;
    const fragment = await fetchFragment(url);
    const region = byId("timeline");
    region.replaceChildren(fragment);
    view = next;
    firstPage = true;
    offPage = 0;
    region.querySelectorAll("article.entry").forEach(freshen);
    for (const link of document.querySelectorAll("nav.views a[data-view]")) {
      if (link.dataset.view === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    baseTitle = view === "key-events" ? `${config.title} · Key events` : config.title;
    updateTitle();
    if (push) {
      const target = view === "key-events" ? `${config.blogUrl}?view=key-events` : config.blogUrl;
      history.pushState({ view }, "", target);
    }
    enhanceOlder();
    refreshTimes(region);
    updateNewUpdatesButton();
    say(view === "key-events" ? "Showing key events" : "Showing all updates");
  }

  for (const link of document.querySelectorAll("nav.views a[data-view]")) {
    link.addEventListener("click", (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
      event.preventDefault();
      if (link.dataset.view === view && firstPage) return;
      showView(link.dataset.view, { push: true }).catch(() => {
        location.href = link.href; // the server-rendered view always works
      });
    });
  }

  window.addEventListener("popstate", () => {
    const wanted = new URLSearchParams(location.search).get("view") === "key-events" ? "key-events" : "all";
    if (wanted !== view) showView(wanted, { push: false }).catch(() => location.reload());
  });

  // --- Start -------------------------------------------------------------------------------

  enhanceOlder();
  refreshTimes();
  setInterval(() => refreshTimes(), REFRESH_TIMES_MS);
  if (config.live) connect();
})();
