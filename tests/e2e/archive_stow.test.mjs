// archive_stow.test.mjs — Send results to archive, end to end, against a real Orthanc (tests/archive/orthanc_fixture.mjs)
// behind web/serve.mjs's reverse proxy. A chest X-ray (a Kermany image as a DX instance of its own study, put into
// Orthanc through its REST API before the app starts) is found by a search, opened from the archive and analyzed by
// the shipped cxr-pneumonia and cxr-lung-seg models; the SR and SEG export as DICOM files; "Send results to archive"
// uploads them by STOW-RS through the app's origin; and they are read back from Orthanc (QIDO-RS for the new series
// in the study, WADO-RS for the SR and SEG) and checked with pydicom: each SR's probabilities equal the JSON
// report's, the SEG references the source image, identifiers are those of the archive's study. The same study
// opened through an archive whose archives.json entry says "stowAllowed": false offers no command and POSTs
// nothing; one whose stowRoot is wrong says the 404 in words.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApp, ROOT, waitForModels } from './harness.mjs';
import { orthancUnavailable, startOrthanc } from '../archive/orthanc_fixture.mjs';

const PY = '/usr/bin/python3';
const KERMANY = path.resolve(ROOT, '..', 'shared', 'data', 'chest_xray_kermany');
const MODELS = ['cxr-pneumonia', 'cxr-lung-seg'].every((m) => existsSync(path.join(ROOT, 'models', m, 'manifest.json')));
const unavailable = orthancUnavailable() ??
  (existsSync(path.join(KERMANY, 'labels.csv')) ? null : `${KERMANY} is absent (see ../shared/data)`) ??
  (MODELS ? null : 'the shipped cxr-pneumonia and cxr-lung-seg models are not in models/');
const skip = unavailable ?? false;

const PATIENT_ID = 'DXSTOW1';
let orthanc, app, tmp, source;

// One DX instance made from a pneumonia chest X-ray of the dataset: its own study, frontal (PA), no age (so both
// models' intended populations read "unverified", and both run).
function makeSource(dir) {
  const out = path.join(dir, 'source.dcm');
  const script = `
import sys, pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
data, out = sys.argv[1], sys.argv[2]
rel = next(l.split(",")[0] for l in open(data + "/labels.csv").read().splitlines()[1:] if ",PNEUMONIA," in l)
grey = Image.open(data + "/" + rel).convert("L")
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds = Dataset(); ds.file_meta = meta
ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
ds.PatientName, ds.PatientID, ds.PatientSex = "Stow^Test", "${PATIENT_ID}", "F"
ds.StudyDate, ds.StudyTime, ds.AccessionNumber = "20240301", "101500", "STOW0001"
ds.StudyDescription, ds.SeriesDescription = "Send results test", "Chest PA"
ds.Modality, ds.BodyPartExamined, ds.ViewPosition = "DX", "CHEST", "PA"
ds.SeriesNumber, ds.InstanceNumber = 1, 1
ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
ds.Rows, ds.Columns = grey.height, grey.width
ds.BitsAllocated = ds.BitsStored = 8; ds.HighBit = 7; ds.PixelRepresentation = 0
ds.PixelData = grey.tobytes()
ds.is_little_endian, ds.is_implicit_VR = True, False
pydicom.dcmwrite(out, ds, write_like_original=False)
print(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
`;
  const [studyUid, seriesUid, sopUid] = execFileSync(PY, ['-c', script, KERMANY, out], { encoding: 'utf8' }).trim().split(' ');
  return { file: out, studyUid, seriesUid, sopUid };
}

