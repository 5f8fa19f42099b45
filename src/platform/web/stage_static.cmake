# stage_static.cmake — assembles the served folder (cmake -P script, run on every build; copies are
# ONLY_IF_DIFFERENT so it is cheap):
#   web/ (HTML shell, JS modules, manifest; not the dev server), ONNX Runtime Web's files into ort/,
#   models/ (packages only: no training code), assets/ (not the i18n sources), licences of fonts built into
#   dxlens.data, models/index.json, and sw.js with this build's
#   version and precache list filled in.
# Fails with a clear message when npm packages are missing.

# copy_tree(FROM TO EXCLUDE_REGEX) — every file below FROM to TO, appending the copied paths (relative to DEST)
# to the list `staged`.
function(copy_tree from to exclude)
    file(GLOB_RECURSE files RELATIVE "${from}" "${from}/*")
    foreach(f IN LISTS files)
        if(exclude AND f MATCHES "${exclude}")
            continue()
        endif()
        get_filename_component(dir "${to}/${f}" DIRECTORY)
        file(MAKE_DIRECTORY "${dir}")
        file(COPY_FILE "${from}/${f}" "${to}/${f}" ONLY_IF_DIFFERENT)
        file(RELATIVE_PATH rel "${DEST}" "${to}/${f}")
        list(APPEND staged "${rel}")
    endforeach()
    set(staged "${staged}" PARENT_SCOPE)
endfunction()

set(staged "")
file(MAKE_DIRECTORY "${DEST}/ort")
foreach(f IN LISTS ORT_FILES)
    if(NOT EXISTS "${ORT_DIST}/${f}")
        message(FATAL_ERROR "${ORT_DIST}/${f} is missing: run `npm ci` at the repository root "
                            "(web/serve.sh and tests/run.sh do it for you).")
    endif()
    file(COPY_FILE "${ORT_DIST}/${f}" "${DEST}/ort/${f}" ONLY_IF_DIFFERENT)
    list(APPEND staged "ort/${f}")
endforeach()

# serve.* is the development server, archive-*.mjs its Node-only helpers (archive-origins.mjs is also the deploy
# step for static hosts, run from the repository) and sw.js a template (written below); none is copied as is.
copy_tree("${SRC}/web" "${DEST}" "^(serve\\.mjs|serve\\.sh|archive-origins\\.mjs|archive-proxy\\.mjs|sw\\.js)$")
copy_tree("${SRC}/models" "${DEST}/models" "(^|/)(training|__pycache__)/|\\.py$|(^|/)training_log\\.json$")
# assets/i18n is the translation catalogue's source: compiled into the app, not served.
copy_tree("${SRC}/assets" "${DEST}/assets" "\\.py$|^i18n/")
# Licences of third-party files built into dxlens.data (the CJK font subset): Apache-2.0 asks that they travel
# with it. LICENSE_FILES is a list of source=name pairs.
foreach(pair IN LISTS LICENSE_FILES)
    string(REPLACE "=" ";" parts "${pair}")
    list(GET parts 0 from)
    list(GET parts 1 name)
    file(MAKE_DIRECTORY "${DEST}/licenses")
    file(COPY_FILE "${from}" "${DEST}/licenses/${name}" ONLY_IF_DIFFERENT)
    list(APPEND staged "licenses/${name}")
endforeach()

# models/index.json: the packages (folders with a manifest.json) the app opens at start, and for each the files
# its manifest names (the model, the reference input and outputs), so that the page can fetch them alongside the
# manifest instead of after it: { "models": [ids], "files": { id: [paths relative to the package] } }.
file(GLOB manifests RELATIVE "${SRC}/models" "${SRC}/models/*/manifest.json")
set(ids "")
set(file_lists "")
foreach(m IN LISTS manifests)
    get_filename_component(id "${m}" DIRECTORY)
    list(APPEND ids "\"${id}\"")
    file(READ "${SRC}/models/${m}" manifest_text)
    set(named "")
    foreach(key IN ITEMS "file" "reference;input" "reference;outputs")
        string(JSON value ERROR_VARIABLE missing GET "${manifest_text}" ${key})
        if(NOT missing AND NOT value STREQUAL "")
            list(APPEND named "\"${value}\"")
        endif()
    endforeach()
    list(JOIN named ", " named)
    list(APPEND file_lists "\"${id}\": [${named}]")
endforeach()
list(JOIN ids ", " joined)
list(JOIN file_lists ", " joined_files)
file(MAKE_DIRECTORY "${DEST}/models")
file(CONFIGURE OUTPUT "${DEST}/models/index.json" CONTENT "{ \"models\": [${joined}], \"files\": { ${joined_files} } }\n")
list(APPEND staged "models/index.json")

# sw.js: the version is a digest of every precached file, so any change to the app makes a new version.
list(APPEND staged dxlens.js dxlens.wasm dxlens.data)
list(FILTER staged EXCLUDE REGEX "^examples/")
# archives.json is deployment configuration that says where patient data may come from: always the deployed file,
# never an offline copy of an older one.
list(FILTER staged EXCLUDE REGEX "^archives\\.json$")
list(REMOVE_DUPLICATES staged)
list(SORT staged)
set(digests "")
set(quoted "")
foreach(f IN LISTS staged)
    if(EXISTS "${DEST}/${f}")
        file(SHA256 "${DEST}/${f}" h)
        string(APPEND digests "${f}:${h}\n")
        list(APPEND quoted "'${f}'")
    endif()
endforeach()
string(SHA256 version "${digests}")
string(SUBSTRING "${version}" 0 16 version)
list(JOIN quoted ", " precache)
file(READ "${SRC}/web/sw.js" sw)
string(REPLACE "@DX_VERSION@" "${version}" sw "${sw}")
string(REPLACE "@DX_PRECACHE@" "['./', ${precache}]" sw "${sw}")
file(CONFIGURE OUTPUT "${DEST}/sw.js" CONTENT "${sw}" @ONLY)
