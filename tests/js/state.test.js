// live/state.js: which pushed events are applied, where entries go, and what the counters say.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  LiveState,
  announcement,
  filterUrl,
  isNewer,
  listFor,
  newUpdatesText,
  slotFor,
} from "../../liveblog/static/liveblog/live/state.js";

const page = (options = {}) =>
  new LiveState({ lastSeq: 10, view: "all", firstPage: true, blogTitle: "Election night", ...options });
const entry = (id, fields = {}) => ({ id, pinned: false, key_event: false, ...fields });
const published = (seq, id, fields) => ({ seq, type: "entry.published", entry: entry(id, fields) });

describe("seqs: every event once, in order", () => {
  // A page rendered up to seq 10 receives these seqs in turn: what it does with each, and its last seq.
  for (const [name, seqs, verdicts, lastSeq] of [
    ["the next seq is applied and becomes the last one", [11, 12], ["apply", "apply"], 12],
    ["a duplicate, or an event the page was rendered with, is skipped", [10, 11, 11], ["skip", "apply", "skip"], 11],
    [
      "out of order: an older seq after a newer one is skipped, a later one still opens a gap",
      [11, 13, 12, 12, 13, 15],
      ["apply", "catch-up", "apply", "skip", "apply", "catch-up"],
      13,
    ],
  ]) {
    test(name, () => {
      const state = page();
      assert.deepEqual(
        seqs.map((seq) => state.receive(published(seq, `e${seq}`))),
        verdicts,
      );
      assert.equal(state.lastSeq, lastSeq);
    });
  }

  test("a gap asks for a catch-up and applies nothing past it", () => {
    const state = page();
    assert.equal(state.receive(published(13, "c")), "catch-up");
    assert.equal(state.lastSeq, 10, "the catch-up asks for everything after 10");
    assert.equal(state.newerThan("c", 0), null, "the event past the gap was not taken");
    // The catch-up replays 11..13: each is applied once, then the one that came early is a duplicate.
    assert.deepEqual(
      [11, 12, 13, 13].map((seq) => state.receive(published(seq, `e${seq}`))),
      ["apply", "apply", "apply", "skip"],
    );
  });

  test("what is not an event is skipped and changes nothing", () => {
    const state = page();
    for (const message of [null, 7, "11", [], {}, { seq: "11" }, { seq: 11.5 }, { seq: Number.NaN }]) {
      assert.equal(state.receive(message), "skip", JSON.stringify(message));
    }
    assert.equal(state.lastSeq, 10);
  });

  test("a blog event takes a seq like an entry's", () => {
    const state = page();
    assert.equal(state.receive({ seq: 11, type: "blog.details_changed", blog: { title: "New" } }), "apply");
    assert.equal(state.receive(published(13, "a")), "catch-up");
  });

  test("the newest pushed state of each entry is kept, to freshen HTML fetched before it", () => {
    const state = page();
    state.receive(published(11, "a", { revision: 1 }));
    state.receive({ seq: 12, type: "entry.corrected", entry: entry("a", { revision: 2 }) });
    state.receive(published(13, "b"));
    assert.equal(state.newerThan("a", 11).entry.revision, 2, "an article as of seq 11 is stale");
    assert.equal(state.newerThan("a", 12), null, "one as of seq 12 is current");
    assert.equal(state.newerThan("never-pushed", 0), null);
  });
});

