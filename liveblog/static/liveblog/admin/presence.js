// Who else is on the desk and what they are doing, with no DOM and no socket (tests/js/).

// What a member can be doing, most telling first: a person with two tabs shows as the first.
const RANK = { correcting: 0, retracting: 1, writing: 2, viewing: 3 };

// Entry events after which a correction or retraction form holds a stale revision.
export const REVISION_CHANGES = new Set(["entry.corrected", "entry.retracted"]);

export class Presence {
  // `me`: this socket's id (from the server's hello); `timeout`: seconds without news after
  // which a colleague has gone (a closed laptop says no goodbye).
  constructor({ me = null, timeout = 30 } = {}) {
    this.me = me;
    this.timeoutMs = timeout * 1000;
    this.sockets = new Map();
  }

  // A presence message: {id, user, name, doing, entry}.
  seen(message, now = Date.now()) {
    const { id, user, name, doing, entry = null } = message;
    this.sockets.set(id, { id, user, name: name || user, doing, entry, at: now });
  }

  left(id) {
    return this.sockets.delete(id);
  }

  // Forget the sockets not heard from within the timeout; whether any went.
  expire(now = Date.now()) {
    let changed = false;
    for (const [id, socket] of this.sockets) {
      if (now - socket.at > this.timeoutMs) {
        this.sockets.delete(id);
        changed = true;
      }
    }
    return changed;
  }

  // One line per person, sorted by name: what they do most tellingly, and whether it is me.
  people() {
    const byUser = new Map();
    for (const socket of this.sockets.values()) {
      const you = socket.id === this.me;
      const known = byUser.get(socket.user);
      if (!known || RANK[socket.doing] < RANK[known.doing]) {
        byUser.set(socket.user, { ...socket, you: you || Boolean(known && known.you) });
      } else if (you) {
        known.you = true;
      }
    }
    return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  // The names of the others (not this socket) correcting or retracting the entry.
  changing(entryId) {
    const names = new Set();
    for (const socket of this.sockets.values()) {
      const changes = socket.doing === "correcting" || socket.doing === "retracting";
      if (socket.id !== this.me && changes && socket.entry === entryId) {
        names.add(socket.name);
      }
    }
    return [...names].sort();
  }
}

// What the presence bar says a person is doing; `what` names the entry they are changing.
export function activity(person, what = "an update") {
  switch (person.doing) {
    case "writing":
      return "writing a new update";
    case "correcting":
      return `correcting ${what}`;
    case "retracting":
      return `retracting ${what}`;
    default:
      return "on the desk";
  }
}

// The warning on a correction form, or null: who else is changing it, or that it changed.
export function staleWarning({ others = [], changedBy = null }) {
  if (changedBy !== null) {
    return (
      `${changedBy} changed this update after you opened it: saving will be refused. ` +
      "Copy your text, then reload to see theirs."
    );
  }
  if (others.length) {
    const who = others.length === 1 ? others[0] : `${others.slice(0, -1).join(", ")} and ${others.at(-1)}`;
    return `${who} ${others.length === 1 ? "is" : "are"} changing this update too: whoever saves second will be asked to start from the other's text.`;
  }
  return null;
}
