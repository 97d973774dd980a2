// Small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Buttons marked data-once are disabled after the first submit, so a double click sends one request.
  document.body.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    for (const button of form.querySelectorAll("button[data-once]")) {
      setTimeout(() => { button.disabled = true; button.setAttribute("aria-busy", "true"); }, 0);
    }
  });
});
