// Progressive enhancements only: every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A quiz is submitted once: disable the button after the first click (the server also refuses
  // a second grading, this just spares the learner a confusing double request).
  for (const button of document.querySelectorAll("button[data-once]")) {
    const form = button.closest("form");
    if (!form) continue;
    form.addEventListener("submit", () => {
      window.setTimeout(() => {
        button.disabled = true;
        button.textContent = "Submitting…";
      }, 0);
    });
  }
  // Move focus to a form's error summary so screen readers announce it.
  const errors = document.querySelector(".form-errors");
  if (errors) errors.focus();
});
