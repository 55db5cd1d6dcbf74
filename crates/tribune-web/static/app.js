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

// The composer: a live check of each channel's count and problems, the typography hints, the
// spelling and the words to avoid, as the text is typed (the same check runs when the form is sent), and a
// warning before leaving (or switching workspace) with unsaved changes.
const composer = document.getElementById("composer");
if (composer instanceof HTMLFormElement && composer.dataset.check) {
  const csrf = composer.querySelector("input[name=_csrf]")?.value || "";
  let dirty = false;
  let timer = 0;
  const show = (result) => {
    for (const output of composer.querySelectorAll("output[data-counter]")) output.textContent = "";
    for (const channel of result.channels || []) {
      const output = composer.querySelector(`output[data-counter="${channel.id}"]`);
      if (output) {
        output.textContent = channel.limit ? `${channel.used} / ${channel.limit}` : `${channel.used}`;
        output.classList.toggle("over", channel.limit !== null && channel.used > channel.limit);
      }
      const list = composer.querySelector(`ul[data-problems="${channel.id}"]`);
      if (list) {
        list.replaceChildren(...channel.problems.map((p) => {
          const item = document.createElement("li");
          item.className = p.error ? "field-error" : "warning";
          item.textContent = p.message;
          return item;
        }));
      }
    }
    // The previews come rendered and escaped by the server, as on the page; a fold the reader
    // opened stays open.
    const previews = document.getElementById("previews");
    if (previews && typeof result.previews === "string") {
      const open = new Set(Array.from(previews.querySelectorAll("details[open]"))
        .map((d) => d.closest("[data-preview]")?.dataset.channel || d.closest("[data-preview]")?.dataset.preview));
      const page = new DOMParser().parseFromString(result.previews, "text/html");
      previews.replaceChildren(...Array.from(page.body.childNodes).map((node) => document.adoptNode(node)));
      for (const card of previews.querySelectorAll("[data-preview]")) {
        const fold = card.querySelector("details");
        if (fold && open.has(card.dataset.channel || card.dataset.preview)) fold.open = true;
      }
    }
    const notes = document.getElementById("notes");
    if (notes) {
      notes.replaceChildren(...(result.notes || []).map((n) => {
        const item = document.createElement("li");
        item.className = "note";
        const quote = (text) => {
          const q = document.createElement("q");
          q.textContent = text;
          return q;
        };
        item.append(n.message);
        if (n.excerpt) item.append(" — ", quote(n.excerpt));
        if (n.replacement) item.append(" → ", quote(n.replacement));
        return item;
      }));
    }
  };
  const check = async () => {
    const body = new URLSearchParams(new FormData(composer));
    try {
      const response = await fetch(composer.dataset.check, {
        method: "POST",
        headers: { "X-CSRF-Token": csrf },
        body,
        credentials: "same-origin",
      });
      if (response.ok) show(await response.json());
    } catch {
      // The check runs again when the form is sent.
    }
  };
  composer.addEventListener("input", () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  });
  // The networks to preview without a channel are outside the form (`form="composer"`) and
  // not saved: picking one only updates the previews, which the live check does.
  const previewSection = document.getElementById("preview-section");
  if (previewSection) {
    previewSection.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(check, 150);
    });
    const update = document.getElementById("preview-update");
    if (update) update.hidden = true;
  }
  // A check still waiting would start as the page leaves: it is of no use then.
  composer.addEventListener("submit", () => { dirty = false; clearTimeout(timer); });
  // "Shorten links": the server makes the short links and the texts come back into the editor.
  // If that fails, the form is sent with the same button, and the page shows what is wrong.
  const shorten = composer.querySelector("button[name=intent][value=shorten]");
  if (shorten instanceof HTMLButtonElement && composer.dataset.shorten) {
    shorten.addEventListener("click", async (event) => {
      event.preventDefault();
      shorten.disabled = true;
      try {
        const response = await fetch(composer.dataset.shorten, {
          method: "POST",
          headers: { "X-CSRF-Token": csrf },
          body: new URLSearchParams(new FormData(composer)),
          credentials: "same-origin",
        });
        if (!response.ok) throw new Error(String(response.status));
        const result = await response.json();
        const text = document.getElementById("text");
        if (text instanceof HTMLTextAreaElement) text.value = result.text;
        for (const variant of result.variants || []) {
          const area = document.getElementById(`variant_${variant.channel}`);
          if (area instanceof HTMLTextAreaElement) area.value = variant.text;
        }
        composer.dispatchEvent(new Event("input"));
        shorten.disabled = false;
      } catch {
        shorten.disabled = false;
        composer.requestSubmit(shorten);
      }
    });
  }
  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = composer.dataset.unsaved || "";
    }
  });
  check();
}

