// The place search box (places/_search_box.html). Without this file the box submits to the settlement
// list; with it, it asks /api/places/search as you type, lists places with the name that matched
// (text, language, script) and dispatches "homeward:place-chosen" for the map on the page.
(() => {
  "use strict";

  const { format, debounce, el, displayName, getJSON } = window.Homeward;
  const DEBOUNCE_MS = 250;

  function initPlaceSearch(form) {
    const input = form.querySelector("input[type=search]");
    const list = form.querySelector(".place-search-results");
    const status = form.querySelector(".place-search-status");
    const labels = form.dataset;
    let controller = null;

    function close() {
      list.hidden = true;
      list.replaceChildren();
    }

    function choose(hit) {
      close();
      status.textContent = "";
      input.value = hit.display_name || hit.name;
      form.dispatchEvent(
        new CustomEvent("homeward:place-chosen", {
          bubbles: true,
          detail: { id: hit.id, code: hit.code, name: hit.display_name || hit.name, lat: hit.latitude, lon: hit.longitude },
        }),
      );
    }

    function render(hits, query) {
      list.replaceChildren();
      if (!hits.length) {
        status.textContent = labels.labelNone;
        list.hidden = true;
        return;
      }
      status.textContent = format(labels.labelFound, { count: hits.length });
      hits.forEach((hit) => {
        const matched = hit.matched || {};
        const where = [hit.code, hit.district].filter(Boolean).join(" · ");
        const located = hit.latitude !== null && hit.longitude !== null;
        const body = [
          el("span", { class: "result-name", text: hit.display_name || hit.name }),
          " ",
          el("span", { class: "result-where", text: located ? where : `${where} (${labels.labelNoLocation})` }),
          el(
            "span",
            { class: "result-matched" },
            `${labels.labelMatched}: `,
            el("span", { lang: matched.language && matched.language !== "other" ? matched.language : null, text: matched.text || "" }),
            ` (${displayName("language", matched.language || "und")}, ${displayName("script", matched.script || "Zyyy")})`,
          ),
        ];
        let control;
        if (located) {
          control = el("button", { type: "button", "data-code": hit.code }, body);
          control.addEventListener("click", () => choose(hit));
        } else {
          control = el("a", { class: "result", href: `${form.action}?q=${encodeURIComponent(hit.code)}` }, body);
        }
        list.append(el("li", {}, control));
      });
      list.append(
        el("li", { class: "more" }, el("a", { href: `${form.action}?q=${encodeURIComponent(query)}`, text: labels.labelAll })),
      );
      list.hidden = false;
    }

    async function search() {
      const query = input.value.trim();
      if (controller) controller.abort();
      if (query.length < 2) {
        close();
        status.textContent = "";
        return;
      }
      controller = new AbortController();
      const url = `${labels.searchUrl}?${new URLSearchParams({ q: query, limit: "8" })}`;
      try {
        render(await getJSON(url, controller.signal), query);
      } catch (error) {
        if (error.name !== "AbortError") status.textContent = labels.labelFailed;
      }
    }

    const later = debounce(search, DEBOUNCE_MS);
    input.addEventListener("input", later);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      search();
    });
    form.addEventListener("keydown", (event) => {
      const buttons = [...list.querySelectorAll("button, a")];
      const index = buttons.indexOf(document.activeElement);
      if (event.key === "Escape") {
        close();
        input.focus();
      } else if (event.key === "ArrowDown" && buttons.length) {
        event.preventDefault();
        buttons[Math.min(index + 1, buttons.length - 1)].focus();
      } else if (event.key === "ArrowUp" && index >= 0) {
        event.preventDefault();
        (index === 0 ? input : buttons[index - 1]).focus();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-place-search]").forEach(initPlaceSearch);
  });
})();
