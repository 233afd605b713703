// Readers whose network refuses WebSockets poll the log's cacheable pages instead (README,
// "Readers without WebSockets"): the same events as the push channel, through the same
// state.receive() and apply(), so nothing is shown twice or missed. live.js loads this module
// when connection.js gives up on its socket (so the first render does not carry it); the
// poller runs until the socket, tried again now and then, opens.
//
// Every reader asks for the same URLs (pages aligned on `limit`, caching.py's POLL_PAGE_LIMIT),
// so a CDN or nginx answers nearly all of them. A closed page carries what each event is, not
// its entry (a retraction must not be cached for a year): the entry, as it is now, is read
// on its own, as the push channel's catch-up would send it.

import { backoffDelay } from "./connection.js";

const MAX_BACKOFF_STEPS = 4; // on errors: 2, 4, 8, 16 times the interval
// While polling, the socket is tried again on its own backoff, this many steps further on
// than its failures in a row: after 2-4 s when two refusals made the page poll, then twice as
// long after each failure (a socket that opens but drops within 2 s is one), up to 15-30 s.
const PROBE_STEPS_AHEAD = 1;

// connection.js's fallback: poll while its socket fails, and have it try the socket again.
// `options`: the page's config.poll (api, limit, intervalMs).
export function fallBack(connection, options) {
  if (connection.poller) return connection.poller.probeLater(connection);
  if (connection.socket || connection.stopped) return; // the socket is back
  const { state, apply, timers, random } = connection;
  connection.poller = new Poller({ state, apply, timers, random, ...options });
  connection.setStatus("polling");
  connection.poller.start(connection);
}

export class Poller {
  // `api` is the blog's API URL ("/api/blogs/<slug>/"); `limit` and `intervalMs` come from the
  // server (caching.POLL_PAGE_LIMIT, POLL_SECONDS). fetch and the timers can be stand-ins.
  constructor({
    api, limit, intervalMs, state, apply,
    fetch = (url, init) => globalThis.fetch(url, init), timers = globalThis, random = Math.random,
  }) {
    Object.assign(this, { api, limit, intervalMs, state, apply, fetch, timers, random });
    this.round = this.errors = 0;
    this.timer = this.probe = null;
  }

  // Poll from the state's last seq, and have `connection` try its socket now and then.
  start(connection) {
    this.poll(++this.round);
    this.probeLater(connection);
  }

  stop() {
    this.round += 1; // a poll under way applies nothing more
    this.timers.clearTimeout(this.timer);
    this.timers.clearTimeout(this.probe);
  }

  // The next try of the socket (its failure calls this again, one step later).
  probeLater(connection) {
    const delay = backoffDelay(PROBE_STEPS_AHEAD + connection.failures, this.random());
    this.timers.clearTimeout(this.probe);
    this.probe = this.timers.setTimeout(() => connection.socket || connection.connect(), delay);
  }

  // The page holding the seq after `after`, as every other reader asks for it.
  pageUrl(after) {
    return `${this.api}events/?after=${after - (after % this.limit)}&limit=${this.limit}`;
  }

  async poll(round) {
    let url = this.pageUrl(this.state.lastSeq);
    try {
      for (;;) {
        const page = await this.read(url);
        const events = page.next ? await this.withContent(page.results) : page.results;
        if (round !== this.round) return;
        // A closed page, all applied: the next one at once. Else wait for the next poll.
        if (!this.take(events) || !page.next) break;
        const next = new URL(page.next, "http://same-origin.invalid/");
        url = next.pathname + next.search;
      }
      this.errors = 0;
    } catch (error) {
      if (round !== this.round) return;
      console.warn("live updates: polling failed", error);
      this.errors = Math.min(this.errors + 1, MAX_BACKOFF_STEPS);
    }
    const delay = this.intervalMs * 2 ** this.errors * (0.9 + 0.2 * this.random());
    this.timer = this.timers.setTimeout(() => this.poll(round), delay);
  }

  // Each event the state accepts, in order; false after a gap (asked for again next poll).
  take(events) {
    for (const event of events) {
      const verdict = this.state.receive(event);
      if (verdict === "catch-up") return false;
      if (verdict === "apply") this.apply(event);
    }
    return true;
  }

  // A closed page's events with their entry (or blog) as the push channel sends them: as it
  // is now, read once per page, for events not applied yet. An entry no longer public is null.
  withContent(events) {
    const about = (event) => event.entry_id ?? (event.type.startsWith("blog.") ? "blog" : null);
    const fresh = events.filter((event) => event.seq > this.state.lastSeq && about(event));
    const latest = new Map(fresh.map((event) => [about(event), event])); // each one's last event
    const reads = new Map();
    const read = (key) => {
      if (!reads.has(key)) reads.set(key, this.asOf(latest.get(key)));
      return reads.get(key);
    };
    return Promise.all(
      events.map(async (event) => {
        if (!fresh.includes(event)) return event;
        return { ...event, [event.entry_id ? "entry" : "blog"]: await read(about(event)) };
      }),
    );
  }

  // The event's entry (or blog) as of the event at least. A cache's copy from before it (a
  // second or two old) lacks a correction or a retraction: ask under a URL no cache has seen.
  async asOf({ seq, entry_id: id, recorded_at: recorded }) {
    const url = id ? `${this.api}entries/${id}/` : this.api;
    const copy = await this.read(url, { missing: null });
    const stale = copy && Date.parse(copy.updated_at) < Date.parse(recorded);
    return stale ? this.read(`${url}?seq=${seq}`, { missing: null }) : copy;
  }

  // JSON from the API, anonymously (as the push channel's readers are, so caches share it).
  async read(url, { missing } = {}) {
    const response = await this.fetch(url, { headers: { Accept: "application/json" }, credentials: "omit" });
    if (response.status === 404 && missing !== undefined) return missing;
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }
}
