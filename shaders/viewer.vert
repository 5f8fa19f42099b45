#version 300 es
// viewer.vert — the image quad of the viewport. Same vertex layout as Dear ImGui's OpenGL3 backend
// (position, uv, colour), so an ImDrawList image can be drawn with this program from a draw callback.
layout (location = 0) in vec2 Position;
layout (location = 1) in vec2 UV;
layout (location = 2) in vec4 Color;
uniform mat4 u_projection;
out vec2 v_uv;
void main() {
    v_uv = UV;
    gl_Position = u_projection * vec4(Position.xy, 0.0, 1.0);
}
