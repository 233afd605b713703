// live/entries.js on a stand-in DOM (dom.js): the article a pushed entry becomes, and where
// corrections, retractions, pins and new entries land on the page.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { Timeline, byline, isLong } from "../../liveblog/static/liveblog/live/entries.js";
import { LiveState } from "../../liveblog/static/liveblog/live/state.js";
import { Times } from "../../liveblog/static/liveblog/live/times.js";
import { Document } from "./dom.js";

const ENTRY_URL = "/blogs/election-night/entries/00000000-0000-0000-0000-000000000000/";
const entryUrl = (id) => ENTRY_URL.replace("00000000-0000-0000-0000-000000000000", id);

// An entry as the push channel sends it (liveblog.api.serializers.EntrySerializer).
function entry(id, minute, fields = {}) {
  return {
    id,
    headline: "",
    body_html: `<p>Update ${id}</p>`,
    occurred_at: `2024-07-01T12:${String(minute).padStart(2, "0")}:00+00:00`,
    status: "published",
    pinned: false,
    key_event: false,
    revision: 1,
    last_corrected_at: null,
    correction_reason: "",
    retraction_reason: "",
    ...fields,
  };
}

// The reader page's lists, as _timeline.html renders them, with the given entries on them.
function readerPage({ view = "all", firstPage = true, olderPages = false, entries = [] } = {}) {
  const document = new Document();
  const add = (parent, tag, id, attributes = {}) => {
    const node = document.createElement(tag);
    if (id) node.id = id;
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    parent.append(node);
    return node;
  };
  const region = add(document.documentElement, "div", "timeline");
  if (view === "all" && firstPage) {
    add(add(region, "section", "pinned", { hidden: "" }), "div", "pinned-list");
  }
  const section = add(region, "section");
  add(section, "div", "timeline-list");
  add(section, "p", "timeline-empty");
  if (olderPages) add(section, "nav", "older");
  const state = new LiveState({ lastSeq: entries.length, view, firstPage, blogTitle: "Election night" });
  const timeline = new Timeline({ document, state, times: new Times("Europe/London"), entryUrl });
  // Published in the order given (seq 1, 2, ...), shown newest first.
  const articles = entries.map((shown, index) => {
    const seq = index + 1;
    return timeline.render(shown, { publishedSeq: seq, seq });
  });
  articles.sort((a, b) => Date.parse(b.dataset.occurredAt) - Date.parse(a.dataset.occurredAt));
  for (const article of articles) {
    const pinned = article.dataset.pinned === "true" && view === "all" && firstPage;
    document.getElementById(pinned ? "pinned-list" : "timeline-list").append(article);
  }
  timeline.updateEmptyStates();
  return { document, state, timeline };
}

const ids = (document, list) => document.getElementById(list).children.map((node) => node.dataset.entryId);
const corrected = (id, minute, reason, at) => entry(id, minute, {
  body_html: "<p>Fixed</p>", revision: 2, last_corrected_at: at, correction_reason: reason,
});

