// The assessment field form survives a lost connection and a closed tab (docs/decisions.md, "field form").
// Every keystroke is kept on this device (localStorage) and, while online, htmx saves a server draft.
// Submitting offline waits for the "online" event and sends the form once; the submission key in the form
// makes a second arrival of the same form return the assessment the first one created.
(() => {
  const storageKey = (person) => `sinergi-assessment-${person}`;

  function read(person) {
    try { return JSON.parse(localStorage.getItem(storageKey(person)) || "null"); } catch { return null; }
  }

  function write(person, entry) {
    try { localStorage.setItem(storageKey(person), JSON.stringify(entry)); } catch { /* storage full or off */ }
  }

  function collect(form) {
    const values = {};
    for (const [name, value] of new FormData(form).entries()) {
      if (name !== "csrfmiddlewaretoken") values[name] = String(value);
    }
    return values;
  }

  function restore(form, values) {
    for (const [name, value] of Object.entries(values)) {
      if (name === "csrfmiddlewaretoken") continue;
      for (const field of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (field.type === "radio" || field.type === "checkbox") field.checked = field.value === value;
        else if (field._flatpickr) field._flatpickr.setDate(value, false);  // a date shown day/month/year
        else field.value = value;
      }
    }
  }

  function setup(form) {
    const person = form.dataset.person;
    const status = document.getElementById("draft-status");
    const offline = document.getElementById("offline-banner");
    const pending = document.getElementById("pending-banner");
    const keyField = form.querySelector("input[name=submission_key]");
    const hadErrors = document.getElementById("form-errors") !== null;
    const stored = read(person);

    // What this device kept is newer than the server's draft (it is written on every keystroke), except right
    // after the server refused a submission: then the page shows exactly what was sent, with the messages.
    if (stored && stored.values && !hadErrors) {
      restore(form, stored.values);
      if (stored.key) keyField.value = stored.key;
    }
    const save = (extra) => {
      const entry = { key: keyField.value, values: collect(form), savedAt: new Date().toISOString(), ...extra };
      write(person, entry);
      return entry;
    };
    save({ pending: Boolean(stored && stored.pending && !hadErrors) });

    const showState = () => {
      offline.hidden = navigator.onLine;
      if (!navigator.onLine && status) status.textContent = status.dataset.offlineText || status.textContent;
    };
    if (status) status.dataset.offlineText = offline.textContent.trim();

    form.addEventListener("input", () => save({}));
    form.addEventListener("change", () => save({}));
    form.addEventListener("submit", (event) => {
      if (navigator.onLine) { save({ pending: true }); return; }
      event.preventDefault();
      save({ pending: true });
      pending.hidden = false;
    });
    window.addEventListener("offline", showState);
    window.addEventListener("online", () => {
      showState();
      const entry = read(person);
      if (entry && entry.pending) {
        form.submit();  // no submit event: the key is already stored, the server keeps one assessment
      } else if (window.htmx) {
        window.htmx.trigger(form, "change");  // bring the server draft up to date
      }
    });
    document.body.addEventListener("htmx:sendError", showState);
    showState();
    if (stored && stored.pending && !hadErrors && navigator.onLine) form.submit();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("form.assessment-form");
    if (form) setup(form);
    // After a completed assessment the page names it: forget what this device kept for that form.
    const done = document.querySelector("[data-assessment-done]");
    if (done) {
      const entry = read(done.dataset.assessmentDone);
      if (entry && entry.key === done.dataset.key) localStorage.removeItem(storageKey(done.dataset.assessmentDone));
    }
  });
})();
