// The one reply form moves under the comment being answered and back (as WordPress does), and takes
// the focus with it.
const respond = document.getElementById("respond");
const home = respond.parentNode;
const cancel = document.getElementById("cancel");
for (const button of document.querySelectorAll("button.move")) {
  button.addEventListener("click", () => {
    document.getElementById(button.dataset.to).append(respond);
    cancel.hidden = false;
    document.getElementById("top").focus();
  });
}
cancel.addEventListener("click", () => {
  home.append(respond);
  cancel.hidden = true;
  document.getElementById("top").focus();
});
