// archive_open_bench.mjs — opening a 100-frame series from the local Orthanc in the page (the study browser:
// WADO-RS whole-series retrieval, multipart parsed in C++, every frame decoded by our codecs into the study list)
// against the same page fetching the same series with plain fetch() and no decoding, side by side in one run.
// Reports, per bench series (explicit VR little endian and JPEG baseline, 100 instances of 224 x 224 each):
//   - first frame on screen: from the click (the open command) to the first frame the app drew with an instance
//     of the series in the study list;
//   - all frames decoded: until the retrieval is done (every instance decoded and in the study list), by the
//     retrieval's own clock, with the time an instance list took (QIDO-RS: 0 when the answer stayed within the
//     byte limit and none was asked for) and the time spent reading + decoding (while the answer streams in);
//   - plain fetch: the same WADO-RS request (same Accept) read to the last byte, nothing decoded; and the 100
//     frames fetched one request each (/frames/1, 4 in flight), as viewers that load frame by frame do;
//   - the ratio all-decoded / plain fetch (target: at most 1.5) and whether the first frame came within 1 s.
// Rounds alternate DxLens and plain fetch and report medians, so load changes on the shared machine hit both.
//
// Usage (repository root, after the wasm build; needs Orthanc + orthanc-dicomweb and ../shared/data):
//   node bench/archive_open_bench.mjs [--rounds 5]
import os from 'node:os';
import { openApp } from '../tests/e2e/harness.mjs';
import { orthancUnavailable, startOrthanc } from '../tests/archive/orthanc_fixture.mjs';

const args = process.argv.slice(2);
const rounds = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const why = orthancUnavailable();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(0);
}
const orthanc = await startOrthanc({ bench: true });
const names = Object.keys(orthanc.loaded.series).filter((n) => n.startsWith('bench-'));
if (names.length === 0) {
  console.log(`skipped: no bench series (${orthanc.loaded.skipped.join('; ')})`);
  await orthanc.stop();
  process.exit(0);
}
// No model: the figures are retrieval and decoding, not analysis (embed.html with ?models=none opens none).
const app = await openApp({
  page: 'embed.html', query: '?models=none',
  archives: { archives: [{ id: 'orthanc', name: 'Bench Orthanc', qidoRoot: '/archive/orthanc', wadoRoot: '/archive/orthanc' }] },
  archiveProxies: { orthanc: orthanc.dicomweb },
});
await app.waitForFirstFrame();
await app.page.waitForFunction(() => window.dxlens?.api && window.dxlens.archives, null, { timeout: 60_000 });
await app.page.evaluate(() => window.dxlens.archives.ready);

// DxLens: the open command, then the first drawn frame with an instance in the list, then the retrieval's end.
const openInApp = (series) => app.page.evaluate(async ({ studyUid, seriesUid }) => {
  const api = window.dxlens.api;
  const drawn = () => api.viewerState().frames_drawn;
  const t0 = performance.now();
  const id = api.memory.call('_dx_app_archive_open_series', studyUid, seriesUid);
  let first = 0, all = 0, shownAt = -1;
  for (;;) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const r = api.archiveStatus().retrievals.find((x) => x.id === id);
    if (!first && r.instancesOpened > 0) {
      if (shownAt < 0) shownAt = drawn();
      else if (drawn() > shownAt) first = performance.now() - t0; // a frame drawn after it joined the list
    }
    if (['done', 'failed', 'cancelled'].includes(r.state)) {
      all = all || performance.now() - t0;
      if (r.state !== 'done') throw new Error(r.message);
      if (first) return { first, all, opened: r.instancesOpened, timings: r.timings };
    }
  }
}, series);

// Plain fetch of the same series, and frame by frame with four requests in flight.
const fetchPlain = (series, frames) => app.page.evaluate(async ({ studyUid, seriesUid, frames }) => {
  const root = `/archive/orthanc/studies/${studyUid}/series/${seriesUid}`;
  const t0 = performance.now();
  const res = await fetch(root, { cache: 'no-store', headers: { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
  const bytes = (await res.arrayBuffer()).byteLength;
  const whole = performance.now() - t0;
  const list = await (await fetch(`${root}/instances`, { cache: 'no-store', headers: { Accept: 'application/dicom+json' } })).json();
  const sops = list.map((d) => d['00080018'].Value[0]);
  const t1 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < sops.length) {
      const sop = sops[next++];
      const r = await fetch(`${root}/instances/${sop}/frames/1`, { cache: 'no-store',
        headers: { Accept: 'multipart/related; type=application/octet-stream; transfer-syntax=*' } });
      await r.arrayBuffer();
    }
  };
  if (frames) await Promise.all([worker(), worker(), worker(), worker()]);
  return { whole, bytes, frameByFrame: frames ? performance.now() - t1 : 0 };
}, { ...series, frames });

console.log(`archive open bench: ${rounds} rounds, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, ` +
            `${os.cpus().length} cores`);
for (const name of names) {
  const series = { studyUid: orthanc.loaded.series[name].studyUid, seriesUid: orthanc.loaded.series[name].seriesUid };
  const app_ = { first: [], all: [], total: [], list: [], decode: [] }, plain = { whole: [], frameByFrame: [] };
  let opened = 0, bytes = 0;
  for (let round = 0; round < rounds; round++) {
    const p = await fetchPlain(series, round < 3);
    plain.whole.push(p.whole);
    if (p.frameByFrame) plain.frameByFrame.push(p.frameByFrame);
    bytes = p.bytes;
    const a = await openInApp(series);
    app_.first.push(a.first);
    app_.all.push(a.all);
    app_.total.push(a.timings.totalMs);
    app_.list.push(a.timings.listMs);
    app_.decode.push(a.timings.decodeMs);
    opened = a.opened;
  }
  // The retrieval's own clock (C++, open command to the last instance in the study list): the page's polling
  // sees the end only at its next animation frame, which on a loaded machine with software GL adds 50-300 ms.
  const ratio = median(app_.total) / median(plain.whole);
  console.log(`${name}: ${opened} instances, ${(bytes / 1048576).toFixed(1)} MB as sent`);
  console.log(`  DxLens first frame on screen  ${median(app_.first).toFixed(0)} ms (target < 1000: ${median(app_.first) < 1000 ? 'met' : 'NOT met'})`);
  console.log(`  DxLens all frames decoded     ${median(app_.total).toFixed(0)} ms (instance list ${median(app_.list).toFixed(0)} ms, ` +
              `reading + decoding ${median(app_.decode).toFixed(0)} ms; seen by the page at its next frame: ${median(app_.all).toFixed(0)} ms)`);
  console.log(`  plain fetch, whole series     ${median(plain.whole).toFixed(0)} ms`);
  console.log(`  plain fetch, frame by frame   ${median(plain.frameByFrame).toFixed(0)} ms (100 requests, 4 in flight)`);
  console.log(`  ratio all decoded / plain fetch: ${ratio.toFixed(2)}x (target <= 1.5: ${ratio <= 1.5 ? 'met' : 'NOT met'})`);
}
console.log(`load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
await app.close();
await orthanc.stop();
