# stage_static.cmake — copies the app's static files into the served folder (cmake -P script, run every build;
# copy_if_different keeps it cheap). Fails with a clear message when npm packages are missing.
file(MAKE_DIRECTORY "${DEST}/ort")
foreach(f IN LISTS ORT_FILES)
    if(NOT EXISTS "${ORT_DIST}/${f}")
        message(FATAL_ERROR "${ORT_DIST}/${f} is missing: run `npm ci` at the repository root "
                            "(web/serve.sh and tests/run.sh do it for you).")
    endif()
    file(COPY_FILE "${ORT_DIST}/${f}" "${DEST}/ort/${f}" ONLY_IF_DIFFERENT)
endforeach()

file(GLOB_RECURSE web_files RELATIVE "${SRC}/web" "${SRC}/web/*")
foreach(f IN LISTS web_files)
    if(f MATCHES "^(serve\\.mjs|serve\\.sh)$")
        continue() # development server, not part of the app
    endif()
    get_filename_component(dir "${DEST}/${f}" DIRECTORY)
    file(MAKE_DIRECTORY "${dir}")
    file(COPY_FILE "${SRC}/web/${f}" "${DEST}/${f}" ONLY_IF_DIFFERENT)
endforeach()

foreach(folder models assets)
    file(GLOB_RECURSE files RELATIVE "${SRC}/${folder}" "${SRC}/${folder}/*")
    foreach(f IN LISTS files)
        if(f MATCHES "(^|/)(training|__pycache__)/|\\.py$")
            continue() # training code stays in the repository; the app needs only the packages
        endif()
        get_filename_component(dir "${DEST}/${folder}/${f}" DIRECTORY)
        file(MAKE_DIRECTORY "${dir}")
        file(COPY_FILE "${SRC}/${folder}/${f}" "${DEST}/${folder}/${f}" ONLY_IF_DIFFERENT)
    endforeach()
endforeach()

# models/index.json: the packages (folders with a manifest.json) the app opens at start.
file(GLOB manifests RELATIVE "${SRC}/models" "${SRC}/models/*/manifest.json")
set(ids "")
foreach(m IN LISTS manifests)
    get_filename_component(id "${m}" DIRECTORY)
    list(APPEND ids "\"${id}\"")
endforeach()
list(JOIN ids ", " joined)
file(MAKE_DIRECTORY "${DEST}/models")
file(WRITE "${DEST}/models/index.json.tmp" "{ \"models\": [${joined}] }\n")
file(COPY_FILE "${DEST}/models/index.json.tmp" "${DEST}/models/index.json" ONLY_IF_DIFFERENT)
file(REMOVE "${DEST}/models/index.json.tmp")
