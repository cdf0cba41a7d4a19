// Ask before submitting a form marked data-confirm="question" (replaces inline onsubmit=,
// which the Content-Security-Policy blocks).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
