// The signed-out page: once every app's front-channel logout frame has loaded (or after a
// few seconds), continue to the app's post-logout address, as Entra does.
(function () {
  var page = document.getElementById("front-channel");
  var next = page && page.getAttribute("data-continue");
  if (!next) return;
  var frames = page.querySelectorAll("iframe");
  var waiting = frames.length;
  var done = false;
  function go() {
    if (done) return;
    done = true;
    window.location.replace(next);
  }
  frames.forEach(function (frame) {
    frame.addEventListener("load", function () {
      waiting -= 1;
      if (waiting <= 0) go();
    });
  });
  if (waiting === 0) go();
  setTimeout(go, 5000);
})();
