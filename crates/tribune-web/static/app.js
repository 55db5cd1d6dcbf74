// Progressive enhancement only: every page works without this file.
document.addEventListener("focusin", (event) => {
  const target = event.target;
  if (target instanceof HTMLInputElement && target.classList.contains("copy")) {
    target.select();
  }
});

// Copy buttons (`data-copy` names the element to copy, an input or a <pre>): hidden in the
// markup and shown only where the clipboard can be written.
if (navigator.clipboard) {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      if (!source) return;
      const text = source instanceof HTMLInputElement ? source.value : source.textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = button.dataset.copied || button.textContent;
      } catch {
        // The text stays selectable by hand.
      }
    });
  }
}
