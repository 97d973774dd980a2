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
  enhanceDates(document.body);
  document.body.addEventListener("htmx:load", (event) => enhanceDates(event.target));
});

// Dates are shown and typed day/month/year, with month names in the page's language, whatever the browser's
// own language: a browser set to English shows a native date field as month/day/year, so "12/10/1990" typed
// there became 10 December. The field still sends yyyy-mm-dd, and the server checks it as before.
function enhanceDates(root) {
  if (!window.flatpickr || !(root instanceof Element)) return;
  const indonesian = document.documentElement.lang === "id" && window.flatpickr.l10ns.id;
  const fields = root.matches('input[type="date"]') ? [root] : root.querySelectorAll('input[type="date"]');
  for (const input of fields) {
    if (input._flatpickr) continue;
    window.flatpickr(input, {
      altInput: true,
      altFormat: "d/m/Y",
      dateFormat: "Y-m-d",
      allowInput: true,
      disableMobile: true,
      animate: false,
      locale: indonesian ? "id" : "default",
      minDate: input.min || null,
      maxDate: input.max || null,
      parseDate: readDate,
      onReady: (_dates, _text, picker) => {
        labelLikeTheOriginal(picker);
        closeOnEscape(picker);
      },
    });
  }
}

// Escape closes the calendar while the cursor is in the typed field (flatpickr ignores it there when typing is
// allowed); what was typed stays and is read when the field loses focus.
function closeOnEscape(picker) {
  const shown = picker.altInput || picker.input;
  shown.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && picker.isOpen) picker.close();
  });
}

// "12/10/1990", "12-10-1990", "12.10.1990" (day first) and "1990-10-12"; undefined for anything else.
function readDate(text) {
  const value = String(text).trim();
  let match = value.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  let year, month, day;
  if (match) {
    [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    match = value.match(/^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$/);
    if (!match) return undefined;
    [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  const date = new Date(year, month - 1, day);
  const real = date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day;
  return real ? date : undefined;
}

// The visible field is what its label names (the label's `for` moves to it) and takes the original's description
// and error state; the original keeps its id and name, so htmx triggers and includes that name it still work, and
// it is the hidden field that is sent.
function labelLikeTheOriginal(picker) {
  const original = picker.input;
  const shown = picker.altInput;
  if (!shown) return;
  if (original.id) {
    shown.id = `${original.id}_shown`;
    for (const label of document.querySelectorAll(`label[for="${CSS.escape(original.id)}"]`)) label.htmlFor = shown.id;
  }
  for (const name of ["aria-describedby", "aria-invalid", "required"]) {
    if (original.hasAttribute(name)) shown.setAttribute(name, original.getAttribute(name));
  }
  shown.placeholder = document.documentElement.lang === "id" ? "hh/bb/tttt" : "dd/mm/yyyy";
  shown.setAttribute("autocomplete", "off");
}
