// live/polling.js with live/connection.js and live/state.js: readers whose WebSockets fail
// poll the log's cacheable pages, see each event once and in order, and go back to the socket
// when it works again. The API, the socket and the timers are stand-ins; the API answers as
// liveblog/api/views.py's EventListView does (aligned pages; a closed one without entries).
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { Connection } from "../../liveblog/static/liveblog/live/connection.js";
import { Poller, fallBack } from "../../liveblog/static/liveblog/live/polling.js";
import { LiveState } from "../../liveblog/static/liveblog/live/state.js";
import { Clock, FakeSocket } from "./fakes.js";

const API = "/api/blogs/election-night/";
const SOCKET = "ws://example.test/ws/blogs/election-night/";
const POLL = { api: API, limit: 20, intervalMs: 2_000 };

// The blog's log and its entries as they are now; answers what the poller fetches.
class FakeApi {
  constructor(lastSeq) {
    this.log = [];
    this.entries = new Map();
    this.blog = { slug: "election-night", title: "Election night", status: "live" };
    this.requests = [];
    this.down = false;
    this.omit = new Set(); // seqs an open page leaves out (as a cache that raced the log)
    this.cached = new Map(); // URL -> an older copy a cache still serves for it
    for (let seq = 1; seq <= lastSeq; seq += 1) this.publish(`entry-${seq}`, `Update ${seq}`);
  }

  get lastSeq() {
    return this.log.length;
  }

  // A new event's time, and its entry's updated_at (as projections.py sets both).
  get now() {
    return new Date(Date.UTC(2026, 10, 28, 6, 0, this.log.length + 1)).toISOString();
  }

  append(type, entryId) {
    this.log.push({ seq: this.lastSeq + 1, type, entry_id: entryId, recorded_at: this.now });
    return this.lastSeq;
  }

  publish(id, body) {
    this.entries.set(id, { id, body, status: "published", revision: 1, updated_at: this.now });
    return this.append("entry.published", id);
  }

  correct(id, body) {
    const entry = this.entries.get(id);
    this.entries.set(id, { ...entry, body, revision: entry.revision + 1, updated_at: this.now });
    return this.append("entry.corrected", id);
  }

  retract(id) {
    // As EntrySerializer withholds a retracted entry's words.
    const reason = "Wrong figures";
    this.entries.set(id, { id, body: "", status: "retracted", retraction_reason: reason, updated_at: this.now });
    return this.append("entry.retracted", id);
  }

  rename(title) {
    this.blog = { ...this.blog, title };
    return this.append("blog.renamed", null);
  }

  json(status, body) {
    return { ok: status === 200, status, json: async () => structuredClone(body) };
  }

  fetch = async (url, init) => {
    this.requests.push(url);
    assert.equal(init.credentials, "omit", "anonymous, so that caches share the answers");
    if (this.down) throw new TypeError("Failed to fetch");
    if (this.cached.has(url)) return this.json(200, this.cached.get(url));
    const { pathname, searchParams } = new URL(url, "http://example.test");
    if (pathname === API) return this.json(200, this.blog);
    const entry = pathname.match(/entries\/([^/]+)\/$/);
    if (entry) {
      const found = this.entries.get(entry[1]);
      return found ? this.json(200, { ...found, revisions: [] }) : this.json(404, { detail: "Not found." });
    }
    assert.equal(pathname, `${API}events/`);
    const after = Number(searchParams.get("after"));
    const limit = Number(searchParams.get("limit"));
    const end = (Math.floor(after / limit) + 1) * limit;
    const closed = this.lastSeq >= end;
    const events = this.log.filter((event) => event.seq > after && event.seq <= end);
    const results = closed
      ? events.map((event) => ({ ...event }))
      : events
          .filter((event) => !this.omit.has(event.seq))
          .map((event) =>
            event.entry_id
              ? { ...event, entry: this.entries.get(event.entry_id) }
              : { ...event, blog: this.blog },
          );
    const next = closed ? `http://example.test${API}events/?after=${end}&limit=${limit}` : null;
    return this.json(200, { next, results });
  };
}

