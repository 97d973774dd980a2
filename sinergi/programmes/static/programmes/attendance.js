// The attendance tick list on a weak connection: every tick is its own small, idempotent request, so a tick
// that did not arrive is simply sent again (up to three times), and says "not saved" until it is.
(function () {
  "use strict";
  var RETRIES = 3;
  function row(event) { return event.target.closest ? event.target.closest(".tick-row") : null; }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var li = row(event);
    if (li) { var note = li.querySelector(".tick-failed"); if (note) { note.hidden = true; } }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    // A refusal (409) carries the row with its message: show it instead of dropping it.
    if (row(event) && event.detail.xhr.status === 409) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
  function failed(event) {
    var li = row(event);
    if (!li) { return; }
    var form = li.querySelector("form");
    var tries = Number(form.dataset.tries || 0);
    if (tries < RETRIES) {
      form.dataset.tries = String(tries + 1);
      window.setTimeout(function () { window.htmx.trigger(form, "submit"); }, 1500 * (tries + 1));
    }
    var note = li.querySelector(".tick-failed");
    if (note) { note.hidden = false; }
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
})();
