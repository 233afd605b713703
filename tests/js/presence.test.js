// admin/presence.js: who is on the desk, what they do, and the correction form's warning.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Presence, activity, staleWarning } from "../../liveblog/static/liveblog/admin/presence.js";

const ana = (id, doing = "viewing", entry = null) => ({ id, user: "ana", name: "Ana", doing, entry });
const ben = (id, doing = "viewing", entry = null) => ({ id, user: "ben", name: "Ben", doing, entry });

describe("who is on the desk", () => {
  test("one line per person, me marked, by name", () => {
    const presence = new Presence({ me: "b1" });
    presence.seen(ben("b1"));
    presence.seen(ana("a1", "writing"));
    assert.deepEqual(
      presence.people().map((p) => [p.name, p.doing, p.you]),
      [["Ana", "writing", false], ["Ben", "viewing", true]],
    );
  });

  test("a person with two tabs shows what they do most tellingly", () => {
    const presence = new Presence({ me: "b1" });
    presence.seen(ana("a1", "writing"));
    presence.seen(ana("a2", "correcting", "e1"));
    presence.seen(ana("a3"));
    const [person] = presence.people();
    assert.equal(presence.people().length, 1);
    assert.deepEqual([person.doing, person.entry], ["correcting", "e1"]);
  });

  test("a new message replaces what the same socket said before", () => {
    const presence = new Presence();
    presence.seen(ana("a1", "writing"));
    presence.seen(ana("a1"));
    assert.equal(presence.people()[0].doing, "viewing");
  });

  test("a socket that left, or was not heard from within the timeout, is gone", () => {
    const presence = new Presence({ timeout: 30 });
    presence.seen(ana("a1"), 0);
    presence.seen(ben("b1"), 20_000);
    assert.equal(presence.expire(25_000), false);
    assert.equal(presence.expire(31_000), true);
    assert.deepEqual(presence.people().map((p) => p.name), ["Ben"]);
    assert.equal(presence.left("b1"), true);
    assert.equal(presence.left("b1"), false);
    assert.deepEqual(presence.people(), []);
  });
});

describe("the correction form", () => {
  test("names the others correcting the same entry, never me nor other entries", () => {
    const presence = new Presence({ me: "b1" });
    presence.seen(ben("b1", "correcting", "e1"));
    presence.seen(ana("a1", "correcting", "e2"));
    assert.deepEqual(presence.changing("e1"), []);
    presence.seen(ana("a1", "retracting", "e1"));
    assert.deepEqual(presence.changing("e1"), ["Ana"]);
  });

  test("warns of a colleague at work, more strongly of a change already made", () => {
    assert.equal(staleWarning({ others: [] }), null);
    assert.match(staleWarning({ others: ["Ana"] }), /^Ana is changing this update too/);
    assert.match(staleWarning({ others: ["Ana", "Cy", "Ben"] }), /^Ana, Cy and Ben are changing/);
    assert.match(staleWarning({ others: ["Ana"], changedBy: "ana" }), /^ana changed this update .* will be refused/);
  });

  test("says what each is doing in words", () => {
    assert.equal(activity({ doing: "writing" }), "writing a new update");
    assert.equal(activity({ doing: "correcting" }), "correcting an update");
    assert.equal(activity({ doing: "retracting" }, "this update"), "retracting this update");
    assert.equal(activity({ doing: "viewing" }), "on the desk");
  });
});
