// Resident portal: small helpers on top of htmx (no inline scripts: the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  var district = document.getElementById("id_district_code");
  var village = document.getElementById("id_village_code");
  if (district && village) {
    // A new district makes the chosen village meaningless until a town is chosen again.
    district.addEventListener("change", function () {
      village.innerHTML = '<option value="">请先选择镇街</option>';
    });
  }
  var photo = document.getElementById("id_photo");
  if (photo) {
    photo.addEventListener("change", function () {
      var file = photo.files && photo.files[0];
      photo.setCustomValidity(file && file.size > 5 * 1024 * 1024 ? "照片不能超过 5 MB，请压缩后再上传。" : "");
      photo.reportValidity();
    });
  }
});
