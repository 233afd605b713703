// Times in the reader's own time zone, the newsroom's one click away. The server writes
// every time in the blog's zone and says so (#blog-zone); this rewrites them in the zone the
// reader picks, remembered in the browser, and the new updates follow (timeline.times).
import { Times } from "./times.js";

const STORAGE_KEY = "liveblog:zone"; // "reader" or "newsroom", for every blog
const readerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

// Which zone to show: the reader's unless they chose the newsroom's.
export function zoneFor(choice, { reader, newsroom }) {
  return choice === "newsroom" ? newsroom : reader;
}

// Rewrite every <time datetime> under root. One with a title is a clock ("14:05") with the
// full time as its tooltip; one without shows the full time itself (rendering.py's two forms).
export function retime(root, times, now = new Date()) {
  for (const time of root.querySelectorAll("time[datetime]")) {
    const date = new Date(time.dateTime);
    if (Number.isNaN(date.getTime())) continue;
    if (time.title) {
      time.title = times.full(date);
      time.textContent = times.clock(date, now);
    } else {
      time.textContent = times.full(date);
    }
  }
}

// What the zone line says, and what its button offers.
export function zoneText(zone, { reader, newsroom }) {
  if (reader === newsroom) return { text: `Times in ${newsroom}, the newsroom's and yours`, offer: null };
  if (zone === reader) return { text: `Times in your zone (${reader})`, offer: `Show newsroom's (${newsroom})` };
  return { text: `Times in the newsroom's zone (${newsroom})`, offer: `Show yours (${reader})` };
}

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage refused (private mode): the reader's zone, every time
  }
}

function remember(choice) {
  try {
    localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // not kept: this page still shows the choice
  }
}

export function enhance({ config, timeline, byId, say }) {
  const line = byId("blog-zone");
  if (!line) return;
  const zones = { reader: readerZone(), newsroom: config.timeZone };
  const label = timeline.element("span", "zone-text");
  const button = timeline.element("button", "zone-toggle");
  button.type = "button";
  line.replaceChildren(label, button);

  function showIn(zone) {
    timeline.times = new Times(zone);
    retime(document, timeline.times);
    const { text, offer } = zoneText(zone, zones);
    label.textContent = text;
    button.hidden = !offer;
    button.textContent = offer ?? "";
    line.dataset.zone = zone;
  }

  button.addEventListener("click", () => {
    const choice = line.dataset.zone === zones.reader ? "newsroom" : "reader";
    remember(choice);
    showIn(zoneFor(choice, zones));
    say(label.textContent);
  });
  // A timeline swapped in (older updates, a filter) comes from the server, in its zone.
  document.addEventListener("liveblog:timeline", () => retime(document, timeline.times));
  showIn(zoneFor(remembered(), zones));
}
