// The pure parts of the features loaded after the first render: live/share.js,
// live/latest.js and live/visits.js.
import assert from "node:assert/strict";
import { test } from "node:test";

import { isFarDown } from "../../liveblog/static/liveblog/live/latest.js";
import { copyText, offersShareSheet } from "../../liveblog/static/liveblog/live/share.js";
import { sinceLastVisit, storageKey, summaryParts } from "../../liveblog/static/liveblog/live/visits.js";
import { Document } from "./dom.js";

test("the share sheet only where there is one and the pointer is a finger", () => {
  const share = () => Promise.resolve();
  assert.equal(offersShareSheet({ navigator: { share }, coarse: true }), true);
  assert.equal(offersShareSheet({ navigator: { share }, coarse: false }), false);
  assert.equal(offersShareSheet({ navigator: {}, coarse: true }), false);
});

test("copying uses the clipboard, else the old way, else says it failed", async () => {
  const written = [];
  const clipboard = { writeText: async (text) => written.push(text) };
  assert.equal(await copyText("https://example.org/a", { clipboard }), true);
  assert.deepEqual(written, ["https://example.org/a"]);

  const refused = { writeText: async () => Promise.reject(new Error("NotAllowedError")) };
  const document = new Document();
  document.body = document.documentElement;
  const copied = [];
  document.execCommand = (command) => {
    copied.push([command, document.body.querySelector("textarea").value]);
    return true;
  };
  const select = [];
  const create = document.createElement.bind(document);
  document.createElement = (tag) => Object.assign(create(tag), { select: () => select.push(tag), style: {} });
  assert.equal(await copyText("https://example.org/b", { clipboard: refused, document }), true);
  assert.deepEqual(copied, [["copy", "https://example.org/b"]]);
  assert.equal(document.body.querySelector("textarea"), null); // cleaned up

  document.execCommand = () => false;
  assert.equal(await copyText("https://example.org/c", { clipboard: refused, document }), false);
  assert.equal(await copyText("https://example.org/d", { clipboard: undefined, document }), false);
});

test("far down is more than two screens below the top of the timeline", () => {
  assert.equal(isFarDown(-100, 800), false);
  assert.equal(isFarDown(-1600, 800), false);
  assert.equal(isFarDown(-1601, 800), true);
  assert.equal(isFarDown(200, 800), false);
});

const event = (seq, type, id) => ({ seq, type, entry_id: id });

test("since a visit: new updates, corrections and retractions of what the reader saw", () => {
  const changes = sinceLastVisit([
    event(11, "entry.published", "a"),
    event(12, "entry.corrected", "old"),
    event(13, "entry.published", "b"),
    event(14, "entry.corrected", "a"), // a new update's correction is not news
    event(15, "entry.retracted", "seen"),
    event(16, "entry.pinned", "old"),
    event(17, "private", null),
  ]);
  assert.deepEqual(changes, { published: ["a", "b"], corrected: ["old"], retracted: ["seen"] });
});

test("an update published and retracted while the reader was away is not counted at all", () => {
  const changes = sinceLastVisit([
    event(11, "entry.published", "gone"),
    event(12, "entry.corrected", "old"),
    event(13, "entry.retracted", "gone"),
    event(14, "entry.retracted", "old"), // corrected then retracted: one retraction
  ]);
  assert.deepEqual(changes, { published: [], corrected: [], retracted: ["old"] });
});

test("the summary counts each kind, in the singular for one", () => {
  const parts = summaryParts({ published: ["a", "b"], corrected: ["c"], retracted: [] });
  assert.deepEqual(
    parts.map((part) => part.text),
    ["2 new updates", "1 correction"],
  );
  assert.deepEqual(summaryParts({ published: [], corrected: [], retracted: [] }), []);
  const capped = summaryParts({ published: ["a"], corrected: [], retracted: ["r", "s"] }, { more: true });
  assert.deepEqual(capped.map((part) => part.text), ["more than 1 new update", "2 retractions"]);
  assert.equal(storageKey("evn"), "liveblog:last-seq:evn");
});
