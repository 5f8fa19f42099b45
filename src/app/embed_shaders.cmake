# embed_shaders.cmake — turns shaders/*.vert|frag into a C++ header of string constants (cmake -P script).
#   cmake -DSHADER_DIR=... -DOUT=.../embedded_shaders.h -P embed_shaders.cmake
# kShader_<file name with '.' -> '_'>, e.g. kShader_viewer_frag. The GLSL stays readable in shaders/.
file(GLOB shaders "${SHADER_DIR}/*.vert" "${SHADER_DIR}/*.frag")
set(text "// Generated from shaders/ by src/app/embed_shaders.cmake. Do not edit.\n#pragma once\n\n")
foreach(s IN LISTS shaders)
    get_filename_component(name "${s}" NAME)
    string(REPLACE "." "_" name "${name}")
    file(READ "${s}" body)
    string(APPEND text "inline constexpr const char* kShader_${name} = R\"glsl(${body})glsl\";\n\n")
endforeach()
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