describe("the article of a pushed entry", () => {
  test("is the markup liveblog/rendering.py writes (tests/test_views.py checks the same)", () => {
    const { timeline } = readerPage();
    const id = "3f1e0d2c-1b2a-4c3d-8e9f-0a1b2c3d4e5f";
    const pushed = entry(id, 0, {
      headline: "Turnout",
      body_html: "<p>Turnout 46%</p>",
      occurred_at: "2024-07-01T13:00:00+01:00",
      pinned: true,
      key_event: true,
      revision: 2,
      last_corrected_at: "2024-07-01T13:00:00+01:00",
      correction_reason: "Typo",
      author: { name: "Ana Petrosyan", role: "", location: "Yerevan" },
      labels: ["Breaking", "Official"],
    });
    const html = timeline.render(pushed, { publishedSeq: 5, seq: 6 }).outerHTML;
    const permalink = `/blogs/election-night/entries/${id}/`;
    // Only the tooltip is worded by Intl ("Monday, 1 July 2024 at 13:00 BST", by ICU version),
    // not quite as the server words it ("Monday 1 July 2024, 13:00 BST").
    const tooltip = "Monday,? 1 July 2024,? (at )?13:00 BST";
    const datetime = String.raw`datetime="2024-07-01T13:00:00\+01:00"`;
    const time = `<time ${datetime} title="${tooltip}">1 Jul 2024, 13:00</time>`;
    assert.ok(
      html.startsWith(
        `<article class="entry is-key is-pinned" id="entry-${id}" tabindex="-1" ` +
          `data-entry-id="${id}" data-seq="5" data-last-seq="6" data-revision="2" data-status="published" ` +
          'data-occurred-at="2024-07-01T13:00:00+01:00" data-pinned="true" data-key-event="true">',
      ),
      html,
    );
    assert.match(html, new RegExp(`<a class="entry-time" href="#entry-${id}">${time}</a>`));
    assert.ok(html.includes('<span class="ago" data-ago=""></span>'));
    assert.ok(html.includes('<span class="badge badge-pinned">Pinned</span>'));
    assert.ok(html.includes('<span class="badge badge-key">Key event</span>'));
    const labels = '<span class="badge badge-label">Breaking</span> <span class="badge badge-label">Official</span>';
    assert.ok(html.includes(labels), html);
    assert.ok(html.includes('<h3 class="entry-headline">Turnout</h3><p class="entry-byline">Ana Petrosyan, in Yerevan</p>'));
    assert.ok(html.includes('<div class="entry-body"><p>Turnout 46%</p></div>'));
    const revisions = `<a href="${permalink}#revisions">Earlier versions</a>`;
    const notice = `<p class="notice notice-corrected">Corrected at ${time}: Typo ${revisions}</p>`;
    assert.match(html, new RegExp(notice));
    const link = `<a class="permalink" href="${permalink}">Link to this update</a>`;
    assert.ok(html.endsWith(`<footer class="entry-links">${link}</footer></article>`));
  });

  test("a corrected entry links the blog's corrections page, as the server's does", () => {
    const { document, state } = readerPage();
    const corrections = "/blogs/election-night/corrections/";
    const timeline = new Timeline({
      document,
      state,
      times: new Times("Europe/London"),
      entryUrl,
      correctionsUrl: corrections,
    });
    const html = timeline.render(corrected("a", 0, "Typo", "2024-07-01T12:30Z"), { seq: 2 }).outerHTML;
    const permalink = entryUrl("a");
    assert.match(
      html,
      new RegExp(
        `: Typo <a href="${permalink}#revisions">Earlier versions</a> · ` +
          `<a href="${corrections}">All corrections</a></p>`,
      ),
    );
  });

  test("a long update is cut behind Show more, as the server cuts it", () => {
    const { timeline } = readerPage();
    const text = "A sentence of a long report. ".repeat(50);
    const long = { ...entry("a", 0), body: text, body_html: `<p>${text}</p>` };
    const html = timeline.render(long, { seq: 1 }).outerHTML;
    assert.match(html, /<input class="more-toggle" type="checkbox" id="more-a" aria-controls="body-a">/);
    assert.ok(html.includes(`<div class="entry-body is-long" id="body-a"><p>${text}</p></div>`));
    assert.ok(html.includes('<label class="more" for="more-a"><span class="more-closed">Show more</span>'));
    const short = timeline.render(entry("b", 1), { seq: 2 }).outerHTML;
    assert.ok(!short.includes("more-toggle"));
    assert.equal(isLong({ body: "x", media: [{}, {}] }), true);
    assert.equal(isLong({ body: "a\n\n".repeat(8), media: [] }), true);
  });

  test("headlines and reasons are text, never markup", () => {
    const { timeline } = readerPage();
    const shown = { ...corrected("a", 0, "<img src=x>", "2024-07-01T12:01Z"), headline: "<b>Bold</b> & co" };
    const html = timeline.render(shown, { seq: 2 }).outerHTML;
    assert.ok(html.includes('<h3 class="entry-headline">&lt;b&gt;Bold&lt;/b&gt; &amp; co</h3>'));
    assert.ok(html.includes(": &lt;img src=x&gt; <a"));
  });
});

