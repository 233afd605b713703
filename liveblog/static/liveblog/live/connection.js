// The push channel: one WebSocket at a time with ?after=<last seq applied>, reconnecting with
// backoff and jitter after a drop, a gap or a restart. The socket and timers can be stand-ins.

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30_000;
// A connection that stays up this long is healthy again: the next drop starts the backoff over.
const STABLE_AFTER_MS = 2_000;
// The blog is gone or unpublished (4404), or `after` was refused (4400): retrying cannot help.
const FINAL_CLOSE_CODES = [4400, 4404];

// Jitter, so readers a restart dropped together do not all come back at once.
export function backoffDelay(attempt, random) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** attempt);
  return ceiling / 2 + random * (ceiling / 2);
}

export class Connection {
  // `state.receive()` decides on each message, `apply(message)` shows it; `onStatus` hears
  // "connecting", "open", "reconnecting" and "off".
  constructor({
    url, state, apply, onStatus, WebSocket = globalThis.WebSocket, timers = globalThis, random = Math.random,
  }) {
    Object.assign(this, { url, state, apply, onStatus, WebSocket, timers, random });
    this.status = "off";
    this.socket = this.reconnectTimer = this.stableTimer = null;
    this.attempt = 0;
    this.stopped = false;
  }

  connect() {
    this.timers.clearTimeout(this.reconnectTimer);
    if (this.stopped) return;
    const ws = new this.WebSocket(`${this.url}?after=${this.state.lastSeq}`);
    this.socket = ws;
    if (this.status !== "reconnecting") this.setStatus("connecting");
    ws.addEventListener("open", () => {
      if (this.socket !== ws) return;
      this.setStatus("open");
      this.stableTimer = this.timers.setTimeout(() => (this.attempt = 0), STABLE_AFTER_MS);
    });
    ws.addEventListener("message", (event) => {
      if (this.socket !== ws) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      const verdict = this.state.receive(message);
      if (verdict === "catch-up") this.reconnect();
      else if (verdict === "apply") this.apply(message);
    });
    ws.addEventListener("close", (event) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.timers.clearTimeout(this.stableTimer);
      if (FINAL_CLOSE_CODES.includes(event.code)) {
        this.stopped = true;
        this.setStatus("off");
      } else {
        this.scheduleReconnect();
      }
    });
  }

  // The network is back: connect now rather than at the end of the backoff.
  online() {
    if (!this.socket && !this.stopped) this.connect();
  }

  reconnect() {
    const ws = this.socket;
    this.socket = null;
    this.timers.clearTimeout(this.stableTimer);
    if (ws) ws.close();
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.random());
    this.attempt = Math.min(this.attempt + 1, 16);
    this.setStatus("reconnecting");
    this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  setStatus(status) {
    this.status = status;
    this.onStatus(status);
  }
}
