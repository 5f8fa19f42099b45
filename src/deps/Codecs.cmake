# Codecs.cmake — the JPEG-LS and JPEG 2000 libraries and the PNG inflater, compiled from Debian's source
# packages for both builds.
#
# How to use (Dependencies.cmake includes this file):
#   dx_require_codecs()   -> targets dx::charls (CharLS, JPEG-LS), dx::openjp2 (OpenJPEG, JPEG 2000) and
#                            dx::deflate (libdeflate, decompression only: PNG image data and deflated DICOM)
#   target_link_libraries(mytarget PRIVATE dx::charls dx::openjp2 dx::deflate)
#
# The sources are the Debian packages `charls`, `openjpeg2` and `libdeflate`, unpacked by fetch_debian_source.sh into
# build/_deps on first configure. We do not run the libraries' own CMake projects (they build tools, tests and
# install rules, and probe the host with try_run, which a WASM build cannot do); instead each library is a plain
# add_library over its sources with the few config headers it needs written here by configure_file. All three get
# the project's global compile options, so the native-asan preset builds them with ASan/UBSan too.

function(dx_fetch_debian_source package dir probe)
    if(NOT EXISTS "${dir}/${probe}")
        message(STATUS "Fetching ${package} from Debian's source package into ${dir}")
        execute_process(COMMAND bash "${CMAKE_SOURCE_DIR}/src/deps/fetch_debian_source.sh" ${package} "${dir}"
                        RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0 OR NOT EXISTS "${dir}/${probe}")
            message(FATAL_ERROR "Could not fetch Debian's source package '${package}' (see the messages above).")
        endif()
    endif()
endfunction()

# CharLS 2.4.2 loops forever on some truncated scans: once the bit reader has run past the end of the data its
# bit count goes negative, and the end-of-data check only tests for exactly zero, so read_high_bits() keeps
# reading (found by tests/core/codestream_bad_input_test.cpp; upstream fixed the same endless loop after 2.4.2,
# team-charls/charls PR #334). A negative count also means "no bits left", so the check becomes <= 0. Edited in
# place, once, and the build stops if the line is not found (a newer CharLS must be looked at again).
function(dx_fix_charls_truncated_scan header)
    file(READ "${header}" text)
    set(unfixed "if (UNLIKELY(valid_bits_ == 0))")
    set(fixed "if (UNLIKELY(valid_bits_ <= 0)) // DxLens: was == 0, endless loop on truncated scans")
    string(FIND "${text}" "${fixed}" already)
    if(already GREATER_EQUAL 0)
        return()
    endif()
    string(FIND "${text}" "${unfixed}" at)
    if(at LESS 0)
        message(FATAL_ERROR "${header} changed: re-check the truncated-scan fix in ${CMAKE_CURRENT_FUNCTION_LIST_FILE}")
    endif()
    string(REPLACE "${unfixed}" "${fixed}" text "${text}")
    file(WRITE "${header}" "${text}")
endfunction()

# CharLS (C++): the library sources only. CHARLS_STATIC selects the static-library declarations in its headers.
function(dx_add_charls)
    set(dir "${DX_DEPS_DIR}/charls")
    dx_fetch_debian_source(charls "${dir}" src/jpegls.cpp)
    set(sources charls_jpegls_decoder.cpp charls_jpegls_encoder.cpp jpeg_stream_reader.cpp
                jpeg_stream_writer.cpp jpegls.cpp jpegls_error.cpp validate_spiff_header.cpp version.cpp)
    dx_fix_charls_truncated_scan("${dir}/src/decoder_strategy.h")
    list(TRANSFORM sources PREPEND "${dir}/src/")
    add_library(dx_charls STATIC ${sources})
    target_include_directories(dx_charls SYSTEM PUBLIC "${dir}/include")
    target_compile_definitions(dx_charls PUBLIC CHARLS_STATIC PRIVATE CHARLS_LIBRARY_BUILD)
    target_compile_options(dx_charls PRIVATE -w)
    add_library(dx::charls ALIAS dx_charls)
endfunction()

# OpenJPEG (C): libopenjp2 only, no tools and no threads (thread.c then compiles its single-thread fallback).
function(dx_add_openjp2)
    set(dir "${DX_DEPS_DIR}/openjpeg2")
    set(lib "${dir}/src/lib/openjp2")
    dx_fetch_debian_source(openjpeg2 "${dir}" src/lib/openjp2/openjpeg.h)
    file(STRINGS "${dir}/CMakeLists.txt" version_lines REGEX "^set\\(OPENJPEG_VERSION_(MAJOR|MINOR|BUILD) ")
    foreach(line IN LISTS version_lines)
        string(REGEX REPLACE "^set\\((OPENJPEG_VERSION_[A-Z]+) ([0-9]+)\\).*" "\\1;\\2" pair "${line}")
        list(GET pair 0 name)
        list(GET pair 1 value)
        set(${name} ${value})
    endforeach()
    set(PACKAGE_VERSION "${OPENJPEG_VERSION_MAJOR}.${OPENJPEG_VERSION_MINOR}.${OPENJPEG_VERSION_BUILD}")
    # Both glibc and Emscripten's musl have these; fseeko is only used by the file stream we never open.
    set(OPJ_HAVE_STDINT_H 1)
    set(OPJ_HAVE_INTTYPES_H 1)
    set(OPJ_HAVE_POSIX_MEMALIGN 1)
    set(config "${CMAKE_BINARY_DIR}/_deps/openjp2-config")
    configure_file("${lib}/opj_config.h.cmake.in" "${config}/opj_config.h")
    configure_file("${lib}/opj_config_private.h.cmake.in" "${config}/opj_config_private.h")
    set(sources thread.c bio.c cio.c dwt.c event.c ht_dec.c image.c invert.c j2k.c jp2.c mct.c mqc.c openjpeg.c
                opj_clock.c pi.c t1.c t2.c tcd.c tgt.c function_list.c opj_malloc.c sparse_array.c)
    list(TRANSFORM sources PREPEND "${lib}/")
    add_library(dx_openjp2 STATIC ${sources})
    target_include_directories(dx_openjp2 SYSTEM PUBLIC "${lib}" "${config}")
    target_compile_definitions(dx_openjp2 PUBLIC OPJ_STATIC)
    target_compile_options(dx_openjp2 PRIVATE -w)
    add_library(dx::openjp2 ALIAS dx_openjp2)
endfunction()

# libdeflate (C): the raw and zlib-format decompressors only: deflated DICOM data sets (inflate.cpp), and PNG
# image data (with png_decoder.cpp, PNG decoding is 1.3-2.2x faster than stb_image alone: bench/README.md). Its
# x86/ARM feature detection compiles to nothing in WASM.
function(dx_add_deflate)
    set(dir "${DX_DEPS_DIR}/libdeflate")
    dx_fetch_debian_source(libdeflate "${dir}" lib/deflate_decompress.c)
    set(sources utils.c deflate_decompress.c zlib_decompress.c adler32.c x86/cpu_features.c arm/cpu_features.c)
    list(TRANSFORM sources PREPEND "${dir}/lib/")
    add_library(dx_deflate STATIC ${sources})
    target_include_directories(dx_deflate SYSTEM PUBLIC "${dir}")
    target_compile_definitions(dx_deflate PUBLIC LIBDEFLATE_STATIC)
    target_compile_options(dx_deflate PRIVATE -w)
    add_library(dx::deflate ALIAS dx_deflate)
endfunction()

function(dx_require_codecs)
    if(NOT TARGET dx_charls)
        dx_add_charls()
        dx_add_openjp2()
        dx_add_deflate()
    endif()
endfunction()
