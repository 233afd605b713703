// "Since your last visit": the last seq a reader's browser saw of this blog is kept in
// localStorage; on their next visit the log after it (the events API, shared cached pages)
// says what changed, as counts with links. Counts only: no text, so a retracted update's
// words cannot come back this way.

const MAX_PAGES = 20; // 2,000 events: past that the reader is told "more than"

export const storageKey = (slug) => `liveblog:last-seq:${slug}`;

// What changed after a visit, from the events since: updates published (less those retracted
// since, which the reader never saw), corrections of updates they had seen, and retractions of
// updates they had seen. Each as entry ids, newest event last.
export function sinceLastVisit(events) {
  const published = new Set();
  const corrected = new Set();
  const retracted = new Set();
  for (const { type, entry_id: id } of events) {
    if (!id) continue;
    if (type === "entry.published") published.add(id);
    else if (type === "entry.corrected" && !published.has(id)) corrected.add(id);
    else if (type === "entry.retracted") {
      corrected.delete(id);
      if (published.has(id)) published.delete(id);
      else retracted.add(id);
    }
  }
  return { published: [...published], corrected: [...corrected], retracted: [...retracted] };
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

// The sentence's parts, each with the count's words; empty when nothing changed.
export function summaryParts({ published, corrected, retracted }, { more = false } = {}) {
  const parts = [];
  const over = more ? "more than " : "";
  if (published.length) parts.push({ kind: "published", text: over + plural(published.length, "new update", "new updates") });
  if (corrected.length) parts.push({ kind: "corrected", text: plural(corrected.length, "correction", "corrections") });
  if (retracted.length) parts.push({ kind: "retracted", text: plural(retracted.length, "retraction", "retractions") });
  return parts;
}

function read(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, String(value));
  } catch {
    // storage refused: no "since your last visit" next time
  }
}

async function eventsAfter(slug, after) {
  const events = [];
  let url = `/api/blogs/${encodeURIComponent(slug)}/events/?after=${after}`;
  for (let page = 0; url && page < MAX_PAGES; page += 1) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const body = await response.json();
    events.push(...body.results);
    url = body.next;
  }
  return { events, more: Boolean(url) };
}

export async function enhance({ config, state, timeline, byId }) {
  const key = storageKey(config.slug);
  const seen = Number(read(key));
  // Seen now: this page as served, then each update pushed to it while it is open.
  const keep = () => write(key, Math.max(state.lastSeq, Number(read(key)) || 0));
  keep();
  window.addEventListener("pagehide", keep);
  document.addEventListener("visibilitychange", () => document.hidden && keep());

  if (!Number.isInteger(seen) || seen <= 0 || seen >= config.lastSeq) return;
  const { events, more } = await eventsAfter(config.slug, seen);
  const changes = sinceLastVisit(events.filter((event) => event.seq <= config.lastSeq));
  const parts = summaryParts(changes, { more });
  if (!parts.length) return;

  const box = timeline.element("p", "since-visit");
  box.id = "since-visit";
  box.append("Since your last visit: ");
  parts.forEach((part, index) => {
    const link = timeline.element("a", "", part.text);
    if (part.kind === "published") {
      // The oldest new update on this page: where the reader left off.
      const onPage = changes.published.find((id) => byId(`entry-${id}`));
      link.href = onPage ? `#entry-${onPage}` : config.blogUrl;
    } else {
      link.href = config.correctionsUrl;
    }
    box.append(index ? ", " : "", link);
  });
  box.append(".");
  const close = timeline.element("button", "since-visit-close", "Dismiss");
  close.type = "button";
  close.addEventListener("click", () => box.remove());
  box.append(" ", close);
  document.querySelector("nav.views").before(box);
}
