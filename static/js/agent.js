// The incident workbench: insert a help article's link into the reply being written, and
// record on the server that the article was sent for this incident.
"use strict";

function insertAtCursor(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  const before = textarea.value.slice(0, start);
  const spacer = before && !before.endsWith("\n") ? "\n" : "";
  textarea.value = `${before}${spacer}${text}\n${textarea.value.slice(end)}`;
  const caret = before.length + spacer.length + text.length + 1;
  textarea.setSelectionRange(caret, caret);
  textarea.focus();
}

function recordLink(panel, button) {
  const body = new URLSearchParams({ csrf_token: panel.dataset.csrf });
  return fetch(button.dataset.linkUrl, { method: "POST", body, credentials: "same-origin" });
}

const kbPanel = document.querySelector(".kb-panel");
if (kbPanel) {
  kbPanel.addEventListener("click", (event) => {
    const button = event.target.closest(".kb-insert");
    const reply = document.getElementById(kbPanel.dataset.replyField);
    if (!button || !reply) {
      return;
    }
    insertAtCursor(reply, `${button.dataset.title}: ${button.dataset.url}`);
    recordLink(kbPanel, button);
  });
}

// The people picker: on any input with data-people-url, list the people matching what the
// agent types and put the chosen person's address in the field. The server reads a typed
// name or address just as well, so without this script the forms work the same.
const PICKER_DELAY_MS = 250;
const PICKER_MIN_CHARS = 2;
let pickerCount = 0;

function pickerOption(list, person, index) {
  const option = document.createElement("li");
  option.id = `${list.id}-${index}`;
  option.setAttribute("role", "option");
  option.setAttribute("aria-selected", "false");
  option.dataset.email = person.email;
  const name = document.createElement("span");
  name.className = "picker-name";
  name.textContent = person.name;
  const email = document.createElement("span");
  email.className = "picker-email";
  email.textContent = person.email;
  option.append(name, " ", email);
  return option;
}

class PeoplePicker {
  constructor(input) {
    this.input = input;
    this.list = document.createElement("ul");
    this.list.id = `people-picker-${(pickerCount += 1)}`;
    this.list.className = "picker-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Matching people");
    this.list.hidden = true;
    input.insertAdjacentElement("afterend", this.list);
    input.parentElement.classList.add("picker");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    this.timer = null;
    this.asked = 0;
    input.addEventListener("input", () => this.schedule());
    input.addEventListener("keydown", (event) => this.key(event));
    input.addEventListener("blur", () => window.setTimeout(() => this.close(), 150));
    this.list.addEventListener("mousedown", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) {
        event.preventDefault();
        this.choose(option);
      }
    });
  }

  schedule() {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.lookUp(), PICKER_DELAY_MS);
  }

  async lookUp() {
    const text = this.input.value.trim();
    const asked = (this.asked += 1);
    if (text.length < PICKER_MIN_CHARS) {
      this.close();
      return;
    }
    let found;
    try {
      const url = `${this.input.dataset.peopleUrl}?q=${encodeURIComponent(text)}`;
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      found = (await response.json()).people;
    } catch (error) {
      return; // The picker is a help: the server reads the typed text anyway.
    }
    if (asked === this.asked) {
      this.show(found);
    }
  }

  show(people) {
    this.list.replaceChildren(...people.map((person, index) => pickerOption(this.list, person, index)));
    this.list.hidden = people.length === 0;
    this.input.setAttribute("aria-expanded", String(people.length > 0));
    this.input.removeAttribute("aria-activedescendant");
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  options() {
    return Array.from(this.list.querySelectorAll("[role=option]"));
  }

  move(step) {
    const options = this.options();
    const current = options.findIndex((option) => option.getAttribute("aria-selected") === "true");
    const next = (current + step + options.length) % options.length;
    options.forEach((option, index) => option.setAttribute("aria-selected", String(index === next)));
    this.input.setAttribute("aria-activedescendant", options[next].id);
    options[next].scrollIntoView({ block: "nearest" });
  }

  key(event) {
    if (this.list.hidden) {
      return;
    }
    const active = this.list.querySelector("[aria-selected=true]");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && active) {
      event.preventDefault();
      this.choose(active);
    } else if (event.key === "Escape") {
      this.close();
    }
  }

  choose(option) {
    this.input.value = option.dataset.email;
    this.asked += 1; // an answer still on its way must not reopen the list
    this.close();
    this.input.focus();
  }
}

document.querySelectorAll("input[data-people-url]").forEach((input) => new PeoplePicker(input));
