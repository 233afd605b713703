// The live desk: colleagues' changes appear without a reload, and the presence bar shows who
// else is here and what they do (liveblog.desk_consumer). Included by the desk and by the
// correction and retraction forms (admin/liveblog/includes/desk_live.html).
//
// On each notice of committed events it re-reads the desk's live regions ([data-desk-live],
// by id) from the server and swaps them in, except a region the editor is typing in, which
// waits until they leave it; the composer is never a live region.

import { Watchdog, backoffDelay } from "../live/connection.js";
import { Presence, REVISION_CHANGES, activity, staleWarning } from "./presence.js";

const bar = document.getElementById("desk-presence");
const REFRESH_DELAY_MS = 80;
const WRITING_IDLE_MS = 10_000;
// Each desk hears its own presence every heartbeat (the group's messages reach it too): a
// socket that brings nothing for this many heartbeats is dead, though it looks open.
const SILENT_BEATS = 2.5;
const EDITABLE = "input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=checkbox]):not([type=radio]), textarea, select";

if (bar && "WebSocket" in window) {
  start(bar);
}

function start(bar) {
  const list = bar.querySelector("[data-presence-list]");
  const status = bar.querySelector("[data-presence-status]");
  const warning = document.getElementById("desk-live-warning");
  const page = {
    doing: bar.dataset.doing || "viewing",
    entry: bar.dataset.entry || null,
    liveUrl: bar.dataset.liveUrl || null,
  };
  let presence = new Presence();
  let socket = null;
  let attempt = 0;
  let heartbeat = null;
  let watchdog = null;
  let doing = page.doing;
  let changedBy = null;

  function say() {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ doing, entry: page.entry }));
    }
  }

  function setDoing(next) {
    if (next !== doing) {
      doing = next;
      say();
    }
  }

  function render() {
    list.replaceChildren(
      ...presence.people().map((person) => {
        const item = document.createElement("li");
        item.className = `liveblog-presence-${person.doing}`;
        item.dataset.user = person.user;
        item.dataset.doing = person.doing;
        const name = document.createElement("strong");
        name.textContent = person.you ? `${person.name} (you)` : person.name;
        item.append(name, ` ${activity(person, entryName(person.entry))}`);
        return item;
      }),
    );
    markRows();
    if (warning && page.entry) {
      const text = staleWarning({ others: presence.changing(page.entry), changedBy });
      warning.hidden = text === null;
      warning.textContent = text || "";
    }
  }

  // "this update" on its own form; on the desk, its headline (or first words) if listed.
  function entryName(entryId) {
    if (!entryId) return undefined;
    if (entryId === page.entry) return "this update";
    const row = document.getElementById(`entry-${entryId}`);
    const text = row && (row.querySelector(".liveblog-entry-text h3") || row.querySelector(".liveblog-entry-body"));
    const words = text ? text.textContent.trim().replace(/\s+/g, " ") : "";
    if (!words) return undefined;
    return `“${words.length > 40 ? `${words.slice(0, 39)}…` : words}”`;
  }

  // On the desk: the entries a colleague is correcting say so.
  function markRows() {
    const changing = new Map();
    for (const socket of presence.sockets.values()) {
      if (socket.id !== presence.me && socket.entry && socket.doing !== "writing") {
        changing.set(socket.entry, `${socket.name} is ${socket.doing} this update.`);
      }
    }
    document.querySelectorAll("[data-desk-live] tr[id^=entry-]").forEach((row) => {
      const text = changing.get(row.id.slice("entry-".length));
      let note = row.querySelector(".liveblog-being-changed");
      if (!text) {
        note?.remove();
        return;
      }
      if (!note) {
        note = document.createElement("p");
        note.className = "liveblog-being-changed";
        row.querySelector(".liveblog-entry-cell")?.prepend(note);
      }
      note.textContent = text;
    });
  }

  function setStatus(text, state) {
    bar.dataset.state = state;
    status.textContent = text;
  }

  // --- the desk's lists --------------------------------------------------------------------
  let refreshTimer = null;
  let refreshing = false;
  let again = false;
  let waiting = new Set();

  function refreshSoon() {
    if (!page.liveUrl) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, REFRESH_DELAY_MS);
  }

  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      const response = await fetch(page.liveUrl, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.ok) {
        swap(new DOMParser().parseFromString(await response.text(), "text/html"));
      }
    } catch {
      /* The next notice or reconnect tries again. */
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        refreshSoon();
      }
    }
  }

  function swap(fresh) {
    fresh.querySelectorAll("[data-desk-live][id]").forEach((region) => {
      const current = document.getElementById(region.id);
      if (!current) return;
      if (current.contains(document.activeElement) && document.activeElement.matches(EDITABLE)) {
        // The editor is typing here: the new version waits until they leave it.
        if (!waiting.has(current.id)) {
          waiting.add(current.id);
          current.addEventListener("focusout", () => setTimeout(retryWaiting, 0), { once: true });
        }
        return;
      }
      // Text typed into a form of the region (and not sent) stays, in its old element.
      const kept = [...current.querySelectorAll(EDITABLE)].filter(changedByHand);
      const adopted = document.importNode(region, true);
      for (const field of kept) {
        const holder = field.closest("[id]");
        const twin = holder && holder !== current ? adopted.querySelector(`#${CSS.escape(holder.id)}`) : null;
        if (twin) twin.replaceWith(holder);
      }
      current.replaceWith(adopted);
    });
    markRows();
    document.dispatchEvent(new CustomEvent("liveblog:desk-refreshed"));
  }

  function changedByHand(field) {
    if (field.tagName === "SELECT") {
      return [...field.options].some((option) => option.selected !== option.defaultSelected);
    }
    return field.value !== field.defaultValue;
  }

  function retryWaiting() {
    if (waiting.size) {
      waiting = new Set();
      refreshSoon();
    }
  }

  // --- the socket ----------------------------------------------------------------------
  function receive(message) {
    switch (message.kind) {
      case "hello":
        watchdog.ms = message.heartbeat * 1000 * SILENT_BEATS;
        presence = new Presence({ me: message.id, timeout: message.timeout });
        clearInterval(heartbeat);
        heartbeat = setInterval(() => {
          say();
          if (presence.expire()) render();
        }, message.heartbeat * 1000);
        // Catch up with anything missed while away.
        if (attempt > 0) refreshSoon();
        attempt = 0;
        setStatus("Live", "open");
        say();
        break;
      case "presence":
        presence.seen(message);
        render();
        break;
      case "left":
        if (presence.left(message.id)) render();
        break;
      case "events":
        for (const event of message.events) {
          if (page.entry && event.entry_id === page.entry && REVISION_CHANGES.has(event.type)) {
            const colleague = [...presence.sockets.values()].find((s) => s.user === event.actor);
            changedBy = colleague ? colleague.name : event.actor;
            render();
          }
        }
        refreshSoon();
        break;
      default:
        break;
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${bar.dataset.socket}`);
    socket = ws;
    watchdog?.stop();
    watchdog = new Watchdog({ ms: 0, onSilent: () => lost(ws, 1006) });
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return;
      receive(JSON.parse(event.data));
      watchdog.heard();
    });
    ws.addEventListener("close", (event) => lost(ws, event.code));
  }

  // Closed, or silent too long (closed here: the browser may report that close much later).
  function lost(ws, code) {
    if (socket !== ws) return;
    socket = null;
    ws.close();
    watchdog.stop();
    clearInterval(heartbeat);
    presence = new Presence();
    render();
    if (code === 4401 || code === 4404) {
      setStatus("Not live: signed out, or no longer a member of this blog. Reload to try again.", "off");
      return;
    }
    setStatus("Reconnecting…", "reconnecting");
    setTimeout(connect, backoffDelay(attempt++, Math.random()));
  }

  // --- what this editor is doing ----------------------------------------------------------
  const composer = document.getElementById("desk-form");
  if (composer && page.doing === "viewing") {
    let idle = null;
    composer.addEventListener("input", () => {
      setDoing("writing");
      clearTimeout(idle);
      idle = setTimeout(() => setDoing("viewing"), WRITING_IDLE_MS);
    });
    composer.addEventListener("submit", () => {
      clearTimeout(idle);
      setDoing("viewing");
    });
  }

  setStatus("Connecting…", "connecting");
  connect();
}
