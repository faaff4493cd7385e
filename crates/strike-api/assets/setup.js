// Open Strike: the first-run and join pages' script. The page works without it (paste the link);
// with it, the passphrase gets a strength hint, a photo of the QR code is read by this node
// (POST /setup/qr: the picture goes nowhere else), and where the browser has a camera it can
// scan the code: read by the browser's BarcodeDetector if it has one, else by this node.
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

  // Sends a picture to this node's decoder; resolves to its JSON answer.
  function decode(picture) {
    var headers = { "Content-Type": "application/octet-stream" };
    var csrf = document.querySelector("input[name=csrf]");
    if (csrf) { headers["X-CSRF-Token"] = csrf.value; }
    return fetch(qr.getAttribute("data-decode"),
                 { method: "POST", credentials: "same-origin", body: picture, headers: headers })
      .then(function (r) { return r.json(); });
  }

  if (qr) {
    qr.addEventListener("change", function () {
      var file = qr.files && qr.files[0];
      if (!file) { return; }
      status.textContent = "Reading the code...";
      decode(file)
        .then(function (j) { if (j.link) { found(j.link); } else { status.textContent = j.error || "No code found."; } })
        .catch(function () { status.textContent = "The node could not read that picture; paste the link instead."; });
    });
  }

  // The camera: where the browser has a BarcodeDetector it reads the frames; elsewhere a frame
  // every 700 ms goes to this node's decoder, as a photo does (and nowhere else).
  function sendFrame(canvas) {
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) {
        if (!blob) { resolve(null); return; }
        decode(blob).then(function (j) { resolve(j.link || null); }).catch(function () { resolve(null); });
      }, "image/jpeg", 0.85);
    });
  }

  if (scan && video && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    scan.hidden = false;
    var scanning = null;
    scan.addEventListener("click", function () {
      if (scanning) { scanning(); return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var live = true;
        var canvas = document.createElement("canvas");
        var detector = window.BarcodeDetector ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
        video.setAttribute("data-reader", detector ? "browser" : "node");
        scan.textContent = "Stop the camera";
        status.textContent = "Hold the QR code up to the camera.";
        scanning = function () {
          live = false;
          scanning = null;
          stream.getTracks().forEach(function (t) { t.stop(); });
          video.hidden = true;
          scan.textContent = "Scan with the camera";
        };
        var fromBrowser = function () {
          return detector.detect(video).then(function (codes) {
            return codes.map(function (c) { return c.rawValue; })
              .filter(function (v) { return v.indexOf("openstrike://join/") === 0; })[0] || null;
          });
        };
        var fromNode = function () {
          if (!video.videoWidth) { return Promise.resolve(null); }
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          canvas.getContext("2d").drawImage(video, 0, 0);
          return sendFrame(canvas);
        };
        var look = function () {
          if (!live) { return; }
          (detector ? fromBrowser() : fromNode()).then(function (hit) {
            if (!live) { return; }
            if (hit) { found(hit); scanning(); } else { window.setTimeout(look, detector ? 250 : 700); }
          }).catch(function () { window.setTimeout(look, 700); });
        };
        look();
      }).catch(function () { status.textContent = "No camera: upload a photo or paste the link."; });
    });
  }
})();
