// Entries on the page: the article for a pushed entry, built as rendering.py builds it (change
// both together), and its place. Idempotent: keyed by entry id, the newest state wins.
import { listFor, slotFor } from "./state.js";
import { ago } from "./times.js";

// When an update is long enough to collapse: rendering.py's is_long, the same numbers.
const LONG_BODY_CHARACTERS = 1_200;
const LONG_BODY_PARAGRAPHS = 8;
const LONG_BODY_IMAGES = 2;

export function isLong(entry) {
  const body = entry.body ?? "";
  return (
    body.length > LONG_BODY_CHARACTERS ||
    body.split("\n\n").length - 1 >= LONG_BODY_PARAGRAPHS ||
    (entry.media ?? []).length >= LONG_BODY_IMAGES
  );
}

export class Timeline {
  // `document` is the page's (in tests/js/, a stand-in); `entryUrl(id)` is the permalink;
  // `correctionsUrl`, the blog's corrections page, which every corrected update links to.
  constructor({ document, state, times, entryUrl, correctionsUrl = null }) {
    Object.assign(this, { document, state, times, entryUrl, correctionsUrl });
  }

  byId(id) {
    return this.document.getElementById(id);
  }

  element(tag, className, text) {
    const node = this.document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  timeElement(iso) {
    const date = new Date(iso);
    const time = this.element("time");
    time.dateTime = iso;
    time.title = this.times.full(date);
    time.textContent = this.times.clock(date);
    return time;
  }

  refreshTimes(root = this.document) {
    const now = Date.now();
    for (const label of root.querySelectorAll("[data-ago]")) {
      const time = label.parentElement.querySelector("time[datetime]");
      label.textContent = time ? ago(new Date(time.dateTime), now) : "";
    }
  }

  render(entry, { publishedSeq, seq }) {
    const el = (tag, className, text) => this.element(tag, className, text);
    const retracted = entry.status === "retracted";
    const article = el("article", "entry");
    article.classList.toggle("is-key", entry.key_event);
    article.classList.toggle("is-pinned", entry.pinned);
    article.classList.toggle("is-retracted", retracted);
    article.id = `entry-${entry.id}`;
    article.tabIndex = -1;
    Object.assign(article.dataset, {
      entryId: entry.id,
      seq: publishedSeq ?? "",
      lastSeq: seq,
      revision: entry.revision,
      status: entry.status,
      occurredAt: entry.occurred_at,
      pinned: entry.pinned,
      keyEvent: entry.key_event,
    });

    const meta = el("header", "entry-meta");
    const anchor = el("a", "entry-time");
    anchor.href = `#${article.id}`;
    anchor.append(this.timeElement(entry.occurred_at));
    const agoLabel = el("span", "ago");
    agoLabel.dataset.ago = "";
    meta.append(anchor, " ", agoLabel);
    if (entry.pinned) meta.append(" ", el("span", "badge badge-pinned", "Pinned"));
    if (entry.key_event) meta.append(" ", el("span", "badge badge-key", "Key event"));
    for (const label of entry.labels ?? []) meta.append(" ", el("span", "badge badge-label", label));
    article.append(meta);

    if (entry.headline && !retracted) article.append(el("h3", "entry-headline", entry.headline));
    const line = byline(entry.author);
    if (line) article.append(el("p", "entry-byline", line));
    const body = el("div", "entry-body");
    if (retracted) {
      body.append(el("p", "notice notice-retracted", `Retracted: ${entry.retraction_reason}`));
    } else {
      body.innerHTML = entry.body_html; // sanitized on the server (nh3) before it is stored
    }
    if (!retracted && isLong(entry)) {
      // As rendering.py cuts a long update: a checkbox and a label, so CSS opens it.
      const toggle = el("input", "more-toggle");
      toggle.setAttribute("type", "checkbox");
      toggle.id = `more-${entry.id}`;
      toggle.setAttribute("aria-controls", `body-${entry.id}`);
      body.className = "entry-body is-long";
      body.id = `body-${entry.id}`;
      const label = el("label", "more");
      label.setAttribute("for", toggle.id);
      label.append(el("span", "more-closed", "Show more"), el("span", "more-open", "Show less"));
      article.append(toggle, body, label);
    } else {
      article.append(body);
    }

    if (entry.revision > 1 && !retracted && entry.last_corrected_at) {
      const notice = el("p", "notice notice-corrected", "Corrected at ");
      const revisions = el("a", "", "Earlier versions");
      revisions.href = `${this.entryUrl(entry.id)}#revisions`;
      notice.append(this.timeElement(entry.last_corrected_at), `: ${entry.correction_reason} `, revisions);
      if (this.correctionsUrl) {
        const all = el("a", "", "All corrections");
        all.href = this.correctionsUrl;
        notice.append(" · ", all);
      }
      article.append(notice);
    }

    const footer = el("footer", "entry-links");
    const link = el("a", "permalink", "Link to this update");
    link.href = this.entryUrl(entry.id);
    footer.append(link);
    article.append(footer);
    this.refreshTimes(article);
    return article;
  }

  // Apply an entry's current state; returns where it went: "shown", "held" behind the new
  // updates button, "updated" (it was on the page), or null (not on this page).
  upsert(entry, { seq, published }) {
    const existing = this.byId(`entry-${entry.id}`);
    const publishedSeq = published ? seq : existing?.dataset.seq;
    const article = this.render(entry, { publishedSeq, seq });
    if (existing) {
      if (existing.classList.contains("is-pending")) holdBack(article);
      existing.replaceWith(article);
      if (!this.place(article, entry)) article.remove();
      this.updateEmptyStates();
      return "updated";
    }
    // Measured before inserting, and hidden in the same task: nothing moves under the reader.
    const away = published && this.readerIsAwayFromTop();
    article.classList.add("is-new");
    const placed = this.place(article, entry);
    const held = placed && away && isFirstIn(article);
    if (held) holdBack(article);
    this.updateEmptyStates();
    return placed ? (held ? "held" : "shown") : null;
  }

  // Re-render an article fetched as HTML if a pushed event has changed it since.
  freshen(article) {
    const known = this.state.newerThan(article.dataset.entryId, Number(article.dataset.lastSeq || 0));
    if (known) this.upsert(known.entry, { seq: known.seq, published: false });
  }

  place(article, entry) {
    const list = listFor(entry, this.state.view, this.state.label);
    if (list === "pinned") {
      const pinned = this.byId("pinned-list");
      return pinned ? insertSorted(pinned, article, {}) : false;
    }
    if (list !== "timeline") return false;
    const pages = { newerPages: !this.state.firstPage, olderPages: Boolean(this.byId("older")) };
    return insertSorted(this.byId("timeline-list"), article, pages);
  }

  updateEmptyStates() {
    const pinned = this.byId("pinned-list");
    if (pinned) this.byId("pinned").hidden = pinned.children.length === 0;
    const empty = this.byId("timeline-empty");
    if (empty) empty.hidden = this.byId("timeline-list").children.length + (pinned?.children.length ?? 0) > 0;
  }

  readerIsAwayFromTop() {
    return this.byId("timeline").getBoundingClientRect().top < 0;
  }

  held() {
    return Array.from(this.document.querySelectorAll("article.is-pending"));
  }

  reveal() {
    const held = this.held();
    for (const article of held) {
      article.classList.remove("is-pending");
      article.hidden = false;
    }
    return held;
  }
}

function insertSorted(list, article, pages) {
  const others = Array.from(list.children).filter((other) => other !== article);
  const index = slotFor(article.dataset, others.map((other) => other.dataset), pages);
  if (index === -1) return false;
  list.insertBefore(article, others[index] ?? null);
  return true;
}

function holdBack(article) {
  article.classList.add("is-pending");
  article.hidden = true;
}

function isFirstIn(article) {
  const visible = Array.from(article.parentElement.children).filter(
    (other) => other === article || !other.classList.contains("is-pending"),
  );
  return visible[0] === article;
}

// The byline as rendering.py writes it (liveblog/bylines.py): "Ana Petrosyan, in Yerevan".
export function byline(author) {
  if (!author?.name) return "";
  const parts = [author.name];
  if (author.role) parts.push(author.role);
  if (author.location) parts.push(`in ${author.location}`);
  return parts.join(", ");
}
