// admin/upload/text.js: what the desk's image upload inserts, refuses and reports.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  imageMarkdown,
  insertBlock,
  percent,
  refusalBeforeUpload,
  refusalFromServer,
} from "../../liveblog/static/liveblog/admin/upload/text.js";

const URL = "/media/ab/abc.jpg";
const photo = { name: "wall.jpg", type: "image/jpeg", size: 2 * 1024 * 1024 };

describe("the Markdown inserted", () => {
  test("an image's alt text and url", () => {
    assert.equal(imageMarkdown("Waves over the wall", URL), `![Waves over the wall](${URL})`);
  });

  test("brackets cannot end the alt text early, and line breaks go", () => {
    assert.equal(imageMarkdown("The [old]\nwall \\ 1", URL), `![The \\[old\\] wall \\\\ 1](${URL})`);
  });

  test("at the cursor, on a paragraph of its own", () => {
    const text = "First line.Second line.";
    const placed = insertBlock(text, 11, 11, "![a](u)");
    assert.equal(placed.text, "First line.\n\n![a](u)\n\nSecond line.");
    assert.equal(placed.text.slice(0, placed.cursor), "First line.\n\n![a](u)\n\n");
  });

  test("into an empty text, or in place of a selection", () => {
    assert.deepEqual(insertBlock("", 0, 0, "![a](u)"), { text: "![a](u)\n\n", cursor: 9 });
    assert.equal(insertBlock("Keep this. DROP\n\nEnd", 11, 15, "![a](u)").text, "Keep this. \n\n![a](u)\n\nEnd");
  });
});

describe("refused before anything is sent", () => {
  test("without alt text, with a message saying what to write", () => {
    const message = refusalBeforeUpload({ file: photo, alt: "  ", maxBytes: 0 });
    assert.match(message, /alt text/);
    assert.match(message, /Nothing was uploaded/);
  });

  test("without a file, a file that is not an image, or one over the limit", () => {
    assert.match(refusalBeforeUpload({ file: null, alt: "x", maxBytes: 0 }), /Choose an image/);
    const pdf = { name: "a.pdf", type: "application/pdf", size: 10 };
    assert.match(refusalBeforeUpload({ file: pdf, alt: "x", maxBytes: 0 }), /a.pdf is not an image/);
    const big = refusalBeforeUpload({ file: photo, alt: "x", maxBytes: 1024 * 1024 });
    assert.equal(big, "wall.jpg is 2.0 MB; the limit is 1 MB. Export it smaller.");
  });

  test("a described image under the limit may go", () => {
    assert.equal(refusalBeforeUpload({ file: photo, alt: "Wall", maxBytes: 20 * 1024 * 1024 }), "");
  });
});

describe("the server's refusal, as the editor reads it", () => {
  test("the API's message", () => {
    const body = JSON.stringify({ message: "SVG files are not accepted.", code: "svg", errors: {} });
    assert.equal(refusalFromServer(400, body), "SVG files are not accepted.");
  });

  test("field errors are named", () => {
    const body = JSON.stringify({ message: "Invalid input.", code: "invalid", errors: { alt: ["This field is required."] } });
    assert.equal(refusalFromServer(400, body), "Invalid input. (alt: This field is required.)");
  });

  test("a status without a JSON body", () => {
    assert.match(refusalFromServer(413, "<html>"), /larger than the server accepts/);
    assert.match(refusalFromServer(0, ""), /connection lost/);
    assert.match(refusalFromServer(502, ""), /HTTP 502/);
  });

  test("progress in percent", () => {
    assert.equal(percent(50, 200), 25);
    assert.equal(percent(5, 0), 0);
  });
});
