// Progressive enhancement only: every page works without this file.
// Loaded before the body (not deferred): with the page marked as scripted before its first
// paint, a phone's header shows the menu button, never the whole menu first (app.css).
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  // The main menu behind its button on a narrow screen; Escape closes it and goes back to the
  // button. On a wide screen the button is not shown and the menu always is.
  const toggle = document.querySelector("[data-menu-toggle]");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (menu) {
    const show = (open) => {
      menu.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", String(open));
    };
    toggle.addEventListener("click", () => show(toggle.getAttribute("aria-expanded") !== "true"));
    menu.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && menu.classList.contains("open")) {
        show(false);
        toggle.focus();
      }
    });
  }
});
document.addEventListener("DOMContentLoaded", () => {
  // Stock tabs switch in place instead of reloading the page.
  const tabs = document.querySelectorAll(".tabs a[data-tab]");
  tabs.forEach((tab) => tab.addEventListener("click", (ev) => {
    ev.preventDefault();
    const key = tab.dataset.tab;
    tabs.forEach((t) => t.classList.toggle("active", t === tab));
    document.querySelectorAll(".tabpanel").forEach((p) => { p.hidden = p.dataset.panel !== key; });
    history.replaceState(null, "", "?tab=" + key);
  }));
  // Live count of scanned lines, so the clerk sees the scanner is being read.
  document.querySelectorAll("textarea[data-count-lines]").forEach((area) => {
    const out = area.closest("form").querySelector("[data-line-count]");
    const update = () => {
      const n = area.value.split(/[\n,]/).filter((l) => l.trim()).length;
      out.textContent = n ? n + " baris dipindai" : "";
    };
    area.addEventListener("input", update);
    update();
  });
  // Printed slips: the button opens the browser's print dialog (the page prints without it).
  document.querySelectorAll("[data-print]").forEach((btn) => btn.addEventListener("click", () => window.print()));
  // A form submitted twice (double click) would be refused by its idempotency key anyway;
  // disabling the button avoids the confusing second response.
  document.querySelectorAll("form[method=post]").forEach((form) => form.addEventListener("submit", () => {
    const btn = form.querySelector("button[type=submit]");
    if (btn) setTimeout(() => { btn.disabled = true; }, 0);
  }));
});
