// Open Strike: the first-run and join pages' script. The page works without it (paste the link);
// with it, the passphrase gets a strength hint, a photo of the QR code is read by this node
// (POST /setup/qr: the picture goes nowhere else), and where the browser offers a
// BarcodeDetector, the camera can scan the code.
(function () {
  "use strict";

  var pass = document.getElementById("passphrase");
  var again = document.getElementById("again");
  var strength = document.getElementById("strength");
  var link = document.getElementById("link");
  var qr = document.getElementById("qr");
  var status = document.getElementById("qr-status");
  var scan = document.getElementById("scan");
  var video = document.getElementById("camera");

  // A rough guess of how hard the passphrase is to guess: length, words, kinds of characters.
  function hint() {
    var p = pass.value;
    var words = p.trim().split(/\s+/).filter(function (w) { return w.length > 0; }).length;
    var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9\s]/].filter(function (r) { return r.test(p); }).length;
    var text;
    if (p.length < 8) { text = "Too short: at least 8 characters."; }
    else if (words >= 4 || p.length >= 20) { text = "Strong: hard to guess, easy to remember."; }
    else if (words >= 3 || (p.length >= 12 && kinds >= 3)) { text = "Good. One more word makes it strong."; }
    else { text = "Weak: add a few unrelated words."; }
    if (again.value && again.value !== p) { text += " The two do not match yet."; }
    strength.textContent = text;
  }
  if (pass && again) {
    pass.addEventListener("input", hint);
    again.addEventListener("input", hint);
  }

  function found(text) {
    link.value = text;
    status.textContent = "Invite read: " + text.slice(0, 40) + "...";
  }

  if (qr) {
    qr.addEventListener("change", function () {
      var file = qr.files && qr.files[0];
      if (!file) { return; }
      status.textContent = "Reading the code...";
      var headers = { "Content-Type": "application/octet-stream" };
      var csrf = document.querySelector("input[name=csrf]");
      if (csrf) { headers["X-CSRF-Token"] = csrf.value; }
      fetch(qr.getAttribute("data-decode"),
            { method: "POST", credentials: "same-origin", body: file, headers: headers })
        .then(function (r) { return r.json(); })
        .then(function (j) { if (j.link) { found(j.link); } else { status.textContent = j.error || "No code found."; } })
        .catch(function () { status.textContent = "The node could not read that picture; paste the link instead."; });
    });
  }

  if (scan && video && window.BarcodeDetector && navigator.mediaDevices) {
    scan.hidden = false;
    scan.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.hidden = true; };
        var look = function () {
          detector.detect(video).then(function (codes) {
            var hit = codes.map(function (c) { return c.rawValue; })
              .filter(function (v) { return v.indexOf("openstrike://join/") === 0; })[0];
            if (hit) { found(hit); stop(); } else { window.setTimeout(look, 250); }
          }).catch(function () { window.setTimeout(look, 500); });
        };
        look();
      }).catch(function () { status.textContent = "No camera: upload a photo or paste the link."; });
    });
  }
})();
