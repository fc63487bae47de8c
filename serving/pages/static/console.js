// Mutasi console: the only script. Polls a running job (a round plan) and follows it when done.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-job-status]");
  if (!box) return;
  const elapsed = box.querySelector("[data-elapsed]");
  const bar = box.querySelector("progress");
  const poll = async () => {
    const response = await fetch(box.dataset.jobStatus, { credentials: "same-origin" });
    if (!response.ok) return;
    const job = await response.json();
    if (elapsed) elapsed.textContent = job.elapsed.toFixed(0);
    if (bar) bar.value = Math.min(job.elapsed, job.expected);
    if (job.done) {
      window.location.assign(box.dataset.jobDone);
    } else {
      window.setTimeout(poll, 1000);
    }
  };
  window.setTimeout(poll, 1000);
});
