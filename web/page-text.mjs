// page-text.mjs — the few words the page itself shows before (or without) the WebAssembly UI: the loading
// overlay and the progress lines written into it, the "cannot start" message, the update and offline notices,
// and what the live region says of a file given before the UI is ready.
// They follow the UI's language choice exactly as the C++ side makes it (src/app/i18n.cpp, preferredLanguage and
// languageForTag; src/platform/web/dx_library.js reads the same storage key):
//   1. the choice remembered in localStorage 'dxlens.language' (Alt+L or the Language menu wrote it);
//   2. else the browser's languages in order: the first English or Simplified Chinese one decides;
//   3. else English.
// zh, zh-CN, zh-SG, zh-Hans... mean Simplified Chinese; Traditional-script tags (zh-TW, zh-HK, zh-MO,
// zh-Hant...) are passed over, as in the UI. No fetch, no font: the overlay uses the system's fonts.
//
// How to use:
//   import { localiseLoadingOverlay, pageText, loadingStatusText } from './page-text.mjs';
//   localiseLoadingOverlay(document);             // once, as early as possible
//   pageText('cannotStart');                      // "DxLens cannot start." or "DxLens 无法启动。"
//   loadingStatusText('Downloading data... (10/20)');   // Emscripten's progress line, in the page's language

export const LANGUAGE_KEY = 'dxlens.language';

const TEXT = {
  en: {
    loading: 'Loading the workstation…',
    loadingEmbedded: 'Loading DxLens…',
    notice: 'Research use only — not a medical device. Images never leave this device.',
    cannotStart: 'DxLens cannot start.',
    researchUse: 'Research use only — not a medical device.',
    noWebGl2: 'This browser cannot create a WebGL2 context, which DxLens needs to draw its interface. ' +
              'Enable hardware acceleration or use a current Chrome, Edge, Firefox or Safari.',
    downloading: 'Downloading the workstation…',
    starting: 'Starting…',
    wait: 'Please wait…',
    updateAvailable: 'A new version of DxLens is available.',
    reload: 'Reload',
    offlineQuota: 'This browser has no room to keep DxLens available offline (storage quota exceeded). ' +
                  'The app still works online; free some space to install it.',
    offlineFailed: 'DxLens could not be made available offline (it still works online): ',
    openingWhenReady: 'Opening when DxLens is ready: ',
  },
  'zh-Hans': {
    loading: '正在加载工作站…',
    loadingEmbedded: '正在加载 DxLens…',
    notice: '仅供研究使用 — 非医疗器械。图像不会离开本设备。',
    cannotStart: 'DxLens 无法启动。',
    researchUse: '仅供研究使用 — 非医疗器械。',
    noWebGl2: '此浏览器无法创建 DxLens 绘制界面所需的 WebGL2 上下文。' +
              '请开启硬件加速，或使用最新版的 Chrome、Edge、Firefox 或 Safari。',
    downloading: '正在下载工作站…',
    starting: '正在启动…',
    wait: '请稍候…',
    updateAvailable: 'DxLens 有新版本可用。',
    reload: '重新加载',
    offlineQuota: '此浏览器没有足够的存储空间让 DxLens 离线可用（存储配额已满）。应用仍可在线使用；释放一些空间后即可安装。',
    offlineFailed: '无法让 DxLens 离线可用（仍可在线使用）：',
    openingWhenReady: 'DxLens 就绪后打开：',
  },
};

// The UI language one BCP 47 tag asks for: 'zh-Hans', 'en', or null when it asks for neither (then the next
// tag decides; Traditional-script Chinese is skipped like any language the UI does not speak).
export function languageOfTag(tag) {
  const t = String(tag || '').toLowerCase();
  if (t === 'en' || t.startsWith('en-')) return 'en';
  if (t !== 'zh' && !t.startsWith('zh-')) return null;
  if (['zh-hant', 'zh-tw', 'zh-hk', 'zh-mo'].some((traditional) => t.startsWith(traditional))) return null;
  return 'zh-Hans';
}

// The remembered choice, else the browser's languages (the same order the C++ side reads them in).
export function pageLanguage() {
  const tags = [];
  try {
    const stored = window.localStorage.getItem(LANGUAGE_KEY);
    if (stored) tags.push(stored);
  } catch { /* storage blocked (privacy settings): the browser's languages decide */ }
  tags.push(...(navigator.languages?.length ? navigator.languages : [navigator.language]));
  for (const tag of tags) {
    const language = languageOfTag(tag);
    if (language) return language;
  }
  return 'en';
}

export function pageText(key, language = pageLanguage()) {
  return TEXT[language]?.[key] ?? TEXT.en[key];
}

// Emscripten's loader reports progress in English ("Downloading data... (12/34)", "Running...", "Please
// wait... (1/2)"); the overlay shows it in the page's language, with the counts kept.
export function loadingStatusText(status, language = pageLanguage()) {
  const counts = /\((\d+)\/(\d+)\)\s*$/.exec(status);
  const suffix = counts ? (language === 'zh-Hans' ? `（${counts[1]}/${counts[2]}）` : ` (${counts[1]}/${counts[2]})`) : '';
  if (/^Downloading data/.test(status)) return pageText('downloading', language) + suffix;
  if (/^Running/.test(status)) return pageText('starting', language);
  if (/^Please wait/.test(status)) return pageText('wait', language) + suffix;
  return status;
}

// The overlay's static text (index.html and embed.html write it in English) and <html lang>, at once.
export function localiseLoadingOverlay(doc = document) {
  const language = pageLanguage();
  doc.documentElement.lang = language;
  const loading = doc.getElementById('dx-loading');
  if (!loading) return language;
  loading.lang = language;
  const text = doc.getElementById('dx-loading-text');
  if (text) text.textContent = pageText(doc.body.classList.contains('dx-embedded') ? 'loadingEmbedded' : 'loading', language);
  const notice = loading.querySelector('.dx-notice');
  if (notice) notice.textContent = pageText('notice', language);
  return language;
}