// Lets the poller's awaited fetches settle.
const settle = () => new Promise((resolve) => setImmediate(resolve));

let clock;
let api;
let state;
let applied;

// Time passes in small steps, and the poller's requests are answered in between.
async function wait(ms) {
  for (let waited = 0; ; waited += 100) {
    for (let i = 0; i < 5; i += 1) await settle();
    if (waited >= ms) return;
    clock.advance(100);
  }
}

const seqs = () => applied.map((message) => message.seq);

beforeEach(() => {
  FakeSocket.opened = [];
  clock = new Clock();
  api = new FakeApi(10);
  state = new LiveState({ lastSeq: 10, view: "all", firstPage: true, blogTitle: "Election night" });
  applied = [];
});

// A poller started with no socket to go back to.
function started() {
  const polling = new Poller({
    ...POLL,
    state,
    apply: (message) => applied.push(message),
    fetch: api.fetch,
    timers: clock,
    random: () => 0.5, // exactly the interval
  });
  polling.start({ socket: null, connect() {} });
  return polling;
}

// A reader that has seen entries up to lastSeq starts polling, and has its first answer.
async function pollingFrom(lastSeq) {
  state.lastSeq = lastSeq;
  for (let seq = 11; seq <= lastSeq; seq += 1) api.publish(`entry-${seq}`, `Update ${seq}`);
  const polling = started();
  await wait(0);
  return polling;
}

