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
// Dead though open: silent for this many heartbeats (README, "Silent sockets"). A heartbeat's
// seq not brought within GAP_MS is a gap.
const SILENT_BEATS = 2.5;
const GAP_MS = 2_000;

// Jitter, so readers a restart dropped together do not all come back at once.
export function backoffDelay(attempt, random) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** attempt);
  return ceiling / 2 + random * (ceiling / 2);
}

// Calls `onSilent` unless `heard()` again within `ms` (0: never).
export class Watchdog {
  constructor({ ms, onSilent, timers = globalThis }) {
    Object.assign(this, { ms, onSilent, timers });
  }

  heard() {
    this.stop();
    if (this.ms > 0) this.timer = this.timers.setTimeout(this.onSilent, this.ms);
  }

  stop() {
    this.timers.clearTimeout(this.timer);
  }
}

export class Connection {
  // `state.receive()` decides on each message, `apply(message)` shows it; `onStatus` hears
  // "connecting", "open", "reconnecting", "polling" and "off"; fallback(this) polls;
  // `heartbeatMs`: how often the server beats (0: never).
  constructor({
    url, state, apply, onStatus, fallback, heartbeatMs = 0,
    WebSocket = globalThis.WebSocket, timers = globalThis, random = Math.random,
  }) {
    Object.assign(this, { url, state, apply, onStatus, fallback, heartbeatMs, WebSocket, timers, random });
    this.status = "off";
    this.socket = this.reconnectTimer = this.stableTimer = this.poller = null;
    // `silent`: sockets in a row that opened and brought nothing (a buffering proxy).
    this.attempt = this.failures = this.silent = 0;
    this.stopped = false;
  }

  connect() {
    this.timers.clearTimeout(this.reconnectTimer);
    if (this.stopped) return;
    const ws = new this.WebSocket(`${this.url}?after=${this.state.lastSeq}`);
    this.socket = ws;
    this.heard = this.stable = false;
    if (!this.poller && this.status !== "reconnecting") this.setStatus("connecting");
    if (this.fallback) this.stableTimer = this.timers.setTimeout(() => this.failed(ws, true), OPEN_TIMEOUT_MS);
    ws.addEventListener("open", () => {
      if (this.socket !== ws) return;
      // After silent sockets, poll until this one speaks.
      if (!(this.poller && this.silent)) this.takeOver();
      this.watchdog = new Watchdog({ onSilent: () => this.silence(ws), timers: this.timers });
      this.heartbeat(ws, {});
      this.timers.clearTimeout(this.stableTimer);
      this.stableTimer = this.timers.setTimeout(() => {
        this.stable = true;
        this.settle();
      }, STABLE_AFTER_MS);
    });
    ws.addEventListener("message", (event) => {
      if (this.socket !== ws) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        message = null;
      }
      this.heartbeat(ws, message?.type === "heartbeat" ? message : {});
      if (!this.heard) {
        this.heard = true;
        if (this.poller) this.takeOver();
        this.settle();
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

  takeOver() {
    this.poller?.stop();
    this.poller = null;
    this.setStatus("open");
  }

  // Up 2 s (and heard from, after silent sockets): healthy.
  settle() {
    if (this.stable && (this.heard || !this.silent)) this.attempt = this.failures = this.silent = 0;
  }

  silence(ws) {
    if (!this.heard) this.silent += 1;
    this.failed(ws);
  }

  // Heard from `ws`: a heartbeat says how often it beats, and the blog's last seq.
  heartbeat(ws, { last_seq: seq, interval }) {
    if (interval > 0) this.heartbeatMs = interval * 1000;
    this.watchdog.ms = this.heartbeatMs * SILENT_BEATS;
    this.watchdog.heard();
    const behind = () => this.socket === ws && this.state.lastSeq < seq && this.reconnect();
    if (seq > this.state.lastSeq) this.timers.setTimeout(behind, GAP_MS);
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
    this.watchdog?.stop();
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
