// Progressive enhancement only: every control works without this file.

// Small helpers shared by the pages' scripts (maps, place search), as window.Homeward.
window.Homeward = (() => {
  const lang = document.documentElement.lang || "en";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_, key) => (key in values ? String(values[key]) : ""));
  }

  function debounce(fn, wait) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), wait);
    };
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    children.flat().forEach((child) => {
      if (child !== null && child !== undefined) node.append(child);
    });
    return node;
  }

  function displayName(type, code) {
    try {
      return new Intl.DisplayNames([lang], { type }).of(code) || code;
    } catch (error) {
      return code;
    }
  }

  async function getJSON(url, signal) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  }

  return { lang, format, debounce, el, displayName, getJSON };
})();

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    const button = select.form.querySelector("button[type=submit]");
    if (button) button.hidden = true;
    select.addEventListener("change", () => select.form.submit());
  });
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("primary-nav");
  if (toggle && nav && window.matchMedia("(max-width: 40rem)").matches) {
    toggle.hidden = false;
    nav.classList.add("collapsed");
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("collapsed", open);
    });
  }
});
