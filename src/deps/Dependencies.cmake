# Dependencies.cmake — third-party code comes from Debian packages, never from this repository.
#
# How to use (from the top-level CMakeLists.txt):
#   include(src/deps/Dependencies.cmake)
#   target_link_libraries(mytarget PRIVATE dx::stb dx::json)      # header-only, both builds
#   dx_require_imgui()  -> target dx::imgui (Dear ImGui core + GLFW/OpenGL3 backends, wasm build only)
#
# Header-only packages (libstb-dev, catch2, nlohmann-json3-dev) are installed by emsdk_env. Their headers live
# in /usr/include next to glibc's, and the whole of /usr/include must never reach emcc (native glibc headers
# break a WASM build), so each package's folder is linked alone into build/_deps/include and that folder is the
# only include path we add.

set(DX_DEPS_DIR "${CMAKE_SOURCE_DIR}/build/_deps" CACHE PATH "Where fetched third-party sources are kept")
set(DX_SYSTEM_INCLUDE "/usr/include" CACHE PATH "Where Debian's -dev packages put their headers")
set(_dx_inc "${DX_DEPS_DIR}/include")
file(MAKE_DIRECTORY "${_dx_inc}")

function(dx_link_header_folder name probe package)
    if(NOT EXISTS "${DX_SYSTEM_INCLUDE}/${name}/${probe}")
        message(FATAL_ERROR "${DX_SYSTEM_INCLUDE}/${name}/${probe} is missing: install the Debian package "
                            "'${package}' (source ./emsdk_env does it for you).")
    endif()
    if(NOT EXISTS "${_dx_inc}/${name}")
        file(CREATE_LINK "${DX_SYSTEM_INCLUDE}/${name}" "${_dx_inc}/${name}" SYMBOLIC)
    endif()
endfunction()

dx_link_header_folder(stb stb_image.h libstb-dev)
dx_link_header_folder(catch2 catch.hpp catch2)
dx_link_header_folder(nlohmann json.hpp nlohmann-json3-dev)

add_library(dx_stb INTERFACE)
target_include_directories(dx_stb SYSTEM INTERFACE "${_dx_inc}/stb")
add_library(dx::stb ALIAS dx_stb)

add_library(dx_json INTERFACE)
target_include_directories(dx_json SYSTEM INTERFACE "${_dx_inc}")
add_library(dx::json ALIAS dx_json)

add_library(dx_catch2 INTERFACE)
target_include_directories(dx_catch2 SYSTEM INTERFACE "${_dx_inc}")
add_library(dx::catch2 ALIAS dx_catch2)

# Dear ImGui: Debian's libimgui-dev has no sources, so the build unpacks the Debian *source* package
# (trixie's 1.90.1, falling back to bookworm's 1.86) with a private apt state under build/_deps.
function(dx_require_imgui)
    set(dir "${DX_DEPS_DIR}/imgui")
    if(NOT EXISTS "${dir}/imgui.cpp")
        message(STATUS "Fetching Dear ImGui from Debian's source package into ${dir}")
        execute_process(COMMAND bash "${CMAKE_SOURCE_DIR}/src/deps/fetch_debian_source.sh" imgui "${dir}"
                        RESULT_VARIABLE rc)
        if(NOT rc EQUAL 0 OR NOT EXISTS "${dir}/imgui.cpp")
            message(FATAL_ERROR "Could not fetch Dear ImGui's Debian source package (see the messages above).")
        endif()
    endif()
    add_library(dx_imgui STATIC
        "${dir}/imgui.cpp" "${dir}/imgui_draw.cpp" "${dir}/imgui_tables.cpp" "${dir}/imgui_widgets.cpp"
        "${dir}/imgui_demo.cpp" "${dir}/backends/imgui_impl_glfw.cpp" "${dir}/backends/imgui_impl_opengl3.cpp")
    target_include_directories(dx_imgui SYSTEM PUBLIC "${dir}" "${dir}/backends")
    target_compile_definitions(dx_imgui PUBLIC IMGUI_DISABLE_OBSOLETE_FUNCTIONS IMGUI_IMPL_OPENGL_ES3)
    target_compile_options(dx_imgui PRIVATE -w)
    add_library(dx::imgui ALIAS dx_imgui)
endfunction()

# JPEG-LS (CharLS) and JPEG 2000 (OpenJPEG) from Debian's source packages: dx_require_codecs().
include("${CMAKE_CURRENT_LIST_DIR}/Codecs.cmake")
