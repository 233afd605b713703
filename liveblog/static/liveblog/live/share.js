// Sharing one update: the system share sheet where the device has one for touch (phones),
// and a copy-link button everywhere, each confirming what it did. No third-party script: the
// network links at the foot of the page are plain links (_share.html).

const CONFIRM_MS = 2_500;

// Copy text with the async clipboard, or the old way where that is refused (no secure
// context, no permission); false if neither worked: the caller shows the link instead.
export async function copyText(text, { clipboard = globalThis.navigator?.clipboard, document = globalThis.document } = {}) {
  try {
    await clipboard.writeText(text);
    return true;
  } catch {
    const field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.append(field);
    field.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
    field.remove();
    return copied;
  }
}

// The system share sheet is offered on touch devices that have one; on a desktop the copy
// button does the job without a dialog.
export function offersShareSheet({ navigator = globalThis.navigator, coarse = false } = {}) {
  return typeof navigator?.share === "function" && coarse;
}

export function enhance({ timeline, say }) {
  const coarse = matchMedia("(pointer: coarse)").matches;
  const sheet = offersShareSheet({ navigator, coarse });

  function dress(article) {
    const footer = article.querySelector(".entry-links");
    if (!footer || footer.querySelector(".share-update") || article.dataset.status === "retracted") return;
    const group = timeline.element("span", "share-update");
    if (sheet) {
      const share = timeline.element("button", "share-button", "Share");
      share.type = "button";
      share.dataset.action = "share";
      group.append(share);
    }
    const copy = timeline.element("button", "copy-link", "Copy link");
    copy.type = "button";
    copy.dataset.action = "copy";
    const done = timeline.element("span", "share-done");
    done.setAttribute("role", "status");
    group.append(copy, done);
    footer.append(" ", group);
  }

  function confirm(group, text) {
    const done = group.querySelector(".share-done");
    done.textContent = text;
    clearTimeout(Number(done.dataset.timer));
    done.dataset.timer = setTimeout(() => {
      done.textContent = "";
    }, CONFIRM_MS);
  }

  async function act(button) {
    const article = button.closest("article.entry");
    const link = article.querySelector("a.permalink");
    const url = link.href; // absolute: the browser resolves it
    const title = article.querySelector(".entry-headline")?.textContent ?? document.title;
    const group = button.closest(".share-update");
    if (button.dataset.action === "share") {
      try {
        await navigator.share({ title, url });
      } catch (error) {
        if (error.name !== "AbortError") confirm(group, "Could not open the share sheet");
      }
      return;
    }
    if (await copyText(url)) {
      confirm(group, "Link copied");
    } else {
      confirm(group, `Copy this link: ${url}`);
      say(`Could not copy. The link is ${url}`);
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest?.(".share-update button[data-action]");
    if (button) act(button);
  });

  const region = document.getElementById("timeline");
  const dressAll = () => document.querySelectorAll("article.entry").forEach(dress);
  dressAll();
  // Articles arrive live, with older updates and with a filter: each gets its buttons.
  new MutationObserver(dressAll).observe(region, { childList: true, subtree: true });
}
