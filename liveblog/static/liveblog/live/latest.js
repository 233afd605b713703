// "Back to the latest": a button once the reader has scrolled far down the timeline, which
// takes them to the newest update (and keyboard focus with them).

// Far down: more than two screens below the top of the timeline.
export function isFarDown(timelineTop, viewportHeight) {
  return timelineTop < -2 * viewportHeight;
}

export function enhance({ timeline, byId }) {
  const button = timeline.element("button", "back-to-latest", "Back to the latest");
  button.type = "button";
  button.id = "back-to-latest";
  button.hidden = true;
  byId("timeline").after(button);

  button.addEventListener("click", () => {
    const region = byId("timeline");
    region.scrollIntoView({ block: "start" });
    const first = region.querySelector("article.entry:not([hidden])");
    first?.focus({ preventScroll: true });
    button.hidden = true;
  });

  let queued = false;
  const check = () => {
    queued = false;
    button.hidden = !isFarDown(byId("timeline").getBoundingClientRect().top, innerHeight);
  };
  window.addEventListener(
    "scroll",
    () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(check);
    },
    { passive: true },
  );
  check();
}
