// The composer's "Schedule": its time is in the "Schedule, byline, labels" fold; a click with
// no time chosen opens the fold and puts the cursor there instead of sending the form.
// Without JS the server answers "Choose when to publish it." on the field.
"use strict";

(function () {
  const schedule = document.querySelector("input[name=_schedule]");
  const when = document.getElementById("id_publish_at");
  if (!schedule || !when) {
    return;
  }
  schedule.addEventListener("click", (event) => {
    if (when.value) {
      return;
    }
    event.preventDefault();
    const fold = when.closest("details");
    if (fold) {
      fold.open = true;
    }
    when.focus();
  });
})();
