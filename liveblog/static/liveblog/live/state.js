// What the live page knows, with no DOM and no socket, so Node tests it (tests/js/).

// The list an entry belongs in for a view and a label filter: "pinned", "timeline", or null.
// Labels match as the server's ?label= does, whatever the case.
export function listFor(entry, view, label = null) {
  if (view === "key-events" && !entry.key_event) return null;
  const labels = (entry.labels ?? []).map((name) => name.toLowerCase());
  if (label && !labels.includes(label.toLowerCase())) return null;
  return view === "all" && entry.pinned ? "pinned" : "timeline";
}

// Newest first: by time, then by publication. Both are shaped like an article's dataset.
export function isNewer(a, b) {
  const at = Date.parse(a.occurredAt);
  const bt = Date.parse(b.occurredAt);
  if (at !== bt) return at > bt;
  return Number(a.seq || 0) > Number(b.seq || 0);
}

// The index to insert an entry before among a list's others, their length to append it, or -1
// when it belongs on a newer or an older page than this one.
export function slotFor(entry, others, { newerPages = false, olderPages = false } = {}) {
  const index = others.findIndex((other) => isNewer(entry, other));
  if (index === 0 && newerPages) return -1;
  if (index === -1) return olderPages ? -1 : others.length;
  return index;
}

// The address of a view with a label filter, as the server writes its links (views.py).
export function filterUrl(base, { view = "all", label = null } = {}) {
  const query = new URLSearchParams();
  if (view === "key-events") query.set("view", view);
  if (label) query.set("label", label);
  const text = query.toString();
  return text ? `${base}?${text}` : base;
}

export const newUpdatesText = (count) => `${count} new update${count === 1 ? "" : "s"}`;

// What the live region says for a batch of "new", "corrected" and "retracted" updates.
export function announcement({ new: added = 0, corrected = 0, retracted = 0 }) {
  const plural = (n, one, many) => (n === 1 ? one : `${n} ${many}`);
  const parts = [];
  if (added) parts.push(plural(added, "1 new update", "new updates"));
  if (corrected) parts.push(plural(corrected, "1 update corrected", "updates corrected"));
  if (retracted) parts.push(plural(retracted, "1 update retracted", "updates retracted"));
  return parts.join(", ");
}

const titleFor = (view, blogTitle) => (view === "key-events" ? `${blogTitle} · Key events` : blogTitle);

export class LiveState {
  constructor({ lastSeq, view, label = null, firstPage, blogTitle, baseTitle = titleFor(view, blogTitle) }) {
    Object.assign(this, { lastSeq, view, label, firstPage, blogTitle, baseTitle });
    this.unseen = 0; // new updates the reader has not seen yet: "(N)" in the title
    this.offPage = 0; // new updates for the first page while the reader is on a later one
    this.latest = new Map(); // entry id -> {entry, seq}: its newest pushed state
  }

  // Each event once, in seq order: "apply" the next seq, "skip" one seen already (or no
  // event), "catch-up" after a gap: reconnect with ?after=<lastSeq>, left as it was.
  receive(message) {
    if (typeof message !== "object" || message === null || !Number.isInteger(message.seq)) return "skip";
    if (message.seq <= this.lastSeq) return "skip";
    if (message.seq > this.lastSeq + 1) return "catch-up";
    this.lastSeq = message.seq;
    if (message.entry) this.latest.set(message.entry.id, { entry: message.entry, seq: message.seq });
    return "apply";
  }

  // The entry's newest state if an article showing it as of `lastSeq` is behind it, else null.
  newerThan(entryId, lastSeq) {
    const known = this.latest.get(entryId);
    return known && known.seq > lastSeq ? known : null;
  }

  // Count an applied entry event by where it went ("shown", "held" behind the button,
  // "updated" in place, null: not on this page); returns what to announce, if anything.
  applied({ type, entry }, placement, { pageHidden }) {
    if (type === "entry.published" && placement !== "updated") {
      const belongsHere = listFor(entry, this.view, this.label) !== null;
      if (placement === null && !(belongsHere && !this.firstPage)) return null; // not for this view
      if (placement === null) this.offPage += 1; // the button leads to the first page
      if (pageHidden || placement !== "shown") this.unseen += 1;
      return "new";
    }
    if (placement === null) return null;
    return { "entry.corrected": "corrected", "entry.retracted": "retracted" }[type] ?? null;
  }

  // The count on the new updates button, given the articles held back on this page.
  newUpdates(held) {
    return held + this.offPage;
  }

  get title() {
    return this.unseen > 0 ? `(${this.unseen}) ${this.baseTitle}` : this.baseTitle;
  }

  revealed({ pageHidden }) {
    if (!pageHidden) this.unseen = 0;
  }

  // Back in the tab with nothing held back, the reader sees every update.
  pageShown({ held }) {
    if (held === 0) this.unseen = 0;
  }

  renamed(blogTitle) {
    this.blogTitle = blogTitle;
    this.baseTitle = titleFor(this.view, blogTitle);
  }

  // The first page of a view (with a label filter or none) replaced the timeline.
  viewShown(view, label = null) {
    const baseTitle = titleFor(view, this.blogTitle);
    Object.assign(this, { view, label, firstPage: true, offPage: 0, baseTitle });
  }
}