describe("corrections, retractions and pins reach the right entry", () => {
  let page;
  beforeEach(() => {
    page = readerPage({ entries: [entry("a", 0), entry("b", 10, { headline: "Turnout" }), entry("c", 20)] });
  });

  test("a correction replaces its entry's text in place and shows the reason", () => {
    const [c, b, a] = page.document.getElementById("timeline-list").children;
    const fixed = { ...corrected("b", 10, "Typo", "2024-07-01T12:30:00+00:00"), headline: "Turnout" };
    const placement = page.timeline.upsert(fixed, { seq: 4, published: false });
    assert.equal(placement, "updated");
    const list = page.document.getElementById("timeline-list").children;
    assert.deepEqual(ids(page.document, "timeline-list"), ["c", "b", "a"]);
    assert.equal(list[0], c, "the others are left as they were");
    assert.equal(list[2], a);
    assert.notEqual(list[1], b);
    assert.equal(list[1].querySelector(".entry-body").textContent, "Fixed");
    const notice = list[1].querySelector(".notice-corrected").textContent;
    assert.equal(notice, "Corrected at 1 Jul 2024, 13:30: Typo Earlier versions");
    assert.equal(list[1].dataset.revision, "2");
    assert.equal(list[1].dataset.seq, "2", "it keeps the seq it was published with");
    assert.equal(list[1].dataset.lastSeq, "4");
  });

  test("a retraction leaves only its notice: no headline, no text", () => {
    page.timeline.upsert(
      // The server withholds a retracted entry's words; the article would not show them anyway.
      { ...entry("b", 10, { headline: "Turnout" }), status: "retracted", retraction_reason: "Unverified." },
      { seq: 4, published: false },
    );
    const article = page.document.getElementById("entry-b");
    assert.ok(article.classList.contains("is-retracted"));
    assert.equal(article.querySelector(".entry-headline"), null);
    assert.equal(article.querySelector(".entry-body").textContent, "Retracted: Unverified.");
    assert.ok(!article.outerHTML.includes("Update b"));
    assert.deepEqual(ids(page.document, "timeline-list"), ["c", "b", "a"]);
  });

  test("a pin moves its entry to the pinned list, an unpin back to its place in the timeline", () => {
    const pinned = page.document.getElementById("pinned");
    assert.equal(pinned.hidden, true);
    page.timeline.upsert(entry("b", 10, { pinned: true }), { seq: 4, published: false });
    assert.deepEqual(ids(page.document, "pinned-list"), ["b"]);
    assert.deepEqual(ids(page.document, "timeline-list"), ["c", "a"]);
    assert.equal(pinned.hidden, false);
    assert.ok(page.document.getElementById("entry-b").querySelector(".badge-pinned"));
    page.timeline.upsert(entry("b", 10), { seq: 5, published: false });
    assert.deepEqual(ids(page.document, "pinned-list"), []);
    assert.deepEqual(ids(page.document, "timeline-list"), ["c", "b", "a"]);
    assert.equal(pinned.hidden, true);
  });

  test("an article fetched before a pushed correction is brought up to date", () => {
    const { state, timeline, document } = page;
    const fixed = corrected("a", 0, "Typo", "2024-07-01T12:30:00Z");
    state.receive({ seq: 4, type: "entry.corrected", entry: fixed });
    const fetched = timeline.render(entry("a", 0), { publishedSeq: 1, seq: 1 });
    document.getElementById("entry-a").replaceWith(fetched); // as "older updates" would add it
    timeline.freshen(fetched);
    assert.equal(document.getElementById("entry-a").querySelector(".entry-body").textContent, "Fixed");
    const current = document.getElementById("entry-a");
    timeline.freshen(current);
    assert.equal(document.getElementById("entry-a"), current, "an up-to-date article stays");
  });
});

