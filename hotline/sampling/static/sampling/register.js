// The registration page: after each swab is registered (htmx swap), put the cursor back in
// the person field so a hand scanner (which types and presses Enter) can scan the next code.
document.addEventListener("htmx:afterSwap", function () {
  var box = document.getElementById("id_person");
  if (box) { box.focus(); }
});