describe("where an entry goes", () => {
  test("pinned entries go to the pinned list in all updates, to the timeline in key events", () => {
    assert.equal(listFor(entry("a", { pinned: true }), "all"), "pinned");
    assert.equal(listFor(entry("a", { pinned: true, key_event: true }), "key-events"), "timeline");
    assert.equal(listFor(entry("a"), "all"), "timeline");
  });

  test("the key events view shows only key events", () => {
    assert.equal(listFor(entry("a"), "key-events"), null);
    assert.equal(listFor(entry("a", { key_event: true }), "key-events"), "timeline");
  });

  const at = (time, seq) => ({ occurredAt: `2024-07-01T${time}:00+01:00`, seq: String(seq) });
  const list = [at("14:00", 30), at("13:00", 20), at("12:00", 10)];

  test("newest first by time, then by seq; a backdated entry slots in by its time", () => {
    assert.equal(isNewer(at("14:00", 1), at("13:00", 99)), true);
    assert.equal(isNewer(at("13:00", 21), at("13:00", 20)), true);
    assert.equal(slotFor(at("15:00", 40), list), 0);
    assert.equal(slotFor(at("12:30", 41), list), 2);
    assert.equal(slotFor(at("13:00", 42), list), 1, "same time: the later publication is newer");
    assert.equal(slotFor(at("11:00", 43), list), 3, "the end of the only page");
    assert.equal(slotFor(at("12:00", 44), []), 0);
    // The same instant written in another offset is the same time.
    assert.equal(isNewer({ occurredAt: "2024-07-01T12:00:00Z", seq: "5" }, at("13:00", 6)), false);
  });

  test("an entry newer than a later page, or older than a page with older pages, is not placed", () => {
    assert.equal(slotFor(at("15:00", 40), list, { newerPages: true }), -1);
    assert.equal(slotFor(at("13:30", 40), list, { newerPages: true }), 1);
    assert.equal(slotFor(at("11:00", 40), list, { olderPages: true }), -1);
    assert.equal(slotFor(at("12:30", 40), list, { olderPages: true }), 2);
  });
});

describe("the new updates counter and the title", () => {
  const pageHidden = false;

  test("an update shown at the top is announced but not counted", () => {
    const state = page();
    assert.equal(state.applied(published(11, "a"), "shown", { pageHidden }), "new");
    assert.equal(state.newUpdates(0), 0);
    assert.equal(state.title, "Election night");
  });

  test("updates held behind the button count in the title until they are revealed", () => {
    const state = page();
    assert.equal(state.applied(published(11, "a"), "held", { pageHidden }), "new");
    assert.equal(state.applied(published(12, "b"), "held", { pageHidden }), "new");
    assert.equal(state.newUpdates(2), 2);
    assert.equal(newUpdatesText(state.newUpdates(2)), "2 new updates");
    assert.equal(newUpdatesText(1), "1 new update");
    assert.equal(state.title, "(2) Election night");
    state.revealed({ pageHidden });
    assert.equal(state.title, "Election night");
  });

  test("in another tab every new update counts, until the reader comes back", () => {
    const state = page();
    state.applied(published(11, "a"), "shown", { pageHidden: true });
    state.applied(published(12, "b"), "held", { pageHidden: true });
    state.revealed({ pageHidden: true });
    assert.equal(state.title, "(2) Election night", "revealed while hidden: still unseen");
    state.pageShown({ held: 1 });
    assert.equal(state.title, "(2) Election night", "one is still held back");
    state.pageShown({ held: 0 });
    assert.equal(state.title, "Election night");
  });

  test("on a later page new updates count on the button, which leads to the first page", () => {
    const state = page({ firstPage: false });
    assert.equal(state.applied(published(11, "a"), null, { pageHidden }), "new");
    assert.equal(state.newUpdates(0), 1);
    assert.equal(state.title, "(1) Election night");
    state.viewShown("all");
    assert.equal(state.newUpdates(0), 0, "the first page shows them");
    assert.equal(state.firstPage, true);
  });

  test("an update that does not belong in this view is neither counted nor announced", () => {
    const keyEvents = page({ view: "key-events" });
    assert.equal(keyEvents.applied(published(11, "a"), null, { pageHidden }), null);
    const laterKeyEvents = page({ view: "key-events", firstPage: false });
    assert.equal(laterKeyEvents.applied(published(11, "a"), null, { pageHidden }), null);
    const keyEvent = published(12, "b", { key_event: true });
    assert.equal(laterKeyEvents.applied(keyEvent, null, { pageHidden }), "new");
    assert.equal(laterKeyEvents.newUpdates(0), 1);
    const backdated = page();
    assert.equal(backdated.applied(published(11, "a"), null, { pageHidden }), null, "older than page one");
    assert.equal(backdated.title, "Election night");
  });

  test("a published entry already on the page (a replay) is not new", () => {
    const state = page();
    assert.equal(state.applied(published(11, "a"), "updated", { pageHidden }), null);
    assert.equal(state.title, "Election night");
  });

  test("corrections and retractions are announced when their entry is on the page", () => {
    const state = page();
    const corrected = { seq: 11, type: "entry.corrected", entry: entry("a") };
    const retracted = { seq: 12, type: "entry.retracted", entry: entry("a") };
    assert.equal(state.applied(corrected, "updated", { pageHidden }), "corrected");
    assert.equal(state.applied(retracted, "updated", { pageHidden }), "retracted");
    assert.equal(state.applied(retracted, null, { pageHidden }), null);
    const pinned = { seq: 13, type: "entry.pinned", entry: entry("a") };
    assert.equal(state.applied(pinned, "updated", { pageHidden }), null);
    assert.equal(state.title, "Election night", "they change no counter");
  });

  test("the title follows the view and a renamed blog, keeping the count", () => {
    const state = page({ view: "key-events", baseTitle: "Election night · Key events" });
    state.applied(published(11, "a", { key_event: true }), "held", { pageHidden });
    assert.equal(state.title, "(1) Election night · Key events");
    state.renamed("Election night: results");
    assert.equal(state.title, "(1) Election night: results · Key events");
    state.viewShown("all");
    assert.equal(state.title, "(1) Election night: results");
  });

  test("the live region says counts", () => {
    assert.equal(announcement({ new: 1 }), "1 new update");
    assert.equal(
      announcement({ new: 3, corrected: 1, retracted: 2 }),
      "3 new updates, 1 update corrected, 2 updates retracted",
    );
    assert.equal(announcement({ corrected: 2 }), "2 updates corrected");
    assert.equal(announcement({}), "");
  });
});