describe("new entries", () => {
  test("go on top while the reader is at the top", () => {
    const { document, timeline } = readerPage({ entries: [entry("a", 0)] });
    assert.equal(timeline.upsert(entry("n", 30), { seq: 2, published: true }), "shown");
    assert.deepEqual(ids(document, "timeline-list"), ["n", "a"]);
    const article = document.getElementById("entry-n");
    assert.ok(article.classList.contains("is-new"));
    assert.equal(article.hidden, false);
  });

  test("wait behind the button while the reader is scrolled down, unless they land out of sight", () => {
    const { document, timeline } = readerPage({ entries: [entry("a", 0), entry("b", 10)] });
    document.getElementById("timeline").top = -800;
    assert.equal(timeline.upsert(entry("n", 30), { seq: 3, published: true }), "held");
    assert.equal(timeline.upsert(entry("m", 40), { seq: 4, published: true }), "held");
    const backdated = timeline.upsert(entry("late", 5), { seq: 5, published: true });
    assert.equal(backdated, "shown", "below what the reader sees");
    assert.deepEqual(ids(document, "timeline-list"), ["m", "n", "b", "late", "a"]);
    assert.deepEqual(timeline.held().map((article) => article.dataset.entryId), ["m", "n"]);
    // A held entry corrected before it is revealed stays held.
    timeline.upsert(entry("n", 30, { body_html: "<p>Fixed</p>", revision: 2 }), { seq: 6, published: false });
    assert.equal(document.getElementById("entry-n").hidden, true);
    const revealed = timeline.reveal();
    assert.equal(revealed.length, 2);
    assert.equal(timeline.held().length, 0);
    assert.ok(revealed.every((article) => !article.hidden && !article.classList.contains("is-pending")));
  });

  test("a pinned one goes to the pinned list, and the empty notice goes away", () => {
    const { document, timeline } = readerPage();
    assert.equal(document.getElementById("timeline-empty").hidden, false);
    assert.equal(timeline.upsert(entry("p", 30, { pinned: true }), { seq: 1, published: true }), "shown");
    assert.deepEqual(ids(document, "pinned-list"), ["p"]);
    assert.equal(document.getElementById("timeline-empty").hidden, true);
  });

  test("the key events view takes only key events, and an entry once it becomes one", () => {
    const keyEvent = entry("k", 0, { key_event: true });
    const { document, timeline } = readerPage({ view: "key-events", entries: [keyEvent] });
    assert.equal(timeline.upsert(entry("n", 30), { seq: 2, published: true }), null);
    assert.deepEqual(ids(document, "timeline-list"), ["k"]);
    assert.equal(timeline.upsert(entry("n", 30, { key_event: true }), { seq: 3, published: false }), "shown");
    assert.deepEqual(ids(document, "timeline-list"), ["n", "k"]);
    timeline.upsert(entry("k", 0, { key_event: false }), { seq: 4, published: false });
    assert.deepEqual(ids(document, "timeline-list"), ["n"]);
  });

  test("on a later page a newer entry is left to the first page; an older one to the older pages", () => {
    const later = readerPage({ firstPage: false, entries: [entry("a", 0), entry("b", 10)] });
    assert.equal(later.timeline.upsert(entry("n", 30), { seq: 3, published: true }), null);
    assert.equal(later.timeline.upsert(entry("mid", 5), { seq: 4, published: true }), "shown");
    const withOlder = readerPage({ olderPages: true, entries: [entry("a", 10), entry("b", 20)] });
    assert.equal(withOlder.timeline.upsert(entry("old", 0), { seq: 3, published: true }), null);
    assert.equal(withOlder.document.getElementById("entry-old"), null);
  });
});

describe("the byline", () => {
  test("names the writer, then their role and place, as liveblog/bylines.py does", () => {
    assert.equal(byline({ name: "Ana Petrosyan", role: "Correspondent", location: "Yerevan" }),
      "Ana Petrosyan, Correspondent, in Yerevan");
    assert.equal(byline({ name: "Reuters", role: "", location: "" }), "Reuters");
    assert.equal(byline({ name: "", role: "Correspondent", location: "Yerevan" }), "");
    assert.equal(byline(undefined), "");
  });

  test("a pushed entry naming nobody has no byline line", () => {
    const { timeline } = readerPage();
    const html = timeline.render(entry("n", 0, { author: { name: "", role: "", location: "" } }), { seq: 1 }).outerHTML;
    assert.ok(!html.includes("entry-byline"), html);
  });
});