// The composer's media: "upload and attach" sends the form in the background and takes the
// new picker from the page that comes back (the text typed stays as it is); an image's
// missing-alt warning follows its alt text as it is typed.
const mediaComposer = document.getElementById("composer");
if (mediaComposer instanceof HTMLFormElement && document.getElementById("media-picker")) {
  const csrf = mediaComposer.querySelector("input[name=_csrf]")?.value || "";
  const altWarnings = () => {
    for (const warning of mediaComposer.querySelectorAll("[data-alt-warning]")) {
      const alt = document.getElementById(`alt_${warning.dataset.altWarning}`);
      if (alt instanceof HTMLTextAreaElement) warning.hidden = alt.value.trim() !== "";
    }
  };
  mediaComposer.addEventListener("input", (event) => {
    if (event.target instanceof HTMLTextAreaElement && event.target.name.startsWith("alt_")) altWarnings();
  });
  mediaComposer.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("#media-upload") : null;
    if (!(button instanceof HTMLButtonElement)) return;
    const file = document.getElementById("media_file");
    if (!(file instanceof HTMLInputElement) || !file.files || file.files.length === 0) return;
    event.preventDefault();
    button.disabled = true;
    const body = new FormData(mediaComposer);
    body.set("intent", "upload");
    try {
      const response = await fetch(button.formAction, {
        method: "POST",
        headers: { "X-CSRF-Token": csrf },
        body,
        credentials: "same-origin",
      });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const picker = page.getElementById("media-picker");
      const current = document.getElementById("media-picker");
      if (!picker || !current) throw new Error(String(response.status));
      current.replaceWith(document.adoptNode(picker));
      altWarnings();
      mediaComposer.dispatchEvent(new Event("input"));
      document.getElementById("media_file")?.focus();
    } catch {
      // The form goes the plain way, and the page shows what happened.
      button.disabled = false;
      mediaComposer.requestSubmit(button);
    }
  });
  altWarnings();
}

// The calendar: drag a post to another day to move it there (same time of day).
const calendar = document.querySelector("table.calendar[data-move]");
if (calendar instanceof HTMLTableElement && calendar.dataset.move) {
  calendar.addEventListener("dragstart", (event) => {
    const post = event.target instanceof Element ? event.target.closest("[data-post]") : null;
    if (post && event.dataTransfer) event.dataTransfer.setData("text/plain", post.dataset.post || "");
  });
  calendar.addEventListener("dragover", (event) => {
    if (event.target instanceof Element && event.target.closest("td[data-date]")) event.preventDefault();
  });
  calendar.addEventListener("drop", async (event) => {
    const cell = event.target instanceof Element ? event.target.closest("td[data-date]") : null;
    const post = event.dataTransfer?.getData("text/plain");
    if (!cell || !post || !/^\d+$/.test(post)) return;
    event.preventDefault();
    const body = new URLSearchParams({ date: cell.dataset.date || "", _csrf: calendar.dataset.csrf || "" });
    const response = await fetch(calendar.dataset.move.replace("{id}", post), {
      method: "POST",
      body,
      credentials: "same-origin",
    });
    window.location.href = response.redirected ? response.url : window.location.href;
  });
}

// A search field inside a larger form (the composer's media picker): Enter presses its own
// button (`data-enter` names it) instead of the form's first one.
for (const field of document.querySelectorAll("input[data-enter]")) {
  field.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    const button = document.getElementById(field.dataset.enter || "");
    if (!(button instanceof HTMLButtonElement)) return;
    event.preventDefault();
    button.click();
  });
}

// The inbox without a mouse: j/k move between items, x ticks one, e marks the ticked (or the
// current) items done, a assigns them to you, Enter or o opens the current one, / goes to the
// search. On an item's page: r goes to the reply, e marks done, n opens the next new item.
// Keys typed in a field are left alone.
const typing = (target) =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ["TEXTAREA", "SELECT"].includes(target.tagName) ||
    (target instanceof HTMLInputElement && !["checkbox", "radio", "submit", "button"].includes(target.type)));
const inboxList = document.querySelector(".inbox-list");
const bulk = document.getElementById("inbox-bulk");
if (inboxList) {
  const items = Array.from(inboxList.querySelectorAll(".inbox-item"));
  let current = -1;
  const focus = (index) => {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach((item, i) => item.classList.toggle("current", i === current));
    items[current].focus();
  };
  const act = (action) => {
    if (!(bulk instanceof HTMLFormElement)) return;
    const ticked = bulk.querySelectorAll("input[name=item]:checked");
    if (!ticked.length && current >= 0) {
      const box = items[current].querySelector("input[name=item]");
      if (box instanceof HTMLInputElement) box.checked = true;
    }
    const button = bulk.querySelector(`button[name=action][value="${action}"]`);
    if (button instanceof HTMLButtonElement) button.click();
  };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const keys = {
      j: () => focus(current + 1),
      k: () => focus(current - 1),
      x: () => {
        const box = current >= 0 && items[current].querySelector("input[name=item]");
        if (box instanceof HTMLInputElement) box.checked = !box.checked;
      },
      e: () => act("done"),
      a: () => act("assign_me"),
      o: () => current >= 0 && (window.location.href = items[current].dataset.href || ""),
      Enter: () => current >= 0 && (window.location.href = items[current].dataset.href || ""),
      "/": () => document.getElementById("q")?.focus(),
    };
    const run = keys[event.key];
    if (run) {
      event.preventDefault();
      run();
    }
  });
}
const triage = document.getElementById("triage-form");
if (triage instanceof HTMLFormElement) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "r") {
      const reply = document.getElementById("reply");
      if (reply) {
        event.preventDefault();
        reply.focus();
      }
    } else if (event.key === "e") {
      const status = triage.querySelector("select[name=status]");
      if (status instanceof HTMLSelectElement) {
        event.preventDefault();
        status.value = "done";
        triage.requestSubmit();
      }
    } else if (event.key === "n") {
      const next = document.getElementById("inbox-next");
      if (next instanceof HTMLAnchorElement) {
        event.preventDefault();
        next.click();
      }
    }
  });
}
