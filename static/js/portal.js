// Check attachments against the helpdesk's limits before a long upload the server would refuse.
// The server enforces the same limits; this only saves the user a wasted wait.
"use strict";

function attachmentProblem(input) {
  const maxFiles = Number(input.dataset.maxFiles);
  const maxBytes = Number(input.dataset.maxBytes);
  const files = Array.from(input.files || []);
  if (maxFiles && files.length > maxFiles) {
    return `Too many attachments (at most ${maxFiles}).`;
  }
  const tooLarge = files.find((file) => maxBytes && file.size > maxBytes);
  return tooLarge ? `${tooLarge.name} is larger than ${input.dataset.maxLabel}.` : "";
}

function checkAttachments(input) {
  input.setCustomValidity(attachmentProblem(input));
  return input.reportValidity();
}

document.querySelectorAll("input[type=file][data-max-bytes]").forEach((input) => {
  input.addEventListener("change", () => checkAttachments(input));
  input.form.addEventListener("submit", (event) => {
    if (!checkAttachments(input)) {
      event.preventDefault();
    }
  });
});

// Suggest help articles while the user describes the incident (debounced, no reload).
// The server renders the fragments; this script only fetches and inserts them, remembers
// which articles were shown (posted with the report) and opens an article in place.
const SUGGEST_DELAY_MS = 400;
const SUGGEST_MIN_CHARS = 3;

function shownIds(field) {
  return field.value ? field.value.split(",") : [];
}

function rememberShown(panel, field) {
  const ids = new Set(shownIds(field));
  panel.querySelectorAll("[data-article-id]").forEach((item) => ids.add(item.dataset.articleId));
  field.value = Array.from(ids).join(",");
}

async function fetchFragment(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) {
    throw new Error(`Suggestions failed: ${response.status}`);
  }
  return response.text();
}

async function refreshSuggestions(panel, field, text) {
  const results = panel.querySelector(".suggestions-results");
  if (text.length < SUGGEST_MIN_CHARS) {
    return;
  }
  const url = `${panel.dataset.suggestUrl}?q=${encodeURIComponent(text)}`;
  try {
    results.innerHTML = await fetchFragment(url);
  } catch (error) {
    return; // Suggestions are a help, never an obstacle to reporting.
  }
  panel.hidden = false;
  rememberShown(panel, field);
}

async function openSuggestion(button, field) {
  const body = button.parentElement.querySelector(".suggestion-body");
  const opening = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", String(opening));
  body.hidden = !opening;
  if (opening && !body.dataset.loaded) {
    const url = `${button.dataset.articleUrl}?shown=${encodeURIComponent(field.value)}`;
    body.innerHTML = await fetchFragment(url);
    body.dataset.loaded = "yes";
  }
}

function closeSuggestion(stillButton) {
  const item = stillButton.closest(".suggestion");
  item.querySelector(".suggestion-open").setAttribute("aria-expanded", "false");
  item.querySelector(".suggestion-body").hidden = true;
  const report = document.querySelector("form.form button[type=submit]");
  if (report) {
    report.focus();
  }
}

function setUpSuggestions(panel) {
  const field = document.getElementById("shown-articles");
  const subject = document.getElementById("subject");
  const description = document.getElementById("description");
  let timer = null;
  const typed = () => `${subject.value} ${description.value}`.trim();
  [subject, description].forEach((input) => {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => refreshSuggestions(panel, field, typed()), SUGGEST_DELAY_MS);
    });
  });
  panel.addEventListener("click", (event) => {
    const open = event.target.closest(".suggestion-open");
    if (open) {
      openSuggestion(open, field);
    } else if (event.target.closest(".suggestion-still")) {
      closeSuggestion(event.target);
    }
  });
  if (typed()) {
    refreshSuggestions(panel, field, typed());
  }
}

const suggestionPanel = document.getElementById("kb-suggestions");
if (suggestionPanel) {
  setUpSuggestions(suggestionPanel);
}
