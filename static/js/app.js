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

  // Print buttons need script, so they stay hidden without it (the browser's own Print still works).
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  // Move focus to a form's error summary, or to the outcome of a check, so screen readers announce it.
  const target = document.querySelector(".form-errors") || document.querySelector("[data-focus-on-load]");
  if (target) target.focus();
});
