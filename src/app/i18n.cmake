# i18n.cmake — turns the translation catalogue (assets/i18n) into the C++ table i18n.cpp includes, plus the list of
# characters the CJK font subset must contain. Used by the web app (src/platform/web) and the i18n unit test.
#
# How to use:
#   include(${CMAKE_SOURCE_DIR}/src/app/i18n.cmake)
#   dx_add_i18n_catalogue("${gen}/app/i18n_catalogue.inc" "${gen}/cjk_glyphs.txt")
#   add_executable(x ... "${gen}/app/i18n_catalogue.inc")     # and "${gen}" on its include path
# Debian's python3 runs it: python3-fonttools is installed there (a pyenv/venv python on PATH would lack it).
set(DX_PYTHON /usr/bin/python3)
set(DX_I18N_DIR "${CMAKE_SOURCE_DIR}/assets/i18n")
set(DX_I18N_SCRIPT "${CMAKE_SOURCE_DIR}/src/app/i18n_catalogue.py")

# The shipped models' manifests: the app shows their "zh-Hans" texts, so their characters join the font subset.
file(GLOB DX_MODEL_MANIFESTS CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/models/*/manifest.json")

function(dx_add_i18n_catalogue header glyphs)
    add_custom_command(OUTPUT "${header}" "${glyphs}"
        COMMAND "${DX_PYTHON}" "${DX_I18N_SCRIPT}" generate --catalogue "${DX_I18N_DIR}/zh-Hans.tsv"
                --terms "${DX_I18N_DIR}/medical_terms_zh.txt" --header "${header}" --glyphs "${glyphs}"
                --manifests ${DX_MODEL_MANIFESTS}
        DEPENDS "${DX_I18N_SCRIPT}" "${DX_I18N_DIR}/zh-Hans.tsv" "${DX_I18N_DIR}/medical_terms_zh.txt"
                ${DX_MODEL_MANIFESTS}
        COMMENT "Generating the translation table and the CJK glyph list")
endfunction()
