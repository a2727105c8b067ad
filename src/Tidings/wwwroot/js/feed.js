// The feed's keyboard shortcuts (j k o m s A / ?) and their help dialog. Every action is also a button or link on the
// page: this only reaches them from the keyboard, and nothing here is needed for the feed to work.
(function () {
  "use strict";
  var dialog = document.getElementById("shortcuts");
  var opener = document.getElementById("shortcuts-open");
  var currentId = null;

  function articles() {
    return Array.prototype.slice.call(document.querySelectorAll(".feed article.event"));
  }

  function current() {
    return currentId ? document.getElementById(currentId) : null;
  }

  function select(article) {
    var before = current();
    if (before) before.classList.remove("current");
    if (!article) return;
    currentId = article.id;
    article.classList.add("current");
    article.focus({ preventScroll: true });
    article.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = articles();
    if (list.length === 0) return;
    var at = list.indexOf(current());
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, at + step));
    select(list[next]);
  }

  // The article j/k reached, or else the one holding the focus (a person may have tabbed into it).
  function target() {
    var article = current();
    if (article) return article;
    var active = document.activeElement;
    return active && active.closest ? active.closest(".feed article.event") : null;
  }

  // A key pressed while htmx is still swapping in an article waits for it: the new buttons are not htmx's yet, and
  // clicking one would post the plain form (a page load) instead.
  var busy = false;
  var pending = null;

  function press(name) {
    if (busy) {
      pending = name;
      return;
    }
    var article = target();
    if (!article) return;
    // An article's button is named for what it does now: "read" or "unread", "star" or "unstar".
    var button = article.querySelector(".actions button[name=" + name + "], .actions button[name=un" + name + "]");
    if (button) button.click();
  }

  function showHelp() {
    if (dialog && !dialog.open) dialog.showModal();
  }

  function typing(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    if (typing(event.target) || (dialog && dialog.open)) return;
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o":
        var article = target();
        var title = article && article.querySelector("h2 a");
        if (title) window.location.assign(title.href);
        break;
      case "m": press("read"); break;
      case "s": press("star"); break;
      case "A":
        var markPage = document.getElementById("mark-page-read");
        if (markPage) markPage.click();
        break;
      case "/":
        var search = document.getElementById("feed-text");
        if (search) search.focus();
        break;
      case "?": showHelp(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  // htmx replaces an article when it is marked or starred: the new one stays the current one.
  // It takes the focus back only from nowhere: a person who has moved on (to the search box, say) keeps their place.
  document.addEventListener("htmx:beforeRequest", function () { busy = true; });
  ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, function () { busy = false; pending = null; });
  });
  document.addEventListener("htmx:afterSettle", function () {
    busy = false;
    if (pending) {
      var next = pending;
      pending = null;
      setTimeout(function () { press(next); }, 0);
    }
    var article = current();
    if (!article || article.classList.contains("current")) return;
    var active = document.activeElement;
    if (!active || active === document.body) select(article);
    else article.classList.add("current");
  });

  if (opener) {
    opener.hidden = false;
    opener.addEventListener("click", showHelp);
  }
})();