before(async () => {
  if (unavailable) return;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'dxlens-stow-'));
  orthanc = await startOrthanc();
  source = makeSource(tmp);
  const put = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: readFileSync(source.file) });
  assert.equal(put.status, 200, await put.text());
  const proxied = { qidoRoot: '/archive/orthanc', wadoRoot: '/archive/orthanc', qidoSupportsIncludeField: true };
  app = await openApp({
    archives: { archives: [
      { id: 'orthanc', name: 'Test Orthanc', ...proxied, stowRoot: '/archive/orthanc', stowAllowed: true },
      // The same archive, read-only for DxLens: results are never offered to it.
      { id: 'readonly', name: 'Read-only Orthanc', ...proxied, stowAllowed: false },
      // Allowed, but the stowRoot is a path under which Orthanc has nothing: the upload answers 404.
      { id: 'wrongstow', name: 'Misconfigured upload', ...proxied, stowRoot: '/archive/orthanc/no-such-root',
        stowAllowed: true },
    ] },
    archiveProxies: { orthanc: orthanc.dicomweb },
  });
  await app.waitForFirstFrame();
  await waitForModels(app.page);
  // Only the two chest X-ray models: the others are turned off as a user can (they would not apply anyway).
  await app.page.evaluate(() => {
    const api = window.dxlens.api;
    for (const m of api.models())
      if (m.on !== undefined && !['cxr-pneumonia', 'cxr-lung-seg'].includes(m.id)) api.setModelOn(m.id, false);
  });
});

