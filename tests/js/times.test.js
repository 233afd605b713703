// live/times.js: the clock as liveblog/rendering.py writes it, in the blog's zone, and "ago".
import assert from "node:assert/strict";
import { test } from "node:test";

import { Times, ago } from "../../liveblog/static/liveblog/live/times.js";

const london = new Times("Europe/London");
const now = new Date("2024-07-01T15:00:00Z"); // 16:00 in London

test("the clock alone today, with the day on another day, with the year in another year", () => {
  assert.equal(london.clock(new Date("2024-07-01T12:05:00Z"), now), "13:05");
  assert.equal(london.clock(new Date("2024-06-30T12:05:00Z"), now), "30 Jun, 13:05");
  assert.equal(london.clock(new Date("2023-11-04T14:05:00Z"), now), "4 Nov 2023, 14:05");
  // rendering.py's "Sep", whatever the browser's ICU says ("Sept" in newer ones).
  assert.equal(london.clock(new Date("2024-09-04T14:05:00Z"), now), "4 Sep, 15:05");
  assert.equal(london.clock(new Date("2023-09-04T14:05:00Z"), now), "4 Sep 2023, 15:05");
});

test("today is the blog's today, not UTC's", () => {
  // 23:30 UTC on 30 June is 00:30 on 1 July in London: today there.
  assert.equal(london.clock(new Date("2024-06-30T23:30:00Z"), now), "00:30");
  const yerevan = new Times("Asia/Yerevan");
  assert.equal(yerevan.clock(new Date("2024-07-01T21:00:00Z"), now), "2 Jul, 01:00");
});

test("the tooltip names the day, the date and the zone", () => {
  const full = london.full(new Date("2024-07-01T12:00:00Z"));
  for (const part of ["Monday", "1 July 2024", "13:00", "BST"]) assert.ok(full.includes(part), full);
});

test("ago: just now, minutes, hours, then nothing", () => {
  const before = (minutes) => new Date(now.getTime() - minutes * 60_000);
  assert.equal(ago(before(0.5), now), "just now");
  assert.equal(ago(before(5), now), "5 min ago");
  assert.equal(ago(before(59), now), "59 min ago");
  assert.equal(ago(before(60), now), "1 h ago");
  assert.equal(ago(before(23 * 60 + 59), now), "23 h ago");
  assert.equal(ago(before(24 * 60), now), "");
});
