// The echo page: open the app's socket at the same origin, show who the app says the user
// is, send what is typed, list what comes back.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const main = document.getElementById("echo");
  const state = main.querySelector(".socket-state");
  const shownUser = main.querySelector(".socket-user");
  const form = main.querySelector(".echo-form");
  const echoed = main.querySelector(".echoed");
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(scheme + "//" + window.location.host + main.dataset.socketPath);

  socket.addEventListener("open", () => { state.textContent = "open"; });
  socket.addEventListener("close", () => { state.textContent = "closed"; });
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "hello") {
      shownUser.textContent = message.user ? message.user.name + " <" + message.user.email + ">" : "nobody";
    } else if (message.type === "echo") {
      const item = document.createElement("li");
      item.textContent = message.text;
      echoed.append(item);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = form.elements.namedItem("text");
    if (socket.readyState === WebSocket.OPEN && input.value) {
      socket.send(input.value);
      input.value = "";
    }
  });
});
