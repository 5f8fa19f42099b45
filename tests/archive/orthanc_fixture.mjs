// orthanc_fixture.mjs — the real Orthanc test archive (tests/archive/orthanc_fixture.sh) for node and browser
// tests: started in a temporary folder on a free port of 127.0.0.1, loaded, and stopped by the caller.
//
// How to use:
//   import { orthancUnavailable, startOrthanc } from '../archive/orthanc_fixture.mjs';
//   const why = orthancUnavailable();          // null, or why it cannot run (then skip the test with that text)
//   const orthanc = await startOrthanc({ bench: false });  // bench: also the two generated 100-instance series
//   orthanc.url          // 'http://127.0.0.1:PORT'       orthanc.dicomweb  // 'http://127.0.0.1:PORT/dicom-web'
//   orthanc.loaded.instances['jpeg-ls-lossless']  // { studyUid, seriesUid, sopUid, transferSyntax, frames, ... }
//   orthanc.loaded.series['mr-volume']            // { studyUid, seriesUid, instances: 20, ... }
//   await orthanc.stop();                         // SIGTERM, waits, removes the folder
// With the app's server in front (the setup README "Hospital archives (DICOMweb)" describes):
//   startServer({ root, archiveProxies: { orthanc: orthanc.url } })  -> /archive/orthanc/dicom-web/...
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'orthanc_fixture.sh');

// null when Orthanc, its DICOMweb plugin, cc and pydicom are all here; otherwise the reason, for a skip message.
export function orthancUnavailable() {
  const r = spawnSync('bash', ['-c', `source "${SCRIPT}"; orthanc_available || { echo "$ORTHANC_UNAVAILABLE"; exit 1; }`],
                      { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stdout.trim() || r.stderr.trim() || 'Orthanc is not available');
}

export async function startOrthanc({ bench = false, log = () => {} } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dxlens-orthanc-'));
  const args = [SCRIPT, 'start', dir, ...(bench ? ['--bench'] : [])];
  const output = await new Promise((resolve, reject) => {
    execFile('bash', args, { encoding: 'utf8', maxBuffer: 1 << 22 }, (err, stdout, stderr) => {
      if (err) {
        rmSync(dir, { recursive: true, force: true });
        reject(new Error(`the Orthanc fixture did not start (exit ${err.code}): ${stderr.trim() || stdout.trim()}`));
      } else {
        resolve(stdout);
      }
    });
  });
  log(output);
  const env = Object.fromEntries(readFileSync(path.join(dir, 'fixture.env'), 'utf8').trim().split('\n')
    .map((line) => line.split(/=(.*)/s).slice(0, 2)));
  const loaded = JSON.parse(readFileSync(path.join(dir, 'loaded.json'), 'utf8'));
  let stopped = false;
  const stop = () => new Promise((resolve) => {
    if (stopped) return resolve();
    stopped = true;
    process.off('exit', stopNow);
    execFile('bash', [SCRIPT, 'stop', dir], () => resolve());
  });
  // A test that dies before its after() hook must not leave an archive running.
  const stopNow = () => {
    if (!stopped) spawnSync('bash', [SCRIPT, 'stop', dir]);
  };
  process.on('exit', stopNow);
  return { url: env.ORTHANC_URL, dicomweb: env.ORTHANC_DICOMWEB, port: Number(env.ORTHANC_PORT),
           pid: Number(env.ORTHANC_PID), dir, loaded, output, stop };
}
