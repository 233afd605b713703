// live/connection.js with live/state.js: what the page asks the server for, and what it applies,
// across gaps, duplicates, drops and restarts. The WebSocket and the timers are stand-ins.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { Connection, Watchdog, backoffDelay } from "../../liveblog/static/liveblog/live/connection.js";
import { LiveState } from "../../liveblog/static/liveblog/live/state.js";
import { Clock, FakeSocket } from "./fakes.js";

const URL = "ws://example.test/ws/blogs/election-night/";

const published = (seq) => ({ seq, type: "entry.published", entry: { id: `entry-${seq}` } });

let clock;
let state;
let applied;
let statuses;
let connection;
const latest = () => FakeSocket.opened.at(-1);

beforeEach(() => {
  FakeSocket.opened = [];
  clock = new Clock();
  state = new LiveState({ lastSeq: 10, view: "all", firstPage: true, blogTitle: "Election night" });
  applied = [];
  statuses = [];
  connection = follow();
  connection.connect();
});

// A connection recording what it applies and says, on the stand-in socket and clock.
function follow(options = {}) {
  return new Connection({
    url: URL,
    state,
    apply: (message) => applied.push(message.seq),
    onStatus: (status) => statuses.push(status),
    WebSocket: FakeSocket,
    timers: clock,
    random: () => 1, // the longest wait of each backoff step
    ...options,
  });
}

describe("the push channel", () => {
  test("connects with after = the seq the page was rendered at, and applies what follows", () => {
    assert.equal(latest().url, `${URL}?after=10`);
    assert.deepEqual(statuses, ["connecting"]);
    latest().open();
    latest().send(published(11));
    latest().send(published(12));
    assert.deepEqual(applied, [11, 12]);
    assert.deepEqual(statuses, ["connecting", "open"]);
  });

  test("duplicates and events from before the page are not applied twice", () => {
    latest().open();
    for (const seq of [9, 10, 11, 11, 12, 11, 12]) latest().send(published(seq));
    assert.deepEqual(applied, [11, 12]);
    assert.equal(FakeSocket.opened.length, 1, "nothing there to catch up");
  });

  test("a gap closes the socket and catches up from the last seq applied, applying each once", () => {
    const first = latest();
    first.open();
    first.send(published(11));
    first.send(published(13)); // 12 was lost
    first.send(published(14)); // still in flight on the old socket
    assert.deepEqual(applied, [11]);
    assert.ok(first.closed);
    assert.deepEqual(statuses.at(-1), "reconnecting");
    clock.advance(500);
    const second = latest();
    assert.notEqual(second, first);
    assert.equal(second.after, 11);
    second.open();
    for (const seq of [12, 13, 14, 15]) second.send(published(seq));
    first.send(published(16)); // a late message from the old socket is ignored
    assert.deepEqual(applied, [11, 12, 13, 14, 15]);
    assert.equal(state.lastSeq, 15);
  });

  test("after a drop it reconnects with after = the last seq applied, backing off with each failure", () => {
    latest().open();
    latest().send(published(11));
    latest().drop();
    assert.equal(statuses.at(-1), "reconnecting");
    const delays = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const before = FakeSocket.opened.length;
      let waited = 0;
      while (FakeSocket.opened.length === before && waited < 60_000) {
        clock.advance(100);
        waited += 100;
      }
      delays.push(waited);
      assert.equal(latest().after, 11);
      latest().drop(); // the server is still down
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    assert.deepEqual(new Set(statuses.slice(2)), new Set(["reconnecting"]), "no flicker to 'connecting'");
  });

  test("a connection that stays up starts the backoff over; one that drops at once does not", () => {
    latest().drop();
    clock.advance(500);
    latest().drop();
    clock.advance(1000);
    latest().open();
    clock.advance(1999);
    latest().drop(); // dropped before it proved stable: the next wait is longer
    const before = FakeSocket.opened.length;
    clock.advance(1999);
    assert.equal(FakeSocket.opened.length, before);
    clock.advance(1);
    latest().open();
    clock.advance(2000);
    latest().drop();
    clock.advance(500);
    assert.equal(FakeSocket.opened.length, before + 2, "back to the first step");
  });

  test("an unknown or unpublished blog, or a refused after, stops it for good", () => {
    for (const code of [4404, 4400]) {
      FakeSocket.opened = [];
      statuses = [];
      const stopping = new Connection({
        url: URL,
        state,
        apply() {},
        onStatus: (status) => statuses.push(status),
        WebSocket: FakeSocket,
        timers: clock,
      });
      stopping.connect();
      latest().drop(code);
      clock.advance(60_000);
      stopping.online();
      assert.equal(FakeSocket.opened.length, 1, `code ${code}`);
      assert.deepEqual(statuses, ["connecting", "off"]);
    }
  });

  test("back online, it connects at once rather than at the end of the wait", () => {
    latest().open();
    connection.online();
    assert.equal(FakeSocket.opened.length, 1, "already connected");
    latest().drop();
    connection.online();
    assert.equal(FakeSocket.opened.length, 2);
    clock.advance(60_000);
    assert.equal(FakeSocket.opened.length, 2, "the scheduled reconnect was cancelled");
  });

  test("a frame that is not JSON is ignored", () => {
    latest().open();
    latest().send("not json");
    latest().send(published(11));
    assert.deepEqual(applied, [11]);
  });
});

