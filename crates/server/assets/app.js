// berth serve pages: copy buttons for the install commands. Everything else works without
// script; without it the buttons stay hidden and the commands can be selected by hand.
"use strict";

function confirmCopy(button, message) {
  const status = button.nextElementSibling;
  if (status && status.classList.contains("copy-status")) {
    status.textContent = message;
  }
}

function fallbackCopy(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch (_) {
    copied = false;
  }
  area.remove();
  return copied;
}

async function copyFrom(button) {
  const source = document.getElementById(button.dataset.copy);
  if (!source) {
    return;
  }
  const text = source.textContent;
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch (_) {
      copied = false;
    }
  }
  if (!copied) {
    copied = fallbackCopy(text);
  }
  confirmCopy(button, copied ? "Copied" : "Copy failed: select the command and copy it");
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button.copy[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", () => copyFrom(button));
  }
});