describe("the poller", () => {
  test("asks every reader's URL for the open page and applies each new event once", async () => {
    const polling = started();
    await wait(0);
    assert.deepEqual(api.requests, [`${API}events/?after=0&limit=20`], "aligned, not after=10");
    assert.deepEqual(seqs(), []);
    api.publish("entry-11", "Count under way");
    api.publish("entry-12", "First result");
    await wait(2_000);
    assert.deepEqual(seqs(), [11, 12]);
    assert.equal(applied[0].entry.body, "Count under way");
    await wait(2_000);
    assert.deepEqual(seqs(), [11, 12], "the same page again applies nothing twice");
    assert.equal(api.requests.length, 3, "one request a poll, every 2 s");
    assert.equal(state.lastSeq, 12);
    polling.stop();
  });

  test("follows next across a closed page, reading each entry there once, as it is now", async () => {
    const polling = await pollingFrom(17);
    api.publish("entry-18", "Turnout at 48%");
    api.correct("entry-18", "Turnout at 46%");
    api.correct("entry-18", "Turnout at 46.5%");
    api.publish("entry-21", "Polls closed");
    api.retract("entry-17");
    api.rename("Election night: the results");
    assert.equal(api.lastSeq, 23);
    api.requests = [];
    await wait(2_000);
    assert.deepEqual(api.requests, [
      `${API}events/?after=0&limit=20`, // closed now: events 18-20 without their entries
      `${API}entries/entry-18/`, // once for its three events
      `${API}events/?after=20&limit=20`, // its next, at once: open, with the entries
    ]);
    assert.deepEqual(seqs(), [18, 19, 20, 21, 22, 23]);
    assert.deepEqual(
      applied.slice(0, 3).map((message) => [message.type, message.entry.body]),
      [
        ["entry.published", "Turnout at 46.5%"],
        ["entry.corrected", "Turnout at 46.5%"],
        ["entry.corrected", "Turnout at 46.5%"],
      ],
      "as the push channel's catch-up sends them: the entry as it is now",
    );
    assert.equal(applied[4].entry.status, "retracted");
    assert.equal(applied[5].blog.title, "Election night: the results");
    polling.stop();
  });

  test("a closed page's retracted entry and blog event are read on their own, never cached text", async () => {
    api.publish("entry-11", "An exit poll shows a landslide");
    api.retract("entry-11");
    api.rename("Election night: the count");
    api.publish("entry-gone", "Deleted since");
    api.entries.delete("entry-gone"); // no longer public: 404, like an entry the server cannot find
    for (let seq = 15; seq <= 21; seq += 1) api.publish(`entry-${seq}`, `Update ${seq}`);
    const polling = started();
    await wait(0);
    assert.deepEqual(seqs().slice(0, 3), [11, 12, 13]);
    assert.deepEqual(applied[0].entry, applied[1].entry, "one read for both events");
    assert.equal(applied[0].entry.status, "retracted");
    assert.ok(!JSON.stringify(applied.slice(0, 2)).includes("landslide"));
    assert.equal(applied[2].blog.title, "Election night: the count");
    assert.equal(applied[3].seq, 14);
    assert.equal(applied[3].entry, null, "as the push channel sends an entry it cannot find");
    assert.deepEqual(seqs(), Array.from({ length: 11 }, (_, i) => 11 + i));
    polling.stop();
  });

  test("an entry a cache kept from before a closed page's retraction is read again past the cache", async () => {
    const polling = await pollingFrom(18);
    api.publish("entry-19", "An exit poll shows a landslide");
    const url = `${API}entries/entry-19/`;
    api.cached.set(url, { ...api.entries.get("entry-19"), revisions: [] }); // read by another reader
    api.retract("entry-19"); // seq 20 closes the page of 20
    api.publish("entry-21", "Polls closed");
    await wait(2_200);
    assert.deepEqual(
      api.requests.filter((request) => request.includes("entries/")),
      [url, `${url}?seq=20`], // the copy is as new as the publication, older than the retraction
    );
    assert.deepEqual(seqs(), [19, 20, 21]);
    assert.equal(applied[1].type, "entry.retracted");
    assert.equal(applied[1].entry.status, "retracted");
    assert.ok(!JSON.stringify(applied).includes("landslide"), "the retracted text never applied");
    polling.stop();
  });

  test("after a gap in a page it asks again from the last seq applied, and misses nothing", async () => {
    api.publish("entry-11", "One");
    api.publish("entry-12", "Two");
    api.publish("entry-13", "Three");
    api.omit.add(12);
    const polling = started();
    await wait(0);
    assert.deepEqual(seqs(), [11], "13 waits for 12");
    api.omit.clear();
    await wait(2_000);
    assert.deepEqual(seqs(), [11, 12, 13]);
    polling.stop();
  });

  test("when the API fails it waits longer each time, then catches up on everything", async (t) => {
    const warned = t.mock.method(console, "warn", () => {});
    api.down = true;
    const polling = started();
    await wait(0);
    api.publish("entry-11", "One");
    const times = [];
    for (let n = 0; n < 4; n += 1) {
      const before = api.requests.length;
      const start = clock.now;
      while (api.requests.length === before) await wait(100);
      times.push(clock.now - start);
    }
    assert.deepEqual(times, [4_000, 8_000, 16_000, 32_000]);
    assert.equal(warned.mock.callCount(), 5, "each failure in the console");
    api.down = false;
    await wait(32_000);
    assert.deepEqual(seqs(), [11]);
    api.publish("entry-12", "Two");
    await wait(2_000);
    assert.deepEqual(seqs(), [11, 12], "back to the interval");
    polling.stop();
  });

  test("once stopped, a poll under way applies nothing and no other starts", async () => {
    api.publish("entry-11", "One");
    const polling = started();
    polling.stop(); // before the first answer
    await wait(10_000);
    assert.deepEqual(seqs(), []);
    assert.equal(api.requests.length, 1);
  });
});