test("the backoff: half the ceiling plus up to as much again, at most 30 s", () => {
  assert.equal(backoffDelay(0, 0), 250);
  assert.equal(backoffDelay(0, 1), 500);
  assert.equal(backoffDelay(3, 0.5), 3000);
  assert.equal(backoffDelay(16, 1), 30_000);
  assert.equal(backoffDelay(16, 0), 15_000);
});

describe("a socket that goes silent without closing", () => {
  const BEAT = 10_000;
  const heartbeat = (lastSeq, interval = BEAT / 1000) => ({ type: "heartbeat", last_seq: lastSeq, interval });

  beforeEach(() => {
    FakeSocket.opened = [];
    statuses = [];
    connection = follow({ heartbeatMs: BEAT });
    connection.connect();
    latest().open();
  });

  test("heartbeats keep a quiet socket; nothing for 2.5 of them and it reconnects from the last seq", () => {
    const first = latest();
    first.send(published(11));
    for (let n = 0; n < 10; n += 1) {
      clock.advance(BEAT);
      first.send(heartbeat(11));
    }
    assert.ok(!first.closed, "a quiet blog, a live socket");
    assert.deepEqual(applied, [11], "a heartbeat is not an event");
    clock.advance(2.5 * BEAT - 1);
    assert.ok(!first.closed);
    clock.advance(1); // a middlebox swallows everything now
    assert.ok(first.closed, "given up");
    assert.equal(statuses.at(-1), "reconnecting");
    clock.advance(500); // the first backoff step: it had been healthy
    const second = latest();
    assert.equal(second.after, 11);
    second.open();
    for (const seq of [12, 13]) second.send(published(seq));
    first.send(published(14)); // the old socket is not listened to any more
    assert.deepEqual(applied, [11, 12, 13]);
  });

  test("an event counts as much as a heartbeat, and the heartbeat's interval is the one that counts", () => {
    const socket = latest();
    clock.advance(2 * BEAT);
    socket.send(published(11));
    clock.advance(2 * BEAT);
    assert.ok(!socket.closed);
    socket.send(heartbeat(11, 4)); // the server beats every 4 s
    clock.advance(9_999);
    assert.ok(!socket.closed);
    clock.advance(1);
    assert.ok(socket.closed);
  });

  test("a heartbeat naming a seq the page lacks: the event may still come, else it catches up", () => {
    const first = latest();
    first.send(heartbeat(10));
    first.send(heartbeat(11)); // 11 is on its way...
    clock.advance(1_999);
    first.send(published(11)); // ...and here it is
    clock.advance(10_000);
    assert.ok(!first.closed);
    first.send(heartbeat(13)); // 12 and 13 were lost
    clock.advance(1_999);
    assert.ok(!first.closed);
    clock.advance(1);
    assert.ok(first.closed);
    clock.advance(500);
    assert.equal(latest().after, 11);
    latest().open();
    for (const seq of [12, 13]) latest().send(published(seq));
    assert.deepEqual(applied, [11, 12, 13]);
  });

  test("without a heartbeat interval from the server, silence is never suspected", () => {
    const quiet = new Connection({ url: URL, state, apply() {}, onStatus() {}, WebSocket: FakeSocket, timers: clock });
    quiet.connect();
    const socket = latest();
    socket.open();
    clock.advance(3_600_000);
    assert.ok(!socket.closed);
    assert.equal(quiet.socket, socket);
  });
});

test("the watchdog (the desk's too) barks once after a silence, and each sign of life puts it off", () => {
  let barked = 0;
  const watchdog = new Watchdog({ ms: 25_000, onSilent: () => (barked += 1), timers: clock });
  watchdog.heard();
  clock.advance(24_000);
  watchdog.heard();
  clock.advance(24_000);
  assert.equal(barked, 0);
  clock.advance(1_000);
  assert.equal(barked, 1);
  clock.advance(100_000);
  assert.equal(barked, 1);
  watchdog.heard();
  watchdog.stop();
  clock.advance(100_000);
  assert.equal(barked, 1);
});
