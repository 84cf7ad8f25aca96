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

  // A table wider than the screen scrolls inside its wrapper, and keyboard users must be able to reach
  // that region to scroll it: give each wrapper a tab stop and the table's caption as its name.
  let tables = 0;
  for (const wrap of document.querySelectorAll(".table-wrap:not([tabindex])")) {
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    const caption = wrap.querySelector("caption");
    if (caption) {
      if (!caption.id) caption.id = `table-caption-${++tables}`;
      wrap.setAttribute("aria-labelledby", caption.id);
    } else {
      wrap.setAttribute("aria-label", "Table");
    }
  }

  // Print buttons need script, so they stay hidden without it (the browser's own Print still works).
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  // On a narrow screen the lesson list folds away above the lesson; it opens again on a wide one.
  const narrow = window.matchMedia("(max-width: 820px)");
  const fold = () => {
    for (const details of document.querySelectorAll("details[data-fold-when-narrow]")) details.open = !narrow.matches;
  };
  fold();
  narrow.addEventListener("change", fold);

  // Browsers that cannot print a closed <details> open (print.css handles the rest) get it opened for paper.
  window.addEventListener("beforeprint", () => {
    for (const details of document.querySelectorAll("details:not([open])")) {
      details.dataset.openedForPrint = "";
      details.open = true;
    }
  });
  window.addEventListener("afterprint", () => {
    for (const details of document.querySelectorAll("details[data-opened-for-print]")) {
      delete details.dataset.openedForPrint;
      details.open = false;
    }
  });

  // Move focus to a form's error summary, or to the outcome of a check, so screen readers announce it.
  const target = document.querySelector(".form-errors") || document.querySelector("[data-focus-on-load]");
  if (target) target.focus();
});