after(async () => {
  await app?.close();
  await orthanc?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const api = (fn, ...args) => app.page.evaluate(async ({ fn, args }) => {
  try {
    return { ok: true, value: await window.dxlens.api[fn](...args) };
  } catch (err) {
    return { ok: false, message: err.message };
  }
}, { fn, args });

// Searches, opens the source series through archive `archiveId` and waits until both models analyzed it.
async function openAnalyzed(archiveId) {
  assert.ok((await api('archiveUse', archiveId)).ok);
  const found = await api('archiveSearch', { archive: archiveId, patientId: PATIENT_ID });
  assert.ok(found.ok, found.message);
  assert.equal(found.value.studies.length, 1, JSON.stringify(found.value));
  assert.equal(found.value.studies[0].studyUid, source.studyUid);
  const series = await api('archiveSeries', source.studyUid);
  assert.ok(series.ok, series.message);
  const opened = await api('archiveOpenSeries', source.studyUid, source.seriesUid);
  assert.ok(opened.ok, opened.message);
  assert.equal(opened.value.instancesOpened, 1);
  const id = opened.value.studyIds[0];
  const study = await app.untilDrawn(() => app.page.evaluate(() => window.dxlens.api.studies()),
    (l) => {
      const s = l.find((x) => x.id === id);
      return s && ['cxr-pneumonia', 'cxr-lung-seg'].every((m) => s.models.some((x) => x.id === m && x.status === 'done'));
    }, 'both chest X-ray models analyzed the opened image', 180_000);
  return study.find((x) => x.id === id);
}

async function download(format) {
  const [file] = await Promise.all([
    app.page.waitForEvent('download', { timeout: 30_000 }),
    app.page.evaluate((f) => window.dxlens.api.exportReport(f), format),
  ]);
  return readFileSync(await file.path());
}

// The DICOM files of a WADO-RS multipart/related answer.
function multipartParts(contentType, body) {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  assert.ok(boundary, `no boundary in ${contentType}`);
  const parts = [];
  const marker = Buffer.from(`--${boundary}`);
  let at = body.indexOf(marker);
  while (at >= 0) {
    const next = body.indexOf(marker, at + marker.length);
    if (next < 0) break;
    const part = body.subarray(at + marker.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) parts.push(part.subarray(headerEnd + 4, part.length - 2)); // the CRLF before the marker
    at = next;
  }
  return parts;
}

test('results go to the archive the study came from, on request, and read back equal', { skip, timeout: 600_000 }, async () => {
  const study = await openAnalyzed('orthanc');
  const offered = await app.page.evaluate(() => window.dxlens.api.archiveSendStatus());
  assert.equal(offered.offered, true, JSON.stringify(offered));
  assert.equal(offered.possible, true, JSON.stringify(offered));
  assert.equal(offered.send, null, 'nothing is sent before the click');
  const noPostYet = app.requests.filter((r) => r.method === 'POST');
  assert.deepEqual(noPostYet, [], 'analyzing sent nothing');

  // The exports a user can save: DICOM Part-10 files; and the JSON report the SR is compared with.
  const srFile = await download('dicom-sr');
  assert.equal(srFile.subarray(128, 132).toString('latin1'), 'DICM');
  const segFile = await download('dicom-seg');
  assert.equal(segFile.subarray(128, 132).toString('latin1'), 'DICM');
  const report = JSON.parse((await download('json')).toString('utf8'));
  writeFileSync(path.join(tmp, 'report.json'), JSON.stringify(report));

  const before = app.requests.length;
  const sent = await api('sendResultsToArchive');
  assert.ok(sent.ok, sent.message);
  const answer = sent.value;
  assert.equal(answer.state, 'done', JSON.stringify(answer));
  assert.deepEqual(answer.files.slice().sort(), ['cxr-lung-seg SEG', 'cxr-lung-seg SR', 'cxr-pneumonia SR']);
  assert.equal(answer.stored.length, 3, JSON.stringify(answer));
  assert.deepEqual(answer.failed, []);
  assert.match(answer.message, /Test Orthanc stored 3 of 3 objects/);
  // The answer is shown and said: the live region carries it.
  await app.untilDrawn(() => app.page.evaluate(() => document.getElementById('dx-findings')?.textContent ?? ''),
                       (t) => /stored 3 of 3/.test(t), 'the live region says what the archive stored');
  // The button, its note and the answer wrap inside the findings panel: nothing cut at its edge.
  await app.frames(3);
  assert.equal((await app.page.evaluate(() => window.dxlens.api.viewerState())).findings_overflow_px, 0);
  const during = app.requests.slice(before);
  const posts = during.filter((r) => r.method === 'POST');
  assert.deepEqual(posts.map((r) => r.url), [`${app.origin}/archive/orthanc/studies`], 'one STOW-RS POST, proxied');
  // Every request of the whole session went to the app's own origin (the archive only through its proxy path).
  const elsewhere = app.requests.filter((r) => !r.url.startsWith(`${app.origin}/`) && !/^(blob|data):/.test(r.url));
  assert.deepEqual(elsewhere, [], 'a request left the app\'s origin');
  const archiveRequests = app.requests.filter((r) => r.url.startsWith(`${app.origin}/archive/`));
  assert.ok(archiveRequests.every((r) => r.url.startsWith(`${app.origin}/archive/orthanc/`)), 'only the configured archive');

  // Read back from Orthanc: QIDO-RS for the new series in the study, WADO-RS for the SR and SEG instances.
  const qido = async (url) => {
    const res = await fetch(url, { headers: { Accept: 'application/dicom+json' } });
    assert.equal(res.status, 200, url);
    return res.json();
  };
  const files = [];
  for (const modality of ['SR', 'SEG']) {
    const series = await qido(`${orthanc.dicomweb}/studies/${source.studyUid}/series?Modality=${modality}`);
    assert.equal(series.length, modality === 'SR' ? 2 : 1, `${modality} series in the study`);
    for (const s of series) {
      const seriesUid = s['0020000E'].Value[0];
      const instances = await qido(`${orthanc.dicomweb}/studies/${source.studyUid}/series/${seriesUid}/instances`);
      assert.equal(instances.length, 1);
      const sop = instances[0]['00080018'].Value[0];
      assert.ok(answer.stored.some((o) => o.sopInstanceUid === sop), `${sop} is among those the answer listed`);
      const res = await fetch(`${orthanc.dicomweb}/studies/${source.studyUid}/series/${seriesUid}/instances/${sop}`,
                              { headers: { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
      assert.equal(res.status, 200);
      const parts = multipartParts(res.headers.get('content-type'), Buffer.from(await res.arrayBuffer()));
      assert.equal(parts.length, 1);
      assert.equal(parts[0].subarray(128, 132).toString('latin1'), 'DICM');
      const file = path.join(tmp, `${modality}-${files.length}.dcm`);
      writeFileSync(file, parts[0]);
      files.push(file);
    }
  }
  const check = `
import json, sys, pydicom
report, source_path, files = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3:]
source = pydicom.dcmread(source_path)
problems = []
def check(cond, what):
    if not cond: problems.append(what)
def meaning(item):
    return item.ConceptNameCodeSequence[0].CodeMeaning if "ConceptNameCodeSequence" in item else ""
def walk(items):
    for item in items:
        yield item
        if "ContentSequence" in item: yield from walk(item.ContentSequence)
json_findings = [{f["label"].lower(): f["score"] for f in image["analysis"].get("findings", [])} for image in report["images"]]
sr_findings = []
for path in files:
    ds = pydicom.dcmread(path)
    check(ds.StudyInstanceUID == source.StudyInstanceUID, path + ": filed in the source's study")
    check(ds.PatientID == source.PatientID and str(ds.PatientName) == str(source.PatientName),
          path + ": the archive's identifiers (%r %r)" % (ds.PatientID, str(ds.PatientName)))
    if ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.88.33":
        refs = [i.ReferencedSOPSequence[0].ReferencedSOPInstanceUID for i in walk(ds.ContentSequence) if i.ValueType == "IMAGE"]
        check(refs == [source.SOPInstanceUID], path + ": the SR references the source image")
        found = {}
        for group in walk(ds.ContentSequence):
            if meaning(group) != "Measurement Group": continue
            label = None
            for child in group.ContentSequence:
                if meaning(child) == "Finding": label = child.ConceptCodeSequence[0].CodeMeaning.lower()
                elif meaning(child) == "Probability": found[label] = float(child.MeasuredValueSequence[0].NumericValue)
        sr_findings.append(found)
    elif ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.66.4":
        ref = ds.SharedFunctionalGroupsSequence[0].DerivationImageSequence[0].SourceImageSequence[0]
        check(ref.ReferencedSOPInstanceUID == source.SOPInstanceUID, path + ": the SEG is derived from the source")
        check(ds.ReferencedSeriesSequence[0].SeriesInstanceUID == source.SeriesInstanceUID, path + ": source series")
        check(ds.ReferencedSeriesSequence[0].ReferencedInstanceSequence[0].ReferencedSOPInstanceUID == source.SOPInstanceUID,
              path + ": source instance")
        check(ds.NumberOfFrames >= 1 and ds.Rows == source.Rows and ds.Columns == source.Columns, path + ": frames at the source's size")
    else:
        check(False, path + ": unexpected SOP class " + ds.SOPClassUID)
key = lambda f: json.dumps(f, sort_keys=True)
check(sorted(map(key, sr_findings)) == sorted(map(key, json_findings)),
      "SR probabilities %s, JSON report %s" % (sr_findings, json_findings))
check(any(len(f) > 0 for f in sr_findings), "some SR carries a finding")
print("\\n".join(problems) if problems else "ok")
`;
  const verdict = execFileSync(PY, ['-c', check, path.join(tmp, 'report.json'), source.file, ...files], { encoding: 'utf8' }).trim();
  assert.equal(verdict, 'ok');
  assert.ok(study.models.length >= 2);
  assert.deepEqual(app.consoleErrors, []);
  await app.screenshot('archive-stow-sent');
});

test('an archive without stowAllowed gets no command and no POST; a wrong stowRoot says 404 in words', { skip, timeout: 600_000 }, async () => {
  await openAnalyzed('readonly');
  const before = app.requests.length;
  const status = await app.page.evaluate(() => window.dxlens.api.archiveSendStatus());
  assert.equal(status.offered, false, JSON.stringify(status));
  assert.equal(status.possible, false);
  assert.match(status.why, /does not allow sending results to Read-only Orthanc/);
  const refused = await api('sendResultsToArchive');
  assert.equal(refused.ok, false);
  assert.match(refused.message, /stowAllowed/);
  await app.frames(5);
  assert.deepEqual(app.requests.slice(before).filter((r) => r.method !== 'GET'), [], 'nothing was POSTed');

  await openAnalyzed('wrongstow');
  const sent = await api('sendResultsToArchive');
  assert.ok(sent.ok, sent.message);
  assert.equal(sent.value.state, 'failed');
  assert.equal(sent.value.httpStatus, 404);
  assert.match(sent.value.message, /404/);
  assert.match(sent.value.message, /Misconfigured upload/);
  // The archive still holds only the first upload's two SR series.
  const res = await fetch(`${orthanc.dicomweb}/studies/${source.studyUid}/series?Modality=SR`,
                          { headers: { Accept: 'application/dicom+json' } });
  assert.equal((await res.json()).length, 2);
  // The 404 the misconfigured root causes on purpose is the only console error.
  assert.ok(app.consoleErrors.every((e) => /404/.test(e)), JSON.stringify(app.consoleErrors));
});
