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
