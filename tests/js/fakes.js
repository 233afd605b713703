// Stand-ins for the browser's WebSocket and timers, shared by the connection's and the
// poller's tests: the test plays the server and says how much time passed.

// Sockets the connection opened, newest last; the test plays the server.
export class FakeSocket extends EventTarget {
  static opened = [];

  constructor(url) {
    super();
    this.url = url;
    this.closed = false;
    FakeSocket.opened.push(this);
  }

  get after() {
    return Number(new globalThis.URL(this.url).searchParams.get("after"));
  }

  open() {
    this.dispatchEvent(new Event("open"));
  }

  send(message) {
    const event = new Event("message");
    event.data = typeof message === "string" ? message : JSON.stringify(message);
    this.dispatchEvent(event);
  }

  // The server or the network closed it.
  drop(code = 1006) {
    const event = new Event("close");
    event.code = code;
    this.dispatchEvent(event);
  }

  // The client closed it: the browser reports the close later, as here.
  close() {
    this.closed = true;
    this.drop(1005);
  }
}

// Timers that run only when the test says how much time passed.
export class Clock {
  now = 0;
  timers = new Map();
  nextId = 1;

  setTimeout(callback, delay) {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + delay, callback });
    return id;
  }

  clearTimeout(id) {
    this.timers.delete(id);
  }

  advance(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter(([, timer]) => timer.at <= until);
      if (!due.length) break;
      const [id, timer] = due.sort((a, b) => a[1].at - b[1].at)[0];
      this.timers.delete(id);
      this.now = timer.at;
      timer.callback();
    }
    this.now = until;
  }
}