describe("falling back from the socket to polling and back", () => {
  let statuses;
  let connection;
  const latest = () => FakeSocket.opened.at(-1);

  const connectionFallingBackTo = (fallback, options = {}) =>
    new Connection({
      url: SOCKET,
      state,
      apply: (message) => applied.push(message),
      onStatus: (status) => statuses.push(status),
      fallback,
      WebSocket: FakeSocket,
      timers: clock,
      random: () => 1, // the longest wait of each backoff step
      ...options,
    });
  // What live.js does, without the dynamic import.
  const polling = (self) => Promise.resolve().then(() => fallBack(self, { ...POLL, fetch: api.fetch }));

  // The socket is refused twice (a proxy that does not pass WebSockets): the page falls back.
  async function refusedTwice() {
    connection.connect();
    latest().drop();
    assert.equal(statuses.at(-1), "reconnecting");
    await wait(500);
    latest().drop();
  }

  // Time passes until the connection tries the socket again.
  async function nextTry() {
    const before = FakeSocket.opened.length;
    while (FakeSocket.opened.length === before) await wait(100);
  }

  beforeEach(() => {
    statuses = [];
    connection = connectionFallingBackTo(polling);
  });

  test("refused twice, it polls; the socket is tried again, later each time; back, it is the socket", async () => {
    await refusedTwice();
    await wait(0);
    assert.equal(statuses.at(-1), "polling");
    const pollingSince = clock.now;
    assert.equal(api.requests.length, 1, "polled at once");
    api.publish("entry-11", "Count under way");
    await wait(2_200); // the interval, made 10 % longer by this test's random
    assert.deepEqual(seqs(), [11]);

    // The socket is tried again after 4 s, 8 s, 16 s, 30 s... while the page polls.
    const probes = [];
    let since = pollingSince;
    for (let n = 0; n < 5; n += 1) {
      await nextTry();
      probes.push(clock.now - since);
      since = clock.now;
      latest().drop();
    }
    assert.deepEqual(probes, [4_000, 8_000, 16_000, 30_000, 30_000]);
    assert.deepEqual(new Set(statuses.slice(statuses.indexOf("polling"))), new Set(["polling"]));

    // The socket works again: it catches up from the last seq the poller applied.
    while (FakeSocket.opened.length === 7) await wait(100);
    api.publish("entry-12", "First result");
    const socket = latest();
    assert.equal(socket.after, 11);
    socket.open();
    const requests = api.requests.length;
    assert.equal(statuses.at(-1), "open");
    const sent = { seq: 12, type: "entry.published", entry: api.entries.get("entry-12") };
    socket.send(sent);
    socket.send(sent);
    socket.send({ seq: 11, type: "entry.published", entry: api.entries.get("entry-11") });
    await wait(60_000);
    assert.equal(api.requests.length, requests, "no polling once the socket is open");
    assert.deepEqual(seqs(), [11, 12], "each once");
    assert.equal(FakeSocket.opened.length, 8, "and no more tries");
  });

  test("a handshake unanswered for 5 s polls at once", async () => {
    connection.connect();
    await wait(4_900);
    assert.equal(statuses.at(-1), "connecting");
    await wait(100);
    assert.ok(latest().closed, "the silent socket is given up");
    assert.equal(statuses.at(-1), "polling");
    assert.equal(api.requests.length, 1);
  });

  test("a socket that drops again soon after it came back falls back to polling again", async () => {
    await refusedTwice();
    await wait(4_000);
    assert.equal(statuses.at(-1), "polling");
    latest().open();
    assert.equal(statuses.at(-1), "open");
    api.publish("entry-11", "One");
    latest().drop(); // dropped before it proved stable
    await wait(0);
    assert.equal(statuses.at(-1), "polling");
    await wait(0);
    assert.deepEqual(seqs(), [11], "the poller picks up where the socket left off");
  });

  test("a proxy that opens the socket and cuts it at once: the tries grow further apart", async () => {
    await refusedTwice();
    await wait(0);
    const gaps = [];
    let since = clock.now;
    for (let n = 0; n < 4; n += 1) {
      await nextTry();
      gaps.push(clock.now - since);
      latest().open();
      await wait(1_000);
      latest().drop(); // within 2 s: not stable, a failure
      await wait(0);
      assert.equal(statuses.at(-1), "polling");
      since = clock.now;
    }
    assert.deepEqual(gaps, [4_000, 8_000, 16_000, 30_000]);
    api.publish("entry-11", "Still here");
    await wait(2_200);
    assert.deepEqual(seqs(), [11], "polled between the tries");
  });

  test("a socket that stays up, then drops, reconnects as before and polls only if it keeps failing", async () => {
    connection.connect();
    latest().open();
    await wait(2_000);
    latest().drop();
    assert.equal(statuses.at(-1), "reconnecting");
    await wait(500);
    latest().open(); // a restart: back at once
    assert.deepEqual(statuses, ["connecting", "open", "reconnecting", "open"]);
    assert.equal(api.requests.length, 0, "never polled");
  });

  test("a proxy that opens the socket but passes nothing: two silent sockets and it polls until one speaks", async () => {
    const BEAT = 10_000;
    const buffered = connectionFallingBackTo(polling, { heartbeatMs: BEAT });
    buffered.connect();
    latest().open();
    await wait(2.5 * BEAT); // up for long enough to look healthy, yet nothing came
    assert.ok(latest().closed);
    assert.equal(statuses.at(-1), "reconnecting");
    await wait(500);
    latest().open();
    await wait(2.5 * BEAT);
    assert.equal(statuses.at(-1), "polling", "the second silent socket: poll");
    api.publish("entry-11", "Count under way");
    await wait(2_200);
    assert.deepEqual(seqs(), [11]);

    // The next try of the socket opens as silently: the page goes on polling meanwhile.
    await nextTry();
    latest().open();
    api.publish("entry-12", "First result");
    await wait(2_200);
    assert.deepEqual(seqs(), [11, 12]);
    assert.equal(statuses.at(-1), "polling");
    await wait(2.5 * BEAT);
    assert.ok(latest().closed);

    // One that brings a heartbeat has a working path: it takes over from the poller.
    await nextTry();
    const socket = latest();
    assert.equal(socket.after, 12);
    socket.open();
    assert.equal(statuses.at(-1), "polling");
    socket.send({ type: "heartbeat", last_seq: 12, interval: BEAT / 1000 });
    assert.equal(statuses.at(-1), "open");
    const requests = api.requests.length;
    api.publish("entry-13", "Second result");
    socket.send({ seq: 13, type: "entry.published", entry: api.entries.get("entry-13") });
    await wait(20_000);
    assert.equal(api.requests.length, requests, "no polling once the socket speaks");
    assert.deepEqual(seqs(), [11, 12, 13], "each once");
  });

  test("when the poller cannot even be loaded (no server at all), it keeps reconnecting", async () => {
    let loads = 0;
    const unreachable = connectionFallingBackTo((self) => {
      loads += 1;
      return Promise.reject(new TypeError("import failed")).catch(() => self.scheduleReconnect());
    });
    unreachable.connect();
    for (let n = 0; n < 4; n += 1) {
      const before = FakeSocket.opened.length;
      latest().drop();
      while (FakeSocket.opened.length === before) await wait(100);
    }
    assert.equal(loads, 3, "tried after each failure past the first");
    assert.equal(FakeSocket.opened.length, 5);
    assert.ok(!statuses.includes("polling"));
    assert.equal(statuses.at(-1), "reconnecting");
  });

  test("an unknown or unpublished blog stops the socket and the polling for good", async () => {
    await refusedTwice();
    await wait(4_000);
    assert.equal(statuses.at(-1), "polling");
    latest().drop(4404);
    assert.equal(statuses.at(-1), "off");
    const requests = api.requests.length;
    await wait(120_000);
    assert.equal(api.requests.length, requests);
    assert.equal(FakeSocket.opened.length, 2 + 1);
  });
});
