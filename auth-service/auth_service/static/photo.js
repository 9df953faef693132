// Hides a profile photo that did not load (Graph answers 404 when the user has none), so the
// initials underneath show instead. A file rather than an onerror attribute: the
// Content-Security-Policy allows no inline script.
"use strict";

function hideBrokenPhoto(photo) {
  photo.hidden = true;
}

for (const photo of document.querySelectorAll("img[data-hide-on-error]")) {
  if (photo.complete && photo.naturalWidth === 0) {
    hideBrokenPhoto(photo);
  } else {
    photo.addEventListener("error", () => hideBrokenPhoto(photo));
  }
}
