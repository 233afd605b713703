// live/zones.js: which zone the page shows, what it says, and the times rewritten in it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Times } from "../../liveblog/static/liveblog/live/times.js";
import { retime, zoneFor, zoneText } from "../../liveblog/static/liveblog/live/zones.js";
import { Document } from "./dom.js";

const zones = { reader: "America/New_York", newsroom: "Europe/London" };

test("the reader's zone unless they chose the newsroom's", () => {
  assert.equal(zoneFor(null, zones), "America/New_York");
  assert.equal(zoneFor("reader", zones), "America/New_York");
  assert.equal(zoneFor("newsroom", zones), "Europe/London");
});

test("the zone line names the zone shown and offers the other", () => {
  assert.deepEqual(zoneText("America/New_York", zones), {
    text: "Times in your zone (America/New_York)",
    offer: "Show newsroom's (Europe/London)",
  });
  assert.deepEqual(zoneText("Europe/London", zones), {
    text: "Times in the newsroom's zone (Europe/London)",
    offer: "Show yours (America/New_York)",
  });
  const same = zoneText("Europe/London", { reader: "Europe/London", newsroom: "Europe/London" });
  assert.equal(same.offer, null);
});

test("clocks and full times are rewritten in the zone, the tooltip with them", () => {
  const document = new Document();
  const root = document.createElement("div");
  document.documentElement.append(root);
  const clock = document.createElement("time");
  clock.dateTime = "2024-07-01T13:05:00+01:00";
  clock.title = "Monday 1 July 2024, 13:05 BST";
  clock.textContent = "13:05";
  const full = document.createElement("time");
  full.dateTime = "2024-07-01T13:05:00+01:00";
  full.textContent = "Monday 1 July 2024, 13:05 BST";
  root.append(clock, full);

  const newYork = new Times("America/New_York");
  retime(document.documentElement, newYork, new Date("2024-07-01T15:00:00Z"));
  assert.equal(clock.textContent, "08:05");
  assert.ok(clock.title.includes("08:05") && clock.title.includes("1 July 2024"), clock.title);
  assert.ok(full.textContent.includes("08:05") && full.textContent.includes("Monday"), full.textContent);

  retime(document.documentElement, new Times("Europe/London"), new Date("2024-07-01T15:00:00Z"));
  assert.equal(clock.textContent, "13:05");
});
