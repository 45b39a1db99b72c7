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
