// The push channel: one WebSocket at a time with ?after=<last seq applied>, reconnecting with
// backoff and jitter after a drop, a gap or a restart. The socket and timers can be stand-ins.

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30_000;
// A connection that stays up this long is healthy again: the next drop starts the backoff over.
const STABLE_AFTER_MS = 2_000;
// The blog is gone or unpublished (4404), or `after` was refused (4400): retrying cannot help.
const FINAL_CLOSE_CODES = [4400, 4404];
// Poll after this many failures in a row, or a handshake unanswered this long.
const FALLBACK_AFTER_FAILURES = 2;
const OPEN_TIMEOUT_MS = 5_000;

// Jitter, so readers a restart dropped together do not all come back at once.
export function backoffDelay(attempt, random) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** attempt);
  return ceiling / 2 + random * (ceiling / 2);
}

export class Connection {
  // `state.receive()` decides on each message, `apply(message)` shows it; `onStatus` hears
  // "connecting", "open", "reconnecting", "polling" and "off"; fallback(this) polls.
  constructor({
    url, state, apply, onStatus, fallback, WebSocket = globalThis.WebSocket, timers = globalThis, random = Math.random,
  }) {
    Object.assign(this, { url, state, apply, onStatus, fallback, WebSocket, timers, random });
    this.status = "off";
    this.socket = this.reconnectTimer = this.stableTimer = this.poller = null;
    this.attempt = this.failures = 0;
    this.stopped = false;
  }

  connect() {
    this.timers.clearTimeout(this.reconnectTimer);
    if (this.stopped) return;
    const ws = new this.WebSocket(`${this.url}?after=${this.state.lastSeq}`);
    this.socket = ws;
    if (!this.poller && this.status !== "reconnecting") this.setStatus("connecting");
    if (this.fallback) this.stableTimer = this.timers.setTimeout(() => this.failed(ws, true), OPEN_TIMEOUT_MS);
    ws.addEventListener("open", () => {
      if (this.socket !== ws) return;
      this.poller?.stop();
      this.poller = null;
      this.setStatus("open");
      this.timers.clearTimeout(this.stableTimer);
      this.stableTimer = this.timers.setTimeout(() => (this.attempt = this.failures = 0), STABLE_AFTER_MS);
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
      if (!FINAL_CLOSE_CODES.includes(event.code)) return this.failed(ws);
      this.drop();
      this.stopped = true;
      this.poller?.stop();
      this.setStatus("off");
    });
  }

  // Closed, or not open in time: try again, or poll meanwhile.
  failed(ws, timedOut) {
    if (this.socket !== ws) return;
    this.drop();
    ws.close();
    this.failures += 1;
    if (this.fallback && (this.poller || timedOut || this.failures >= FALLBACK_AFTER_FAILURES)) this.fallback(this);
    else this.scheduleReconnect();
  }

  drop() {
    this.socket = null;
    this.timers.clearTimeout(this.stableTimer);
  }

  // The network is back: connect now rather than at the end of the backoff.
  online() {
    if (!this.socket && !this.stopped) this.connect();
  }

  reconnect() {
    const ws = this.socket;
    this.drop();
    if (ws) ws.close();
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt, this.random());
    this.attempt += 1;
    this.setStatus("reconnecting");
    this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = this.timers.setTimeout(() => this.connect(), delay);
  }

  setStatus(status) {
    this.status = status;
    this.onStatus(status);
  }
}
