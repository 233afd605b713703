// A stand-in for the few DOM features live/entries.js uses, so Node can run it: elements with
// attributes (class, id, data-*, hidden...), children, text, and selectors of one compound
// part ("article.is-pending", "[data-ago]", "time[datetime]"). Not a browser: no layout, no
// events; innerHTML is kept as given (the server sanitized it) and written back out verbatim.

const REFLECTED = { id: "id", className: "class", href: "href", title: "title", dateTime: "datetime" };

const camelToData = (name) => `data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const escapeText = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttribute = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

class Raw {
  constructor(html) {
    this.html = html;
    this.parentElement = null;
  }

  get textContent() {
    return this.html.replace(/<[^>]*>/g, "");
  }
}

export class Element {
  constructor(document, tag) {
    this.ownerDocument = document;
    this.tagName = tag.toUpperCase();
    this.attributes = new Map();
    this.childNodes = [];
    this.parentElement = null;
    this.top = 0; // what getBoundingClientRect() reports: set it to scroll the reader away
    const element = this;
    this.dataset = new Proxy(
      {},
      {
        get: (_, name) => element.getAttribute(camelToData(name)) ?? undefined,
        set: (_, name, value) => {
          element.setAttribute(camelToData(name), value);
          return true;
        },
        has: (_, name) => element.attributes.has(camelToData(name)),
      },
    );
    for (const [property, attribute] of Object.entries(REFLECTED)) {
      Object.defineProperty(this, property, {
        get: () => this.getAttribute(attribute) ?? "",
        set: (value) => this.setAttribute(attribute, value),
      });
    }
  }

  getAttribute(name) {
    return this.attributes.has(name) ? this.attributes.get(name) : null;
  }

  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }

  removeAttribute(name) {
    this.attributes.delete(name);
  }

  get tabIndex() {
    return Number(this.getAttribute("tabindex") ?? -1);
  }

  set tabIndex(value) {
    this.setAttribute("tabindex", value);
  }

  get hidden() {
    return this.attributes.has("hidden");
  }

  set hidden(value) {
    if (value) this.setAttribute("hidden", "");
    else this.removeAttribute("hidden");
  }

  get classList() {
    const names = () => this.className.split(/\s+/).filter(Boolean);
    const write = (list) => this.setAttribute("class", list.join(" "));
    return {
      contains: (name) => names().includes(name),
      add: (name) => names().includes(name) || write([...names(), name]),
      remove: (name) => write(names().filter((other) => other !== name)),
      toggle: (name, force = !names().includes(name)) => {
        if (force) this.classList.add(name);
        else this.classList.remove(name);
        return Boolean(force);
      },
    };
  }

  get children() {
    return this.childNodes.filter((node) => node instanceof Element);
  }

  get isConnected() {
    let node = this;
    while (node.parentElement) node = node.parentElement;
    return node === this.ownerDocument.documentElement;
  }

  get textContent() {
    return this.childNodes.map((node) => (typeof node === "string" ? node : node.textContent)).join("");
  }

  set textContent(text) {
    this.replaceChildren(String(text));
  }

  set innerHTML(html) {
    this.replaceChildren(new Raw(html));
  }

  get outerHTML() {
    const attributes = [...this.attributes].map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`);
    const inner = this.childNodes.map((node) => {
      if (typeof node === "string") return escapeText(node);
      return node instanceof Raw ? node.html : node.outerHTML;
    });
    const tag = this.tagName.toLowerCase();
    return `<${tag}${attributes.join("")}>${inner.join("")}</${tag}>`;
  }

  adopt(node) {
    if (node instanceof Element || node instanceof Raw) {
      node.parentElement?.removeChild(node);
      node.parentElement = this;
    }
    return node;
  }

  removeChild(node) {
    this.childNodes.splice(this.childNodes.indexOf(node), 1);
    node.parentElement = null;
  }

  append(...nodes) {
    for (const node of nodes) this.childNodes.push(this.adopt(node));
  }

  replaceChildren(...nodes) {
    for (const node of this.childNodes) if (typeof node !== "string") node.parentElement = null;
    this.childNodes = [];
    this.append(...nodes);
  }

  insertBefore(node, reference) {
    if (reference === null) return this.append(node);
    this.adopt(node);
    this.childNodes.splice(this.childNodes.indexOf(reference), 0, node);
  }

  replaceWith(node) {
    const parent = this.parentElement;
    parent.insertBefore(node, this);
    parent.removeChild(this);
  }

  remove() {
    this.parentElement?.removeChild(this);
  }

  getBoundingClientRect() {
    return { top: this.top };
  }

  matches(selector) {
    const [, tag, rest] = selector.match(/^([a-z0-9]*)(.*)$/);
    if (tag && this.tagName.toLowerCase() !== tag) return false;
    for (const [, kind, name] of rest.matchAll(/([.#[])([\w-]+)\]?/g)) {
      if (kind === "." && !this.classList.contains(name)) return false;
      if (kind === "#" && this.id !== name) return false;
      if (kind === "[" && !this.attributes.has(name)) return false;
    }
    return true;
  }

  *descendants() {
    for (const child of this.children) {
      yield child;
      yield* child.descendants();
    }
  }

  querySelectorAll(selector) {
    return [...this.descendants()].filter((element) => element.matches(selector));
  }

  querySelector(selector) {
    return this.querySelectorAll(selector)[0] ?? null;
  }
}

export class Document {
  constructor() {
    this.documentElement = new Element(this, "html");
  }

  createElement(tag) {
    return new Element(this, tag);
  }

  getElementById(id) {
    return this.documentElement.querySelector(`#${id}`);
  }

  querySelectorAll(selector) {
    return this.documentElement.querySelectorAll(selector);
  }
}