test("a label filter keeps only the entries with that label, whatever its case", () => {
  const labelled = { pinned: false, key_event: false, labels: ["Turnout"] };
  assert.equal(listFor(labelled, "all", "turnout"), "timeline");
  assert.equal(listFor(labelled, "all", "Results"), null);
  assert.equal(listFor({ pinned: false, key_event: false }, "all", "Results"), null);
  assert.equal(listFor({ ...labelled, key_event: true }, "key-events", "Turnout"), "timeline");
  assert.equal(listFor(labelled, "key-events", "Turnout"), null);
});

test("filter addresses are the server's: view, then label", () => {
  assert.equal(filterUrl("/blogs/b/", {}), "/blogs/b/");
  assert.equal(filterUrl("/blogs/b/", { view: "key-events" }), "/blogs/b/?view=key-events");
  assert.equal(filterUrl("/blogs/b/", { view: "all", label: "Turnout & more" }), "/blogs/b/?label=Turnout+%26+more");
  assert.equal(
    filterUrl("/blogs/b/updates/", { view: "key-events", label: "Results" }),
    "/blogs/b/updates/?view=key-events&label=Results",
  );
});

test("on an older page filtered by a label, only new updates with the label are counted", () => {
  const state = page({ label: "Turnout", firstPage: false });
  const published = (id, labels) => ({ type: "entry.published", entry: { id, pinned: false, key_event: false, labels } });
  assert.equal(state.applied(published("a", ["Results"]), null, { pageHidden: false }), null);
  assert.equal(state.newUpdates(0), 0);
  assert.equal(state.applied(published("b", ["turnout"]), null, { pageHidden: false }), "new");
  assert.equal(state.newUpdates(0), 1);
  state.viewShown("all", null);
  assert.equal(state.label, null);
  assert.equal(state.applied(published("c", ["Results"]), "shown", { pageHidden: false }), "new");
});
